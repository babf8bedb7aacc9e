// headcount submit: spreadsheets -> one batch (one revision, all or
// nothing) or one submission per school.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/domain/random_id.h"
#include "common/domain/text_file.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/progress.h"
#include "cli/spreadsheet/csv_import.h"
#include "common/domain/clock.h"
#include "common/rpc/grpc_status.h"
#include "headcount/v1/ingest.grpc.pb.h"

namespace headcount::cli {
namespace {

// "1 school", "109 schools".
std::string Counted(size_t count, const char* one, const char* many) {
  return absl::StrCat(count, " ", count == 1 ? one : many);
}

// Where a school's rows came from, for "file:line" messages.
struct SchoolOrigin {
  std::string file;
  int line = 0;
  int rows = 0;
};

// The schools read from every file, each once, in order.
struct Submissions {
  std::vector<v1::SubmitRequest> schools;
  std::vector<SchoolOrigin> origins;  // one per school
  int rows = 0;                       // data rows read
  int bad_rows = 0;                   // printed as file:line
  std::string encoding;               // "UTF-8", "GBK" or "mixed encodings"
};

struct Outcomes {
  int created = 0, updated = 0, unchanged = 0;
  int64_t revision = 0;
};

class SubmitCommand final : public Command {
 public:
  explicit SubmitCommand(const TlsFiles* tls) : tls_(tls) {}

  void Define(CLI::App& app) override {
    app.add_option("FILE", files_,
                   "CSV or TSV files, UTF-8 or GBK, English or Chinese header")
        ->required();
    app.add_option("--ingest", ingest_, "the ingest service (HOST:PORT)")
        ->capture_default_str();
    app.add_flag("--per-school", per_school_,
                 "one submission per school instead of one batch");
    app.add_flag("--allow-partial", allow_partial_,
                 "submit the schools without bad rows; a school with any bad "
                 "row is left out whole");
    app.add_flag("--dry-run", dry_run_,
                 "validate on the server, store nothing");
    app.add_option("--timeout", timeout_seconds_,
                   "deadline of each call, seconds")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  }

  int Run() override {
    Submissions submissions;
    if (int failed = Read(submissions); failed != 0) return failed;
    if (submissions.bad_rows > 0 && !allow_partial_) {
      return Fail(absl::StrCat(submissions.bad_rows,
                               " bad row(s); nothing submitted (fix them, or "
                               "pass --allow-partial to submit the schools "
                               "without bad rows)"));
    }
    if (submissions.schools.empty()) return Fail("no school to submit");
    // One run, one attempt: ids fresh for this run (its own retries reuse
    // them), so that sending older counts again is an update; identical
    // counts stay unchanged (the server commits nothing for equal counts).
    const std::string attempt = NewRandomId().substr(0, 16);
    for (v1::SubmitRequest& school : submissions.schools) {
      school.set_submission_id(
          absl::StrCat("run-", attempt, "-", school.submission_id()));
    }
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        Connect(ingest_, *tls_);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    stub_ = v1::IngestService::NewStub(*std::move(channel));
    // The rows that will be sent: --allow-partial leaves out bad ones.
    Progress progress(submissions.rows - submissions.bad_rows, "rows", stderr,
                      isatty(STDERR_FILENO) != 0, RealClock());
    Outcomes outcomes;
    const int failed = per_school_
                           ? SubmitEach(submissions, progress, outcomes)
                           : SubmitBatch(submissions, progress, outcomes);
    progress.Clear();  // (failures cleared it before saying why)
    if (failed != 0) return failed;
    std::printf(
        "%s%s (%s) from %s [%s]: %d created, %d updated, %d unchanged%s\n",
        dry_run_ ? "dry run, nothing stored: " : "",
        Counted(submissions.schools.size(), "school", "schools").c_str(),
        Counted(submissions.rows - submissions.bad_rows, "row", "rows").c_str(),
        Counted(files_.size(), "file", "files").c_str(),
        submissions.encoding.c_str(), outcomes.created, outcomes.updated,
        outcomes.unchanged,
        outcomes.revision > 0
            ? absl::StrCat("; revision ", outcomes.revision).c_str()
            : "");
    return 0;
  }

 private:
  const TlsFiles* const tls_;
  absl::Duration timeout() const { return absl::Seconds(timeout_seconds_); }

  // Reads every file into `out`, printing bad rows; non-zero on a file
  // that cannot be read at all.
  int Read(Submissions& out) {
    std::map<std::string, size_t> seen;  // SchoolIdentity -> index
    for (const std::string& path : files_) {
      // Says why: "cannot read x.csv: No such file or directory".
      absl::StatusOr<std::string> bytes = ReadTextFile(path);
      if (!bytes.ok()) return Fail(std::string(bytes.status().message()));
      std::string encoding;
      absl::StatusOr<std::string> text =
          DecodeSpreadsheetText(*bytes, &encoding);
      if (!text.ok())
        return Fail(absl::StrCat(path, ": ", text.status().message()));
      absl::StatusOr<CsvImport> imported = ParseHeadcountCsv(*text);
      if (!imported.ok()) {
        return Fail(absl::StrCat(path, ": ", imported.status().message()));
      }
      out.encoding = out.encoding.empty() || out.encoding == encoding
                         ? encoding
                         : "mixed encodings";
      out.rows += imported->rows;
      Collect(path, *std::move(imported), seen, out);
    }
    return 0;
  }

