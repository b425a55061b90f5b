// Copyright 2026 gridroute authors.
//
// Collects the problems a load finds, keeping the first `max` lines and
// counting the rest, so one bad file reports many errors at once without an
// unbounded message:
//
//   ErrorList errors(50);
//   errors.Add(absl::StrCat(path, ":", line, ": role 'boss' is not ..."));
//   if (!errors.empty()) return errors.ToStatus("pack city/");
//
// The message ends with "... and N more" when lines were dropped.
#ifndef GRIDROUTE_COMMON_ERROR_LIST_H_
#define GRIDROUTE_COMMON_ERROR_LIST_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace gridroute {

class ErrorList {
 public:
  explicit ErrorList(int max) : max_(max) {}
  void Add(std::string e) {
    if (static_cast<int>(lines_.size()) < max_) lines_.push_back(std::move(e));
    ++count_;
  }
  bool empty() const { return count_ == 0; }
  int64_t count() const { return count_; }
  // The kept lines joined by newlines, then "... and N more" if any were
  // dropped.
  std::string Lines() const {
    std::string msg = absl::StrJoin(lines_, "\n");
    if (count_ > static_cast<int64_t>(lines_.size())) {
      absl::StrAppend(&msg, "\n... and ", count_ - static_cast<int64_t>(lines_.size()),
                      " more");
    }
    return msg;
  }
  // InvalidArgument "<what>: N error(s)" followed by Lines().
  absl::Status ToStatus(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": ", count_, " error(s)\n", Lines()));
  }

 private:
  int max_;
  int64_t count_ = 0;
  std::vector<std::string> lines_;
};

}  // namespace gridroute

#endif  // GRIDROUTE_COMMON_ERROR_LIST_H_
