// One SubmitBatch call: reads a district's rows, validates each as it
// arrives, then commits them all as one revision (all or nothing). A
// rejection fails the call with the ImportSummary and a
// google.rpc.BadRequest in the status details; a dry run answers the
// summary and stores nothing.
#ifndef HEADCOUNT_INGEST_SERVICE_SUBMIT_BATCH_REACTOR_H_
#define HEADCOUNT_INGEST_SERVICE_SUBMIT_BATCH_REACTOR_H_

#include "common/auth/caller.h"
#include "common/server/attached_store.h"
#include "ingest_service/batch_budget.h"
#include "grpcpp/grpcpp.h"
#include "ingest_service/submission_store.h"

namespace headcount::ingest {

// The reactor of one call; it deletes itself when the call is done.
// `store` is not owned and outlives the call; while none is attached the
// call ends with `not_ready`. `caller` may call SubmitBatch; a row outside
// its scope ends the call with PERMISSION_DENIED naming the row, nothing
// stored. A call that breaks off before the client's end of stream
// (cancelled, deadline, connection lost) stores nothing. `summary` is the
// call's raw response. The call is logged
// (LogMutation) when it ends. A batch past `limits` (rows, bytes) or whose
// rows would take `budget` (not owned, shared by concurrent batches) past
// its capacity ends with RESOURCE_EXHAUSTED naming the limit, nothing
// stored; what it took returns to the budget when the call is done.
grpc::ServerReadReactor<grpc::ByteBuffer>* NewSubmitBatchReactor(
    const AttachedStore<SubmissionStore>* store, const grpc::Status& not_ready,
    Caller caller, const BatchLimits& limits, BatchBudget* budget,
    grpc::CallbackServerContext* context, grpc::ByteBuffer* summary);

}  // namespace headcount::ingest

#endif  // HEADCOUNT_INGEST_SERVICE_SUBMIT_BATCH_REACTOR_H_
