// A gRPC server as both services run it: bound to one address, with health
// checking and server reflection, and a drain on shutdown.
#ifndef HEADCOUNT_COMMON_SERVER_GRPC_SERVER_H_
#define HEADCOUNT_COMMON_SERVER_GRPC_SERVER_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/server/resource_limits.h"
#include "grpcpp/grpcpp.h"

namespace headcount {

// Largest request a server accepts; above it gRPC answers RESOURCE_EXHAUSTED.
inline constexpr int kMaxReceiveMessageBytes = 4 * 1024 * 1024;

class GrpcServer {
 public:
  // (full service name, service). The service is not owned and outlives the
  // server.
  using NamedService = std::pair<std::string, grpc::Service*>;

  // Binds `listen` ("HOST:PORT", port 0 picks a free one) with
  // `credentials`, registers the services, health checking (NOT_SERVING
  // for "" and every service name until SetServing(true)) and reflection,
  // and starts serving within `limits` (streams per connection, idle
  // connections, ping enforcement, the memory quota; the process-wide ones
  // are ApplyProcessLimits'). UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(
      const std::string& listen, const std::vector<NamedService>& services,
      std::shared_ptr<grpc::ServerCredentials> credentials =
          grpc::InsecureServerCredentials(),
      const ResourceLimits& limits = ResourceLimits());

  // A plaintext listener that serves only grpc.health.v1.Health (and
  // reflection, to describe it), for probes that cannot present a client
  // certificate, such as Kubernetes' native gRPC probes. Its overall status
  // "" is liveness: SERVING from the start until Shutdown. Each name of
  // `service_names` is readiness and follows SetServing, as on the main
  // server. INVALID_ARGUMENT for a malformed address, UNAVAILABLE when it
  // cannot be bound.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> StartHealthOnly(
      const std::string& listen, std::vector<std::string> service_names,
      const ResourceLimits& limits = ResourceLimits());

  // Drains if Shutdown was not called.
  ~GrpcServer();

  // "HOST:PORT" with the port actually bound.
  const std::string& address() const { return address_; }
  int port() const { return port_; }

  // Health status of every registered service, and of "" except on a
  // health-only server (where "" stays SERVING until Shutdown).
  void SetServing(bool serving);

  // Health NOT_SERVING, no new calls, then waits up to `grace` for calls in
  // flight before cancelling them.
  void Shutdown(absl::Duration grace);

 private:
  // Start and StartHealthOnly: `services` registered, health for
  // `health_names`; errors name `flag`.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Build(
      absl::string_view flag, const std::string& listen, const std::vector<NamedService>& services,
      std::vector<std::string> health_names, bool health_only,
      std::shared_ptr<grpc::ServerCredentials> credentials,
      const ResourceLimits& limits);

  // Health status of "" alone.
  void SetOverallServing(bool serving);

  GrpcServer(std::unique_ptr<grpc::Server> server,
             std::vector<std::string> service_names, bool health_only,
             std::string address, int port)
      : server_(std::move(server)),
        service_names_(std::move(service_names)),
        health_only_(health_only),
        address_(std::move(address)),
        port_(port) {}

  std::unique_ptr<grpc::Server> server_;
  std::vector<std::string> service_names_;
  const bool health_only_;
  std::string address_;
  int port_;
  bool shut_down_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread and the threads it starts
// later. Call first thing in main.
void BlockTerminationSignals();

// Waits for SIGTERM or SIGINT (blocked by BlockTerminationSignals) and
// returns its number.
int WaitForTerminationSignal();

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_GRPC_SERVER_H_
