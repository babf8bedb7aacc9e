// headcount report: the county table (attachment 1) of one county or of
// every county of the term, or with --district the same per school.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/time_util.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/output/notice.h"
#include "cli/output/writer.h"
#include "cli/output/xlsx_workbook.h"
#include "common/domain/local_time.h"
#include "common/domain/text_file.h"
#include "common/domain/suggest.h"
#include "headcount/v1/audit.grpc.pb.h"

namespace headcount::cli {
namespace {

class ReportCommand final : public Command {
 public:
  explicit ReportCommand(const TlsFiles* tls) : tls_(tls) {}

  void Define(CLI::App& app) override {
    app.add_option("--audit", audit_, "the audit service (HOST:PORT)")
        ->capture_default_str();
    app.add_option("--term", term_, "the term, like 2015-autumn")->required();
    app.add_option("--county", county_,
                   "one county; default: every county of the term");
    app.add_option("--district", district_,
                   "per-school report of one district (needs --county)");
    app.add_option("--province", province_,
                   "the table above counties: one row per city of this "
                   "province (by the regions the ingest holds)");
    app.add_option("--city", city_,
                   "with --province: one row per county of this city");
    app.add_option("--format", format_,
                   "table, tsv, csv, md, json, html, xlsx (an Excel "
                   "workbook laid out as the notice's attachment), or notice, "
                   "notice-md, notice-html: the notice drafted from the data "
                   "(its findings' sentences, then attachments 1 and 2; needs "
                   "--county)")
        ->capture_default_str()
        ->check(CLI::IsMember({"table", "tsv", "csv", "md", "json", "html",
                               "xlsx", "notice", "notice-md",
                               "notice-html"}));
    app.add_flag("--schools", schools_,
                 "attachment 2: every school of the county, district by "
                 "district with a 小计 each, then 合计 (needs --county)");
    app.add_option("--output", output_,
                   "write the report to FILE instead of standard output "
                   "(written beside it, then renamed over it)");
    app.add_flag("--bom", bom_,
                 "start a csv or tsv with a UTF-8 byte order mark, so that "
                 "Excel in a Chinese locale reads it as UTF-8");
    app.add_flag("--coverage", coverage_,
                 "what was counted of the county's roster instead of the "
                 "table: schools and grades expected and reported per "
                 "district, the missing ones, schools not on the roster");
    app.add_option("--corrected-after", corrected_after_,
                   "list the schools whose counts changed after this day "
                   "(YYYY-MM-DD, from its start in China Standard Time) or "
                   "time (RFC 3339), such as the end of the inspection, "
                   "instead of the table");
    app.add_option("--compare-to", compare_to_,
                   "put the term beside this earlier one (needs --county; "
                   "with --district its schools): both terms' counts, the "
                   "changes, what is over the threshold in both");
    AddSourceOption(app, source_,
                    "whose counts the table sums: the county's inspection "
                    "(抽查, the published table) or the districts' "
                    "self-check (自查)");
    app.add_flag("--compare-sources", compare_sources_,
                 "the districts' self-check against the county's inspection, "
                 "per school-grade both counted (needs --county; with "
                 "--district its schools)");
    app.add_flag("--flagged", flagged_,
                 "with --compare-sources: only the school-grades whose "
                 "sources differ by more than the audit's threshold");
    app.add_flag("--persistent", persistent_,
                 "with --compare-to: list the school-grades over the "
                 "threshold in both terms instead");
    app.add_option("--timeout", timeout_seconds_,
                   "deadline of each call, seconds")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  }

