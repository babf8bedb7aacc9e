// One unary call as every handler of both services runs it: authorize the
// caller for the method, borrow the store, parse the raw request (with its
// mirror), validate it, check its places against the caller's scope, call
// the store, then finish with the serialized response or the status. The
// one place where every unary call passes, for what each call needs
// (identity, authorization, metrics).
#ifndef HEADCOUNT_COMMON_SERVER_UNARY_HANDLER_H_
#define HEADCOUNT_COMMON_SERVER_UNARY_HANDLER_H_

#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "common/auth/caller.h"
#include "common/auth/request_scope.h"
#include "common/domain/status_util.h"
#include "common/rpc/grpc_status.h"
#include "common/server/attached_store.h"
#include "common/server/authorizer.h"
#include "common/server/mutation_log.h"
#include "common/server/request_parser.h"
#include "grpcpp/grpcpp.h"

namespace headcount {

// Returns every rule a request breaks; empty when it is valid.
template <typename Request>
using RequestValidator = std::vector<FieldViolation> (*)(const Request&);

// Answers a call exactly once, from any thread.
template <typename Response>
using UnaryReply = absl::AnyInvocable<void(absl::StatusOr<Response>)>;

// The raw call as gRPC hands it to a handler.
struct UnaryCall {
  grpc::CallbackServerContext* context;
  const grpc::ByteBuffer* request;
  grpc::ByteBuffer* response;
  Method method;
};

// Parses `buffer` into `request` and checks it with `validate` (may be
// null): INVALID_ARGUMENT naming what is wrong, as every handler answers.
template <typename Request>
absl::Status ParseValidRequest(const grpc::ByteBuffer& buffer,
                               RequestValidator<Request> validate,
                               Request& request) {
  RETURN_IF_ERROR(ParseRequest(buffer, request));
  if (validate == nullptr) return absl::OkStatus();
  std::vector<FieldViolation> violations = validate(request);
  return violations.empty() ? absl::OkStatus() : InvalidArgument(violations);
}

// Serves `call` with `handle(store, request, caller, reply)`, which may
// reply later on another thread (the store is borrowed only while `handle`
// runs). In order: the authorizer's refusal (UNAUTHENTICATED,
// PERMISSION_DENIED); UNAVAILABLE with `not_ready` while no store is
// attached; INVALID_ARGUMENT when the request does not parse or `validate`
// (may be null) finds a violation; PERMISSION_DENIED when it names a place
// outside the caller's scope (AuthorizeScope, which may also narrow it).
// `handle` is called only when all pass.
template <typename Request, typename Response, typename Store, typename Handle>
grpc::ServerUnaryReactor* ServeUnaryAsync(const UnaryCall& call,
                                          const Authorizer& authorizer,
                                          const AttachedStore<Store>& store,
                                          const grpc::Status& not_ready,
                                          RequestValidator<Request> validate,
                                          Handle&& handle) {
  grpc::ServerUnaryReactor* reactor = call.context->DefaultReactor();
  auto refuse = [&](const absl::Status& status) {
    if (IsMutating(call.method)) {
      LogMutation(MethodName(call.method), PeerPrincipal(*call.context),
                  call.method == Method::kSubmit ? 1 : 0, 0, false, status,
                  "");
    }
    reactor->Finish(ToGrpcStatus(status));
    return reactor;
  };
  absl::StatusOr<Caller> caller =
      authorizer.Authorize(*call.context, call.method);
  if (!caller.ok()) return refuse(caller.status());
  auto borrowed = store.Borrow();
  if (!borrowed) return refuse(FromGrpcStatus(not_ready));
  Request request;
  absl::Status status = ParseValidRequest(*call.request, validate, request);
  if (status.ok()) status = AuthorizeScope(*caller, request);
  if (!status.ok()) return refuse(status);
  grpc::ByteBuffer* const response = call.response;
  UnaryReply<Response> reply = [reactor,
                                response](absl::StatusOr<Response> result) {
    if (result.ok()) SerializeResponse(*result, *response);
    reactor->Finish(ToGrpcStatus(result.status()));
  };
  handle(*borrowed.get(), std::move(request), *caller, std::move(reply));
  return reactor;
}

// The same for a store call that answers at once:
// `handle(store, request, caller)` returns the response or the status.
template <typename Request, typename Store, typename Handle>
grpc::ServerUnaryReactor* ServeUnary(const UnaryCall& call,
                                     const Authorizer& authorizer,
                                     const AttachedStore<Store>& store,
                                     const grpc::Status& not_ready,
                                     RequestValidator<Request> validate,
                                     Handle&& handle) {
  using Result =
      std::invoke_result_t<Handle, Store&, const Request&, const Caller&>;
  using Response = typename Result::value_type;
  return ServeUnaryAsync<Request, Response>(
      call, authorizer, store, not_ready, validate,
      [&handle](Store& borrowed, Request request, const Caller& caller,
                UnaryReply<Response> reply) {
        reply(handle(borrowed, request, caller));
      });
}

// A reactor that ends a streaming call at once with `status` (Reactor is
// grpc::ServerReadReactor<T> or grpc::ServerWriteReactor<T>). It deletes
// itself when the call is done.
template <typename Reactor>
Reactor* RefuseStream(const grpc::Status& status) {
  class Refused final : public Reactor {
   public:
    explicit Refused(const grpc::Status& status) { this->Finish(status); }
    void OnDone() override { delete this; }
  };
  return new Refused(status);
}

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_UNARY_HANDLER_H_
