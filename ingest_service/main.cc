// headcount-ingest: the system of record for school headcount submissions.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/server/feed_stream_reactor.h"
#include "common/server/grpc_server.h"
#include "common/server/security_flags.h"
#include "common/server/service_host.h"
#include "ingest_service/ingest_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "HOST:PORT to serve on; port 0 picks a free port");
ABSL_FLAG(std::string, data_dir, "",
          "RocksDB directory holding the submissions (created if missing)");
ABSL_FLAG(absl::Duration, watch_stall_limit, headcount::kDefaultStallLimit,
          "cancel a Watch stream (RESOURCE_EXHAUSTED) whose client reads "
          "nothing for this long while revisions are due; 0: never");

int main(int argc, char** argv) {
  headcount::BlockTerminationSignals();
  absl::SetProgramUsageMessage(
      "Serves headcount.v1.IngestService: stores school headcount "
      "submissions durably and streams every change.\n"
      "usage: headcount-ingest --data_dir=DIR [--listen=HOST:PORT] "
      "[--tls_cert=PEM --tls_key=PEM --tls_client_ca=PEM --policy=JSON]");
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_data_dir).empty()) {
    std::fprintf(stderr, "headcount-ingest: --data_dir is required\n");
    return 2;
  }
  headcount::ingest::IngestServer::Options options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.store.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.watch_stall_limit = absl::GetFlag(FLAGS_watch_stall_limit);
  auto security = headcount::ServerSecurityFromFlags(options.listen);
  if (!security.ok()) {
    std::fprintf(stderr, "headcount-ingest: %s\n",
                 std::string(security.status().message()).c_str());
    return 2;
  }
  options.security = *std::move(security);
  std::fprintf(stderr, "headcount-ingest: %s\n",
               options.security.description.c_str());

  auto server = headcount::ingest::IngestServer::StartListening(options);
  if (!server.ok()) {
    std::fprintf(stderr, "headcount-ingest: %s\n",
                 server.status().ToString().c_str());
    return 1;
  }
  headcount::ingest::IngestServer& ingest = **server;
  return headcount::ServeUntilSignalled(
      "headcount-ingest", options.store.data_dir, ingest.host(), [&ingest] {
        return absl::StrCat("serving at revision ", ingest.store()->revision());
      });
}
