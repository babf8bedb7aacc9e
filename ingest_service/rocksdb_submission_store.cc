#include "ingest_service/rocksdb_submission_store.h"
#include "common/mutex.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/durable_db.h"
#include "common/status_util.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace headcount::ingest {
namespace {

// Key spaces, one leading byte each.
constexpr char kSchoolSpace = 'S';      // S + school key -> v1::SchoolRecord
constexpr char kLogSpace = 'L';         // L + revision -> storage::RevisionEntry
constexpr char kSubmissionSpace = 'I';  // I + submission_id -> SubmissionEntry
constexpr char kOldestKey[] = "Moldest";  // -> revision

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

std::string SchoolDbKey(const SchoolKey& key) {
  return absl::StrCat(absl::string_view(&kSchoolSpace, 1),
                      EncodeSchoolKey(key));
}
std::string LogDbKey(int64_t revision) {
  return absl::StrCat(absl::string_view(&kLogSpace, 1),
                      EncodeRevision(revision));
}
std::string SubmissionDbKey(absl::string_view submission_id) {
  return absl::StrCat(absl::string_view(&kSubmissionSpace, 1), submission_id);
}

SchoolKey KeyOf(const v1::SubmitRequest& row) {
  return {row.term(), row.county(), row.district(), row.school()};
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

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

// What identifies a submission's content: the school and its sorted grades.
std::string Fingerprint(const v1::SubmitRequest& row,
                        const std::vector<v1::GradeCount>& sorted_grades) {
  v1::SubmitRequest canonical;
  canonical.set_term(row.term());
  canonical.set_county(row.county());
  canonical.set_district(row.district());
  canonical.set_school(row.school());
  for (const v1::GradeCount& g : sorted_grades) *canonical.add_grades() = g;
  return DeterministicBytes(canonical);
}

template <typename Message>
absl::StatusOr<std::optional<Message>> GetProto(
    rocksdb::DB& db, const rocksdb::ReadOptions& read_options,
    const std::string& key) {
  std::string value;
  rocksdb::Status s = db.Get(read_options, key, &value);
  if (s.IsNotFound()) return std::optional<Message>();
  if (!s.ok()) return FromRocksDb(s, "read");
  Message message;
  if (!message.ParseFromString(value)) {
    return absl::DataLossError(
        absl::StrCat("unparseable value under key ", absl::CHexEscape(key)));
  }
  return std::optional<Message>(std::move(message));
}

// The newest revision in the log as seen by `read_options`.
absl::StatusOr<int64_t> LastLoggedRevision(
    rocksdb::DB& db, const rocksdb::ReadOptions& read_options) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  it->SeekForPrev(absl::StrCat(absl::string_view(&kLogSpace, 1),
                               std::string(8, '\xff')));
  if (!it->status().ok()) return FromRocksDb(it->status(), "seek log");
  if (!it->Valid() || it->key().size() != 9 || it->key()[0] != kLogSpace) {
    return 0;
  }
  return DecodeRevision(absl::string_view(it->key().data() + 1, 8));
}

}  // namespace

// Reads through a group's uncommitted writes to RocksDB, so that later
// commits of one group see the earlier ones.
class RocksDbSubmissionStore::GroupState {
 public:
  explicit GroupState(rocksdb::DB& db) : db_(db) {}

  absl::StatusOr<std::optional<v1::SchoolRecord>> School(
      const std::string& db_key) {
    auto it = schools_.find(db_key);
    if (it != schools_.end()) return std::optional<v1::SchoolRecord>(it->second);
    return GetProto<v1::SchoolRecord>(db_, rocksdb::ReadOptions(), db_key);
  }
  absl::StatusOr<std::optional<storage::SubmissionEntry>> Submission(
      const std::string& db_key) {
    auto it = submissions_.find(db_key);
    if (it != submissions_.end()) {
      return std::optional<storage::SubmissionEntry>(it->second);
    }
    return GetProto<storage::SubmissionEntry>(db_, rocksdb::ReadOptions(),
                                              db_key);
  }
  void PutSchool(const std::string& db_key, const v1::SchoolRecord& record) {
    schools_[db_key] = record;
    batch.Put(db_key, record.SerializeAsString());
  }
  void PutSubmission(const std::string& db_key,
                     const storage::SubmissionEntry& entry) {
    submissions_[db_key] = entry;
    batch.Put(db_key, entry.SerializeAsString());
  }

