#include "cli/commands.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli/args.h"
#include "cli/output_format.h"
#include "common/alert_filter.h"
#include "common/csv_import.h"
#include "common/status_util.h"
#include "grpcpp/grpcpp.h"
#include "headcount/v1/audit.grpc.pb.h"
#include "headcount/v1/ingest.grpc.pb.h"

namespace headcount::cli {
namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "headcount: %s\n", message.c_str());
  return 1;
}

// One line saying what went wrong talking to `what` at `address`.
std::string Describe(const grpc::Status& status, const std::string& what,
                     const std::string& address) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return absl::StrCat("cannot reach the ", what, " at ", address, " (",
                          status.error_message(), ")");
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StrCat("the ", what, " at ", address,
                          " did not answer in time (see --timeout)");
    default:
      return absl::StrCat("the ", what, " refused: ", status.error_message());
  }
}

std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

absl::StatusOr<absl::Duration> Timeout(const ParsedArgs& args) {
  int seconds = 0;
  if (!absl::SimpleAtoi(args.Get("timeout"), &seconds) || seconds <= 0) {
    return absl::InvalidArgumentError("--timeout: must be a whole number of seconds > 0");
  }
  return absl::Seconds(seconds);
}

// Shows rows/s and the time left on a terminal; silent otherwise.
class Progress {
 public:
  Progress(int total_rows, const char* unit)
      : total_(total_rows), unit_(unit), tty_(isatty(STDERR_FILENO) != 0) {}
  ~Progress() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
  }
  void Advance(int rows) {
    done_ += rows;
    if (!tty_) return;
    const absl::Time now = absl::Now();
    if (now - last_draw_ < absl::Milliseconds(100) && done_ < total_) return;
    last_draw_ = now;
    drawn_ = true;
    const double seconds = std::max(1e-3, absl::ToDoubleSeconds(now - start_));
    const double rate = done_ / seconds;
    const int width = 30;
    const int filled = total_ > 0 ? width * done_ / total_ : width;
    std::fprintf(stderr, "\r[%s%s] %d/%d %s  %.0f rows/s  ETA %.0fs\033[K",
                 std::string(filled, '#').c_str(),
                 std::string(width - filled, ' ').c_str(), done_, total_, unit_,
                 rate, rate > 0 ? (total_ - done_) / rate : 0.0);
  }

 private:
  const int total_;
  const char* unit_;
  const bool tty_;
  int done_ = 0;
  bool drawn_ = false;
  const absl::Time start_ = absl::Now();
  absl::Time last_draw_ = absl::InfinitePast();
};

struct SchoolOrigin {
  std::string file;
  int line = 0;
  int rows = 0;
};

const std::vector<OptionSpec> kSubmitOptions = {
    {"ingest", "HOST:PORT", "127.0.0.1:50051", "the ingest service"},
    {"per-school", "", "", "one submission per school instead of one batch"},
    {"allow-partial", "", "",
     "submit the schools without bad rows; a school with any bad row is "
     "left out whole"},
    {"dry-run", "", "", "validate on the server, store nothing"},
    {"timeout", "SECONDS", "120", "deadline of each call"},
};

const std::vector<OptionSpec> kReportOptions = {
    {"audit", "HOST:PORT", "127.0.0.1:50052", "the audit service"},
    {"term", "TERM", "", "the term, like 2015-autumn (required)"},
    {"county", "NAME", "", "one county; default: every county of the term"},
    {"district", "NAME", "", "per-school report of one district (needs --county)"},
    {"format", "FORMAT", "table", "table, tsv, csv, md, json or html"},
    {"timeout", "SECONDS", "30", "deadline of each call"},
};

const std::vector<OptionSpec> kAlertsOptions = {
    {"audit", "HOST:PORT", "127.0.0.1:50052", "the audit service"},
    {"term", "TERM", "", "only this term"},
    {"county", "NAME", "", "only this county (needs --term)"},
    {"district", "NAME", "", "only this district (needs --county)"},
    {"level", "LEVEL", "", "only grade, school, district or county"},
    {"follow", "", "", "keep streaming new alert events"},
    {"after", "ID", "", "alert events after this alert_id instead of the open alerts"},
    {"format", "FORMAT", "table", "table, tsv, csv, md or json (JSON Lines)"},
    {"timeout", "SECONDS", "30", "deadline of each call (a --follow stream "
                                  "reconnects when it passes)"},
};

}  // namespace

