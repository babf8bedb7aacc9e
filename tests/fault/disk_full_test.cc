// Both services on a small tmpfs that fills up: writes refused under the
// --disk_floor_mib floor with RESOURCE_EXHAUSTED and health NOT_SERVING,
// nothing acknowledged lost, and everything back by itself when space
// returns, without a restart; a start on a full disk waits NOT_SERVING
// instead of aborting. Mounting a tmpfs needs root: .ci/run runs as root;
// elsewhere these tests skip, saying so.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/storage/disk_floor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "headcount/v1/audit.grpc.pb.h"
#include "tests/fault/service_process.h"
#include "tests/ingest_service/ingest_test_util.h"
#include "tests/test_util.h"

namespace headcount::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kFloorFlag[] = "--disk_floor_mib=16";

class DiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    disk_ = dir_.Sub("tmpfs");
    std::filesystem::create_directories(disk_);
    if (mount("tmpfs", disk_.c_str(), "tmpfs", 0, "size=64m") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs (" << std::strerror(errno)
                   << "): the disk-full tests need root; .ci/run runs them";
    }
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) umount2(disk_.c_str(), MNT_DETACH);
  }

  // Fills the tmpfs until `left` bytes are free.
  void FillLeaving(uint64_t left) {
    absl::StatusOr<uint64_t> free = FileSystemFreeBytes(disk_);
    ASSERT_TRUE(free.ok()) << free.status();
    ASSERT_GT(*free, left);
    const int fd = open((disk_ + "/filler").c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(posix_fallocate(fd, 0, static_cast<off_t>(*free - left)), 0);
    close(fd);
  }
  void FreeSpace() { std::filesystem::remove(disk_ + "/filler"); }

  TempDir dir_;
  std::string disk_;
  bool mounted_ = false;
};

grpc::Status SubmitTo(v1::IngestService::Stub& stub, const std::string& school) {
  v1::SubmitResponse response;
  return stub.Submit(Context().get(), School("城北", school, {{10, 11}}), &response);
}

TEST_F(DiskFullTest, IngestRefusesUnderTheFloorAndResumesWithoutRestart) {
  auto ingest = ServiceProcess::Start(
      "headcount-ingest",
      {"--listen=127.0.0.1:0", "--data_dir=" + disk_ + "/ingest", kFloorFlag},
      dir_.Sub("ingest"));
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  ASSERT_TRUE((*ingest)->WaitServing());
  auto stub = v1::IngestService::NewStub(FastReconnectChannel((*ingest)->address()));
  std::vector<std::string> acknowledged;
  for (int i = 0; i < 20; ++i) {
    const std::string school = absl::StrCat("before", i);
    ASSERT_TRUE(SubmitTo(*stub, school).ok());
    acknowledged.push_back(school);
  }
  FillLeaving(8 << 20);
  const grpc::Status refused = SubmitTo(*stub, "refused");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(refused.error_message(), HasSubstr("disk full: "));
  EXPECT_THAT(refused.error_message(), HasSubstr("MiB free under the 16 MiB floor"));
  EXPECT_TRUE((*ingest)->WaitHealth(false, absl::Seconds(5)));
  EXPECT_THAT((*ingest)->Stderr(), HasSubstr("NOT SERVING: disk full"));

  FreeSpace();
  EXPECT_TRUE((*ingest)->WaitServing(absl::Seconds(5)));
  for (int i = 0; i < 20; ++i) {
    const std::string school = absl::StrCat("after", i);
    ASSERT_TRUE(SubmitTo(*stub, school).ok());
    acknowledged.push_back(school);
  }
  for (const std::string& school : acknowledged) {
    v1::GetSchoolRequest request;
    request.set_term("2015-autumn");
    request.set_county("利辛县");
    request.set_district("城北");
    request.set_school(school);
    v1::SchoolRecord record;
    EXPECT_TRUE(stub->GetSchool(Context().get(), request, &record).ok()) << school;
  }
  v1::GetSchoolRequest never;
  never.set_term("2015-autumn");
  never.set_county("利辛县");
  never.set_district("城北");
  never.set_school("refused");
  v1::SchoolRecord record;
  EXPECT_EQ(stub->GetSchool(Context().get(), never, &record).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(DiskFullTest, IngestStartedOnAFullDiskWaitsNotServingThenOpens) {
  FillLeaving(4 << 20);
  auto ingest = ServiceProcess::Start(
      "headcount-ingest",
      {"--listen=127.0.0.1:0", "--data_dir=" + disk_ + "/ingest", kFloorFlag},
      dir_.Sub("ingest"));
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  EXPECT_TRUE((*ingest)->WaitHealth(false, absl::Seconds(5)));
  EXPECT_THAT((*ingest)->Stderr(), HasSubstr("disk full: "));
  auto stub = v1::IngestService::NewStub(FastReconnectChannel((*ingest)->address()));
  EXPECT_EQ(SubmitTo(*stub, "early").error_code(), grpc::StatusCode::UNAVAILABLE);

  FreeSpace();
  EXPECT_TRUE((*ingest)->WaitServing(absl::Seconds(10))) << (*ingest)->Stderr();
  EXPECT_TRUE(SubmitTo(*stub, "later").ok());
}

TEST_F(DiskFullTest, AuditStopsApplyingUnderTheFloorAndCatchesUpAlone) {
  auto ingest = ServiceProcess::Start(
      "headcount-ingest",
      {"--listen=127.0.0.1:0", "--data_dir=" + dir_.Sub("ingest-data")},
      dir_.Sub("ingest"));
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  ASSERT_TRUE((*ingest)->WaitServing());
  auto audit = ServiceProcess::Start(
      "headcount-audit",
      {"--listen=127.0.0.1:0", "--data_dir=" + disk_ + "/audit",
       "--ingest=" + (*ingest)->address(), kFloorFlag},
      dir_.Sub("audit"));
  ASSERT_TRUE(audit.ok()) << audit.status();
  auto stub = v1::IngestService::NewStub(FastReconnectChannel((*ingest)->address()));
  auto audit_stub = v1::AuditService::NewStub(FastReconnectChannel((*audit)->address()));
  auto audit_revision = [&]() -> int64_t {
    v1::ListGradeDiscrepanciesRequest request;
    request.set_term("2015-autumn");
    request.set_county("利辛县");
    v1::ListGradeDiscrepanciesResponse response;
    if (!audit_stub->ListGradeDiscrepancies(Context().get(), request, &response).ok()) {
      return -1;
    }
    return response.revision();
  };
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(SubmitTo(*stub, absl::StrCat("a", i)).ok());
  ASSERT_TRUE(WaitFor([&] { return audit_revision() == 10; }));

  FillLeaving(8 << 20);
  for (int i = 10; i < 30; ++i) ASSERT_TRUE(SubmitTo(*stub, absl::StrCat("a", i)).ok());
  EXPECT_TRUE((*audit)->WaitHealth(false, absl::Seconds(5)));
  absl::SleepFor(absl::Seconds(1));
  EXPECT_EQ(audit_revision(), 10);  // nothing applied under the floor
  EXPECT_THAT((*audit)->Stderr(), HasSubstr("disk full: "));

  FreeSpace();
  EXPECT_TRUE(WaitFor([&] { return audit_revision() == 30; }, absl::Seconds(20)))
      << (*audit)->Stderr();
  EXPECT_TRUE((*audit)->WaitServing(absl::Seconds(5)));
}

}  // namespace
}  // namespace headcount::testing
