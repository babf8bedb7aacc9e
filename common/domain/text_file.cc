#include "common/domain/text_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace headcount {

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    // ifstream opens a directory and reads nothing from it.
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(EISDIR)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    const std::string message =
        absl::StrCat("cannot read ", path, ": ", std::strerror(error));
    return error == EACCES ? absl::PermissionDeniedError(message)
                           : absl::NotFoundError(message);
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::Status ReplaceFile(const std::string& path, absl::string_view bytes) {
  const std::string temporary = absl::StrCat(path, ".partial-", getpid());
  auto failed = [&](const char* step) {
    const int error = errno;
    unlink(temporary.c_str());
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot write ", path, ": ", step, ": ", std::strerror(error)));
  };
  const int fd =
      open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::PermissionDeniedError(absl::StrCat(
        "cannot write ", path, ": ", std::strerror(errno)));
  }
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t written = write(fd, bytes.data() + done, bytes.size() - done);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) {
      const int error = errno;
      close(fd);
      errno = error;
      return failed("write");
    }
    done += static_cast<size_t>(written);
  }
  if (fsync(fd) != 0) {
    const int error = errno;
    close(fd);
    errno = error;
    return failed("fsync");
  }
  if (close(fd) != 0) return failed("close");
  if (rename(temporary.c_str(), path.c_str()) != 0) return failed("rename");
  return absl::OkStatus();
}

}  // namespace headcount
