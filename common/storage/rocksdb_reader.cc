#include "common/storage/rocksdb_reader.h"

#include "absl/strings/escaping.h"
#include "common/domain/school_key.h"

namespace headcount {

absl::Status FromRocksDb(const rocksdb::Status& status,
                         absl::string_view context) {
  if (status.ok()) return absl::OkStatus();
  std::string message = absl::StrCat(context, ": ", status.ToString());
  switch (status.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(message);
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(message);
    case rocksdb::Status::kInvalidArgument:
      return absl::InvalidArgumentError(message);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kTimedOut:
    case rocksdb::Status::kIOError:
    case rocksdb::Status::kShutdownInProgress:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::Status BatchPut(rocksdb::WriteBatchWithIndex& batch,
                      absl::string_view key, absl::string_view value) {
  return FromRocksDb(batch.Put(rocksdb::Slice(key.data(), key.size()),
                               rocksdb::Slice(value.data(), value.size())),
                     "batch");
}

absl::StatusOr<rocksdb::WriteBatch> InKeyOrder(
    rocksdb::WriteBatchWithIndex& batch) {
  rocksdb::WriteBatch sorted(batch.GetWriteBatch()->GetDataSize());
  std::unique_ptr<rocksdb::WBWIIterator> it(batch.NewIterator());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::WriteEntry entry = it->Entry();
    rocksdb::Status added;
    switch (entry.type) {
      case rocksdb::kPutRecord:
        added = sorted.Put(entry.key, entry.value);
        break;
      case rocksdb::kDeleteRecord:
        added = sorted.Delete(entry.key);
        break;
      default:
        return absl::InternalError(absl::StrCat(
            "a batch entry of kind ", entry.type, " cannot be reordered"));
    }
    RETURN_IF_ERROR(FromRocksDb(added, "batch"));
  }
  RETURN_IF_ERROR(FromRocksDb(it->status(), "batch"));
  return sorted;
}

absl::Status WriteInKeyOrder(rocksdb::DB& db,
                             rocksdb::WriteBatchWithIndex& batch, bool sync,
                             absl::string_view context) {
  ASSIGN_OR_RETURN(rocksdb::WriteBatch sorted, InKeyOrder(batch));
  rocksdb::WriteOptions write_options;
  write_options.sync = sync;
  return FromRocksDb(db.Write(write_options, &sorted), context);
}

absl::StatusOr<std::optional<std::string>> RocksDbReader::Get(
    absl::string_view key) {
  std::string value;
  const rocksdb::Slice slice = ToSlice(key);
  const rocksdb::Status s =
      batch_ != nullptr
          ? batch_->GetFromBatchAndDB(db_, options_, slice, &value)
          : db_->Get(options_, slice, &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok())
    return FromRocksDb(s, absl::StrCat("read ", absl::CHexEscape(key)));
  return std::optional<std::string>(std::move(value));
}

std::unique_ptr<rocksdb::Iterator> RocksDbReader::NewIterator() {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options_));
  if (batch_ != nullptr) it.reset(batch_->NewIteratorWithBase(it.release()));
  return it;
}

absl::StatusOr<bool> RocksDbReader::AnyKeyUnder(absl::string_view prefix) {
  std::unique_ptr<rocksdb::Iterator> it = NewIterator();
  it->Seek(ToSlice(prefix));
  const bool found = it->Valid() && it->key().starts_with(ToSlice(prefix));
  RETURN_IF_ERROR(FromRocksDb(it->status(), "scan"));
  return found;
}

absl::StatusOr<int64_t> RocksDbReader::GetCounter(absl::string_view key) {
  ASSIGN_OR_RETURN(std::optional<std::string> value, Get(key));
  if (!value.has_value()) return 0;
  const int64_t decoded = DecodeCounter(*value);
  if (decoded < 0) {
    return absl::DataLossError(
        absl::StrCat("malformed counter under ", absl::CHexEscape(key)));
  }
  return decoded;
}

absl::Status RocksDbReader::Unparseable(absl::string_view key) {
  return absl::DataLossError(
      absl::StrCat("unparseable value under key ", absl::CHexEscape(key)));
}

}  // namespace headcount
