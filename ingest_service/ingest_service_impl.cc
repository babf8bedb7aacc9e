#include "ingest_service/ingest_service_impl.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/domain/status_util.h"
#include "common/domain/validation.h"
#include "common/rpc/grpc_status.h"
#include "common/server/log.h"
#include "common/server/mutation_log.h"
#include "common/server/request_parser.h"
#include "common/server/unary_handler.h"
#include "ingest_service/submit_batch_reactor.h"
#include "ingest_service/watch_reactor.h"

namespace headcount::ingest {
namespace {

const grpc::Status kNotReady(grpc::StatusCode::UNAVAILABLE,
                             "the ingest store is not open (starting or "
                             "shutting down)");

// The status of a single-row call the store refused.
absl::Status RefusalOf(const RowRejection& r) {
  if (r.code == absl::StatusCode::kInvalidArgument) {
    return InvalidArgument({{r.field, r.reason}});
  }
  return absl::Status(r.code, absl::StrCat(r.field, ": ", r.reason));
}

// The answer to one Submit: its row's result, or the store's refusal.
absl::StatusOr<v1::SubmitResponse> SubmitAnswer(
    absl::StatusOr<CommitResult> result) {
  if (!result.ok()) return result.status();
  if (!result->rejected.empty()) return RefusalOf(result->rejected.front());
  RowResult& row = result->rows.front();
  v1::SubmitResponse response;
  response.set_revision(row.revision);
  response.set_outcome(row.outcome);
  response.set_replayed(row.replayed);
  *response.mutable_school() = std::move(row.school);
  return response;
}

// The answer to one Retract.
absl::StatusOr<v1::RetractResponse> RetractAnswer(
    absl::StatusOr<CommitResult> result) {
  if (!result.ok()) return result.status();
  if (!result->rejected.empty()) return RefusalOf(result->rejected.front());
  RowResult& row = result->rows.front();
  v1::RetractResponse response;
  response.set_revision(row.revision);
  response.set_school_removed(row.school_removed);
  for (int grade : row.grades_removed) response.add_grades_removed(grade);
  if (!row.school_removed) *response.mutable_school() = std::move(row.school);
  response.set_replayed(row.replayed);
  return response;
}

// The answer to one PutRoster.
absl::StatusOr<v1::PutRosterResponse> RosterAnswer(
    absl::StatusOr<CommitResult> result) {
  if (!result.ok()) return result.status();
  if (!result->rejected.empty()) return RefusalOf(result->rejected.front());
  const RowResult& row = result->rows.front();
  v1::PutRosterResponse response;
  response.set_revision(row.revision);
  response.set_added(row.roster.added);
  response.set_changed(row.roster.changed);
  response.set_removed(row.roster.removed);
  response.set_unchanged(row.roster.unchanged);
  response.set_replayed(row.replayed);
  return response;
}

// The answer to one PutRegions.
absl::StatusOr<v1::PutRegionsResponse> RegionsAnswer(
    absl::StatusOr<CommitResult> result) {
  if (!result.ok()) return result.status();
  if (!result->rejected.empty()) return RefusalOf(result->rejected.front());
  const RowResult& row = result->rows.front();
  v1::PutRegionsResponse response;
  response.set_revision(row.revision);
  response.set_added(row.regions.added);
  response.set_changed(row.regions.changed);
  response.set_unchanged(row.regions.unchanged);
  response.set_replayed(row.replayed);
  return response;
}

}  // namespace

grpc::ServerUnaryReactor* IngestServiceImpl::PutRegions(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnaryAsync<v1::PutRegionsRequest, v1::PutRegionsResponse>(
      {context, request, response, Method::kPutRegions}, *authorizer_, store_,
      kNotReady, ValidatePutRegionsRequest,
      [](SubmissionStore& store, v1::PutRegionsRequest regions,
         const Caller& caller, UnaryReply<v1::PutRegionsResponse> reply) {
        const bool dry_run = regions.dry_run();
        const int entries = regions.regions_size();
        std::vector<storage::Change> rows(1);
        *rows[0].mutable_regions() = std::move(regions);
        store.Commit(
            std::move(rows), {dry_run, caller.principal},
            [reply = std::move(reply), principal = caller.LogName(), dry_run,
             entries](absl::StatusOr<CommitResult> result) mutable {
              absl::StatusOr<v1::PutRegionsResponse> answer =
                  RegionsAnswer(std::move(result));
              LogMutation("PutRegions", principal, entries,
                          answer.ok() ? answer->revision() : 0, dry_run,
                          answer.status(),
                          answer.ok()
                              ? absl::StrCat("added=", answer->added(),
                                             " changed=", answer->changed(),
                                             " unchanged=", answer->unchanged())
                              : "");
              reply(std::move(answer));
            });
      });
}

grpc::ServerUnaryReactor* IngestServiceImpl::GetRegions(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetRegionsRequest>(
      {context, request, response, Method::kGetRegions}, *authorizer_, store_,
      kNotReady, ValidateGetRegionsRequest,
      [](SubmissionStore& store, const v1::GetRegionsRequest& r,
         const Caller&) { return store.GetRegions(r); });
}

grpc::ServerUnaryReactor* IngestServiceImpl::PutRoster(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnaryAsync<v1::PutRosterRequest, v1::PutRosterResponse>(
      {context, request, response, Method::kPutRoster}, *authorizer_, store_,
      kNotReady, ValidatePutRosterRequest,
      [](SubmissionStore& store, v1::PutRosterRequest roster,
         const Caller& caller, UnaryReply<v1::PutRosterResponse> reply) {
        const bool dry_run = roster.dry_run();
        const int entries = roster.schools_size();
        std::vector<storage::Change> rows(1);
        *rows[0].mutable_roster() = std::move(roster);
        store.Commit(
            std::move(rows), {dry_run, caller.principal},
            [reply = std::move(reply), principal = caller.LogName(), dry_run,
             entries](absl::StatusOr<CommitResult> result) mutable {
              absl::StatusOr<v1::PutRosterResponse> answer =
                  RosterAnswer(std::move(result));
              LogMutation(
                  "PutRoster", principal, entries,
                  answer.ok() ? answer->revision() : 0, dry_run,
                  answer.status(),
                  answer.ok() ? absl::StrCat("added=", answer->added(),
                                             " changed=", answer->changed(),
                                             " removed=", answer->removed(),
                                             " unchanged=", answer->unchanged())
                              : "");
              reply(std::move(answer));
            });
      });
}

grpc::ServerUnaryReactor* IngestServiceImpl::GetRoster(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetRosterRequest>(
      {context, request, response, Method::kGetRoster}, *authorizer_, store_,
      kNotReady, ValidateGetRosterRequest,
      [](SubmissionStore& store, const v1::GetRosterRequest& r,
         const Caller&) { return store.GetRoster(r); });
}

grpc::ServerUnaryReactor* IngestServiceImpl::Retract(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnaryAsync<v1::RetractRequest, v1::RetractResponse>(
      {context, request, response, Method::kRetract}, *authorizer_, store_,
      kNotReady, ValidateRetractRequest,
      [](SubmissionStore& store, v1::RetractRequest retract,
         const Caller& caller, UnaryReply<v1::RetractResponse> reply) {
        const bool dry_run = retract.dry_run();
        std::vector<storage::Change> rows(1);
        *rows[0].mutable_retract() = std::move(retract);
        store.Commit(std::move(rows), {dry_run, caller.principal},
                     [reply = std::move(reply), principal = caller.LogName(),
                      dry_run](absl::StatusOr<CommitResult> result) mutable {
                       absl::StatusOr<v1::RetractResponse> answer =
                           RetractAnswer(std::move(result));
                       LogMutation("Retract", principal, 1,
                                   answer.ok() ? answer->revision() : 0,
                                   dry_run, answer.status(),
                                   !answer.ok()                ? ""
                                   : answer->school_removed() ? "SCHOOL_REMOVED"
                                                              : "GRADES_REMOVED");
                       reply(std::move(answer));
                     });
      });
}

grpc::ServerUnaryReactor* IngestServiceImpl::Submit(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnaryAsync<v1::SubmitRequest, v1::SubmitResponse>(
      {context, request, response, Method::kSubmit}, *authorizer_, store_,
      kNotReady, ValidateSubmitRequest,
      [](SubmissionStore& store, v1::SubmitRequest submit, const Caller& caller,
         UnaryReply<v1::SubmitResponse> reply) {
        const bool dry_run = submit.dry_run();
        std::vector<storage::Change> rows(1);
        *rows[0].mutable_submit() = std::move(submit);
        store.Commit(std::move(rows), {dry_run, caller.principal},
                     [reply = std::move(reply), principal = caller.LogName(),
                      dry_run](absl::StatusOr<CommitResult> result) mutable {
                       absl::StatusOr<v1::SubmitResponse> answer =
                           SubmitAnswer(std::move(result));
                       LogMutation("Submit", principal, 1,
                                   answer.ok() ? answer->revision() : 0,
                                   dry_run, answer.status(),
                                   answer.ok() ? v1::Outcome_Name(
                                                     answer->outcome())
                                               : "");
                       reply(std::move(answer));
                     });
      });
}

grpc::ServerReadReactor<grpc::ByteBuffer>* IngestServiceImpl::SubmitBatch(
    grpc::CallbackServerContext* context, grpc::ByteBuffer* summary) {
  using BatchStream = grpc::ServerReadReactor<grpc::ByteBuffer>;
  absl::StatusOr<Caller> caller =
      authorizer_->Authorize(*context, Method::kSubmitBatch);
  if (!caller.ok()) {
    LogMutation("SubmitBatch", PeerPrincipal(*context), 0, 0, false,
                caller.status(), "");
    return RefuseStream<BatchStream>(ToGrpcStatus(caller.status()));
  }
  if (!store_.Borrow()) return RefuseStream<BatchStream>(kNotReady);
  return NewSubmitBatchReactor(&store_, kNotReady, *std::move(caller),
                               limits_.batch, &batch_budget_, context, summary);
}

grpc::ServerUnaryReactor* IngestServiceImpl::GetSchool(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::GetSchoolRequest>(
      {context, request, response, Method::kGetSchool}, *authorizer_, store_,
      kNotReady, ValidateGetSchoolRequest,
      [](SubmissionStore& store, const v1::GetSchoolRequest& r,
         const Caller&) {
        return store.GetSchool(SchoolKeyOf(r));
      });
}

grpc::ServerUnaryReactor* IngestServiceImpl::ListSchools(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  // AuthorizeScope narrowed the request to the caller's county/district.
  return ServeUnary<v1::ListSchoolsRequest>(
      {context, request, response, Method::kListSchools}, *authorizer_, store_,
      kNotReady, ValidateListSchoolsRequest,
      [](SubmissionStore& store, const v1::ListSchoolsRequest& r,
         const Caller&) {
        return store.ListSchools(r);
      });
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* IngestServiceImpl::Watch(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  using WatchStream = grpc::ServerWriteReactor<grpc::ByteBuffer>;
  absl::StatusOr<Caller> caller =
      authorizer_->Authorize(*context, Method::kWatch);
  if (!caller.ok()) {
    return RefuseStream<WatchStream>(ToGrpcStatus(caller.status()));
  }
  v1::WatchRequest request;
  if (absl::Status parsed = ParseRequest(*raw_request, request); !parsed.ok()) {
    return RefuseStream<WatchStream>(ToGrpcStatus(parsed));
  }
  std::vector<FieldViolation> violations = ValidateWatchRequest(request);
  if (!violations.empty()) {
    return RefuseStream<WatchStream>(ToGrpcStatus(InvalidArgument(violations)));
  }
  {
    // Released before the reactor borrows the store for itself.
    auto store = store_.Borrow();
    if (!store) return RefuseStream<WatchStream>(kNotReady);
    if (request.after_revision() > store->revision()) {
      // A position this history never reached: the client follows another
      // history, or its own state is ahead of ours.
      return RefuseStream<WatchStream>(grpc::Status(
          grpc::StatusCode::OUT_OF_RANGE,
          absl::StrCat("after_revision ", request.after_revision(),
                       " is beyond the newest revision ", store->revision(),
                       " of history ", store->history_id(),
                       "; watch from at most that revision")));
    }
  }
  return new WatchReactor(&store_, &fragments_, waker_, context,
                          limits_.watch_stall_limit, clock_, request);
}

grpc::ServerUnaryReactor* IngestServiceImpl::Compact(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  // The store checks the revision against its own (1..current).
  return ServeUnary<v1::CompactRequest>(
      {context, request, response, Method::kCompact}, *authorizer_, store_,
      kNotReady, nullptr,
      [](SubmissionStore& store, const v1::CompactRequest& r,
         const Caller& caller) -> absl::StatusOr<v1::CompactResponse> {
        absl::StatusOr<int64_t> oldest = store.Compact(r.revision());
        LogMutation("Compact", caller.LogName(), 0, r.revision(), false,
                    oldest.status(), "");
        if (!oldest.ok()) return oldest.status();
        v1::CompactResponse answer;
        answer.set_oldest_revision(*oldest);
        answer.set_revision(store.revision());
        return answer;
      });
}

grpc::ServerUnaryReactor* IngestServiceImpl::Backup(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return ServeUnary<v1::BackupRequest>(
      {context, request, response, Method::kBackup}, *authorizer_, store_,
      kNotReady, nullptr,
      [](SubmissionStore& store, const v1::BackupRequest&,
         const Caller& caller) -> absl::StatusOr<v1::BackupResponse> {
        absl::StatusOr<v1::BackupResponse> backup = store.Backup();
        Log(backup.ok() ? LogLevel::kInfo : LogLevel::kError, "backup",
            "Backup",
            {{"principal", caller.LogName()},
             {"path", backup.ok() ? backup->path() : ""},
             {"revision", absl::StrCat(backup.ok() ? backup->revision() : 0)},
             {"outcome", backup.ok() ? "OK" : backup.status().ToString()}});
        return backup;
      });
}

}  // namespace headcount::ingest
