#include "common/domain/random_id.h"

#include <cstdint>

#include "absl/random/random.h"
#include "absl/strings/str_format.h"

namespace headcount {

std::string NewRandomId() {
  // absl::BitGen is seeded from the OS's entropy on construction.
  absl::BitGen bits;
  return absl::StrFormat("%016x%016x", absl::Uniform<uint64_t>(bits),
                         absl::Uniform<uint64_t>(bits));
}

}  // namespace headcount