int RunSubmit(const std::vector<std::string>& raw_args) {
  const std::string synopsis =
      "headcount submit [--ingest=HOST:PORT] [--per-school] [--allow-partial] "
      "FILE...";
  absl::StatusOr<ParsedArgs> args = ParseArgs(raw_args, kSubmitOptions);
  if (!args.ok()) return Fail(std::string(args.status().message()));
  if (args->help) {
    std::printf("%s", Usage(synopsis,
                            "Submits headcount spreadsheets (CSV or TSV, UTF-8 or GBK,\n"
                            "English or Chinese header) to the ingest service: one row per\n"
                            "school and grade, grouped per school. Submission ids come from\n"
                            "the content, so submitting the same file twice changes nothing.",
                            kSubmitOptions)
                          .c_str());
    return 0;
  }
  if (args->positionals.empty()) {
    return Fail("name at least one FILE (see headcount submit --help)");
  }
  absl::StatusOr<absl::Duration> timeout = Timeout(*args);
  if (!timeout.ok()) return Fail(std::string(timeout.status().message()));

  std::vector<v1::SubmitRequest> schools;
  std::vector<SchoolOrigin> origins;
  std::map<std::string, size_t> seen;  // identity -> index in schools
  int rows = 0, bad_rows = 0;
  std::vector<std::string> encodings;
  for (const std::string& path : args->positionals) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(absl::StrCat("cannot read ", path));
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string encoding;
    absl::StatusOr<std::string> text = DecodeSpreadsheetText(buffer.str(), &encoding);
    if (!text.ok()) return Fail(absl::StrCat(path, ": ", text.status().message()));
    absl::StatusOr<CsvImport> imported = ParseHeadcountCsv(*text);
    if (!imported.ok()) {
      return Fail(absl::StrCat(path, ": ", imported.status().message()));
    }
    encodings.push_back(encoding);
    rows += imported->rows;
    std::map<std::string, int> bad_schools;  // identity -> first bad line
    for (const CsvProblem& p : imported->problems) {
      std::fprintf(stderr, "%s:%d: %s: %s\n", path.c_str(), p.line,
                   p.field.c_str(), p.reason.c_str());
      ++bad_rows;
      if (!p.school.empty()) bad_schools.emplace(p.school, p.line);
    }
    if (args->Has("allow-partial")) {
      for (const auto& [identity, line] : bad_schools) {
        std::fprintf(stderr, "%s:%d: leaving out %s: it has bad rows\n",
                     path.c_str(), line,
                     identity.substr(identity.rfind('\t') + 1).c_str());
      }
    }
    for (size_t i = 0; i < imported->schools.size(); ++i) {
      v1::SubmitRequest& school = imported->schools[i];
      const std::string identity = SchoolIdentity(school);
      const int line = imported->lines[i].front();
      if (bad_schools.count(identity)) continue;
      auto [it, inserted] = seen.emplace(identity, schools.size());
      if (!inserted) {
        const SchoolOrigin& first = origins[it->second];
        std::fprintf(stderr, "%s:%d: school: %s was already given in %s:%d\n",
                     path.c_str(), line, school.school().c_str(),
                     first.file.c_str(), first.line);
        ++bad_rows;
        continue;
      }
      school.set_dry_run(args->Has("dry-run"));
      origins.push_back({path, line, static_cast<int>(imported->lines[i].size())});
      schools.push_back(std::move(school));
    }
  }
  if (bad_rows > 0 && !args->Has("allow-partial")) {
    return Fail(absl::StrCat(bad_rows, " bad row(s); nothing submitted (fix them, "
                             "or pass --allow-partial to submit the schools "
                             "without bad rows)"));
  }
  if (schools.empty()) return Fail("no school to submit");

  const std::string address = args->Get("ingest");
  auto stub = v1::IngestService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  int created = 0, updated = 0, unchanged = 0;
  int64_t revision = 0;
  Progress progress(rows, "rows");
  if (args->Has("per-school")) {
    int failed = 0;
    for (size_t i = 0; i < schools.size(); ++i) {
      v1::SubmitResponse response;
      grpc::Status status = stub->Submit(Deadline(*timeout).get(), schools[i], &response);
      progress.Advance(origins[i].rows);
      if (!status.ok()) {
        if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
            status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
          return Fail(absl::StrCat(Describe(status, "ingest service", address), "; ",
                                   i, " of ", schools.size(), " schools were submitted"));
        }
        std::fprintf(stderr, "%s:%d: %s\n", origins[i].file.c_str(), origins[i].line,
                     status.error_message().c_str());
        ++failed;
        continue;
      }
      if (!response.replayed()) revision = std::max(revision, response.revision());
      // A re-sent submission changed nothing now.
      switch (response.replayed() ? v1::UNCHANGED : response.outcome()) {
        case v1::CREATED: ++created; break;
        case v1::UPDATED: ++updated; break;
        default: ++unchanged;
      }
    }
    if (failed > 0) {
      return Fail(absl::StrCat(failed, " of ", schools.size(),
                               " schools rejected; the others were stored"));
    }
  } else {
    v1::ImportSummary summary;
    auto context = Deadline(*timeout);
    auto writer = stub->SubmitBatch(context.get(), &summary);
    for (size_t i = 0; i < schools.size(); ++i) {
      if (!writer->Write(schools[i])) break;
      progress.Advance(origins[i].rows);
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    if (!status.ok()) {
      v1::ImportSummary rejected;
      if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
          status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
        if (GetDetail(FromGrpcStatus(status), rejected)) {
          for (const v1::RejectedRow& row : rejected.rejected_rows()) {
            const SchoolOrigin& origin = origins.at(row.index());
            std::fprintf(stderr, "%s:%d: %s: %s\n", origin.file.c_str(),
                         origin.line, row.field().c_str(), row.reason().c_str());
          }
        }
        return Fail(absl::StrCat("the ingest service rejected the batch; nothing "
                                 "was stored (",
                                 status.error_message(), ")"));
      }
      return Fail(Describe(status, "ingest service", address) +
                  "; nothing was stored");
    }
    created = summary.created();
    updated = summary.updated();
    unchanged = summary.unchanged();
    revision = summary.revision();
  }
  std::string encoding_note = encodings.front();
  for (const std::string& e : encodings) {
    if (e != encoding_note) encoding_note = "mixed encodings";
  }
  std::printf("%s%zu schools (%d rows) from %zu file(s) [%s]: %d created, %d "
              "updated, %d unchanged%s\n",
              args->Has("dry-run") ? "dry run, nothing stored: " : "",
              schools.size(), rows - bad_rows, args->positionals.size(),
              encoding_note.c_str(), created, updated, unchanged,
              revision > 0 ? absl::StrCat("; revision ", revision).c_str() : "");
  return 0;
}

