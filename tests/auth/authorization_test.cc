// Every RPC of both services x every role, in and out of its scope, over
// mutual TLS: the expected status of each, and that no refused write
// changes anything.
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/caller.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "tests/auth/authorization_fixture.h"

namespace headcount::testing {
namespace {

using ::testing::HasSubstr;

// One call of `method` by the stubs' principal about `place` (ignored by
// the methods without a place). Reads of a stream take its first message.
grpc::Status Call(AuthorizationTest::Stubs& as, Method method,
                  const Place& place, bool denied, int attempt) {
  // A refused write sends other counts: had it been taken, it would show.
  const int64_t onsite = denied ? place.onsite - 7 : place.onsite;
  const std::string id = absl::StrCat("table-", attempt);
  auto context = Context(absl::Seconds(5));
  switch (method) {
    case Method::kSubmit: {
      v1::SubmitResponse response;
      return as.ingest->Submit(context.get(),
                               PlaceSubmission(place, onsite, id), &response);
    }
    case Method::kSubmitBatch: {
      v1::ImportSummary summary;
      auto writer = as.ingest->SubmitBatch(context.get(), &summary);
      writer->Write(PlaceSubmission(place, onsite, id));
      writer->WritesDone();
      return writer->Finish();
    }
    case Method::kRetract: {
      // Allowed: a dry run (the school stays for the other calls). Refused:
      // the real thing, which would show as a new revision.
      v1::RetractRequest request;
      request.set_submission_id(id);
      request.set_term(kTerm);
      request.set_county(place.county);
      request.set_district(place.district);
      request.set_school(place.school);
      request.set_dry_run(!denied);
      v1::RetractResponse response;
      return as.ingest->Retract(context.get(), request, &response);
    }
    case Method::kPutRoster: {
      // The roster of the place's district (allowed: a dry run; refused:
      // the real thing, which would show as a new revision).
      v1::PutRosterRequest request;
      request.set_submission_id(id);
      request.set_term(kTerm);
      request.set_county(place.county);
      request.set_district(place.district);
      v1::RosterEntry* entry = request.add_schools();
      entry->set_district(place.district);
      entry->set_school(place.school);
      entry->add_grades(1);
      request.set_dry_run(!denied);
      v1::PutRosterResponse response;
      return as.ingest->PutRoster(context.get(), request, &response);
    }
    case Method::kGetRoster: {
      v1::GetRosterRequest request;
      request.set_term(kTerm);
      request.set_county(place.county);
      request.set_district(place.district);
      v1::Roster roster;
      grpc::Status status = as.ingest->GetRoster(context.get(), request, &roster);
      // No roster here: NOT_FOUND comes only once the call was allowed.
      if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
        return grpc::Status::OK;
      }
      return status;
    }
    case Method::kGetSchool: {
      v1::GetSchoolRequest request;
      request.set_term(kTerm);
      request.set_county(place.county);
      request.set_district(place.district);
      request.set_school(place.school);
      v1::SchoolRecord record;
      return as.ingest->GetSchool(context.get(), request, &record);
    }
    case Method::kListSchools: {
      v1::ListSchoolsRequest request;
      request.set_term(kTerm);
      request.set_county(place.county);
      request.set_district(place.district);
      v1::ListSchoolsResponse response;
      return as.ingest->ListSchools(context.get(), request, &response);
    }
    case Method::kWatch: {
      v1::WatchResponse first;
      auto reader = as.ingest->Watch(context.get(), v1::WatchRequest());
      if (reader->Read(&first)) return grpc::Status::OK;
      return reader->Finish();
    }
    case Method::kPutRegions: {
      v1::PutRegionsRequest request;
      request.set_submission_id("regions");
      v1::Region* region = request.add_regions();
      region->set_county(place.county);
      region->set_city("亳州市");
      region->set_province("安徽省");
      request.set_dry_run(true);
      v1::PutRegionsResponse response;
      return as.ingest->PutRegions(context.get(), request, &response);
    }
    case Method::kGetRegions: {
      v1::Regions regions;
      grpc::Status status = as.ingest->GetRegions(
          context.get(), v1::GetRegionsRequest(), &regions);
      // None stored: NOT_FOUND comes only once the call was allowed.
      if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
        return grpc::Status::OK;
      }
      return status;
    }
    case Method::kCompact: {
      v1::CompactRequest request;
      request.set_revision(1);
      v1::CompactResponse response;
      return as.ingest->Compact(context.get(), request, &response);
    }
    case Method::kBackup: {
      v1::BackupResponse response;
      return as.ingest->Backup(context.get(), v1::BackupRequest(), &response);
    }
    case Method::kListCounties: {
      v1::ListCountiesRequest request;
      request.set_term(kTerm);
      v1::ListCountiesResponse response;
      return as.audit->ListCounties(context.get(), request, &response);
    }
    case Method::kGetCountyReport: {
      v1::GetCountyReportRequest request;
      request.set_term(kTerm);
      request.set_county(place.county);
      v1::CountyReport report;
      return as.audit->GetCountyReport(context.get(), request, &report);
    }
    case Method::kGetCoverageReport: {
      v1::GetCoverageReportRequest request;
      request.set_term(kTerm);
      request.set_county(place.county);
      v1::CoverageReport report;
      return as.audit->GetCoverageReport(context.get(), request, &report);
    }
    case Method::kGetDistrictReport: {
      v1::GetDistrictReportRequest request;
      request.set_term(kTerm);
      request.set_county(place.county);
      request.set_district(place.district);
      v1::DistrictReport report;
      return as.audit->GetDistrictReport(context.get(), request, &report);
    }
    case Method::kGetRegionReport: {
      v1::GetRegionReportRequest request;
      request.set_term(kTerm);
      request.set_province("安徽省");
      v1::RegionReport report;
      grpc::Status status =
          as.audit->GetRegionReport(context.get(), request, &report);
      // No regions here: NOT_FOUND comes only once the call was allowed.
      if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
        return grpc::Status::OK;
      }
      return status;
    }
    case Method::kCompareTerms: {
      v1::CompareTermsRequest request;
      request.set_term(kTerm);
      request.set_previous_term("2015-spring");
      request.set_county(place.county);
      request.set_district(place.district);
      v1::TermComparison comparison;
      return as.audit->CompareTerms(context.get(), request, &comparison);
    }
    case Method::kCompareSources: {
      v1::CompareSourcesRequest request;
      request.set_term(kTerm);
      request.set_county(place.county);
      request.set_district(place.district);
      v1::SourceComparison comparison;
      return as.audit->CompareSources(context.get(), request, &comparison);
    }
    case Method::kListGradeDiscrepancies: {
      v1::ListGradeDiscrepanciesRequest request;
      request.set_term(kTerm);
      request.set_county(place.county);
      request.set_district(place.district);
      v1::ListGradeDiscrepanciesResponse response;
      return as.audit->ListGradeDiscrepancies(context.get(), request,
                                              &response);
    }
    case Method::kListAlerts: {
      v1::ListAlertsRequest request;
      request.mutable_filter()->set_term(kTerm);
      request.mutable_filter()->set_county(place.county);
      request.mutable_filter()->set_district(place.district);
      v1::ListAlertsResponse response;
      grpc::Status status =
          as.audit->ListAlerts(context.get(), request, &response);
      if (status.ok() && response.alerts().empty()) {
        return grpc::Status(grpc::StatusCode::INTERNAL, "no alert listed");
      }
      return status;
    }
    case Method::kWatchAlerts: {
      v1::WatchAlertsRequest request;
      request.mutable_filter()->set_term(kTerm);
      request.mutable_filter()->set_county(place.county);
      request.mutable_filter()->set_district(place.district);
      auto reader = as.audit->WatchAlerts(context.get(), request);
      v1::AlertEvent first;
      if (reader->Read(&first)) return grpc::Status::OK;
      return reader->Finish();
    }
  }
  return grpc::Status(grpc::StatusCode::INTERNAL, "no such method");
}