  rocksdb::WriteBatch batch;

 private:
  rocksdb::DB& db_;
  std::map<std::string, v1::SchoolRecord> schools_;
  std::map<std::string, storage::SubmissionEntry> submissions_;
};

absl::StatusOr<std::unique_ptr<RocksDbSubmissionStore>>
RocksDbSubmissionStore::Open(const Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db,
                   OpenDurableDb(options.data_dir, options.env));
  ASSIGN_OR_RETURN(int64_t revision,
                   LastLoggedRevision(*db, rocksdb::ReadOptions()));
  int64_t oldest = 1;
  std::string value;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), kOldestKey, &value);
  if (s.ok()) {
    oldest = DecodeRevision(value);
    if (oldest < 1) return absl::DataLossError("malformed oldest revision");
  } else if (!s.IsNotFound()) {
    return FromRocksDb(s, "read oldest revision");
  }
  // The newest log entry is never compacted, so a gap here is damage.
  if (revision > 0 && oldest > revision) {
    return absl::DataLossError(absl::StrCat("oldest revision ", oldest,
                                            " is above the newest ", revision));
  }
  return std::unique_ptr<RocksDbSubmissionStore>(
      new RocksDbSubmissionStore(options, std::move(db), revision, oldest));
}

RocksDbSubmissionStore::RocksDbSubmissionStore(const Options& options,
                                               std::unique_ptr<rocksdb::DB> db,
                                               int64_t revision,
                                               int64_t oldest_revision)
    : options_(options),
      db_(std::move(db)),
      revision_(revision),
      oldest_revision_(oldest_revision) {
  committer_ = std::thread([this] { CommitLoop(); });
}

