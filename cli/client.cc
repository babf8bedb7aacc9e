#include "cli/client.h"

#include <algorithm>
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace headcount::cli {

int Fail(const std::string& message) {
  std::fprintf(stderr, "headcount: %s\n", message.c_str());
  return 1;
}

std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(
    const std::string& address, const TlsFiles& tls) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentials(tls, "--");
  if (!credentials.ok()) return credentials.status();
  // A service back from a restart is found within a second or two (gRPC's
  // default backoff grows to two minutes; `alerts --follow` retries on its
  // own schedule).
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  return grpc::CreateCustomChannel(address, *credentials, args);
}

void DefineTlsOptions(CLI::App& app, TlsFiles& tls) {
  app.add_option("--ca", tls.ca,
                 "PEM CA that signs the services' certificates: connect "
                 "with TLS")
      ->envname("HEADCOUNT_CA");
  app.add_option("--cert", tls.cert,
                 "PEM client certificate (its CN is your principal in the "
                 "services' policy)")
      ->envname("HEADCOUNT_CERT");
  app.add_option("--key", tls.key, "PEM private key of --cert")
      ->envname("HEADCOUNT_KEY");
}

bool OutcomeUnknown(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      // gRPC's words when no connection could be made: nothing was sent.
      return !absl::StrContains(status.error_message(), "failed to connect");
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::ABORTED:
      return true;
    default:
      return false;
  }
}

std::string UnknownOutcome(const grpc::Status& status, const std::string& what,
                           const std::string& address) {
  return absl::StrCat(
      "no answer from the ", what, " at ", address, " (",
      status.error_message(),
      "): what was sent may or may not have been stored; running the same "
      "command again is safe (counts replace counts: schools already "
      "stored with these counts come back unchanged)");
}

std::string Describe(const grpc::Status& status, const std::string& what,
                     const std::string& address) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      return absl::StrCat("cannot reach the ", what, " at ", address, " (",
                          status.error_message(), ")");
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::StrCat("the ", what, " at ", address,
                          " did not answer in time (see --timeout)");
    case grpc::StatusCode::UNAUTHENTICATED:
      return absl::StrCat("the ", what, " refused: ", status.error_message(),
                          " (see --ca, --cert, --key)");
    case grpc::StatusCode::UNIMPLEMENTED:
      // Another service on that port (the ingest's and the audit's are
      // easily swapped): gRPC says no more than UNIMPLEMENTED.
      return absl::StrCat(address, " does not serve the ", what,
                          " (UNIMPLEMENTED: it serves something else; by "
                          "default the ingest service listens on port 50051 "
                          "and the audit service on 50052)");
    default:
      return absl::StrCat("the ", what, " refused: ", status.error_message());
  }
}

void WarnIfStale(const v1::Freshness& freshness, const std::string& address) {
  if (freshness.has_feed_unreachable_since()) {
    const absl::Time since =
        absl::FromUnixSeconds(freshness.feed_unreachable_since().seconds()) +
        absl::Nanoseconds(freshness.feed_unreachable_since().nanos());
    std::fprintf(
        stderr,
        "headcount: warning: the audit at %s has not reached the ingest since "
        "%s (%s); this shows ingest revision %lld and may be stale\n",
        address.c_str(),
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", since, absl::UTCTimeZone())
            .c_str(),
        absl::FormatDuration(
            std::max(absl::Seconds(1),
                     absl::Trunc(absl::Now() - since, absl::Seconds(1))))
            .c_str(),
        static_cast<long long>(freshness.applied_revision()));
  } else if (freshness.ingest_revision() > freshness.applied_revision()) {
    std::fprintf(stderr,
                 "headcount: warning: the audit at %s is catching up: this "
                 "shows ingest revision %lld of %lld\n",
                 address.c_str(),
                 static_cast<long long>(freshness.applied_revision()),
                 static_cast<long long>(freshness.ingest_revision()));
  }
}

void AddSourceOption(CLI::App& app, std::string& source,
                     const std::string& what) {
  app.add_option("--source", source, what)
      ->capture_default_str()
      ->check(CLI::IsMember({"inspection", "self-check"}));
}

v1::Source SourceOf(const std::string& source) {
  return source == "self-check" ? v1::SELF_CHECK : v1::INSPECTION;
}

}  // namespace headcount::cli
