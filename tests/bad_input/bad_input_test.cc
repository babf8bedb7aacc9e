// The bad-input catalog: every RPC of both services with malformed and
// hostile requests. Each gets its documented status code naming the field,
// nothing is stored, and both servers are healthy afterwards.
#include <functional>

#include "absl/strings/str_cat.h"
#include "audit_service/audit_server.h"
#include "common/server/grpc_server.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "headcount/v1/audit.grpc.pb.h"
#include "ingest_service/ingest_server.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::testing {
namespace {

using ::testing::HasSubstr;

struct Case {
  std::string name;
  std::function<grpc::Status()> call;
  grpc::StatusCode code;
  std::string message;  // a substring of the status message
};

class BadInputTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ingest::IngestServer::Options ingest_options;
    ingest_options.listen = "127.0.0.1:0";
    ingest_options.store.data_dir = dir_.Sub("ingest");
    auto ingest = ingest::IngestServer::Start(ingest_options);
    ASSERT_TRUE(ingest.ok());
    ingest_ = *std::move(ingest);
    audit::AuditServer::Options audit_options;
    audit_options.listen = "127.0.0.1:0";
    audit_options.store.data_dir = dir_.Sub("audit");
    audit_options.follower.ingest_address = ingest_->address();
    audit_options.follower.progress_interval = absl::Milliseconds(50);
    auto audit = audit::AuditServer::Start(audit_options);
    ASSERT_TRUE(audit.ok());
    audit_ = *std::move(audit);
    ingest_channel_ = FastReconnectChannel(ingest_->address());
    audit_channel_ = FastReconnectChannel(audit_->address());
    ingest_stub_ = v1::IngestService::NewStub(ingest_channel_);
    audit_stub_ = v1::AuditService::NewStub(audit_channel_);
    // One real school, so that lookups have something to miss.
    v1::SubmitResponse response;
    ASSERT_TRUE(ingest_stub_->Submit(Context().get(), School("城北", "甲", {{1, 2}}),
                                     &response).ok());
    ASSERT_TRUE(WaitFor([&] {
      return audit_->store()->applied_revision() == 1 && Serving(ingest_channel_) &&
             Serving(audit_channel_);
    }, absl::Seconds(30)));
  }

  bool Serving(const std::shared_ptr<grpc::Channel>& channel) {
    auto health = grpc::health::v1::Health::NewStub(channel);
    grpc::health::v1::HealthCheckResponse response;
    return health->Check(Context().get(), {}, &response).ok() &&
           response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  }

  void RunCatalog(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
      ASSERT_FALSE(c.message.empty()) << c.name << ": say what the message names";
      grpc::Status status = c.call();
      EXPECT_EQ(status.error_code(), c.code)
          << c.name << ": " << status.error_code() << " " << status.error_message();
      EXPECT_THAT(status.error_message(), HasSubstr(c.message)) << c.name;
      EXPECT_EQ(ingest_->store()->revision(), 1) << c.name << " stored something";
      EXPECT_TRUE(Serving(ingest_channel_)) << c.name;
      EXPECT_TRUE(Serving(audit_channel_)) << c.name;
    }
  }

  grpc::Status Submit(const v1::SubmitRequest& request,
                      absl::Duration deadline = absl::Seconds(10)) {
    v1::SubmitResponse response;
    return ingest_stub_->Submit(Context(deadline).get(), request, &response);
  }

  grpc::Status PutRoster(const v1::PutRosterRequest& request) {
    v1::PutRosterResponse response;
    return ingest_stub_->PutRoster(Context().get(), request, &response);
  }

  grpc::Status Retract(const v1::RetractRequest& request) {
    v1::RetractResponse response;
    return ingest_stub_->Retract(Context().get(), request, &response);
  }

  grpc::Status Batch(const std::vector<v1::SubmitRequest>& rows) {
    v1::ImportSummary summary;
    auto context = Context();
    auto writer = ingest_stub_->SubmitBatch(context.get(), &summary);
    for (const auto& row : rows) {
      if (!writer->Write(row)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  // How a server stream ends that must refuse `request` before sending
  // anything: its status, or CANCELLED when a first message came (the
  // stream was accepted), without reading the rest.
  template <typename Request, typename Response, typename Stub, typename Method>
  grpc::Status FirstOfStream(Stub& stub, Method method, const Request& request) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
    auto reader = (stub.*method)(&context, request);
    Response response;
    if (reader->Read(&response)) context.TryCancel();
    return reader->Finish();
  }

  grpc::Status Raw(const std::shared_ptr<grpc::Channel>& channel,
                   const std::string& method, const std::string& bytes) {
    grpc::GenericStub generic(channel);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1), response;
    grpc::Status status;
    Latch done;
    auto context = Context();
    generic.UnaryCall(context.get(), method, grpc::StubOptions(), &request, &response,
                      [&](grpc::Status s) {
                        status = s;
                        done.Notify();
                      });
    done.Wait();
    return status;
  }

  TempDir dir_;
  std::unique_ptr<ingest::IngestServer> ingest_;
  std::unique_ptr<audit::AuditServer> audit_;
  std::shared_ptr<grpc::Channel> ingest_channel_, audit_channel_;
  std::unique_ptr<v1::IngestService::Stub> ingest_stub_;
  std::unique_ptr<v1::AuditService::Stub> audit_stub_;
};

