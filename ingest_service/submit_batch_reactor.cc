#include "ingest_service/submit_batch_reactor.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/request_scope.h"
#include "common/domain/status_util.h"
#include "common/domain/validation.h"
#include "common/rpc/grpc_status.h"
#include "common/server/memory_return.h"
#include "common/server/mutation_log.h"
#include "common/server/request_parser.h"
#include "google/rpc/error_details.pb.h"
#include "headcount/v1/ingest.pb.h"

namespace headcount::ingest {
namespace {

// Rejected rows listed in a summary; `rejected` counts them all.
constexpr int kMaxListedRejections = 20;
// A batch that held more than this returns freed memory to the system.
constexpr size_t kReturnMemoryAfterBytes = size_t{4} << 20;

// "64 MiB", or "1000 bytes" below a MiB.
std::string Size(size_t bytes) {
  if (bytes >= (size_t{1} << 20)) return absl::StrCat(bytes >> 20, " MiB");
  return absl::StrCat(bytes, " bytes");
}

class SubmitBatchReactor final
    : public grpc::ServerReadReactor<grpc::ByteBuffer> {
 public:
  SubmitBatchReactor(const AttachedStore<SubmissionStore>* store,
                     const grpc::Status& not_ready, Caller caller,
                     const BatchLimits& limits, BatchBudget* budget,
                     grpc::CallbackServerContext* context,
                     grpc::ByteBuffer* response)
      : context_(context),
        store_(store),
        not_ready_(not_ready),
        caller_(std::move(caller)),
        limits_(limits),
        budget_(budget),
        ticket_(budget->Begin()),
        response_(response) {
    StartRead(&raw_row_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // No more rows: the client half-closed (it sent every row), or the
      // call broke off (cancelled, deadline, connection lost), when the
      // rows read are only part of the batch and must not be stored.
      if (context_->IsCancelled()) {
        return End(grpc::Status(grpc::StatusCode::CANCELLED,
                                "the batch ended before its last row (the "
                                "client went away); nothing stored"));
      }
      return Commit();
    }
    const int index = row_count_++;
    bytes_read_ += raw_row_.Length();
    if (row_count_ > limits_.max_rows) {
      return End(Exhausted(absl::StrCat(
          "a batch holds at most ", limits_.max_rows,
          " rows (--max_batch_rows); split the import; nothing stored")));
    }
    if (bytes_read_ > limits_.max_bytes) {
      return End(Exhausted(absl::StrCat(
          "a batch holds at most ", Size(limits_.max_bytes),
          " (--max_batch_mib); split the import; nothing stored")));
    }
    absl::Status parsed = ParseRequest(raw_row_, row_);
    google::rpc::BadRequest bad_names;
    if (!parsed.ok() && GetDetail(parsed, bad_names)) {
      // Well-formed, with names that are not UTF-8: a bad row like others.
      for (const auto& violation : bad_names.field_violations()) {
        Reject(index, violation.field(), violation.description());
      }
      StartRead(&raw_row_);
      return;
    }
    if (!parsed.ok()) {
      return End(
          ToGrpcStatus(InvalidArgument({{absl::StrCat("rows[", index, "]"),
                                         std::string(parsed.message())}})));
    }
    if (index == 0) dry_run_ = row_.dry_run();
    std::vector<FieldViolation> violations = ValidateSubmitRequest(row_);
    if (row_.dry_run() != dry_run_) {
      violations.push_back(
          {"dry_run", "must be the same on every row of a batch"});
    }
    for (FieldViolation& v : violations) {
      Reject(index, std::move(v.field), std::move(v.description));
    }
    if (violations.empty()) {
      // One row outside the caller's scope refuses the whole batch.
      const absl::Status scope = AuthorizeScope(caller_, row_);
      if (!scope.ok()) {
        return End(ToGrpcStatus(absl::PermissionDeniedError(absl::StrCat(
            "row ", index, ": ", scope.message(),
            "; batch refused, nothing stored"))));
      }
    }
    if (violations.empty() && rejected_count_ == 0) {
      const size_t held = row_.SpaceUsedLong();
      if (!budget_->TryTake(ticket_, held)) {
        return End(Exhausted(absl::StrCat(
            "batches in progress hold ", Size(budget_->used()),
            " of the ", Size(budget_->capacity()),
            " all batches may hold together (--batch_memory_mib); retry "
            "when they have finished; nothing stored")));
      }
      taken_ += held;
      rows_.push_back(std::move(row_));
    }
    StartRead(&raw_row_);
  }

  void OnDone() override {
    ReleaseBudget();  // when the call ended without End (never seen)
    // A large batch leaves freed pages behind; hand them back.
    if (taken_ > kReturnMemoryAfterBytes) ReturnFreedMemorySoon();
    delete this;
  }

 private:
  static grpc::Status Exhausted(const std::string& message) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, message);
  }

