// Typed reads of RocksDB for both stores: a protobuf value or an 8-byte
// counter under a key, and prefix scans, optionally through a batch's own
// uncommitted writes (rocksdb::WriteBatchWithIndex) and at a snapshot.
#ifndef HEADCOUNT_COMMON_STORAGE_ROCKSDB_READER_H_
#define HEADCOUNT_COMMON_STORAGE_ROCKSDB_READER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/domain/status_util.h"
#include "rocksdb/db.h"
#include "rocksdb/snapshot.h"
#include "rocksdb/utilities/write_batch_with_index.h"

namespace headcount {

// Edge one: a RocksDB status as absl::Status, keeping its message; DATA_LOSS
// for corruption, UNAVAILABLE for I/O errors, busy and shutdown.
absl::Status FromRocksDb(const rocksdb::Status& status,
                         absl::string_view context);

// Adds `key` -> `value` to `batch`; RocksDB refuses only oversized keys or
// values here.
absl::Status BatchPut(rocksdb::WriteBatchWithIndex& batch,
                      absl::string_view key, absl::string_view value);

// The writes of `batch` (made with overwrite_key, holding puts and deletes
// only) as a plain batch in key order, each key once with its newest value.
// Written in key order, RocksDB's memtable inserts each key next to the one
// before it, which its skip list does cheaply (it keeps the last insert's
// place); the same keys in the order they were planned land anywhere.
// INTERNAL for an entry of another kind.
absl::StatusOr<rocksdb::WriteBatch> InKeyOrder(
    rocksdb::WriteBatchWithIndex& batch);

// Writes `batch` to `db` in key order (InKeyOrder), fsynced when `sync`:
// how both stores commit. `context` names the write in an error.
absl::Status WriteInKeyOrder(rocksdb::DB& db,
                             rocksdb::WriteBatchWithIndex& batch, bool sync,
                             absl::string_view context);

// Not thread-safe; cheap to make per call. Neither pointer is owned.
// Movable; `db` outlives the reader.
class RocksDbReader {
 public:
  // Reads `db` with `options` (set options.snapshot for a consistent view);
  // with `batch`, point reads see its writes over the database's.
  explicit RocksDbReader(rocksdb::DB* db,
                         rocksdb::ReadOptions options = rocksdb::ReadOptions(),
                         rocksdb::WriteBatchWithIndex* batch = nullptr)
      : db_(db), options_(std::move(options)), batch_(batch) {}

  // A reader of one snapshot of `db` (a consistent view across reads),
  // released with the reader.
  static RocksDbReader AtSnapshot(rocksdb::DB* db) {
    auto snapshot = std::make_unique<rocksdb::ManagedSnapshot>(db);
    rocksdb::ReadOptions options;
    options.snapshot = snapshot->snapshot();
    RocksDbReader reader(db, options);
    reader.snapshot_ = std::move(snapshot);
    return reader;
  }

  // The value under `key`; nullopt when absent.
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key);

  // The value under `key` parsed as a Message; nullopt when absent,
  // DATA_LOSS when it does not parse.
  template <typename Message>
  absl::StatusOr<std::optional<Message>> GetProto(absl::string_view key) {
    ASSIGN_OR_RETURN(std::optional<std::string> value, Get(key));
    if (!value.has_value()) return std::optional<Message>();
    Message message;
    if (!message.ParseFromString(*value)) return Unparseable(key);
    return std::optional<Message>(std::move(message));
  }

  // An EncodeCounter-encoded counter; 0 when absent, DATA_LOSS when
  // malformed.
  absl::StatusOr<int64_t> GetCounter(absl::string_view key);

  // Whether any key lies under `prefix`, the batch's writes (and deletes)
  // included.
  absl::StatusOr<bool> AnyKeyUnder(absl::string_view prefix);

  // Visits, in key order from `start` (at least `prefix`), every key under
  // `prefix` with its value parsed as a Message, until `visit` returns
  // false; the batch's writes and deletes included. DATA_LOSS when a value
  // does not parse.
  template <typename Message>
  absl::Status Scan(
      absl::string_view prefix, absl::string_view start,
      absl::FunctionRef<bool(absl::string_view key, Message& message)> visit) {
    std::unique_ptr<rocksdb::Iterator> it = NewIterator();
    for (it->Seek(ToSlice(start.empty() ? prefix : start));
         it->Valid() && it->key().starts_with(ToSlice(prefix)); it->Next()) {
      Message message;
      if (!message.ParseFromArray(it->value().data(),
                                  static_cast<int>(it->value().size()))) {
        return Unparseable(
            absl::string_view(it->key().data(), it->key().size()));
      }
      if (!visit(absl::string_view(it->key().data(), it->key().size()),
                 message)) {
        break;
      }
    }
    return FromRocksDb(it->status(), "scan");
  }

 private:
  static rocksdb::Slice ToSlice(absl::string_view s) {
    return rocksdb::Slice(s.data(), s.size());
  }
  static absl::Status Unparseable(absl::string_view key);
  // Over the database, and the batch when there is one.
  std::unique_ptr<rocksdb::Iterator> NewIterator();

  rocksdb::DB* db_;
  rocksdb::ReadOptions options_;
  rocksdb::WriteBatchWithIndex* batch_;
  std::unique_ptr<rocksdb::ManagedSnapshot> snapshot_;  // AtSnapshot only
};

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_STORAGE_ROCKSDB_READER_H_
