// Copyright 2026 gridroute authors.
#include "http/fast_json.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace gridroute {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// ---------------------------------------------------------------------------
// Per-Descriptor tables, built once.

enum class Kind : uint8_t {
  kInt32, kUint32, kInt64, kUint64, kDouble, kFloat, kBool, kEnum, kString, kBytes,
  kMessage, kTimestamp,
  kUnsupported,  // maps, groups, other well-known types: protobuf decides
};

struct MessageInfo;

struct FieldInfo {
  const FieldDescriptor* fd = nullptr;
  Kind kind = Kind::kUnsupported;
  bool repeated = false;
  bool plain_string = false;  // a singular string without presence
  const MessageInfo* child = nullptr;  // kMessage only
  // kEnum only: value names -> numbers (EnumDescriptor::FindValueByName
  // wants a std::string, an allocation for names past 15 bytes).
  absl::flat_hash_map<std::string, int> enum_by_name;
  std::string json_key;                // "\"jsonName\":"
  std::string proto_key;               // "\"proto_name\":"
};

struct MessageInfo {
  // False for messages protobuf prints its own way (well-known types) or
  // that this codec does not model (proto2, extensions).
  bool supported = false;
  std::vector<FieldInfo> fields;  // in field-number order (protobuf's output order)
  // JSON names and proto names -> index in `fields`; a JSON name wins over
  // another field's proto name, as in protobuf's TypeInfo::FindField.
  absl::flat_hash_map<std::string, int> by_name;
};

constexpr char kTimestampName[] = "google.protobuf.Timestamp";

bool IsProtobufOwn(const Descriptor* d) {
  return d->file()->package() == "google.protobuf";
}

Kind KindOf(const FieldDescriptor* f) {
  if (f->is_map()) return Kind::kUnsupported;
  switch (f->type()) {
    case FieldDescriptor::TYPE_INT32:
    case FieldDescriptor::TYPE_SINT32:
    case FieldDescriptor::TYPE_SFIXED32: return Kind::kInt32;
    case FieldDescriptor::TYPE_UINT32:
    case FieldDescriptor::TYPE_FIXED32: return Kind::kUint32;
    case FieldDescriptor::TYPE_INT64:
    case FieldDescriptor::TYPE_SINT64:
    case FieldDescriptor::TYPE_SFIXED64: return Kind::kInt64;
    case FieldDescriptor::TYPE_UINT64:
    case FieldDescriptor::TYPE_FIXED64: return Kind::kUint64;
    case FieldDescriptor::TYPE_DOUBLE: return Kind::kDouble;
    case FieldDescriptor::TYPE_FLOAT: return Kind::kFloat;
    case FieldDescriptor::TYPE_BOOL: return Kind::kBool;
    case FieldDescriptor::TYPE_ENUM: return Kind::kEnum;
    case FieldDescriptor::TYPE_STRING: return Kind::kString;
    case FieldDescriptor::TYPE_BYTES: return Kind::kBytes;
    case FieldDescriptor::TYPE_MESSAGE:
      if (f->message_type()->full_name() == kTimestampName) return Kind::kTimestamp;
      return IsProtobufOwn(f->message_type()) ? Kind::kUnsupported : Kind::kMessage;
    default: return Kind::kUnsupported;  // groups
  }
}

class InfoCache {
 public:
  const MessageInfo* Get(const Descriptor* d) {
    std::lock_guard<std::mutex> lock(mu_);
    return GetLocked(d);
  }

