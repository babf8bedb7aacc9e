// headcount alerts: the open alerts, or the alert events after an id, and
// with --follow every new one as it comes.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "cli/client.h"
#include "cli/command.h"
#include "cli/output/writer.h"
#include "common/domain/alert_filter.h"
#include "common/domain/discrepancy.h"
#include "headcount/v1/audit.grpc.pb.h"

namespace headcount::cli {
namespace {

class AlertsCommand final : public Command {
 public:
  explicit AlertsCommand(const TlsFiles* tls) : tls_(tls) {}

  void Define(CLI::App& app) override {
    app.add_option("--audit", audit_, "the audit service (HOST:PORT)")
        ->capture_default_str();
    app.add_option("--term", term_, "only this term");
    app.add_option("--county", county_, "only this county (needs --term)");
    app.add_option("--district", district_,
                   "only this district (needs --county)");
    app.add_option("--province", province_,
                   "only counties of this province (by the region each event "
                   "carries)");
    app.add_option("--city", city_, "only counties of this city (needs "
                                    "--province)");
    app.add_option("--level", level_, "only grade, school, district or county")
        ->check(CLI::IsMember({"grade", "school", "district", "county"}));
    app.add_flag("--follow", follow_, "keep streaming new alert events");
    after_option_ = app.add_option(
        "--after", after_,
        "alert events after this alert_id instead of the open alerts");
    after_option_->check(CLI::NonNegativeNumber);
    app.add_option("--epoch", epoch_,
                   "the alert epoch --after belongs to (each JSON event "
                   "names it); refused if the audit has started a new one")
        ->needs(after_option_);
    app.add_option("--format", format_,
                   "table, tsv, csv, md or json (JSON Lines)")
        ->capture_default_str()
        ->check(CLI::IsMember({"table", "tsv", "csv", "md", "json"}));
    app.add_option("--timeout", timeout_seconds_,
                   "deadline of each call, seconds (a --follow stream "
                   "reconnects when it passes)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
  }

  int Run() override {
    absl::StatusOr<Format> format = ParseFormat(format_);
    if (!format.ok()) return Fail(std::string(format.status().message()));
    writer_ = NewWriter(*format);
    filter_.set_term(term_);
    filter_.set_county(county_);
    filter_.set_district(district_);
    filter_.set_province(province_);
    filter_.set_city(city_);
    if (!level_.empty()) {
      absl::StatusOr<v1::Level> level = ParseLevel(level_);
      if (!level.ok()) return Fail(std::string(level.status().message()));
      filter_.set_level(*level);
    }
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        Connect(audit_, *tls_);
    if (!channel.ok()) return Fail(std::string(channel.status().message()));
    stub_ = v1::AuditService::NewStub(*std::move(channel));

    v1::ListAlertsRequest list;
    *list.mutable_filter() = filter_;
    v1::ListAlertsResponse open;
    grpc::Status status = stub_->ListAlerts(
        Deadline(absl::Seconds(timeout_seconds_)).get(), list, &open);
    if (!status.ok()) return Fail(Describe(status, "audit service", audit_));
    WarnIfStale(open.freshness(), audit_);
    // Ids count within the audit's epoch: resume only within the one the
    // ids came from (the list's, or the one given with --after).
    if (epoch_.empty()) epoch_ = open.epoch();
    int64_t after = after_option_->count() > 0 ? after_ : -1;
    if (after < 0) {
      // Page by page: a county's open alerts may not fit in one message.
      // Printed once, ordered like the reports' rows.
      std::vector<v1::AlertEvent> alerts(open.alerts().begin(),
                                         open.alerts().end());
      for (v1::ListAlertsResponse page = open;
           !page.next_page_token().empty();) {
        list.set_page_token(page.next_page_token());
        status = stub_->ListAlerts(
            Deadline(absl::Seconds(timeout_seconds_)).get(), list, &page);
        if (!status.ok()) return Fail(Describe(status, "audit service", audit_));
        alerts.insert(alerts.end(), page.alerts().begin(), page.alerts().end());
      }
      absl::StatusOr<std::unique_ptr<PinyinOrder>> order = PinyinOrder::Create();
      if (!order.ok()) return Fail(std::string(order.status().message()));
      SortAlertsLikeReports(**order, alerts);
      Print(alerts);
      if (!follow_) return 0;
      after = open.last_alert_id();
    }
    // Events after `after`: up to the newest now, or for ever with --follow.
    return Stream(after, follow_ ? -1 : open.last_alert_id());
  }

 private:
  const TlsFiles* const tls_;
  void Print(const std::vector<v1::AlertEvent>& events) {
    std::fputs(writer_->Alerts(events, header_).c_str(), stdout);
    std::fflush(stdout);
    header_ = false;
  }

  // Prints the events after `after` that pass the filter, up to `stop_at`
  // (-1: for ever, resuming after the last id when the stream breaks).
  int Stream(int64_t after, int64_t stop_at) {
    absl::Duration backoff = absl::Milliseconds(200);
    while (stop_at < 0 || after < stop_at) {
      grpc::ClientContext context;
      context.set_deadline(absl::ToChronoTime(
          absl::Now() +
          (stop_at < 0 ? absl::Hours(24) : absl::Seconds(timeout_seconds_))));
      v1::WatchAlertsRequest request;
      request.set_after_alert_id(after);
      request.set_epoch(epoch_);
      // A bounded read filters here: the server's stream would wait for the
      // next matching event, which may never come.
      if (stop_at < 0) *request.mutable_filter() = filter_;
      auto reader = stub_->WatchAlerts(&context, request);
      v1::AlertEvent event;
      bool done = false;  // a bounded read that has reached stop_at
      while (!done && reader->Read(&event)) {
        backoff = absl::Milliseconds(200);
        after = event.alert_id();
        if (stop_at >= 0 && event.alert_id() > stop_at) break;
        if (Matches(filter_, event)) Print({event});
        done = stop_at >= 0 && after >= stop_at;
      }
      // Cancel only a stream this side ends; a stream the server ended
      // keeps its own status (cancelling first would always read
      // CANCELLED).
      if (stop_at >= 0) context.TryCancel();
      grpc::Status status = reader->Finish();
      if (stop_at >= 0) {
        if (after >= stop_at) return 0;  // we cancelled it ourselves
        return Fail(Describe(status, "audit service", audit_));
      }
      // The audit restarting, killed or unreachable, the connection lost,
      // the day's deadline, or the server cancelling a stalled stream:
      // resume after the last id printed. Anything else is an answer.
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE &&
          status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED &&
          status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED) {
        return Fail(Describe(status, "audit service", audit_));
      }
      std::fprintf(stderr,
                   "headcount: alert stream interrupted (%s); resuming after "
                   "%lld\n",
                   status.error_message().c_str(),
                   static_cast<long long>(after));
      absl::SleepFor(backoff);
      backoff = std::min(backoff * 2, absl::Seconds(5));
    }
    return 0;
  }

  std::string audit_ = "127.0.0.1:50052";
  std::string epoch_;
  std::string term_;
  std::string county_;
  std::string district_;
  std::string province_;
  std::string city_;
  std::string level_;
  bool follow_ = false;
  int64_t after_ = 0;
  CLI::Option* after_option_ = nullptr;
  std::string format_ = "table";
  int timeout_seconds_ = 30;
  v1::AlertFilter filter_;
  bool header_ = true;
  std::unique_ptr<Writer> writer_;
  std::unique_ptr<v1::AuditService::Stub> stub_;
};

}  // namespace

std::unique_ptr<Command> NewAlertsCommand(const TlsFiles* tls) {
  return std::make_unique<AlertsCommand>(tls);
}

}  // namespace headcount::cli
