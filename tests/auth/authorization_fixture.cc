#include "tests/auth/authorization_fixture.h"

#include <fstream>

#include "absl/strings/str_cat.h"

namespace headcount::testing {

TempDir* AuthorizationTest::dir_ = nullptr;
TestPki* AuthorizationTest::pki_ = nullptr;
std::unique_ptr<ingest::IngestServer> AuthorizationTest::ingest_;
std::unique_ptr<audit::AuditServer> AuthorizationTest::audit_;
std::map<std::string, AuthorizationTest::Stubs>* AuthorizationTest::stubs_ =
    nullptr;

const std::vector<Place>& Places() {
  static const auto* places = new std::vector<Place>{
      {"利辛县", "永兴", "双龙中学", 90, 100},
      {"利辛县", "旧城", "旧城中学", 95, 100},
      {"临泉县", "城关", "城关小学", 80, 100},
  };
  return *places;
}

const std::vector<std::string>& Principals() {
  static const auto* principals = new std::vector<std::string>{
      "clerk-yongxing", "clerk-jiucheng", "lixin-office", "linquan-office",
      "province-reader", "audit", "ops", "stranger"};
  return *principals;
}

std::string PolicyJson() {
  return R"({"bindings": [
  {"principal": "clerk-yongxing", "role": "district_clerk",
   "county": "利辛县", "district": "永兴"},
  {"principal": "clerk-jiucheng", "role": "district_clerk",
   "county": "利辛县", "district": "旧城"},
  {"principal": "lixin-office", "role": "county_office", "county": "利辛县"},
  {"principal": "linquan-office", "role": "county_office", "county": "临泉县"},
  {"principal": "province-reader", "role": "reader", "counties": ["利辛县"]},
  {"principal": "audit", "role": "follower"},
  {"principal": "ops", "role": "operator"}
]}
)";
}

v1::SubmitRequest PlaceSubmission(const Place& place, int64_t onsite,
                                  const std::string& submission_id) {
  v1::SubmitRequest request;
  request.set_submission_id(submission_id);
  request.set_term(kTerm);
  request.set_county(place.county);
  request.set_district(place.district);
  request.set_school(place.school);
  v1::GradeCount* grade = request.add_grades();
  grade->set_grade(1);
  grade->set_onsite_count(onsite);
  grade->set_registry_count(place.registry);
  return request;
}

void AuthorizationTest::SetUpTestSuite() {
  dir_ = new TempDir();
  pki_ = new TestPki(dir_->Sub("pki"));
  ASSERT_TRUE(pki_->ok());
  const std::string policy = dir_->Sub("policy.json");
  std::ofstream(policy) << PolicyJson();

  ingest::IngestServer::Options ingest_options;
  ingest_options.listen = "127.0.0.1:0";
  ingest_options.store.data_dir = dir_->Sub("ingest");
  ingest_options.store.backup_dir = dir_->Sub("backups");
  ingest_options.shutdown_grace = absl::Seconds(2);
  auto ingest_security = MakeServerSecurity(
      pki_->ServerFlags(policy, absl::Seconds(1)), ingest_options.listen);
  ASSERT_TRUE(ingest_security.ok()) << ingest_security.status();
  ingest_options.security = *ingest_security;
  auto ingest = ingest::IngestServer::Start(ingest_options);
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  ingest_ = *std::move(ingest);

  audit::AuditServer::Options audit_options;
  audit_options.listen = "127.0.0.1:0";
  audit_options.store.data_dir = dir_->Sub("audit");
  audit_options.shutdown_grace = absl::Seconds(2);
  audit_options.follower.ingest_address = ingest_->address();
  audit_options.follower.progress_interval = absl::Milliseconds(100);
  auto follower = ChannelCredentials(pki_->Client("audit"), "--ingest_");
  ASSERT_TRUE(follower.ok()) << follower.status();
  audit_options.follower.credentials = *follower;
  auto audit_security = MakeServerSecurity(
      pki_->ServerFlags(policy, absl::Seconds(1)), audit_options.listen);
  ASSERT_TRUE(audit_security.ok()) << audit_security.status();
  audit_options.security = *audit_security;
  auto audit = audit::AuditServer::Start(audit_options);
  ASSERT_TRUE(audit.ok()) << audit.status();
  audit_ = *std::move(audit);

  stubs_ = new std::map<std::string, Stubs>;
  // Each place submitted by whoever may: a clerk, then the offices.
  const std::vector<std::string> submitters = {"clerk-yongxing", "lixin-office",
                                               "linquan-office"};
  for (size_t i = 0; i < Places().size(); ++i) {
    const Place& place = Places()[i];
    v1::SubmitResponse response;
    ASSERT_THAT(As(submitters[i]).ingest->Submit(
                    Context().get(),
                    PlaceSubmission(place, place.onsite,
                                    absl::StrCat("seed-", i)),
                    &response),
                GrpcOk());
  }
  ASSERT_TRUE(WaitFor([] {
    return audit_->store() != nullptr &&
           audit_->store()->applied_revision() == 3;
  })) << "the audit (follower over mutual TLS) did not apply the 3 revisions";
}

void AuthorizationTest::TearDownTestSuite() {
  delete stubs_;
  stubs_ = nullptr;
  audit_.reset();
  ingest_.reset();
  delete pki_;
  delete dir_;
}

AuthorizationTest::Stubs& AuthorizationTest::As(const std::string& principal) {
  auto it = stubs_->find(principal);
  if (it == stubs_->end()) {
    const TlsFiles files = pki_->Client(principal);
    Stubs stubs;
    stubs.ingest =
        v1::IngestService::NewStub(TlsChannel(ingest_->address(), files));
    stubs.audit =
        v1::AuditService::NewStub(TlsChannel(audit_->address(), files));
    it = stubs_->emplace(principal, std::move(stubs)).first;
  }
  return it->second;
}

}  // namespace headcount::testing
