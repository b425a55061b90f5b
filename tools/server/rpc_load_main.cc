// Copyright 2026 gridroute authors.
//
// gridroute-rpcload: the old name of gridroute-load (tools/load/), kept as an
// alias. It runs the gridroute-load binary beside it with the same arguments;
// every flag gridroute-rpcload took (--server, --points, --category, --mode,
// --concurrency, --rate, --duration-s, --channels, --batch, --streams,
// --window) means the same there.
//
//   gridroute-rpcload --server 127.0.0.1:9090 --points
//   data/sample-city/points.csv
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  char self[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) {
    std::fprintf(stderr, "gridroute-rpcload: cannot find my own path: %s\n",
                 std::strerror(errno));
    return 2;
  }
  self[n] = '\0';
  std::string path(self);
  path = path.substr(0, path.rfind('/') + 1) + "gridroute-load";
  argv[0] = const_cast<char*>("gridroute-load");
  execv(path.c_str(), argv);
  std::fprintf(stderr, "gridroute-rpcload: cannot run %s: %s\n", path.c_str(),
               std::strerror(errno));
  return 2;
}
