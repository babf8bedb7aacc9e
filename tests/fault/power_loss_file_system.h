// A RocksDB FileSystem that can lose power: it remembers how much of each
// file was synced, and after CutPower() and DropUnsyncedData() every byte
// written after a file's last sync is gone, as after a real power loss (a
// kill -9 leaves unsynced writes in the page cache, so it proves nothing
// about fsync).
#ifndef HEADCOUNT_TESTS_FAULT_POWER_LOSS_FILE_SYSTEM_H_
#define HEADCOUNT_TESTS_FAULT_POWER_LOSS_FILE_SYSTEM_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "rocksdb/file_system.h"

namespace headcount::testing {

class PowerLossFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit PowerLossFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base)
      : FileSystemWrapper(base) {}

  static const char* kClassName() { return "PowerLossFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& name,
                                    const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* file,
      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& name,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  // From now on nothing written reaches a file: the machine is off. The
  // database can then be closed without its closing writes landing.
  void CutPower();
  // Truncates every file written through this file system to its synced
  // length. Call after the database is closed.
  void DropUnsyncedData();

  // Called by the files.
  bool powered() const;
  void Appended(const std::string& name, uint64_t bytes);
  void Synced(const std::string& name);

 private:
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
  };
  mutable absl::Mutex mu_;
  std::map<std::string, FileState> files_ ABSL_GUARDED_BY(mu_);
  bool powered_ ABSL_GUARDED_BY(mu_) = true;
};

}  // namespace headcount::testing

#endif  // HEADCOUNT_TESTS_FAULT_POWER_LOSS_FILE_SYSTEM_H_