 private:
  // Builds `d`'s table and, through it, every message type it reaches (a
  // recursive type finds its own entry already in the map).
  const MessageInfo* GetLocked(const Descriptor* d) {
    auto it = infos_.find(d);
    if (it != infos_.end()) return it->second.get();
    MessageInfo* info = (infos_[d] = std::make_unique<MessageInfo>()).get();
    if (IsProtobufOwn(d) || d->file()->syntax() != google::protobuf::FileDescriptor::SYNTAX_PROTO3 ||
        d->extension_range_count() > 0) {
      return info;
    }
    info->supported = true;
    std::vector<const FieldDescriptor*> fds;
    for (int i = 0; i < d->field_count(); ++i) fds.push_back(d->field(i));
    std::sort(fds.begin(), fds.end(),
              [](const FieldDescriptor* a, const FieldDescriptor* b) { return a->number() < b->number(); });
    for (const FieldDescriptor* f : fds) {
      FieldInfo fi;
      fi.fd = f;
      fi.kind = KindOf(f);
      fi.repeated = f->is_repeated();
      fi.plain_string = fi.kind == Kind::kString && !fi.repeated && !f->has_presence();
      fi.json_key = "\"" + f->json_name() + "\":";
      fi.proto_key = "\"" + f->name() + "\":";
      if (fi.kind == Kind::kMessage) fi.child = GetLocked(f->message_type());
      if (fi.kind == Kind::kEnum) {
        for (int k = 0; k < f->enum_type()->value_count(); ++k) {
          fi.enum_by_name.emplace(f->enum_type()->value(k)->name(), f->enum_type()->value(k)->number());
        }
      }
      info->fields.push_back(std::move(fi));
    }
    for (size_t i = 0; i < info->fields.size(); ++i) info->by_name[info->fields[i].fd->name()] = i;
    for (size_t i = 0; i < info->fields.size(); ++i) info->by_name[info->fields[i].fd->json_name()] = i;
    return info;
  }

  std::mutex mu_;
  absl::flat_hash_map<const Descriptor*, std::unique_ptr<MessageInfo>> infos_;  // guarded by mu_
};

InfoCache& Cache() {
  static InfoCache* cache = new InfoCache();
  return *cache;
}

// ---------------------------------------------------------------------------
// UTF-8 and escaping (protobuf 3.21 util/internal/json_escaping.cc).

// Decodes one strict UTF-8 sequence at s[i] (no overlong forms, no
// surrogates, at most U+10FFFF). False on anything else.
bool DecodeUtf8(const unsigned char* s, size_t n, size_t i, uint32_t* cp, int* len) {
  const unsigned c = s[i];
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    *len = 2;
    *cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    *len = 3;
    *cp = c & 0x0F;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    *len = 4;
    *cp = c & 0x07;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return false;
  }
  if (i + *len > n) return false;
  for (int k = 1; k < *len; ++k) {
    const unsigned b = s[i + k];
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return false;
    *cp = (*cp << 6) | (b & 0x3F);
  }
  return true;
}

bool ValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  for (size_t i = 0; i < s.size();) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    uint32_t cp;
    int len;
    if (!DecodeUtf8(p, s.size(), i, &cp, &len)) return false;
    i += len;
  }
  return true;
}

constexpr char kHex[] = "0123456789abcdef";

void AppendU(uint32_t unit, std::string* out) {
  const char buf[6] = {'\\', 'u', kHex[(unit >> 12) & 15], kHex[(unit >> 8) & 15],
                       kHex[(unit >> 4) & 15], kHex[unit & 15]};
  out->append(buf, 6);
}

// Appends the escape protobuf writes for ASCII byte `c`, or returns false
// when it copies `c` as is.
bool AppendAsciiEscape(unsigned char c, std::string* out) {
  switch (c) {
    case '\b': out->append("\\b"); return true;
    case '\t': out->append("\\t"); return true;
    case '\n': out->append("\\n"); return true;
    case '\f': out->append("\\f"); return true;
    case '\r': out->append("\\r"); return true;
    case '"': out->append("\\\""); return true;
    case '\\': out->append("\\\\"); return true;
    case '<':
    case '>':
    case 0x7F: AppendU(c, out); return true;
    default:
      if (c < 0x20) {
        AppendU(c, out);
        return true;
      }
      return false;
  }
}

