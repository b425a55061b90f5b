// Copyright 2026 gridroute authors.
//
// SnapCodec for departments, categories, teams and layers.
#include <utility>

#include "snapshot/snap_codec.h"

namespace gridroute {

void SnapCodec::Save(const Departments& d, SnapWriter& w) {
  w.PutU64(d.list_.size());
  for (const Department& x : d.list_) {
    for (const std::string* s : {&x.code, &x.name, &x.kind, &x.channel})
      w.PutString(*s);
    w.PutI32(x.parent);
  }
}

bool SnapCodec::Load(SnapReader& r, Departments* d) {
  uint64_t n = 0;
  if (!r.GetU64(&n)) return false;
  if (n > r.remaining() / 36) return r.Fail("departments: truncated");
  d->list_.resize(n);
  for (Department& x : d->list_) {
    for (std::string* s : {&x.code, &x.name, &x.kind, &x.channel})
      r.GetString(s);
    r.GetI32(&x.parent);
    if (!r.ok()) return false;
    if (x.parent < -1 || x.parent >= static_cast<int64_t>(n)) {
      return r.Fail("departments: a parent out of range");
    }
  }
  for (size_t i = 0; i < n; ++i)
    d->by_code_.emplace(d->list_[i].code, static_cast<int32_t>(i));
  return true;
}

void SnapCodec::Save(const Categories& c, SnapWriter& w) {
  w.PutStrings(c.urgencies_);
  w.PutStrings(c.specialties_);
  w.PutU64(c.list_.size());
  for (const Category& x : c.list_) {
    w.PutU8(static_cast<uint8_t>(x.type));
    for (const std::string* s :
         {&x.code, &x.name, &x.major, &x.standard, &x.specialty}) {
      w.PutString(*s);
    }
    w.PutU32(x.urgency_mask);
    w.PutI32(x.specialty_id);
  }
}

bool SnapCodec::Load(SnapReader& r, Categories* c) {
  uint64_t n = 0;
  r.GetStrings(&c->urgencies_, kMaxUrgencies);
  r.GetStrings(&c->specialties_);
  if (!r.GetU64(&n)) return false;
  if (n > r.remaining() / 49 || n >= (uint64_t{1} << 31))
    return r.Fail("categories: truncated");
  c->list_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    Category& x = c->list_[i];
    uint8_t type = 0;
    r.GetU8(&type);
    for (std::string* s :
         {&x.code, &x.name, &x.major, &x.standard, &x.specialty})
      r.GetString(s);
    r.GetU32(&x.urgency_mask);
    r.GetI32(&x.specialty_id);
    if (!r.ok()) return false;
    if (type > 1 || x.specialty_id < -1 ||
        x.specialty_id >= static_cast<int64_t>(c->specialties_.size())) {
      return r.Fail("categories: a type or specialty out of range");
    }
    // As Categories::Load guarantees: at least one urgency, each one the
    // pack names (the router indexes deadlines by urgency; found by the
    // grsnap fuzz target).
    const uint64_t known = (uint64_t{1} << c->urgencies_.size()) - 1;
    if (x.urgency_mask == 0 || (x.urgency_mask & ~known) != 0) {
      return r.Fail("categories: an urgency out of range");
    }
    x.type = static_cast<CategoryType>(type);
    c->by_code_[type].emplace(x.code, static_cast<int32_t>(i));
    if (uint64_t key; Categories::ShortKey(x.code, &key)) {
      c->by_short_code_[type].emplace(key, static_cast<int32_t>(i));
    }
  }
  return true;
}

void SnapCodec::Save(const Teams& t, SnapWriter& w) {
  w.PutBool(t.hierarchy_ != nullptr);
  Save(t.ids_, w);
  Save(t.phones_, w);
  Save(t.names_, w);
  w.PutArray(t.name_of_);
  w.PutStrings(t.specialties_);
  w.PutArray(t.grid_begin_);
  w.PutArray(t.region_begin_);
  w.PutArray(t.grid_entries_);
  w.PutArray(t.region_entries_);
}

