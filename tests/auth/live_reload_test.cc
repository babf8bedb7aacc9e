// What changes while a server runs: the policy file (reloaded; a broken
// one changes nothing) and the certificate files (rotated without a
// restart, calls keep being served).
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "headcount/v1/ingest.grpc.pb.h"
#include "ingest_service/ingest_server.h"
#include "tests/auth/test_pki.h"
#include "tests/test_util.h"

namespace headcount::testing {
namespace {

constexpr char kBase[] = R"({"bindings": [
  {"principal": "lixin-office", "role": "county_office", "county": "利辛县"}
]})";
constexpr char kWithNewcomer[] = R"({"bindings": [
  {"principal": "lixin-office", "role": "county_office", "county": "利辛县"},
  {"principal": "newcomer", "role": "county_office", "county": "利辛县"}
]})";
// Would drop the newcomer if it were taken.
constexpr char kBadRole[] = R"({"bindings": [
  {"principal": "lixin-office", "role": "county_office", "county": "利辛县"},
  {"principal": "newcomer", "role": "superuser"}
]})";
constexpr char kBadSyntax[] = R"({"bindings": [
  {"principal": "lixin-office", "role": "county_office", "county": "利辛县"}
)";

// Replaces `path` at once (rename), as an editor or a deploy tool would.
void Replace(const std::string& path, const std::string& text) {
  const std::string temporary = path + ".new";
  std::ofstream(temporary) << text;
  ASSERT_EQ(std::rename(temporary.c_str(), path.c_str()), 0);
}

grpc::StatusCode ListSchools(const std::shared_ptr<grpc::Channel>& channel) {
  v1::ListSchoolsRequest request;
  request.set_term("2015-autumn");
  v1::ListSchoolsResponse response;
  return v1::IngestService::NewStub(channel)
      ->ListSchools(Context(absl::Seconds(3)).get(), request, &response)
      .error_code();
}

class LiveReloadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pki_.ok());
    Replace(policy_, kBase);
    ingest::IngestServer::Options options;
    options.listen = "127.0.0.1:0";
    options.store.data_dir = dir_.Sub("ingest");
    options.shutdown_grace = absl::Seconds(2);
    auto security = MakeServerSecurity(
        pki_.ServerFlags(policy_, absl::Seconds(1)), options.listen);
    ASSERT_TRUE(security.ok()) << security.status();
    options.security = *security;
    auto server = ingest::IngestServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    ingest_ = *std::move(server);
  }

  TempDir dir_;
  TestPki pki_{dir_.Sub("pki")};
  const std::string policy_ = dir_.Sub("policy.json");
  std::unique_ptr<ingest::IngestServer> ingest_;
};

TEST_F(LiveReloadTest, PolicyChangesTakeEffectAndBrokenOnesChangeNothing) {
  auto newcomer = TlsChannel(ingest_->address(), pki_.Client("newcomer"));
  EXPECT_EQ(ListSchools(newcomer), grpc::StatusCode::PERMISSION_DENIED);

  Replace(policy_, kWithNewcomer);
  EXPECT_TRUE(WaitFor([&] { return ListSchools(newcomer) == grpc::StatusCode::OK; }))
      << "the new binding was not loaded";

  for (const char* broken : {kBadRole, kBadSyntax}) {
    Replace(policy_, broken);
    absl::SleepFor(absl::Milliseconds(2500));  // two reload intervals
    EXPECT_EQ(ListSchools(newcomer), grpc::StatusCode::OK)
        << "a broken policy replaced the last good one:\n" << broken;
  }
}

// The server's certificate and its client CA are replaced by files of a
// new CA while it runs: new clients of the new CA get in, the server now
// proves itself with the new certificate, and a connection made before
// keeps being served.
TEST_F(LiveReloadTest, CertificatesRotateWithoutARestart) {
  auto before = TlsChannel(ingest_->address(), pki_.Client("lixin-office"));
  ASSERT_EQ(ListSchools(before), grpc::StatusCode::OK);

  TestPki next(dir_.Sub("next-pki"));
  ASSERT_TRUE(next.ok());
  TlsFiles next_client = next.Client("lixin-office");  // trusts next only
  ASSERT_EQ(ListSchools(TlsChannel(ingest_->address(), next_client)),
            grpc::StatusCode::UNAVAILABLE);
  // Clients of both CAs are trusted during the change-over.
  std::ifstream old_ca(pki_.ca()), new_ca(next.ca());
  std::stringstream bundle;
  bundle << old_ca.rdbuf() << new_ca.rdbuf();
  std::ifstream next_key(next.dir() + "/server.key"),
      next_cert(next.dir() + "/server.pem");
  std::stringstream key, cert;
  key << next_key.rdbuf();
  cert << next_cert.rdbuf();
  Replace(pki_.dir() + "/server.key", key.str());
  Replace(pki_.dir() + "/server.pem", cert.str());
  Replace(pki_.ca(), bundle.str());

  EXPECT_TRUE(WaitFor([&] {
    return ListSchools(TlsChannel(ingest_->address(), next_client)) ==
           grpc::StatusCode::OK;
  })) << "the server does not present the new certificate, or does not "
         "accept clients of the new CA";
  // Clients of the old CA are still accepted through the bundle.
  TlsFiles old_client = pki_.Client("lixin-office");
  old_client.ca = next.ca();
  EXPECT_EQ(ListSchools(TlsChannel(ingest_->address(), old_client)),
            grpc::StatusCode::OK);
  EXPECT_EQ(ListSchools(before), grpc::StatusCode::OK)
      << "the connection made before the rotation was dropped";
}

}  // namespace
}  // namespace headcount::testing
