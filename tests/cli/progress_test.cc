// The submit progress bar on a simulated clock: rate, time left, redraw
// at most every 100 ms, silent when not drawing to a terminal.
#include "cli/progress.h"

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/test_util.h"

namespace headcount::cli {
namespace {

using ::headcount::testing::SimulatedClock;
using ::testing::HasSubstr;

// What was written to `file` so far.
std::string Written(std::FILE* file) {
  std::fflush(file);
  std::rewind(file);
  std::string out;
  char buffer[256];
  while (size_t n = std::fread(buffer, 1, sizeof buffer, file))
    out.append(buffer, n);
  return out;
}

TEST(ProgressTest, RateAndTimeLeftFollowTheClock) {
  SimulatedClock clock;
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    Progress progress(1000, "rows", out, /*draw=*/true, &clock);
    clock.Advance(absl::Seconds(2));
    progress.Advance(250);
    EXPECT_EQ(
        progress.Line(),
        "[#######                       ] 250/1000 rows  125 rows/s  ETA 6s");
    // Drawn once; another update within 100 ms is not drawn.
    clock.Advance(absl::Milliseconds(50));
    progress.Advance(1);
    EXPECT_EQ(Written(out),
              "\r[#######                       ] 250/1000 rows  "
              "125 rows/s  ETA 6s\033[K");
    clock.Advance(absl::Milliseconds(50));
    progress.Advance(749);  // the last rows are always drawn
    EXPECT_THAT(Written(out), HasSubstr("1000/1000 rows"));
  }
  EXPECT_THAT(Written(out),
              ::testing::EndsWith("\r\033[K"));  // erased at the end
  std::fclose(out);
}

TEST(ProgressTest, SilentWhenNotATerminal) {
  SimulatedClock clock;
  std::FILE* out = std::tmpfile();
  ASSERT_NE(out, nullptr);
  {
    Progress progress(10, "rows", out, /*draw=*/false, &clock);
    clock.Advance(absl::Seconds(1));
    progress.Advance(10);
    EXPECT_THAT(progress.Line(), HasSubstr("10/10 rows  10 rows/s  ETA 0s"));
  }
  EXPECT_EQ(Written(out), "");
  std::fclose(out);
}

}  // namespace
}  // namespace headcount::cli
