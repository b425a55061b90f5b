// Copyright 2026 gridroute authors.
#include "service/directory.h"

#include <algorithm>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/echo.h"
#include "service/convert.h"

namespace gridroute {
namespace {

constexpr char kTokenTag[] = "dir1";
constexpr size_t kEcho = 32;  // bytes of a bad token or version echoed back (Echo)

std::string Served(const ServedSnapshot& s) {
  return absl::StrCat("the server serves version '", s.snapshot->manifest().version,
                      "' generation ", s.generation, "; start again from the first page");
}

absl::Status BadToken(absl::string_view token, absl::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("page_token: ", why, " ('", Echo(token, kEcho), "')"));
}

int64_t Total(const ServedSnapshot& s) {
  return int64_t{s.snapshot->hierarchy().num_regions()} + s.snapshot->teams().num_people();
}

// Decodes `token` into *offset; the token must belong to the served snapshot.
absl::Status DecodeToken(const ServedSnapshot& served, const v1::DirectoryRequest& req,
                         int64_t* offset) {
  const std::string& token = req.page_token();
  std::string text;
  if (!absl::WebSafeBase64Unescape(token, &text)) return BadToken(token, "malformed");
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('.', 3));
  uint64_t generation = 0;
  if (parts.size() != 4 || parts[0] != kTokenTag || !absl::SimpleAtoi(parts[1], &generation) ||
      !absl::SimpleAtoi(parts[2], offset)) {
    return BadToken(token, "not a Directory page token");
  }
  if ((!req.version().empty() && req.version() != parts[3]) ||
      (req.generation() != 0 && req.generation() != generation)) {
    return BadToken(token, "belongs to another snapshot than the request's version/generation");
  }
  if (parts[3] != served.snapshot->manifest().version || generation != served.generation) {
    return absl::FailedPreconditionError(absl::StrCat(
        "page_token: its snapshot (version '", Echo(parts[3], kEcho), "' generation ",
        generation, ") is no longer served; ", Served(served)));
  }
  if (*offset <= 0 || *offset >= Total(served)) return BadToken(token, "offset out of range");
  return absl::OkStatus();
}

void HeadToProto(const Snapshot& s, bool include_personal, v1::DirectoryResponse* out) {
  for (int32_t i = 0; i < s.departments().size(); ++i) {
    const Department& d = s.departments().at(i);
    v1::Department* p = out->add_departments();
    p->set_code(d.code);
    p->set_name(d.name);
    if (!d.channel.empty()) p->set_channel(d.channel);
  }
  const Categories& cats = s.categories();
  for (int32_t i = 0; i < cats.size(); ++i) {
    const Category& c = cats.at(i);
    v1::DirectoryCategory* p = out->add_categories();
    p->set_type(c.type == CategoryType::kComponent ? v1::CATEGORY_TYPE_COMPONENT
                                                   : v1::CATEGORY_TYPE_EVENT);
    p->set_code(c.code);
    p->set_name(c.name);
    p->set_major(c.major);
    p->set_standard(c.standard);
    p->set_specialty(c.specialty);
    // Bit order: the lowest allowed urgency is the default (Router).
    for (int32_t u = 0; u < static_cast<int32_t>(cats.urgencies().size()); ++u) {
      if (c.AllowsUrgency(u)) p->add_urgencies(cats.urgencies()[u]);
    }
  }
  const Layers& layers = s.layers();
  for (int32_t i = 0; i < layers.size(); ++i) {
    v1::DirectoryLayer* p = out->add_layers();
    const absl::string_view f[] = {layers.code(i), layers.name(i), layers.kind(i),
                                   layers.owner(i), layers.owner_contact(i)};
    p->set_code(f[0].data(), f[0].size());
    p->set_name(f[1].data(), f[1].size());
    p->set_kind(f[2].data(), f[2].size());
    if (include_personal) {  // a 门前三包 owner is often a person
      p->set_owner(f[3].data(), f[3].size());
      p->set_owner_contact(f[4].data(), f[4].size());
    }
  }
  for (const std::string& l : s.hierarchy().levels()) out->add_levels(l);
  for (const std::string& sp : s.teams().specialties()) out->add_specialties(sp);
}

void RegionToProto(const Hierarchy& h, int32_t i, v1::DirectoryRegion* out) {
  const Region& r = h.region(i);
  out->set_code(r.code);
  out->set_name(r.name);
  out->set_level(h.levels()[r.level]);
  if (r.parent >= 0) out->set_parent(h.region(r.parent).code);
}

void PersonToProto(const Teams& t, int32_t i, bool include_personal, v1::DirectoryPerson* out) {
  const absl::string_view id = t.person_id(i);
  out->set_person_id(id.data(), id.size());
  if (!include_personal) return;
  const absl::string_view name = t.person_name(i), phone = t.person_phone(i);
  out->set_name(name.data(), name.size());
  out->set_phone(phone.data(), phone.size());
}

}  // namespace

std::string DirectoryPageToken(const ServedSnapshot& served, int64_t offset) {
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenTag, ".", served.generation, ".", offset,
                                                ".", served.snapshot->manifest().version));
}

absl::Status CheckDirectoryRequest(const ServedSnapshot& served, const v1::DirectoryRequest& req,
                                   DirectoryCursor* out) {
  const std::string& version = served.snapshot->manifest().version;
  if ((!req.version().empty() && req.version() != version) ||
      (req.generation() != 0 && req.generation() != served.generation)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "version/generation: '", Echo(req.version(), kEcho), "' generation ",
        req.generation(), " is not served; ", Served(served)));
  }
  if (req.page_size() < 0 || req.page_size() > kDirectoryMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be in 1..",
                                                   kDirectoryMaxPageSize, " (0: ",
                                                   kDirectoryDefaultPageSize, "), got ",
                                                   req.page_size()));
  }
  out->page_size = req.page_size() == 0 ? kDirectoryDefaultPageSize : req.page_size();
  out->first_page = req.page_token().empty();
  out->offset = 0;
  if (out->first_page) return absl::OkStatus();
  return DecodeToken(served, req, &out->offset);
}

void DirectoryPageToProto(const ServedSnapshot& served, const DirectoryCursor& cursor,
                          bool include_personal, v1::DirectoryResponse* out) {
  const Snapshot& s = *served.snapshot;
  const Hierarchy& h = s.hierarchy();
  const Teams& t = s.teams();
  SnapshotRefToProto(served, out->mutable_snapshot());
  if (cursor.first_page) HeadToProto(s, include_personal, out);
  const int64_t regions = h.num_regions(), total = Total(served);
  const int64_t end = std::min(total, cursor.offset + cursor.page_size);
  for (int64_t i = cursor.offset; i < std::min(end, regions); ++i) {
    RegionToProto(h, static_cast<int32_t>(i), out->add_regions());
  }
  for (int64_t i = std::max(cursor.offset, regions); i < end; ++i) {
    PersonToProto(t, static_cast<int32_t>(i - regions), include_personal, out->add_persons());
  }
  if (end < total) out->set_next_page_token(DirectoryPageToken(served, end));
  out->set_total_regions(regions);
  out->set_total_persons(t.num_people());
}

}  // namespace gridroute