// For each method and principal: 'Y' (allowed) or 'n' (PERMISSION_DENIED)
// at 利辛县/永兴, 利辛县/旧城, 临泉县/城关; one letter for the methods
// without a place. Written out by hand from SECURITY.md, not computed.
using Expectations = std::map<std::string, std::string>;
const std::map<Method, Expectations>& Table() {
  // Writes and reads of school records: a district's clerk, a county's
  // office.
  const Expectations records = {
      {"clerk-yongxing", "Ynn"}, {"clerk-jiucheng", "nYn"},
      {"lixin-office", "YYn"},   {"linquan-office", "nnY"},
      {"province-reader", "nnn"}, {"audit", "nnn"},
      {"ops", "nnn"},            {"stranger", "nnn"}};
  // The audit's tables and alerts of a district: the records' readers and
  // the provincial reader of 利辛县.
  const Expectations district_reads = {
      {"clerk-yongxing", "Ynn"}, {"clerk-jiucheng", "nYn"},
      {"lixin-office", "YYn"},   {"linquan-office", "nnY"},
      {"province-reader", "YYn"}, {"audit", "nnn"},
      {"ops", "nnn"},            {"stranger", "nnn"}};
  static const auto* table = new std::map<Method, Expectations>{
      {Method::kSubmit, records},
      {Method::kSubmitBatch, records},
      {Method::kRetract, records},
      {Method::kPutRoster, records},
      {Method::kGetRoster,
       {{"clerk-yongxing", "Ynn"}, {"clerk-jiucheng", "nYn"},
        {"lixin-office", "YYn"}, {"linquan-office", "nnY"},
        {"province-reader", "nnn"}, {"audit", "YYY"}, {"ops", "nnn"},
        {"stranger", "nnn"}}},
      {Method::kGetSchool, records},
      {Method::kListSchools,
       {{"clerk-yongxing", "Ynn"}, {"clerk-jiucheng", "nYn"},
        {"lixin-office", "YYn"}, {"linquan-office", "nnY"},
        {"province-reader", "nnn"}, {"audit", "YYY"}, {"ops", "nnn"},
        {"stranger", "nnn"}}},
      {Method::kWatch,
       {{"clerk-yongxing", "n"}, {"clerk-jiucheng", "n"},
        {"lixin-office", "n"}, {"linquan-office", "n"},
        {"province-reader", "n"}, {"audit", "Y"}, {"ops", "Y"},
        {"stranger", "n"}}},
      {Method::kPutRegions,
       {{"clerk-yongxing", "n"}, {"clerk-jiucheng", "n"},
        {"lixin-office", "n"}, {"linquan-office", "n"},
        {"province-reader", "n"}, {"audit", "n"}, {"ops", "Y"},
        {"stranger", "n"}}},
      {Method::kGetRegions,
       {{"clerk-yongxing", "Y"}, {"clerk-jiucheng", "Y"},
        {"lixin-office", "Y"}, {"linquan-office", "Y"},
        {"province-reader", "Y"}, {"audit", "Y"}, {"ops", "Y"},
        {"stranger", "n"}}},
      {Method::kCompact,
       {{"clerk-yongxing", "n"}, {"clerk-jiucheng", "n"},
        {"lixin-office", "n"}, {"linquan-office", "n"},
        {"province-reader", "n"}, {"audit", "n"}, {"ops", "Y"},
        {"stranger", "n"}}},
      {Method::kBackup,
       {{"clerk-yongxing", "n"}, {"clerk-jiucheng", "n"},
        {"lixin-office", "n"}, {"linquan-office", "n"},
        {"province-reader", "n"}, {"audit", "n"}, {"ops", "Y"},
        {"stranger", "n"}}},
      {Method::kListCounties,
       {{"clerk-yongxing", "Y"}, {"clerk-jiucheng", "Y"},
        {"lixin-office", "Y"}, {"linquan-office", "Y"},
        {"province-reader", "Y"}, {"audit", "n"}, {"ops", "n"},
        {"stranger", "n"}}},
      {Method::kGetCountyReport,
       {{"clerk-yongxing", "nnn"}, {"clerk-jiucheng", "nnn"},
        {"lixin-office", "YYn"}, {"linquan-office", "nnY"},
        {"province-reader", "YYn"}, {"audit", "nnn"}, {"ops", "nnn"},
        {"stranger", "nnn"}}},
      {Method::kGetCoverageReport,
       {{"clerk-yongxing", "nnn"}, {"clerk-jiucheng", "nnn"},
        {"lixin-office", "YYn"}, {"linquan-office", "nnY"},
        {"province-reader", "YYn"}, {"audit", "nnn"}, {"ops", "nnn"},
        {"stranger", "nnn"}}},
      {Method::kGetDistrictReport, district_reads},
      {Method::kCompareTerms, district_reads},
      {Method::kCompareSources, district_reads},
      {Method::kGetRegionReport,
       {{"clerk-yongxing", "n"}, {"clerk-jiucheng", "n"},
        {"lixin-office", "Y"}, {"linquan-office", "Y"},
        {"province-reader", "Y"}, {"audit", "n"}, {"ops", "n"},
        {"stranger", "n"}}},
      {Method::kListGradeDiscrepancies, district_reads},
      {Method::kListAlerts, district_reads},
      {Method::kWatchAlerts, district_reads},
  };
  return *table;
}

