// Orders Chinese names as the notice's tables do: by pinyin, through ICU's
// "zh" collator.
#ifndef HEADCOUNT_COMMON_DOMAIN_PINYIN_ORDER_H_
#define HEADCOUNT_COMMON_DOMAIN_PINYIN_ORDER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "unicode/uversion.h"

U_NAMESPACE_BEGIN
class Collator;
U_NAMESPACE_END

namespace headcount {

// Thread-safe after Create.
class PinyinOrder {
 public:
  // INTERNAL when ICU has no zh collation data.
  static absl::StatusOr<std::unique_ptr<PinyinOrder>> Create();
  ~PinyinOrder();

  // True when `a` sorts before `b`; equal collation falls back to bytes so
  // that the order is total.
  bool Less(absl::string_view a, absl::string_view b) const;

 private:
  explicit PinyinOrder(std::unique_ptr<icu::Collator> collator);
  std::unique_ptr<icu::Collator> collator_;
};

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_PINYIN_ORDER_H_
