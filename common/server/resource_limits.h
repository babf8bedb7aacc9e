// What one server process lets its clients hold: descriptors, connections,
// streams, idle connections, pings and gRPC's memory. The flags of both
// binaries fill it (common/server/limit_flags.h); GrpcServer applies it.
#ifndef HEADCOUNT_COMMON_SERVER_RESOURCE_LIMITS_H_
#define HEADCOUNT_COMMON_SERVER_RESOURCE_LIMITS_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace headcount {

// Descriptors kept out of reach of connections: the store's files, its
// WAL, logs, the policy and certificate files, gRPC's own.
inline constexpr int kDescriptorsBesidesConnections = 256;

struct ResourceLimits {
  // The soft RLIMIT_NOFILE is raised to this at start (0: to the hard
  // limit); never lowered.
  int max_open_files = 0;
  // Client connections open at once; more are closed as they arrive
  // (common/server/connection_guard.h). Lowered at start to what the
  // descriptor limit allows.
  int max_connections = 10000;
  // Calls open at once on one connection (HTTP/2 SETTINGS); a client
  // opening more waits for one to end.
  int max_concurrent_streams = 1000;
  // A connection with no call for this long is closed (GOAWAY).
  absl::Duration max_connection_idle = absl::Minutes(5);
  // Keepalive enforcement: a client pinging more often than this (with or
  // without calls) gets GOAWAY "too_many_pings" after two strikes.
  absl::Duration min_ping_interval = absl::Seconds(5);
  // gRPC's resource quota: the memory its transports may use for buffers;
  // under pressure it shrinks windows and closes idle connections.
  size_t grpc_memory_bytes = size_t{1} << 30;
};

// Raises the process's descriptor limit to `limits.max_open_files` (or the
// hard limit), lowers `limits.max_connections` to fit under it, turns the
// connection guard on, and describes the result for the startup line.
// INVALID_ARGUMENT for values out of range.
absl::StatusOr<std::string> ApplyProcessLimits(ResourceLimits& limits);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_RESOURCE_LIMITS_H_