TEST_F(AuthorizationTest, TableCoversEveryMethodAndPrincipal) {
  for (Method method : AllMethods()) {
    ASSERT_TRUE(Table().count(method)) << MethodName(method);
    EXPECT_EQ(Table().at(method).size(), Principals().size())
        << MethodName(method);
  }
}

TEST_F(AuthorizationTest, EveryRpcByEveryRoleInAndOutOfScope) {
  int attempt = 0, allowed = 0, denied = 0;
  for (const auto& [method, expectations] : Table()) {
    for (const auto& [principal, letters] : expectations) {
      for (size_t p = 0; p < letters.size(); ++p) {
        const bool expect_denied = letters[p] == 'n';
        const int64_t revision_before = ingest_->store()->revision();
        const grpc::Status status = Call(As(principal), method, Places()[p],
                                         expect_denied, ++attempt);
        const std::string where = absl::StrCat(
            MethodName(method), " by ", principal, " at ", Places()[p].county,
            "/", Places()[p].district, ": ", status.error_message());
        if (expect_denied) {
          ++denied;
          EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
              << where;
          EXPECT_EQ(ingest_->store()->revision(), revision_before)
              << "a refused call changed the store: " << where;
        } else {
          ++allowed;
          EXPECT_TRUE(status.ok()) << where;
        }
      }
    }
  }
  // Every allowed write sent the stored counts again: nothing changed.
  EXPECT_EQ(ingest_->store()->revision(), 3);
  EXPECT_EQ(allowed, 113);
  EXPECT_EQ(denied, 303);
}

