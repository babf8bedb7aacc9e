// What every subcommand does around its calls: one-line failures, the
// deadline of each call, and what a failed call means in words.
#ifndef HEADCOUNT_CLI_CLIENT_H_
#define HEADCOUNT_CLI_CLIENT_H_

#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/rpc/tls_files.h"
#include "grpcpp/grpcpp.h"
#include "headcount/v1/audit.pb.h"

namespace headcount::cli {

// Prints "headcount: `message`" on stderr; returns exit code 1.
int Fail(const std::string& message);

// A context whose deadline is `timeout` from now.
std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration timeout);

// A channel to `address`: TLS when `tls` names a CA (--ca, --cert, --key
// or HEADCOUNT_CA, HEADCOUNT_CERT, HEADCOUNT_KEY), else plaintext.
// INVALID_ARGUMENT naming the option when the files are incomplete or
// unreadable.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const std::string& address, const TlsFiles& tls);

// Declares --source=inspection|self-check (default inspection) into
// `source`, described by `what`; SourceOf turns the value into the API's.
void AddSourceOption(CLI::App& app, std::string& source,
                     const std::string& what);
v1::Source SourceOf(const std::string& source);

// Declares --ca, --cert and --key (with their environment variables) on
// `app`, filling `tls`.
void DefineTlsOptions(CLI::App& app, TlsFiles& tls);

// True when a call that failed with `status` may still have been carried
// out: the answer was lost (deadline, connection dropped after sending,
// cancelled, internal errors). False for refusals and for a connection
// never made.
bool OutcomeUnknown(const grpc::Status& status);

// What to say when OutcomeUnknown: "... may or may not have been stored;
// running the same command again is safe ...".
std::string UnknownOutcome(const grpc::Status& status, const std::string& what,
                           const std::string& address);

// One line saying what went wrong talking to `what` (like "audit service")
// at `address`: unreachable, too slow (see --timeout), or its refusal.
std::string Describe(const grpc::Status& status, const std::string& what,
                     const std::string& address);

// Prints "headcount: warning: ..." on stderr when an answer of the audit
// at `address` may be stale: its feed from the ingest is down (since when,
// and for how long) or it has not applied the ingest's newest revision.
// Nothing when it is fresh.
void WarnIfStale(const v1::Freshness& freshness, const std::string& address);

}  // namespace headcount::cli

#endif  // HEADCOUNT_CLI_CLIENT_H_
