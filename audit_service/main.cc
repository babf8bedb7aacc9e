// headcount-audit: discrepancies and alerts from the ingest change feed.
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "audit_service/audit_server.h"
#include "common/domain/discrepancy.h"
#include "common/domain/local_time.h"
#include "common/domain/term.h"
#include "common/server/command_line.h"
#include "common/server/feed_stream_reactor.h"
#include "common/rpc/tls_files.h"
#include "common/server/grpc_server.h"
#include "common/server/limit_flags.h"
#include "common/server/log.h"
#include "common/server/security_flags.h"
#include "common/server/service_host.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052",
          "HOST:PORT to serve on; port 0 picks a free port");
ABSL_FLAG(std::string, data_dir, "",
          "RocksDB directory of the audit state (created if missing)");
ABSL_FLAG(std::string, ingest, "127.0.0.1:50051",
          "HOST:PORT of the ingest service to follow");
ABSL_FLAG(std::string, ingest_ca, "",
          "PEM CA bundle that signs the ingest's certificate: TLS to the "
          "ingest");
ABSL_FLAG(std::string, ingest_cert, "",
          "PEM client certificate of this audit (its CN is bound to the "
          "follower role in the ingest's policy)");
ABSL_FLAG(std::string, ingest_key, "", "PEM private key of --ingest_cert");
ABSL_FLAG(std::string, on_other_history, "rebuild",
          "when the ingest holds another history than the one applied (it "
          "was wiped, or --ingest names another one): rebuild (discard the "
          "audit state, new alert epoch, follow the new history) or refuse "
          "(stay NOT_SERVING, apply nothing)");
ABSL_FLAG(std::string, over_threshold, "0.02",
          "flag when (registry - onsite) / registry exceeds this fraction");
ABSL_FLAG(std::string, under_threshold, "",
          "flag when (onsite - registry) / registry exceeds this fraction; "
          "empty: off");
ABSL_FLAG(int64_t, min_abs_difference, 0,
          "never flag a difference smaller than this many students");
ABSL_FLAG(std::string, levels, "grade,school,district,county",
          "levels evaluated for alerts, comma-separated; city and province "
          "(the sums of a city's or province's counties) are off unless "
          "listed");
ABSL_FLAG(std::string, source_mismatch_threshold, "0.02",
          "the district's self-check and the inspection disagree on a grade "
          "when |self-check onsite - inspection onsite| / self-check onsite "
          "exceeds this fraction (CompareSources, SOURCE_MISMATCH alerts)");
ABSL_FLAG(bool, source_mismatch_alerts, false,
          "raise SOURCE_MISMATCH alerts for school-grades whose self-check "
          "and inspection disagree");
ABSL_FLAG(std::string, coverage_deadline, "",
          "TERM=WHEN[,TERM=WHEN...]: after WHEN (a day like 2015-12-18, its "
          "end in UTC+8, or an RFC 3339 time) every district of TERM whose "
          "roster has a school or grade without counts gets an "
          "INCOMPLETE_COVERAGE alert until it is counted; empty: off");
ABSL_FLAG(absl::Duration, watch_stall_limit, headcount::kDefaultStallLimit,
          "cancel a WatchAlerts stream (RESOURCE_EXHAUSTED) whose client "
          "reads nothing for this long while events are due; 0: never");

