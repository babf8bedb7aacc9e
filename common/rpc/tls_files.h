// PEM files of one end of a mutual-TLS connection, and the gRPC credentials
// made from them. Both ends re-read the files every reload interval, so
// that certificates can be replaced without a restart.
#ifndef HEADCOUNT_COMMON_RPC_TLS_FILES_H_
#define HEADCOUNT_COMMON_RPC_TLS_FILES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/security/tls_certificate_provider.h"

namespace headcount {

// How often both ends re-read their certificate files by default.
inline constexpr absl::Duration kDefaultReloadInterval = absl::Seconds(10);

struct TlsFiles {
  std::string ca;    // the CA bundle that signs the other end's certificate
  std::string cert;  // this end's certificate chain
  std::string key;   // this end's private key

  bool empty() const { return ca.empty() && cert.empty() && key.empty(); }
};

// Channel credentials for a client: plaintext when `files` is empty; TLS
// that verifies the server against `files.ca` (and its name against the
// address dialled), presenting `files.cert` and `files.key` when given.
// INVALID_ARGUMENT naming the flag (`flag_prefix` + "ca", "cert", "key")
// when one is missing or a file cannot be read or holds no PEM block.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const TlsFiles& files, absl::string_view flag_prefix,
    absl::Duration reload_interval = kDefaultReloadInterval);

// A provider that re-reads the PEM files every `reload_interval` (at least
// 1 s): the root bundle `ca` and, when `key` is not empty, the identity
// `key` + `cert`. Both ends build their credentials on it.
std::shared_ptr<grpc::experimental::CertificateProviderInterface>
WatchPemFiles(const std::string& key, const std::string& cert,
              const std::string& ca, absl::Duration reload_interval);

// INVALID_ARGUMENT "FLAG: PATH: why" unless `path` can be read and holds a
// PEM block (`-----BEGIN`).
absl::Status CheckPemFile(absl::string_view flag, const std::string& path);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_RPC_TLS_FILES_H_