// The code points above U+007F protobuf escapes (EscapeCodePoint).
bool EscapedAsBmp(uint32_t cp) {
  return cp < 0xA0 || cp == 0xAD || (cp >= 0x600 && cp <= 0x603) || cp == 0x6DD || cp == 0x70F ||
         cp == 0x17B4 || cp == 0x17B5 || (cp >= 0x200B && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
         (cp >= 0x206A && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFFF9 && cp <= 0xFFFB);
}
bool EscapedAsPair(uint32_t cp) {
  return cp == 0xE0001 || (cp >= 0x1D173 && cp <= 0x1D17A) || (cp >= 0xE0020 && cp <= 0xE007F);
}

// Bytes copied as they are: printable ASCII but '"', '\\', '<', '>'.
struct PlainTable {
  bool plain[256] = {};
  constexpr PlainTable() {
    for (int c = 0x20; c < 0x7F; ++c) plain[c] = c != '"' && c != '\\' && c != '<' && c != '>';
  }
};
constexpr PlainTable kPlain;

// Appends `s` as a quoted JSON string; false on invalid UTF-8.
bool AppendString(std::string_view s, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  out->push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    if (kPlain.plain[c]) {
      ++i;
      continue;
    }
    if (c < 0x80) {
      out->append(s.data() + start, i - start);
      AppendAsciiEscape(c, out);
      start = ++i;
      continue;
    }
    uint32_t cp;
    int len;
    if (!DecodeUtf8(p, n, i, &cp, &len)) return false;
    if (EscapedAsBmp(cp)) {
      out->append(s.data() + start, i - start);
      AppendU(cp, out);
      start = i + len;
    } else if (EscapedAsPair(cp)) {
      out->append(s.data() + start, i - start);
      AppendU(0xD800 + ((cp - 0x10000) >> 10), out);
      AppendU(0xDC00 + ((cp - 0x10000) & 0x3FF), out);
      start = i + len;
    }
    i += len;
  }
  out->append(s.data() + start, n - start);
  out->push_back('"');
  return true;
}

// ---------------------------------------------------------------------------
// Numbers and times (protobuf 3.21 stubs/strutil.cc, stubs/time.cc).

template <typename T>
void AppendInt(T v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, r.ptr);
}

// SimpleDtoa: "%.15g" when it reads back exactly, else "%.17g" (std::to_chars
// with a precision is specified as printf's %.Ng in the C locale).
void AppendDouble(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof(buf) - 1, v, std::chars_format::general, 15);
  double back = 0;
  auto b = std::from_chars(buf, r.ptr, back);
  if (b.ec != std::errc()) {  // e.g. a subnormal: ask strtod, as protobuf does
    *r.ptr = '\0';
    back = std::strtod(buf, nullptr);
  }
  if (back != v) r = std::to_chars(buf, buf + sizeof(buf) - 1, v, std::chars_format::general, 17);
  out->append(buf, r.ptr);
}

// SimpleFtoa: "%.6g" when strtof reads it back exactly without a range
// error, else "%.9g".
void AppendFloat(float v, std::string* out) {
  if (std::isnan(v) || std::isinf(v)) {
    AppendDouble(v, out);
    return;
  }
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof(buf) - 1, static_cast<double>(v),
                         std::chars_format::general, 6);
  *r.ptr = '\0';
  char* end = nullptr;
  errno = 0;
  const float back = std::strtof(buf, &end);
  if (*end != '\0' || errno != 0 || back != v) {
    r = std::to_chars(buf, buf + sizeof(buf) - 1, static_cast<double>(v),
                      std::chars_format::general, 9);
  }
  out->append(buf, r.ptr);
}

constexpr int64_t kMinTimestampSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxTimestampSeconds = 253402300799;  // 9999-12-31T23:59:59Z

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil), and back.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(static_cast<int64_t>(yoe) + era * 400 + (*m <= 2));
}

void AppendDigits(int64_t v, int width, std::string* out) {
  char buf[12];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out->append(buf, width);
}

// FormatTime: "YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]Z", quoted. False
// where protobuf fails the whole print (out of range).
bool AppendTimestamp(int64_t seconds, int32_t nanos, std::string* out) {
  if (seconds < kMinTimestampSeconds || seconds > kMaxTimestampSeconds || nanos < 0 ||
      nanos > 999999999) {
    return false;
  }
  int64_t days = seconds / 86400;
  int64_t sod = seconds % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  int y, m, d;
  CivilFromDays(days, &y, &m, &d);
  out->push_back('"');
  AppendDigits(y, 4, out);
  out->push_back('-');
  AppendDigits(m, 2, out);
  out->push_back('-');
  AppendDigits(d, 2, out);
  out->push_back('T');
  AppendDigits(sod / 3600, 2, out);
  out->push_back(':');
  AppendDigits(sod / 60 % 60, 2, out);
  out->push_back(':');
  AppendDigits(sod % 60, 2, out);
  if (nanos != 0) {
    out->push_back('.');
    if (nanos % 1000000 == 0) {
      AppendDigits(nanos / 1000000, 3, out);
    } else if (nanos % 1000 == 0) {
      AppendDigits(nanos / 1000, 6, out);
    } else {
      AppendDigits(nanos, 9, out);
    }
  }
  out->append("Z\"");
  return true;
}

