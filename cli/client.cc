#include "cli/client.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace headcount::cli {

int Fail(const std::string& message) {
  std::fprintf(stderr, "headcount: %s\n", message.c_str());
  return 1;
}

std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

std::shared_ptr<grpc::Channel> Connect(const std::string& address) {
  return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
}

std::string Describe(const grpc::Status& status, const std::string& what,
                     const std::string& address) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return absl::StrCat("cannot reach the ", what, " at ", address, " (",
                          status.error_message(), ")");
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StrCat("the ", what, " at ", address,
                          " did not answer in time (see --timeout)");
    default:
      return absl::StrCat("the ", what, " refused: ", status.error_message());
  }
}

}  // namespace headcount::cli