RocksDbSubmissionStore::~RocksDbSubmissionStore() {
  {
    MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  committer_.join();
  db_->Close().PermitUncheckedError();
}

void RocksDbSubmissionStore::SetCommitListener(
    std::function<void(int64_t)> listener) {
  listener_ = std::move(listener);
}

void RocksDbSubmissionStore::Commit(std::vector<v1::SubmitRequest> rows,
                                    bool dry_run, CommitCallback done) {
  {
    MutexLock lock(&queue_mu_);
    if (!stopping_) {
      queue_.push_back({std::move(rows), dry_run, std::move(done)});
      return;
    }
  }
  done(absl::UnavailableError("the store is closing"));
}

void RocksDbSubmissionStore::CommitLoop() {
  while (true) {
    std::deque<PendingCommit> group;
    {
      MutexLock lock(&queue_mu_);
      Await(&queue_mu_, absl::Condition(
          +[](RocksDbSubmissionStore* self)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->queue_mu_) {
                 return self->stopping_ || !self->queue_.empty();
               },
          this));
      if (queue_.empty()) return;  // stopping, and nothing left to do
      group.swap(queue_);
    }

    GroupState state(*db_);
    int64_t next_revision = revision_.load() + 1;
    std::vector<absl::StatusOr<CommitResult>> results;
    results.reserve(group.size());
    const int64_t now_micros = absl::ToUnixMicros(absl::Now());

    for (PendingCommit& pending : group) {
      CommitResult result;
      std::map<std::string, int> school_rows;  // db key -> row index
      std::map<std::string, int> id_rows;
      std::vector<std::pair<std::string, storage::SubmissionEntry>> new_ids;
      storage::RevisionEntry log_entry;
      std::vector<std::pair<std::string, v1::SchoolRecord>> changes;
      absl::Status error;

      for (int i = 0; i < static_cast<int>(pending.rows.size()) && error.ok();
           ++i) {
        const v1::SubmitRequest& row = pending.rows[i];
        const std::string school_key = SchoolDbKey(KeyOf(row));
        const std::string id_key = SubmissionDbKey(row.submission_id());
        auto [school_it, new_school] = school_rows.emplace(school_key, i);
        if (!new_school) {
          result.rejected.push_back(
              {i, "school",
               absl::StrCat("school ", row.school(), " appears twice in one "
                            "batch (rows ", school_it->second, " and ", i, ")")});
          continue;
        }
        auto [id_it, new_id] = id_rows.emplace(id_key, i);
        if (!new_id) {
          result.rejected.push_back(
              {i, "submission_id",
               absl::StrCat("appears twice in one batch (rows ", id_it->second,
                            " and ", i, ")")});
          continue;
        }
        const std::vector<v1::GradeCount> grades = SortedGrades(row.grades());
        const std::string fingerprint = Fingerprint(row, grades);

        absl::StatusOr<std::optional<storage::SubmissionEntry>> prior =
            state.Submission(id_key);
        absl::StatusOr<std::optional<v1::SchoolRecord>> current =
            state.School(school_key);
        if (!prior.ok()) { error = prior.status(); break; }
        if (!current.ok()) { error = current.status(); break; }

        if (prior->has_value()) {
          const storage::SubmissionEntry& entry = **prior;
          if (entry.fingerprint() != fingerprint) {
            result.rejected.push_back(
                {i, "submission_id",
                 absl::StrCat("already used at revision ", entry.revision(),
                              " for other content; choose a new id"),
                 absl::StatusCode::kAlreadyExists});
            continue;
          }
          // An idempotent retry: report what the first attempt did.
          result.rows.push_back({entry.outcome(), entry.revision(),
                                 current->value_or(v1::SchoolRecord()),
                                 /*replayed=*/true});
          continue;
        }

        storage::SubmissionEntry entry;
        entry.set_fingerprint(fingerprint);
        if (current->has_value() && SameCounts(**current, grades)) {
          entry.set_revision((*current)->mod_revision());
          entry.set_outcome(v1::UNCHANGED);
          result.rows.push_back(
              {v1::UNCHANGED, (*current)->mod_revision(), **current});
        } else {
          v1::SchoolRecord record;
          record.set_term(row.term());
          record.set_county(row.county());
          record.set_district(row.district());
          record.set_school(row.school());
          for (const v1::GradeCount& g : grades) *record.add_grades() = g;
          record.set_mod_revision(next_revision);
          record.set_submission_id(row.submission_id());
          v1::Event* event = log_entry.add_events();
          event->set_type(v1::Event::PUT);
          if (current->has_value()) {
            record.set_create_revision((*current)->create_revision());
            record.set_version((*current)->version() + 1);
            *event->mutable_prev_school() = **current;
          } else {
            record.set_create_revision(next_revision);
            record.set_version(1);
          }
          *event->mutable_school() = record;
          const v1::Outcome outcome =
              current->has_value() ? v1::UPDATED : v1::CREATED;
          entry.set_revision(next_revision);
          entry.set_outcome(outcome);
          result.rows.push_back({outcome, next_revision, record});
          changes.emplace_back(school_key, std::move(record));
        }
        new_ids.emplace_back(id_key, std::move(entry));
      }

      if (!error.ok()) {
        results.push_back(error);
        continue;
      }
      if (!result.rejected.empty()) {
        result.rows.clear();
        results.push_back(std::move(result));
        continue;
      }
      if (pending.dry_run) {
        for (RowResult& row : result.rows) {
          if (row.outcome != v1::UNCHANGED) row.revision = 0;
        }
        results.push_back(std::move(result));
        continue;
      }
      if (!changes.empty()) {
        result.revision = next_revision;
        log_entry.set_revision(next_revision);
        log_entry.set_commit_time_unix_micros(now_micros);
        state.batch.Put(LogDbKey(next_revision), log_entry.SerializeAsString());
        for (auto& [key, record] : changes) state.PutSchool(key, record);
        ++next_revision;
      }
      for (auto& [key, entry] : new_ids) state.PutSubmission(key, entry);
      results.push_back(std::move(result));
    }

    absl::Status write_status;
    if (state.batch.Count() > 0) {
      rocksdb::WriteOptions write_options;
      write_options.sync = options_.sync;
      write_status = FromRocksDb(db_->Write(write_options, &state.batch),
                                 "commit submissions");
    }
    const int64_t last_revision = next_revision - 1;
    const bool advanced = write_status.ok() && last_revision > revision_.load();
    if (advanced) revision_.store(last_revision);

    for (size_t i = 0; i < group.size(); ++i) {
      if (!write_status.ok()) {
        group[i].done(write_status);
      } else {
        group[i].done(std::move(results[i]));
      }
    }
    if (advanced && listener_) listener_(last_revision);
  }
}

absl::StatusOr<v1::SchoolRecord> RocksDbSubmissionStore::GetSchool(
    const SchoolKey& key) {
  ASSIGN_OR_RETURN(std::optional<v1::SchoolRecord> record,
                   GetProto<v1::SchoolRecord>(*db_, rocksdb::ReadOptions(),
                                              SchoolDbKey(key)));
  if (!record.has_value()) {
    return absl::NotFoundError(absl::StrCat("no record for school ", key.school,
                                            " of district ", key.district,
                                            ", ", key.county, " in term ",
                                            key.term));
  }
  return *std::move(record);
}

