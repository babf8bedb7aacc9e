// headcount submit: spreadsheets -> one batch (one revision, all or
// nothing) or one submission per school.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/domain/random_id.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/progress.h"
#include "common/domain/suggest.h"
#include "cli/spreadsheet/spreadsheet_file.h"
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
  int bad_rows = 0;                   // printed as file:line
  int repeated_schools = 0;           // given again in a later file
  std::string encoding;               // "UTF-8", "GBK", "xlsx", "xls" or
                                      // "mixed kinds"
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
                   "Excel workbooks (.xlsx, .xls) or CSV/TSV files in UTF-8 "
                   "or GBK, English or Chinese header")
        ->required();
    app.add_option("--sheet", sheet_,
                   "the sheet of a workbook to read (default: the first)");
    app.add_option("--ingest", ingest_, "the ingest service (HOST:PORT)")
        ->capture_default_str();
    app.add_flag("--per-school", per_school_,
                 "one submission per school instead of one batch");
    app.add_flag("--allow-partial", allow_partial_,
                 "submit the schools without bad rows; a school with any bad "
                 "row is left out whole");
    app.add_flag("--dry-run", dry_run_,
                 "validate on the server, store nothing");
    AddSourceOption(app, source_,
                    "whose counts the files hold: the county's inspection "
                    "(抽查) or the district's self-check (自查), kept apart");
    app.add_flag("--add-to-roster", add_to_roster_,
                 "put schools the county's roster lacks on it (new schools); "
                 "without it they are refused");
    app.add_option("--timeout", timeout_seconds_,
                   "deadline of each call, seconds")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  }

  int Run() override {
    Submissions submissions;
    if (int failed = Read(submissions); failed != 0) return failed;
    if (submissions.bad_rows + submissions.repeated_schools > 0 &&
        !allow_partial_) {
      std::vector<std::string> problems;
      if (submissions.bad_rows > 0) {
        problems.push_back(Counted(submissions.bad_rows, "bad row", "bad rows"));
      }
      if (submissions.repeated_schools > 0) {
        problems.push_back(absl::StrCat(
            Counted(submissions.repeated_schools, "school", "schools"),
            " given twice"));
      }
      return Fail(absl::StrCat(absl::StrJoin(problems, " and "),
                               "; nothing submitted (fix them, or pass "
                               "--allow-partial to submit the schools "
                               "without bad rows, each once)"));
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
    WarnAboutLikelyTypos(submissions);
    // The rows that will be sent: --allow-partial leaves out the schools
    // with bad rows and the repeated ones.
    int rows_sent = 0;
    for (const SchoolOrigin& origin : submissions.origins) {
      rows_sent += origin.rows;
    }
    Progress progress(rows_sent, "rows", stderr,
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
        Counted(rows_sent, "row", "rows").c_str(),
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
      absl::StatusOr<HeadcountImport> imported =
          ReadHeadcountFile(path, sheet_);
      if (!imported.ok()) {
        // A file that cannot be read names itself ("cannot read x.csv: No
        // such file or directory"); the others get the path here.
        const absl::string_view message = imported.status().message();
        return Fail(absl::StrContains(message, path)
                        ? std::string(message)
                        : absl::StrCat(path, ": ", message));
      }
      const std::string& encoding = imported->encoding;
      out.encoding = out.encoding.empty() || out.encoding == encoding
                         ? encoding
                         : "mixed kinds";
      Collect(path, *std::move(imported), seen, out);
    }
    return 0;
  }

  // Adds one file's schools to `out`, leaving out those with bad rows and
  // those already given.
  void Collect(const std::string& path, HeadcountImport imported,
               std::map<std::string, size_t>& seen, Submissions& out) {
    std::map<std::string, int> bad_schools;  // identity -> first bad line
    for (const RowProblem& p : imported.problems) {
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
        ++out.repeated_schools;
        continue;
      }
      school.set_dry_run(dry_run_);
      school.set_add_to_roster(add_to_roster_);
      school.set_source(SourceOf(source_));
      out.origins.push_back(
          {path, line, static_cast<int>(imported.lines[i].size())});
      out.schools.push_back(std::move(school));
    }
  }

  // A school the ingest does not know in a district where it knows others
  // with a close name is likelier a typo than a new school: say so, with
  // the names it may have meant (it is still submitted, as a new school).
  // Best effort: a caller that may not list schools, or an ingest that
  // does not answer, gets no warnings (the submission says what is wrong).
  void WarnAboutLikelyTypos(const Submissions& submissions) {
    // (term, county) -> district -> the school names stored there.
    std::map<std::pair<std::string, std::string>,
             std::map<std::string, std::vector<std::string>>>
        known;
    for (const v1::SubmitRequest& school : submissions.schools) {
      known[{school.term(), school.county()}];
    }
    for (auto& [county, districts] : known) {
      v1::ListSchoolsRequest request;
      request.set_term(county.first);
      request.set_county(county.second);
      request.set_page_size(1000);
      do {
        v1::ListSchoolsResponse page;
        if (!stub_->ListSchools(Deadline(timeout()).get(), request, &page)
                 .ok()) {
          return;
        }
        for (const v1::SchoolRecord& record : page.schools()) {
          districts[record.district()].push_back(record.school());
        }
        request.set_page_token(page.next_page_token());
      } while (!request.page_token().empty());
    }
    for (size_t i = 0; i < submissions.schools.size(); ++i) {
      const v1::SubmitRequest& school = submissions.schools[i];
      const auto& districts = known[{school.term(), school.county()}];
      auto names = districts.find(school.district());
      if (names == districts.end()) continue;
      if (std::find(names->second.begin(), names->second.end(),
                    school.school()) != names->second.end()) {
        continue;
      }
      const std::string suggestion = DidYouMean(school.school(), names->second);
      if (suggestion.empty()) continue;
      std::fprintf(stderr, "%s:%d: warning: %s is new to %s/%s%s (sent as a "
                   "new school)\n",
                   submissions.origins[i].file.c_str(),
                   submissions.origins[i].line, school.school().c_str(),
                   school.county().c_str(), school.district().c_str(),
                   suggestion.c_str());
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
  std::string sheet_;
  std::string ingest_ = "127.0.0.1:50051";
  bool per_school_ = false;
  bool allow_partial_ = false;
  bool dry_run_ = false;
  bool add_to_roster_ = false;
  std::string source_ = "inspection";
  int timeout_seconds_ = 120;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

}  // namespace

std::unique_ptr<Command> NewSubmitCommand(const TlsFiles* tls) {
  return std::make_unique<SubmitCommand>(tls);
}

}  // namespace headcount::cli