// ---------------------------------------------------------------------------
// Printer.

class Printer {
 public:
  Printer(const google::protobuf::util::JsonPrintOptions& o, std::string* out)
      : proto_names_(o.preserve_proto_field_names), enum_ints_(o.always_print_enums_as_ints), out_(out) {}

  bool PrintMessage(const Message& m, const MessageInfo& info, int depth) {
    if (!info.supported || depth > kMaxFastJsonDepth) return false;
    const Reflection* r = m.GetReflection();
    out_->push_back('{');
    bool first = true;
    for (const FieldInfo& f : info.fields) {
      if (f.plain_string) {
        // No presence: printed when non-empty. One reflection call instead
        // of HasField + GetStringReference (half the printer's time went
        // to reflection, BM_FastJsonPrintRouteResponse).
        const std::string& v = r->GetStringReference(m, f.fd, &scratch_);
        if (v.empty()) continue;
        if (!first) out_->push_back(',');
        first = false;
        out_->append(proto_names_ ? f.proto_key : f.json_key);
        if (!AppendString(v, out_)) return false;
        continue;
      }
      const int n = f.repeated ? r->FieldSize(m, f.fd) : 0;
      if (f.repeated ? n == 0 : !r->HasField(m, f.fd)) continue;
      if (f.kind == Kind::kUnsupported) return false;
      if (!first) out_->push_back(',');
      first = false;
      out_->append(proto_names_ ? f.proto_key : f.json_key);
      if (!f.repeated) {
        if (!PrintSingular(m, r, f, depth)) return false;
        continue;
      }
      out_->push_back('[');
      for (int i = 0; i < n; ++i) {
        if (i > 0) out_->push_back(',');
        if (!PrintElement(m, r, f, i, depth)) return false;
      }
      out_->push_back(']');
    }
    out_->push_back('}');
    return true;
  }

 private:
  void PrintEnum(const FieldInfo& f, int number) {
    const EnumValueDescriptor* v = enum_ints_ ? nullptr : f.fd->enum_type()->FindValueByNumber(number);
    if (v == nullptr) {
      AppendInt(number, out_);
      return;
    }
    out_->push_back('"');
    out_->append(v->name());
    out_->push_back('"');
  }

  bool PrintTimestamp(const Message& ts) {
    const Descriptor* d = ts.GetDescriptor();
    const FieldDescriptor* s = d->FindFieldByNumber(1);
    const FieldDescriptor* n = d->FindFieldByNumber(2);
    if (s == nullptr || n == nullptr) return false;
    const Reflection* r = ts.GetReflection();
    return AppendTimestamp(r->GetInt64(ts, s), r->GetInt32(ts, n), out_);
  }

  bool PrintSingular(const Message& m, const Reflection* r, const FieldInfo& f, int depth) {
    switch (f.kind) {
      case Kind::kInt32: AppendInt(r->GetInt32(m, f.fd), out_); return true;
      case Kind::kUint32: AppendInt(r->GetUInt32(m, f.fd), out_); return true;
      case Kind::kInt64: Quoted(r->GetInt64(m, f.fd)); return true;
      case Kind::kUint64: Quoted(r->GetUInt64(m, f.fd)); return true;
      case Kind::kDouble: AppendDouble(r->GetDouble(m, f.fd), out_); return true;
      case Kind::kFloat: AppendFloat(r->GetFloat(m, f.fd), out_); return true;
      case Kind::kBool: out_->append(r->GetBool(m, f.fd) ? "true" : "false"); return true;
      case Kind::kEnum: PrintEnum(f, r->GetEnumValue(m, f.fd)); return true;
      case Kind::kString: return AppendString(r->GetStringReference(m, f.fd, &scratch_), out_);
      case Kind::kBytes: Bytes(r->GetStringReference(m, f.fd, &scratch_)); return true;
      case Kind::kMessage: return PrintMessage(r->GetMessage(m, f.fd), *f.child, depth + 1);
      case Kind::kTimestamp: return PrintTimestamp(r->GetMessage(m, f.fd));
      case Kind::kUnsupported: return false;
    }
    return false;
  }

