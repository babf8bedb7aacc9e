#include "ingest_service/commit_planner.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/domain/grade_list.h"
#include "common/domain/status_util.h"
#include "common/domain/suggest.h"
#include "common/domain/validation.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/time_util.h"

namespace headcount::ingest {
namespace {

// SchoolRecord.corrected_at keeps the newest this many.
constexpr int kCorrectionTimesKept = 32;

// A row's result; a retraction's grades and a table's counts are set after.
RowResult RowOf(v1::Outcome outcome, int64_t revision, v1::SchoolRecord school,
                bool replayed = false) {
  RowResult row;
  row.outcome = outcome;
  row.revision = revision;
  row.school = std::move(school);
  row.replayed = replayed;
  return row;
}

std::vector<v1::GradeCount> SortedGrades(
    const google::protobuf::RepeatedPtrField<v1::GradeCount>& grades) {
  std::vector<v1::GradeCount> sorted(grades.begin(), grades.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const v1::GradeCount& a, const v1::GradeCount& b) {
              return a.grade() < b.grade();
            });
  return sorted;
}

bool SameCounts(const v1::SchoolRecord& stored,
                const std::vector<v1::GradeCount>& grades) {
  if (stored.grades_size() != static_cast<int>(grades.size())) return false;
  for (size_t i = 0; i < grades.size(); ++i) {
    const v1::GradeCount& a = stored.grades(static_cast<int>(i));
    const v1::GradeCount& b = grades[i];
    if (a.grade() != b.grade() || a.onsite_count() != b.onsite_count() ||
        a.registry_count() != b.registry_count()) {
      return false;
    }
  }
  return true;
}

// The stored grades with `sent` written over them (both sorted by grade):
// a submission changes the grades it carries and keeps the others.
std::vector<v1::GradeCount> MergedGrades(
    const std::optional<v1::SchoolRecord>& current,
    std::vector<v1::GradeCount> sent) {
  if (!current.has_value()) return sent;
  std::map<int, v1::GradeCount> by_grade;
  for (const v1::GradeCount& g : current->grades()) by_grade[g.grade()] = g;
  for (v1::GradeCount& g : sent) by_grade[g.grade()] = std::move(g);
  std::vector<v1::GradeCount> merged;
  merged.reserve(by_grade.size());
  for (auto& [grade, g] : by_grade) merged.push_back(std::move(g));
  return merged;
}

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// The new record of `row`'s school, replacing `current` at `revision`,
// with `grades` (none: the tombstone of a removed school).
template <typename Request>
v1::SchoolRecord NewRecord(const Request& row,
                           std::vector<v1::GradeCount> grades,
                           const std::optional<v1::SchoolRecord>& current,
                           int64_t revision, const CommitOptions& options,
                           absl::Time commit_time) {
  v1::SchoolRecord record;
  record.set_term(row.term());
  record.set_county(row.county());
  record.set_district(row.district());
  record.set_school(row.school());
  record.set_source(row.source());
  for (v1::GradeCount& g : grades) *record.add_grades() = std::move(g);
  record.set_mod_revision(revision);
  record.set_submission_id(row.submission_id());
  record.set_create_revision(current.has_value() ? current->create_revision()
                                                 : revision);
  record.set_version(current.has_value() ? current->version() + 1 : 1);
  record.set_submitted_by(options.submitted_by);
  const google::protobuf::Timestamp now =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          absl::ToUnixMicros(commit_time));
  *record.mutable_submitted_at() = now;
  if (!current.has_value()) {
    *record.mutable_first_submitted_at() = now;
    return record;
  }
  // A change after the first submission. (Records stored before these
  // fields knew their first time only while unchanged.)
  if (current->has_first_submitted_at()) {
    *record.mutable_first_submitted_at() = current->first_submitted_at();
  } else if (current->version() == 1) {
    *record.mutable_first_submitted_at() = current->submitted_at();
  }
  record.set_corrections(
      std::max<int64_t>(current->corrections(), current->version() - 1) + 1);
  const int keep = std::min(current->corrected_at_size(),
                            kCorrectionTimesKept - 1);
  for (int i = current->corrected_at_size() - keep;
       i < current->corrected_at_size(); ++i) {
    *record.add_corrected_at() = current->corrected_at(i);
  }
  *record.add_corrected_at() = now;
  return record;
}


