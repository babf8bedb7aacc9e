#include "cli/progress.h"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace headcount::cli {

Progress::Progress(int total, const char* unit, std::FILE* out, bool draw,
                   const Clock* clock)
    : total_(total),
      unit_(unit),
      out_(out),
      draw_(draw),
      clock_(clock),
      start_(clock->Now()) {}

Progress::~Progress() { Clear(); }

void Progress::Clear() {
  if (!drawn_) return;
  std::fprintf(out_, "\r\033[K");
  std::fflush(out_);
  drawn_ = false;
}

void Progress::Advance(int done) {
  done_ += done;
  if (!draw_) return;
  const absl::Time now = clock_->Now();
  if (now - last_draw_ < absl::Milliseconds(100) && done_ < total_) return;
  last_draw_ = now;
  drawn_ = true;
  std::fprintf(out_, "\r%s\033[K", Line().c_str());
}

std::string Progress::Line() const {
  const double seconds =
      std::max(1e-3, absl::ToDoubleSeconds(clock_->Now() - start_));
  const double rate = done_ / seconds;
  const int width = 30;
  const int filled =
      total_ > 0 ? width * std::min(done_, total_) / total_ : width;
  return absl::StrFormat("[%s%s] %d/%d %s  %.0f rows/s  ETA %.0fs",
                         std::string(filled, '#'),
                         std::string(width - filled, ' '), done_, total_, unit_,
                         rate, rate > 0 ? (total_ - done_) / rate : 0.0);
}

}  // namespace headcount::cli
