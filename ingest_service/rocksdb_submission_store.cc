#include "ingest_service/rocksdb_submission_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/domain/mutex.h"
#include "common/domain/status_util.h"
#include "common/storage/durable_db.h"
#include "common/storage/rocksdb_reader.h"
#include "ingest_service/commit_planner.h"
#include "rocksdb/options.h"
#include "rocksdb/snapshot.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/utilities/write_batch_with_index.h"
#include "rocksdb/write_batch.h"

namespace headcount::ingest {
namespace {

// Key spaces, one leading byte each.
constexpr char kSchoolSpace = 'S';  // S + school key -> v1::SchoolRecord
constexpr char kLogSpace = 'L';     // L + revision -> storage::RevisionEntry
constexpr char kSubmissionSpace = 'I';  // I + submission_id -> SubmissionEntry
constexpr char kRosterSpace = 'R';  // R + school key -> v1::RosterEntry
constexpr char kRegionSpace = 'N';  // N + county -> v1::Region
constexpr char kOldestKey[] = "Moldest";  // -> revision
// -> the newest revision, written with it: what a reader needs of the
// newest log entry without reading that entry (which may be large).
constexpr char kNewestKey[] = "Mnewest";
constexpr char kHistoryKey[] = "Mhistory";  // -> history id

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;

std::string SchoolDbKey(const SchoolKey& key) {
  return absl::StrCat(absl::string_view(&kSchoolSpace, 1),
                      EncodeSchoolKey(key));
}
// A roster names schools, whatever the source of their counts.
std::string RosterDbKey(SchoolKey key) {
  key.self_check = false;
  return absl::StrCat(absl::string_view(&kRosterSpace, 1),
                      EncodeSchoolKey(key));
}
std::string RosterDbPrefix(absl::string_view term, absl::string_view county,
                           absl::string_view district) {
  return absl::StrCat(absl::string_view(&kRosterSpace, 1),
                      SchoolKeyPrefix(term, county, district));
}
std::string RegionDbKey(absl::string_view county) {
  return absl::StrCat(absl::string_view(&kRegionSpace, 1), county);
}

// Every county's region (of `province` only, when given), by county.
absl::StatusOr<std::vector<v1::Region>> ReadRegions(RocksDbReader& reader,
                                                   absl::string_view province) {
  std::vector<v1::Region> regions;
  RETURN_IF_ERROR(reader.Scan<v1::Region>(
      std::string(1, kRegionSpace), "",
      [&](absl::string_view, v1::Region& region) {
        if (province.empty() || region.province() == province) {
          regions.push_back(std::move(region));
        }
        return true;
      }));
  return regions;
}

std::string LogDbKey(int64_t revision) {
  return absl::StrCat(absl::string_view(&kLogSpace, 1),
                      EncodeCounter(revision));
}
std::string SubmissionDbKey(absl::string_view submission_id) {
  return absl::StrCat(absl::string_view(&kSubmissionSpace, 1), submission_id);
}

// The state a plan reads, through the group's uncommitted writes.
class BatchPlanReader final : public PlanReader {
 public:
  BatchPlanReader(rocksdb::DB* db, rocksdb::WriteBatchWithIndex* batch)
      : reader_(db, rocksdb::ReadOptions(), batch) {}

  absl::StatusOr<std::optional<v1::SchoolRecord>> School(
      const SchoolKey& key) override {
    return reader_.GetProto<v1::SchoolRecord>(SchoolDbKey(key));
  }
  absl::StatusOr<std::optional<storage::SubmissionEntry>> Submission(
      absl::string_view submission_id) override {
    return reader_.GetProto<storage::SubmissionEntry>(
        SubmissionDbKey(submission_id));
  }
  absl::StatusOr<std::optional<v1::RosterEntry>> RosterEntryOf(
      const SchoolKey& key) override {
    return reader_.GetProto<v1::RosterEntry>(RosterDbKey(key));
  }
  absl::StatusOr<std::vector<v1::Region>> Regions() override {
    return ReadRegions(reader_, "");
  }
  absl::StatusOr<std::vector<v1::RosterEntry>> Roster(
      absl::string_view term, absl::string_view county,
      absl::string_view district) override {
    std::vector<v1::RosterEntry> entries;
    RETURN_IF_ERROR(reader_.Scan<v1::RosterEntry>(
        RosterDbPrefix(term, county, district), "",
        [&](absl::string_view, v1::RosterEntry& entry) {
          entries.push_back(std::move(entry));
          return true;
        }));
    return entries;
  }

