// Copyright 2026 gridroute authors.
#include "journal/journal_env.h"

#include <unistd.h>

namespace gridroute {

ssize_t JournalEnv::Write(int fd, const void* buf, size_t n, off_t offset) {
  return ::pwrite(fd, buf, n, offset);
}

int JournalEnv::Sync(int fd) { return ::fdatasync(fd); }

int JournalEnv::Truncate(int fd, off_t size) { return ::ftruncate(fd, size); }

JournalEnv* JournalEnv::Default() {
  static JournalEnv* env = new JournalEnv();
  return env;
}

}  // namespace gridroute
