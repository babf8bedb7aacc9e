#include "tests/auth/test_pki.h"

#include <sys/stat.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace headcount::testing {

TestPki::TestPki(std::string dir) : dir_(std::move(dir)) {
  ok_ = Run(absl::StrCat("ca ", dir_)) && Run(absl::StrCat("server ", dir_, " server"));
}

bool TestPki::Run(const std::string& arguments) {
  const std::string command = absl::StrCat(
      "bash ", HEADCOUNT_SOURCE_DIR, "/deploy/pki.sh ", arguments);
  const int status = std::system(command.c_str());
  if (status != 0) {
    ADD_FAILURE() << "`" << command << "` failed (" << status
                  << "); is openssl installed?";
    return false;
  }
  return true;
}

TlsFiles TestPki::Client(const std::string& cn, bool expired) {
  TlsFiles files{ca(), absl::StrCat(dir_, "/", cn, ".pem"),
                 absl::StrCat(dir_, "/", cn, ".key")};
  struct stat info;
  if (stat(files.cert.c_str(), &info) != 0) {
    Run(absl::StrCat("client ", dir_, " ", cn, expired ? " --expired" : ""));
  }
  return files;
}

SecurityFlags TestPki::ServerFlags(const std::string& policy,
                                   absl::Duration reload_interval) const {
  SecurityFlags flags;
  flags.tls_cert = dir_ + "/server.pem";
  flags.tls_key = dir_ + "/server.key";
  flags.tls_client_ca = ca();
  flags.policy = policy;
  flags.reload_interval = reload_interval;
  return flags;
}

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address,
                                          const TlsFiles& files) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentials(files, "--");
  EXPECT_TRUE(credentials.ok()) << credentials.status();
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(
      address,
      credentials.ok() ? *credentials : grpc::InsecureChannelCredentials(),
      args);
}

}  // namespace headcount::testing
