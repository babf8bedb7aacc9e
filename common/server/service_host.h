// The frame both binaries run in: one gRPC server (health, reflection), one
// store opened after the port is bound, readiness, and one drain order.
#ifndef HEADCOUNT_COMMON_SERVER_SERVICE_HOST_H_
#define HEADCOUNT_COMMON_SERVER_SERVICE_HOST_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/server/grpc_server.h"
#include "common/storage/disk_floor.h"
#include "common/server/resource_limits.h"
#include "common/server/stream_waker.h"
#include "grpcpp/grpcpp.h"

namespace headcount {

class ServiceHost;

// What a service adds to the host: its store and its background work.
class HostedService {
 public:
  virtual ~HostedService() = default;
  // Opens the store, attaches it to the handlers and starts background
  // work; reports readiness with host.SetServing(true), now or later (from
  // any thread). Called once. On error nothing may stay attached.
  virtual absl::Status OpenAndAttach(ServiceHost& host) = 0;
  // Space came back above the disk floor: let the store write again if it
  // had stopped on an error (RocksDB's Resume). Any thread.
  virtual void AfterDiskSpaceReturned() {}
  // Stops background work (nothing reports SERVING after it returns).
  // Called once, first thing in the drain, also when OpenAndAttach failed.
  virtual void StopBackground() {}
  // Detaches the store (waiting for its last borrower) and closes it.
  // Called once, after every call has ended, also when OpenAndAttach failed.
  virtual void DetachAndClose() = 0;
};

class ServiceHost {
 public:
  struct Options {
    std::string listen;  // "HOST:PORT"; port 0 picks one
    // TLS or plaintext (common/server/server_security.h).
    std::shared_ptr<grpc::ServerCredentials> credentials =
        grpc::InsecureServerCredentials();
    // How long a drain waits for calls in flight before cancelling them.
    absl::Duration shutdown_grace = absl::Seconds(10);
    // Streams, idle connections, pings, gRPC's memory.
    ResourceLimits limits;
    // The store's directory and the free space kept under it: below the
    // floor the host reports NOT_SERVING, the store refuses writes, and a
    // store not yet open waits for space (0: no floor).
    std::string data_dir;
    uint64_t disk_floor_bytes = 0;
    // "HOST:PORT" of a plaintext health-only listener for probes that
    // cannot do mutual TLS (GrpcServer::StartHealthOnly); empty: none.
    std::string health_listen;
  };

  explicit ServiceHost(Options options)
      : options_(std::move(options)),
        disk_floor_(options_.data_dir, options_.disk_floor_bytes) {}
  // Shuts down if Shutdown was not called.
  ~ServiceHost();

  // Binds, registers `service` (named `service_name` for health; not owned)
  // and serves with health NOT_SERVING: every call of the service fails
  // with UNAVAILABLE until the store is open. Also binds the health-only
  // listener when one is asked for. `hosted` is not owned and
  // outlives the host. INVALID_ARGUMENT for a malformed address,
  // UNAVAILABLE when it cannot be bound.
  absl::Status Listen(const std::string& service_name, grpc::Service* service,
                      HostedService* hosted);

  // Opens the hosted store. When that fails, the one behaviour of both
  // services: the host keeps listening, NOT_SERVING, so that health checks
  // and the operator see the state, and the error is returned to be logged.
  // Under the disk floor the store is not opened (RESOURCE_EXHAUSTED) but
  // opened by the host as soon as space returns.
  absl::Status Open();

  // Whether the store has been opened (now or later, after a full disk).
  bool opened() const;

  // What the hosted service says of its health: SERVING when true and the
  // disk is above its floor; NOT_SERVING otherwise.
  void SetServing(bool serving);

  // The floor the hosted store checks before each write.
  const DiskFloor& disk_floor() const { return disk_floor_; }

  // Streams register here to be woken on commits and closed by the drain.
  StreamWaker& waker() { return waker_; }

  // "HOST:PORT" with the port actually bound; empty before Listen.
  const std::string& address() const { return address_; }
  // The same of the health-only listener; empty without one.
  const std::string& health_address() const { return health_address_; }

  // The drain: hosted background stopped, health NOT_SERVING, streams end
  // with UNAVAILABLE, no new calls, calls in flight finish (up to the
  // grace), then the store closes. Idempotent.
  void Shutdown();

 private:
  // Watches the free space: health, a deferred open, resuming the store.
  void WatchDisk();
  void ApplyHealth() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const DiskFloor disk_floor_;
  StreamWaker waker_;
  HostedService* hosted_ = nullptr;
  std::unique_ptr<GrpcServer> grpc_server_;
  std::unique_ptr<GrpcServer> health_server_;  // null without health_listen
  std::string address_;
  std::string health_address_;
  bool shut_down_ = false;

  mutable absl::Mutex mu_;
  bool service_serving_ ABSL_GUARDED_BY(mu_) = false;
  bool disk_full_ ABSL_GUARDED_BY(mu_) = false;
  bool opened_ ABSL_GUARDED_BY(mu_) = false;
  bool open_deferred_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread disk_watch_;
};

// main() of both binaries after their flags, on `host` (already
// Listen()ed): prints "health on HOST:PORT" when it has a health-only
// listener, opens the store in `data_dir`; a store that cannot be
// opened for a reason other than damage or a full disk ends it at once
// (logged, exit code 1). Otherwise prints "listening on HOST:PORT" on
// stdout, logs `serving_note()` or why it is NOT SERVING, waits for SIGTERM
// or SIGINT and drains. Returns the exit code: 0 after a clean drain, 1
// when the store never opened. Call BlockTerminationSignals() first thing
// in main.
int ServeUntilSignalled(absl::string_view data_dir, ServiceHost& host,
                        absl::FunctionRef<std::string()> serving_note);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_SERVICE_HOST_H_
