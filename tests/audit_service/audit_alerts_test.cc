// Alert streams and the threshold policy, through the real servers.
#include <algorithm>
#include <filesystem>
#include <random>

#include "tests/audit_service/audit_server_fixture.h"

namespace headcount::audit {
namespace {

using ::headcount::testing::Context;
using ::headcount::testing::GrpcOk;
using ::headcount::testing::HasCode;
using ::headcount::testing::LoopbackIngestOptions;
using ::headcount::testing::WaitFor;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAreArray;

TEST_F(AuditServerTest, WatchAlertsResumesAndFilters) {
  LoadBatch(FixtureSchools());
  Converge();
  const int64_t last = audit_->store()->last_alert_id();
  // 19 grades, 4 districts, and whatever schools the grades pushed over.
  std::vector<v1::AlertEvent> all = WatchAlerts(0, last);
  ASSERT_THAT(all, SizeIs(last));
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].alert_id(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(all[i].state(), v1::AlertEvent::RAISED);
  }
  // Resume from the middle.
  std::vector<v1::AlertEvent> tail = WatchAlerts(last - 3, 3);
  ASSERT_THAT(tail, SizeIs(3));
  EXPECT_EQ(tail[0].alert_id(), last - 2);
  // Filters.
  v1::AlertFilter filter;
  filter.set_term(kTerm);
  filter.set_county(kCounty);
  filter.set_district("纪王场");
  filter.set_level(v1::GRADE);
  std::vector<v1::AlertEvent> jiwang = WatchAlerts(0, 4, filter);
  ASSERT_THAT(jiwang, SizeIs(4));
  for (const auto& e : jiwang) {
    EXPECT_EQ(e.district(), "纪王场");
    EXPECT_EQ(e.level(), v1::GRADE);
  }
  // Live: a new over-registered school arrives after the stream opened.
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::WatchAlertsRequest request;
  request.set_after_alert_id(last);
  auto reader = audit_stub_->WatchAlerts(&context, request);
  Submit(headcount::testing::School("城北", "新学校", {{10, 20}}));
  v1::AlertEvent live;
  ASSERT_TRUE(reader->Read(&live));
  EXPECT_EQ(live.alert_id(), last + 1);
  EXPECT_EQ(live.school(), "新学校");
  EXPECT_EQ(live.ratio(), "0.500");
  context.TryCancel();
  reader->Finish();