  int Run() override {
    if (!district_.empty() && county_.empty()) {
      return Fail("--district needs --county");
    }
    if (bom_ && format_ != "csv" && format_ != "tsv") {
      return Fail("--bom goes with --format=csv or --format=tsv");
    }
    const bool xlsx = format_ == "xlsx";
    const bool notice = absl::StartsWith(format_, "notice");
    if ((!province_.empty() || !city_.empty()) &&
        (province_.empty() || !county_.empty() || !district_.empty() ||
         notice || schools_ || coverage_ || !corrected_after_.empty() ||
         !compare_to_.empty())) {
      return Fail(
          "--province (and --city, which needs it) goes without --county, "
          "--district, --schools, --coverage, --corrected-after, "
          "--compare-to or a notice");
    }
    if ((!compare_to_.empty() || persistent_) &&
        (county_.empty() || compare_to_.empty() || xlsx || notice ||
         schools_ || coverage_ || !corrected_after_.empty())) {
      return Fail(
          "--compare-to needs --county (and --persistent needs --compare-to), "
          "without --schools, --coverage, --corrected-after, --format=xlsx "
          "or a notice");
    }
    if ((notice || schools_) &&
        (county_.empty() || !district_.empty() || coverage_ ||
         !corrected_after_.empty())) {
      return Fail(absl::StrCat(
          notice ? "--format=" + format_ : std::string("--schools"),
          " needs --county, without --district, --coverage or "
          "--corrected-after"));
    }
    if ((compare_sources_ || flagged_) &&
        (county_.empty() || !compare_sources_ || xlsx || notice || schools_ ||
         coverage_ || !corrected_after_.empty() || !compare_to_.empty() ||
         source_ != "inspection")) {
      return Fail(
          "--compare-sources needs --county (and --flagged needs "
          "--compare-sources), without --schools, --coverage, "
          "--corrected-after, --compare-to, --source, --format=xlsx or a "
          "notice");
    }
    if (source_ != "inspection" &&
        (coverage_ || notice || !province_.empty() || !compare_to_.empty() ||
         !corrected_after_.empty())) {
      return Fail("--source=self-check goes with the county, district and "
                  "--schools tables only");
    }
    if (coverage_ && (county_.empty() || !district_.empty() || xlsx ||
                      !corrected_after_.empty())) {
      return Fail("--coverage needs --county, without --district, "
                  "--corrected-after or --format=xlsx");
    }
    std::optional<absl::Time> corrected_after;
    if (!corrected_after_.empty()) {
      absl::StatusOr<absl::Time> parsed =
          ParseDayOrTime(corrected_after_, DayEdge::kStart);
      if (!parsed.ok()) {
        return Fail(absl::StrCat("--corrected-after: ",
                                 parsed.status().message()));
      }
      if (!district_.empty() || xlsx) {
        return Fail("--corrected-after lists a county's schools: leave out "
                    "--district and --format=xlsx");
      }
      corrected_after = *parsed;
    }
    if (xlsx && output_.empty() && isatty(STDOUT_FILENO)) {
      return Fail(
          "--format=xlsx writes a binary workbook; pass --output=FILE.xlsx "
          "or redirect standard output to a file");
    }
    // One table per file, except for these.
    const bool many_tables = format_ == "table" || format_ == "md";
    if (!xlsx && !notice) {
      absl::StatusOr<Format> format = ParseFormat(format_);
      if (!format.ok()) return Fail(std::string(format.status().message()));
      writer_ = NewWriter(*format);
    }
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        Connect(audit_, *tls_);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    stub_ = v1::AuditService::NewStub(*std::move(channel));
    if (coverage_) return PrintCoverage();
    if (notice) return PrintNotice();
    if (!province_.empty()) return PrintRegion();
    if (!compare_to_.empty()) return PrintComparison();
    if (compare_sources_) return PrintSources();
    if (!district_.empty()) return PrintDistrict();

    std::vector<std::string> counties;
    if (!county_.empty()) {
      counties.push_back(county_);
    } else {
      v1::ListCountiesRequest request;
      request.set_term(term_);
      v1::ListCountiesResponse response;
      grpc::Status status =
          stub_->ListCounties(Deadline(timeout()).get(), request, &response);
      if (!status.ok()) return Fail(Describe(status, "audit service", audit_));
      counties.assign(response.counties().begin(), response.counties().end());
      if (counties.empty()) {
        return Fail(absl::StrCat("nothing counted in term ", term_));
      }
      if (counties.size() > 1 && !many_tables) {
        return Fail(absl::StrCat(counties.size(), " counties in ", term_,
                                 "; pass --county for this format"));
      }
    }
    for (size_t i = 0; i < counties.size(); ++i) {
      v1::GetCountyReportRequest request;
      request.set_term(term_);
      request.set_county(counties[i]);
      request.set_include_schools(schools_);
      request.set_source(SourceOf(source_));
      if (corrected_after.has_value()) {
        *request.mutable_corrected_after() =
            google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
                absl::ToUnixMicros(*corrected_after));
      }
      v1::CountyReport report;
      grpc::Status status =
          stub_->GetCountyReport(Deadline(timeout()).get(), request, &report);
      if (!status.ok()) return Fail(Describe(status, "audit service", audit_));
      if (i > 0) text_ += "\n";
      WarnIfStale(report.freshness(), audit_);
      if (corrected_after.has_value()) {
        AddTable(LateCorrectionsTable(report, corrected_after_));
        continue;
      }
      if (int failed = Add(schools_ ? FromSchoolsReport(report)
                                    : FromCountyReport(report));
          failed != 0) {
        return failed;
      }
    }
    return Emit();
  }

