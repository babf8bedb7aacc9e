#include "common/server/security_flags.h"

#include <string>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, tls_cert, "",
          "PEM certificate chain of this server; with --tls_key, "
          "--tls_client_ca and --policy: mutual TLS");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of --tls_cert");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle that signs client certificates; clients without "
          "one are refused at the handshake");
ABSL_FLAG(std::string, policy, "",
          "JSON policy binding client certificate CNs to roles and scopes "
          "(see SECURITY.md); re-read every --reload_interval");
ABSL_FLAG(bool, insecure_plaintext, false,
          "serve plaintext without client identities on a non-loopback "
          "address (everyone who reaches it may do everything)");
ABSL_FLAG(absl::Duration, reload_interval, headcount::kDefaultReloadInterval,
          "how often certificate files and the policy are re-read");

namespace headcount {

absl::Duration ReloadIntervalFlag() {
  return absl::GetFlag(FLAGS_reload_interval);
}

absl::StatusOr<ServerSecurity> ServerSecurityFromFlags(
    absl::string_view listen) {
  SecurityFlags flags;
  flags.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  flags.tls_key = absl::GetFlag(FLAGS_tls_key);
  flags.tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  flags.policy = absl::GetFlag(FLAGS_policy);
  flags.insecure_plaintext = absl::GetFlag(FLAGS_insecure_plaintext);
  flags.reload_interval = absl::GetFlag(FLAGS_reload_interval);
  if (flags.reload_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError("--reload_interval: at least 1s");
  }
  return MakeServerSecurity(flags, listen);
}

}  // namespace headcount