  // Bad filters are named.
  v1::WatchAlertsRequest bad;
  bad.mutable_filter()->set_district("城北");
  grpc::ClientContext bad_context;
  bad_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  auto bad_reader = audit_stub_->WatchAlerts(&bad_context, bad);
  v1::AlertEvent ignored;
  EXPECT_FALSE(bad_reader->Read(&ignored));
  grpc::Status status = bad_reader->Finish();
  EXPECT_THAT(status, HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("filter.district"));
}

TEST_F(AuditServerTest, PolicyFlagsChangeWhatIsFlagged) {
  audit_->Shutdown();
  audit_.reset();
  ThresholdPolicy policy;
  policy.over_ppm = 30'000;  // 3%
  policy.levels = {v1::DISTRICT};
  StartAudit(policy);
  LoadBatch(FixtureSchools());
  Converge();
  std::vector<std::string> districts;
  for (const auto& a : OpenAlerts(v1::LEVEL_UNSPECIFIED)) {
    EXPECT_EQ(a.level(), v1::DISTRICT);
    districts.push_back(a.district());
  }
  // 永兴 3.6%, 旧城 3.4%, 纪王场 3.3%; 程家集 2.1% no longer.
  EXPECT_THAT(districts, UnorderedElementsAreArray({"永兴", "旧城", "纪王场"}));
}

TEST_F(AuditServerTest, UnderRegistrationRuleWhenEnabled) {
  audit_->Shutdown();
  audit_.reset();
  ThresholdPolicy policy;
  policy.under_ppm = 20'000;
  policy.levels = {v1::DISTRICT};
  StartAudit(policy);
  LoadBatch(FixtureSchools());
  Converge();
  std::vector<std::string> under;
  for (const auto& a : OpenAlerts(v1::DISTRICT)) {
    if (a.rule() == v1::UNDER_REGISTRATION) under.push_back(a.district());
  }
  // 巩店 -3.2%, 孙庙 -2.9%; 王市 (-1.99%) is within 2%.
  EXPECT_THAT(under, UnorderedElementsAreArray({"巩店", "孙庙"}));
}

TEST_F(AuditServerTest, AlertEventsCarryTheClocksTime) {
  LoadBatch(FixtureSchools());
  Converge();
  const int64_t last = audit_->store()->last_alert_id();
  const absl::Time start = clock_.Now();
  for (const v1::AlertEvent& event : WatchAlerts(0, last)) {
    EXPECT_EQ(absl::FromUnixSeconds(event.time().seconds()), start);
  }
  clock_.Advance(absl::Hours(26));  // a correction two days later
  for (const v1::SubmitRequest& school : FixtureSchools()) {
    if (school.school() != "双龙中学") continue;
    v1::SubmitRequest corrected = school;
    for (v1::GradeCount& g : *corrected.mutable_grades()) {
      if (g.grade() == 9) g.set_onsite_count(g.registry_count());
    }
    corrected.set_submission_id("corrected");
    Submit(corrected);
  }
  Converge();
  std::vector<v1::AlertEvent> later =
      WatchAlerts(last, audit_->store()->last_alert_id() - last);
  ASSERT_THAT(later, Not(IsEmpty()));
  for (const v1::AlertEvent& event : later) {
    EXPECT_EQ(absl::FromUnixSeconds(event.time().seconds()),
              start + absl::Hours(26));
  }
}

// A county's open alerts come in pages, oldest alert_id first; together
// the pages are the whole list, each alert once.
TEST_F(AuditServerTest, ListAlertsComesInPages) {
  LoadBatch(FixtureSchools());
  Converge();
  v1::ListAlertsRequest request;
  v1::ListAlertsResponse whole;
  ASSERT_THAT(audit_stub_->ListAlerts(Context().get(), request, &whole),
              GrpcOk());
  ASSERT_GT(whole.alerts_size(), 12);
  EXPECT_TRUE(whole.next_page_token().empty());

  request.set_page_size(5);
  std::vector<int64_t> paged;
  int pages = 0;
  while (true) {
    v1::ListAlertsResponse page;
    ASSERT_THAT(audit_stub_->ListAlerts(Context().get(), request, &page),
                GrpcOk());
    ASSERT_LE(page.alerts_size(), 5);
    for (const auto& alert : page.alerts()) paged.push_back(alert.alert_id());
    ++pages;
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  std::vector<int64_t> all;
  for (const auto& alert : whole.alerts()) all.push_back(alert.alert_id());
  EXPECT_EQ(paged, all);
  EXPECT_EQ(pages, (whole.alerts_size() + 4) / 5);

  request.set_page_token("not-a-token");
  v1::ListAlertsResponse page;
  EXPECT_THAT(audit_stub_->ListAlerts(Context().get(), request, &page),
              HasCode(grpc::StatusCode::INVALID_ARGUMENT));
  request.clear_page_token();
  request.set_page_size(10001);
  EXPECT_THAT(audit_stub_->ListAlerts(Context().get(), request, &page),
              HasCode(grpc::StatusCode::INVALID_ARGUMENT));
}

// The grade listing in pages, in the listing's (pinyin) order; together
// the pages are the whole listing.
TEST_F(AuditServerTest, ListGradeDiscrepanciesComesInPages) {
  LoadBatch(FixtureSchools());
  Converge();
  v1::ListGradeDiscrepanciesRequest request;
  request.set_term(kTerm);
  request.set_county(kCounty);
  v1::ListGradeDiscrepanciesResponse whole;
  ASSERT_THAT(audit_stub_->ListGradeDiscrepancies(Context().get(), request,
                                                  &whole),
              GrpcOk());
  ASSERT_EQ(whole.grades_size(), 578);  // the fixture's rows
  EXPECT_TRUE(whole.next_page_token().empty());

  request.set_page_size(100);
  std::vector<std::string> paged;
  int pages = 0;
  while (true) {
    v1::ListGradeDiscrepanciesResponse page;
    ASSERT_THAT(audit_stub_->ListGradeDiscrepancies(Context().get(), request,
                                                    &page),
                GrpcOk());
    ASSERT_LE(page.grades_size(), 100);
    for (const auto& g : page.grades()) {
      paged.push_back(absl::StrCat(g.district(), "/", g.school(), "/", g.grade()));
    }
    ++pages;
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  std::vector<std::string> all;
  for (const auto& g : whole.grades()) {
    all.push_back(absl::StrCat(g.district(), "/", g.school(), "/", g.grade()));
  }
  EXPECT_EQ(paged, all);
  EXPECT_EQ(pages, 6);

  request.set_page_token("garbage");
  v1::ListGradeDiscrepanciesResponse page;
  EXPECT_THAT(audit_stub_->ListGradeDiscrepancies(Context().get(), request,
                                                  &page),
              HasCode(grpc::StatusCode::INVALID_ARGUMENT));
}

TEST_F(AuditServerTest, CityAndProvinceAlertsWhenThePolicyListsThem) {
  audit_->Shutdown();
  audit_.reset();
  ThresholdPolicy policy;
  policy.over_ppm = 1'000;  // 0.1%: 利辛县's 0.13% is over it
  policy.levels = {v1::COUNTY, v1::CITY, v1::PROVINCE};
  StartAudit(policy);
  auto put_regions = [&](const std::string& id,
                         std::vector<std::array<std::string, 3>> places) {
    v1::PutRegionsRequest request;
    request.set_submission_id(id);
    for (const auto& [county, city, province] : places) {
      v1::Region* region = request.add_regions();
      region->set_county(county);
      region->set_city(city);
      region->set_province(province);
    }
    v1::PutRegionsResponse response;
    ASSERT_THAT(ingest_stub_->PutRegions(Context().get(), request, &response),
                GrpcOk());
  };
  auto open_at = [&](v1::Level level) {
    std::vector<std::string> places;
    for (const v1::AlertEvent& a : OpenAlerts(level)) {
      EXPECT_EQ(a.level(), level);
      places.push_back(absl::StrCat(a.province(), "/", a.city(), "/",
                                    a.county(), " ", a.onsite_count(), " ",
                                    a.registry_count()));
    }
    return places;
  };
  put_regions("regions-1", {{kCounty, "亳州市", "安徽省"},
                            {"蒙城县", "亳州市", "安徽省"}});
  LoadBatch(FixtureSchools());
  Converge();
  EXPECT_THAT(open_at(v1::COUNTY),
              ElementsAreArray({"安徽省/亳州市/利辛县 60135 60216"}));
  EXPECT_THAT(open_at(v1::CITY),
              ElementsAreArray({"安徽省/亳州市/ 60135 60216"}));
  EXPECT_THAT(open_at(v1::PROVINCE),
              ElementsAreArray({"安徽省// 60135 60216"}));

  // Another county of the city counted in full dilutes the city and the
  // province below 0.1%: both clear.
  v1::SubmitRequest mengcheng =
      ::headcount::testing::School("城关", "蒙城一中", {{100000, 100000}}, "m-1");
  mengcheng.set_county("蒙城县");
  Submit(mengcheng);
  Converge();
  EXPECT_THAT(open_at(v1::CITY), IsEmpty());
  EXPECT_THAT(open_at(v1::PROVINCE), IsEmpty());
  const std::vector<v1::AlertEvent> cleared =
      WatchAlerts(audit_->store()->last_alert_id() - 2, 2);
  ASSERT_THAT(cleared, SizeIs(2));
  for (const v1::AlertEvent& e : cleared) {
    EXPECT_EQ(e.state(), v1::AlertEvent::CLEARED);
    EXPECT_EQ(e.province(), "安徽省");
  }

  // 蒙城县 moves to another city: 亳州市 is 利辛县 alone again (RAISED),
  // 阜阳市 has nothing to flag, the province is unchanged.
  put_regions("regions-2", {{"蒙城县", "阜阳市", "安徽省"}});
  Converge();
  EXPECT_THAT(open_at(v1::CITY),
              ElementsAreArray({"安徽省/亳州市/ 60135 60216"}));
  EXPECT_THAT(open_at(v1::PROVINCE), IsEmpty());
  // Filtered by place: the city's alert is in its province and city.
  v1::ListAlertsRequest request;
  request.mutable_filter()->set_province("安徽省");
  request.mutable_filter()->set_city("亳州市");
  request.mutable_filter()->set_level(v1::CITY);
  v1::ListAlertsResponse response;
  ASSERT_THAT(audit_stub_->ListAlerts(Context().get(), request, &response),
              GrpcOk());
  EXPECT_THAT(response.alerts(), SizeIs(1));
  request.mutable_filter()->set_city("阜阳市");
  ASSERT_THAT(audit_stub_->ListAlerts(Context().get(), request, &response),
              GrpcOk());
  EXPECT_THAT(response.alerts(), IsEmpty());

  ExpectARestartRaisesNothing(policy);
}

TEST_F(AuditServerTest, NoAlertsAboveTheCountyByDefault) {
  v1::PutRegionsRequest regions;
  regions.set_submission_id("regions-1");
  v1::Region* region = regions.add_regions();
  region->set_county(kCounty);
  region->set_city("亳州市");
  region->set_province("安徽省");
  v1::PutRegionsResponse put;
  ASSERT_THAT(ingest_stub_->PutRegions(Context().get(), regions, &put),
              GrpcOk());
  std::vector<v1::SubmitRequest> schools = FixtureSchools();
  // Over 2% in the county, hence in its city and province too.
  for (int i = 0; i < 10; ++i) {
    for (auto& g : *schools[i].mutable_grades()) g.set_onsite_count(0);
  }
  LoadBatch(schools);
  Converge();
  EXPECT_THAT(OpenAlerts(v1::COUNTY), SizeIs(1));
  EXPECT_THAT(OpenAlerts(v1::CITY), IsEmpty());
  EXPECT_THAT(OpenAlerts(v1::PROVINCE), IsEmpty());
}

}  // namespace
}  // namespace headcount::audit
