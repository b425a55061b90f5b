// Copyright 2026 gridroute authors.
//
// Event and component categories (CJ/T 214 lineage or a city's own list):
// codes are data, loaded per pack, never compiled in.
//
//   ASSIGN_OR_RETURN(Categories c, Categories::Load("pack/categories.csv"));
//   int32_t garbage = c.Find(CategoryType::kEvent, "0102");
//   bool ok = c.at(garbage).AllowsUrgency(c.FindUrgency("urgent"));
//
// Thread-safety: immutable after Load(); safe to share.
#ifndef GRIDROUTE_MODEL_CATEGORIES_H_
#define GRIDROUTE_MODEL_CATEGORIES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/csv.h"

namespace gridroute {

enum class CategoryType : uint8_t { kEvent = 0, kComponent = 1 };
const char* CategoryTypeName(CategoryType t);  // "event" / "component"
// Parses "event" / "component"; false otherwise.
bool ParseCategoryType(absl::string_view s, CategoryType* out);

inline constexpr int kMaxUrgencies = 16;

struct Category {
  CategoryType type = CategoryType::kEvent;
  std::string code, name, major, standard, specialty;
  uint32_t urgency_mask = 0;  // bit u: urgency u (Categories::urgency()) allowed
  int32_t specialty_id = -1;  // index into Categories::specialties(), -1 if none
  bool AllowsUrgency(int32_t u) const { return u >= 0 && (urgency_mask >> u) & 1; }
};

class Categories {
 public:
  // Errors: unknown type, empty or duplicate (type, code), no urgencies, more
  // than kMaxUrgencies distinct urgency names in the pack.
  static absl::StatusOr<Categories> Load(const std::string& path,
                                         const CsvFileOptions& file = {});

  int32_t size() const { return static_cast<int32_t>(list_.size()); }
  const Category& at(int32_t i) const { return list_[i]; }
  int32_t Find(CategoryType type, absl::string_view code) const;
  // Urgency names in order of first appearance; index = urgency id.
  const std::vector<std::string>& urgencies() const { return urgencies_; }
  int32_t FindUrgency(absl::string_view name) const;
  const std::vector<std::string>& specialties() const { return specialties_; }
  int32_t FindSpecialty(absl::string_view name) const;

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  // Codes of up to 7 bytes (all CJ/T 214 codes) packed with their length
  // into one integer: the served path's lookup hashes 8 bytes, not a string.
  static bool ShortKey(absl::string_view code, uint64_t* key);

  std::vector<Category> list_;
  absl::flat_hash_map<std::string, int32_t> by_code_[2];  // per CategoryType
  absl::flat_hash_map<uint64_t, int32_t> by_short_code_[2];
  std::vector<std::string> urgencies_, specialties_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_MODEL_CATEGORIES_H_
