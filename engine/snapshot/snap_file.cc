// Copyright 2026 gridroute authors.
#include "snapshot/snap_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/crc32c.h"
#include "common/status_macros.h"

namespace gridroute {

namespace {

// Header field offsets (SNAPSHOT_FORMAT.md, "Header").
constexpr size_t kVersionAt = 8, kCountAt = 12, kTableAt = 16, kInfoAt = 24,
                 kInfoLengthAt = 32, kFileLengthAt = 40, kTableCrcAt = 48,
                 kInfoCrcAt = 52, kHeaderCrcAt = 60;

uint64_t Align64(uint64_t v) { return (v + 63) / 64 * 64; }

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
void Store(std::string& s, size_t at, T v) {
  std::memcpy(s.data() + at, &v, sizeof(T));
}

std::string Errno(const std::string& path, const char* what) {
  return absl::StrCat(path, ": cannot ", what, ": ", std::strerror(errno));
}

absl::Status WriteAll(int fd, const std::string& path, const char* p,
                      size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return absl::InternalError(Errno(path, "write"));
    p += w;
    n -= static_cast<size_t>(w);
  }
  return absl::OkStatus();
}

// A file's modification time in nanoseconds.
int64_t MtimeNs(const struct stat& st) {
  return int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
}

}  // namespace

std::string SnapSectionName(uint32_t id) {
  static const char* const kNames[] = {
      nullptr, "meta",       "manifest",   "hierarchy",   "geometry",   "codes",
      "names", "grid_boxes", "cell_index", "departments", "categories", "rules",
      "teams", "components", "layers",     "calendar",    "grid_routes",
      "folding"};
  if (id >= 1 && id < sizeof(kNames) / sizeof(kNames[0])) return kNames[id];
  return absl::StrCat("section ", id);
}

bool ParseVerifyMode(const std::string& text, VerifyMode* mode) {
  if (text == "full") {
    *mode = VerifyMode::kFull;
  } else if (text == "lazy") {
    *mode = VerifyMode::kLazy;
  } else {
    return false;
  }
  return true;
}

absl::Status WriteSnapFile(
    const std::string& path, const SnapInfo& info,
    const std::vector<std::pair<SnapSection, std::string>>& sections) {
  SnapWriter iw;
  iw.PutString(info.pack_name);
  iw.PutString(info.pack_version);
  iw.PutString(info.manifest_sha256);
  iw.PutString(info.build_info);
  const std::string& info_bytes = iw.bytes();
  const uint64_t table_offset = Align64(kSnapHeaderBytes + info_bytes.size());
  std::string table(sections.size() * kSnapTableEntryBytes, '\0');
  uint64_t offset = Align64(table_offset + table.size());
  for (size_t i = 0; i < sections.size(); ++i) {
    const std::string& b = sections[i].second;
    const size_t at = i * kSnapTableEntryBytes;
    Store<uint32_t>(table, at, static_cast<uint32_t>(sections[i].first));
    Store<uint64_t>(table, at + 8, offset);
    Store<uint64_t>(table, at + 16, b.size());
    Store<uint32_t>(table, at + 24, Crc32c(b.data(), b.size()));
    offset = Align64(offset + b.size());
  }
  const uint64_t file_length = offset;
  std::string header(kSnapHeaderBytes, '\0');
  std::memcpy(header.data(), kSnapMagic, sizeof(kSnapMagic));
  Store<uint32_t>(header, kVersionAt, kSnapFormatVersion);
  Store<uint32_t>(header, kCountAt, static_cast<uint32_t>(sections.size()));
  Store<uint64_t>(header, kTableAt, table_offset);
  Store<uint64_t>(header, kInfoAt, kSnapHeaderBytes);
  Store<uint64_t>(header, kInfoLengthAt, info_bytes.size());
  Store<uint64_t>(header, kFileLengthAt, file_length);
  Store<uint32_t>(header, kTableCrcAt, Crc32c(table.data(), table.size()));
  Store<uint32_t>(header, kInfoCrcAt,
                  Crc32c(info_bytes.data(), info_bytes.size()));
  Store<uint32_t>(header, kHeaderCrcAt, Crc32c(header.data(), kHeaderCrcAt));

  const std::string tmp = path + ".tmp";
  const int fd =
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return absl::FailedPreconditionError(Errno(tmp, "create"));
  const std::string zeros(64, '\0');
  uint64_t at = 0;
  auto put = [&](const std::string& b, uint64_t where) -> absl::Status {
    RETURN_IF_ERROR(WriteAll(fd, tmp, zeros.data(), where - at));
    RETURN_IF_ERROR(WriteAll(fd, tmp, b.data(), b.size()));
    at = where + b.size();
    return absl::OkStatus();
  };
  absl::Status st = put(header, 0);
  if (st.ok()) st = put(info_bytes, kSnapHeaderBytes);
  if (st.ok()) st = put(table, table_offset);
  offset = Align64(table_offset + table.size());
  for (size_t i = 0; i < sections.size() && st.ok(); ++i) {
    st = put(sections[i].second, offset);
    offset = Align64(offset + sections[i].second.size());
  }
  if (st.ok()) st = WriteAll(fd, tmp, zeros.data(), file_length - at);
  if (st.ok() && ::fsync(fd) != 0)
    st = absl::InternalError(Errno(tmp, "fsync"));
  ::close(fd);
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = absl::FailedPreconditionError(Errno(path, "rename the new file to"));
  }
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

