#include "common/server/server_security.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace headcount {

bool IsLoopbackAddress(absl::string_view listen) {
  const size_t colon = listen.rfind(':');
  absl::string_view host = listen.substr(0, colon);
  if (host == "localhost" || host == "[::1]") return true;
  // 127.0.0.0/8 in dotted form.
  return absl::StartsWith(host, "127.") &&
         host.find_first_not_of("0123456789.") == absl::string_view::npos;
}

absl::StatusOr<ServerSecurity> MakeServerSecurity(const SecurityFlags& flags,
                                                  absl::string_view listen) {
  std::vector<std::string> given, missing;
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"--tls_cert", &flags.tls_cert},
        {"--tls_key", &flags.tls_key},
        {"--tls_client_ca", &flags.tls_client_ca},
        {"--policy", &flags.policy}}) {
    (value->empty() ? missing : given).push_back(name);
  }
  ServerSecurity security;
  if (given.empty()) {
    if (!flags.insecure_plaintext && !IsLoopbackAddress(listen)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "refusing to serve plaintext on ", listen,
          ", which is not a loopback address: anyone who can reach it could "
          "change any county's counts. Give --tls_cert, --tls_key, "
          "--tls_client_ca and --policy, or --insecure_plaintext to accept "
          "that"));
    }
    security.description =
        flags.insecure_plaintext
            ? "PLAINTEXT (--insecure_plaintext), no client identity, no "
              "policy: every caller may call every method"
            : "plaintext on loopback, no client identity, no policy: every "
              "caller may call every method (development mode)";
    return security;
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        absl::StrJoin(given, ", "), " given without ",
        absl::StrJoin(missing, ", "),
        ": mutual TLS needs the server's certificate and key, the CA of its "
        "clients and the policy"));
  }
  if (flags.insecure_plaintext) {
    return absl::InvalidArgumentError(
        "--insecure_plaintext contradicts the TLS flags; give one or the "
        "other");
  }
  for (const auto& [flag, path] :
       {std::pair<const char*, const std::string*>{"--tls_cert", &flags.tls_cert},
        {"--tls_key", &flags.tls_key},
        {"--tls_client_ca", &flags.tls_client_ca}}) {
    if (absl::Status s = CheckPemFile(flag, *path); !s.ok()) return s;
  }
  absl::StatusOr<std::unique_ptr<Authorizer>> authorizer =
      Authorizer::WatchPolicyFile(flags.policy, flags.reload_interval);
  if (!authorizer.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--policy: ", authorizer.status().message()));
  }
  grpc::experimental::TlsServerCredentialsOptions options(
      WatchPemFiles(flags.tls_key, flags.tls_cert, flags.tls_client_ca,
                    flags.reload_interval));
  options.watch_root_certs();
  options.watch_identity_key_cert_pairs();
  options.set_cert_request_type(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  security.credentials = grpc::experimental::TlsServerCredentials(options);
  security.description = absl::StrCat(
      "mutual TLS (client certificates from ", flags.tls_client_ca,
      "), ", (*authorizer)->Describe(), ", files re-read every ",
      absl::FormatDuration(flags.reload_interval));
  security.authorizer = *std::move(authorizer);
  return security;
}

}  // namespace headcount
