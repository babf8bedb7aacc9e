// The fixture of the ingest's server tests: a real IngestServer on port 0
// on loopback with its data in a temporary directory and its time on a
// simulated clock, and a stub to it.
#ifndef HEADCOUNT_TESTS_INGEST_SERVICE_INGEST_SERVER_FIXTURE_H_
#define HEADCOUNT_TESTS_INGEST_SERVICE_INGEST_SERVER_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/domain/status_util.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "ingest_service/ingest_server.h"
#include "ingest_service/watch_reactor.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::ingest {

class IngestServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(); }

  // Time (progress, stalls, commit times) moves only with clock_.
  IngestServer::Options Options() {
    IngestServer::Options options =
        ::headcount::testing::LoopbackIngestOptions(dir_.Sub("ingest"));
    options.clock = &clock_;
    return options;
  }

  void Start() {
    auto server = IngestServer::Start(Options());
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    Connect();
  }

  void Connect() {
    channel_ = grpc::CreateChannel(server_->address(),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::IngestService::NewStub(channel_);
  }

  void Restart() {
    server_->Shutdown();
    server_.reset();
    Start();
  }

  grpc::Status Submit(const v1::SubmitRequest& request,
                      v1::SubmitResponse* response = nullptr) {
    v1::SubmitResponse ignored;
    return stub_->Submit(::headcount::testing::Context().get(), request,
                         response != nullptr ? response : &ignored);
  }

  grpc::Status SubmitBatch(const std::vector<v1::SubmitRequest>& rows,
                           v1::ImportSummary* summary) {
    auto context = ::headcount::testing::Context();
    auto writer = stub_->SubmitBatch(context.get(), summary);
    for (const auto& row : rows) {
      if (!writer->Write(row)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  v1::ListSchoolsResponse ListAll() {
    v1::ListSchoolsResponse response;
    EXPECT_THAT(stub_->ListSchools(::headcount::testing::Context().get(),
                                   v1::ListSchoolsRequest(), &response),
                ::headcount::testing::GrpcOk());
    return response;
  }

  // The health of `service` at `address`; UNKNOWN when the call fails.
  grpc::health::v1::HealthCheckResponse::ServingStatus Health(
      const std::string& address,
      const std::string& service = "headcount.v1.IngestService") {
    auto health = grpc::health::v1::Health::NewStub(
        grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(::headcount::testing::Context().get(),
                                        request, &response);
    if (!status.ok()) return grpc::health::v1::HealthCheckResponse::UNKNOWN;
    return response.status();
  }

  headcount::testing::TempDir dir_;
  headcount::testing::SimulatedClock clock_;
  std::unique_ptr<IngestServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

}  // namespace headcount::ingest

#endif  // HEADCOUNT_TESTS_INGEST_SERVICE_INGEST_SERVER_FIXTURE_H_