absl::Status SnapFile::Damaged(const std::string& reason) const {
  return absl::InvalidArgumentError(
      absl::StrCat(path_, ": damaged snapshot file: ", reason));
}

absl::StatusOr<std::shared_ptr<SnapFile>> SnapFile::Open(
    const std::string& path, VerifyMode verify) {
  std::shared_ptr<SnapFile> f(new SnapFile());
  f->path_ = path;
  f->verify_ = verify;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return errno == ENOENT ? absl::NotFoundError(Errno(path, "open"))
                           : absl::FailedPreconditionError(Errno(path, "open"));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": not a regular file; a snapshot file must be one"));
  }
  f->fd_ = fd;  // closed by ~SnapFile
  f->size_ = static_cast<uint64_t>(st.st_size);
  f->mtime_ns_ = MtimeNs(st);
  if (f->size_ > 0) {
    void* m = ::mmap(nullptr, f->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
      return absl::FailedPreconditionError(Errno(path, "mmap"));
    }
    f->data_ = static_cast<const char*>(m);
    // The loader reads every section once, front to back: start reading ahead.
    ::madvise(m, f->size_, MADV_WILLNEED);
  }
  RETURN_IF_ERROR(f->ParseHeader());
  if (verify == VerifyMode::kFull) RETURN_IF_ERROR(f->VerifySections());
  return f;
}

SnapFile::~SnapFile() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), size_);
  if (fd_ >= 0) ::close(fd_);
}

absl::Status SnapFile::CheckUnchanged() const {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return absl::FailedPreconditionError(Errno(path_, "fstat"));
  if (static_cast<uint64_t>(st.st_size) != size_ || MtimeNs(st) != mtime_ns_) {
    return absl::AbortedError(absl::StrCat(
        path_, ": the snapshot file was written while it was being loaded (",
        static_cast<uint64_t>(st.st_size) != size_
            ? absl::StrCat(size_, " bytes at open, ", st.st_size, " now")
            : std::string("modified since open"),
        "); replace a served file by writing a new one and renaming it over the old "
        "(gridroute compile does), then load again"));
  }
  return absl::OkStatus();
}

absl::Status SnapFile::ParseHeader() {
  if (size_ < sizeof(kSnapMagic) ||
      std::memcmp(data_, kSnapMagic, sizeof(kSnapMagic)) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        path_,
        ": not a gridroute snapshot file (no \"GRSNAP\" magic at its start); "
        "a pack is a directory, a compiled snapshot a file written by "
        "gridroute compile"));
  }
  if (size_ < kSnapHeaderBytes) {
    return Damaged(absl::StrCat("truncated: ", size_,
                                " bytes, shorter than the ", kSnapHeaderBytes,
                                "-byte header"));
  }
  const uint32_t version = Load<uint32_t>(data_ + kVersionAt);
  if (version != kSnapFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        path_, ": snapshot format version ", version,
        ", this build reads only version ", kSnapFormatVersion,
        "; compile the pack again with this build's gridroute compile"));
  }
  if (Load<uint32_t>(data_ + kHeaderCrcAt) != Crc32c(data_, kHeaderCrcAt)) {
    return Damaged("the header's checksum does not match");
  }
  const uint64_t file_length = Load<uint64_t>(data_ + kFileLengthAt);
  if (file_length != size_) {
    return Damaged(absl::StrCat("truncated or extended: ", size_,
                                " bytes, the header says ", file_length));
  }
  const uint64_t info_at = Load<uint64_t>(data_ + kInfoAt);
  const uint64_t info_len = Load<uint64_t>(data_ + kInfoLengthAt);
  if (info_at != kSnapHeaderBytes || info_len > kSnapMaxInfoBytes ||
      info_at + info_len > size_) {
    return Damaged("the info block lies outside the file");
  }
  if (Load<uint32_t>(data_ + kInfoCrcAt) != Crc32c(data_ + info_at, info_len)) {
    return Damaged("the info block's checksum does not match");
  }
  SnapReader r(absl::string_view(data_ + info_at, info_len),
               path_ + ": info block");
  r.GetString(&info_.pack_name);
  r.GetString(&info_.pack_version);
  r.GetString(&info_.manifest_sha256);
  r.GetString(&info_.build_info);
  RETURN_IF_ERROR(r.Finish());
  return ParseTable(Load<uint64_t>(data_ + kTableAt),
                    Load<uint32_t>(data_ + kCountAt),
                    Load<uint32_t>(data_ + kTableCrcAt));
}

