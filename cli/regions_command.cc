// headcount regions import: which city and province each county lies in,
// from a spreadsheet to the ingest, through PutRegions (one revision). The
// file is read whole and checked before anything is sent.
#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/spreadsheet/region_import.h"
#include "cli/spreadsheet/spreadsheet_file.h"
#include "common/domain/random_id.h"
#include "headcount/v1/ingest.grpc.pb.h"

namespace headcount::cli {
namespace {

class RegionsCommand final : public Command {
 public:
  explicit RegionsCommand(const TlsFiles* tls) : tls_(tls) {}

  void Define(CLI::App& app) override {
    app.require_subcommand(1);
    CLI::App* import = app.add_subcommand(
        "import",
        "Puts counties in their city and province: columns "
        "county,city,province (or 县,市,省); CSV/TSV (UTF-8 or GBK), .xlsx "
        "or .xls. Counties not in the file keep theirs.");
    import->add_option("file", file_, "the region file")->required();
    import->add_option("--ingest", ingest_, "the ingest service (HOST:PORT)")
        ->capture_default_str();
    import->add_option("--sheet", sheet_, "a workbook's sheet, by name");
    import->add_flag("--dry-run", dry_run_,
                     "say what would change, change nothing");
    import->add_option("--timeout", timeout_seconds_, "deadline, seconds")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  }

  int Run() override {
    std::string kind;
    absl::StatusOr<RegionImport> regions =
        ImportSheetFile(file_, sheet_, &kind, &ImportRegionRows);
    if (!regions.ok()) return Fail(std::string(regions.status().message()));
    v1::PutRegionsRequest& request = regions->request;
    if (request.regions().empty()) return Fail(absl::StrCat(file_, ": no county"));
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        Connect(ingest_, *tls_);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    auto stub = v1::IngestService::NewStub(*std::move(channel));
    request.set_submission_id(
        absl::StrCat("regions-", NewRandomId().substr(0, 16)));
    request.set_dry_run(dry_run_);
    v1::PutRegionsResponse response;
    grpc::Status status = stub->PutRegions(
        Deadline(absl::Seconds(timeout_seconds_)).get(), request, &response);
    if (OutcomeUnknown(status)) {
      return Fail(UnknownOutcome(status, "ingest service", ingest_));
    }
    if (!status.ok()) return Fail(Describe(status, "ingest service", ingest_));
    std::printf(
        "%s\n",
        absl::StrCat(request.regions_size(), " counties [", kind, "]: ",
                     response.added(), " added, ", response.changed(),
                     " changed, ", response.unchanged(), " unchanged",
                     dry_run_ ? " (dry run: nothing stored)"
                     : response.revision() > 0
                         ? absl::StrCat(", at revision ", response.revision())
                         : "")
            .c_str());
    return 0;
  }

 private:
  const TlsFiles* const tls_;
  std::string ingest_ = "127.0.0.1:50051";
  std::string file_, sheet_;
  bool dry_run_ = false;
  int timeout_seconds_ = 60;
};

}  // namespace

std::unique_ptr<Command> NewRegionsCommand(const TlsFiles* tls) {
  return std::make_unique<RegionsCommand>(tls);
}

}  // namespace headcount::cli