 private:
  RocksDbReader reader_;
};

// The newest revision in the log as seen by `read_options`.
absl::StatusOr<int64_t> LastLoggedRevision(
    rocksdb::DB& db, const rocksdb::ReadOptions& read_options) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read_options));
  it->SeekForPrev(
      absl::StrCat(absl::string_view(&kLogSpace, 1), std::string(8, '\xff')));
  if (!it->status().ok()) return FromRocksDb(it->status(), "seek log");
  if (!it->Valid() || it->key().size() != 9 || it->key()[0] != kLogSpace) {
    return 0;
  }
  return DecodeCounter(absl::string_view(it->key().data() + 1, 8));
}

// The newest revision as `read_options` see it: the counter written with
// each commit, or, in a store written before it, the newest log key.
absl::StatusOr<int64_t> NewestRevision(rocksdb::DB& db,
                                       const rocksdb::ReadOptions& read_options) {
  RocksDbReader reader(&db, read_options);
  ASSIGN_OR_RETURN(std::optional<std::string> newest, reader.Get(kNewestKey));
  if (!newest.has_value()) return LastLoggedRevision(db, read_options);
  const int64_t revision = DecodeCounter(*newest);
  if (revision < 0) return absl::DataLossError("malformed newest revision");
  return revision;
}

}  // namespace

absl::StatusOr<std::unique_ptr<RocksDbSubmissionStore>>
RocksDbSubmissionStore::Open(const Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<rocksdb::DB> db,
                   OpenDurableDb(options.data_dir, options.env));
  ASSIGN_OR_RETURN(int64_t revision,
                   LastLoggedRevision(*db, rocksdb::ReadOptions()));
  ASSIGN_OR_RETURN(int64_t oldest,
                   RocksDbReader(db.get()).GetCounter(kOldestKey));
  if (oldest == 0) oldest = 1;  // never compacted
  // The newest log entry is never compacted, so a gap here is damage.
  if (revision > 0 && oldest > revision) {
    return absl::DataLossError(absl::StrCat("oldest revision ", oldest,
                                            " is above the newest ", revision));
  }
  // A new store, or one made before history ids, gets its history here.
  ASSIGN_OR_RETURN(std::string history,
                   ReadOrRecordRandomId(*db, kHistoryKey, "history id"));
  return std::unique_ptr<RocksDbSubmissionStore>(new RocksDbSubmissionStore(
      options, std::move(db), revision, oldest, std::move(history)));
}

RocksDbSubmissionStore::RocksDbSubmissionStore(const Options& options,
                                               std::unique_ptr<rocksdb::DB> db,
                                               int64_t revision,
                                               int64_t oldest_revision,
                                               std::string history_id)
    : options_(options),
      db_(std::move(db)),
      revision_(revision),
      history_id_(std::move(history_id)),
      oldest_revision_(oldest_revision) {
  committer_ = std::make_unique<GroupCommitter>(
      [this](const std::vector<PendingCommit>& group) {
        return WriteGroup(group);
      },
      [this] { AfterGroup(); });
}

RocksDbSubmissionStore::~RocksDbSubmissionStore() {
  committer_->Stop();
  db_->Close().PermitUncheckedError();
}

void RocksDbSubmissionStore::SetCommitListener(
    std::function<void(int64_t)> listener) {
  listener_ = std::move(listener);
}

void RocksDbSubmissionStore::Commit(std::vector<storage::Change> rows,
                                    CommitOptions options, CommitCallback done) {
  committer_->Enqueue({std::move(rows), std::move(options), std::move(done)});
}

