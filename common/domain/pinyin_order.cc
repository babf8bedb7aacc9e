#include "common/domain/pinyin_order.h"

#include "absl/strings/str_cat.h"
#include "unicode/coll.h"
#include "unicode/locid.h"
#include "unicode/stringpiece.h"
#include "unicode/tblcoll.h"
#include "unicode/unistr.h"

namespace headcount {

namespace {

// Readings of place names that ICU's pinyin collation files under another
// reading of the character. 阚 is kàn in 阚疃 (the notice sorts it after 旧城
// jiù), but ICU 72 files it under hǎn, before 胡集 hú.
constexpr char kPlaceNameReadings[] = "&看<阚";

}  // namespace

absl::StatusOr<std::unique_ptr<PinyinOrder>> PinyinOrder::Create() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Collator> zh(
      icu::Collator::createInstance(icu::Locale("zh"), status));
  if (U_FAILURE(status) || zh == nullptr) {
    return absl::InternalError(
        absl::StrCat("no ICU zh collator: ", u_errorName(status)));
  }
  auto* rule_based = dynamic_cast<icu::RuleBasedCollator*>(zh.get());
  if (rule_based == nullptr) {
    return absl::InternalError("ICU's zh collator is not rule-based");
  }
  icu::UnicodeString rules = rule_based->getRules();
  rules += icu::UnicodeString::fromUTF8(kPlaceNameReadings);
  auto tailored = std::make_unique<icu::RuleBasedCollator>(rules, status);
  if (U_FAILURE(status)) {
    return absl::InternalError(absl::StrCat("cannot tailor the zh collator: ",
                                            u_errorName(status)));
  }
  return std::unique_ptr<PinyinOrder>(new PinyinOrder(std::move(tailored)));
}

PinyinOrder::PinyinOrder(std::unique_ptr<icu::Collator> collator)
    : collator_(std::move(collator)) {}

PinyinOrder::~PinyinOrder() = default;

bool PinyinOrder::Less(absl::string_view a, absl::string_view b) const {
  UErrorCode status = U_ZERO_ERROR;
  UCollationResult result = collator_->compareUTF8(
      icu::StringPiece(a.data(), static_cast<int32_t>(a.size())),
      icu::StringPiece(b.data(), static_cast<int32_t>(b.size())), status);
  if (U_FAILURE(status) || result == UCOL_EQUAL) return a < b;
  return result == UCOL_LESS;
}

}  // namespace headcount
