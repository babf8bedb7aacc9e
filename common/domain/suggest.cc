#include "common/domain/suggest.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "unicode/translit.h"
#include "unicode/unistr.h"
#include "unicode/utf8.h"

namespace headcount {
namespace {

std::vector<UChar32> CodePoints(absl::string_view text) {
  std::vector<UChar32> out;
  int32_t i = 0;
  const int32_t length = static_cast<int32_t>(text.size());
  while (i < length) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(text.data()), i, length, c);
    out.push_back(c);  // negative for a bad byte: still one position
  }
  return out;
}

}  // namespace

std::string Pinyin(absl::string_view text) {
  static icu::Transliterator* const kToPinyin = [] {
    UErrorCode status = U_ZERO_ERROR;
    icu::Transliterator* t = icu::Transliterator::createInstance(
        "Han-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status);
    return U_SUCCESS(status) ? t : nullptr;
  }();
  if (kToPinyin == nullptr) return std::string(text);
  icu::UnicodeString unicode = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  kToPinyin->transliterate(unicode);
  std::string out;
  unicode.toUTF8String(out);
  out.erase(std::remove_if(out.begin(), out.end(),
                           [](char c) { return c == ' ' || c == '\''; }),
            out.end());
  return out;
}

int EditDistance(absl::string_view a, absl::string_view b) {
  const std::vector<UChar32> x = CodePoints(a);
  const std::vector<UChar32> y = CodePoints(b);
  std::vector<int> row(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= x.size(); ++i) {
    int diagonal = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= y.size(); ++j) {
      const int above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1,
                         diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[y.size()];
}

std::string DidYouMean(absl::string_view wanted,
                       const std::vector<std::string>& names) {
  const int limit =
      std::max(1, static_cast<int>(CodePoints(wanted).size()) / 2);
  // In pinyin, a quarter of the letters may differ (jiwang -> 纪王场 is
  // too far; jiwangchan is not).
  const std::string wanted_pinyin = Pinyin(wanted);
  const int pinyin_limit =
      std::max(1, static_cast<int>(wanted_pinyin.size()) / 4);
  std::vector<std::pair<int, std::string>> close;
  for (const std::string& name : names) {
    if (name == wanted) continue;
    const int distance = EditDistance(wanted, name);
    const int pinyin_distance = EditDistance(wanted_pinyin, Pinyin(name));
    if (distance <= limit || pinyin_distance <= pinyin_limit ||
        absl::StrContains(name, wanted) ||
        (!name.empty() && absl::StrContains(wanted, name))) {
      // Ranked by the closer of the two, in characters or syllables' letters.
      close.emplace_back(std::min(distance, pinyin_distance), name);
    }
  }
  if (close.empty()) return "";
  // Ties keep the order given (the reports' pinyin order).
  std::stable_sort(close.begin(), close.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (close.size() > 3) close.resize(3);
  std::string list = close[0].second;
  for (size_t i = 1; i < close.size(); ++i) {
    absl::StrAppend(&list, i + 1 == close.size() ? " or " : ", ",
                    close[i].second);
  }
  return absl::StrCat("; did you mean ", list, "?");
}

}  // namespace headcount
