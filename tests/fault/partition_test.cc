// A TCP proxy between the audit and the ingest blackholes, delays and cuts
// the connection. The audit must notice a dead stream (keepalive), reconnect,
// resume, and converge to the notice's findings; the figures say how long
// each took.
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "audit_service/audit_server.h"
#include "cli/spreadsheet/csv_import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ingest_service/ingest_server.h"
#include "tests/fault/tcp_proxy.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::testing {
namespace {

TEST(PartitionTest, AuditConvergesThroughBlackholeDelayAndCut) {
  TempDir dir;
  ingest::IngestServer::Options ingest_options =
      LoopbackIngestOptions(dir.Sub("ingest"));
  // The audit below pings every second, more often than the default allows.
  ingest_options.limits.min_ping_interval = absl::Milliseconds(500);
  auto ingest = ingest::IngestServer::Start(ingest_options);
  ASSERT_TRUE(ingest.ok());
  auto proxy = TcpProxy::Start((*ingest)->address());
  ASSERT_TRUE(proxy.ok());

  audit::AuditServer::Options options;
  options.listen = "127.0.0.1:0";
  options.store.data_dir = dir.Sub("audit");
  options.follower.ingest_address = (*proxy)->address();
  options.follower.min_backoff = absl::Milliseconds(50);
  options.follower.max_backoff = absl::Milliseconds(500);
  options.follower.progress_interval = absl::Milliseconds(200);
  options.follower.keepalive_time = absl::Seconds(1);
  options.follower.keepalive_timeout = absl::Seconds(1);
  auto audit = audit::AuditServer::Start(options);
  ASSERT_TRUE(audit.ok());

  std::ifstream in(FixturePath("headcounts.csv"));
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto schools = ParseHeadcountCsv(buffer.str())->schools;
  auto stub = v1::IngestService::NewStub(FastReconnectChannel((*ingest)->address()));
  auto submit = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      v1::SubmitResponse response;
      ASSERT_TRUE(stub->Submit(Context().get(), schools[i], &response).ok());
    }
  };
  auto converged = [&] {
    return (*audit)->store()->applied_revision() == (*ingest)->store()->revision();
  };
  auto time_to_converge = [&] {
    const absl::Time start = absl::Now();
    EXPECT_TRUE(WaitFor(converged, absl::Seconds(30)));
    return absl::Now() - start;
  };

  submit(0, 40);
  time_to_converge();

  // Blackhole: nothing passes either way, the connection stays open.
  const int streams_before = (*audit)->follower().connections();
  (*proxy)->SetMode(TcpProxy::Mode::kBlackhole);
  const absl::Time partitioned = absl::Now();
  submit(40, 80);
  // The follower must notice the dead stream by keepalive and try again.
  ASSERT_TRUE(WaitFor([&] { return (*audit)->follower().connections() > streams_before; },
                      absl::Seconds(20)));
  const absl::Duration noticed = absl::Now() - partitioned;
  EXPECT_FALSE(converged());
  (*proxy)->SetMode(TcpProxy::Mode::kForward);
  const absl::Duration after_heal = time_to_converge();

  // Delay: every chunk waits 200 ms each way.
  (*proxy)->SetMode(TcpProxy::Mode::kDelay, absl::Milliseconds(200));
  submit(80, 100);
  const absl::Duration delayed = time_to_converge();
  (*proxy)->SetMode(TcpProxy::Mode::kForward);

  // Cut: every connection closed under the stream.
  (*proxy)->CutAll();
  submit(100, schools.size());
  const absl::Duration after_cut = time_to_converge();

  auto report = (*audit)->store()->GetCountyReport("2015-autumn", "利辛县");
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->total().onsite_count(), 60135);
  EXPECT_EQ(report->total().registry_count(), 60216);
  v1::AlertFilter districts;
  districts.set_level(v1::DISTRICT);
  auto alerts = (*audit)->store()->ListAlerts(districts);
  ASSERT_TRUE(alerts.ok());
  EXPECT_EQ(alerts->alerts_size(), 4);
  std::printf("[ figures ] blackhole noticed after %s (keepalive 1 s + 1 s), "
              "converged %s after healing; with 200 ms delay converged in %s; "
              "after a cut converged in %s\n",
              absl::FormatDuration(noticed).c_str(),
              absl::FormatDuration(after_heal).c_str(),
              absl::FormatDuration(delayed).c_str(),
              absl::FormatDuration(after_cut).c_str());
}

}  // namespace
}  // namespace headcount::testing