int RunReport(const std::vector<std::string>& raw_args) {
  const std::string synopsis =
      "headcount report [--audit=HOST:PORT] --term=TERM [--county=C] "
      "[--district=D] [--format=table|tsv|csv|md|json|html]";
  absl::StatusOr<ParsedArgs> args = ParseArgs(raw_args, kReportOptions);
  if (!args.ok()) return Fail(std::string(args.status().message()));
  if (args->help) {
    std::printf("%s", Usage(synopsis,
                            "Prints the county table (the notice's attachment 1: one row\n"
                            "per district, in pinyin order, with the total), or with\n"
                            "--district the same per school.",
                            kReportOptions)
                          .c_str());
    return 0;
  }
  if (args->Get("term").empty()) return Fail("--term is required, like --term=2015-autumn");
  if (!args->Get("district").empty() && args->Get("county").empty()) {
    return Fail("--district needs --county");
  }
  absl::StatusOr<Format> format = ParseFormat(args->Get("format"));
  if (!format.ok()) return Fail(std::string(format.status().message()));
  absl::StatusOr<absl::Duration> timeout = Timeout(*args);
  if (!timeout.ok()) return Fail(std::string(timeout.status().message()));

  const std::string address = args->Get("audit");
  auto stub = v1::AuditService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  if (!args->Get("district").empty()) {
    v1::GetDistrictReportRequest request;
    request.set_term(args->Get("term"));
    request.set_county(args->Get("county"));
    request.set_district(args->Get("district"));
    v1::DistrictReport report;
    grpc::Status status = stub->GetDistrictReport(Deadline(*timeout).get(), request, &report);
    if (!status.ok()) return Fail(Describe(status, "audit service", address));
    std::fputs(FormatReport(FromDistrictReport(report), *format).c_str(), stdout);
    return 0;
  }
  std::vector<std::string> counties;
  if (!args->Get("county").empty()) {
    counties.push_back(args->Get("county"));
  } else {
    v1::ListCountiesRequest request;
    request.set_term(args->Get("term"));
    v1::ListCountiesResponse response;
    grpc::Status status = stub->ListCounties(Deadline(*timeout).get(), request, &response);
    if (!status.ok()) return Fail(Describe(status, "audit service", address));
    counties.assign(response.counties().begin(), response.counties().end());
    if (counties.empty()) {
      return Fail(absl::StrCat("nothing counted in term ", args->Get("term")));
    }
    if (counties.size() > 1 && (*format == Format::kHtml || *format == Format::kJson ||
                                *format == Format::kTsv || *format == Format::kCsv)) {
      return Fail(absl::StrCat(counties.size(), " counties in ", args->Get("term"),
                               "; pass --county for this format"));
    }
  }
  for (size_t i = 0; i < counties.size(); ++i) {
    v1::GetCountyReportRequest request;
    request.set_term(args->Get("term"));
    request.set_county(counties[i]);
    v1::CountyReport report;
    grpc::Status status = stub->GetCountyReport(Deadline(*timeout).get(), request, &report);
    if (!status.ok()) return Fail(Describe(status, "audit service", address));
    if (i > 0) std::fputs("\n", stdout);
    std::fputs(FormatReport(FromCountyReport(report), *format).c_str(), stdout);
  }
  return 0;
}