// The refusal of row `index`, whose school `key` is not on the county's
// `roster`: its district's closest school names, or the closest districts.
RowRejection NotOnRoster(const SchoolKey& key,
                         const std::vector<v1::RosterEntry>& roster,
                         int index) {
  std::vector<std::string> districts, schools;
  for (const v1::RosterEntry& entry : roster) {
    if (districts.empty() || districts.back() != entry.district()) {
      districts.push_back(entry.district());
    }
    if (entry.district() == key.district) schools.push_back(entry.school());
  }
  const std::string unless =
      " (a new school: submit it with add_to_roster, headcount submit "
      "--add-to-roster, or put it on the roster first)";
  if (schools.empty()) {
    return {index, "district",
            absl::StrCat("district ", key.district, " is not on the roster of ",
                         key.county, " for ", key.term,
                         DidYouMean(key.district, districts), unless),
            absl::StatusCode::kFailedPrecondition};
  }
  return {index, "school",
          absl::StrCat("school ", key.school, " is not on the roster of ",
                       key.county, "/", key.district, " for ", key.term,
                       DidYouMean(key.school, schools), unless),
          absl::StatusCode::kFailedPrecondition};
}

}  // namespace

std::string Fingerprint(const v1::RetractRequest& row) {
  v1::RetractRequest canonical;
  canonical.set_term(row.term());
  canonical.set_county(row.county());
  canonical.set_district(row.district());
  canonical.set_school(row.school());
  canonical.set_source(row.source());
  std::vector<int> grades(row.grades().begin(), row.grades().end());
  std::sort(grades.begin(), grades.end());
  for (int grade : grades) canonical.add_grades(grade);
  // Never equal to a submission's: a retry must be the same kind of row.
  return absl::StrCat("retract:", DeterministicBytes(canonical));
}

namespace {

// The roster as a PUT compares it: term and county from the request,
// grades ascending, entries by district and school.
std::vector<v1::RosterEntry> CanonicalRoster(const v1::PutRosterRequest& row) {
  std::vector<v1::RosterEntry> entries;
  for (const v1::RosterEntry& given : row.schools()) {
    v1::RosterEntry entry;
    entry.set_term(row.term());
    entry.set_county(row.county());
    entry.set_district(given.district());
    entry.set_school(given.school());
    std::vector<int> grades(given.grades().begin(), given.grades().end());
    std::sort(grades.begin(), grades.end());
    for (int grade : grades) entry.add_grades(grade);
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(),
            [](const v1::RosterEntry& a, const v1::RosterEntry& b) {
              return std::tie(a.district(), a.school()) <
                     std::tie(b.district(), b.school());
            });
  return entries;
}

}  // namespace

std::string Fingerprint(const v1::PutRosterRequest& row) {
  v1::PutRosterRequest canonical;
  canonical.set_term(row.term());
  canonical.set_county(row.county());
  canonical.set_district(row.district());
  for (v1::RosterEntry& entry : CanonicalRoster(row)) {
    entry.clear_term();
    entry.clear_county();
    *canonical.add_schools() = std::move(entry);
  }
  return absl::StrCat("roster:", DeterministicBytes(canonical));
}

std::string Fingerprint(const v1::PutRegionsRequest& row) {
  std::vector<v1::Region> regions(row.regions().begin(), row.regions().end());
  std::sort(regions.begin(), regions.end(),
            [](const v1::Region& a, const v1::Region& b) {
              return a.county() < b.county();
            });
  v1::PutRegionsRequest canonical;
  for (v1::Region& region : regions) {
    region.clear_mod_revision();
    *canonical.add_regions() = std::move(region);
  }
  return absl::StrCat("regions:", DeterministicBytes(canonical));
}

std::string Fingerprint(const v1::SubmitRequest& row) {
  v1::SubmitRequest canonical;
  canonical.set_term(row.term());
  canonical.set_county(row.county());
  canonical.set_district(row.district());
  canonical.set_school(row.school());
  canonical.set_source(row.source());
  for (v1::GradeCount& g : SortedGrades(row.grades())) {
    *canonical.add_grades() = std::move(g);
  }
  return DeterministicBytes(canonical);
}

