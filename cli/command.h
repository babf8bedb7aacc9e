// A `headcount` subcommand: declares its options on its CLI11 app, then
// runs. Failures print one line on stderr ("headcount: ...", never a raw
// status) and return exit code 1; misuse of the options exits 2.
#ifndef HEADCOUNT_CLI_COMMAND_H_
#define HEADCOUNT_CLI_COMMAND_H_

#include <memory>

#include "CLI/CLI.hpp"
#include "common/rpc/tls_files.h"

namespace headcount::cli {

class Command {
 public:
  virtual ~Command() = default;
  // Declares the options and positionals on `app`, its subcommand.
  virtual void Define(CLI::App& app) = 0;
  // Runs with the parsed options; returns the exit code.
  virtual int Run() = 0;
};

// Each command connects with `tls` (not owned; filled by the options
// before Run).
// headcount submit [--ingest=HOST:PORT] [--per-school] [--allow-partial]
// FILE...
std::unique_ptr<Command> NewSubmitCommand(const TlsFiles* tls);
// headcount retract [--ingest=HOST:PORT] --term --county --district
// --school [--grades=LIST] [--dry-run] [--id=ID]
std::unique_ptr<Command> NewRetractCommand(const TlsFiles* tls);
// headcount roster import FILE [--ingest=HOST:PORT] [--district=D]
// [--sheet=NAME] [--dry-run]
std::unique_ptr<Command> NewRosterCommand(const TlsFiles* tls);
// headcount regions import FILE [--ingest=HOST:PORT] [--dry-run]
std::unique_ptr<Command> NewRegionsCommand(const TlsFiles* tls);
// headcount report [--audit=HOST:PORT] --term=T [--county=C] [--district=D]
std::unique_ptr<Command> NewReportCommand(const TlsFiles* tls);
// headcount alerts [--audit=HOST:PORT] [filters] [--follow] [--after=ID]
std::unique_ptr<Command> NewAlertsCommand(const TlsFiles* tls);
// headcount backup [--ingest=HOST:PORT]
std::unique_ptr<Command> NewBackupCommand(const TlsFiles* tls);
// headcount health ADDRESS [--service=NAME] [--wait=SECONDS]
std::unique_ptr<Command> NewHealthCommand(const TlsFiles* tls);

}  // namespace headcount::cli

#endif  // HEADCOUNT_CLI_COMMAND_H_
