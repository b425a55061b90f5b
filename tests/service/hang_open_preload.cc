// Copyright 2026 gridroute authors.
//
// LD_PRELOAD shim for tests/service/reload_hang_test.cc: an open() of a path
// ending in $GRIDROUTE_TEST_HANG_OPEN never returns, as on a hung network
// file system (the one kind of hang a regular file can still cause). Just
// before blocking it creates the file $GRIDROUTE_TEST_HANG_MARK, so the test
// knows, without waiting for any duration, that the load is stuck.
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdlib>
#include <cstring>

namespace {

using OpenFn = int (*)(const char*, int, ...);

OpenFn Real(const char* name) { return reinterpret_cast<OpenFn>(dlsym(RTLD_NEXT, name)); }

bool Matches(const char* path) {
  const char* suffix = std::getenv("GRIDROUTE_TEST_HANG_OPEN");
  if (suffix == nullptr || *suffix == '\0' || path == nullptr) return false;
  const size_t n = std::strlen(path), m = std::strlen(suffix);
  return n >= m && std::strcmp(path + n - m, suffix) == 0;
}

[[noreturn]] void Hang() {
  if (const char* mark = std::getenv("GRIDROUTE_TEST_HANG_MARK")) {
    const int fd = Real("open")(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
  }
  for (;;) pause();  // the process's exit ends it
}

mode_t ModeOf(int flags, va_list ap) {
  return (flags & (O_CREAT | O_TMPFILE)) != 0 ? static_cast<mode_t>(va_arg(ap, int)) : 0;
}

}  // namespace

extern "C" int open(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = ModeOf(flags, ap);
  va_end(ap);
  if (Matches(path)) Hang();
  static const OpenFn real = Real("open");
  return real(path, flags, mode);
}

extern "C" int open64(const char* path, int flags, ...) {
  va_list ap;
  va_start(ap, flags);
  const mode_t mode = ModeOf(flags, ap);
  va_end(ap);
  if (Matches(path)) Hang();
  static const OpenFn real = Real("open64");
  return real(path, flags, mode);
}
