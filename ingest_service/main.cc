// headcount-ingest: the system of record for school headcount submissions.
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/server/command_line.h"
#include "common/server/feed_stream_reactor.h"
#include "common/server/grpc_server.h"
#include "common/server/limit_flags.h"
#include "common/server/log.h"
#include "common/server/security_flags.h"
#include "common/server/service_host.h"
#include "ingest_service/ingest_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "HOST:PORT to serve on; port 0 picks a free port");
ABSL_FLAG(std::string, data_dir, "",
          "RocksDB directory holding the submissions (created if missing)");
ABSL_FLAG(std::string, backup_dir, "",
          "directory where the operator's Backup call writes consistent "
          "copies of the store (one subdirectory each; keep it on the data "
          "directory's file system so that copies hard-link, then copy them "
          "off the host); empty: Backup is refused");
ABSL_FLAG(absl::Duration, watch_stall_limit, headcount::kDefaultStallLimit,
          "cancel a Watch stream (RESOURCE_EXHAUSTED) whose client reads "
          "nothing for this long while revisions are due; 0: never");

namespace {
const headcount::ingest::BatchLimits kBatchDefaults;
}  // namespace

ABSL_FLAG(int, max_batch_rows, kBatchDefaults.max_rows,
          "rows one SubmitBatch may carry (RESOURCE_EXHAUSTED beyond)");
ABSL_FLAG(int, max_batch_mib, static_cast<int>(kBatchDefaults.max_bytes >> 20),
          "MiB one SubmitBatch may carry, as sent (RESOURCE_EXHAUSTED beyond)");
ABSL_FLAG(int, batch_memory_mib,
          static_cast<int>(kBatchDefaults.memory_bytes >> 20),
          "MiB the rows of all SubmitBatch calls in progress may hold "
          "together; a batch that would pass it gets RESOURCE_EXHAUSTED");
ABSL_FLAG(int, watch_cache_mib,
          static_cast<int>(headcount::ingest::kDefaultFragmentCacheBytes >> 20),
          "MiB of serialized revisions kept for all Watch streams together");

int main(int argc, char** argv) {
  headcount::BlockTerminationSignals();
  headcount::ParseServerFlags(
      argc, argv,
      "Serves headcount.v1.IngestService: stores school headcount "
      "submissions durably and streams every change.\n"
      "usage: headcount-ingest --data_dir=DIR [--listen=HOST:PORT] "
      "[--tls_cert=PEM --tls_key=PEM --tls_client_ca=PEM --policy=JSON]");
  if (absl::GetFlag(FLAGS_data_dir).empty()) {
    headcount::Log(headcount::LogLevel::kError, "flags", "--data_dir is required");
    return 2;
  }
  headcount::ingest::IngestServer::Options options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.health_listen = headcount::HealthListenFlag();
  options.store.data_dir = absl::GetFlag(FLAGS_data_dir);
  options.store.backup_dir = absl::GetFlag(FLAGS_backup_dir);
  options.watch_stall_limit = absl::GetFlag(FLAGS_watch_stall_limit);
  const int batch_rows = absl::GetFlag(FLAGS_max_batch_rows);
  const int batch_mib = absl::GetFlag(FLAGS_max_batch_mib);
  const int batch_memory_mib = absl::GetFlag(FLAGS_batch_memory_mib);
  const int watch_cache_mib = absl::GetFlag(FLAGS_watch_cache_mib);
  if (batch_rows < 1 || batch_mib < 1 || batch_memory_mib < 1 ||
      watch_cache_mib < 1) {
    headcount::Log(headcount::LogLevel::kError, "flags",
                   "--max_batch_rows, --max_batch_mib, --batch_memory_mib and "
                   "--watch_cache_mib must be at least 1");
    return 2;
  }
  options.batch_limits.max_rows = batch_rows;
  options.batch_limits.max_bytes = static_cast<size_t>(batch_mib) << 20;
  options.batch_limits.memory_bytes = static_cast<size_t>(batch_memory_mib)
                                      << 20;
  options.watch_cache_bytes = static_cast<size_t>(watch_cache_mib) << 20;
  auto security = headcount::ServerSecurityFromFlags(options.listen);
  if (!security.ok()) {
    headcount::Log(headcount::LogLevel::kError, "flags", security.status().message());
    return 2;
  }
  options.security = *std::move(security);
  std::string limits_description;
  auto limits = headcount::ResourceLimitsFromFlags(limits_description);
  if (!limits.ok()) {
    headcount::Log(headcount::LogLevel::kError, "flags", limits.status().message());
    return 2;
  }
  options.limits = *limits;
  options.disk_floor_bytes = headcount::DiskFloorBytesFlag();
  headcount::Log(headcount::LogLevel::kInfo, "server", limits_description);
  headcount::Log(headcount::LogLevel::kInfo, "server",
                 options.security.description);

  auto server = headcount::ingest::IngestServer::StartListening(options);
  if (!server.ok()) {
    headcount::Log(headcount::LogLevel::kError, "server", server.status().ToString());
    return 1;
  }
  headcount::ingest::IngestServer& ingest = **server;
  auto metrics = headcount::StartMetricsFromFlags();
  if (!metrics.ok()) {
    headcount::Log(headcount::LogLevel::kError, "flags",
                   metrics.status().message());
    return 2;
  }
  return headcount::ServeUntilSignalled(
      options.store.data_dir, ingest.host(), [&ingest] {
        return absl::StrCat("serving at revision ", ingest.store()->revision());
      });
}
