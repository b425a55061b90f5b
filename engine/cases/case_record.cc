// Copyright 2026 gridroute authors.
#include "cases/case_record.h"

#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "cases/case_id.h"

namespace gridroute {
namespace {

constexpr const char* kStateNames[kNumCaseStates] = {
    "reported", "dispatched", "accepted", "handled",
    "verified", "closed",     "reopened"};
constexpr const char* kSourceNames[kNumReportSources] = {
    "other", "hotline", "video", "patrol", "app"};

// kLegal[from][to].
constexpr bool kLegal[kNumCaseStates][kNumCaseStates] = {
    //            rep    dis    acc    han    ver    clo    reo
    /* rep */ {false, true, false, false, false, false, false},
    /* dis */ {true, false, true, false, false, false, false},
    /* acc */ {false, false, false, true, false, false, false},
    /* han */ {false, true, false, false, true, false, false},
    /* ver */ {false, false, false, false, false, true, true},
    /* clo */ {false, false, false, false, false, false, true},
    /* reo */ {false, true, false, false, false, false, false},
};

// Lists in a record are bounded so that a corrupt count cannot make Decode
// allocate gigabytes before it notices the record is short.
constexpr uint64_t kMaxListItems = 1 << 16;

// ---------------------------------------------------------------- encoding

void PutVarint(uint64_t v, std::string* out) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, n);
}

void PutByte(uint8_t b, std::string* out) {
  out->push_back(static_cast<char>(b));
}

void PutString(absl::string_view s, std::string* out) {
  PutVarint(s.size(), out);
  out->append(s.data(), s.size());
}

void PutDouble(double d, std::string* out) {
  char buf[8];
  std::memcpy(buf, &d, 8);  // little-endian hosts only (x86-64, arm64)
  out->append(buf, 8);
}

// Times as zigzag Unix nanoseconds; the infinities as the int64 extremes.
int64_t TimeToNanos(absl::Time t) {
  if (t == absl::InfiniteFuture()) return std::numeric_limits<int64_t>::max();
  if (t == absl::InfinitePast()) return std::numeric_limits<int64_t>::min();
  return absl::ToUnixNanos(t);
}

absl::Time NanosToTime(int64_t n) {
  if (n == std::numeric_limits<int64_t>::max()) return absl::InfiniteFuture();
  if (n == std::numeric_limits<int64_t>::min()) return absl::InfinitePast();
  return absl::FromUnixNanos(n);
}

void PutTime(absl::Time t, std::string* out) {
  const int64_t n = TimeToNanos(t);
  PutVarint((static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63),
            out);
}

void PutStrings(const std::vector<std::string>& v, std::string* out) {
  PutVarint(v.size(), out);
  for (const std::string& s : v) PutString(s, out);
}

// The filing fields shared by kNewCase and kCaseState.
void PutFiling(const CaseView& c, std::string* out) {
  PutByte(static_cast<uint8_t>(c.category_type), out);
  PutString(c.category, out);
  PutString(c.component, out);
  PutString(c.grid, out);
  PutStrings(c.chain, out);
  PutString(c.lead, out);
  PutStrings(c.helpers, out);
  PutByte(c.has_point ? 1 : 0, out);
  if (c.has_point) {
    PutDouble(c.lon, out);
    PutDouble(c.lat, out);
  }
  PutTime(c.first_report, out);
  PutTime(c.due, out);
  PutByte(static_cast<uint8_t>(c.source), out);
  PutString(c.source_id, out);
}

// ---------------------------------------------------------------- decoding

class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}

  bool Varint(uint64_t* v) {
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && pos_ < in_.size(); shift += 7) {
      const uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      r |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        *v = r;
        return true;
      }
    }
    return false;
  }
  bool Byte(uint8_t* b) {
    if (pos_ >= in_.size()) return false;
    *b = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool String(std::string* s) {
    uint64_t n;
    if (!Varint(&n) || n > in_.size() - pos_) return false;
    s->assign(in_.data() + pos_, n);
    pos_ += n;
    return true;
  }
  bool Double(double* d) {
    if (in_.size() - pos_ < 8) return false;
    std::memcpy(d, in_.data() + pos_, 8);
    pos_ += 8;
    return true;
  }
  bool Time(absl::Time* t) {
    uint64_t z;
    if (!Varint(&z)) return false;
    *t = NanosToTime(static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1)));
    return true;
  }
  bool Strings(std::vector<std::string>* v) {
    uint64_t n;
    if (!Varint(&n) || n > kMaxListItems || n > in_.size() - pos_) return false;
    v->resize(n);
    for (std::string& s : *v) {
      if (!String(&s)) return false;
    }
    return true;
  }
  bool Done() const { return pos_ == in_.size(); }

 private:
  absl::string_view in_;
  size_t pos_ = 0;
};

