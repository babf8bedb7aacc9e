// headcount health: asks a service's grpc.health.v1 whether it serves, as
// a probe or a start-up script would; with --wait, until it does.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/client.h"
#include "cli/command.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace headcount::cli {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

class HealthCommand final : public Command {
 public:
  explicit HealthCommand(const TlsFiles* tls) : tls_(tls) {}

  void Define(CLI::App& app) override {
    app.add_option("ADDRESS", address_, "the service (HOST:PORT)")->required();
    app.add_option("--service", service_,
                   "one service's status, like headcount.v1.IngestService; "
                   "default: the server's");
    app.add_option("--wait", wait_seconds_,
                   "keep asking until SERVING or this many seconds pass")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
  }

  int Run() override {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        Connect(address_, *tls_);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    auto stub = grpc::health::v1::Health::NewStub(*std::move(channel));
    const absl::Time give_up = absl::Now() + absl::Seconds(wait_seconds_);
    HealthCheckRequest request;
    request.set_service(service_);
    while (true) {
      HealthCheckResponse response;
      const absl::Duration left = give_up - absl::Now();
      grpc::Status status = stub->Check(
          Deadline(std::max(left, absl::Seconds(1))).get(), request, &response);
      if (status.ok() && response.status() == HealthCheckResponse::SERVING) {
        std::printf("SERVING\n");
        return 0;
      }
      if (absl::Now() + absl::Milliseconds(100) >= give_up) {
        if (!status.ok()) {
          return Fail(Describe(status, "health service", address_));
        }
        std::printf("%s\n",
                    HealthCheckResponse::ServingStatus_Name(response.status())
                        .c_str());
        return 1;
      }
      absl::SleepFor(absl::Milliseconds(100));
    }
  }

 private:
  const TlsFiles* const tls_;
  std::string address_;
  std::string service_;
  int wait_seconds_ = 0;
};

}  // namespace

std::unique_ptr<Command> NewHealthCommand(const TlsFiles* tls) {
  return std::make_unique<HealthCommand>(tls);
}

}  // namespace headcount::cli
