#include "common/server/command_line.h"

#include <errno.h>

#include <cstdio>
#include <cstdlib>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "build_version.h"  // generated: HEADCOUNT_VERSION, HEADCOUNT_COMMIT
#include "common/server/log.h"

ABSL_FLAG(std::string, metrics_listen, "",
          "HOST:PORT to serve Prometheus metrics on, at /metrics (port 0 "
          "picks one); empty: no metrics endpoint");
ABSL_FLAG(std::string, health_listen, "",
          "HOST:PORT of a plaintext listener serving only grpc.health.v1.Health "
          "(port 0 picks one), for probes without client certificates such "
          "as Kubernetes' gRPC probes: \"\" there is liveness, the service's "
          "name readiness; empty: none");
ABSL_FLAG(std::string, log_format, "text",
          "text (one line per event: time, level, program, component, "
          "message, key=value fields) or json (one object per line, for log "
          "collectors)");

namespace headcount {
namespace {

// Flags of our own files, not of Abseil's (--flagfile, --undefok ...).
bool OurFlag(absl::string_view file) {
  return !absl::StrContains(file, "absl/");
}

}  // namespace

std::string VersionLine(absl::string_view program) {
  return absl::StrCat(program, " ", HEADCOUNT_VERSION, " (commit ",
                      HEADCOUNT_COMMIT, ", ", HEADCOUNT_BUILD_TYPE, " build)");
}

std::vector<char*> ParseServerFlags(int argc, char** argv,
                                    absl::string_view usage) {
  // glibc's basename of argv[0], as every log line names the program.
  const absl::string_view program = program_invocation_short_name;
  static std::string version;
  version = VersionLine(program);
  absl::FlagsUsageConfig config;
  config.contains_help_flags = OurFlag;
  config.contains_helpshort_flags = OurFlag;
  config.version_string = [] { return version + "\n"; };
  config.normalize_filename = [](absl::string_view file) {
    // Source paths relative to the project, not to the build machine.
    for (absl::string_view top :
         {"common/", "ingest_service/", "audit_service/"}) {
      const size_t at = file.find(top);
      if (at != absl::string_view::npos) return std::string(file.substr(at));
    }
    return std::string(file);
  };
  absl::SetFlagsUsageConfig(config);
  absl::SetProgramUsageMessage(usage);
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  absl::StatusOr<LogFormat> format =
      ParseLogFormat(absl::GetFlag(FLAGS_log_format));
  if (!format.ok()) {
    std::fprintf(stderr, "%s: %s\n", std::string(program).c_str(),
                 std::string(format.status().message()).c_str());
    std::exit(2);
  }
  SetLogFormat(*format);
  // Debian's libabsl is built without NDEBUG, so every absl::Mutex would
  // run Abseil's deadlock detector (GraphCycles, a stack trace and a graph
  // update per lock), as only a debug build does: 11% of the ingest's
  // committing thread under 16 submitting clients (perf, BENCHMARKS.md).
  // A server runs as a release build would; the tests, which do not come
  // through here, keep the detector.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  return rest;
}

std::string HealthListenFlag() { return absl::GetFlag(FLAGS_health_listen); }

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> StartMetricsFromFlags() {
  const std::string listen = absl::GetFlag(FLAGS_metrics_listen);
  if (listen.empty()) return nullptr;
  absl::StatusOr<std::unique_ptr<MetricsEndpoint>> endpoint =
      MetricsEndpoint::Start(listen);
  if (!endpoint.ok()) return endpoint.status();
  std::printf("metrics on %s\n", (*endpoint)->address().c_str());
  std::fflush(stdout);
  return endpoint;
}

}  // namespace headcount