TEST_F(AuthorizationTest, RefusalsNameTheCallerTheScopeAndThePlace) {
  v1::SubmitResponse response;
  grpc::Status status = As("clerk-yongxing")
                            .ingest->Submit(Context().get(),
                                            PlaceSubmission(Places()[1], 1, "x"),
                                            &response);
  EXPECT_EQ(status.error_message(),
            "clerk-yongxing (district_clerk of 利辛县/永兴) may not submit for "
            "利辛县/旧城: outside its scope");
  v1::CompactRequest compact;
  compact.set_revision(1);
  v1::CompactResponse compacted;
  status = As("lixin-office")
               .ingest->Compact(Context().get(), compact, &compacted);
  EXPECT_EQ(status.error_message(),
            "lixin-office (county_office of 利辛县) may not call Compact");
  status = As("stranger").ingest->Compact(Context().get(), compact, &compacted);
  EXPECT_THAT(status.error_message(), HasSubstr("stranger has no binding"));
}

// A district clerk's roster covers its district only: the county's whole
// roster, or another district's, is refused and stores nothing.
TEST_F(AuthorizationTest, AClerksRosterCoversItsDistrictOnly) {
  const int64_t revision = ingest_->store()->revision();
  v1::PutRosterRequest request;
  request.set_submission_id("clerk-roster");
  request.set_term(kTerm);
  request.set_county("利辛县");
  v1::RosterEntry* entry = request.add_schools();
  entry->set_district("永兴");
  entry->set_school("双龙中学");
  entry->add_grades(7);
  v1::PutRosterResponse response;
  grpc::Status status = As("clerk-yongxing")
                            .ingest->PutRoster(Context().get(), request,
                                               &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("may not put the roster of 利辛县: outside its scope"));
  request.set_county("临泉县");
  request.set_district("永兴");
  status = As("clerk-yongxing")
               .ingest->PutRoster(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ingest_->store()->revision(), revision);
  request.set_county("利辛县");
  ASSERT_THAT(As("clerk-yongxing")
                  .ingest->PutRoster(Context().get(), request, &response),
              GrpcOk());
  EXPECT_EQ(response.added(), 1);
  EXPECT_EQ(ingest_->store()->revision(), revision + 1);
}

