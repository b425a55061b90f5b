// Copyright 2026 gridroute authors.
#include "cli/journal_command.h"

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cases/case_record.h"
#include "common/echo.h"
#include "journal/journal_check.h"

namespace gridroute {
namespace {

constexpr char kJournalUsage[] =
    "usage: gridroute journal check --dir DIR\n"
    "       gridroute journal repair --dir DIR --truncate-after-damage [--list 50]\n";

std::string Time(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, absl::UTCTimeZone());
}

std::string E(const std::string& s) { return Echo(s); }

int Usage(std::FILE* err, const std::string& why) {
  std::fprintf(err, "gridroute journal: %s\n%s", why.c_str(), kJournalUsage);
  return 2;
}

JournalCheckOptions CheckOptions(const JournalCommandOptions& o) {
  JournalCheckOptions c;
  c.describe = [](uint64_t, std::string_view payload) {
    return DescribeCaseRecord(payload);
  };
  return c;
}

int Check(const JournalCommandOptions& o, std::FILE* out, std::FILE* err) {
  auto r = CheckJournal(o.dir, CheckOptions(o));
  if (!r.ok()) {
    std::fprintf(err, "gridroute journal check: %s\n",
                 std::string(r.status().message()).c_str());
    return 2;
  }
  std::fputs(FormatJournalCheck(*r, static_cast<size_t>(o.list)).c_str(), out);
  if (r->clean()) return 0;
  return r->damage->dropped_by_open ? 3 : 1;
}

int Repair(const JournalCommandOptions& o, std::FILE* out, std::FILE* err) {
  if (!o.truncate_after_damage) {
    return Usage(err,
                 "repair needs --truncate-after-damage (it keeps every record "
                 "before the first damage and moves the rest to DIR/damaged-<time>/); "
                 "run `gridroute journal check --dir DIR` first to see what that drops");
  }
  JournalRepairOptions ro;
  ro.check = CheckOptions(o);
  auto r = RepairJournal(o.dir, ro);
  if (!r.ok()) {
    std::fprintf(err, "gridroute journal repair: %s\n",
                 std::string(r.status().message()).c_str());
    return 1;
  }
  std::fputs(FormatJournalRepair(*r, static_cast<size_t>(o.list)).c_str(), out);
  return 0;
}

}  // namespace

std::string DescribeCaseRecord(std::string_view payload) {
  CaseRecord rec;
  absl::Status s = rec.Decode(absl::string_view(payload.data(), payload.size()));
  if (!s.ok()) return absl::StrCat("not a case record: ", Echo(std::string(s.message())));
  switch (rec.kind) {
    case RecordKind::kNewCase:
      return absl::StrCat("new case ", E(rec.case_id), " (", E(rec.c.category),
                          rec.c.grid.empty() ? ", outside coverage"
                                             : absl::StrCat(", grid ", E(rec.c.grid)),
                          ", reported ", Time(rec.c.first_report), ")");
    case RecordKind::kFold:
      return absl::StrCat("report ", rec.report_count, " folded into ", E(rec.case_id),
                          " (reported ", Time(rec.reported_at), ")");
    case RecordKind::kTransition:
      return absl::StrCat(E(rec.case_id), ": ", CaseStateName(rec.from), " -> ",
                          CaseStateName(rec.to), " by ", E(rec.actor), " at ", Time(rec.at));
    case RecordKind::kCaseState:
      return absl::StrCat("case ", E(rec.case_id), " (", CaseStateName(rec.c.state), ", ",
                          rec.c.report_count, " report(s))");
    case RecordKind::kWatermark:
      return absl::StrCat("report-time watermark ", Time(rec.watermark));
  }
  return absl::StrCat("case record of kind ", static_cast<int>(rec.kind));
}

int RunJournalCommand(const std::string& sub, const JournalCommandOptions& options,
                      std::FILE* out, std::FILE* err) {
  if (sub != "check" && sub != "repair") {
    return Usage(err, sub.empty() ? "which one: check or repair?"
                                  : absl::StrCat("unknown subcommand '", Echo(sub), "'"));
  }
  if (options.dir.empty()) return Usage(err, "--dir is required");
  if (options.list < 0) return Usage(err, "--list must be >= 0");
  return sub == "check" ? Check(options, out, err) : Repair(options, out, err);
}

}  // namespace gridroute