int RunAlerts(const std::vector<std::string>& raw_args) {
  const std::string synopsis =
      "headcount alerts [--audit=HOST:PORT] [--term=T] [--county=C] "
      "[--district=D] [--level=L] [--follow] [--after=ID] [--format=F]";
  absl::StatusOr<ParsedArgs> args = ParseArgs(raw_args, kAlertsOptions);
  if (!args.ok()) return Fail(std::string(args.status().message()));
  if (args->help) {
    std::printf("%s", Usage(synopsis,
                            "Prints the open alerts (grades, schools, districts, counties\n"
                            "over the threshold), or with --after the alert events after\n"
                            "that id; --follow keeps streaming, resuming after the last id\n"
                            "printed if the connection drops.",
                            kAlertsOptions)
                          .c_str());
    return 0;
  }
  absl::StatusOr<Format> format = ParseFormat(args->Get("format"));
  if (!format.ok() || *format == Format::kHtml) {
    return Fail("--format: must be table, tsv, csv, md or json");
  }
  absl::StatusOr<absl::Duration> timeout = Timeout(*args);
  if (!timeout.ok()) return Fail(std::string(timeout.status().message()));
  v1::AlertFilter filter;
  filter.set_term(args->Get("term"));
  filter.set_county(args->Get("county"));
  filter.set_district(args->Get("district"));
  const std::string level = args->Get("level");
  if (level == "grade") filter.set_level(v1::GRADE);
  else if (level == "school") filter.set_level(v1::SCHOOL);
  else if (level == "district") filter.set_level(v1::DISTRICT);
  else if (level == "county") filter.set_level(v1::COUNTY);
  else if (!level.empty()) return Fail("--level: must be grade, school, district or county");
  int64_t after = -1;
  if (args->Has("after") && (!absl::SimpleAtoi(args->Get("after"), &after) || after < 0)) {
    return Fail("--after: must be an alert_id (a whole number >= 0)");
  }

  const std::string address = args->Get("audit");
  auto stub = v1::AuditService::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::ListAlertsRequest list;
  *list.mutable_filter() = filter;
  v1::ListAlertsResponse open;
  grpc::Status status = stub->ListAlerts(Deadline(*timeout).get(), list, &open);
  if (!status.ok()) return Fail(Describe(status, "audit service", address));
  bool header = true;
  if (after < 0) {
    std::vector<v1::AlertEvent> events(open.alerts().begin(), open.alerts().end());
    std::fputs(FormatAlerts(events, *format, header).c_str(), stdout);
    std::fflush(stdout);
    header = false;
    if (!args->Has("follow")) return 0;
    after = open.last_alert_id();
  }
  // Events after `after`: up to the newest now, or for ever with --follow.
  const int64_t stop_at = args->Has("follow") ? -1 : open.last_alert_id();
  absl::Duration backoff = absl::Milliseconds(200);
  while (stop_at < 0 || after < stop_at) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(
        absl::Now() + (stop_at < 0 ? absl::Hours(24) : *timeout)));
    v1::WatchAlertsRequest request;
    request.set_after_alert_id(after);
    // A bounded read filters here: the server's stream would wait for the
    // next matching event, which may never come.
    if (stop_at < 0) *request.mutable_filter() = filter;
    auto reader = stub->WatchAlerts(&context, request);
    v1::AlertEvent event;
    while (reader->Read(&event)) {
      backoff = absl::Milliseconds(200);
      after = event.alert_id();
      if (stop_at >= 0 && event.alert_id() > stop_at) break;
      if (!Matches(filter, event)) {
        if (stop_at >= 0 && after >= stop_at) break;
        continue;
      }
      std::fputs(FormatAlerts({event}, *format, header).c_str(), stdout);
      std::fflush(stdout);
      header = false;
      if (stop_at >= 0 && after >= stop_at) break;
    }
    context.TryCancel();
    status = reader->Finish();
    if (stop_at >= 0) {
      if (after >= stop_at) return 0;  // we cancelled it ourselves
      return Fail(Describe(status, "audit service", address));
    }
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
        status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      return Fail(Describe(status, "audit service", address));
    }
    std::fprintf(stderr, "headcount: alert stream interrupted (%s); resuming after %lld\n",
                 status.error_message().c_str(), static_cast<long long>(after));
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
  return 0;
}

}  // namespace headcount::cli