// Every county's roster at once (the audit's rebuild) is the follower's;
// a county office must name its county.
TEST_F(AuthorizationTest, EveryRosterAtOnceIsTheFollowersOnly) {
  v1::PutRosterRequest put;
  put.set_submission_id("office-roster");
  put.set_term(kTerm);
  put.set_county("利辛县");
  v1::RosterEntry* entry = put.add_schools();
  entry->set_district("永兴");
  entry->set_school("双龙中学");
  entry->add_grades(7);
  v1::PutRosterResponse put_response;
  ASSERT_THAT(As("lixin-office")
                  .ingest->PutRoster(Context().get(), put, &put_response),
              GrpcOk());
  v1::Roster roster;
  grpc::Status status = As("lixin-office")
                            .ingest->GetRoster(Context().get(), {}, &roster);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_THAT(As("audit").ingest->GetRoster(Context().get(), {}, &roster),
              GrpcOk());
  ASSERT_THAT(roster.schools(), ::testing::SizeIs(1));
  EXPECT_EQ(roster.schools(0).county(), "利辛县");
  EXPECT_EQ(roster.schools(0).term(), kTerm);
}

TEST_F(AuthorizationTest, BatchWithOneRowOutsideTheScopeIsRefusedWhole) {
  const int64_t revision = ingest_->store()->revision();
  v1::ImportSummary summary;
  auto context = Context();
  auto writer =
      As("clerk-yongxing").ingest->SubmitBatch(context.get(), &summary);
  writer->Write(PlaceSubmission(Places()[0], 50, "mixed-0"));  // its own
  writer->Write(PlaceSubmission(Places()[1], 50, "mixed-1"));  // 旧城
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("row 1: "));
  EXPECT_THAT(status.error_message(), HasSubstr("利辛县/旧城"));
  EXPECT_THAT(status.error_message(), HasSubstr("nothing stored"));
  EXPECT_EQ(ingest_->store()->revision(), revision);
  v1::GetSchoolRequest get;
  get.set_term(kTerm);
  get.set_county("利辛县");
  get.set_district("永兴");
  get.set_school("双龙中学");
  v1::SchoolRecord record;
  ASSERT_THAT(
      As("lixin-office").ingest->GetSchool(Context().get(), get, &record),
      GrpcOk());
  EXPECT_EQ(record.grades(0).onsite_count(), 90);  // row 0 was not stored
}

// Every alert a principal can list or stream lies within its scope, and it
// sees all of those: the filter neither leaks nor over-hides.
// A region report sums counties: a caller gets it only when it holds each.
TEST_F(AuthorizationTest, ARegionReportNeedsEveryCountyItSums) {
  v1::PutRegionsRequest regions;
  regions.set_submission_id("regions");
  for (const auto& [county, city] :
       std::vector<std::pair<std::string, std::string>>{
           {"利辛县", "亳州市"}, {"临泉县", "阜阳市"}}) {
    v1::Region* region = regions.add_regions();
    region->set_county(county);
    region->set_city(city);
    region->set_province("安徽省");
  }
  v1::PutRegionsResponse put;
  ASSERT_THAT(As("ops").ingest->PutRegions(Context().get(), regions, &put),
              GrpcOk());
  ASSERT_TRUE(::headcount::testing::WaitFor([&] {
    return audit_->store()->applied_revision() == ingest_->store()->revision();
  }));
  v1::GetRegionReportRequest request;
  request.set_term(kTerm);
  request.set_province("安徽省");
  v1::RegionReport report;
  grpc::Status status = As("province-reader")
                            .audit->GetRegionReport(Context().get(), request,
                                                    &report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(),
              HasSubstr("临泉县 is summed in it and outside its scope"));
  status = As("linquan-office")
               .audit->GetRegionReport(Context().get(), request, &report);
  EXPECT_THAT(status.error_message(),
              HasSubstr("利辛县 is summed in it and outside its scope"));
  request.set_city("亳州市");
  ASSERT_THAT(As("province-reader")
                  .audit->GetRegionReport(Context().get(), request, &report),
              GrpcOk());
  EXPECT_THAT(report.counties(), ::testing::ElementsAre("利辛县"));
}

