// The security flags both servers take (--tls_cert, --tls_key,
// --tls_client_ca, --policy, --insecure_plaintext, --reload_interval),
// defined once.
#ifndef HEADCOUNT_COMMON_SERVER_SECURITY_FLAGS_H_
#define HEADCOUNT_COMMON_SERVER_SECURITY_FLAGS_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/server/server_security.h"

namespace headcount {

// MakeServerSecurity from the parsed command line, for a server that will
// listen on `listen`.
absl::StatusOr<ServerSecurity> ServerSecurityFromFlags(
    absl::string_view listen);

// The --reload_interval flag, for the server's own client certificates.
absl::Duration ReloadIntervalFlag();

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_SECURITY_FLAGS_H_
