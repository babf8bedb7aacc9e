// A TCP proxy on loopback for partition tests: forwards, holds every byte
// (a blackhole: nothing lost, nothing delivered, as while a network is
// down), delays each chunk, or cuts every connection.
#ifndef HEADCOUNT_TESTS_FAULT_TCP_PROXY_H_
#define HEADCOUNT_TESTS_FAULT_TCP_PROXY_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace headcount::testing {

class TcpProxy {
 public:
  enum class Mode { kForward, kBlackhole, kDelay };

  // Listens on 127.0.0.1 (a free port) and forwards to `target` HOST:PORT.
  static absl::StatusOr<std::unique_ptr<TcpProxy>> Start(const std::string& target);
  // Closes every connection and joins.
  ~TcpProxy();

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void SetMode(Mode mode, absl::Duration delay = absl::ZeroDuration());
  // Closes every open connection, both ways.
  void CutAll();

 private:
  TcpProxy(int listen_fd, int port, std::string host, int target_port)
      : listen_fd_(listen_fd), port_(port), host_(std::move(host)),
        target_port_(target_port) {}
  void Accept();
  void Pump(int client, int server);

  const int listen_fd_;
  const int port_;
  const std::string host_;
  const int target_port_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> mode_{0};
  std::atomic<int64_t> delay_ms_{0};
  absl::Mutex mu_;
  std::vector<int> open_fds_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_ ABSL_GUARDED_BY(mu_);
  std::thread acceptor_;
};

}  // namespace headcount::testing

#endif  // HEADCOUNT_TESTS_FAULT_TCP_PROXY_H_