absl::Status Bad(RecordKind kind, absl::string_view field) {
  return absl::DataLossError(absl::StrCat("case record (", RecordKindName(kind),
                                          "): truncated or malformed field '",
                                          field, "'"));
}

bool State(Reader& r, CaseState* s) {
  uint8_t b;
  if (!r.Byte(&b) || b >= kNumCaseStates) return false;
  *s = static_cast<CaseState>(b);
  return true;
}

bool Source(Reader& r, ReportSource* s) {
  uint8_t b;
  if (!r.Byte(&b) || b >= kNumReportSources) return false;
  *s = static_cast<ReportSource>(b);
  return true;
}

absl::Status GetFiling(Reader& r, RecordKind kind, CaseView* c) {
  uint8_t b;
  if (!r.Byte(&b) || b > 1) return Bad(kind, "category_type");
  c->category_type = static_cast<CategoryType>(b);
  if (!r.String(&c->category)) return Bad(kind, "category");
  if (!r.String(&c->component)) return Bad(kind, "component");
  if (!r.String(&c->grid)) return Bad(kind, "grid");
  if (!r.Strings(&c->chain)) return Bad(kind, "chain");
  if (!r.String(&c->lead)) return Bad(kind, "lead");
  if (!r.Strings(&c->helpers)) return Bad(kind, "helpers");
  if (!r.Byte(&b) || b > 1) return Bad(kind, "has_point");
  c->has_point = b == 1;
  if (c->has_point) {
    if (!r.Double(&c->lon)) return Bad(kind, "lon");
    if (!r.Double(&c->lat)) return Bad(kind, "lat");
  } else {
    c->lon = c->lat = 0;
  }
  if (!r.Time(&c->first_report)) return Bad(kind, "first_report");
  if (!r.Time(&c->due)) return Bad(kind, "due");
  if (!Source(r, &c->source)) return Bad(kind, "source");
  if (!r.String(&c->source_id)) return Bad(kind, "source_id");
  return absl::OkStatus();
}

}  // namespace

const char* CaseStateName(CaseState s) {
  const int i = static_cast<int>(s);
  return i < kNumCaseStates ? kStateNames[i] : "?";
}

bool IsLegalTransition(CaseState from, CaseState to) {
  const int f = static_cast<int>(from), t = static_cast<int>(to);
  return f < kNumCaseStates && t < kNumCaseStates && kLegal[f][t];
}

std::string LegalTargets(CaseState from) {
  std::string out;
  for (int t = 0; t < kNumCaseStates; ++t) {
    if (!IsLegalTransition(from, static_cast<CaseState>(t))) continue;
    if (!out.empty()) out += '|';
    out += kStateNames[t];
  }
  return out.empty() ? "none" : out;
}

const char* ReportSourceName(ReportSource s) {
  const int i = static_cast<int>(s);
  return i < kNumReportSources ? kSourceNames[i] : "?";
}

const char* RecordKindName(RecordKind k) {
  switch (k) {
    case RecordKind::kNewCase:
      return "new_case";
    case RecordKind::kFold:
      return "fold";
    case RecordKind::kTransition:
      return "transition";
    case RecordKind::kCaseState:
      return "case_state";
    case RecordKind::kWatermark:
      return "watermark";
    case RecordKind::kClock:
      return "clock";
    case RecordKind::kKey:
      return "key";
  }
  return "?";
}

bool operator==(const HistoryEntry& a, const HistoryEntry& b) {
  return a.state == b.state && a.actor == b.actor && a.at == b.at &&
         a.note == b.note && a.lead == b.lead;
}

bool operator==(const CaseView& a, const CaseView& b) {
  return a.id == b.id && a.category_type == b.category_type &&
         a.category == b.category && a.component == b.component &&
         a.grid == b.grid && a.district == b.district && a.chain == b.chain &&
         a.lead == b.lead && a.helpers == b.helpers &&
         a.has_point == b.has_point &&
         (!a.has_point || (a.lon == b.lon && a.lat == b.lat)) &&
         a.first_report == b.first_report && a.last_report == b.last_report &&
         a.due == b.due && a.closed_at == b.closed_at &&
         a.report_count == b.report_count && a.state == b.state &&
         a.source == b.source && a.source_id == b.source_id &&
         a.history == b.history;
}