std::vector<absl::StatusOr<CommitResult>> RocksDbSubmissionStore::WriteGroup(
    const std::vector<PendingCommit>& group) {
  MutexLock lock(&write_mu_);
  // overwrite_key: a later commit of the group reads the newest value.
  rocksdb::WriteBatchWithIndex batch(rocksdb::BytewiseComparator(), 0,
                                     /*overwrite_key=*/true);
  BatchPlanReader reader(db_.get(), &batch);
  const absl::Time now = options_.clock->Now();
  int64_t next_revision = revision_.load() + 1;
  std::vector<absl::StatusOr<CommitResult>> results;
  results.reserve(group.size());
  absl::Status write_status;
  for (const PendingCommit& pending : group) {
    absl::StatusOr<CommitPlan> plan =
        PlanCommit(pending.rows, pending.options, next_revision, now, reader);
    if (!plan.ok()) {
      results.push_back(plan.status());
      continue;
    }
    for (const v1::SchoolRecord& record : plan->records) {
      write_status.Update(
          BatchPut(batch,
                   SchoolDbKey(SchoolKeyOf(record)),
                   record.SerializeAsString()));
    }
    for (const auto& [key, entry] : plan->roster) {
      write_status.Update(
          entry.has_value()
              ? BatchPut(batch, RosterDbKey(key), entry->SerializeAsString())
              : FromRocksDb(batch.Delete(RosterDbKey(key)), "batch"));
    }
    for (const v1::Region& region : plan->regions) {
      write_status.Update(BatchPut(batch, RegionDbKey(region.county()),
                                   region.SerializeAsString()));
    }
    for (const auto& [id, entry] : plan->submissions) {
      write_status.Update(
          BatchPut(batch, SubmissionDbKey(id), entry.SerializeAsString()));
    }
    if (plan->log_entry.has_value()) {
      write_status.Update(BatchPut(batch, LogDbKey(next_revision),
                                   plan->log_entry->SerializeAsString()));
      write_status.Update(
          BatchPut(batch, kNewestKey, EncodeCounter(next_revision)));
      ++next_revision;
    }
    results.push_back(std::move(plan->result));
  }
  if (write_status.ok() && batch.GetWriteBatch()->Count() > 0 &&
      options_.disk_floor != nullptr) {
    write_status = options_.disk_floor->Check();
  }
  if (write_status.ok() && batch.GetWriteBatch()->Count() > 0) {
    write_status = WriteInKeyOrder(*db_, batch, options_.sync,
                                   "commit submissions");
  }
  if (!write_status.ok()) {
    for (auto& result : results) result = write_status;
    return results;
  }
  advanced_ = next_revision - 1 > revision_.load();
  if (advanced_) revision_.store(next_revision - 1);
  return results;
}

void RocksDbSubmissionStore::AfterGroup() {
  if (advanced_ && listener_) listener_(revision_.load());
  advanced_ = false;
}

absl::StatusOr<v1::Roster> RocksDbSubmissionStore::GetRoster(
    const v1::GetRosterRequest& request) {
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.snapshot();
  RocksDbReader reader(db_.get(), read_options);
  v1::Roster roster;
  roster.set_term(request.term());
  roster.set_county(request.county());
  RETURN_IF_ERROR(reader.Scan<v1::RosterEntry>(
      RosterDbPrefix(request.term(), request.county(), request.district()), "",
      [&](absl::string_view, v1::RosterEntry& entry) {
        *roster.add_schools() = std::move(entry);
        return true;
      }));
  if (roster.schools().empty()) {
    if (request.county().empty()) {
      return absl::NotFoundError(
          request.term().empty()
              ? std::string("no roster in any term")
              : absl::StrCat("no roster in term ", request.term()));
    }
    return absl::NotFoundError(absl::StrCat(
        "no roster for ", request.county(),
        request.district().empty() ? "" : "/", request.district(),
        " in term ", request.term()));
  }
  ASSIGN_OR_RETURN(int64_t revision, NewestRevision(*db_, read_options));
  roster.set_revision(revision);
  return roster;
}

