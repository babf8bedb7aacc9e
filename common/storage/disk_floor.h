// A free-space floor under a data directory: writes are refused while the
// file system holding it has less free space than the floor, so that the
// store never meets ENOSPC half-way through a write (RocksDB then stops
// writing until it is resumed, and asserts on reopening a full disk).
#ifndef HEADCOUNT_COMMON_STORAGE_DISK_FLOOR_H_
#define HEADCOUNT_COMMON_STORAGE_DISK_FLOOR_H_

#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace headcount {

// Bytes free for an unprivileged writer on the file system holding `dir`
// (or its nearest existing parent); INTERNAL when statvfs fails.
absl::StatusOr<uint64_t> FileSystemFreeBytes(const std::string& dir);

class DiskFloor {
 public:
  using FreeBytesFn =
      std::function<absl::StatusOr<uint64_t>(const std::string& dir)>;

  // A floor of 0 never refuses. `free_bytes` is replaceable for tests.
  DiskFloor(std::string dir, uint64_t floor_bytes,
            FreeBytesFn free_bytes = FileSystemFreeBytes)
      : dir_(std::move(dir)),
        floor_bytes_(floor_bytes),
        free_bytes_(std::move(free_bytes)) {}

  // OK when a write may go ahead; RESOURCE_EXHAUSTED "disk full: N MiB free
  // under the M MiB floor ..." otherwise. Asks the file system each time.
  absl::Status Check() const;

  uint64_t floor_bytes() const { return floor_bytes_; }
  const std::string& dir() const { return dir_; }

 private:
  const std::string dir_;
  const uint64_t floor_bytes_;
  const FreeBytesFn free_bytes_;
};

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_STORAGE_DISK_FLOOR_H_
