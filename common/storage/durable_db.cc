#include "common/storage/durable_db.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/domain/random_id.h"
#include "common/domain/status_util.h"
#include "common/storage/rocksdb_reader.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"

namespace headcount {

absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenDurableDb(
    const std::string& data_dir, rocksdb::Env* env) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  // Point-in-time recovery (RocksDB's default) would stop replaying at a
  // damaged record in the middle of the WAL and open with everything after
  // it silently gone. Only a torn tail is tolerated.
  options.wal_recovery_mode =
      rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  if (env != nullptr) options.env = env;
  // Most point reads of both services ask for keys that are not there (a
  // school's first record, an alert not open, an unused submission id):
  // Bloom filters answer those without reading a block, in the table files
  // and in the memtable.
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  options.memtable_prefix_bloom_size_ratio = 0.1;
  options.memtable_whole_key_filtering = true;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, data_dir, &raw_db);
  if (!s.ok()) return FromRocksDb(s, absl::StrCat("open ", data_dir));
  std::unique_ptr<rocksdb::DB> db(raw_db);
  s = db->VerifyChecksum();
  if (!s.ok()) {
    return FromRocksDb(s, absl::StrCat("verify the table files of ", data_dir));
  }
  return db;
}

absl::StatusOr<std::string> ReadOrRecordRandomId(rocksdb::DB& db,
                                                 absl::string_view key,
                                                 absl::string_view what) {
  ASSIGN_OR_RETURN(std::optional<std::string> id, RocksDbReader(&db).Get(key));
  if (id.has_value()) return *std::move(id);
  const std::string made = NewRandomId();
  rocksdb::WriteOptions write_options;
  write_options.sync = true;
  RETURN_IF_ERROR(FromRocksDb(
      db.Put(write_options, rocksdb::Slice(key.data(), key.size()), made),
      absl::StrCat("record the ", what)));
  return made;
}

}  // namespace headcount

namespace headcount {

StorageFigures ReadStorageFigures(rocksdb::DB& db) {
  StorageFigures figures;
  uint64_t value = 0;
  if (db.GetIntProperty(rocksdb::DB::Properties::kEstimateLiveDataSize,
                        &value)) {
    figures.live_data_bytes = static_cast<double>(value);
  }
  if (db.GetIntProperty(
          rocksdb::DB::Properties::kEstimatePendingCompactionBytes, &value)) {
    figures.pending_compaction_bytes = static_cast<double>(value);
  }
  if (db.GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &value)) {
    figures.write_stopped = static_cast<double>(value);
  }
  std::map<std::string, std::string> stats;
  if (db.GetMapProperty(rocksdb::DB::Properties::kCFStats, &stats)) {
    for (const char* key : {"io_stalls.total_slowdown", "io_stalls.total_stop"}) {
      auto found = stats.find(key);
      double count = 0;
      if (found != stats.end() && absl::SimpleAtod(found->second, &count)) {
        figures.write_stalls += count;
      }
    }
  }
  return figures;
}

}  // namespace headcount
