// headcount roster import: a county's roster (or one district's part of it)
// from a spreadsheet to the ingest, through PutRoster. The file is read
// whole and checked before anything is sent; each term and county in it is
// one roster, one revision.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/spreadsheet/roster_import.h"
#include "cli/spreadsheet/spreadsheet_file.h"
#include "common/domain/random_id.h"
#include "headcount/v1/ingest.grpc.pb.h"

namespace headcount::cli {
namespace {

class RosterCommand final : public Command {
 public:
  explicit RosterCommand(const TlsFiles* tls) : tls_(tls) {}

  void Define(CLI::App& app) override {
    app.require_subcommand(1);
    CLI::App* import = app.add_subcommand(
        "import",
        "Sends a roster: columns term,county,district,school,grades (or "
        "学期,县,学区,学校,年级), grades like 1-6 or 7,8,9; CSV/TSV (UTF-8 or "
        "GBK), .xlsx or .xls. It replaces the county's roster, or with "
        "--district that district's part.");
    import->add_option("file", file_, "the roster file")->required();
    import->add_option("--ingest", ingest_, "the ingest service (HOST:PORT)")
        ->capture_default_str();
    import->add_option("--sheet", sheet_, "a workbook's sheet, by name");
    import->add_option("--district", district_,
                       "replace only this district's part (a district "
                       "clerk's import); every row must be in it");
    import->add_flag("--dry-run", dry_run_,
                     "say what would change, change nothing");
    import->add_option("--timeout", timeout_seconds_, "deadline, seconds")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  }

  int Run() override {
    std::string kind;
    absl::StatusOr<RosterImport> roster =
        ImportSheetFile(file_, sheet_, &kind, &ImportRosterRows);
    if (!roster.ok()) return Fail(std::string(roster.status().message()));
    if (roster->rosters.empty()) return Fail(absl::StrCat(file_, ": no school"));
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        Connect(ingest_, *tls_);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    auto stub = v1::IngestService::NewStub(*std::move(channel));
    const std::string run = NewRandomId().substr(0, 16);
    for (v1::PutRosterRequest& request : roster->rosters) {
      request.set_submission_id(
          absl::StrCat("roster-", run, "-", request.term(), "-",
                       request.county()));
      request.set_district(district_);
      request.set_dry_run(dry_run_);
      v1::PutRosterResponse response;
      grpc::Status status =
          stub->PutRoster(Deadline(absl::Seconds(timeout_seconds_)).get(),
                          request, &response);
      if (OutcomeUnknown(status)) {
        return Fail(UnknownOutcome(status, "ingest service", ingest_));
      }
      if (!status.ok()) return Fail(Describe(status, "ingest service", ingest_));
      std::printf(
          "%s\n",
          absl::StrCat(request.county(),
                       district_.empty() ? "" : absl::StrCat("/", district_),
                       " ", request.term(), ": ", request.schools_size(),
                       " schools [", kind, "]: ", response.added(), " added, ",
                       response.changed(), " changed, ", response.removed(),
                       " removed, ", response.unchanged(), " unchanged",
                       dry_run_ ? " (dry run: nothing stored)"
                       : response.revision() > 0
                           ? absl::StrCat(", at revision ", response.revision())
                           : "")
              .c_str());
    }
    return 0;
  }

 private:
  const TlsFiles* const tls_;
  std::string ingest_ = "127.0.0.1:50051";
  std::string file_, sheet_, district_;
  bool dry_run_ = false;
  int timeout_seconds_ = 60;
};

}  // namespace

std::unique_ptr<Command> NewRosterCommand(const TlsFiles* tls) {
  return std::make_unique<RosterCommand>(tls);
}

}  // namespace headcount::cli