namespace {

int Fail(const std::string& message) {
  headcount::Log(headcount::LogLevel::kError, "flags", message);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  headcount::BlockTerminationSignals();
  headcount::ParseServerFlags(
      argc, argv,
      "Serves headcount.v1.AuditService: follows the ingest service's change "
      "feed, keeps school, district and county discrepancies and streams "
      "alerts.\nusage: headcount-audit --data_dir=DIR [--ingest=HOST:PORT] "
      "[--listen=HOST:PORT] [policy flags]");

  headcount::audit::AuditServer::Options options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.health_listen = headcount::HealthListenFlag();
  options.store.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.follower.ingest_address = absl::GetFlag(FLAGS_ingest);
  options.watch_stall_limit = absl::GetFlag(FLAGS_watch_stall_limit);
  if (options.store.data_dir.empty()) return Fail("--data_dir is required");
  const std::string on_other_history = absl::GetFlag(FLAGS_on_other_history);
  if (on_other_history != "rebuild" && on_other_history != "refuse") {
    return Fail("--on_other_history: rebuild or refuse, not \"" +
                on_other_history + "\"");
  }
  options.follower.refuse_other_history = on_other_history == "refuse";
  auto security = headcount::ServerSecurityFromFlags(options.listen);
  if (!security.ok()) return Fail(std::string(security.status().message()));
  options.security = *std::move(security);
  auto ingest_credentials = headcount::ChannelCredentials(
      {absl::GetFlag(FLAGS_ingest_ca), absl::GetFlag(FLAGS_ingest_cert),
       absl::GetFlag(FLAGS_ingest_key)},
      "--ingest_", headcount::ReloadIntervalFlag());
  if (!ingest_credentials.ok()) {
    return Fail(std::string(ingest_credentials.status().message()));
  }
  options.follower.credentials = *std::move(ingest_credentials);
  std::string limits_description;
  auto limits = headcount::ResourceLimitsFromFlags(limits_description);
  if (!limits.ok()) return Fail(std::string(limits.status().message()));
  options.limits = *limits;
  options.disk_floor_bytes = headcount::DiskFloorBytesFlag();
  headcount::Log(headcount::LogLevel::kInfo, "server", limits_description);
  headcount::Log(headcount::LogLevel::kInfo, "server",
                 absl::StrCat(options.security.description, "; to the ingest: ",
                              absl::GetFlag(FLAGS_ingest_ca).empty()
                                  ? "plaintext"
                                  : "TLS with --ingest_cert"));

  headcount::ThresholdPolicy& policy = options.store.policy;
  auto over = headcount::ParseFractionPpm(absl::GetFlag(FLAGS_over_threshold));
  if (!over.ok()) return Fail("--over_threshold: " + over.status().ToString());
  policy.over_ppm = *over;
  if (!absl::GetFlag(FLAGS_under_threshold).empty()) {
    auto under =
        headcount::ParseFractionPpm(absl::GetFlag(FLAGS_under_threshold));
    if (!under.ok()) {
      return Fail("--under_threshold: " + under.status().ToString());
    }
    policy.under_ppm = *under;
  }
  policy.min_abs_difference = absl::GetFlag(FLAGS_min_abs_difference);
  if (policy.min_abs_difference < 0) {
    return Fail("--min_abs_difference: must not be negative");
  }
  auto levels = headcount::ParseLevels(absl::GetFlag(FLAGS_levels));
  if (!levels.ok()) return Fail("--levels: " + levels.status().ToString());
  policy.levels = *levels;
  auto mismatch = headcount::ParseFractionPpm(
      absl::GetFlag(FLAGS_source_mismatch_threshold));
  if (!mismatch.ok()) {
    return Fail("--source_mismatch_threshold: " +
                mismatch.status().ToString());
  }
  policy.source_mismatch_ppm = *mismatch;
  policy.source_mismatch_alerts = absl::GetFlag(FLAGS_source_mismatch_alerts);

  for (absl::string_view entry :
       absl::StrSplit(absl::GetFlag(FLAGS_coverage_deadline), ',',
                      absl::SkipWhitespace())) {
    const std::vector<std::string> parts =
        absl::StrSplit(entry, absl::MaxSplits('=', 1));
    auto term = headcount::ParseTerm(parts[0]);
    auto when = parts.size() == 2 ? headcount::ParseDayOrTime(
                                        parts[1], headcount::DayEdge::kEnd)
                                  : absl::InvalidArgumentError("no =WHEN");
    if (!term.ok() || !when.ok()) {
      return Fail(absl::StrCat(
          "--coverage_deadline: \"", entry, "\": ",
          !term.ok() ? term.status().message() : when.status().message()));
    }
    options.store.coverage_deadlines[term->ToString()] = *when;
  }

  auto server = headcount::audit::AuditServer::StartListening(options);
  if (!server.ok()) {
    headcount::Log(headcount::LogLevel::kError, "server", server.status().ToString());
    return 1;
  }
  headcount::audit::AuditServer& audit = **server;
  auto metrics = headcount::StartMetricsFromFlags();
  if (!metrics.ok()) {
    headcount::Log(headcount::LogLevel::kError, "flags",
                   metrics.status().message());
    return 2;
  }
  return headcount::ServeUntilSignalled(
      options.store.data_dir, audit.host(), [&] {
        return absl::StrCat("following ", options.follower.ingest_address,
                            " from revision ",
                            audit.store()->applied_revision());
      });
}
