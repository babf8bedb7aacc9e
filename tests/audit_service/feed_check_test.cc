// A lying feed: the rule table of CheckFeedRevision, and an audit following
// a fake ingest that sends each of the bad feeds after a good revision.
#include "audit_service/feed_check.h"

#include <limits>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "audit_service/audit_server.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "headcount/v1/audit.grpc.pb.h"
#include "headcount/v1/ingest.grpc.pb.h"
#include "tests/test_util.h"

namespace headcount::audit {
namespace {

using ::headcount::testing::Context;
using ::headcount::testing::WaitFor;
using ::testing::HasSubstr;

v1::SchoolRecord Record(int64_t revision, const std::string& school,
                        int grade = 1, int64_t onsite = 90,
                        int64_t registry = 100) {
  v1::SchoolRecord record;
  record.set_term("2015-autumn");
  record.set_county("利辛县");
  record.set_district("永兴");
  record.set_school(school);
  v1::GradeCount* g = record.add_grades();
  g->set_grade(grade);
  g->set_onsite_count(onsite);
  g->set_registry_count(registry);
  record.set_create_revision(revision);
  record.set_mod_revision(revision);
  record.set_version(1);
  return record;
}

constexpr int64_t kHuge = std::numeric_limits<int64_t>::max();

struct BadFeed {
  const char* name;
  int64_t revision;
  v1::SchoolRecord record;
  const char* message;
};

void PrintTo(const BadFeed& feed, std::ostream* os) { *os << feed.name; }

std::vector<BadFeed> BadFeeds() {
  v1::SchoolRecord unnamed = Record(2, "");
  v1::SchoolRecord misstamped = Record(2, "双龙中学");
  misstamped.set_mod_revision(7);
  return {
      {"HugeCount", 2, Record(2, "双龙中学", 1, kHuge, kHuge),
       "grades[0].onsite_count: must be at most 1000000"},
      {"NegativeCount", 2, Record(2, "双龙中学", 1, -5, 100),
       "grades[0].onsite_count: must not be negative"},
      {"Grade300", 2, Record(2, "双龙中学", 300),
       "grades[0].grade: must be in 1..12, got 300"},
      {"RevisionGap", 5, Record(5, "双龙中学"),
       "jumped from revision 1 to 5: revisions 2..4 are missing"},
      {"EmptyName", 2, unnamed, "school: must not be empty"},
      {"MisstampedRecord", 2, misstamped, "mod_revision: is 7 in revision 2"},
  };
}

TEST(FeedCheckTest, EachBadFeedIsRefusedNamingTheRule) {
  const v1::SchoolRecord good = Record(2, "双龙中学");
  EXPECT_TRUE(
      CheckFeedRevision(FeedSource::kWatch, 1, 2, PutEvents({good})).ok());
  for (const BadFeed& bad : BadFeeds()) {
    absl::Status status =
        CheckFeedRevision(FeedSource::kWatch, 1, bad.revision,
                          PutEvents({bad.record}));
    EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << bad.name;
    EXPECT_THAT(status.message(), HasSubstr(bad.message)) << bad.name;
  }
  // A listing may be ahead and carry older records, never be behind.
  v1::SchoolRecord older = Record(3, "双龙中学");
  EXPECT_TRUE(
      CheckFeedRevision(FeedSource::kList, 1, 9, PutEvents({older})).ok());
  EXPECT_TRUE(CheckFeedRevision(FeedSource::kList, 0, 0, {}).ok());
  EXPECT_EQ(CheckFeedRevision(FeedSource::kList, 5, 4, {}).code(),
            absl::StatusCode::kDataLoss);
}

// A rebuild's listing carries the rosters as ROSTER_PUT events, stamped at
// or below the listing's revision.
TEST(FeedCheckTest, AListingMayCarryRosterEntries) {
  v1::RosterEntry entry;
  entry.set_term("2015-autumn");
  entry.set_county("利辛县");
  entry.set_district("永兴");
  entry.set_school("双龙中学");
  entry.add_grades(7);
  entry.set_mod_revision(3);
  const std::vector<v1::Event> listing =
      PutEvents({Record(2, "双龙中学")}, {entry});
  ASSERT_EQ(listing.size(), 2u);
  EXPECT_EQ(listing[1].type(), v1::Event::ROSTER_PUT);
  EXPECT_TRUE(CheckFeedRevision(FeedSource::kList, 1, 3, listing).ok());
  EXPECT_THAT(CheckFeedRevision(FeedSource::kList, 1, 2, listing).message(),
              HasSubstr("roster.mod_revision: is 3 in revision 2"));
  std::vector<v1::Event> removal = listing;
  removal[1].set_type(v1::Event::ROSTER_DELETE);
  removal[1].mutable_roster()->clear_grades();
  EXPECT_THAT(CheckFeedRevision(FeedSource::kList, 1, 3, removal).message(),
              HasSubstr("type: must be ROSTER_PUT in a listing"));
  std::vector<v1::Event> no_grades = listing;
  no_grades[1].mutable_roster()->clear_grades();
  EXPECT_EQ(CheckFeedRevision(FeedSource::kList, 1, 3, no_grades).code(),
            absl::StatusCode::kDataLoss);
}

TEST(FeedCheckTest, ACombinedMessageSplitsIntoItsRevisions) {
  std::vector<v1::Event> events = PutEvents({Record(3, "甲"), Record(4, "乙")});
  v1::Event roster;
  roster.set_type(v1::Event::ROSTER_PUT);
  roster.mutable_roster()->set_school("乙");
  roster.mutable_roster()->set_mod_revision(4);
  events.insert(events.begin() + 1, roster);
  v1::Event region;
  region.set_type(v1::Event::REGION_PUT);
  region.mutable_region()->set_county("利辛县");
  region.mutable_region()->set_mod_revision(5);
  events.push_back(region);
  std::vector<FeedRevision> split = SplitByRevision(5, events);
  ASSERT_EQ(split.size(), 3u);
  EXPECT_EQ(split[0].revision, 3);
  EXPECT_EQ(split[0].events.size(), 1u);
  EXPECT_EQ(split[1].revision, 4);
  EXPECT_EQ(split[1].events.size(), 2u);  // the roster entry and 乙
  EXPECT_EQ(split[2].revision, 5);
  EXPECT_EQ(split[2].events[0].type(), v1::Event::REGION_PUT);

  // Not cleanly split: one revision, the message's, for the check to refuse.
  std::vector<v1::Event> backwards = PutEvents({Record(4, "甲"), Record(3, "乙")});
  EXPECT_EQ(SplitByRevision(4, backwards).size(), 1u);
  EXPECT_EQ(SplitByRevision(4, backwards)[0].revision, 4);
  std::vector<v1::Event> short_of_it = PutEvents({Record(3, "甲")});
  ASSERT_EQ(SplitByRevision(4, short_of_it).size(), 1u);
  EXPECT_FALSE(CheckFeedRevision(FeedSource::kWatch, 3, 4,
                                 SplitByRevision(4, short_of_it)[0].events)
                   .ok());
  std::vector<v1::Event> beyond = PutEvents({Record(3, "甲"), Record(9, "乙")});
  EXPECT_EQ(SplitByRevision(4, beyond).size(), 1u);
}

TEST(FeedCheckTest, ARemovalCarriesANameAndNoGrades) {
  v1::Event removal;
  removal.set_type(v1::Event::DELETE);
  v1::SchoolRecord* school = removal.mutable_school();
  *school = Record(2, "双龙中学");
  school->clear_grades();
  EXPECT_TRUE(CheckFeedRevision(FeedSource::kWatch, 1, 2, {removal}).ok());

  v1::Event with_grades = removal;
  *with_grades.mutable_school() = Record(2, "双龙中学");
  EXPECT_THAT(
      CheckFeedRevision(FeedSource::kWatch, 1, 2, {with_grades}).message(),
      HasSubstr("grades: must be empty in a DELETE event"));
  EXPECT_THAT(CheckFeedRevision(FeedSource::kList, 1, 2, {removal}).message(),
              HasSubstr("type: must be PUT in a listing, got DELETE"));
  v1::Event unknown = removal;
  unknown.set_type(static_cast<v1::Event::Type>(7));
  EXPECT_EQ(CheckFeedRevision(FeedSource::kWatch, 1, 2, {unknown}).code(),
            absl::StatusCode::kDataLoss);
  v1::Event unnamed = removal;
  unnamed.mutable_school()->clear_school();
  EXPECT_THAT(CheckFeedRevision(FeedSource::kWatch, 1, 2, {unnamed}).message(),
              HasSubstr("school: must not be empty"));
}

// An ingest that sends revision 1 (good), says it is caught up, then sends
// `bad`; on every later stream it sends `bad` again.
class LyingIngest final : public v1::IngestService::Service {
 public:
  explicit LyingIngest(BadFeed bad) : bad_(std::move(bad)) {}

