// Helpers for every test: temporary directories, status matchers, waiting.
#ifndef HEADCOUNT_TESTS_TEST_UTIL_H_
#define HEADCOUNT_TESTS_TEST_UTIL_H_

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/domain/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"

namespace headcount::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents when
// the object is destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Polls `condition` every few milliseconds until it holds or `timeout`
// passes; returns its last value.
bool WaitFor(const std::function<bool()>& condition,
             absl::Duration timeout = absl::Seconds(10));

// A client context with a deadline, as every call here must have.
std::unique_ptr<grpc::ClientContext> Context(
    absl::Duration deadline = absl::Seconds(10));

// A channel to `address` that retries a connection within ~100 ms of the
// server coming back, with its own subchannels (gRPC otherwise shares
// connection backoff between channels to one address, for up to minutes).
// The connection timeout stays gRPC's (GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
// 20 s): lowering it fails handshakes on a loaded machine.
std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& address);

// A channel whose HTTP/2 window is small and never grows (no BDP
// probing): a stream nobody reads stalls the server's writes after a few
// KiB, where gRPC's client library would otherwise keep accepting megabytes.
std::shared_ptr<grpc::Channel> SmallWindowChannel(const std::string& address);

// A clock that moves only when told (Envoy's SimulatedTimeSystem), for
// tests of time-driven behaviour without waiting. Thread-safe.
class SimulatedClock final : public Clock {
 public:
  // Starts at 2015-12-18 00:00 UTC, the day the notice's spot check ended.
  SimulatedClock() : now_(absl::FromUnixSeconds(1'450'396'800)) {}
  absl::Time Now() const override;
  void Advance(absl::Duration duration);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

// Blocks Wait() until Notify(), visibly to ThreadSanitizer (std::future
// and absl::Notification synchronize inside uninstrumented libraries).
class Latch {
 public:
  void Notify();
  void Wait();

 private:
  absl::Mutex mu_;
  bool notified_ ABSL_GUARDED_BY(mu_) = false;
};

// Path of the shared fixture file `name` of Lixin 2015.
std::string FixturePath(const std::string& name);

MATCHER(IsOk, "is OK") {
  if (arg.ok()) return true;
  *result_listener << "status: " << arg.ToString();
  return false;
}

inline std::string ToString(const grpc::Status& status) {
  return std::to_string(status.error_code()) + " " + status.error_message();
}

// grpc::Status with the given code.
MATCHER_P(HasCode, code, "has code " + ::testing::PrintToString(code)) {
  if (arg.error_code() == code) return true;
  *result_listener << "status: " << ToString(arg);
  return false;
}

MATCHER(GrpcOk, "is OK") {
  if (arg.ok()) return true;
  *result_listener << "status: " << ToString(arg);
  return false;
}

}  // namespace headcount::testing

#endif  // HEADCOUNT_TESTS_TEST_UTIL_H_
