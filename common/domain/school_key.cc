#include "common/domain/school_key.h"

#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace headcount {
namespace {
constexpr char kSeparator = '\0';
constexpr absl::string_view kSelfCheckMark = "self-check";
}  // namespace

bool SchoolKey::operator<(const SchoolKey& other) const {
  return std::tie(term, county, district, school, self_check) <
         std::tie(other.term, other.county, other.district, other.school,
                  other.self_check);
}

std::string EncodeSchoolKey(const SchoolKey& key) {
  std::string out;
  out.reserve(key.term.size() + key.county.size() + key.district.size() +
              key.school.size() + 3);
  absl::StrAppend(&out, key.term, absl::string_view(&kSeparator, 1), key.county,
                  absl::string_view(&kSeparator, 1), key.district,
                  absl::string_view(&kSeparator, 1), key.school);
  if (key.self_check) {
    absl::StrAppend(&out, absl::string_view(&kSeparator, 1), kSelfCheckMark);
  }
  return out;
}

absl::StatusOr<SchoolKey> DecodeSchoolKey(absl::string_view encoded) {
  std::vector<std::string> parts =
      absl::StrSplit(encoded, absl::ByChar(kSeparator));
  const bool self_check = parts.size() == 5 && parts[4] == kSelfCheckMark;
  if (parts.size() != 4 && !self_check) {
    return absl::DataLossError(
        absl::StrCat("malformed school key with ", parts.size(), " parts"));
  }
  return SchoolKey{std::move(parts[0]), std::move(parts[1]),
                   std::move(parts[2]), std::move(parts[3]), self_check};
}

std::string SchoolKeyPrefix(absl::string_view term, absl::string_view county,
                            absl::string_view district) {
  std::string out;
  for (absl::string_view part : {term, county, district}) {
    if (part.empty()) break;
    absl::StrAppend(&out, part, absl::string_view(&kSeparator, 1));
  }
  return out;
}

std::string EncodeCounter(int64_t value) {
  std::string out(8, '\0');
  uint64_t bits = static_cast<uint64_t>(value);
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(bits & 0xff);
    bits >>= 8;
  }
  return out;
}

int64_t DecodeCounter(absl::string_view encoded) {
  if (encoded.size() != 8) return -1;
  uint64_t value = 0;
  for (unsigned char byte : encoded) value = (value << 8) | byte;
  return static_cast<int64_t>(value);
}

}  // namespace headcount
