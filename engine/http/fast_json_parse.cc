// Copyright 2026 gridroute authors.
//
// FastJsonToMessage (http/fast_json.h): the strict subset of JSON it is sure
// protobuf 3.21's JsonStringToMessage reads the same way.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "http/fast_json.h"
#include "http/internal/fast_json_tables.h"

namespace gridroute {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using fast_json_internal::FieldInfo;
using fast_json_internal::Kind;
using fast_json_internal::MessageInfo;
using fast_json_internal::DaysFromCivil;
using fast_json_internal::ValidUtf8;

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

bool FastJsonToMessage(std::string_view json, Message* msg) {
  msg->Clear();
  if (json.size() > kMaxFastJsonBytes) return false;
  const MessageInfo* info = &fast_json_internal::GetMessageInfo(msg->GetDescriptor());
  Parser parser(json);
  if (parser.ParseRoot(msg, *info)) return true;
  msg->Clear();
  return false;
}

}  // namespace gridroute