TEST_F(BadInputTest, IngestService) {
  const auto valid = [] { return School("城北", "乙", {{1, 2}, {3, 4}}); };
  auto roster = [&](std::function<void(v1::PutRosterRequest&)> mutate) {
    v1::PutRosterRequest request;
    request.set_submission_id("roster-1");
    request.set_term("2015-autumn");
    request.set_county("利辛县");
    v1::RosterEntry* entry = request.add_schools();
    entry->set_district("城北");
    entry->set_school("甲");
    entry->add_grades(1);
    mutate(request);
    return request;
  };
  auto retract = [&](std::function<void(v1::RetractRequest&)> mutate) {
    v1::RetractRequest request;
    request.set_submission_id("retract-甲");
    request.set_term("2015-autumn");
    request.set_county("利辛县");
    request.set_district("城北");
    request.set_school("甲");
    mutate(request);
    return request;
  };
  auto with = [&](std::function<void(v1::SubmitRequest&)> mutate) {
    v1::SubmitRequest request = valid();
    mutate(request);
    return request;
  };
  using grpc::StatusCode;
  RunCatalog({
      {"Submit/empty term", [&] { return Submit(with([](auto& r) { r.clear_term(); })); },
       StatusCode::INVALID_ARGUMENT, "term: must not be empty"},
      {"Submit/term shape", [&] { return Submit(with([](auto& r) { r.set_term("2015秋"); })); },
       StatusCode::INVALID_ARGUMENT, "term: must be YEAR-spring or YEAR-autumn"},
      {"Submit/grade 0", [&] { return Submit(with([](auto& r) { r.mutable_grades(0)->set_grade(0); })); },
       StatusCode::INVALID_ARGUMENT, "grades[0].grade: must be in 1..12"},
      {"Submit/negative", [&] { return Submit(with([](auto& r) { r.mutable_grades(1)->set_onsite_count(-9); })); },
       StatusCode::INVALID_ARGUMENT, "grades[1].onsite_count: must not be negative"},
      {"Submit/int64 max", [&] { return Submit(with([](auto& r) {
         r.mutable_grades(1)->set_registry_count(INT64_MAX); })); },
       StatusCode::INVALID_ARGUMENT, "grades[1].registry_count: must be at most 1000000"},
      {"Submit/huge repeated grades", [&] { return Submit(with([](auto& r) {
         for (int i = 0; i < 100'000; ++i) r.add_grades()->set_grade(1 + i % 12); })); },
       StatusCode::INVALID_ARGUMENT, "grades: must list at most 12 grades"},
      {"Submit/very long school", [&] { return Submit(with([](auto& r) {
         r.set_school(std::string(100'000, 'x')); })); },
       StatusCode::INVALID_ARGUMENT, "school: must be at most 256 bytes"},
      {"Submit/unknown source", [&] { return Submit(with([](auto& r) {
         r.set_source(static_cast<v1::Source>(7)); })); },
       StatusCode::INVALID_ARGUMENT, "source: must be INSPECTION (0) or SELF_CHECK (1), got 7"},
      {"Retract/unknown source", [&] { return Retract(retract([](auto& r) {
         r.set_source(static_cast<v1::Source>(-2)); })); },
       StatusCode::INVALID_ARGUMENT, "source: must be INSPECTION (0) or SELF_CHECK (1), got -2"},
      {"Submit/invalid UTF-8", [&] { return Submit(with([](auto& r) { r.set_county("\xc3\x28"); })); },
       StatusCode::INVALID_ARGUMENT, "county: must be valid UTF-8"},
      {"Submit/NUL in a name", [&] { return Submit(with([](auto& r) {
         r.set_district(std::string("城\0北", 7)); })); },
       StatusCode::INVALID_ARGUMENT, "district: must not contain control characters"},
      {"Submit/zero-width space after the county", [&] { return Submit(with([](auto& r) {
         r.set_county("利辛县\u200b"); })); },
       StatusCode::INVALID_ARGUMENT, "county: must not contain invisible or format characters (U+200B)"},
      {"Submit/ideographic space after the county", [&] { return Submit(with([](auto& r) {
         r.set_county("利辛县\u3000"); })); },
       StatusCode::INVALID_ARGUMENT, "county: must not start or end with whitespace (U+3000)"},
      {"Submit/above the receive limit", [&] { return Submit(with([](auto& r) {
         r.set_submission_id(std::string(kMaxReceiveMessageBytes + 1, 'x')); })); },
       StatusCode::RESOURCE_EXHAUSTED, "larger than max"},
      {"Submit/not a message", [&] { return Raw(ingest_channel_,
         "/headcount.v1.IngestService/Submit", std::string("\x0a\xff\xff\xff\x0f", 5)); },
       StatusCode::INVALID_ARGUMENT, "not a well-formed headcount.v1.SubmitRequest"},
      {"Submit/no deadline", [&] { return Submit(with([](auto& r) { r.clear_school(); }),
                                                  absl::InfiniteDuration()); },
       StatusCode::INVALID_ARGUMENT, "school: must not be empty"},
      {"SubmitBatch/empty", [&] { return Batch({}); },
       StatusCode::INVALID_ARGUMENT, "rows: a batch must hold at least one row"},
      {"SubmitBatch/one bad row", [&] { return Batch({valid(), with([](auto& r) {
         r.set_school("丙"); r.mutable_grades(0)->set_grade(99); })}); },
       StatusCode::INVALID_ARGUMENT, "row 1: grades[0].grade"},
      {"SubmitBatch/school twice", [&] { return Batch({valid(), with([](auto& r) {
         r.set_submission_id("other"); })}); },
       StatusCode::INVALID_ARGUMENT, "appears twice in one batch"},
      {"SubmitBatch/conflicting id", [&] { return Batch({with([](auto& r) {
         r.set_submission_id(School("城北", "甲", {{1, 2}}).submission_id()); })}); },
       StatusCode::ALREADY_EXISTS, "submission_id: already used"},
      {"Retract/empty", [&] { return Retract({}); },
       StatusCode::INVALID_ARGUMENT, "submission_id: must not be empty"},
      {"Retract/grade 13", [&] { return Retract(retract([](auto& r) { r.add_grades(13); })); },
       StatusCode::INVALID_ARGUMENT, "grades[0]: must be in 1..12, got 13"},
      {"Retract/grade twice", [&] { return Retract(retract([](auto& r) {
         r.add_grades(1); r.add_grades(1); })); },
       StatusCode::INVALID_ARGUMENT, "grades[1]: grade 1 appears more than once"},
      {"Retract/very long school", [&] { return Retract(retract([](auto& r) {
         r.set_school(std::string(3000, 'x')); })); },
       StatusCode::INVALID_ARGUMENT, "school: must be at most"},
      {"Retract/huge repeated grades", [&] { return Retract(retract([](auto& r) {
         for (int i = 0; i < 100000; ++i) r.add_grades(1); })); },
       StatusCode::INVALID_ARGUMENT, "grades: must list at most 12 grades"},
      {"Retract/invalid UTF-8", [&] { return Retract(retract([](auto& r) {
         r.set_district("\xc3\x28"); })); },
       StatusCode::INVALID_ARGUMENT, "district: must be valid UTF-8"},
      {"Retract/absent school", [&] { return Retract(retract([](auto& r) {
         r.set_school("乙"); })); },
       StatusCode::NOT_FOUND, "school 乙 of 利辛县/城北 has no counts in term 2015-autumn"},
      {"Retract/absent grade", [&] { return Retract(retract([](auto& r) { r.add_grades(5); })); },
       StatusCode::NOT_FOUND, "grades: 甲 has no counts for grade 5 (it has grade 1)"},
      {"Retract/id of a submission", [&] { return Retract(retract([](auto& r) {
         r.set_submission_id(School("城北", "甲", {{1, 2}}).submission_id()); })); },
       StatusCode::ALREADY_EXISTS, "submission_id: already used"},
      {"PutRoster/empty", [&] { return PutRoster({}); },
       StatusCode::INVALID_ARGUMENT, "submission_id: must not be empty"},
      {"PutRoster/no schools", [&] { return PutRoster(roster([](auto& r) { r.clear_schools(); })); },
       StatusCode::INVALID_ARGUMENT, "schools: must list at least one school"},
      {"PutRoster/grade 13", [&] { return PutRoster(roster([](auto& r) {
         r.mutable_schools(0)->add_grades(13); })); },
       StatusCode::INVALID_ARGUMENT, "schools[0].grades[1]: must be in 1..12, got 13"},
      {"PutRoster/no grades", [&] { return PutRoster(roster([](auto& r) {
         r.mutable_schools(0)->clear_grades(); })); },
       StatusCode::INVALID_ARGUMENT, "schools[0].grades: must list at least one grade"},
      {"PutRoster/school twice", [&] { return PutRoster(roster([](auto& r) {
         *r.add_schools() = r.schools(0); })); },
       StatusCode::INVALID_ARGUMENT, "schools[1].school: 甲 of 城北 is listed twice (schools[0])"},
      {"PutRoster/empty school", [&] { return PutRoster(roster([](auto& r) {
         r.mutable_schools(0)->clear_school(); })); },
       StatusCode::INVALID_ARGUMENT, "schools[0].school: must not be empty"},
      {"PutRoster/very long district", [&] { return PutRoster(roster([](auto& r) {
         r.mutable_schools(0)->set_district(std::string(3000, 'x')); })); },
       StatusCode::INVALID_ARGUMENT, "schools[0].district: must be at most"},
      {"PutRoster/another district in a district's roster", [&] { return PutRoster(roster([](auto& r) {
         r.set_district("城北"); r.mutable_schools(0)->set_district("永兴"); })); },
       StatusCode::INVALID_ARGUMENT, "schools[0].district: is 永兴 in the roster of district 城北"},
      {"PutRoster/invalid UTF-8 in a school", [&] { return PutRoster(roster([](auto& r) {
         r.mutable_schools(0)->set_school("\xc3\x28"); })); },
       StatusCode::INVALID_ARGUMENT, "schools[0].school: must be valid UTF-8"},
      {"PutRegions/a county in two cities", [&] {
         v1::PutRegionsRequest q; q.set_submission_id("regions-1");
         for (const char* city : {"亳州市", "阜阳市"}) {
           v1::Region* r = q.add_regions(); r->set_county("利辛县");
           r->set_city(city); r->set_province("安徽省");
         }
         v1::PutRegionsResponse a;
         return ingest_stub_->PutRegions(Context().get(), q, &a); },
       StatusCode::INVALID_ARGUMENT, "regions[1].county: 利辛县 is given twice"},
      {"PutRegions/a loop", [&] {
         v1::PutRegionsRequest q; q.set_submission_id("regions-2");
         v1::Region* r = q.add_regions(); r->set_county("利辛县");
         r->set_city("利辛县"); r->set_province("安徽省");
         v1::PutRegionsResponse a;
         return ingest_stub_->PutRegions(Context().get(), q, &a); },
       StatusCode::INVALID_ARGUMENT, "利辛县 is named as a county and a city"},
      {"PutRegions/empty city", [&] {
         v1::PutRegionsRequest q; q.set_submission_id("regions-3");
         v1::Region* r = q.add_regions(); r->set_county("利辛县");
         r->set_province("安徽省");
         v1::PutRegionsResponse a;
         return ingest_stub_->PutRegions(Context().get(), q, &a); },
       StatusCode::INVALID_ARGUMENT, "regions[0].city: must not be empty"},
      {"PutRegions/none", [&] {
         v1::PutRegionsRequest q; q.set_submission_id("regions-4");
         v1::PutRegionsResponse a;
         return ingest_stub_->PutRegions(Context().get(), q, &a); },
       StatusCode::INVALID_ARGUMENT, "regions: must list at least one county"},
      {"GetRegions/none", [&] { v1::Regions r;
         return ingest_stub_->GetRegions(Context().get(), {}, &r); },
       StatusCode::NOT_FOUND, "no regions"},
      {"GetRoster/none", [&] { v1::GetRosterRequest q; q.set_term("2015-autumn");
         q.set_county("利辛县"); v1::Roster r;
         return ingest_stub_->GetRoster(Context().get(), q, &r); },
       StatusCode::NOT_FOUND, "no roster for 利辛县 in term 2015-autumn"},
      {"GetRoster/district without county", [&] { v1::GetRosterRequest q;
         q.set_term("2015-autumn"); q.set_district("永兴"); v1::Roster r;
         return ingest_stub_->GetRoster(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "district: filtering by district needs a county"},
      {"GetRoster/none anywhere", [&] { v1::GetRosterRequest q; v1::Roster r;
         return ingest_stub_->GetRoster(Context().get(), q, &r); },
       StatusCode::NOT_FOUND, "no roster in any term"},
      {"GetRoster/bad term", [&] { v1::GetRosterRequest q; q.set_term("2015");
         q.set_county("利辛县"); v1::Roster r;
         return ingest_stub_->GetRoster(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "term: must be"},
      {"GetSchool/empty", [&] { v1::SchoolRecord r;
         return ingest_stub_->GetSchool(Context().get(), {}, &r); },
       StatusCode::INVALID_ARGUMENT, "term: must not be empty"},
      {"GetSchool/absent", [&] { v1::GetSchoolRequest q; q.set_term("2015-autumn");
         q.set_county("利辛县"); q.set_district("城北"); q.set_school("无"); v1::SchoolRecord r;
         return ingest_stub_->GetSchool(Context().get(), q, &r); },
       StatusCode::NOT_FOUND, "no record for school 无"},
      {"ListSchools/district without county", [&] { v1::ListSchoolsRequest q;
         q.set_term("2015-autumn"); q.set_district("城北"); v1::ListSchoolsResponse r;
         return ingest_stub_->ListSchools(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "district: filtering by district needs a county"},
      {"ListSchools/negative page size", [&] { v1::ListSchoolsRequest q;
         q.set_page_size(-1); v1::ListSchoolsResponse r;
         return ingest_stub_->ListSchools(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "page_size: must not be negative"},
      {"ListSchools/token of other filters", [&] { v1::ListSchoolsRequest q;
         q.set_term("2015-autumn"); q.set_page_token("U3RoZXJl"); v1::ListSchoolsResponse r;
         return ingest_stub_->ListSchools(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "page_token: is not a token returned for these filters"},
      {"ListSchools/not base64", [&] { v1::ListSchoolsRequest q;
         q.set_page_token("!!!"); v1::ListSchoolsResponse r;
         return ingest_stub_->ListSchools(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "page_token"},
      {"Watch/negative revision", [&] { v1::WatchRequest q; q.set_after_revision(-5);
         return FirstOfStream<v1::WatchRequest, v1::WatchResponse>(
             *ingest_stub_, &v1::IngestService::Stub::Watch, q); },
       StatusCode::INVALID_ARGUMENT, "after_revision: must not be negative"},
      {"Watch/progress interval", [&] { v1::WatchRequest q; q.set_progress_interval_ms(-1);
         return FirstOfStream<v1::WatchRequest, v1::WatchResponse>(
             *ingest_stub_, &v1::IngestService::Stub::Watch, q); },
       StatusCode::INVALID_ARGUMENT, "progress_interval_ms"},
      {"Watch/invisible county", [&] { v1::WatchRequest q; q.set_county("利辛县\u200b");
         return FirstOfStream<v1::WatchRequest, v1::WatchResponse>(
             *ingest_stub_, &v1::IngestService::Stub::Watch, q); },
       StatusCode::INVALID_ARGUMENT, "county: must not contain invisible or format characters (U+200B)"},
      {"Compact/beyond the head", [&] { v1::CompactRequest q; q.set_revision(99);
         v1::CompactResponse r; return ingest_stub_->Compact(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "revision: must be in 1..1"},
      {"Compact/zero", [&] { v1::CompactResponse r;
         return ingest_stub_->Compact(Context().get(), {}, &r); },
       StatusCode::INVALID_ARGUMENT, "revision: must be in 1..1"},
  });
}

TEST_F(BadInputTest, AuditService) {
  using grpc::StatusCode;
  auto report = [&](const std::string& term, const std::string& county) {
    v1::GetCountyReportRequest q;
    q.set_term(term);
    q.set_county(county);
    v1::CountyReport r;
    return audit_stub_->GetCountyReport(Context().get(), q, &r);
  };
  auto alerts = [&](std::function<void(v1::AlertFilter&)> mutate) {
    v1::ListAlertsRequest q;
    mutate(*q.mutable_filter());
    v1::ListAlertsResponse r;
    return audit_stub_->ListAlerts(Context().get(), q, &r);
  };
  auto watch = [&](std::function<void(v1::WatchAlertsRequest&)> mutate) {
    v1::WatchAlertsRequest q;
    mutate(q);
    return FirstOfStream<v1::WatchAlertsRequest, v1::AlertEvent>(
        *audit_stub_, &v1::AuditService::Stub::WatchAlerts, q);
  };
  RunCatalog({
      {"ListCounties/no term", [&] { v1::ListCountiesResponse r;
         return audit_stub_->ListCounties(Context().get(), {}, &r); },
       StatusCode::INVALID_ARGUMENT, "term: must not be empty"},
      {"GetCountyReport/no county", [&] { return report("2015-autumn", ""); },
       StatusCode::INVALID_ARGUMENT, "county: must not be empty"},
      {"GetCountyReport/term shape", [&] { return report("autumn", "利辛县"); },
       StatusCode::INVALID_ARGUMENT, "term: must be YEAR-spring"},
      {"GetCountyReport/invalid UTF-8", [&] { return report("2015-autumn", "\xff"); },
       StatusCode::INVALID_ARGUMENT, "county: must be valid UTF-8"},
      {"GetCountyReport/unknown county", [&] { return report("2015-autumn", "无县"); },
       StatusCode::NOT_FOUND, "nothing counted for county 无县"},
      {"GetCountyReport/above the receive limit", [&] {
         return report("2015-autumn", std::string(kMaxReceiveMessageBytes + 1, 'x')); },
       StatusCode::RESOURCE_EXHAUSTED, "larger than max"},
      {"GetCountyReport/not a message", [&] { return Raw(audit_channel_,
         "/headcount.v1.AuditService/GetCountyReport", std::string("\x12\x09zz", 4)); },
       StatusCode::INVALID_ARGUMENT, "not a well-formed headcount.v1.GetCountyReportRequest"},
      {"GetCountyReport/unknown source", [&] { v1::GetCountyReportRequest q;
         q.set_term("2015-autumn"); q.set_county("利辛县");
         q.set_source(static_cast<v1::Source>(3)); v1::CountyReport r;
         return audit_stub_->GetCountyReport(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "source: must be INSPECTION (0) or SELF_CHECK (1), got 3"},
      {"GetDistrictReport/unknown source", [&] { v1::GetDistrictReportRequest q;
         q.set_term("2015-autumn"); q.set_county("利辛县"); q.set_district("城北");
         q.set_source(static_cast<v1::Source>(9)); v1::DistrictReport r;
         return audit_stub_->GetDistrictReport(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "source: must be INSPECTION (0) or SELF_CHECK (1), got 9"},
      {"CompareSources/no county", [&] { v1::CompareSourcesRequest q;
         q.set_term("2015-autumn"); v1::SourceComparison r;
         return audit_stub_->CompareSources(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "county: must not be empty"},
      {"CompareTerms/the same term twice", [&] { v1::CompareTermsRequest q;
         q.set_term("2015-autumn"); q.set_previous_term("2015-autumn");
         q.set_county("利辛县"); v1::TermComparison r;
         return audit_stub_->CompareTerms(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "previous_term: must be another term than term"},
      {"CompareTerms/no previous term", [&] { v1::CompareTermsRequest q;
         q.set_term("2015-autumn"); q.set_county("利辛县"); v1::TermComparison r;
         return audit_stub_->CompareTerms(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "previous_term: must not be empty"},
      {"GetRegionReport/no province", [&] { v1::GetRegionReportRequest q;
         q.set_term("2015-autumn"); v1::RegionReport r;
         return audit_stub_->GetRegionReport(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "province: must not be empty"},
      {"ListAlerts/city without province", [&] { v1::ListAlertsRequest q;
         q.mutable_filter()->set_city("亳州市"); v1::ListAlertsResponse r;
         return audit_stub_->ListAlerts(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "filter.city: filtering by city needs a province"},
      {"GetCoverageReport/bad term", [&] { v1::GetCoverageReportRequest q;
         q.set_term("2015秋"); q.set_county("利辛县"); v1::CoverageReport r;
         return audit_stub_->GetCoverageReport(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "term: must be"},
      {"GetCoverageReport/no county", [&] { v1::GetCoverageReportRequest q;
         q.set_term("2015-autumn"); v1::CoverageReport r;
         return audit_stub_->GetCoverageReport(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "county: must not be empty"},
      {"GetCoverageReport/unknown county", [&] { v1::GetCoverageReportRequest q;
         q.set_term("2015-autumn"); q.set_county("无县"); v1::CoverageReport r;
         return audit_stub_->GetCoverageReport(Context().get(), q, &r); },
       StatusCode::NOT_FOUND, "no roster and no counts for 无县 in term 2015-autumn"},
      {"GetDistrictReport/no district", [&] { v1::GetDistrictReportRequest q;
         q.set_term("2015-autumn"); q.set_county("利辛县"); v1::DistrictReport r;
         return audit_stub_->GetDistrictReport(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "district: must not be empty"},
      {"ListGradeDiscrepancies/long district", [&] { v1::ListGradeDiscrepanciesRequest q;
         q.set_term("2015-autumn"); q.set_county("利辛县");
         q.set_district(std::string(10'000, 'x')); v1::ListGradeDiscrepanciesResponse r;
         return audit_stub_->ListGradeDiscrepancies(Context().get(), q, &r); },
       StatusCode::INVALID_ARGUMENT, "district: must be at most 256 bytes"},
      {"ListAlerts/unknown level", [&] { return alerts([](auto& f) {
         f.set_level(static_cast<v1::Level>(99)); }); },
       StatusCode::INVALID_ARGUMENT, "filter.level: is not a known level"},
      {"ListAlerts/county without term", [&] { return alerts([](auto& f) {
         f.set_county("利辛县"); }); },
       StatusCode::INVALID_ARGUMENT, "filter.county: filtering by county needs a term"},
      {"WatchAlerts/negative id", [&] { return watch([](auto& q) {
         q.set_after_alert_id(-1); }); },
       StatusCode::INVALID_ARGUMENT, "after_alert_id: must not be negative"},
      {"WatchAlerts/unknown level", [&] { return watch([](auto& q) {
         q.mutable_filter()->set_level(static_cast<v1::Level>(-3)); }); },
       StatusCode::INVALID_ARGUMENT, "filter.level"},
  });
}

TEST_F(BadInputTest, ManyConcurrentStreamsLeaveBothServersHealthy) {
  constexpr int kStreams = 200;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::WatchResponse>>> watches;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::AlertEvent>>> alert_watches;
  for (int i = 0; i < kStreams; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    watches.push_back(ingest_stub_->Watch(contexts.back().get(), v1::WatchRequest()));
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    contexts.back()->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    alert_watches.push_back(
        audit_stub_->WatchAlerts(contexts.back().get(), v1::WatchAlertsRequest()));
  }
  // Every stream gets the existing revision, then a new one arrives at all.
  v1::WatchResponse response;
  for (auto& w : watches) ASSERT_TRUE(w->Read(&response));
  v1::SubmitResponse submitted;
  ASSERT_TRUE(ingest_stub_->Submit(Context().get(), School("城北", "丁", {{1, 9}}),
                                   &submitted).ok());
  for (auto& w : watches) {
    ASSERT_TRUE(w->Read(&response));
    EXPECT_EQ(response.revision(), 2);
  }
  v1::AlertEvent event;
  for (auto& w : alert_watches) ASSERT_TRUE(w->Read(&event));  // 丁 is over 2%
  for (auto& c : contexts) c->TryCancel();
  for (auto& w : watches) w->Finish();
  for (auto& w : alert_watches) w->Finish();
  EXPECT_TRUE(Serving(ingest_channel_));
  EXPECT_TRUE(Serving(audit_channel_));
}

}  // namespace
}  // namespace headcount::testing
