// A service binary run as a child process, for tests that kill it.
#ifndef HEADCOUNT_TESTS_FAULT_SERVICE_PROCESS_H_
#define HEADCOUNT_TESTS_FAULT_SERVICE_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace headcount::testing {

class ServiceProcess {
 public:
  // Runs build/bin/`binary` with `args`, stdout and stderr appended to
  // `log_prefix`.out / .err, and waits up to 10 s for its "listening on"
  // line.
  static absl::StatusOr<std::unique_ptr<ServiceProcess>> Start(
      const std::string& binary, const std::vector<std::string>& args,
      const std::string& log_prefix);
  // SIGKILLs the process if it still runs.
  ~ServiceProcess();

  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }
  // Polls its health service until SERVING; false after `timeout`.
  bool WaitServing(absl::Duration timeout = absl::Seconds(30)) const;
  // Polls its health service until SERVING (`serving`) or NOT_SERVING.
  bool WaitHealth(bool serving, absl::Duration timeout) const;
  // Sends `signal` and reaps the process; its wait status.
  int Stop(int signal);
  // Resident memory in KiB, from /proc; -1 when unknown.
  long ResidentKib() const;
  // The most resident memory so far (VmHWM), in KiB; -1 when unknown.
  long PeakResidentKib() const;
  // How many file descriptors it holds open, from /proc; -1 when unknown.
  int OpenDescriptors() const;
  // What the process wrote to stderr so far.
  std::string Stderr() const;

 private:
  long StatusKib(absl::string_view field) const;

  ServiceProcess(pid_t pid, std::string log_prefix)
      : pid_(pid), log_prefix_(std::move(log_prefix)) {}
  pid_t pid_;
  std::string log_prefix_;
  std::string address_;
  bool reaped_ = false;
};

// Path of a binary built into build/bin, or into the directory that the
// environment variable HEADCOUNT_BIN_DIR names.
std::string BinaryPath(const std::string& name);

}  // namespace headcount::testing

#endif  // HEADCOUNT_TESTS_FAULT_SERVICE_PROCESS_H_
