// Damaged files: the services refuse to serve (DATA_LOSS at open, health
// NOT_SERVING and a clear log line) rather than serve what survived.
#include <signal.h>

#include <filesystem>
#include <future>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/storage/durable_db.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "ingest_service/rocksdb_submission_store.h"
#include "tests/fault/service_process.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::testing {
namespace {

using ingest::CommitResult;
using ingest::RocksDbSubmissionStore;

// Fills a store in `dir` with `count` submissions, one WAL record each.
void Fill(const std::string& dir, int count) {
  RocksDbSubmissionStore::Options options;
  options.data_dir = dir;
  auto store = RocksDbSubmissionStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  for (int i = 0; i < count; ++i) {
    ASSERT_TRUE(CommitNow(**store, {School("城北", absl::StrCat("s", i), {{i, i + 1}})}).ok());
  }
}

// Writes the memtable into a table file.
void Flush(const std::string& dir) {
  auto db = OpenDurableDb(dir, nullptr);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Flush(rocksdb::FlushOptions()).ok());
}

std::string FileEndingWith(const std::string& dir, const std::string& suffix) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string path = entry.path().string();
    if (absl::EndsWith(path, suffix) && entry.file_size() > 0) return path;
  }
  return "";
}

void FlipBytes(const std::string& path, double where) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(0, std::ios::end);
  const std::streamoff size = file.tellg();
  const std::streamoff offset = static_cast<std::streamoff>(size * where);
  std::string bytes(16, '\0');
  file.seekg(offset);
  file.read(bytes.data(), bytes.size());
  for (char& c : bytes) c = static_cast<char>(c ^ 0x5a);
  file.seekp(offset);
  file.write(bytes.data(), bytes.size());
}

absl::Status OpenStatus(const std::string& dir) {
  RocksDbSubmissionStore::Options options;
  options.data_dir = dir;
  return RocksDbSubmissionStore::Open(options).status();
}

absl::StatusCode OpenCode(const std::string& dir) {
  return OpenStatus(dir).code();
}

TEST(CorruptionTest, FlippedBytesInTheMiddleOfTheWalRefuseToOpen) {
  TempDir dir;
  Fill(dir.Sub("db"), 200);
  const std::string wal = FileEndingWith(dir.Sub("db"), ".log");
  ASSERT_FALSE(wal.empty());
  FlipBytes(wal, 0.3);
  EXPECT_EQ(OpenCode(dir.Sub("db")), absl::StatusCode::kDataLoss);
}

TEST(CorruptionTest, FlippedBytesInATableFileRefuseToOpen) {
  TempDir dir;
  Fill(dir.Sub("db"), 200);
  Flush(dir.Sub("db"));
  const std::string table = FileEndingWith(dir.Sub("db"), ".sst");
  ASSERT_FALSE(table.empty());
  FlipBytes(table, 0.3);
  EXPECT_EQ(OpenCode(dir.Sub("db")), absl::StatusCode::kDataLoss);
}

TEST(CorruptionTest, TruncatedTableFileRefusesToOpen) {
  // Half a table file has no footer: RocksDB's own open refuses it, and the
  // store must say DATA_LOSS (not, say, UNAVAILABLE, which a client would
  // retry) and name the damage.
  TempDir dir;
  Fill(dir.Sub("db"), 200);
  Flush(dir.Sub("db"));
  const std::string table = FileEndingWith(dir.Sub("db"), ".sst");
  ASSERT_FALSE(table.empty());
  std::filesystem::resize_file(table, std::filesystem::file_size(table) / 2);
  const absl::Status status = OpenStatus(dir.Sub("db"));
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("Corruption"));
}

TEST(CorruptionTest, ZeroedDataBlockInATableFileRefusesToOpen) {
  // A hole of zeros where data blocks were (a table file partly lost, its
  // length kept): RocksDB opens it without complaint, since opening reads
  // only the footer, index and filter blocks; only the checksum pass of
  // OpenDurableDb finds it before anything is served.
  TempDir dir;
  Fill(dir.Sub("db"), 2000);
  Flush(dir.Sub("db"));
  const std::string table = FileEndingWith(dir.Sub("db"), ".sst");
  ASSERT_FALSE(table.empty());
  {
    std::fstream file(table, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(64);  // the first data block starts the file
    const std::string zeros(512, '\0');
    file.write(zeros.data(), zeros.size());
  }
  EXPECT_EQ(OpenCode(dir.Sub("db")), absl::StatusCode::kDataLoss);
}

TEST(CorruptionTest, TheBinaryStaysNotServingAndSaysWhy) {
  TempDir dir;
  Fill(dir.Sub("db"), 200);
  FlipBytes(FileEndingWith(dir.Sub("db"), ".log"), 0.3);
  auto ingest = ServiceProcess::Start(
      "headcount-ingest", {"--listen=127.0.0.1:0", "--data_dir=" + dir.Sub("db")},
      dir.Sub("ingest"));
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  ASSERT_TRUE(WaitFor([&] {
    return absl::StrContains((*ingest)->Stderr(), "NOT SERVING");
  })) << (*ingest)->Stderr();
  EXPECT_THAT((*ingest)->Stderr(), ::testing::HasSubstr("DATA_LOSS"));
  auto health = grpc::health::v1::Health::NewStub(FastReconnectChannel((*ingest)->address()));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  grpc::Status checked;
  ASSERT_TRUE(WaitFor([&] {
    checked = health->Check(Context().get(), request, &response);
    return checked.ok();
  })) << checked.error_message() << "\n" << (*ingest)->Stderr();
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  // And it answers calls with UNAVAILABLE, never with what survived.
  auto stub = v1::IngestService::NewStub(FastReconnectChannel((*ingest)->address()));
  v1::ListSchoolsResponse list;
  EXPECT_EQ(stub->ListSchools(Context().get(), {}, &list).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  stub.reset();
  health.reset();
  (*ingest)->Stop(SIGTERM);
}

}  // namespace
}  // namespace headcount::testing
