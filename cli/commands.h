// The `headcount` subcommands. Each returns the process exit code and prints
// failures as one line on stderr ("headcount: ..."), never a raw status.
#ifndef HEADCOUNT_CLI_COMMANDS_H_
#define HEADCOUNT_CLI_COMMANDS_H_

#include <string>
#include <vector>

namespace headcount::cli {

// headcount submit --ingest ADDR FILE...
int RunSubmit(const std::vector<std::string>& args);
// headcount report --audit ADDR --term T [--county C] [--district D] [--format F]
int RunReport(const std::vector<std::string>& args);
// headcount alerts --audit ADDR [--term T] [--follow] [--after ID] [--format F]
int RunAlerts(const std::vector<std::string>& args);

}  // namespace headcount::cli

#endif  // HEADCOUNT_CLI_COMMANDS_H_