absl::StatusOr<v1::Regions> RocksDbSubmissionStore::GetRegions(
    const v1::GetRegionsRequest& request) {
  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.snapshot();
  RocksDbReader reader(db_.get(), read_options);
  v1::Regions regions;
  ASSIGN_OR_RETURN(std::vector<v1::Region> found,
                   ReadRegions(reader, request.province()));
  if (found.empty()) {
    return absl::NotFoundError(
        request.province().empty()
            ? std::string("no regions")
            : absl::StrCat("no county in province ", request.province()));
  }
  for (v1::Region& region : found) *regions.add_regions() = std::move(region);
  ASSIGN_OR_RETURN(int64_t revision, NewestRevision(*db_, read_options));
  regions.set_revision(revision);
  return regions;
}

absl::StatusOr<v1::SchoolRecord> RocksDbSubmissionStore::GetSchool(
    const SchoolKey& key) {
  ASSIGN_OR_RETURN(
      std::optional<v1::SchoolRecord> record,
      RocksDbReader(db_.get()).GetProto<v1::SchoolRecord>(SchoolDbKey(key)));
  if (!record.has_value() || IsRemoved(*record)) {
    return absl::NotFoundError(absl::StrCat("no record for school ", key.school,
                                            " of district ", key.district, ", ",
                                            key.county, " in term ", key.term));
  }
  return *std::move(record);
}

absl::StatusOr<v1::ListSchoolsResponse> RocksDbSubmissionStore::ListSchools(
    const v1::ListSchoolsRequest& request) {
  const std::string prefix = absl::StrCat(
      absl::string_view(&kSchoolSpace, 1),
      SchoolKeyPrefix(request.term(), request.county(), request.district()));
  const int page_size = request.page_size() <= 0
                            ? kDefaultPageSize
                            : std::min(request.page_size(), kMaxPageSize);
  // A page token: the first page's revision (8 bytes), then the last key.
  int64_t token_revision = -1;
  std::string resume_after;
  if (!request.page_token().empty()) {
    std::string token;
    if (!absl::WebSafeBase64Unescape(request.page_token(), &token) ||
        token.size() < 8 ||
        !absl::StartsWith(absl::string_view(token).substr(8), prefix)) {
      return InvalidArgument(
          {{"page_token", "is not a token returned for these filters"}});
    }
    token_revision = DecodeCounter(absl::string_view(token).substr(0, 8));
    resume_after = token.substr(8);
  }

  rocksdb::ManagedSnapshot snapshot(db_.get());
  rocksdb::ReadOptions read_options;
  read_options.snapshot = snapshot.snapshot();
  RocksDbReader reader(db_.get(), read_options);
  ASSIGN_OR_RETURN(int64_t current, NewestRevision(*db_, read_options));
  // Every page shows the schools as of the first page's revision.
  const int64_t revision = token_revision < 0 ? current : token_revision;
  if (revision > current) {
    return InvalidArgument({{"page_token", "names a revision never reached"}});
  }
  if (revision < current) {
    // Records changed since are read back through the log, which must
    // still hold every revision after `revision`.
    ASSIGN_OR_RETURN(int64_t oldest, reader.GetCounter(kOldestKey));
    if (std::max<int64_t>(oldest, 1) > revision + 1) {
      return absl::OutOfRangeError(absl::StrCat(
          "the listing's revision ", revision,
          " was compacted away (the oldest revision kept is ", oldest,
          "); list again from the first page"));
    }
  }
  v1::ListSchoolsResponse response;
  response.set_revision(revision);
  response.set_history_id(history_id_);

  // `record` as it stood at `revision`; nullopt when created after it.
  auto as_of = [&](v1::SchoolRecord record)
      -> absl::StatusOr<std::optional<v1::SchoolRecord>> {
    const std::string key = SchoolDbKey(SchoolKeyOf(record));
    while (record.mod_revision() > revision) {
      ASSIGN_OR_RETURN(std::optional<storage::RevisionEntry> entry,
                       reader.GetProto<storage::RevisionEntry>(
                           LogDbKey(record.mod_revision())));
      const v1::Event* event = nullptr;
      if (entry.has_value()) {
        for (const v1::Event& e : entry->events()) {
          const v1::SchoolRecord& s = e.school();
          if (SchoolDbKey(SchoolKeyOf(s)) == key) {
            event = &e;
          }
        }
      }
      if (event != nullptr && !event->has_prev_school() &&
          record.create_revision() == record.mod_revision()) {
        return std::nullopt;  // created after `revision`
      }
      if (event == nullptr || !event->has_prev_school()) {
        return absl::DataLossError(absl::StrCat(
            "revision ", record.mod_revision(), " of the log does not hold ",
            record.school(), "'s previous record"));
      }
      record = event->prev_school();
    }
    if (IsRemoved(record)) return std::nullopt;  // retracted by `revision`
    return record;
  };

  std::string last_key;
  absl::Status failed;
  RETURN_IF_ERROR(reader.Scan<v1::SchoolRecord>(
      prefix, resume_after,
      [&](absl::string_view key, v1::SchoolRecord& record) {
        if (key == resume_after) return true;
        if (response.schools_size() == page_size) {
          response.set_next_page_token(absl::WebSafeBase64Escape(
              absl::StrCat(EncodeCounter(revision), last_key)));
          return false;
        }
        absl::StatusOr<std::optional<v1::SchoolRecord>> then =
            as_of(std::move(record));
        if (!then.ok()) {
          failed = then.status();
          return false;
        }
        if (then->has_value()) *response.add_schools() = **std::move(then);
        last_key = std::string(key);
        return true;
      }));
  RETURN_IF_ERROR(failed);
  return response;
}

