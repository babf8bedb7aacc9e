#include "common/server/limit_flags.h"

#include <algorithm>

#include "absl/flags/flag.h"
#include "absl/time/time.h"

namespace {
const headcount::ResourceLimits kDefaults;
}  // namespace

ABSL_FLAG(int, max_open_files, kDefaults.max_open_files,
          "raise the descriptor limit (soft RLIMIT_NOFILE) to this at start; "
          "0: to the hard limit");
ABSL_FLAG(int, max_connections, kDefaults.max_connections,
          "client connections open at once; more are closed as they arrive "
          "(lowered to fit the descriptor limit)");
ABSL_FLAG(int, max_concurrent_streams, kDefaults.max_concurrent_streams,
          "calls open at once on one connection");
ABSL_FLAG(absl::Duration, max_connection_idle, kDefaults.max_connection_idle,
          "close a connection that has had no call for this long");
ABSL_FLAG(absl::Duration, min_ping_interval, kDefaults.min_ping_interval,
          "a client pinging more often than this is disconnected after two "
          "strikes");
ABSL_FLAG(int, grpc_memory_mib,
          static_cast<int>(kDefaults.grpc_memory_bytes >> 20),
          "memory gRPC's transports may use for buffers (resource quota)");
ABSL_FLAG(int, disk_floor_mib, 256,
          "refuse writes (RESOURCE_EXHAUSTED, NOT_SERVING) while the data "
          "directory's file system has less free space than this; they "
          "resume by themselves when space returns");

namespace headcount {

absl::StatusOr<ResourceLimits> ResourceLimitsFromFlags(
    std::string& description) {
  ResourceLimits limits;
  limits.max_open_files = absl::GetFlag(FLAGS_max_open_files);
  limits.max_connections = absl::GetFlag(FLAGS_max_connections);
  limits.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  limits.max_connection_idle = absl::GetFlag(FLAGS_max_connection_idle);
  limits.min_ping_interval = absl::GetFlag(FLAGS_min_ping_interval);
  // Negative as 0: ApplyProcessLimits refuses it with the flag's rule.
  limits.grpc_memory_bytes =
      static_cast<size_t>(std::max(absl::GetFlag(FLAGS_grpc_memory_mib), 0))
      << 20;
  if (absl::GetFlag(FLAGS_disk_floor_mib) < 0) {
    return absl::InvalidArgumentError("--disk_floor_mib: must not be negative");
  }
  absl::StatusOr<std::string> applied = ApplyProcessLimits(limits);
  if (!applied.ok()) return applied.status();
  description = *std::move(applied);
  return limits;
}

uint64_t DiskFloorBytesFlag() {
  return static_cast<uint64_t>(absl::GetFlag(FLAGS_disk_floor_mib)) << 20;
}

}  // namespace headcount
