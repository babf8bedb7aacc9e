// A throwaway certificate authority for tests, made at test time with
// deploy/pki.sh (Debian's openssl), and the TLS channels and server flags
// built on it.
#ifndef HEADCOUNT_TESTS_AUTH_TEST_PKI_H_
#define HEADCOUNT_TESTS_AUTH_TEST_PKI_H_

#include <memory>
#include <string>

#include "common/rpc/tls_files.h"
#include "common/server/server_security.h"
#include "grpcpp/grpcpp.h"

namespace headcount::testing {

class TestPki {
 public:
  // A new CA in `dir` (created) and a server certificate for localhost and
  // 127.0.0.1. Check ok() before use: false when openssl failed (the
  // failure is already recorded).
  explicit TestPki(std::string dir);

  bool ok() const { return ok_; }
  const std::string& dir() const { return dir_; }
  std::string ca() const { return dir_ + "/ca.pem"; }

  // Files of a client certificate with subject CN `cn`, signed by this CA
  // (expired when `expired`), trusting this CA. Made once per CN.
  TlsFiles Client(const std::string& cn, bool expired = false);
  // The server's flags: its certificate, this CA for clients, `policy`.
  SecurityFlags ServerFlags(const std::string& policy,
                            absl::Duration reload_interval) const;

 private:
  bool Run(const std::string& arguments);

  std::string dir_;
  bool ok_ = false;
};

// A channel to `address` with `files` (plaintext when empty) and its own
// subchannels, so that each channel does its own handshake.
std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address,
                                          const TlsFiles& files);

}  // namespace headcount::testing

#endif  // HEADCOUNT_TESTS_AUTH_TEST_PKI_H_