  bool PrintElement(const Message& m, const Reflection* r, const FieldInfo& f, int i, int depth) {
    switch (f.kind) {
      case Kind::kInt32: AppendInt(r->GetRepeatedInt32(m, f.fd, i), out_); return true;
      case Kind::kUint32: AppendInt(r->GetRepeatedUInt32(m, f.fd, i), out_); return true;
      case Kind::kInt64: Quoted(r->GetRepeatedInt64(m, f.fd, i)); return true;
      case Kind::kUint64: Quoted(r->GetRepeatedUInt64(m, f.fd, i)); return true;
      case Kind::kDouble: AppendDouble(r->GetRepeatedDouble(m, f.fd, i), out_); return true;
      case Kind::kFloat: AppendFloat(r->GetRepeatedFloat(m, f.fd, i), out_); return true;
      case Kind::kBool: out_->append(r->GetRepeatedBool(m, f.fd, i) ? "true" : "false"); return true;
      case Kind::kEnum: PrintEnum(f, r->GetRepeatedEnumValue(m, f.fd, i)); return true;
      case Kind::kString:
        return AppendString(r->GetRepeatedStringReference(m, f.fd, i, &scratch_), out_);
      case Kind::kBytes: Bytes(r->GetRepeatedStringReference(m, f.fd, i, &scratch_)); return true;
      case Kind::kMessage: return PrintMessage(r->GetRepeatedMessage(m, f.fd, i), *f.child, depth + 1);
      case Kind::kTimestamp: return PrintTimestamp(r->GetRepeatedMessage(m, f.fd, i));
      case Kind::kUnsupported: return false;
    }
    return false;
  }

  template <typename T>
  void Quoted(T v) {
    out_->push_back('"');
    AppendInt(v, out_);
    out_->push_back('"');
  }

  void Bytes(const std::string& v) {
    out_->push_back('"');
    out_->append(absl::Base64Escape(v));
    out_->push_back('"');
  }

  const bool proto_names_;
  const bool enum_ints_;
  std::string* const out_;
  std::string scratch_;
};

// ---------------------------------------------------------------------------
// Parser.

class Parser {
 public:
  explicit Parser(std::string_view json) : p_(json.data()), end_(json.data() + json.size()) {}

  bool ParseRoot(Message* m, const MessageInfo& info) {
    SkipWs();
    if (!ParseObject(m, info, 0)) return false;
    SkipWs();
    return p_ == end_;
  }

