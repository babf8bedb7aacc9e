#include "ingest_service/commit_planner.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/domain/status_util.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/time_util.h"

namespace headcount::ingest {
namespace {

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

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

SchoolKey KeyOf(const v1::SubmitRequest& row) {
  return {row.term(), row.county(), row.district(), row.school()};
}

// The new record of `row`'s school, replacing `current` at `revision`.
v1::SchoolRecord NewRecord(const v1::SubmitRequest& row,
                           std::vector<v1::GradeCount> grades,
                           const std::optional<v1::SchoolRecord>& current,
                           int64_t revision) {
  v1::SchoolRecord record;
  record.set_term(row.term());
  record.set_county(row.county());
  record.set_district(row.district());
  record.set_school(row.school());
  for (v1::GradeCount& g : grades) *record.add_grades() = std::move(g);
  record.set_mod_revision(revision);
  record.set_submission_id(row.submission_id());
  record.set_create_revision(current.has_value() ? current->create_revision()
                                                 : revision);
  record.set_version(current.has_value() ? current->version() + 1 : 1);
  return record;
}

}  // namespace

std::string Fingerprint(const v1::SubmitRequest& row) {
  v1::SubmitRequest canonical;
  canonical.set_term(row.term());
  canonical.set_county(row.county());
  canonical.set_district(row.district());
  canonical.set_school(row.school());
  for (v1::GradeCount& g : SortedGrades(row.grades())) {
    *canonical.add_grades() = std::move(g);
  }
  return DeterministicBytes(canonical);
}

absl::StatusOr<CommitPlan> PlanCommit(
    const std::vector<v1::SubmitRequest>& rows, const CommitOptions& options,
    int64_t revision, absl::Time commit_time, PlanReader& reader) {
  const bool dry_run = options.dry_run;
  CommitPlan plan;
  CommitResult& result = plan.result;
  std::map<std::string, int> school_rows;  // encoded school key -> row
  std::map<std::string, int> id_rows;      // submission_id -> row
  storage::RevisionEntry log_entry;

  for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
    const v1::SubmitRequest& row = rows[i];
    const SchoolKey key = KeyOf(row);
    auto [school_it, new_school] = school_rows.emplace(EncodeSchoolKey(key), i);
    if (!new_school) {
      result.rejected.push_back(
          {i, "school",
           absl::StrCat("school ", row.school(),
                        " appears twice in one batch "
                        "(rows ",
                        school_it->second, " and ", i, ")")});
      continue;
    }
    auto [id_it, new_id] = id_rows.emplace(row.submission_id(), i);
    if (!new_id) {
      result.rejected.push_back(
          {i, "submission_id",
           absl::StrCat("appears twice in one batch (rows ", id_it->second,
                        " and ", i, ")")});
      continue;
    }
    std::vector<v1::GradeCount> grades = SortedGrades(row.grades());
    const std::string fingerprint = Fingerprint(row);
    ASSIGN_OR_RETURN(std::optional<storage::SubmissionEntry> prior,
                     reader.Submission(row.submission_id()));
    ASSIGN_OR_RETURN(std::optional<v1::SchoolRecord> current,
                     reader.School(key));

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
      result.rows.push_back({prior->outcome(), prior->revision(),
                             current.value_or(v1::SchoolRecord()),
                             /*replayed=*/true});
      continue;
    }

    storage::SubmissionEntry entry;
    entry.set_fingerprint(fingerprint);
    if (current.has_value() && SameCounts(*current, grades)) {
      entry.set_revision(current->mod_revision());
      entry.set_outcome(v1::UNCHANGED);
      result.rows.push_back({v1::UNCHANGED, current->mod_revision(), *current});
    } else {
      const v1::Outcome outcome =
          current.has_value() ? v1::UPDATED : v1::CREATED;
      v1::SchoolRecord record =
          NewRecord(row, std::move(grades), current, revision);
      record.set_submitted_by(options.submitted_by);
      *record.mutable_submitted_at() =
          google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
              absl::ToUnixMicros(commit_time));
      v1::Event* event = log_entry.add_events();
      event->set_type(v1::Event::PUT);
      if (current.has_value()) *event->mutable_prev_school() = *current;
      *event->mutable_school() = record;
      entry.set_revision(revision);
      entry.set_outcome(outcome);
      result.rows.push_back({outcome, revision, record});
      plan.records.push_back(std::move(record));
    }
    plan.submissions.emplace_back(row.submission_id(), std::move(entry));
  }

  if (!result.rejected.empty() || dry_run) {
    if (!result.rejected.empty()) result.rows.clear();
    for (RowResult& row : result.rows) {
      if (row.outcome != v1::UNCHANGED) row.revision = 0;  // dry run
    }
    plan.records.clear();
    plan.submissions.clear();
    return plan;
  }
  if (!plan.records.empty()) {
    result.revision = revision;
    log_entry.set_revision(revision);
    log_entry.set_commit_time_unix_micros(absl::ToUnixMicros(commit_time));
    log_entry.set_submitted_by(options.submitted_by);
    plan.log_entry = std::move(log_entry);
  }
  return plan;
}

}  // namespace headcount::ingest