  grpc::Status Watch(grpc::ServerContext* context,
                     const v1::WatchRequest* request,
                     grpc::ServerWriter<v1::WatchResponse>* writer) override {
    if (request->after_revision() == 0) {
      v1::WatchResponse first = Response(1, 1);
      v1::Event* event = first.add_events();
      event->set_type(v1::Event::PUT);
      *event->mutable_school() = Record(1, "双龙中学");
      writer->Write(first);
    }
    v1::WatchResponse progress = Response(0, 1);
    progress.set_progress(true);
    writer->Write(progress);
    absl::SleepFor(absl::Milliseconds(300));  // long enough to be SERVING
    v1::WatchResponse lie = Response(bad_.revision, bad_.revision);
    v1::Event* event = lie.add_events();
    event->set_type(v1::Event::PUT);
    *event->mutable_school() = bad_.record;
    writer->Write(lie);
    while (!context->IsCancelled()) absl::SleepFor(absl::Milliseconds(10));
    return grpc::Status::CANCELLED;
  }

 private:
  static v1::WatchResponse Response(int64_t revision, int64_t header) {
    v1::WatchResponse response;
    response.set_revision(revision);
    response.set_header_revision(header);
    response.set_history_id("the-lying-history");
    return response;
  }

  const BadFeed bad_;
};

class LyingFeedTest : public ::testing::TestWithParam<BadFeed> {};

TEST_P(LyingFeedTest, TheAuditAppliesNothingOfItAndStopsServing) {
  LyingIngest fake(GetParam());
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                           &port);
  builder.RegisterService(&fake);
  std::unique_ptr<grpc::Server> ingest = builder.BuildAndStart();
  ASSERT_NE(port, 0);

