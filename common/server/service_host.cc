#include "common/server/service_host.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/domain/mutex.h"
#include "common/domain/status_util.h"
#include "common/server/log.h"

namespace headcount {
namespace {

// How often the host looks at the free space under a floor.
constexpr absl::Duration kDiskCheckInterval = absl::Seconds(1);

}  // namespace

ServiceHost::~ServiceHost() { Shutdown(); }

absl::Status ServiceHost::Listen(const std::string& service_name,
                                 grpc::Service* service,
                                 HostedService* hosted) {
  hosted_ = hosted;
  ASSIGN_OR_RETURN(grpc_server_,
                   GrpcServer::Start(options_.listen, {{service_name, service}},
                                     options_.credentials, options_.limits));
  address_ = grpc_server_->address();
  if (!options_.health_listen.empty()) {
    ASSIGN_OR_RETURN(health_server_,
                     GrpcServer::StartHealthOnly(options_.health_listen,
                                                 {service_name},
                                                 options_.limits));
    health_address_ = health_server_->address();
  }
  if (options_.disk_floor_bytes > 0) {
    disk_watch_ = std::thread([this] { WatchDisk(); });
  }
  return absl::OkStatus();
}

absl::Status ServiceHost::Open() {
  if (absl::Status space = disk_floor_.Check(); !space.ok()) {
    // RocksDB cannot open a full disk safely (it writes a new manifest and
    // log first); wait for space instead.
    MutexLock lock(&mu_);
    open_deferred_ = true;
    disk_full_ = true;
    return space;
  }
  // Not under mu_: OpenAndAttach reports its health through SetServing.
  RETURN_IF_ERROR(hosted_->OpenAndAttach(*this));
  MutexLock lock(&mu_);
  opened_ = true;
  return absl::OkStatus();
}

bool ServiceHost::opened() const {
  MutexLock lock(&mu_);
  return opened_;
}

void ServiceHost::SetServing(bool serving) {
  MutexLock lock(&mu_);
  service_serving_ = serving;
  ApplyHealth();
}

void ServiceHost::ApplyHealth() {
  if (stopping_) return;
  const bool serving = service_serving_ && !disk_full_;
  if (grpc_server_ != nullptr) grpc_server_->SetServing(serving);
  if (health_server_ != nullptr) health_server_->SetServing(serving);
}

void ServiceHost::WatchDisk() {
  while (true) {
    bool open_now = false;
    bool resume_now = false;
    {
      MutexLock lock(&mu_);
      if (AwaitWithTimeout(&mu_, absl::Condition(&stopping_),
                           kDiskCheckInterval)) {
        return;
      }
      const absl::Status space = disk_floor_.Check();
      if (!space.ok() && space.code() != absl::StatusCode::kResourceExhausted) {
        continue;  // cannot tell; keep the last state
      }
      if (!space.ok() && !disk_full_) {
        disk_full_ = true;
        Log(LogLevel::kError, "disk",
            absl::StrCat("NOT SERVING: ", space.message()));
      } else if (space.ok() && disk_full_) {
        disk_full_ = false;
        Log(LogLevel::kInfo, "disk",
            "disk space is above the floor again; writes resume");
        open_now = open_deferred_;
        open_deferred_ = false;
        resume_now = opened_;
      }
      ApplyHealth();
    }
    // Outside the lock: both call back into the host.
    if (resume_now) hosted_->AfterDiskSpaceReturned();
    if (open_now) {
      const absl::Status opened = hosted_->OpenAndAttach(*this);
      MutexLock lock(&mu_);
      if (opened.ok()) {
        opened_ = true;
        Log(LogLevel::kInfo, "store", "store opened");
      } else {
        Log(LogLevel::kError, "store",
            absl::StrCat("NOT SERVING: cannot open the store: ",
                         opened.ToString()));
      }
    }
  }
}

void ServiceHost::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (disk_watch_.joinable()) disk_watch_.join();
  if (hosted_ != nullptr) hosted_->StopBackground();  // no SERVING after this
  if (health_server_ != nullptr) health_server_->SetServing(false);
  if (grpc_server_ != nullptr) {
    grpc_server_->SetServing(false);
    waker_.CloseAll();
    grpc_server_->Shutdown(options_.shutdown_grace);
    grpc_server_.reset();
  }
  // Probes answer until the last call has ended: alive, not ready.
  if (health_server_ != nullptr) {
    health_server_->Shutdown(absl::ZeroDuration());
    health_server_.reset();
  }
  if (hosted_ != nullptr) hosted_->DetachAndClose();
}

int ServeUntilSignalled(absl::string_view data_dir, ServiceHost& host,
                        absl::FunctionRef<std::string()> serving_note) {
  if (!host.health_address().empty()) {
    std::printf("health on %s\n", host.health_address().c_str());
    std::fflush(stdout);
  }
  // Announced once the store has been opened (or failed to): a script that
  // waits for this line finds the handlers attached, or the reason on
  // stderr and health NOT_SERVING.
  const absl::Status opened = host.Open();
  // A damaged store (DATA_LOSS) or a full disk (RESOURCE_EXHAUSTED: opened
  // when space returns) keeps the server up NOT_SERVING, saying why. A
  // directory that cannot be created, read or locked (another process has
  // it) will not mend itself: say why and exit, so that systemd or the
  // operator sees the failure instead of a server that never serves.
  if (!opened.ok() && !absl::IsDataLoss(opened) &&
      !absl::IsResourceExhausted(opened)) {
    Log(LogLevel::kError, "store",
        absl::StrCat("cannot open the store in ", data_dir, ": ",
                     opened.ToString()));
    host.Shutdown();
    return 1;
  }
  std::printf("listening on %s\n", host.address().c_str());
  std::fflush(stdout);
  if (opened.ok()) {
    Log(LogLevel::kInfo, "server", serving_note());
  } else {
    // Refuse to serve what may be damaged; stay up NOT_SERVING so that
    // health checks and the operator see why.
    Log(LogLevel::kError, "store",
        absl::StrCat("NOT SERVING: cannot open the store in ", data_dir, ": ",
                     opened.ToString()));
  }
  const int signal_number = WaitForTerminationSignal();
  Log(LogLevel::kInfo, "server",
      absl::StrCat("signal ", signal_number, ", draining"));
  host.Shutdown();
  Log(LogLevel::kInfo, "server", "stopped");
  return host.opened() ? 0 : 1;
}

}  // namespace headcount