namespace {

// A whole-request row (roster, regions) whose submission_id was used
// before: its first answer, to be completed by the caller with the
// entry's counts; or nullopt when the id was used for other content (the
// row rejected ALREADY_EXISTS in `result`).
std::optional<RowResult> Replay(const storage::SubmissionEntry& prior,
                                const std::string& fingerprint, int index,
                                CommitResult& result) {
  if (prior.fingerprint() != fingerprint) {
    result.rejected.push_back(
        {index, "submission_id",
         absl::StrCat("already used at revision ", prior.revision(),
                      " for other content; choose a new id"),
         absl::StatusCode::kAlreadyExists});
    return std::nullopt;
  }
  return RowOf(prior.outcome(), prior.revision(), v1::SchoolRecord(),
               /*replayed=*/true);
}

// The roster row `index` of a commit: what it adds, changes and removes
// in its scope, as ROSTER_PUT and ROSTER_DELETE events of `log_entry`.
absl::Status PlanRoster(const v1::PutRosterRequest& row, int index,
                        int64_t revision,
                        PlanReader& reader, CommitPlan& plan,
                        storage::RevisionEntry& log_entry) {
  CommitResult& result = plan.result;
  const std::string fingerprint = Fingerprint(row);
  ASSIGN_OR_RETURN(std::optional<storage::SubmissionEntry> prior,
                   reader.Submission(row.submission_id()));
  if (prior.has_value()) {
    std::optional<RowResult> replay = Replay(*prior, fingerprint, index, result);
    if (replay.has_value()) {
      replay->roster = {prior->roster_added(), prior->roster_changed(),
                        prior->roster_removed(), prior->roster_unchanged()};
      result.rows.push_back(*std::move(replay));
    }
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::vector<v1::RosterEntry> stored,
                   reader.Roster(row.term(), row.county(), row.district()));
  std::map<std::pair<std::string, std::string>, v1::RosterEntry> current;
  for (v1::RosterEntry& entry : stored) {
    current.emplace(std::make_pair(entry.district(), entry.school()),
                    std::move(entry));
  }
  RowResult::EntryCounts counts;
  auto key_of = [](const v1::RosterEntry& e) {
    return SchoolKey{e.term(), e.county(), e.district(), e.school()};
  };
  for (v1::RosterEntry& entry : CanonicalRoster(row)) {
    entry.set_mod_revision(revision);
    auto it = current.find(std::make_pair(entry.district(), entry.school()));
    if (it != current.end()) {
      const v1::RosterEntry previous = std::move(it->second);
      current.erase(it);
      if (std::equal(previous.grades().begin(), previous.grades().end(),
                     entry.grades().begin(), entry.grades().end())) {
        ++counts.unchanged;
        continue;
      }
      ++counts.changed;
      v1::Event* event = log_entry.add_events();
      event->set_type(v1::Event::ROSTER_PUT);
      *event->mutable_prev_roster() = previous;
      *event->mutable_roster() = entry;
    } else {
      ++counts.added;
      v1::Event* event = log_entry.add_events();
      event->set_type(v1::Event::ROSTER_PUT);
      *event->mutable_roster() = entry;
    }
    plan.roster.emplace_back(key_of(entry), entry);
  }
  for (auto& [name, previous] : current) {  // not in the new roster
    ++counts.removed;
    v1::RosterEntry gone;
    gone.set_term(previous.term());
    gone.set_county(previous.county());
    gone.set_district(previous.district());
    gone.set_school(previous.school());
    gone.set_mod_revision(revision);
    v1::Event* event = log_entry.add_events();
    event->set_type(v1::Event::ROSTER_DELETE);
    *event->mutable_roster() = gone;
    *event->mutable_prev_roster() = std::move(previous);
    plan.roster.emplace_back(key_of(gone), std::nullopt);
  }
  const bool changed = counts.added + counts.changed + counts.removed > 0;
  storage::SubmissionEntry entry;
  entry.set_fingerprint(fingerprint);
  entry.set_outcome(changed ? v1::UPDATED : v1::UNCHANGED);
  entry.set_revision(changed ? revision : 0);
  entry.set_roster_added(counts.added);
  entry.set_roster_changed(counts.changed);
  entry.set_roster_removed(counts.removed);
  entry.set_roster_unchanged(counts.unchanged);
  RowResult answer = RowOf(entry.outcome(), entry.revision(), v1::SchoolRecord());
  answer.roster = counts;
  result.rows.push_back(std::move(answer));
  plan.submissions.emplace_back(row.submission_id(), std::move(entry));
  return absl::OkStatus();
}

// Plans a PutRegions (`row`, the commit's only row): each county's region
// added or changed as a REGION_PUT event of `log_entry`; a table the
// request would leave inconsistent with what is stored (a city in two
// provinces, a name at two levels) rejects it.
absl::Status PlanRegions(const v1::PutRegionsRequest& row, int index,
                         int64_t revision, PlanReader& reader,
                         CommitPlan& plan, storage::RevisionEntry& log_entry) {
  CommitResult& result = plan.result;
  const std::string fingerprint = Fingerprint(row);
  ASSIGN_OR_RETURN(std::optional<storage::SubmissionEntry> prior,
                   reader.Submission(row.submission_id()));
  if (prior.has_value()) {
    std::optional<RowResult> replay = Replay(*prior, fingerprint, index, result);
    if (replay.has_value()) {
      replay->regions = {prior->region_added(), prior->region_changed(), 0,
                         prior->region_unchanged()};
      result.rows.push_back(*std::move(replay));
    }
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(std::vector<v1::Region> stored, reader.Regions());
  std::vector<FieldViolation> conflicts = CheckRegions(row.regions(), stored);
  if (!conflicts.empty()) {
    result.rejected.push_back(
        {index, conflicts.front().field, conflicts.front().description});
    return absl::OkStatus();
  }
  std::map<std::string, v1::Region> current;
  for (v1::Region& region : stored) {
    current.emplace(region.county(), std::move(region));
  }
  RowResult::EntryCounts counts;
  for (v1::Region region : row.regions()) {
    region.set_mod_revision(revision);
    auto it = current.find(region.county());
    if (it != current.end() && it->second.city() == region.city() &&
        it->second.province() == region.province()) {
      ++counts.unchanged;
      continue;
    }
    v1::Event* event = log_entry.add_events();
    event->set_type(v1::Event::REGION_PUT);
    *event->mutable_region() = region;
    if (it != current.end()) {
      ++counts.changed;
      *event->mutable_prev_region() = it->second;
    } else {
      ++counts.added;
    }
    plan.regions.push_back(std::move(region));
  }
  const bool changed = counts.added + counts.changed > 0;
  storage::SubmissionEntry entry;
  entry.set_fingerprint(fingerprint);
  entry.set_outcome(changed ? v1::UPDATED : v1::UNCHANGED);
  entry.set_revision(changed ? revision : 0);
  entry.set_region_added(counts.added);
  entry.set_region_changed(counts.changed);
  entry.set_region_unchanged(counts.unchanged);
  RowResult answer = RowOf(entry.outcome(), entry.revision(), v1::SchoolRecord());
  answer.regions = counts;
  result.rows.push_back(std::move(answer));
  plan.submissions.emplace_back(row.submission_id(), std::move(entry));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CommitPlan> PlanCommit(const std::vector<storage::Change>& rows,
                                      const CommitOptions& options,
                                      int64_t revision, absl::Time commit_time,
                                      PlanReader& reader) {
  const bool dry_run = options.dry_run;
  CommitPlan plan;
  CommitResult& result = plan.result;
  std::map<std::string, int> school_rows;  // encoded school key -> row
  std::map<std::string, int> id_rows;      // submission_id -> row
  // (term, county) -> whether it has a roster, as read in this commit.
  std::map<std::pair<std::string, std::string>, bool> has_roster;
  storage::RevisionEntry log_entry;
  // The record a row's answer carries, unless the caller wants none.
  auto answer_record = [&options](const v1::SchoolRecord& record) {
    return options.without_records ? v1::SchoolRecord() : record;
  };
  result.rows.reserve(rows.size());
  plan.records.reserve(rows.size());
  plan.submissions.reserve(rows.size());

  for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
    if (rows[i].has_roster()) {
      RETURN_IF_ERROR(PlanRoster(rows[i].roster(), i, revision,
                                 reader, plan, log_entry));
      continue;
    }
    if (rows[i].has_regions()) {
      RETURN_IF_ERROR(PlanRegions(rows[i].regions(), i, revision, reader,
                                  plan, log_entry));
      continue;
    }
    const bool retract = rows[i].has_retract();
    const v1::SubmitRequest& put = rows[i].submit();
    const v1::RetractRequest& removal = rows[i].retract();
    const SchoolKey key = retract ? SchoolKeyOf(removal) : SchoolKeyOf(put);
    const std::string& submission_id =
        retract ? removal.submission_id() : put.submission_id();
    auto [school_it, new_school] = school_rows.emplace(EncodeSchoolKey(key), i);
    if (!new_school) {
      result.rejected.push_back(
          {i, "school",
           absl::StrCat("school ", key.school,
                        " appears twice in one batch "
                        "(rows ",
                        school_it->second, " and ", i, ")")});
      continue;
    }
    auto [id_it, new_id] = id_rows.emplace(submission_id, i);
    if (!new_id) {
      result.rejected.push_back(
          {i, "submission_id",
           absl::StrCat("appears twice in one batch (rows ", id_it->second,
                        " and ", i, ")")});
      continue;
    }
    const std::string fingerprint =
        retract ? Fingerprint(removal) : Fingerprint(put);
    ASSIGN_OR_RETURN(std::optional<storage::SubmissionEntry> prior,
                     reader.Submission(submission_id));
    ASSIGN_OR_RETURN(std::optional<v1::SchoolRecord> stored,
                     reader.School(key));
    // A retracted school's tombstone: gone, but a new record of the same
    // name points back to it (ListSchools reads the history through it).
    std::optional<v1::SchoolRecord> tombstone;
    if (stored.has_value() && IsRemoved(*stored)) tombstone.swap(stored);
    const std::optional<v1::SchoolRecord>& current = stored;

    if (prior.has_value()) {
      if (prior->fingerprint() != fingerprint) {
        result.rejected.push_back(
            {i, "submission_id",
             absl::StrCat("already used at revision ", prior->revision(),
                          " for other content; choose a new id"),
             absl::StatusCode::kAlreadyExists});
        continue;
      }
      // An idempotent retry: report what the first attempt did.
      RowResult replay =
          RowOf(prior->outcome(), prior->revision(),
                answer_record(current.value_or(v1::SchoolRecord())),
                /*replayed=*/true);
      replay.grades_removed.assign(prior->grades_removed().begin(),
                                   prior->grades_removed().end());
      replay.school_removed = prior->school_removed();
      result.rows.push_back(std::move(replay));
      continue;
    }

    storage::SubmissionEntry entry;
    entry.set_fingerprint(fingerprint);
    if (retract) {
      // What is removed must be there.
      if (!current.has_value()) {
        result.rejected.push_back(
            {i, "school",
             absl::StrCat("school ", key.school, " of ", key.county, "/",
                          key.district, " has no counts in term ", key.term,
                          ": nothing to retract"),
             absl::StatusCode::kNotFound});
        continue;
      }
      std::set<int> removing(removal.grades().begin(), removal.grades().end());
      std::vector<int> missing;
      std::vector<v1::GradeCount> kept;
      std::vector<int> removed;
      for (int grade : removing) {
        const bool has = std::any_of(
            current->grades().begin(), current->grades().end(),
            [grade](const v1::GradeCount& g) { return g.grade() == grade; });
        if (!has) missing.push_back(grade);
      }
      if (!missing.empty()) {
        std::vector<int> present;
        for (const v1::GradeCount& g : current->grades()) {
          present.push_back(g.grade());
        }
        result.rejected.push_back(
            {i, "grades",
             absl::StrCat(key.school, " has no counts for grade",
                          missing.size() > 1 ? "s " : " ", GradeWords(missing),
                          " (it has grade", present.size() > 1 ? "s " : " ",
                          GradeWords(present), ")"),
             absl::StatusCode::kNotFound});
        continue;
      }
      for (const v1::GradeCount& g : current->grades()) {
        if (removing.empty() || removing.count(g.grade()) > 0) {
          removed.push_back(g.grade());
        } else {
          kept.push_back(g);
        }
      }
      const bool school_removed = kept.empty();
      v1::SchoolRecord record = NewRecord(removal, std::move(kept), current,
                                          revision, options, commit_time);
      v1::Event* event = log_entry.add_events();
      event->set_type(school_removed ? v1::Event::DELETE : v1::Event::PUT);
      *event->mutable_prev_school() = *current;
      *event->mutable_school() = record;
      entry.set_revision(revision);
      entry.set_outcome(v1::RETRACTED);
      for (int grade : removed) entry.add_grades_removed(grade);
      entry.set_school_removed(school_removed);
      RowResult row =
          RowOf(v1::RETRACTED, revision,
                school_removed ? v1::SchoolRecord() : answer_record(record));
      row.grades_removed = removed;
      row.school_removed = school_removed;
      result.rows.push_back(std::move(row));
      plan.records.push_back(std::move(record));
      plan.submissions.emplace_back(submission_id, std::move(entry));
      continue;
    }

    // With a roster, a school not on it is refused unless the request
    // adds it (a typo makes no new school).
    std::optional<v1::RosterEntry> joining;
    {
      ASSIGN_OR_RETURN(std::optional<v1::RosterEntry> listed,
                       reader.RosterEntryOf(key));
      if (!listed.has_value()) {
        // Whether the county has a roster at all, read once per commit
        // (a batch of a county without one reads it once, not per row).
        auto known = has_roster.find({key.term, key.county});
        if (known == has_roster.end()) {
          ASSIGN_OR_RETURN(std::vector<v1::RosterEntry> roster,
                           reader.Roster(key.term, key.county, ""));
          known = has_roster
                      .emplace(std::make_pair(key.term, key.county),
                               !roster.empty())
                      .first;
        }
        if (known->second && !put.add_to_roster()) {
          ASSIGN_OR_RETURN(std::vector<v1::RosterEntry> roster,
                           reader.Roster(key.term, key.county, ""));
          result.rejected.push_back(NotOnRoster(key, roster, i));
          continue;
        }
        if (known->second) {
          joining.emplace();
          joining->set_term(key.term);
          joining->set_county(key.county);
          joining->set_district(key.district);
          joining->set_school(key.school);
          for (const v1::GradeCount& g : SortedGrades(put.grades())) {
            joining->add_grades(g.grade());
          }
          joining->set_mod_revision(revision);
        }
      }
    }
    std::vector<v1::GradeCount> grades =
        MergedGrades(current, SortedGrades(put.grades()));
    if (current.has_value() && SameCounts(*current, grades)) {
      entry.set_revision(current->mod_revision());
      entry.set_outcome(v1::UNCHANGED);
      result.rows.push_back(RowOf(v1::UNCHANGED, current->mod_revision(),
                                  answer_record(*current)));
    } else {
      const v1::Outcome outcome =
          current.has_value() ? v1::UPDATED : v1::CREATED;
      v1::SchoolRecord record = NewRecord(put, std::move(grades), current,
                                          revision, options, commit_time);
      v1::Event* event = log_entry.add_events();
      event->set_type(v1::Event::PUT);
      if (current.has_value()) *event->mutable_prev_school() = *current;
      if (tombstone.has_value()) *event->mutable_prev_school() = *tombstone;
      *event->mutable_school() = record;
      entry.set_revision(revision);
      entry.set_outcome(outcome);
      result.rows.push_back(RowOf(outcome, revision, answer_record(record)));
      plan.records.push_back(std::move(record));
      if (joining.has_value()) {
        v1::Event* added = log_entry.add_events();
        added->set_type(v1::Event::ROSTER_PUT);
        *added->mutable_roster() = *joining;
        plan.roster.emplace_back(key, *std::move(joining));
      }
    }
    plan.submissions.emplace_back(submission_id, std::move(entry));
  }

  if (!result.rejected.empty() || dry_run) {
    if (!result.rejected.empty()) result.rows.clear();
    for (RowResult& row : result.rows) {
      if (row.outcome != v1::UNCHANGED) row.revision = 0;  // dry run
    }
    plan.records.clear();
    plan.submissions.clear();
    plan.roster.clear();
    plan.regions.clear();
    return plan;
  }
  if (!plan.records.empty() || !plan.roster.empty() || !plan.regions.empty()) {
    result.revision = revision;
    log_entry.set_revision(revision);
    log_entry.set_commit_time_unix_micros(absl::ToUnixMicros(commit_time));
    log_entry.set_submitted_by(options.submitted_by);
    plan.log_entry = std::move(log_entry);
  }
  return plan;
}

bool IsRemoved(const v1::SchoolRecord& record) {
  return record.grades_size() == 0;
}

}  // namespace headcount::ingest
