// What one client may hold of the ingest: batch rows, batch bytes, the
// memory of all batches in progress, and combined Watch messages. Each
// limit answers RESOURCE_EXHAUSTED naming its flag, stores nothing, and
// leaves the server serving others.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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
  void Start(const BatchLimits& limits) {
    IngestServer::Options options =
        ::headcount::testing::LoopbackIngestOptions(dir_.Sub("ingest"));
    options.batch_limits = limits;
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
  // A holds most of the budget and stays open.
  auto context_a = Context();
  v1::ImportSummary summary_a;
  auto batch_a = stub_->SubmitBatch(context_a.get(), &summary_a);
  std::vector<v1::SubmitRequest> rows_a = Rows(100, "a");
  for (const auto& row : rows_a) ASSERT_TRUE(batch_a->Write(row));
  // B would pass the budget: refused, naming it.
  grpc::Status b = SubmitBatch(Rows(120, "b"));
  EXPECT_EQ(b.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(b.error_message(), HasSubstr("(--batch_memory_mib)"));
  // A goes on and commits.
  batch_a->WritesDone();
  EXPECT_THAT(batch_a->Finish(), GrpcOk());
  EXPECT_EQ(summary_a.created(), 100);
  // What A held is back: B fits now.
  EXPECT_THAT(SubmitBatch(Rows(120, "b")), GrpcOk());
  EXPECT_EQ(Revision(), 2);
}

}  // namespace
}  // namespace headcount::ingest
