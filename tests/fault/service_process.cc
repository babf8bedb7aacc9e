#include "tests/fault/service_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/test_util.h"

namespace headcount::testing {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::string BinaryPath(const std::string& name) {
  const char* dir = std::getenv("HEADCOUNT_BIN_DIR");
  return std::string(dir != nullptr && *dir != '\0' ? dir : HEADCOUNT_BIN_DIR) +
         "/" + name;
}

absl::StatusOr<std::unique_ptr<ServiceProcess>> ServiceProcess::Start(
    const std::string& binary, const std::vector<std::string>& args,
    const std::string& log_prefix) {
  const std::string path = BinaryPath(binary);
  const std::string out_path = log_prefix + ".out";
  const std::string err_path = log_prefix + ".err";
  // A fresh stdout file each start, so the address read is this run's.
  unlink(out_path.c_str());
  // posix_spawn, not fork: a forked child of this many-threaded test runs
  // the atfork handlers and inherits locks held by other threads, and under
  // ASan it hung before exec about once in ten runs. setpriv (util-linux)
  // sets the parent-death signal, so the service dies with the test even
  // when the test itself is killed.
  std::vector<std::string> argv_storage = {"/usr/bin/setpriv", "--pdeathsig",
                                           "KILL", "--", path};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  const int spawned =
      posix_spawn(&pid, argv[0], &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (spawned != 0) {
    return absl::InternalError(absl::StrCat("posix_spawn ", argv[0], ": ",
                                            std::strerror(spawned)));
  }
  std::unique_ptr<ServiceProcess> process(new ServiceProcess(pid, log_prefix));
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (absl::Now() < deadline) {
    std::string out = ReadAll(out_path);
    if (absl::StartsWith(out, "listening on ") && absl::EndsWith(out, "\n")) {
      process->address_ = std::string(absl::StripSuffix(
          absl::StripPrefix(out, "listening on "), "\n"));
      return process;
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      process->reaped_ = true;
      return absl::InternalError(absl::StrCat(binary, " exited early: ",
                                              ReadAll(err_path)));
    }
    absl::SleepFor(absl::Milliseconds(5));
  }
  // Say what the child is doing: still setpriv, or the service stuck before
  // listening.
  char exe[4096] = {0};
  readlink(absl::StrCat("/proc/", pid, "/exe").c_str(), exe, sizeof(exe) - 1);
  return absl::DeadlineExceededError(
      absl::StrCat(binary, " did not start within 10 s; pid ", pid, " runs ",
                   exe, "; ", ReadAll(absl::StrCat("/proc/", pid, "/wchan")),
                   "; stderr: ", ReadAll(err_path)));
}

ServiceProcess::~ServiceProcess() {
  if (!reaped_) Stop(SIGKILL);
}

int ServiceProcess::Stop(int signal) {
  if (reaped_) return 0;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  reaped_ = true;
  return status;
}

long ServiceProcess::StatusKib(absl::string_view field) const {
  std::ifstream in(absl::StrCat("/proc/", pid_, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, field) && line.size() > field.size() &&
        line[field.size()] == ':') {
      long kib = -1;
      std::string number(absl::StripAsciiWhitespace(absl::StripSuffix(
          absl::string_view(line).substr(field.size() + 1), "kB")));
      return absl::SimpleAtoi(number, &kib) ? kib : -1;
    }
  }
  return -1;
}

long ServiceProcess::ResidentKib() const { return StatusKib("VmRSS"); }

long ServiceProcess::PeakResidentKib() const { return StatusKib("VmHWM"); }

int ServiceProcess::OpenDescriptors() const {
  DIR* fds = opendir(absl::StrCat("/proc/", pid_, "/fd").c_str());
  if (fds == nullptr) return -1;
  int count = 0;
  while (const dirent* entry = readdir(fds)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(fds);
  return count;
}

bool ServiceProcess::WaitServing(absl::Duration timeout) const {
  return WaitHealth(true, timeout);
}

bool ServiceProcess::WaitHealth(bool serving, absl::Duration timeout) const {
  auto health = grpc::health::v1::Health::NewStub(FastReconnectChannel(address_));
  const auto wanted = serving ? grpc::health::v1::HealthCheckResponse::SERVING
                              : grpc::health::v1::HealthCheckResponse::NOT_SERVING;
  return WaitFor(
      [&] {
        grpc::health::v1::HealthCheckRequest request;
        grpc::health::v1::HealthCheckResponse response;
        return health->Check(Context(absl::Seconds(1)).get(), request, &response).ok() &&
               response.status() == wanted;
      },
      timeout);
}

std::string ServiceProcess::Stderr() const { return ReadAll(log_prefix_ + ".err"); }

}  // namespace headcount::testing
