#include "common/server/authorizer.h"

#include "absl/strings/str_cat.h"
#include "common/domain/mutex.h"
#include "common/domain/text_file.h"
#include "common/server/log.h"
#include "grpc/grpc_security_constants.h"

namespace headcount {

std::string PeerPrincipal(const grpc::ServerContextBase& context) {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) return "";
  std::vector<grpc::string_ref> names =
      auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  if (names.empty()) return "";
  return std::string(names.front().data(), names.front().size());
}

absl::StatusOr<std::unique_ptr<Authorizer>> Authorizer::WatchPolicyFile(
    std::string path, absl::Duration reload_interval) {
  absl::StatusOr<std::string> text = ReadTextFile(path);
  if (!text.ok()) return text.status();
  absl::StatusOr<AccessPolicy> policy = ParseAccessPolicy(*text, path);
  if (!policy.ok()) return policy.status();
  return std::unique_ptr<Authorizer>(new Authorizer(
      std::move(path), reload_interval, *std::move(policy), *std::move(text)));
}

Authorizer::Authorizer(std::string path, absl::Duration reload_interval,
                       AccessPolicy policy, std::string text)
    : path_(std::move(path)),
      reload_interval_(reload_interval),
      policy_(std::make_shared<const AccessPolicy>(std::move(policy))),
      loaded_text_(std::move(text)) {
  watcher_ = std::thread([this] { Watch(); });
}

Authorizer::~Authorizer() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (watcher_.joinable()) watcher_.join();
}

void Authorizer::Watch() {
  while (true) {
    {
      MutexLock lock(&mu_);
      if (AwaitWithTimeout(&mu_, absl::Condition(&stopping_),
                           reload_interval_)) {
        return;
      }
    }
    absl::Status status = ReloadNow();
    if (!status.ok()) {
      Log(LogLevel::kError, "policy",
          absl::StrCat("policy not reloaded, keeping the last good one: ",
                       status.message()));
    }
  }
}

absl::Status Authorizer::ReloadNow() {
  if (!has_policy()) return absl::OkStatus();
  absl::StatusOr<std::string> text = ReadTextFile(path_);
  if (!text.ok()) return text.status();
  {
    MutexLock lock(&mu_);
    if (*text == loaded_text_) return absl::OkStatus();
    loaded_text_ = *text;  // a bad file is reported once, not every interval
  }
  absl::StatusOr<AccessPolicy> policy = ParseAccessPolicy(*text, path_);
  if (!policy.ok()) return policy.status();
  auto loaded = std::make_shared<const AccessPolicy>(*std::move(policy));
  Log(LogLevel::kInfo, "policy",
      absl::StrCat("policy reloaded from ", path_, ": ", loaded->size(),
                   " bindings"));
  MutexLock lock(&mu_);
  policy_ = std::move(loaded);
  return absl::OkStatus();
}

std::string Authorizer::Describe() const {
  if (!has_policy()) return "no policy: every caller may call every method";
  ReaderMutexLock lock(&mu_);
  return absl::StrCat("policy ", path_, " with ", policy_->size(),
                      " bindings");
}

absl::StatusOr<Caller> Authorizer::Authorize(
    const grpc::ServerContextBase& context, Method method) const {
  Caller caller;
  caller.principal = PeerPrincipal(context);
  if (!has_policy()) return caller;
  if (caller.principal.empty()) {
    return absl::UnauthenticatedError(
        "no client certificate: this server requires mutual TLS");
  }
  std::shared_ptr<const AccessPolicy> policy;
  {
    ReaderMutexLock lock(&mu_);
    policy = policy_;
  }
  const Binding* binding = policy->Find(caller.principal);
  if (binding == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat(
        caller.principal, " has no binding in the policy: no method allowed"));
  }
  caller.binding = *binding;
  if (absl::Status s = AuthorizeMethod(caller, method); !s.ok()) return s;
  return caller;
}

}  // namespace headcount
