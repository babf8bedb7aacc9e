#include "common/rpc/tls_files.h"


#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/domain/text_file.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"

namespace headcount {

std::shared_ptr<grpc::experimental::CertificateProviderInterface>
WatchPemFiles(const std::string& key, const std::string& cert,
              const std::string& ca, absl::Duration reload_interval) {
  const auto seconds = static_cast<unsigned int>(
      std::max<int64_t>(1, absl::ToInt64Seconds(reload_interval)));
  if (key.empty()) {
    return std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
        ca, seconds);
  }
  return std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      key, cert, ca, seconds);
}

absl::Status CheckPemFile(absl::string_view flag, const std::string& path) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", text.status().message()));
  }
  if (!absl::StrContains(*text, "-----BEGIN ")) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": ", path, " holds no PEM block"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const TlsFiles& files, absl::string_view flag_prefix,
    absl::Duration reload_interval) {
  if (files.empty()) return grpc::InsecureChannelCredentials();
  const std::string ca_flag = absl::StrCat(flag_prefix, "ca");
  const std::string cert_flag = absl::StrCat(flag_prefix, "cert");
  const std::string key_flag = absl::StrCat(flag_prefix, "key");
  if (files.ca.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        ca_flag, ": required with ", cert_flag, " and ", key_flag,
        " (the CA that signed the server's certificate)"));
  }
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(cert_flag, " and ", key_flag, " go together"));
  }
  if (absl::Status s = CheckPemFile(ca_flag, files.ca); !s.ok()) return s;
  if (!files.cert.empty()) {
    if (absl::Status s = CheckPemFile(cert_flag, files.cert); !s.ok()) return s;
    if (absl::Status s = CheckPemFile(key_flag, files.key); !s.ok()) return s;
  }
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(
      WatchPemFiles(files.key, files.cert, files.ca, reload_interval));
  options.watch_root_certs();
  if (!files.cert.empty()) options.watch_identity_key_cert_pairs();
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace headcount
