// Opens RocksDB as both services keep their state: created if missing,
// recovered strictly, and checked end to end before anything is served.
#ifndef HEADCOUNT_COMMON_STORAGE_DURABLE_DB_H_
#define HEADCOUNT_COMMON_STORAGE_DURABLE_DB_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"

namespace headcount {

// Opens (creating if missing) the database in `data_dir`. A torn record at
// the end of the WAL (a write that was never acknowledged) is dropped;
// damage anywhere else, in the WAL or in any table file (every block's
// checksum is verified here), is DATA_LOSS: the caller must refuse to serve
// rather than serve what survived. `env` is not owned; null: the default.
// The identifier stored at `key`; when there is none, a new random one
// (NewRandomId) is stored there first, synced. `what` names it in errors.
absl::StatusOr<std::string> ReadOrRecordRandomId(rocksdb::DB& db,
                                                 absl::string_view key,
                                                 absl::string_view what);

absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenDurableDb(
    const std::string& data_dir, rocksdb::Env* env);

// What an operator watches of a RocksDB database (its properties now).
struct StorageFigures {
  double live_data_bytes = 0;             // estimate-live-data-size
  double pending_compaction_bytes = 0;    // estimate-pending-compaction-bytes
  double write_stopped = 0;               // 1 while writes are stopped
  double write_stalls = 0;  // cumulative slowdowns and stops (cfstats)
};
StorageFigures ReadStorageFigures(rocksdb::DB& db);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_STORAGE_DURABLE_DB_H_
