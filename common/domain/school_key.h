// Key encoding for school records: term, county, district, school joined by
// NUL, so that a prefix of whole components selects a term, a county or a
// district in key order. Validation guarantees no component contains NUL.
#ifndef HEADCOUNT_COMMON_DOMAIN_SCHOOL_KEY_H_
#define HEADCOUNT_COMMON_DOMAIN_SCHOOL_KEY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace headcount {

struct SchoolKey {
  std::string term;
  std::string county;
  std::string district;
  std::string school;

  bool operator==(const SchoolKey& other) const {
    return term == other.term && county == other.county &&
           district == other.district && school == other.school;
  }
  bool operator<(const SchoolKey& other) const;
};

std::string EncodeSchoolKey(const SchoolKey& key);

// DATA_LOSS when `encoded` does not hold exactly four components.
absl::StatusOr<SchoolKey> DecodeSchoolKey(absl::string_view encoded);

// The prefix selecting every school under the given filter. Components after
// the first empty one are ignored: ("2015-autumn", "", "x") selects the term.
std::string SchoolKeyPrefix(absl::string_view term, absl::string_view county,
                            absl::string_view district);

// A counter in a key or value (an ingest revision, an alert id):
// fixed-width big-endian, so that byte order equals numeric order for
// values >= 0.
std::string EncodeCounter(int64_t value);
// -1 when `encoded` is not 8 bytes.
int64_t DecodeCounter(absl::string_view encoded);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_SCHOOL_KEY_H_
