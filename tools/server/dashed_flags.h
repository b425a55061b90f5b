// Copyright 2026 gridroute authors.
//
// Lets the server tools take flags spelled with dashes (--max-batch) as the
// docs write them; absl wants underscores (--max_batch).
//
//   std::vector<char*> args = gridroute::DashedFlags(argc, argv, &storage);
//   absl::ParseCommandLine(static_cast<int>(args.size()), args.data());
#ifndef GRIDROUTE_TOOLS_SERVER_DASHED_FLAGS_H_
#define GRIDROUTE_TOOLS_SERVER_DASHED_FLAGS_H_

#include <string>
#include <vector>

namespace gridroute {

inline std::vector<char*> DashedFlags(int argc, char** argv, std::vector<std::string>* storage) {
  storage->assign(argv, argv + argc);
  std::vector<char*> out;
  for (std::string& a : *storage) {
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
      for (size_t k = 2; k < a.size() && a[k] != '='; ++k) {
        if (a[k] == '-') a[k] = '_';
      }
    }
    out.push_back(a.data());
  }
  return out;
}

}  // namespace gridroute

#endif  // GRIDROUTE_TOOLS_SERVER_DASHED_FLAGS_H_
