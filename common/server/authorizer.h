// Identity and method authorization for every call of both services: the
// caller's principal from its client certificate, its binding in the
// policy file, and whether its role may call the method. The policy file is
// re-read while the server runs; a file that does not parse is logged
// (file:line) and the last good policy stays.
#ifndef HEADCOUNT_COMMON_SERVER_AUTHORIZER_H_
#define HEADCOUNT_COMMON_SERVER_AUTHORIZER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/auth/access_policy.h"
#include "common/auth/caller.h"
#include "grpcpp/grpcpp.h"

namespace headcount {

class Authorizer {
 public:
  // Without a policy: every caller is unrestricted (plaintext development
  // mode, as before authorization existed).
  Authorizer() = default;
  // Loads the policy at `path` (the error when it cannot be read or parsed)
  // and re-reads the file every `reload_interval`.
  static absl::StatusOr<std::unique_ptr<Authorizer>> WatchPolicyFile(
      std::string path, absl::Duration reload_interval);
  // Stops watching.
  ~Authorizer();

  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;

  // The caller of `context`'s call when it may call `method`. With a
  // policy: UNAUTHENTICATED without a client certificate CN,
  // PERMISSION_DENIED for a principal without a binding or a role that may
  // not call `method`. Without a policy: the unrestricted caller.
  absl::StatusOr<Caller> Authorize(const grpc::ServerContextBase& context,
                                   Method method) const;

  bool has_policy() const { return !path_.empty(); }
  // "policy FILE with N bindings" or "no policy: every caller may do
  // everything".
  std::string Describe() const;

  // Reads the file now, as the watcher does. Returns what the watcher
  // would log; OK when the file is unchanged or was loaded.
  absl::Status ReloadNow();

 private:
  Authorizer(std::string path, absl::Duration reload_interval,
             AccessPolicy policy, std::string text);
  void Watch();

  const std::string path_;
  const absl::Duration reload_interval_ = absl::ZeroDuration();
  mutable absl::Mutex mu_;
  std::shared_ptr<const AccessPolicy> policy_ ABSL_GUARDED_BY(mu_);
  std::string loaded_text_ ABSL_GUARDED_BY(mu_);  // as last read, good or bad
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread watcher_;
};

// The principal of a call: its client certificate's CN, or empty when the
// connection has none (plaintext).
std::string PeerPrincipal(const grpc::ServerContextBase& context);

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_AUTHORIZER_H_