 private:
  void SkipWs() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool Consume(char c) {
    SkipWs();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool Peek(char c) {
    SkipWs();
    return p_ < end_ && *p_ == c;
  }
  bool ConsumeWord(std::string_view w) {
    if (static_cast<size_t>(end_ - p_) < w.size() || std::string_view(p_, w.size()) != w) return false;
    p_ += w.size();
    return true;
  }

  // A string without escapes or control characters (keys, enum names,
  // numbers and times in quotes), returned without its quotes.
  bool ParseRawString(std::string_view* s) {
    if (!Consume('"')) return false;
    const char* start = p_;
    while (p_ < end_ && *p_ != '"') {
      if (*p_ == '\\' || static_cast<unsigned char>(*p_) < 0x20) return false;
      ++p_;
    }
    if (p_ == end_) return false;
    *s = std::string_view(start, p_ - start);
    ++p_;
    return true;
  }

  bool ParseHex4(uint32_t* unit) {
    if (end_ - p_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = p_[i];
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else return false;
      v = v * 16 + d;
    }
    p_ += 4;
    *unit = v;
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // One escape after the backslash.
  bool ParseEscape(std::string* out) {
    if (p_ == end_) return false;
    const char c = *p_++;
    switch (c) {
      case '"': out->push_back('"'); return true;
      case '\\': out->push_back('\\'); return true;
      case '/': out->push_back('/'); return true;
      case 'b': out->push_back('\b'); return true;
      case 'f': out->push_back('\f'); return true;
      case 'n': out->push_back('\n'); return true;
      case 'r': out->push_back('\r'); return true;
      case 't': out->push_back('\t'); return true;
      case 'u': break;
      default: return false;
    }
    uint32_t cp;
    if (!ParseHex4(&cp)) return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // lone low surrogate
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      uint32_t low;
      if (!ConsumeWord("\\u") || !ParseHex4(&low) || low < 0xDC00 || low > 0xDFFF) return false;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(cp, out);
    return true;
  }

  // A JSON string with escapes; the result must be valid UTF-8.
  bool ParseString(std::string* out) {
    if (!Consume('"')) return false;
    out->clear();
    const char* run = p_;
    while (true) {
      if (p_ == end_) return false;
      const unsigned char c = static_cast<unsigned char>(*p_);
      if (c == '"') break;
      if (c < 0x20) return false;
      if (c != '\\') {
        ++p_;
        continue;
      }
      out->append(run, p_ - run);
      ++p_;
      if (!ParseEscape(out)) return false;
      run = p_;
    }
    out->append(run, p_ - run);
    ++p_;
    return ValidUtf8(*out);
  }

  // A number token in strict JSON grammar; `integral` when it has no
  // fraction or exponent.
  bool ParseNumberToken(std::string_view* tok, bool* integral) {
    SkipWs();
    const char* s = p_;
    const char* q = p_;
    if (q < end_ && *q == '-') ++q;
    if (q == end_ || *q < '0' || *q > '9') return false;
    if (*q == '0') {
      ++q;
      if (q < end_ && *q >= '0' && *q <= '9') return false;  // leading zero
    } else {
      while (q < end_ && *q >= '0' && *q <= '9') ++q;
    }
    *integral = true;
    if (q < end_ && *q == '.') {
      *integral = false;
      ++q;
      if (q == end_ || *q < '0' || *q > '9') return false;
      while (q < end_ && *q >= '0' && *q <= '9') ++q;
    }
    if (q < end_ && (*q == 'e' || *q == 'E')) {
      *integral = false;
      ++q;
      if (q < end_ && (*q == '+' || *q == '-')) ++q;
      if (q == end_ || *q < '0' || *q > '9') return false;
      while (q < end_ && *q >= '0' && *q <= '9') ++q;
    }
    // protobuf's scanner would take these as part of the number.
    if (q < end_ && (*q == '+' || *q == '-' || *q == 'x' || *q == '.' || *q == 'e' || *q == 'E')) {
      return false;
    }
    *tok = std::string_view(s, q - s);
    p_ = q;
    return true;
  }

  // An integer as a canonical decimal literal, bare or quoted ("-0" and
  // leading zeros refused).
  template <typename T>
  bool ParseInteger(T* v) {
    std::string_view tok;
    if (Peek('"')) {
      if (!ParseRawString(&tok)) return false;
    } else {
      bool integral;
      if (!ParseNumberToken(&tok, &integral) || !integral) return false;
    }
    if (tok.empty() || tok == "-0") return false;
    const size_t digits = tok[0] == '-' ? 1 : 0;
    if (tok.size() == digits || (tok[digits] == '0' && tok.size() > digits + 1)) return false;
    for (size_t i = digits; i < tok.size(); ++i) {
      if (tok[i] < '0' || tok[i] > '9') return false;
    }
    auto r = std::from_chars(tok.data(), tok.data() + tok.size(), *v);
    return r.ec == std::errc() && r.ptr == tok.data() + tok.size();
  }

  bool ParseDouble(double* v) {
    std::string_view tok;
    bool integral;
    if (!ParseNumberToken(&tok, &integral)) return false;
    if (integral) {
      // protobuf reads it as an integer and converts it exactly: keep to
      // what a double holds exactly, and to +0.
      const size_t sign = tok[0] == '-' ? 1 : 0;
      if (tok.size() - sign > 15 || tok == "-0") return false;
      int64_t i = 0;
      std::from_chars(tok.data(), tok.data() + tok.size(), i);
      *v = static_cast<double>(i);
      return true;
    }
    auto r = std::from_chars(tok.data(), tok.data() + tok.size(), *v);
    return r.ec == std::errc() && r.ptr == tok.data() + tok.size() && std::isfinite(*v);
  }

  bool ParseBool(bool* v) {
    SkipWs();
    if (ConsumeWord("true")) {
      *v = true;
      return true;
    }
    if (ConsumeWord("false")) {
      *v = false;
      return true;
    }
    return false;
  }

  bool ParseEnum(const FieldInfo& f, int* number) {
    std::string_view name;
    if (!ParseRawString(&name)) return false;
    auto it = f.enum_by_name.find(absl::string_view(name.data(), name.size()));
    if (it == f.enum_by_name.end()) return false;
    *number = it->second;
    return true;
  }

  static bool ParseFixedDigits(std::string_view s, size_t at, size_t n, int* v) {
    if (at + n > s.size()) return false;
    *v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      *v = *v * 10 + (s[i] - '0');
    }
    return true;
  }

  // "YYYY-MM-DDTHH:MM:SS[.1-9 digits]Z" (protobuf's ParseTime, 'Z' only).
  bool ParseTimestamp(Message* ts) {
    std::string_view s;
    if (!ParseRawString(&s)) return false;
    int y, mo, d, h, mi, se;
    if (s.size() < 20 || !ParseFixedDigits(s, 0, 4, &y) || s[4] != '-' ||
        !ParseFixedDigits(s, 5, 2, &mo) || s[7] != '-' || !ParseFixedDigits(s, 8, 2, &d) ||
        s[10] != 'T' || !ParseFixedDigits(s, 11, 2, &h) || s[13] != ':' ||
        !ParseFixedDigits(s, 14, 2, &mi) || s[16] != ':' || !ParseFixedDigits(s, 17, 2, &se)) {
      return false;
    }
    static constexpr int kDays[] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > kDays[mo] + (mo == 2 && leap) || h > 23 ||
        mi > 59 || se > 59) {
      return false;
    }
    size_t at = 19;
    int32_t nanos = 0;
    if (s[at] == '.') {
      size_t digits = 0;
      for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, ++digits) {
        if (digits < 9) nanos = nanos * 10 + (s[at] - '0');  // more is refused below
      }
      if (digits == 0 || digits > 9) return false;
      for (; digits < 9; ++digits) nanos *= 10;
    }
    if (at + 1 != s.size() || s[at] != 'Z') return false;
    const int64_t seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    const Descriptor* td = ts->GetDescriptor();
    const FieldDescriptor* sf = td->FindFieldByNumber(1);
    const FieldDescriptor* nf = td->FindFieldByNumber(2);
    if (sf == nullptr || nf == nullptr) return false;
    ts->GetReflection()->SetInt64(ts, sf, seconds);
    ts->GetReflection()->SetInt32(ts, nf, nanos);
    return true;
  }

  bool ParseValue(Message* m, const Reflection* r, const FieldInfo& f, int depth);
  bool ParseField(Message* m, const Reflection* r, const FieldInfo& f, int depth);
  bool ParseObject(Message* m, const MessageInfo& info, int depth);

  const char* p_;
  const char* const end_;
  std::string str_;
};

