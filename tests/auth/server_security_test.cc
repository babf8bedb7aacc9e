// Which flag combinations a server accepts, and what it says otherwise.
#include "common/server/server_security.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/auth/test_pki.h"
#include "tests/test_util.h"

namespace headcount::testing {
namespace {

using ::testing::HasSubstr;

TEST(ServerSecurityTest, LoopbackAddresses) {
  for (const char* address :
       {"127.0.0.1:50051", "127.1.2.3:0", "localhost:1", "[::1]:50051"}) {
    EXPECT_TRUE(IsLoopbackAddress(address)) << address;
  }
  for (const char* address : {"0.0.0.0:50051", "[::]:1", ":50051",
                              "10.0.0.1:50051", "127.example.org:1",
                              "example.org:1"}) {
    EXPECT_FALSE(IsLoopbackAddress(address)) << address;
  }
}

TEST(ServerSecurityTest, PlaintextOnlyOnLoopbackUnlessAskedFor) {
  absl::StatusOr<ServerSecurity> loopback =
      MakeServerSecurity(SecurityFlags(), "127.0.0.1:0");
  ASSERT_TRUE(loopback.ok()) << loopback.status();
  EXPECT_FALSE(loopback->authorizer->has_policy());
  EXPECT_THAT(loopback->description, HasSubstr("plaintext on loopback"));

  absl::StatusOr<ServerSecurity> open =
      MakeServerSecurity(SecurityFlags(), "0.0.0.0:50051");
  EXPECT_EQ(open.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(open.status().message(),
              HasSubstr("refusing to serve plaintext on 0.0.0.0:50051"));
  EXPECT_THAT(open.status().message(), HasSubstr("--insecure_plaintext"));

  SecurityFlags insecure;
  insecure.insecure_plaintext = true;
  absl::StatusOr<ServerSecurity> accepted =
      MakeServerSecurity(insecure, "0.0.0.0:50051");
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_THAT(accepted->description, HasSubstr("PLAINTEXT"));
}

TEST(ServerSecurityTest, MutualTlsNeedsEveryFileAndThePolicy) {
  TempDir dir;
  TestPki pki(dir.Sub("pki"));
  ASSERT_TRUE(pki.ok());
  const std::string policy = dir.Sub("policy.json");
  std::ofstream(policy) << R"({"bindings": []})";
  SecurityFlags flags = pki.ServerFlags(policy, absl::Seconds(1));

  absl::StatusOr<ServerSecurity> secure = MakeServerSecurity(flags, "0.0.0.0:0");
  ASSERT_TRUE(secure.ok()) << secure.status();
  EXPECT_TRUE(secure->authorizer->has_policy());
  EXPECT_THAT(secure->description, HasSubstr("mutual TLS"));

  SecurityFlags no_key = flags;
  no_key.tls_key.clear();
  EXPECT_THAT(MakeServerSecurity(no_key, "127.0.0.1:0").status().message(),
              HasSubstr("given without --tls_key"));
  SecurityFlags no_policy = flags;
  no_policy.policy.clear();
  EXPECT_THAT(MakeServerSecurity(no_policy, "127.0.0.1:0").status().message(),
              HasSubstr("given without --policy"));
  SecurityFlags both = flags;
  both.insecure_plaintext = true;
  EXPECT_THAT(MakeServerSecurity(both, "127.0.0.1:0").status().message(),
              HasSubstr("contradicts"));
  SecurityFlags missing_file = flags;
  missing_file.tls_client_ca = dir.Sub("nope.pem");
  EXPECT_THAT(MakeServerSecurity(missing_file, "127.0.0.1:0").status().message(),
              HasSubstr("--tls_client_ca: cannot read"));
  SecurityFlags not_pem = flags;
  not_pem.tls_cert = policy;
  EXPECT_THAT(MakeServerSecurity(not_pem, "127.0.0.1:0").status().message(),
              HasSubstr("holds no PEM block"));
  std::ofstream(policy) << "{\"bindings\": [\n{\"role\": \"operator\"}]}";
  EXPECT_THAT(MakeServerSecurity(flags, "127.0.0.1:0").status().message(),
              HasSubstr("policy.json:2: binding without \"principal\""));
}

}  // namespace
}  // namespace headcount::testing
