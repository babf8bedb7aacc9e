// Identifiers that must differ between two creations of the same thing: an
// ingest's history, an audit's alert epoch.
#ifndef HEADCOUNT_COMMON_DOMAIN_RANDOM_ID_H_
#define HEADCOUNT_COMMON_DOMAIN_RANDOM_ID_H_

#include <string>

namespace headcount {

// 128 random bits as 32 lowercase hex digits.
std::string NewRandomId();

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_DOMAIN_RANDOM_ID_H_
