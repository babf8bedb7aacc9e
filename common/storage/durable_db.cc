#include "common/storage/durable_db.h"

#include "absl/strings/str_cat.h"
#include "common/domain/status_util.h"
#include "common/storage/rocksdb_reader.h"
#include "rocksdb/options.h"

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

}  // namespace headcount
