// headcount backup: asks the ingest for a consistent copy of its store
// (the operator's Backup call), written on the ingest's host under its
// --backup_dir.
#include <cstdio>
#include <string>

#include "absl/strings/str_format.h"
#include "cli/client.h"
#include "cli/command.h"
#include "headcount/v1/ingest.grpc.pb.h"

namespace headcount::cli {
namespace {

class BackupCommand final : public Command {
 public:
  explicit BackupCommand(const TlsFiles* tls) : tls_(tls) {}

  void Define(CLI::App& app) override {
    app.add_option("--ingest", ingest_, "the ingest service (HOST:PORT)")
        ->capture_default_str();
    app.add_option("--timeout", timeout_seconds_, "deadline, seconds")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  }

  int Run() override {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        Connect(ingest_, *tls_);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    auto stub = v1::IngestService::NewStub(*std::move(channel));
    v1::BackupResponse response;
    grpc::Status status =
        stub->Backup(Deadline(absl::Seconds(timeout_seconds_)).get(),
                     v1::BackupRequest(), &response);
    if (!status.ok()) return Fail(Describe(status, "ingest service", ingest_));
    std::printf("%s\n", absl::StrFormat(
                            "revision %d of history %s, %.1f MiB, in %s "
                            "(on the ingest's host)",
                            response.revision(), response.history_id(),
                            response.bytes() / 1048576.0, response.path())
                            .c_str());
    return 0;
  }

 private:
  const TlsFiles* const tls_;
  std::string ingest_ = "127.0.0.1:50051";
  int timeout_seconds_ = 300;
};

}  // namespace

std::unique_ptr<Command> NewBackupCommand(const TlsFiles* tls) {
  return std::make_unique<BackupCommand>(tls);
}

}  // namespace headcount::cli