absl::StatusOr<v1::ListSchoolsResponse> RocksDbSubmissionStore::ListSchools(
    const v1::ListSchoolsRequest& request) {
  const std::string prefix =
      absl::StrCat(absl::string_view(&kSchoolSpace, 1),
                   SchoolKeyPrefix(request.term(), request.county(),
                                   request.district()));
  const int page_size =
      request.page_size() <= 0 ? kDefaultPageSize
                               : std::min(request.page_size(), kMaxPageSize);
  std::string resume_after;
  if (!request.page_token().empty()) {
    if (!absl::WebSafeBase64Unescape(request.page_token(), &resume_after) ||
        !absl::StartsWith(resume_after, prefix)) {
      return InvalidArgument(
          {{"page_token", "is not a token returned for these filters"}});
    }
  }

  const rocksdb::Snapshot* snapshot = db_->GetSnapshot();
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot;
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* snapshot;
    ~Release() { db->ReleaseSnapshot(snapshot); }
  } release{db_.get(), snapshot};

  v1::ListSchoolsResponse response;
  ASSIGN_OR_RETURN(int64_t revision, LastLoggedRevision(*db_, read_options));
  response.set_revision(revision);

  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(read_options));
  it->Seek(resume_after.empty() ? prefix : resume_after);
  if (!resume_after.empty() && it->Valid() && it->key() == resume_after) {
    it->Next();
  }
  std::string last_key;
  for (; it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (response.schools_size() == page_size) {
      response.set_next_page_token(absl::WebSafeBase64Escape(last_key));
      break;
    }
    if (!response.add_schools()->ParseFromArray(it->value().data(),
                                                it->value().size())) {
      return absl::DataLossError("unparseable school record");
    }
    last_key = it->key().ToString();
  }
  if (!it->status().ok()) return FromRocksDb(it->status(), "list schools");
  return response;
}

absl::StatusOr<std::vector<storage::RevisionEntry>>
RocksDbSubmissionStore::ReadLog(int64_t after_revision, int max_revisions) {
  auto compacted = [this](int64_t wanted) {
    return absl::OutOfRangeError(absl::StrCat(
        "revision ", wanted, " has been compacted; the oldest revision kept "
        "is ", oldest_revision_.load(), ": list the schools and watch from "
        "the list's revision"));
  };
  const int64_t first = std::max<int64_t>(after_revision, 0) + 1;
  if (first < oldest_revision_.load()) return compacted(first);

  std::vector<storage::RevisionEntry> entries;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  int64_t expected = first;
  for (it->Seek(LogDbKey(first));
       it->Valid() && it->key().size() == 9 && it->key()[0] == kLogSpace &&
       static_cast<int>(entries.size()) < max_revisions;
       it->Next()) {
    storage::RevisionEntry entry;
    if (!entry.ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("unparseable change log entry");
    }
    if (entry.revision() != expected) {
      // Compacted between the check above and the read, or damaged.
      if (expected == first && entry.revision() > first &&
          first < oldest_revision_.load()) {
        return compacted(first);
      }
      return absl::DataLossError(absl::StrCat("change log gap: expected ",
                                              expected, ", found ",
                                              entry.revision()));
    }
    ++expected;
    entries.push_back(std::move(entry));
  }
  if (!it->status().ok()) return FromRocksDb(it->status(), "read change log");
  return entries;
}

absl::StatusOr<int64_t> RocksDbSubmissionStore::Compact(int64_t revision) {
  MutexLock lock(&compact_mu_);
  const int64_t current = revision_.load();
  if (revision < 1 || revision > current) {
    return InvalidArgument(
        {{"revision", absl::StrCat("must be in 1..", current,
                                   " (the current revision)")}});
  }
  const int64_t oldest = oldest_revision_.load();
  if (revision <= oldest) return oldest;
  rocksdb::WriteBatch batch;
  batch.DeleteRange(LogDbKey(oldest), LogDbKey(revision));
  batch.Put(kOldestKey, EncodeRevision(revision));
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  RETURN_IF_ERROR(FromRocksDb(db_->Write(write_options, &batch), "compact"));
  oldest_revision_.store(revision);
  return revision;
}

}  // namespace headcount::ingest
