// Both services with mutual TLS and a policy, a PKI with a certificate per
// role, and data in three places (利辛县/永兴, 利辛县/旧城, 临泉县/城关), each
// submitted by whoever may: shared by the authorization tests.
#ifndef HEADCOUNT_TESTS_AUTH_AUTHORIZATION_FIXTURE_H_
#define HEADCOUNT_TESTS_AUTH_AUTHORIZATION_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "audit_service/audit_server.h"
#include "gtest/gtest.h"
#include "headcount/v1/audit.grpc.pb.h"
#include "headcount/v1/ingest.grpc.pb.h"
#include "ingest_service/ingest_server.h"
#include "tests/auth/test_pki.h"
#include "tests/test_util.h"

namespace headcount::testing {

inline constexpr char kTerm[] = "2015-autumn";

// A school in one place, with the counts stored for it.
struct Place {
  std::string county;
  std::string district;
  std::string school;
  int64_t onsite = 0;
  int64_t registry = 0;
};

// 利辛县/永兴 (a clerk of 永兴 submits), 利辛县/旧城 (利辛县's office), 临泉县/城关
// (临泉县's office). Every school is over the 2% threshold.
const std::vector<Place>& Places();

// Principals with a certificate; "stranger" has no binding.
const std::vector<std::string>& Principals();

// The policy the fixture serves.
std::string PolicyJson();

// A submission of `place`'s school with `onsite` pupils present.
v1::SubmitRequest PlaceSubmission(const Place& place, int64_t onsite,
                                  const std::string& submission_id);

class AuthorizationTest : public ::testing::Test {
 public:
  struct Stubs {
    std::unique_ptr<v1::IngestService::Stub> ingest;
    std::unique_ptr<v1::AuditService::Stub> audit;
  };

 protected:

  static void SetUpTestSuite();
  static void TearDownTestSuite();

  // Stubs of `principal` (a client certificate with that CN).
  static Stubs& As(const std::string& principal);

  static TempDir* dir_;
  static TestPki* pki_;
  static std::unique_ptr<ingest::IngestServer> ingest_;
  static std::unique_ptr<audit::AuditServer> audit_;
  static std::map<std::string, Stubs>* stubs_;
};

}  // namespace headcount::testing

#endif  // HEADCOUNT_TESTS_AUTH_AUTHORIZATION_FIXTURE_H_
