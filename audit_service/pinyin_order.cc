#include "audit_service/pinyin_order.h"

#include "absl/strings/str_cat.h"
#include "unicode/coll.h"
#include "unicode/locid.h"
#include "unicode/stringpiece.h"

namespace headcount::audit {

absl::StatusOr<std::unique_ptr<PinyinOrder>> PinyinOrder::Create() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Collator> collator(
      icu::Collator::createInstance(icu::Locale("zh"), status));
  if (U_FAILURE(status) || collator == nullptr) {
    return absl::InternalError(
        absl::StrCat("no ICU zh collator: ", u_errorName(status)));
  }
  return std::unique_ptr<PinyinOrder>(new PinyinOrder(std::move(collator)));
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

}  // namespace headcount::audit