namespace {
bool EntriesInRange(SnapReader& r, absl::Span<const Teams::Entry> v,
                    uint32_t people, size_t specialties) {
  for (const Teams::Entry& e : v) {
    if (e.person >= people || (e.role_specialty >> 2) > specialties) {
      return r.Fail("teams: an entry's person or specialty out of range");
    }
  }
  return true;
}
}  // namespace

bool SnapCodec::Load(SnapReader& r, const Snapshot& s, Teams* t) {
  bool has_hierarchy = false;
  r.GetBool(&has_hierarchy);
  if (!Load(r, &t->ids_) || !Load(r, &t->phones_) || !Load(r, &t->names_))
    return false;
  r.GetArray(&t->name_of_);
  r.GetStrings(&t->specialties_);
  r.GetArray(&t->grid_begin_);
  r.GetArray(&t->region_begin_);
  r.GetArray(&t->grid_entries_);
  r.GetArray(&t->region_entries_);
  if (!r.ok()) return false;
  const uint32_t people = t->ids_.size();
  if (t->phones_.size() != people || t->name_of_.size() != people) {
    return r.Fail("teams: person columns of different lengths");
  }
  if (!AllInRange(r, t->name_of_, 0, t->names_.size(),
                  "teams: a person's name out of range")) {
    return false;
  }
  if (!t->grid_begin_.empty() &&
      !IsCsr(r, t->grid_begin_, t->grid_entries_.size(),
             "teams: grid offsets")) {
    return false;
  }
  if (!t->region_begin_.empty() &&
      (t->region_begin_.size() !=
           static_cast<size_t>(s.hierarchy().num_regions()) + 1 ||
       !IsCsr(r, t->region_begin_, t->region_entries_.size(),
              "teams: region offsets"))) {
    return r.Fail("teams: region offsets");
  }
  if (!EntriesInRange(r, t->grid_entries_, people, t->specialties_.size()) ||
      !EntriesInRange(r, t->region_entries_, people, t->specialties_.size())) {
    return false;
  }
  t->hierarchy_ = has_hierarchy ? &s.hierarchy() : nullptr;
  return true;
}

void SnapCodec::Save(const Layers& l, SnapWriter& w) {
  for (const StringTable* t :
       {&l.codes_, &l.names_, &l.kinds_, &l.owners_, &l.contacts_}) {
    Save(*t, w);
  }
  w.PutArray(l.priority_);
  w.PutArray(l.rank_);
  w.PutArray(l.by_code_);
  Save(l.geometry_, w);
  w.PutBool(l.index_ != nullptr);
  if (l.index_ != nullptr) l.index_->Save(w);
}

// As stored (the ranks and the code order were sorted at the pack's load).
bool SnapCodec::Load(SnapReader& r, Layers* l) {
  for (StringTable* t :
       {&l->codes_, &l->names_, &l->kinds_, &l->owners_, &l->contacts_}) {
    if (!Load(r, t)) return false;
  }
  r.GetArray(&l->priority_);
  r.GetArray(&l->rank_);
  r.GetArray(&l->by_code_);
  if (!r.ok() || !Load(r, &l->geometry_)) return false;
  const size_t n = l->priority_.size();
  for (const StringTable* t :
       {&l->codes_, &l->names_, &l->kinds_, &l->owners_, &l->contacts_}) {
    if (t->size() != n) return r.Fail("layers: columns of different lengths");
  }
  if (l->rank_.size() != n || l->by_code_.size() != n ||
      l->geometry_.num_grids() != n) {
    return r.Fail("layers: columns of different lengths");
  }
  if (!AllInRange(r, l->by_code_, 0, static_cast<int64_t>(n),
                  "layers: code order") ||
      !AllInRange(r, l->rank_, 0, static_cast<int64_t>(n), "layers: rank")) {
    return false;
  }
  bool has_index = false;
  if (!r.GetBool(&has_index)) return false;
  if (!has_index) return n == 0 || r.Fail("layers: no box index");
  absl::StatusOr<std::unique_ptr<BoxIndex>> index =
      BoxIndex::Load(r, static_cast<uint32_t>(n));
  if (!index.ok()) return false;
  l->index_ = *std::move(index);
  return true;
}

}  // namespace gridroute
