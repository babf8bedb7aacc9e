// Which alert events an AlertFilter selects; shared by the audit service's
// streams and the client.
#ifndef HEADCOUNT_COMMON_DOMAIN_ALERT_FILTER_H_
#define HEADCOUNT_COMMON_DOMAIN_ALERT_FILTER_H_

#include "headcount/v1/audit.pb.h"

namespace headcount {

// True when `event` passes `filter`: every non-empty field must equal.
inline bool Matches(const v1::AlertFilter& filter,
                    const v1::AlertEvent& event) {
  return (filter.term().empty() || filter.term() == event.term()) &&
         (filter.county().empty() || filter.county() == event.county()) &&
         (filter.district().empty() || filter.district() == event.district()) &&
         (filter.level() == v1::LEVEL_UNSPECIFIED ||
          filter.level() == event.level()) &&
         (filter.province().empty() || filter.province() == event.province()) &&
         (filter.city().empty() || filter.city() == event.city());
}

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_ALERT_FILTER_H_