// One value of field `f` (an element when `f` is repeated).
bool Parser::ParseValue(Message* m, const Reflection* r, const FieldInfo& f, int depth) {
  const bool add = f.repeated;
  const FieldDescriptor* fd = f.fd;
  switch (f.kind) {
    case Kind::kInt32: {
      int32_t v;
      if (!ParseInteger(&v)) return false;
      add ? r->AddInt32(m, fd, v) : r->SetInt32(m, fd, v);
      return true;
    }
    case Kind::kUint32: {
      uint32_t v;
      if (!ParseInteger(&v)) return false;
      add ? r->AddUInt32(m, fd, v) : r->SetUInt32(m, fd, v);
      return true;
    }
    case Kind::kInt64: {
      int64_t v;
      if (!ParseInteger(&v)) return false;
      add ? r->AddInt64(m, fd, v) : r->SetInt64(m, fd, v);
      return true;
    }
    case Kind::kUint64: {
      uint64_t v;
      if (!ParseInteger(&v)) return false;
      add ? r->AddUInt64(m, fd, v) : r->SetUInt64(m, fd, v);
      return true;
    }
    case Kind::kDouble: {
      double v;
      if (!ParseDouble(&v)) return false;
      add ? r->AddDouble(m, fd, v) : r->SetDouble(m, fd, v);
      return true;
    }
    case Kind::kBool: {
      bool v;
      if (!ParseBool(&v)) return false;
      add ? r->AddBool(m, fd, v) : r->SetBool(m, fd, v);
      return true;
    }
    case Kind::kEnum: {
      int v;
      if (!ParseEnum(f, &v)) return false;
      add ? r->AddEnumValue(m, fd, v) : r->SetEnumValue(m, fd, v);
      return true;
    }
    case Kind::kString:
      if (!ParseString(&str_)) return false;
      add ? r->AddString(m, fd, str_) : r->SetString(m, fd, str_);
      return true;
    case Kind::kMessage:
      return ParseObject(add ? r->AddMessage(m, fd) : r->MutableMessage(m, fd), *f.child, depth + 1);
    case Kind::kTimestamp:
      return ParseTimestamp(add ? r->AddMessage(m, fd) : r->MutableMessage(m, fd));
    default:  // float (protobuf's range checks), bytes (its base64 dialects), maps...
      return false;
  }
}