TEST_F(AuthorizationTest, ScopedListsAndStreamsCarryNoForeignEvent) {
  absl::StatusOr<v1::ListAlertsResponse> all =
      audit_->store()->ListAlerts(v1::AlertFilter());
  ASSERT_TRUE(all.ok()) << all.status();
  std::set<std::string> counties;
  for (const v1::AlertEvent& e : all->alerts()) counties.insert(e.county());
  ASSERT_EQ(counties, (std::set<std::string>{"临泉县", "利辛县"}));

  const std::map<std::string, std::function<bool(const v1::AlertEvent&)>>
      scopes = {
          {"clerk-yongxing",
           [](const v1::AlertEvent& e) {
             return e.county() == "利辛县" && e.district() == "永兴";
           }},
          {"clerk-jiucheng",
           [](const v1::AlertEvent& e) {
             return e.county() == "利辛县" && e.district() == "旧城";
           }},
          {"lixin-office",
           [](const v1::AlertEvent& e) { return e.county() == "利辛县"; }},
          {"linquan-office",
           [](const v1::AlertEvent& e) { return e.county() == "临泉县"; }},
          {"province-reader",
           [](const v1::AlertEvent& e) { return e.county() == "利辛县"; }},
      };
  for (const auto& [principal, in_scope] : scopes) {
    int expected = 0;
    for (const v1::AlertEvent& e : all->alerts()) expected += in_scope(e);
    ASSERT_GT(expected, 0) << principal;

    v1::ListAlertsResponse listed;
    ASSERT_THAT(As(principal).audit->ListAlerts(
                    Context().get(), v1::ListAlertsRequest(), &listed),
                GrpcOk());
    EXPECT_EQ(listed.alerts_size(), expected) << principal;
    for (const v1::AlertEvent& e : listed.alerts()) {
      EXPECT_TRUE(in_scope(e)) << principal << " listed " << e.ShortDebugString();
    }

    auto context = Context(absl::Seconds(2));
    auto reader = As(principal).audit->WatchAlerts(context.get(),
                                                   v1::WatchAlertsRequest());
    int streamed = 0;
    v1::AlertEvent event;
    while (streamed < expected && reader->Read(&event)) {
      ++streamed;
      EXPECT_TRUE(in_scope(event))
          << principal << " streamed " << event.ShortDebugString();
    }
    EXPECT_EQ(streamed, expected) << principal;
    context->TryCancel();
    reader->Finish();

    v1::ListCountiesRequest request;
    request.set_term(kTerm);
    v1::ListCountiesResponse listed_counties;
    ASSERT_THAT(As(principal).audit->ListCounties(Context().get(), request,
                                                  &listed_counties),
                GrpcOk());
    EXPECT_THAT(listed_counties.counties(),
                ::testing::ElementsAre(principal == "linquan-office"
                                           ? "临泉县"
                                           : "利辛县"))
        << principal;
  }
}

