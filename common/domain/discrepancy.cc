#include "common/domain/discrepancy.h"

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/domain/status_util.h"

namespace headcount {

std::string FormatRatio(const Counts& counts) {
  if (counts.registry_count == 0) return "-";
  const int64_t difference = counts.difference();
  const int64_t magnitude = difference < 0 ? -difference : difference;
  const int64_t registry = counts.registry_count;
  // round(|d| * 1000 / r) half up, in integers: floor((2000|d| + r) / 2r).
  const int64_t thousandths = (2000 * magnitude + registry) / (2 * registry);
  const bool negative = difference < 0 && thousandths > 0;
  return absl::StrFormat("%s%d.%03d", negative ? "-" : "", thousandths / 1000,
                         thousandths % 1000);
}

int64_t RatioPpm(const Counts& counts) {
  if (counts.registry_count == 0) return 0;
  return counts.difference() * 1'000'000 / counts.registry_count;
}

absl::StatusOr<int64_t> ParseFractionPpm(absl::string_view text) {
  auto error = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text,
                     "\" is not a fraction in 0..1 with at most 6 decimals, "
                     "like 0.02"));
  };
  text = absl::StripAsciiWhitespace(text);
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  if (parts.empty() || parts.size() > 2 || parts[0].empty()) return error();
  int64_t whole = 0;
  if (!absl::SimpleAtoi(parts[0], &whole) || whole < 0 || whole > 1) {
    return error();
  }
  for (char c : parts[0]) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return error();
  }
  int64_t fraction = 0;
  if (parts.size() == 2) {
    absl::string_view decimals = parts[1];
    if (decimals.empty() || decimals.size() > 6) return error();
    for (char c : decimals) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return error();
    }
    std::string padded(decimals);
    padded.resize(6, '0');
    if (!absl::SimpleAtoi(padded, &fraction)) return error();
  }
  const int64_t ppm = whole * 1'000'000 + fraction;
  if (ppm > 1'000'000) return error();
  return ppm;
}

v1::Rule ThresholdPolicy::Evaluate(const Counts& counts) const {
  const int64_t difference = counts.difference();
  const int64_t magnitude = difference < 0 ? -difference : difference;
  if (magnitude == 0 || magnitude < min_abs_difference) {
    return v1::RULE_UNSPECIFIED;
  }
  const int64_t registry = counts.registry_count;
  if (difference > 0 && registry > 0 &&
      difference * 1'000'000 > over_ppm * registry) {
    return v1::OVER_REGISTRATION;
  }
  if (difference < 0 && under_ppm.has_value() &&
      (registry == 0 || magnitude * 1'000'000 > *under_ppm * registry)) {
    return v1::UNDER_REGISTRATION;
  }
  return v1::RULE_UNSPECIFIED;
}

bool ThresholdPolicy::SourcesDisagree(int64_t self_check_onsite,
                                      int64_t inspection_onsite) const {
  const int64_t difference = self_check_onsite - inspection_onsite;
  const int64_t magnitude = difference < 0 ? -difference : difference;
  return magnitude > 0 &&
         magnitude * 1'000'000 > source_mismatch_ppm * self_check_onsite;
}

std::string LevelName(v1::Level level) {
  return absl::AsciiStrToLower(v1::Level_Name(level));
}

absl::StatusOr<v1::Level> ParseLevel(absl::string_view text) {
  v1::Level level = v1::LEVEL_UNSPECIFIED;
  const std::string upper =
      absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
  if (!v1::Level_Parse(upper, &level) || level == v1::LEVEL_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown level \"", text, "\"; use grade, school, district, county"));
  }
  return level;
}

absl::StatusOr<std::set<v1::Level>> ParseLevels(absl::string_view text) {
  std::set<v1::Level> levels;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    ASSIGN_OR_RETURN(v1::Level level, ParseLevel(part));
    levels.insert(level);
  }
  if (levels.empty()) {
    return absl::InvalidArgumentError("name at least one level");
  }
  return levels;
}

}  // namespace headcount