bool Parser::ParseField(Message* m, const Reflection* r, const FieldInfo& f, int depth) {
  if (!f.repeated) return ParseValue(m, r, f, depth);
  if (depth + 1 > kMaxFastJsonDepth || !Consume('[')) return false;
  if (Consume(']')) return true;
  do {
    if (!ParseValue(m, r, f, depth + 1)) return false;
  } while (Consume(','));
  return Consume(']');
}

bool Parser::ParseObject(Message* m, const MessageInfo& info, int depth) {
  if (!info.supported || depth > kMaxFastJsonDepth || !Consume('{')) return false;
  if (Consume('}')) return true;
  const Reflection* r = m->GetReflection();
  // Fields seen in this object (a key twice, or under both of its names,
  // is protobuf's business: it merges messages and may refuse).
  // A bit mask for up to 64 fields (no allocation), a vector past that.
  uint64_t seen_mask = 0;
  std::vector<bool> seen_more(info.fields.size() > 64 ? info.fields.size() : 0);
  do {
    std::string_view key;
    if (!ParseRawString(&key) || !Consume(':')) return false;
    auto it = info.by_name.find(absl::string_view(key.data(), key.size()));
    if (it == info.by_name.end()) return false;
    const int index = it->second;
    if (index < 64) {
      if (seen_mask & (uint64_t{1} << index)) return false;
      seen_mask |= uint64_t{1} << index;
    } else {
      if (seen_more[index]) return false;
      seen_more[index] = true;
    }
    const FieldInfo& f = info.fields[index];
    // A second member of a oneof: protobuf refuses it.
    const google::protobuf::OneofDescriptor* oneof = f.fd->real_containing_oneof();
    if (oneof != nullptr && r->HasOneof(*m, oneof)) return false;
    SkipWs();
    if (!ParseField(m, r, f, depth)) return false;
  } while (Consume(','));
  return Consume('}');
}

}  // namespace

bool FastMessageToJson(const Message& msg, const google::protobuf::util::JsonPrintOptions& options,
                       std::string* out) {
  if (options.add_whitespace || options.always_print_primitive_fields) return false;
  const MessageInfo* info = Cache().Get(msg.GetDescriptor());
  Printer printer(options, out);
  return printer.PrintMessage(msg, *info, 0);
}

bool FastJsonToMessage(std::string_view json, Message* msg) {
  msg->Clear();
  if (json.size() > kMaxFastJsonBytes) return false;
  const MessageInfo* info = Cache().Get(msg->GetDescriptor());
  Parser parser(json);
  if (parser.ParseRoot(msg, *info)) return true;
  msg->Clear();
  return false;
}

}  // namespace gridroute