  headcount::testing::TempDir dir;
  AuditServer::Options options;
  options.listen = "127.0.0.1:0";
  options.store.data_dir = dir.Sub("audit");
  options.shutdown_grace = absl::Seconds(2);
  options.follower.ingest_address = absl::StrCat("127.0.0.1:", port);
  options.follower.min_backoff = absl::Milliseconds(20);
  options.follower.max_backoff = absl::Milliseconds(100);
  auto audit = AuditServer::Start(options);
  ASSERT_TRUE(audit.ok()) << audit.status();
  auto health = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      (*audit)->address(), grpc::InsecureChannelCredentials()));
  auto serving = [&] {
    grpc::health::v1::HealthCheckResponse response;
    health->Check(Context().get(), grpc::health::v1::HealthCheckRequest(),
                  &response);
    return response.status() ==
           grpc::health::v1::HealthCheckResponse::SERVING;
  };
  ASSERT_TRUE(WaitFor(serving)) << "revision 1 was not applied and served";
  ASSERT_TRUE(WaitFor([&] { return !serving(); }))
      << GetParam().name << ": the audit kept serving a lying feed";
  ASSERT_TRUE(WaitFor([&] { return (*audit)->follower().connections() >= 3; }));
  EXPECT_EQ((*audit)->store()->applied_revision(), 1);
  EXPECT_FALSE(serving());
  // What is published is revision 1's school, nothing of the lie.
  absl::StatusOr<v1::CountyReport> report =
      (*audit)->store()->GetCountyReport("2015-autumn", "利辛县");
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->total().onsite_count(), 90);
  EXPECT_EQ(report->total().registry_count(), 100);
  (*audit)->Shutdown();
  ingest->Shutdown();
}

INSTANTIATE_TEST_SUITE_P(BadFeeds, LyingFeedTest,
                         ::testing::ValuesIn(BadFeeds()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace headcount::audit
