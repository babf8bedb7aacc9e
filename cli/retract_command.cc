// headcount retract: removes counts submitted in error, some grades of a
// school or the whole school (a misspelt name), through IngestService's
// Retract. A dropped answer is asked again with the same id, so the line
// printed is what the ingest did, once.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/client.h"
#include "cli/command.h"
#include "common/domain/grade_list.h"
#include "common/domain/random_id.h"
#include "headcount/v1/ingest.grpc.pb.h"

namespace headcount::cli {
namespace {

// Attempts of one retraction whose answer was lost.
constexpr int kAttempts = 3;

class RetractCommand final : public Command {
 public:
  explicit RetractCommand(const TlsFiles* tls) : tls_(tls) {}

  void Define(CLI::App& app) override {
    app.add_option("--ingest", ingest_, "the ingest service (HOST:PORT)")
        ->capture_default_str();
    app.add_option("--term", term_, "the term, like 2015-autumn")->required();
    app.add_option("--county", county_, "the county (县)")->required();
    app.add_option("--district", district_,
                   "the district (学区; a county-direct school's own name)")
        ->required();
    app.add_option("--school", school_, "the school or teaching point")
        ->required();
    app.add_option("--grades", grades_,
                   "the grades to remove, like 9 or 7,8 or 1-6; default: the "
                   "whole school");
    app.add_flag("--dry-run", dry_run_,
                 "say what would be removed, remove nothing");
    AddSourceOption(app, source_, "whose record to remove from");
    app.add_option("--id", id_,
                   "idempotency key (default: a new one per run); the same "
                   "id again answers the first outcome");
    app.add_option("--timeout", timeout_seconds_, "deadline per call, seconds")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  }

  int Run() override {
    v1::RetractRequest request;
    request.set_submission_id(id_.empty() ? absl::StrCat("retract-",
                                                         NewRandomId())
                                          : id_);
    request.set_term(term_);
    request.set_county(county_);
    request.set_district(district_);
    request.set_school(school_);
    request.set_dry_run(dry_run_);
    request.set_source(SourceOf(source_));
    if (!grades_.empty()) {
      absl::StatusOr<std::vector<int>> grades = ParseGradeList(grades_);
      if (!grades.ok()) {
        return Fail(absl::StrCat("--", grades.status().message()));
      }
      for (int grade : *grades) request.add_grades(grade);
    }
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        Connect(ingest_, *tls_);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    auto stub = v1::IngestService::NewStub(*std::move(channel));
    v1::RetractResponse response;
    grpc::Status status;
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      status = stub->Retract(Deadline(absl::Seconds(timeout_seconds_)).get(),
                             request, &response);
      if (!OutcomeUnknown(status)) break;
      if (attempt < kAttempts) absl::SleepFor(absl::Seconds(1));
    }
    if (OutcomeUnknown(status)) {
      return Fail(absl::StrCat(
          UnknownOutcome(status, "ingest service", ingest_),
          "; ask again with --id=", request.submission_id()));
    }
    if (!status.ok()) return Fail(Describe(status, "ingest service", ingest_));
    std::printf("%s\n", Said(request, response).c_str());
    return 0;
  }

 private:
  // One line: what was (or would be) removed, and what is left.
  std::string Said(const v1::RetractRequest& request,
                   const v1::RetractResponse& response) const {
    const std::string place =
        absl::StrCat(request.county(), "/", request.district(), "/",
                     request.school());
    const std::vector<int> removed(response.grades_removed().begin(),
                                   response.grades_removed().end());
    std::string line = absl::StrCat(
        dry_run_ ? "would retract " : "retracted ",
        removed.size() == 1 ? "grade " : "grades ", GradeWords(removed), " of ",
        place);
    if (response.school_removed()) {
      absl::StrAppend(&line, ", the whole school");
    } else {
      std::vector<int> kept;
      for (const v1::GradeCount& g : response.school().grades()) {
        kept.push_back(g.grade());
      }
      absl::StrAppend(&line, "; it keeps ", kept.size() == 1 ? "grade " : "grades ",
                      GradeWords(kept));
    }
    if (dry_run_) {
      absl::StrAppend(&line, " (dry run: nothing stored)");
    } else {
      absl::StrAppend(&line, ", at revision ", response.revision());
      if (response.replayed()) {
        absl::StrAppend(&line, " (done before under this id)");
      }
    }
    return line;
  }

  const TlsFiles* const tls_;
  std::string ingest_ = "127.0.0.1:50051";
  std::string term_, county_, district_, school_, grades_, id_;
  bool dry_run_ = false;
  std::string source_ = "inspection";
  int timeout_seconds_ = 30;
};

}  // namespace

std::unique_ptr<Command> NewRetractCommand(const TlsFiles* tls) {
  return std::make_unique<RetractCommand>(tls);
}

}  // namespace headcount::cli
