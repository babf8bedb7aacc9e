#include "ingest_service/ingest_service_impl.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/grpc_server.h"
#include "common/raw_request.h"
#include "common/status_util.h"
#include "common/validation.h"
#include "google/rpc/error_details.pb.h"
#include "ingest_service/watch_reactor.h"

namespace headcount::ingest {
namespace {

// Rejected rows listed in a summary; `rejected` counts them all.
constexpr int kMaxListedRejections = 20;

const grpc::Status kRecovering(grpc::StatusCode::UNAVAILABLE,
                               "the ingest store is not open (starting or "
                               "shutting down)");

// Reads a district's rows, validates each as it arrives, then commits them
// all as one revision.
class SubmitBatchReactor final
    : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  SubmitBatchReactor(const AttachedStore<SubmissionStore>* store,
                     grpc::ByteBuffer* response)
      : store_(store), response_(response) {
    StartRead(&raw_row_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) return Commit();  // the client has sent every row
    const int index = row_count_++;
    row_.Clear();
    absl::Status parsed = ParseRawRequest(raw_row_, row_);
    if (!parsed.ok()) {
      return Finish(ToGrpcStatus(InvalidArgument(
          {{absl::StrCat("rows[", index, "]"), std::string(parsed.message())}})));
    }
    if (index == 0) dry_run_ = row_.dry_run();
    if (row_count_ > kMaxBatchRows) {
      return Finish(ToGrpcStatus(InvalidArgument(
          {{"rows", absl::StrCat("a batch holds at most ", kMaxBatchRows,
                                 " rows; split the import")}})));
    }
    std::vector<FieldViolation> violations = ValidateSubmitRequest(row_);
    if (row_.dry_run() != dry_run_) {
      violations.push_back(
          {"dry_run", "must be the same on every row of a batch"});
    }
    for (FieldViolation& v : violations) {
      Reject(index, std::move(v.field), std::move(v.description));
    }
    if (violations.empty() && rejected_count_ == 0) {
      rows_.push_back(std::move(row_));
    }
    StartRead(&raw_row_);
  }

  void OnDone() override { delete this; }

 private:
  void Reject(int index, std::string field, std::string reason) {
    if (index != last_rejected_index_) {
      last_rejected_index_ = index;
      ++rejected_count_;
    }
    // The list travels in the status trailer, which gRPC caps at 8 KiB.
    if (summary_->rejected_rows_size() >= kMaxListedRejections) return;
    v1::RejectedRow* rejected = summary_->add_rejected_rows();
    rejected->set_index(index);
    rejected->set_field(std::move(field));
    rejected->set_reason(std::move(reason));
  }

  // Counts the rejected rows and fails the call with `code`, the summary and
  // a BadRequest in its details. For a dry run the summary is the answer.
  void FinishRejected(absl::StatusCode code) {
    google::rpc::BadRequest bad_request;
    for (const v1::RejectedRow& row : summary_->rejected_rows()) {
      auto* violation = bad_request.add_field_violations();
      violation->set_field(absl::StrCat("rows[", row.index(), "].", row.field()));
      violation->set_description(row.reason());
    }
    summary_->set_rejected(rejected_count_);
    summary_->set_created(0);
    summary_->set_updated(0);
    summary_->set_unchanged(0);
    summary_->set_dry_run(dry_run_);
    if (dry_run_) return FinishWithSummary();
    const v1::RejectedRow& first = summary_->rejected_rows(0);
    absl::Status status(
        code, absl::StrCat("batch rejected, nothing stored: ",
                           summary_->rejected(), " bad row(s); first: row ",
                           first.index(), ": ", first.field(), ": ",
                           first.reason()));
    AttachDetail(status, bad_request);
    AttachDetail(status, *summary_);
    Finish(ToGrpcStatus(status));
  }

  void Commit() {
    if (rejected_count_ > 0) {
      return FinishRejected(absl::StatusCode::kInvalidArgument);
    }
    if (rows_.empty()) {
      return Finish(ToGrpcStatus(
          InvalidArgument({{"rows", "a batch must hold at least one row"}})));
    }
    auto store = store_->Borrow();
    if (!store) return Finish(kRecovering);
    store->Commit(std::move(rows_), dry_run_,
                   [this](absl::StatusOr<CommitResult> result) {
                     if (!result.ok()) {
                       return Finish(ToGrpcStatus(result.status()));
                     }
                     if (!result->rejected.empty()) {
                       absl::StatusCode code = absl::StatusCode::kInvalidArgument;
                       for (const RowRejection& r : result->rejected) {
                         Reject(r.index, r.field, r.reason);
                         if (r.code == absl::StatusCode::kAlreadyExists) {
                           code = r.code;
                         }
                       }
                       return FinishRejected(code);
                     }
                     summary_->set_revision(result->revision);
                     summary_->set_dry_run(dry_run_);
                     // A re-sent row changed nothing now: unchanged.
                     for (const RowResult& row : result->rows) {
                       switch (row.replayed ? v1::UNCHANGED : row.outcome) {
                         case v1::CREATED:
                           summary_->set_created(summary_->created() + 1);
                           break;
                         case v1::UPDATED:
                           summary_->set_updated(summary_->updated() + 1);
                           break;
                         default:
                           summary_->set_unchanged(summary_->unchanged() + 1);
                       }
                     }
                     FinishWithSummary();
                   });
  }

  void FinishWithSummary() {
    SerializeRawResponse(*summary_, *response_);
    Finish(grpc::Status::OK);
  }