 private:
  const TlsFiles* const tls_;
  absl::Duration timeout() const { return absl::Seconds(timeout_seconds_); }

  int PrintCoverage() {
    v1::GetCoverageReportRequest request;
    request.set_term(term_);
    request.set_county(county_);
    v1::CoverageReport report;
    grpc::Status status =
        stub_->GetCoverageReport(Deadline(timeout()).get(), request, &report);
    if (!status.ok()) return Fail(Describe(status, "audit service", audit_));
    WarnIfStale(report.freshness(), audit_);
    AddTable(CoverageTable(report));
    return Emit();
  }

  int PrintRegion() {
    v1::GetRegionReportRequest request;
    request.set_term(term_);
    request.set_province(province_);
    request.set_city(city_);
    v1::RegionReport report;
    grpc::Status status =
        stub_->GetRegionReport(Deadline(timeout()).get(), request, &report);
    if (!status.ok()) return Fail(Describe(status, "audit service", audit_));
    WarnIfStale(report.freshness(), audit_);
    if (int failed = Add(FromRegionReport(report)); failed != 0) return failed;
    return Emit();
  }

  int PrintComparison() {
    v1::CompareTermsRequest request;
    request.set_term(term_);
    request.set_previous_term(compare_to_);
    request.set_county(county_);
    request.set_district(district_);
    v1::TermComparison comparison;
    grpc::Status status =
        stub_->CompareTerms(Deadline(timeout()).get(), request, &comparison);
    if (!status.ok()) return Fail(Describe(status, "audit service", audit_));
    WarnIfStale(comparison.freshness(), audit_);
    AddTable(persistent_ ? PersistentGradesTable(comparison)
                         : TermComparisonTable(comparison));
    return Emit();
  }

  int PrintSources() {
    v1::CompareSourcesRequest request;
    request.set_term(term_);
    request.set_county(county_);
    request.set_district(district_);
    request.set_only_flagged(flagged_);
    v1::SourceComparison comparison;
    grpc::Status status =
        stub_->CompareSources(Deadline(timeout()).get(), request, &comparison);
    if (!status.ok()) return Fail(Describe(status, "audit service", audit_));
    WarnIfStale(comparison.freshness(), audit_);
    AddTable(SourceComparisonTable(comparison));
    return Emit();
  }

