// The command line of a server binary: --version (the project version and
// the commit it was built from), --help (its own flags, with their
// defaults, not Abseil's internals) and --log_format.
#ifndef HEADCOUNT_COMMON_SERVER_COMMAND_LINE_H_
#define HEADCOUNT_COMMON_SERVER_COMMAND_LINE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/server/metrics.h"

namespace headcount {

// "headcount-ingest 0.6.0 (commit 0123abc..., RelWithDebInfo build)".
std::string VersionLine(absl::string_view program);

// Sets the usage text and the --help/--version behaviour, then parses the
// command line as absl::ParseCommandLine does (exiting for --help,
// --version and unknown flags), and applies --log_format (exit 2 if it is
// neither text nor json). --help lists the flags defined in this project's
// files, each with its default; --helpfull adds Abseil's own. Turns off
// Abseil's mutex deadlock detection, as a release build of Abseil has it.
std::vector<char*> ParseServerFlags(int argc, char** argv,
                                    absl::string_view usage);

// --health_listen: the address of the health-only listener, or empty.
std::string HealthListenFlag();

// When --metrics_listen is set: serves /metrics there (MetricsEndpoint)
// and prints "metrics on HOST:PORT" on stdout. Null when it is empty; an
// error naming the flag when the address is bad or cannot be bound.
absl::StatusOr<std::unique_ptr<MetricsEndpoint>> StartMetricsFromFlags();

}  // namespace headcount

#endif  // HEADCOUNT_COMMON_SERVER_COMMAND_LINE_H_
