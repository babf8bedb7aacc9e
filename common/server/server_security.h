// How a server meets its callers: mutual TLS with the policy, or plaintext
// on loopback for development. Both binaries build it from the same flags.
#ifndef HEADCOUNT_COMMON_SERVER_SERVER_SECURITY_H_
#define HEADCOUNT_COMMON_SERVER_SERVER_SECURITY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/rpc/tls_files.h"
#include "common/server/authorizer.h"
#include "grpcpp/grpcpp.h"

namespace headcount {

struct SecurityFlags {
  std::string tls_cert;       // --tls_cert
  std::string tls_key;        // --tls_key
  std::string tls_client_ca;  // --tls_client_ca
  std::string policy;         // --policy
  bool insecure_plaintext = false;  // --insecure_plaintext
  // How often the certificate files and the policy are re-read.
  absl::Duration reload_interval = kDefaultReloadInterval;
};

struct ServerSecurity {
  std::shared_ptr<grpc::ServerCredentials> credentials =
      grpc::InsecureServerCredentials();
  std::shared_ptr<const Authorizer> authorizer =
      std::make_shared<const Authorizer>();
  // For the startup log line: "mutual TLS, policy FILE with N bindings" or
  // "plaintext, no authorization (development only)".
  std::string description = "plaintext, no client identity, no policy";
};

// True when `listen` ("HOST:PORT") binds only loopback: 127.0.0.0/8,
// [::1] or localhost.
bool IsLoopbackAddress(absl::string_view listen);

// The server's security from its flags. Mutual TLS needs all of
// --tls_cert, --tls_key, --tls_client_ca and --policy (a client without a
// certificate from the client CA is refused at the handshake; each call is
// checked against the policy). Without them the server is plaintext with
// no authorization, which it refuses on a non-loopback address unless
// --insecure_plaintext is given. INVALID_ARGUMENT naming the flag for any
// other combination, an unreadable file or a bad policy (FILE:LINE).
absl::StatusOr<ServerSecurity> MakeServerSecurity(const SecurityFlags& flags,
                                                  absl::string_view listen);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_SERVER_SECURITY_H_
