// Where the code reads the time, so that tests can set it (Envoy's
// TimeSource): stream stall and progress checks, commit times, alert times,
// the client's progress bar.
#ifndef HEADCOUNT_COMMON_DOMAIN_CLOCK_H_
#define HEADCOUNT_COMMON_DOMAIN_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace headcount {

// Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system clock (absl::Now()); lives for the whole process.
inline Clock* RealClock() {
  class Real final : public Clock {
   public:
    absl::Time Now() const override { return absl::Now(); }
  };
  static Real* const clock = new Real;
  return clock;
}

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_CLOCK_H_