namespace {

// Format 2's additions: the key of a kNewCase / kFold (16 bytes, then the
// receive time) follows the version 1 fields.
void PutKey(const ReportKeyFp& k, std::string* out) {
  char buf[16];
  std::memcpy(buf, &k.hi, 8);  // little-endian hosts only
  std::memcpy(buf + 8, &k.lo, 8);
  out->append(buf, 16);
}

bool GetKey(Reader& r, ReportKeyFp* k) {
  double hi, lo;  // 8 raw bytes each
  if (!r.Double(&hi) || !r.Double(&lo)) return false;
  std::memcpy(&k->hi, &hi, 8);
  std::memcpy(&k->lo, &lo, 8);
  return true;
}

bool NeedsVersion2(const CaseRecord& rec) {
  switch (rec.kind) {
    case RecordKind::kNewCase:
    case RecordKind::kFold:
      return rec.has_key;
    case RecordKind::kClock:
    case RecordKind::kKey:
      return true;
    default:
      return false;
  }
}

}  // namespace

void CaseRecord::Encode(std::string* out) const {
  const bool v2 = NeedsVersion2(*this);
  PutByte(v2 ? kCaseRecordVersion2 : kCaseRecordVersion, out);
  PutByte(static_cast<uint8_t>(kind), out);
  switch (kind) {
    case RecordKind::kNewCase:
      PutString(case_id, out);
      PutFiling(c, out);
      break;
    case RecordKind::kFold:
      PutString(case_id, out);
      PutTime(reported_at, out);
      PutByte(static_cast<uint8_t>(source), out);
      PutString(source_id, out);
      PutVarint(static_cast<uint64_t>(report_count), out);
      break;
    case RecordKind::kTransition:
      PutString(case_id, out);
      PutByte(static_cast<uint8_t>(from), out);
      PutByte(static_cast<uint8_t>(to), out);
      PutString(actor, out);
      PutTime(at, out);
      PutString(note, out);
      PutString(lead, out);
      break;
    case RecordKind::kCaseState:
      PutString(case_id, out);
      PutFiling(c, out);
      PutTime(c.last_report, out);
      PutTime(c.closed_at, out);
      PutVarint(static_cast<uint64_t>(c.report_count), out);
      PutByte(static_cast<uint8_t>(c.state), out);
      PutVarint(c.history.size(), out);
      for (const HistoryEntry& h : c.history) {
        PutByte(static_cast<uint8_t>(h.state), out);
        PutString(h.actor, out);
        PutTime(h.at, out);
        PutString(h.note, out);
        PutString(h.lead, out);
      }
      break;
    case RecordKind::kWatermark:
      PutTime(watermark, out);
      break;
    case RecordKind::kClock:
      PutTime(watermark, out);
      PutVarint(pending.size(), out);
      for (absl::Time t : pending) PutTime(t, out);
      PutTime(key_clock, out);
      break;
    case RecordKind::kKey:
      PutString(case_id, out);
      PutKey(key, out);
      PutByte(folded ? 1 : 0, out);
      PutVarint(static_cast<uint64_t>(report_count), out);
      PutTime(received_at, out);
      break;
  }
  if (v2 && (kind == RecordKind::kNewCase || kind == RecordKind::kFold)) {
    PutKey(key, out);
    PutTime(received_at, out);
  }
}

