// Copyright 2026 gridroute authors.
#include "http/internal/fast_json_tables.h"

#include <algorithm>
#include <memory>
#include <mutex>

namespace gridroute::fast_json_internal {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

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

}  // namespace

const MessageInfo& GetMessageInfo(const Descriptor* d) {
  static InfoCache* cache = new InfoCache();
  return *cache->Get(d);
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

}  // namespace gridroute::fast_json_internal
