#include "tests/fault/power_loss_file_system.h"

#include <unistd.h>

#include "common/domain/mutex.h"

namespace headcount::testing {
namespace {

using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

class TrackedFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string name,
              PowerLossFileSystem* fs)
      : FSWritableFileOwnerWrapper(std::move(file)), name_(std::move(name)), fs_(fs) {}

  IOStatus Append(const Slice& data, const IOOptions& options,
                  IODebugContext* dbg) override {
    if (!fs_->powered()) return IOStatus::OK();
    IOStatus s = target()->Append(data, options, dbg);
    if (s.ok()) fs_->Appended(name_, data.size());
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& options,
                  const rocksdb::DataVerificationInfo&,
                  IODebugContext* dbg) override {
    return Append(data, options, dbg);
  }
  IOStatus PositionedAppend(const Slice&, uint64_t, const IOOptions&,
                            IODebugContext*) override {
    return IOStatus::NotSupported("PowerLossFileSystem: positioned append");
  }
  IOStatus PositionedAppend(const Slice&, uint64_t, const IOOptions&,
                            const rocksdb::DataVerificationInfo&,
                            IODebugContext*) override {
    return IOStatus::NotSupported("PowerLossFileSystem: positioned append");
  }
  IOStatus Sync(const IOOptions& options, IODebugContext* dbg) override {
    if (!fs_->powered()) return IOStatus::OK();
    IOStatus s = target()->Sync(options, dbg);
    if (s.ok()) fs_->Synced(name_);
    return s;
  }
  IOStatus Fsync(const IOOptions& options, IODebugContext* dbg) override {
    if (!fs_->powered()) return IOStatus::OK();
    IOStatus s = target()->Fsync(options, dbg);
    if (s.ok()) fs_->Synced(name_);
    return s;
  }
  // RangeSync is a hint, not a durability point: it syncs nothing here.
  IOStatus RangeSync(uint64_t, uint64_t, const IOOptions&,
                     IODebugContext*) override {
    return IOStatus::OK();
  }
  IOStatus Flush(const IOOptions& options, IODebugContext* dbg) override {
    if (!fs_->powered()) return IOStatus::OK();
    return target()->Flush(options, dbg);
  }

 private:
  const std::string name_;
  PowerLossFileSystem* const fs_;
};

}  // namespace

IOStatus PowerLossFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* file, IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> base;
  IOStatus s = target()->NewWritableFile(name, options, &base, dbg);
  if (!s.ok()) return s;
  {
    MutexLock lock(&mu_);
    files_[name] = FileState{};
  }
  file->reset(new TrackedFile(std::move(base), name, this));
  return s;
}

IOStatus PowerLossFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* file, IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSWritableFile> base;
  IOStatus s = target()->ReopenWritableFile(name, options, &base, dbg);
  if (!s.ok()) return s;
  uint64_t size = 0;
  target()->GetFileSize(name, IOOptions(), &size, dbg).PermitUncheckedError();
  {
    MutexLock lock(&mu_);
    auto [it, inserted] = files_.emplace(name, FileState{size, size});
    if (!inserted) it->second.size = size;
  }
  file->reset(new TrackedFile(std::move(base), name, this));
  return s;
}

IOStatus PowerLossFileSystem::RenameFile(const std::string& from,
                                         const std::string& to,
                                         const IOOptions& options,
                                         IODebugContext* dbg) {
  if (!powered()) return IOStatus::OK();
  IOStatus s = target()->RenameFile(from, to, options, dbg);
  if (s.ok()) {
    MutexLock lock(&mu_);
    auto it = files_.find(from);
    if (it != files_.end()) {
      files_[to] = it->second;
      files_.erase(it);
    }
  }
  return s;
}

IOStatus PowerLossFileSystem::DeleteFile(const std::string& name,
                                         const IOOptions& options,
                                         IODebugContext* dbg) {
  if (!powered()) return IOStatus::OK();
  IOStatus s = target()->DeleteFile(name, options, dbg);
  if (s.ok()) {
    MutexLock lock(&mu_);
    files_.erase(name);
  }
  return s;
}

void PowerLossFileSystem::CutPower() {
  MutexLock lock(&mu_);
  powered_ = false;
}

bool PowerLossFileSystem::powered() const {
  MutexLock lock(&mu_);
  return powered_;
}

void PowerLossFileSystem::Appended(const std::string& name, uint64_t bytes) {
  MutexLock lock(&mu_);
  files_[name].size += bytes;
}

void PowerLossFileSystem::Synced(const std::string& name) {
  MutexLock lock(&mu_);
  FileState& state = files_[name];
  state.synced = state.size;
}

void PowerLossFileSystem::DropUnsyncedData() {
  MutexLock lock(&mu_);
  for (const auto& [name, state] : files_) {
    if (state.synced < state.size) {
      if (truncate(name.c_str(), static_cast<off_t>(state.synced)) != 0) {
        // The file may have been deleted: nothing to drop.
      }
    }
  }
}

}  // namespace headcount::testing