absl::StatusOr<std::vector<storage::RevisionEntry>>
RocksDbSubmissionStore::ReadLog(int64_t after_revision, int max_revisions) {
  auto compacted = [this](int64_t wanted) {
    return absl::OutOfRangeError(
        absl::StrCat("revision ", wanted,
                     " has been compacted; the oldest revision kept "
                     "is ",
                     oldest_revision_.load(),
                     ": list the schools and watch from "
                     "the list's revision"));
  };
  const int64_t first = std::max<int64_t>(after_revision, 0) + 1;
  if (first < oldest_revision_.load()) return compacted(first);

  std::vector<storage::RevisionEntry> entries;
  int64_t expected = first;
  absl::Status gap;
  RETURN_IF_ERROR(RocksDbReader(db_.get()).Scan<storage::RevisionEntry>(
      std::string(1, kLogSpace), LogDbKey(first),
      [&](absl::string_view, storage::RevisionEntry& entry) {
        if (static_cast<int>(entries.size()) >= max_revisions) {
          return false;
        }
        if (entry.revision() != expected) {
          // Compacted between the check above and the read, or
          // damaged.
          gap = expected == first && entry.revision() > first &&
                        first < oldest_revision_.load()
                    ? compacted(first)
                    : absl::DataLossError(
                          absl::StrCat("change log gap: expected ", expected,
                                       ", found ", entry.revision()));
          return false;
        }
        ++expected;
        entries.push_back(std::move(entry));
        return true;
      }));
  RETURN_IF_ERROR(gap);
  return entries;
}