  // Adds one file's schools to `out`, leaving out those with bad rows and
  // those already given.
  void Collect(const std::string& path, CsvImport imported,
               std::map<std::string, size_t>& seen, Submissions& out) {
    std::map<std::string, int> bad_schools;  // identity -> first bad line
    for (const CsvProblem& p : imported.problems) {
      std::fprintf(stderr, "%s:%d: %s: %s\n", path.c_str(), p.line,
                   p.field.c_str(), p.reason.c_str());
      ++out.bad_rows;
      if (!p.school.empty()) bad_schools.emplace(p.school, p.line);
    }
    if (allow_partial_) {
      for (const auto& [identity, line] : bad_schools) {
        std::fprintf(stderr, "%s:%d: leaving out %s: it has bad rows\n",
                     path.c_str(), line,
                     identity.substr(identity.rfind('\t') + 1).c_str());
      }
    }
    for (size_t i = 0; i < imported.schools.size(); ++i) {
      v1::SubmitRequest& school = imported.schools[i];
      const std::string identity = SchoolIdentity(school);
      const int line = imported.lines[i].front();
      if (bad_schools.count(identity)) continue;
      auto [it, inserted] = seen.emplace(identity, out.schools.size());
      if (!inserted) {
        const SchoolOrigin& first = out.origins[it->second];
        std::fprintf(stderr, "%s:%d: school: %s was already given in %s:%d\n",
                     path.c_str(), line, school.school().c_str(),
                     first.file.c_str(), first.line);
        ++out.bad_rows;
        continue;
      }
      school.set_dry_run(dry_run_);
      out.origins.push_back(
          {path, line, static_cast<int>(imported.lines[i].size())});
      out.schools.push_back(std::move(school));
    }
  }

  int SubmitEach(const Submissions& submissions, Progress& progress,
                 Outcomes& outcomes) {
    int failed = 0;
    const size_t count = submissions.schools.size();
    for (size_t i = 0; i < count; ++i) {
      v1::SubmitResponse response;
      grpc::Status status = stub_->Submit(Deadline(timeout()).get(),
                                          submissions.schools[i], &response);
      progress.Advance(submissions.origins[i].rows);
      if (!status.ok()) {
        progress.Clear();
        if (OutcomeUnknown(status)) {
          return Fail(absl::StrCat(
              i, " of ", count, " schools were stored; for ",
              submissions.schools[i].school(), ": ",
              UnknownOutcome(status, "ingest service", ingest_)));
        }
        if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
          return Fail(absl::StrCat(Describe(status, "ingest service", ingest_),
                                   "; ", i, " of ", count,
                                   " schools were submitted"));
        }
        const SchoolOrigin& origin = submissions.origins[i];
        std::fprintf(stderr, "%s:%d: %s\n", origin.file.c_str(), origin.line,
                     status.error_message().c_str());
        ++failed;
        continue;
      }
      if (!response.replayed()) {
        outcomes.revision = std::max(outcomes.revision, response.revision());
      }
      // A re-sent submission changed nothing now.
      Count(response.replayed() ? v1::UNCHANGED : response.outcome(), outcomes);
    }
    if (failed > 0) {
      progress.Clear();
      return Fail(absl::StrCat(failed, " of ", count,
                               " schools rejected; the others were stored"));
    }
    return 0;
  }

  int SubmitBatch(const Submissions& submissions, Progress& progress,
                  Outcomes& outcomes) {
    v1::ImportSummary summary;
    auto context = Deadline(timeout());
    auto writer = stub_->SubmitBatch(context.get(), &summary);
    bool all_sent = true;
    for (size_t i = 0; i < submissions.schools.size(); ++i) {
      if (!writer->Write(submissions.schools[i])) {
        all_sent = false;
        break;
      }
      progress.Advance(submissions.origins[i].rows);
    }
    all_sent = writer->WritesDone() && all_sent;
    grpc::Status status = writer->Finish();
    if (!status.ok()) progress.Clear();
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
        status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      v1::ImportSummary rejected;
      if (GetDetail(FromGrpcStatus(status), rejected)) {
        for (const v1::RejectedRow& row : rejected.rejected_rows()) {
          const SchoolOrigin& origin = submissions.origins.at(row.index());
          std::fprintf(stderr, "%s:%d: %s: %s\n", origin.file.c_str(),
                       origin.line, row.field().c_str(), row.reason().c_str());
        }
      }
      return Fail(
          absl::StrCat("the ingest service rejected the batch; nothing "
                       "was stored (",
                       status.error_message(), ")"));
    }
    // A batch cut off before its end is not stored (the ingest commits only
    // after the last row); once every row was sent, a lost answer may
    // hide a commit.
    if (!status.ok() && all_sent && OutcomeUnknown(status)) {
      return Fail(UnknownOutcome(status, "ingest service", ingest_));
    }
    if (!status.ok()) {
      std::string message = Describe(status, "ingest service", ingest_);
      if (!absl::StrContains(message, "nothing stored")) {
        message += "; nothing was stored";
      }
      return Fail(message);
    }
    outcomes.created = summary.created();
    outcomes.updated = summary.updated();
    outcomes.unchanged = summary.unchanged();
    outcomes.revision = summary.revision();
    return 0;
  }

  static void Count(v1::Outcome outcome, Outcomes& outcomes) {
    switch (outcome) {
      case v1::CREATED:
        ++outcomes.created;
        break;
      case v1::UPDATED:
        ++outcomes.updated;
        break;
      default:
        ++outcomes.unchanged;
    }
  }

  std::vector<std::string> files_;
  std::string ingest_ = "127.0.0.1:50051";
  bool per_school_ = false;
  bool allow_partial_ = false;
  bool dry_run_ = false;
  int timeout_seconds_ = 120;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

}  // namespace

std::unique_ptr<Command> NewSubmitCommand(const TlsFiles* tls) {
  return std::make_unique<SubmitCommand>(tls);
}

}  // namespace headcount::cli
