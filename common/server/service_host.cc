#include "common/server/service_host.h"

#include <cstdio>

#include "common/domain/status_util.h"

namespace headcount {

ServiceHost::~ServiceHost() { Shutdown(); }

absl::Status ServiceHost::Listen(const std::string& service_name,
                                 grpc::Service* service,
                                 HostedService* hosted) {
  hosted_ = hosted;
  ASSIGN_OR_RETURN(grpc_server_,
                   GrpcServer::Start(options_.listen, {{service_name, service}},
                                     options_.credentials, options_.limits));
  address_ = grpc_server_->address();
  return absl::OkStatus();
}

absl::Status ServiceHost::Open() { return hosted_->OpenAndAttach(*this); }

void ServiceHost::SetServing(bool serving) {
  if (grpc_server_ != nullptr) grpc_server_->SetServing(serving);
}

void ServiceHost::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (hosted_ != nullptr) hosted_->StopBackground();  // no SERVING after this
  if (grpc_server_ != nullptr) {
    grpc_server_->SetServing(false);
    waker_.CloseAll();
    grpc_server_->Shutdown(options_.shutdown_grace);
    grpc_server_.reset();
  }
  if (hosted_ != nullptr) hosted_->DetachAndClose();
}

int ServeUntilSignalled(absl::string_view program, absl::string_view data_dir,
                        ServiceHost& host,
                        absl::FunctionRef<std::string()> serving_note) {
  const std::string name(program);
  // Announced once the store has been opened (or failed to): a script that
  // waits for this line finds the handlers attached, or the reason on
  // stderr and health NOT_SERVING.
  const absl::Status opened = host.Open();
  std::printf("listening on %s\n", host.address().c_str());
  std::fflush(stdout);
  if (opened.ok()) {
    std::fprintf(stderr, "%s: %s\n", name.c_str(), serving_note().c_str());
  } else {
    // Refuse to serve what may be damaged; stay up NOT_SERVING so that
    // health checks and the operator see why.
    std::fprintf(stderr, "%s: NOT SERVING: cannot open the store in %s: %s\n",
                 name.c_str(), std::string(data_dir).c_str(),
                 opened.ToString().c_str());
  }
  const int signal_number = WaitForTerminationSignal();
  std::fprintf(stderr, "%s: signal %d, draining\n", name.c_str(),
               signal_number);
  host.Shutdown();
  std::fprintf(stderr, "%s: stopped\n", name.c_str());
  return opened.ok() ? 0 : 1;
}

}  // namespace headcount