absl::Status SnapFile::ParseTable(uint64_t table_offset, uint32_t count,
                                  uint32_t table_crc) {
  if (count > kSnapMaxSections) {
    return Damaged(
        absl::StrCat(count, " sections, more than ", kSnapMaxSections));
  }
  const uint64_t table_len = uint64_t{count} * kSnapTableEntryBytes;
  if (table_offset < kSnapHeaderBytes || table_offset > size_ ||
      table_len > size_ - table_offset) {
    return Damaged("the section table lies outside the file");
  }
  const char* t = data_ + table_offset;
  if (Crc32c(t, table_len) != table_crc) {
    return Damaged("the section table's checksum does not match");
  }
  for (uint32_t i = 0; i < count; ++i) {
    const char* e = t + i * kSnapTableEntryBytes;
    Entry x{Load<uint32_t>(e), Load<uint64_t>(e + 8), Load<uint64_t>(e + 16),
            Load<uint32_t>(e + 24)};
    const std::string name = SnapSectionName(x.id);
    if (x.offset % 64 != 0 || x.offset < table_offset + table_len ||
        x.offset > size_ || x.length > size_ - x.offset) {
      return Damaged(absl::StrCat(
          "section '", name, "' (", x.length, " bytes at ", x.offset,
          ") lies outside the file or overlaps its table"));
    }
    for (const Entry& other : entries_) {
      if (other.id == x.id)
        return Damaged(absl::StrCat("section '", name, "' appears twice"));
    }
    entries_.push_back(x);
  }
  return absl::OkStatus();
}

// Two threads, each over whole sections of about half the bytes (the CRC
// runs at memory speed; one core does ~2-4 GB/s).
absl::Status SnapFile::VerifySections() const {
  std::vector<uint8_t> bad(entries_.size(), 0);
  auto check = [&](size_t first, size_t last) {
    for (size_t i = first; i < last; ++i) {
      const Entry& e = entries_[i];
      bad[i] = Crc32c(data_ + e.offset, e.length) != e.crc;
    }
  };
  uint64_t total = 0, half = 0;
  for (const Entry& e : entries_) total += e.length;
  size_t split = 0;
  while (split < entries_.size() && half < total / 2) half += entries_[split++].length;
  {
    std::jthread other(check, split, entries_.size());
    check(0, split);
  }
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (bad[i]) return VerifySection(entries_[i]);  // the error
  }
  return absl::OkStatus();
}

absl::Status SnapFile::VerifySection(const Entry& e) const {
  if (Crc32c(data_ + e.offset, e.length) == e.crc) return absl::OkStatus();
  return Damaged(absl::StrCat("section '", SnapSectionName(e.id),
                              "': checksum mismatch (CRC32C of its ", e.length,
                              " bytes differs from the table's)"));
}

const SnapFile::Entry* SnapFile::Find(SnapSection id) const {
  for (const Entry& e : entries_) {
    if (e.id == static_cast<uint32_t>(id)) return &e;
  }
  return nullptr;
}

bool SnapFile::Has(SnapSection id) const { return Find(id) != nullptr; }

absl::StatusOr<SnapReader> SnapFile::Section(SnapSection id, bool lend) const {
  const Entry* e = Find(id);
  const std::string name = SnapSectionName(static_cast<uint32_t>(id));
  if (e == nullptr) return Damaged(absl::StrCat("no section '", name, "'"));
  if (verify_ == VerifyMode::kLazy) RETURN_IF_ERROR(VerifySection(*e));
  return SnapReader(absl::string_view(data_ + e->offset, e->length),
                    absl::StrCat(path_, ": section '", name, "'"),
                    lend ? shared_from_this() : nullptr);
}

void SnapFile::Release(SnapSection id) const {
  const Entry* e = Find(id);
  if (e == nullptr || e->length == 0) return;
  // Whole pages inside the section only (neighbours may still be read).
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t begin = (e->offset + page - 1) / page * page;
  const uint64_t end = (e->offset + e->length) / page * page;
  if (end > begin)
    ::madvise(const_cast<char*>(data_) + begin, end - begin, MADV_DONTNEED);
}

}  // namespace gridroute
