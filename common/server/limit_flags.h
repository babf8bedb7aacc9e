// The resource flags both servers take (--max_open_files,
// --max_connections, --max_concurrent_streams, --max_connection_idle,
// --min_ping_interval, --grpc_memory_mib, --disk_floor_mib), defined once.
#ifndef HEADCOUNT_COMMON_SERVER_LIMIT_FLAGS_H_
#define HEADCOUNT_COMMON_SERVER_LIMIT_FLAGS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "common/server/resource_limits.h"

namespace headcount {

// ResourceLimits from the parsed command line, applied to the process
// (ApplyProcessLimits); `description` says what they came to.
absl::StatusOr<ResourceLimits> ResourceLimitsFromFlags(
    std::string& description);

// --disk_floor_mib in bytes.
uint64_t DiskFloorBytesFlag();

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_LIMIT_FLAGS_H_
