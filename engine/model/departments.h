// Copyright 2026 gridroute authors.
//
// The city's departments (the dispatch catalogue's addressees).
//
//   ASSIGN_OR_RETURN(Departments d, Departments::Load("pack/departments.csv"));
//   int32_t i = d.Find("D0107");
//
// Thread-safety: immutable after Load(); safe to share.
#ifndef GRIDROUTE_MODEL_DEPARTMENTS_H_
#define GRIDROUTE_MODEL_DEPARTMENTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/csv.h"

namespace gridroute {

struct Department {
  std::string code, name, kind, channel;
  int32_t parent = -1;
};

class Departments {
 public:
  // Errors (all, each with file:line and code): empty or duplicate code,
  // unknown parent, a cycle of parents.
  static absl::StatusOr<Departments> Load(const std::string& path,
                                          const CsvFileOptions& file = {});

  int32_t size() const { return static_cast<int32_t>(list_.size()); }
  const Department& at(int32_t i) const { return list_[i]; }
  // Index of `code`, or -1.
  int32_t Find(absl::string_view code) const;

 private:
  friend struct SnapCodec;  // snapshot/snap_codec.h: the compiled snapshot file
  std::vector<Department> list_;
  absl::flat_hash_map<std::string, int32_t> by_code_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_MODEL_DEPARTMENTS_H_
