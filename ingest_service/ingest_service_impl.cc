#include "ingest_service/ingest_service_impl.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/domain/status_util.h"
#include "common/domain/validation.h"
#include "common/rpc/grpc_status.h"
#include "common/server/unary_handler.h"
#include "ingest_service/submit_batch_reactor.h"
#include "ingest_service/watch_reactor.h"

namespace headcount::ingest {
namespace {

const grpc::Status kNotReady(grpc::StatusCode::UNAVAILABLE,
                             "the ingest store is not open (starting or "
                             "shutting down)");

// The answer to one Submit: its row's result, or the store's refusal.
absl::StatusOr<v1::SubmitResponse> SubmitAnswer(
    absl::StatusOr<CommitResult> result) {
  if (!result.ok()) return result.status();
  if (!result->rejected.empty()) {
    const RowRejection& r = result->rejected.front();
    if (r.code == absl::StatusCode::kInvalidArgument) {
      return InvalidArgument({{r.field, r.reason}});
    }
    return absl::Status(r.code, absl::StrCat(r.field, ": ", r.reason));
  }
  RowResult& row = result->rows.front();
  v1::SubmitResponse response;
  response.set_revision(row.revision);
  response.set_outcome(row.outcome);
  response.set_replayed(row.replayed);
  *response.mutable_school() = std::move(row.school);
  return response;
}

}  // namespace

grpc::ServerUnaryReactor* IngestServiceImpl::Submit(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnaryAsync<v1::SubmitRequest, v1::SubmitResponse>(
      {context, request, response}, store_, kNotReady, ValidateSubmitRequest,
      [](SubmissionStore& store, v1::SubmitRequest submit,
         UnaryReply<v1::SubmitResponse> reply) {
        const bool dry_run = submit.dry_run();
        std::vector<v1::SubmitRequest> rows;
        rows.push_back(std::move(submit));
        store.Commit(std::move(rows), dry_run,
                     [reply = std::move(reply)](
                         absl::StatusOr<CommitResult> result) mutable {
                       reply(SubmitAnswer(std::move(result)));
                     });
      });
}

grpc::ServerReadReactor<grpc::ByteBuffer>* IngestServiceImpl::SubmitBatch(
    grpc::CallbackServerContext* context, grpc::ByteBuffer* summary) {
  if (!store_.Borrow()) {
    return RefuseStream<grpc::ServerReadReactor<grpc::ByteBuffer>>(kNotReady);
  }
  return NewSubmitBatchReactor(&store_, kNotReady, summary);
}

grpc::ServerUnaryReactor* IngestServiceImpl::GetSchool(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetSchoolRequest>(
      {context, request, response}, store_, kNotReady, ValidateGetSchoolRequest,
      [](SubmissionStore& store, const v1::GetSchoolRequest& r) {
        return store.GetSchool(
            {r.term(), r.county(), r.district(), r.school()});
      });
}

grpc::ServerUnaryReactor* IngestServiceImpl::ListSchools(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::ListSchoolsRequest>(
      {context, request, response}, store_, kNotReady,
      ValidateListSchoolsRequest,
      [](SubmissionStore& store, const v1::ListSchoolsRequest& r) {
        return store.ListSchools(r);
      });
}

grpc::ServerWriteReactor<v1::WatchResponse>* IngestServiceImpl::Watch(
    grpc::CallbackServerContext* context, const v1::WatchRequest* request) {
  using WatchStream = grpc::ServerWriteReactor<v1::WatchResponse>;
  if (!store_.Borrow()) return RefuseStream<WatchStream>(kNotReady);
  std::vector<FieldViolation> violations = ValidateWatchRequest(*request);
  if (!violations.empty()) {
    return RefuseStream<WatchStream>(ToGrpcStatus(InvalidArgument(violations)));
  }
  return new WatchReactor(&store_, waker_, context, watch_stall_limit_, clock_,
                          *request);
}

grpc::ServerUnaryReactor* IngestServiceImpl::Compact(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  // The store checks the revision against its own (1..current).
  return ServeUnary<v1::CompactRequest>(
      {context, request, response}, store_, kNotReady, nullptr,
      [](SubmissionStore& store,
         const v1::CompactRequest& r) -> absl::StatusOr<v1::CompactResponse> {
        ASSIGN_OR_RETURN(int64_t oldest, store.Compact(r.revision()));
        v1::CompactResponse answer;
        answer.set_oldest_revision(oldest);
        answer.set_revision(store.revision());
        return answer;
      });
}

}  // namespace headcount::ingest