  const AttachedStore<SubmissionStore>* const store_;
  grpc::ByteBuffer* const response_;
  v1::ImportSummary summary_storage_;
  v1::ImportSummary* const summary_ = &summary_storage_;
  grpc::ByteBuffer raw_row_;
  v1::SubmitRequest row_;
  std::vector<v1::SubmitRequest> rows_;
  int row_count_ = 0;
  int rejected_count_ = 0;
  int last_rejected_index_ = -1;
  bool dry_run_ = false;
};

}  // namespace

grpc::ServerUnaryReactor* IngestServiceImpl::Submit(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  auto store = store_.Borrow();
  if (!store) return FinishUnary(context, kRecovering);
  v1::SubmitRequest request;
  absl::Status parsed = ParseRawRequest(*raw_request, request);
  if (!parsed.ok()) return FinishUnary(context, ToGrpcStatus(parsed));
  std::vector<FieldViolation> violations = ValidateSubmitRequest(request);
  if (!violations.empty()) {
    return FinishUnary(context, ToGrpcStatus(InvalidArgument(violations)));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const bool dry_run = request.dry_run();
  store->Commit(
      {std::move(request)}, dry_run,
      [reactor, raw_response](absl::StatusOr<CommitResult> result) {
        if (!result.ok()) return reactor->Finish(ToGrpcStatus(result.status()));
        if (!result->rejected.empty()) {
          const RowRejection& r = result->rejected.front();
          absl::Status status(r.code, absl::StrCat(r.field, ": ", r.reason));
          if (r.code == absl::StatusCode::kInvalidArgument) {
            status = InvalidArgument({{r.field, r.reason}});
          }
          return reactor->Finish(ToGrpcStatus(status));
        }
        RowResult& row = result->rows.front();
        v1::SubmitResponse response;
        response.set_revision(row.revision);
        response.set_outcome(row.outcome);
        response.set_replayed(row.replayed);
        *response.mutable_school() = std::move(row.school);
        SerializeRawResponse(response, *raw_response);
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerReadReactor<grpc::ByteBuffer>* IngestServiceImpl::SubmitBatch(
    grpc::CallbackServerContext* context, grpc::ByteBuffer* summary) {
  if (!store_.Borrow()) {
    return RefuseStream<grpc::ServerReadReactor<grpc::ByteBuffer>>(kRecovering);
  }
  return new SubmitBatchReactor(&store_, summary);
}

grpc::ServerUnaryReactor* IngestServiceImpl::GetSchool(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  auto store = store_.Borrow();
  if (!store) return FinishUnary(context, kRecovering);
  v1::GetSchoolRequest request;
  absl::Status parsed = ParseRawRequest(*raw_request, request);
  if (!parsed.ok()) return FinishUnary(context, ToGrpcStatus(parsed));
  std::vector<FieldViolation> violations;
  CheckSchoolIdentity(request.term(), request.county(), request.district(),
                      request.school(), violations);
  if (!violations.empty()) {
    return FinishUnary(context, ToGrpcStatus(InvalidArgument(violations)));
  }
  absl::StatusOr<v1::SchoolRecord> record = store->GetSchool(
      {request.term(), request.county(), request.district(), request.school()});
  if (record.ok()) SerializeRawResponse(*record, *raw_response);
  return FinishUnary(context, ToGrpcStatus(record.status()));
}

grpc::ServerUnaryReactor* IngestServiceImpl::ListSchools(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request,
    grpc::ByteBuffer* raw_response) {
  auto store = store_.Borrow();
  if (!store) return FinishUnary(context, kRecovering);
  v1::ListSchoolsRequest parsed_request;
  absl::Status parsed = ParseRawRequest(*raw_request, parsed_request);
  if (!parsed.ok()) return FinishUnary(context, ToGrpcStatus(parsed));
  const v1::ListSchoolsRequest* request = &parsed_request;
  std::vector<FieldViolation> violations;
  if (!request->term().empty()) {
    CheckSchoolIdentity(request->term(), "-", "-", "-", violations);
  }
  if (!request->county().empty()) {
    CheckName("county", request->county(), violations);
    if (request->term().empty()) {
      violations.push_back({"county", "filtering by county needs a term"});
    }
  }
  if (!request->district().empty()) {
    CheckName("district", request->district(), violations);
    if (request->county().empty()) {
      violations.push_back({"district", "filtering by district needs a county"});
    }
  }
  if (request->page_size() < 0) {
    violations.push_back({"page_size", "must not be negative"});
  }
  if (!violations.empty()) {
    return FinishUnary(context, ToGrpcStatus(InvalidArgument(violations)));
  }
  absl::StatusOr<v1::ListSchoolsResponse> page = store->ListSchools(*request);
  if (page.ok()) SerializeRawResponse(*page, *raw_response);
  return FinishUnary(context, ToGrpcStatus(page.status()));
}

grpc::ServerWriteReactor<v1::WatchResponse>* IngestServiceImpl::Watch(
    grpc::CallbackServerContext* context, const v1::WatchRequest* request) {
  if (!store_.Borrow()) {
    return RefuseStream<grpc::ServerWriteReactor<v1::WatchResponse>>(kRecovering);
  }
  return new WatchReactor(&store_, feed_, context, watch_stall_limit_, *request);
}

grpc::ServerUnaryReactor* IngestServiceImpl::Compact(
    grpc::CallbackServerContext* context, const v1::CompactRequest* request,
    v1::CompactResponse* response) {
  auto store = store_.Borrow();
  if (!store) return FinishUnary(context, kRecovering);
  absl::StatusOr<int64_t> oldest = store->Compact(request->revision());
  if (oldest.ok()) {
    response->set_oldest_revision(*oldest);
    response->set_revision(store->revision());
  }
  return FinishUnary(context, ToGrpcStatus(oldest.status()));
}

}  // namespace headcount::ingest
