// Copyright 2026 gridroute authors.
//
// RETURN_IF_ERROR / ASSIGN_OR_RETURN for absl::Status and absl::StatusOr.
// Debian's Abseil 20220623 ships neither, so they are written once here.
//
//   absl::StatusOr<Pack> Load(const std::string& dir) {
//     ASSIGN_OR_RETURN(std::string text, ReadFile(dir + "/manifest.json"));
//     RETURN_IF_ERROR(Validate(text));
//     ...
//   }
#ifndef GRIDROUTE_COMMON_STATUS_MACROS_H_
#define GRIDROUTE_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define GRIDROUTE_CONCAT_INNER(a, b) a##b
#define GRIDROUTE_CONCAT(a, b) GRIDROUTE_CONCAT_INNER(a, b)

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function if it is not OK.
#define RETURN_IF_ERROR(expr)                                   \
  do {                                                          \
    ::absl::Status gridroute_status_ = (expr);                  \
    if (!gridroute_status_.ok()) return gridroute_status_;      \
  } while (0)

// `lhs` is a declaration or an assignable expression; `rexpr` yields an
// absl::StatusOr<T>. On error returns the status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  GRIDROUTE_ASSIGN_OR_RETURN_IMPL(GRIDROUTE_CONCAT(gridroute_sor_, __LINE__), lhs, rexpr)

#define GRIDROUTE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                    \
  if (!tmp.ok()) return std::move(tmp).status();         \
  lhs = std::move(tmp).value()

#endif  // GRIDROUTE_COMMON_STATUS_MACROS_H_