absl::StatusOr<int64_t> RocksDbSubmissionStore::Compact(int64_t revision) {
  MutexLock lock(&compact_mu_);
  const int64_t current = revision_.load();
  if (revision < 1 || revision > current) {
    return InvalidArgument(
        {{"revision",
          absl::StrCat("must be in 1..", current, " (the current revision)")}});
  }
  const int64_t oldest = oldest_revision_.load();
  if (revision <= oldest) return oldest;
  // Tombstones retracted below `revision`: a listing can go on from
  // revision - 1 at the oldest, where those schools are already gone, and
  // a school submitted again starts over without one. Found without
  // holding up commits, then re-read under write_mu_.
  std::vector<std::string> candidates;
  RETURN_IF_ERROR(RocksDbReader(db_.get()).Scan<v1::SchoolRecord>(
      absl::string_view(&kSchoolSpace, 1), "",
      [&](absl::string_view key, v1::SchoolRecord& record) {
        if (IsRemoved(record) && record.mod_revision() < revision) {
          candidates.emplace_back(key);
        }
        return true;
      }));
  if (options_.after_tombstone_scan) options_.after_tombstone_scan();
  MutexLock writes(&write_mu_);
  rocksdb::WriteBatch batch;
  RocksDbReader reader(db_.get());
  for (const std::string& key : candidates) {
    ASSIGN_OR_RETURN(std::optional<v1::SchoolRecord> record,
                     reader.GetProto<v1::SchoolRecord>(key));
    // Gone, or changed since the scan: submitted again (and perhaps
    // retracted again, at or above `revision`).
    if (!record.has_value() || !IsRemoved(*record) ||
        record->mod_revision() >= revision) {
      continue;
    }
    RETURN_IF_ERROR(FromRocksDb(batch.Delete(key), "compact"));
  }
  batch.DeleteRange(LogDbKey(oldest), LogDbKey(revision));
  batch.Put(kOldestKey, EncodeCounter(revision));
  rocksdb::WriteOptions write_options;
  write_options.sync = options_.sync;
  RETURN_IF_ERROR(FromRocksDb(db_->Write(write_options, &batch), "compact"));
  oldest_revision_.store(revision);
  return revision;
}

absl::Status RocksDbSubmissionStore::Resume() {
  return FromRocksDb(db_->Resume(), "resume writing");
}

absl::StatusOr<v1::BackupResponse> RocksDbSubmissionStore::Backup() {
  namespace fs = std::filesystem;
  const std::string& parent = options_.backup_dir;
  if (parent.empty()) {
    return absl::FailedPreconditionError(
        "this ingest makes no backups: start it with --backup_dir=DIR");
  }
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot create the backup directory ", parent, ": ", error.message()));
  }
  // Made under a temporary name, renamed once complete: a directory with
  // the final name is always a whole copy.
  const std::string partial = absl::StrCat(
      parent, "/.partial-",
      absl::FormatTime("%Y%m%dT%H%M%E3S", absl::Now(), absl::UTCTimeZone()));
  rocksdb::Checkpoint* raw = nullptr;
  RETURN_IF_ERROR(
      FromRocksDb(rocksdb::Checkpoint::Create(db_.get(), &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // Flushes the memtable first (0), so the copy needs no write-ahead log.
  RETURN_IF_ERROR(FromRocksDb(checkpoint->CreateCheckpoint(partial, 0),
                              absl::StrCat("write a checkpoint to ", partial)));
  if (options_.after_checkpoint) options_.after_checkpoint();
  // The copy's own revision: commits went on while it was made.
  int64_t revision = 0;
  {
    rocksdb::Options options;
    rocksdb::DB* copy = nullptr;
    RETURN_IF_ERROR(FromRocksDb(
        rocksdb::DB::OpenForReadOnly(options, partial, &copy),
        absl::StrCat("open the checkpoint ", partial)));
    std::unique_ptr<rocksdb::DB> owned(copy);
    ASSIGN_OR_RETURN(revision,
                     NewestRevision(*owned, rocksdb::ReadOptions()));
  }
  const std::string path = absl::StrCat(
      parent, "/ingest-", history_id_, "-rev", revision, "-",
      absl::FormatTime("%Y%m%dT%H%M%SZ", absl::Now(), absl::UTCTimeZone()));
  fs::rename(partial, path, error);
  if (error) {
    return absl::InternalError(absl::StrCat("cannot rename ", partial, " to ",
                                            path, ": ", error.message()));
  }
  // The rename survives a power cut once the parent directory is synced.
  if (const int fd = open(parent.c_str(), O_RDONLY | O_DIRECTORY); fd >= 0) {
    fsync(fd);
    close(fd);
  }
  int64_t bytes = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  v1::BackupResponse response;
  response.set_path(path);
  response.set_revision(revision);
  response.set_history_id(history_id_);
  response.set_bytes(bytes);
  return response;
}

}  // namespace headcount::ingest
