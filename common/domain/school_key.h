// Key encoding for school records: term, county, district, school joined by
// NUL, so that a prefix of whole components selects a term, a county or a
// district in key order. Validation guarantees no component contains NUL.
// A self-check record's key has a fifth component, so it sorts right after
// the same school's inspection record.
#ifndef HEADCOUNT_COMMON_DOMAIN_SCHOOL_KEY_H_
#define HEADCOUNT_COMMON_DOMAIN_SCHOOL_KEY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount {

struct SchoolKey {
  std::string term;
  std::string county;
  std::string district;
  std::string school;
  // The district's self-check record rather than the inspection's.
  bool self_check = false;

  bool operator==(const SchoolKey& other) const {
    return term == other.term && county == other.county &&
           district == other.district && school == other.school &&
           self_check == other.self_check;
  }
  bool operator<(const SchoolKey& other) const;
};

// The key of the record a message names: a SchoolRecord, SubmitRequest,
// RetractRequest or GetSchoolRequest (term, county, district, school and
// source).
template <typename Message>
SchoolKey SchoolKeyOf(const Message& m) {
  return {m.term(), m.county(), m.district(), m.school(),
          m.source() == v1::SELF_CHECK};
}

std::string EncodeSchoolKey(const SchoolKey& key);

// DATA_LOSS when `encoded` does not hold four components (or five, the
// last the self-check's mark).
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