  int PrintNotice() {
    v1::GetCountyReportRequest request;
    request.set_term(term_);
    request.set_county(county_);
    request.set_include_schools(true);
    v1::CountyReport report;
    grpc::Status status =
        stub_->GetCountyReport(Deadline(timeout()).get(), request, &report);
    if (!status.ok()) return Fail(Describe(status, "audit service", audit_));
    WarnIfStale(report.freshness(), audit_);
    // The flagged grades, every page (read as of each page's time: a
    // revision applied meanwhile shows in the footer's revision only).
    std::vector<v1::GradeDiscrepancy> flagged;
    v1::ListGradeDiscrepanciesRequest grades;
    grades.set_term(term_);
    grades.set_county(county_);
    grades.set_only_flagged(true);
    do {
      v1::ListGradeDiscrepanciesResponse page;
      status = stub_->ListGradeDiscrepancies(Deadline(timeout()).get(), grades,
                                             &page);
      if (!status.ok()) return Fail(Describe(status, "audit service", audit_));
      flagged.insert(flagged.end(), page.grades().begin(), page.grades().end());
      grades.set_page_token(page.next_page_token());
    } while (!grades.page_token().empty());
    text_ = NoticeDraft(report, flagged,
                        format_ == "notice-md"     ? NoticeFormat::kMarkdown
                        : format_ == "notice-html" ? NoticeFormat::kHtml
                                                   : NoticeFormat::kText);
    return Emit();
  }

  int PrintDistrict() {
    v1::GetDistrictReportRequest request;
    request.set_term(term_);
    request.set_county(county_);
    request.set_district(district_);
    request.set_source(SourceOf(source_));
    v1::DistrictReport report;
    grpc::Status status =
        stub_->GetDistrictReport(Deadline(timeout()).get(), request, &report);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
      // Name the districts of the county that come close.
      v1::GetCountyReportRequest county;
      county.set_term(term_);
      county.set_county(county_);
      v1::CountyReport districts;
      std::vector<std::string> names;
      if (stub_->GetCountyReport(Deadline(timeout()).get(), county, &districts)
              .ok()) {
        for (const v1::ReportRow& row : districts.rows()) {
          names.push_back(row.name());
        }
      }
      return Fail(absl::StrCat(Describe(status, "audit service", audit_),
                               DidYouMean(district_, names)));
    }
    if (!status.ok()) return Fail(Describe(status, "audit service", audit_));
    WarnIfStale(report.freshness(), audit_);
    if (int failed = Add(FromDistrictReport(report)); failed != 0) {
      return failed;
    }
    return Emit();
  }

  // Renders one table into text_ (csv and tsv hold one per file, so the
  // mark comes once).
  int Add(const ReportTable& table) {
    if (format_ == "xlsx") {
      absl::StatusOr<std::string> workbook = ReportWorkbook(table);
      if (!workbook.ok()) return Fail(std::string(workbook.status().message()));
      text_ += *workbook;
      return 0;
    }
    if (bom_) text_ += "\xEF\xBB\xBF";
    text_ += writer_->Report(table);
    return 0;
  }

  // Renders a plain table into text_ (after the mark, with --bom).
  void AddTable(const PlainTable& table) {
    if (bom_) text_ += "\xEF\xBB\xBF";
    text_ += writer_->Table(table);
  }

  // Writes text_ to standard output or to --output.
  int Emit() {
    if (output_.empty()) {
      std::fwrite(text_.data(), 1, text_.size(), stdout);
      return std::fflush(stdout) == 0
                 ? 0
                 : Fail(absl::StrCat("cannot write the report: ",
                                     std::strerror(errno)));
    }
    if (absl::Status written = ReplaceFile(output_, text_); !written.ok()) {
      return Fail(std::string(written.message()));
    }
    return 0;
  }

  std::string audit_ = "127.0.0.1:50052";
  bool bom_ = false;
  std::string term_;
  std::string county_;
  std::string district_;
  std::string format_ = "table";
  std::string output_;
  std::string corrected_after_;
  bool coverage_ = false;
  bool schools_ = false;
  std::string province_;
  std::string city_;
  std::string compare_to_;
  bool persistent_ = false;
  std::string source_ = "inspection";
  bool compare_sources_ = false;
  bool flagged_ = false;
  std::string text_;  // what Emit writes
  int timeout_seconds_ = 30;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<v1::AuditService::Stub> stub_;
};

}  // namespace

std::unique_ptr<Command> NewReportCommand(const TlsFiles* tls) {
  return std::make_unique<ReportCommand>(tls);
}

}  // namespace headcount::cli
