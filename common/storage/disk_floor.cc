#include "common/storage/disk_floor.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace headcount {

absl::StatusOr<uint64_t> FileSystemFreeBytes(const std::string& dir) {
  // The directory may not exist yet (a first start): ask its parent.
  std::filesystem::path path = std::filesystem::absolute(dir);
  std::error_code error;
  while (!std::filesystem::exists(path, error) && path.has_parent_path() &&
         path.parent_path() != path) {
    path = path.parent_path();
  }
  struct statvfs vfs;
  if (statvfs(path.c_str(), &vfs) != 0) {
    return absl::InternalError(absl::StrCat("statvfs(", path.string(),
                                            "): ", std::strerror(errno)));
  }
  return static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
}

absl::Status DiskFloor::Check() const {
  if (floor_bytes_ == 0) return absl::OkStatus();
  absl::StatusOr<uint64_t> free = free_bytes_(dir_);
  if (!free.ok()) return free.status();
  if (*free >= floor_bytes_) return absl::OkStatus();
  return absl::ResourceExhaustedError(absl::StrCat(
      "disk full: ", *free >> 20, " MiB free under the ", floor_bytes_ >> 20,
      " MiB floor (--disk_floor_mib) on the file system of ", dir_,
      "; writes resume by themselves when space returns"));
}

}  // namespace headcount
