// Copyright 2026 gridroute authors.
//
// FastMessageToJson (http/fast_json.h): protobuf 3.21's JSON bytes from
// Reflection over the tables of internal/fast_json_tables.h.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/escaping.h"
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
using fast_json_internal::CivilFromDays;
using fast_json_internal::DecodeUtf8;
using fast_json_internal::kMaxTimestampSeconds;
using fast_json_internal::kMinTimestampSeconds;

// ---------------------------------------------------------------------------
// Escaping (protobuf 3.21 util/internal/json_escaping.cc).

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

}  // namespace

bool FastMessageToJson(const Message& msg, const google::protobuf::util::JsonPrintOptions& options,
                       std::string* out) {
  if (options.add_whitespace || options.always_print_primitive_fields) return false;
  const MessageInfo* info = &fast_json_internal::GetMessageInfo(msg.GetDescriptor());
  Printer printer(options, out);
  return printer.PrintMessage(msg, *info, 0);
}

}  // namespace gridroute
