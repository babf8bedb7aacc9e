// The progress bar of a long submit: rows/s and the time left, redrawn at
// most every 100 ms on a terminal; silent otherwise.
#ifndef HEADCOUNT_CLI_PROGRESS_H_
#define HEADCOUNT_CLI_PROGRESS_H_

#include <cstdio>
#include <string>

#include "absl/time/time.h"
#include "common/domain/clock.h"

namespace headcount::cli {

class Progress {
 public:
  // Draws on `out` when `draw` (a terminal); `clock` is not owned.
  Progress(int total, const char* unit, std::FILE* out, bool draw,
           const Clock* clock);
  // Erases the bar if one was drawn.
  ~Progress();

  void Advance(int done);

  // Erases the bar (if drawn) so that the next line starts clean; the next
  // Advance draws it again. Call before writing anything else to the
  // terminal.
  void Clear();

  // The bar as drawn now, without the carriage return and erase codes.
  std::string Line() const;

 private:
  const int total_;
  const char* const unit_;
  std::FILE* const out_;
  const bool draw_;
  const Clock* const clock_;
  const absl::Time start_;
  int done_ = 0;
  bool drawn_ = false;
  absl::Time last_draw_ = absl::InfinitePast();
};

}  // namespace headcount::cli

#endif  // HEADCOUNT_CLI_PROGRESS_H_