absl::Status CaseRecord::Decode(absl::string_view in) {
  Reader r(in);
  uint8_t version, k;
  if (!r.Byte(&version)) return absl::DataLossError("case record: empty");
  if (version != kCaseRecordVersion && version != kCaseRecordVersion2) {
    return absl::DataLossError(absl::StrCat(
        "case record: unsupported format version ", static_cast<int>(version),
        " (this build reads ", static_cast<int>(kCaseRecordVersion), " and ",
        static_cast<int>(kCaseRecordVersion2), ")"));
  }
  const int max_kind = version == kCaseRecordVersion ? 5 : 7;
  if (!r.Byte(&k) || k < 1 || k > max_kind) {
    return absl::DataLossError("case record: truncated or unknown record kind");
  }
  kind = static_cast<RecordKind>(k);
  hint_case = ~0u;
  hint_epoch = 0;
  duplicate = false;
  has_key = false;
  if (kind != RecordKind::kWatermark && kind != RecordKind::kClock) {
    if (!r.String(&case_id)) return Bad(kind, "case_id");
  }
  uint64_t v;
  switch (kind) {
    case RecordKind::kNewCase:
    case RecordKind::kCaseState: {
      CaseIdParts parts;
      if (!ParseCaseId(case_id, &parts)) return Bad(kind, "case_id");
      c.id = case_id;
      c.district.assign(parts.district.data(), parts.district.size());
      if (absl::Status s = GetFiling(r, kind, &c); !s.ok()) return s;
      if (kind == RecordKind::kNewCase) {
        c.last_report = c.first_report;
        c.closed_at = absl::InfiniteFuture();
        c.report_count = 1;
        c.state = CaseState::kReported;
        c.history.clear();
        break;
      }
      if (!r.Time(&c.last_report)) return Bad(kind, "last_report");
      if (!r.Time(&c.closed_at)) return Bad(kind, "closed_at");
      if (!r.Varint(&v) || v == 0 || v > (uint64_t{1} << 62))
        return Bad(kind, "report_count");
      c.report_count = static_cast<int64_t>(v);
      if (!State(r, &c.state)) return Bad(kind, "state");
      if (!r.Varint(&v) || v > kMaxListItems || v > in.size())
        return Bad(kind, "history");
      c.history.resize(v);
      for (HistoryEntry& h : c.history) {
        if (!State(r, &h.state) || !r.String(&h.actor) || !r.Time(&h.at) ||
            !r.String(&h.note) || !r.String(&h.lead)) {
          return Bad(kind, "history");
        }
      }
      break;
    }
    case RecordKind::kFold:
      if (!r.Time(&reported_at)) return Bad(kind, "reported_at");
      if (!Source(r, &source)) return Bad(kind, "source");
      if (!r.String(&source_id)) return Bad(kind, "source_id");
      if (!r.Varint(&v) || v < 2 || v > (uint64_t{1} << 62))
        return Bad(kind, "report_count");
      report_count = static_cast<int64_t>(v);
      break;
    case RecordKind::kTransition:
      if (!State(r, &from)) return Bad(kind, "from");
      if (!State(r, &to)) return Bad(kind, "to");
      if (!r.String(&actor)) return Bad(kind, "actor");
      if (!r.Time(&at)) return Bad(kind, "at");
      if (!r.String(&note)) return Bad(kind, "note");
      if (!r.String(&lead)) return Bad(kind, "lead");
      break;
    case RecordKind::kWatermark:
      if (!r.Time(&watermark)) return Bad(kind, "watermark");
      break;
    case RecordKind::kClock:
      if (!r.Time(&watermark)) return Bad(kind, "watermark");
      // The engine keeps at most 16 pending times; a few more are tolerated.
      if (!r.Varint(&v) || v > 64 || v > in.size()) return Bad(kind, "pending");
      pending.resize(v);
      for (absl::Time& t : pending) {
        if (!r.Time(&t)) return Bad(kind, "pending");
      }
      if (!r.Time(&key_clock)) return Bad(kind, "key_clock");
      break;
    case RecordKind::kKey: {
      uint8_t b;
      if (!GetKey(r, &key)) return Bad(kind, "key");
      if (!r.Byte(&b) || b > 1) return Bad(kind, "folded");
      folded = b == 1;
      if (!r.Varint(&v) || v == 0 || v > (uint64_t{1} << 62))
        return Bad(kind, "report_count");
      report_count = static_cast<int64_t>(v);
      if (!r.Time(&received_at)) return Bad(kind, "received_at");
      has_key = true;
      break;
    }
  }
  if (version == kCaseRecordVersion2 &&
      (kind == RecordKind::kNewCase || kind == RecordKind::kFold)) {
    if (!GetKey(r, &key)) return Bad(kind, "key");
    if (!r.Time(&received_at)) return Bad(kind, "received_at");
    has_key = true;
  }
  if (!r.Done()) {
    return absl::DataLossError(absl::StrCat(
        "case record (", RecordKindName(kind), "): trailing bytes"));
  }
  return absl::OkStatus();
}

}  // namespace gridroute
