#include "common/server/resource_limits.h"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "common/server/connection_guard.h"

namespace headcount {

absl::StatusOr<std::string> ApplyProcessLimits(ResourceLimits& limits) {
  if (limits.max_open_files < 0) {
    return absl::InvalidArgumentError(
        "--max_open_files: must be 0 (the hard limit) or more");
  }
  if (limits.max_connections < 1) {
    return absl::InvalidArgumentError("--max_connections: must be at least 1");
  }
  if (limits.max_concurrent_streams < 1) {
    return absl::InvalidArgumentError(
        "--max_concurrent_streams: must be at least 1");
  }
  if (limits.max_connection_idle <= absl::ZeroDuration() ||
      limits.min_ping_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--max_connection_idle must be positive and --min_ping_interval not "
        "negative");
  }
  if (limits.grpc_memory_bytes < (size_t{16} << 20)) {
    return absl::InvalidArgumentError("--grpc_memory_mib: must be at least 16");
  }
  struct rlimit nofile;
  if (getrlimit(RLIMIT_NOFILE, &nofile) != 0) {
    return absl::InternalError(
        absl::StrCat("getrlimit(RLIMIT_NOFILE): ", std::strerror(errno)));
  }
  rlim_t wanted = limits.max_open_files == 0
                      ? nofile.rlim_max
                      : static_cast<rlim_t>(limits.max_open_files);
  if (nofile.rlim_max != RLIM_INFINITY) wanted = std::min(wanted, nofile.rlim_max);
  if (wanted > nofile.rlim_cur) {
    struct rlimit raised = nofile;
    raised.rlim_cur = wanted;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) nofile = raised;
  }
  const long descriptors = static_cast<long>(
      std::min<rlim_t>(nofile.rlim_cur, 1 << 30));
  // At least a few connections even under a tiny limit, with half of it
  // kept for everything else.
  const long room = std::max(
      std::max(descriptors - kDescriptorsBesidesConnections, descriptors / 2),
      1L);
  std::string lowered;
  if (limits.max_connections > room) {
    lowered = absl::StrCat(" (lowered from ", limits.max_connections,
                           " to fit the descriptor limit)");
    limits.max_connections = static_cast<int>(room);
  }
  GuardAcceptedConnections(limits.max_connections);
  return absl::StrCat(descriptors, " descriptors, at most ",
                      limits.max_connections, " connections", lowered, ", ",
                      limits.max_concurrent_streams,
                      " streams each, idle ones closed after ",
                      absl::FormatDuration(limits.max_connection_idle));
}

}  // namespace headcount
