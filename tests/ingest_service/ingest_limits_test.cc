// What one client may hold of the ingest: batch rows, batch bytes, the
// memory of all batches in progress, and combined Watch messages. Each
// limit answers RESOURCE_EXHAUSTED naming its flag, stores nothing, and
// leaves the server serving others.
#include <atomic>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "headcount/v1/ingest.grpc.pb.h"
#include "ingest_service/ingest_server.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::ingest {
namespace {

using ::headcount::testing::Context;
using ::headcount::testing::GrpcOk;
using ::headcount::testing::School;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class IngestLimitsTest : public ::testing::Test {
 protected:
  void Start(const BatchLimits& limits,
             const ResourceLimits& connection_limits = ResourceLimits()) {
    IngestServer::Options options =
        ::headcount::testing::LoopbackIngestOptions(dir_.Sub("ingest"));
    options.batch_limits = limits;
    options.limits = connection_limits;
    auto server = IngestServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::IngestService::NewStub(grpc::CreateChannel(
        server_->address(), grpc::InsecureChannelCredentials()));
  }

  static std::vector<v1::SubmitRequest> Rows(int count,
                                             const std::string& prefix) {
    std::vector<v1::SubmitRequest> rows;
    for (int i = 0; i < count; ++i) {
      rows.push_back(School("城北", absl::StrCat(prefix, i), {{10, 10}}));
    }
    return rows;
  }

  grpc::Status SubmitBatch(const std::vector<v1::SubmitRequest>& rows) {
    auto context = Context();
    v1::ImportSummary summary;
    auto writer = stub_->SubmitBatch(context.get(), &summary);
    for (const auto& row : rows) {
      if (!writer->Write(row)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }

  int64_t Revision() { return server_->store()->revision(); }

  headcount::testing::TempDir dir_;
  std::unique_ptr<IngestServer> server_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

TEST_F(IngestLimitsTest, ABatchOverItsRowsOrBytesIsRefusedWhole) {
  BatchLimits limits;
  limits.max_rows = 10;
  limits.max_bytes = 2000;
  Start(limits);
  grpc::Status rows = SubmitBatch(Rows(11, "s"));
  EXPECT_EQ(rows.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(rows.error_message(), HasSubstr("at most 10 rows (--max_batch_rows)"));
  std::vector<v1::SubmitRequest> long_names;
  for (int i = 0; i < 5; ++i) {
    long_names.push_back(School("城北", std::string(500, 'a' + i), {{1, 1}}));
  }
  grpc::Status bytes = SubmitBatch(long_names);
  EXPECT_EQ(bytes.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(bytes.error_message(),
              HasSubstr("at most 2000 bytes (--max_batch_mib)"));
  EXPECT_EQ(Revision(), 0);  // nothing stored
  EXPECT_THAT(SubmitBatch(Rows(10, "s")), GrpcOk());  // others go on
  EXPECT_EQ(Revision(), 1);
}

TEST_F(IngestLimitsTest, ConcurrentBatchesShareOneMemoryBudget) {
  BatchLimits limits;
  limits.memory_bytes = 64 * 1024;
  Start(limits);
  // A is in progress (the oldest batch) and stays open.
  auto context_a = Context();
  v1::ImportSummary summary_a;
  auto batch_a = stub_->SubmitBatch(context_a.get(), &summary_a);
  std::vector<v1::SubmitRequest> rows_a = Rows(100, "a");
  for (const auto& row : rows_a) ASSERT_TRUE(batch_a->Write(row));
  absl::SleepFor(absl::Seconds(1));  // A's call has reached the server
  // B alone needs more than the whole budget: refused while A is older.
  grpc::Status b = SubmitBatch(Rows(250, "b"));
  EXPECT_EQ(b.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(b.error_message(), HasSubstr("(--batch_memory_mib)"));
  // A goes on and commits.
  batch_a->WritesDone();
  EXPECT_THAT(batch_a->Finish(), GrpcOk());
  EXPECT_EQ(summary_a.created(), 100);
  // Alone, B is the oldest batch in progress: never refused by the budget.
  EXPECT_THAT(SubmitBatch(Rows(250, "b")), GrpcOk());
  EXPECT_EQ(Revision(), 2);
}

TEST_F(IngestLimitsTest, IdleConnectionsAreClosed) {
  ResourceLimits limits;
  limits.max_connection_idle = absl::Milliseconds(300);
  Start(BatchLimits(), limits);
  auto channel = grpc::CreateChannel(server_->address(),
                                     grpc::InsecureChannelCredentials());
  auto stub = v1::IngestService::NewStub(channel);
  v1::SubmitResponse response;
  ASSERT_THAT(stub->Submit(Context().get(), School("城北", "a", {{1, 1}}), &response),
              GrpcOk());
  EXPECT_EQ(channel->GetState(false), GRPC_CHANNEL_READY);
  // The server's GOAWAY takes the client's channel back to IDLE.
  EXPECT_TRUE(headcount::testing::WaitFor(
      [&] { return channel->GetState(false) == GRPC_CHANNEL_IDLE; },
      absl::Seconds(5)));
}

TEST_F(IngestLimitsTest, ClientsPingingTooOftenAreDisconnected) {
  ResourceLimits limits;
  limits.min_ping_interval = absl::Seconds(5);
  Start(BatchLimits(), limits);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 100);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  auto channel = grpc::CreateCustomChannel(
      server_->address(), grpc::InsecureChannelCredentials(), args);
  ASSERT_TRUE(channel->WaitForConnected(
      absl::ToChronoTime(absl::Now() + absl::Seconds(5))));
  // Two strikes, then GOAWAY too_many_pings: the channel leaves READY.
  EXPECT_TRUE(headcount::testing::WaitFor(
      [&] { return channel->GetState(false) != GRPC_CHANNEL_READY; },
      absl::Seconds(5)));
}

TEST_F(IngestLimitsTest, StreamsBeyondTheLimitWaitForOneToEnd) {
  ResourceLimits limits;
  limits.max_concurrent_streams = 2;
  Start(BatchLimits(), limits);
  v1::SubmitResponse submitted;
  ASSERT_THAT(stub_->Submit(Context().get(), School("城北", "a", {{1, 1}}), &submitted),
              GrpcOk());
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::WatchResponse>>> readers;
  v1::WatchResponse response;
  for (int i = 0; i < 2; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    readers.push_back(stub_->Watch(contexts.back().get(), v1::WatchRequest()));
    ASSERT_TRUE(readers.back()->Read(&response));
  }
  // The sync API blocks in Watch() itself until the stream may start.
  grpc::ClientContext third_context;
  std::atomic<bool> third_read{false};
  std::thread third([&] {
    auto reader = stub_->Watch(&third_context, v1::WatchRequest());
    v1::WatchResponse first;
    third_read = reader->Read(&first);
    third_context.TryCancel();
    reader->Finish();
  });
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_FALSE(third_read.load());  // queued behind the two open streams
  contexts[0]->TryCancel();
  readers[0]->Finish();
  EXPECT_TRUE(headcount::testing::WaitFor([&] { return third_read.load(); },
                                          absl::Seconds(5)));
  third.join();
  contexts[1]->TryCancel();
  readers[1]->Finish();
}

}  // namespace
}  // namespace headcount::ingest