  // Ends the call, logging it as every mutating call is logged.
  void End(const grpc::Status& status) {
    LogMutation("SubmitBatch", caller_.LogName(), row_count_,
                status.ok() ? summary_->revision() : 0, dry_run_,
                FromGrpcStatus(status),
                absl::StrCat("created=", summary_->created(),
                             " updated=", summary_->updated(),
                             " unchanged=", summary_->unchanged()));
    // Before the client hears the outcome, so that its next batch finds
    // the budget returned.
    ReleaseBudget();
    Finish(status);
  }

  // Frees the rows still held and returns what they took, once.
  void ReleaseBudget() {
    if (released_) return;
    released_ = true;
    std::vector<v1::SubmitRequest>().swap(rows_);
    budget_->End(ticket_, taken_);
  }

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
      violation->set_field(
          absl::StrCat("rows[", row.index(), "].", row.field()));
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
        code,
        absl::StrCat("batch rejected, nothing stored: ", summary_->rejected(),
                     " bad row(s); first: row ", first.index(), ": ",
                     first.field(), ": ", first.reason()));
    AttachDetail(status, bad_request);
    AttachDetail(status, *summary_);
    End(ToGrpcStatus(status));
  }

  void Commit() {
    if (rejected_count_ > 0) {
      return FinishRejected(absl::StatusCode::kInvalidArgument);
    }
    if (rows_.empty()) {
      return End(ToGrpcStatus(
          InvalidArgument({{"rows", "a batch must hold at least one row"}})));
    }
    auto store = store_->Borrow();
    if (!store) return End(not_ready_);
    store->Commit(Puts(std::move(rows_)),
                  {dry_run_, caller_.principal, /*without_records=*/true},
                  [this](absl::StatusOr<CommitResult> result) {
                    if (!result.ok()) {
                      return End(ToGrpcStatus(result.status()));
                    }
                    if (!result->rejected.empty()) {
                      absl::StatusCode code =
                          absl::StatusCode::kInvalidArgument;
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
    SerializeResponse(*summary_, *response_);
    End(grpc::Status::OK);
  }

  grpc::CallbackServerContext* const context_;
  const AttachedStore<SubmissionStore>* const store_;
  const grpc::Status not_ready_;
  const Caller caller_;
  const BatchLimits limits_;
  BatchBudget* const budget_;
  const uint64_t ticket_;
  grpc::ByteBuffer* const response_;
  v1::ImportSummary summary_storage_;
  v1::ImportSummary* const summary_ = &summary_storage_;
  grpc::ByteBuffer raw_row_;
  v1::SubmitRequest row_;
  std::vector<v1::SubmitRequest> rows_;
  int row_count_ = 0;
  size_t bytes_read_ = 0;
  size_t taken_ = 0;  // from budget_
  bool released_ = false;
  int rejected_count_ = 0;
  int last_rejected_index_ = -1;
  bool dry_run_ = false;
};

}  // namespace

grpc::ServerReadReactor<grpc::ByteBuffer>* NewSubmitBatchReactor(
    const AttachedStore<SubmissionStore>* store, const grpc::Status& not_ready,
    Caller caller, const BatchLimits& limits, BatchBudget* budget,
    grpc::CallbackServerContext* context, grpc::ByteBuffer* summary) {
  return new SubmitBatchReactor(store, not_ready, std::move(caller), limits,
                                budget, context, summary);
}

}  // namespace headcount::ingest