TEST_F(AuthorizationTest, ListsLeftOpenAreNarrowedToTheCallersPlace) {
  v1::ListSchoolsRequest request;
  request.set_term(kTerm);
  v1::ListSchoolsResponse response;
  ASSERT_THAT(As("clerk-yongxing")
                  .ingest->ListSchools(Context().get(), request, &response),
              GrpcOk());
  ASSERT_EQ(response.schools_size(), 1);
  EXPECT_EQ(response.schools(0).school(), "双龙中学");
  ASSERT_THAT(As("lixin-office")
                  .ingest->ListSchools(Context().get(), request, &response),
              GrpcOk());
  EXPECT_EQ(response.schools_size(), 2);
  ASSERT_THAT(
      As("audit").ingest->ListSchools(Context().get(), request, &response),
      GrpcOk());
  EXPECT_EQ(response.schools_size(), 3);  // the follower sees every county
  // Without a term the clerk's place cannot be expressed: refused.
  request.clear_term();
  EXPECT_EQ(As("clerk-yongxing")
                .ingest->ListSchools(Context().get(), request, &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuthorizationTest, EveryChangeRecordsWhoSubmittedIt) {
  v1::GetSchoolRequest get;
  get.set_term(kTerm);
  get.set_county("利辛县");
  get.set_district("永兴");
  get.set_school("双龙中学");
  v1::SchoolRecord record;
  ASSERT_THAT(
      As("lixin-office").ingest->GetSchool(Context().get(), get, &record),
      GrpcOk());
  EXPECT_EQ(record.submitted_by(), "clerk-yongxing");
  EXPECT_GT(record.submitted_at().seconds(), 1'700'000'000);

  // The log, as Watch carries it.
  auto context = Context(absl::Seconds(5));
  auto reader = As("ops").ingest->Watch(context.get(), v1::WatchRequest());
  std::vector<std::string> submitters;
  v1::WatchResponse response;
  while (submitters.size() < 3 && reader->Read(&response)) {
    for (const v1::Event& event : response.events()) {
      submitters.push_back(event.school().submitted_by());
    }
  }
  context->TryCancel();
  reader->Finish();
  EXPECT_THAT(submitters, ::testing::ElementsAre("clerk-yongxing",
                                                 "lixin-office",
                                                 "linquan-office"));

  // Alert events name who caused them.
  v1::ListAlertsResponse alerts;
  ASSERT_THAT(As("lixin-office")
                  .audit->ListAlerts(Context().get(), v1::ListAlertsRequest(),
                                     &alerts),
              GrpcOk());
  ASSERT_GT(alerts.alerts_size(), 0);
  for (const v1::AlertEvent& alert : alerts.alerts()) {
    if (alert.district() == "永兴") {
      EXPECT_EQ(alert.submitted_by(), "clerk-yongxing") << alert.ShortDebugString();
    } else if (alert.district() == "旧城") {
      EXPECT_EQ(alert.submitted_by(), "lixin-office") << alert.ShortDebugString();
    }
  }
}

TEST_F(AuthorizationTest, UnboundPrincipalStillGetsHealth) {
  auto channel = TlsChannel(ingest_->address(), pki_->Client("stranger"));
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_THAT(health->Check(Context().get(), grpc::health::v1::HealthCheckRequest(),
                            &response),
              GrpcOk());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

// A connection without a certificate from the trusted CA never reaches a
// handler: the handshake fails (UNAVAILABLE), for Health too.
TEST_F(AuthorizationTest, HandshakeRefusesWhoCannotProveAnIdentity) {
  TestPki untrusted(dir_->Sub("untrusted-pki"));
  ASSERT_TRUE(untrusted.ok());
  TlsFiles foreign = untrusted.Client("clerk-yongxing");
  foreign.ca = pki_->ca();  // trusts the server, presents a foreign cert
  TlsFiles expired = pki_->Client("expired-clerk", /*expired=*/true);
  TlsFiles no_cert{pki_->ca(), "", ""};
  TlsFiles distrusting = pki_->Client("clerk-yongxing");
  distrusting.ca = untrusted.ca();  // does not trust the server's CA
  const std::map<std::string, TlsFiles> cases = {
      {"plaintext", TlsFiles()},
      {"no client certificate", no_cert},
      {"certificate from an untrusted CA", foreign},
      {"expired certificate", expired},
      {"client that does not trust the server", distrusting},
  };
  for (const auto& [name, files] : cases) {
    for (const std::string& address : {ingest_->address(), audit_->address()}) {
      auto health = grpc::health::v1::Health::NewStub(TlsChannel(address, files));
      grpc::health::v1::HealthCheckResponse response;
      const grpc::Status status =
          health->Check(Context(absl::Seconds(3)).get(),
                        grpc::health::v1::HealthCheckRequest(), &response);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
          << name << " at " << address << ": " << status.error_message();
    }
  }
}

}  // namespace
}  // namespace headcount::testing
