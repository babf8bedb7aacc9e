// headcount: the client for people with spreadsheets and for auditors.
// Options are parsed by CLI11 (generated --help per subcommand); its parse
// errors are the only exceptions in the project and end here.
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli/client.h"
#include "cli/command.h"

int main(int argc, char** argv) {
  CLI::App app{
      "headcount: send headcount spreadsheets to the ingest service, print "
      "the audit's tables and alerts.",
      "headcount"};
  app.require_subcommand(1);
  // --ca, --cert, --key anywhere on the line, before or after the
  // subcommand.
  headcount::TlsFiles tls;
  headcount::cli::DefineTlsOptions(app, tls);
  app.fallthrough();
  struct Entry {
    const char* name;
    const char* description;
    std::unique_ptr<headcount::cli::Command> command;
    CLI::App* app = nullptr;
  };
  std::vector<Entry> entries;
  entries.push_back(
      {"submit",
       "Submits headcount spreadsheets (.xlsx, .xls, or CSV/TSV in "
       "UTF-8 or GBK; English or Chinese header) to the ingest "
       "service: one row per school and grade, grouped per school. "
       "Counts equal to those stored change nothing; older counts "
       "sent again restore them.",
       headcount::cli::NewSubmitCommand(&tls)});
  entries.push_back(
      {"retract",
       "Removes counts submitted in error: --grades of a school, or the "
       "whole school (a misspelt name). A revision like a submission: the "
       "audit's sums go down and the alerts they end are cleared.",
       headcount::cli::NewRetractCommand(&tls)});
  entries.push_back(
      {"roster",
       "The schools a county expects counts from: `roster import FILE` "
       "sends a roster (term, county, district, school, grades).",
       headcount::cli::NewRosterCommand(&tls)});
  entries.push_back(
      {"regions",
       "Which city and province each county lies in: `regions import FILE` "
       "(county, city, province).",
       headcount::cli::NewRegionsCommand(&tls)});
  entries.push_back({"report",
                     "Prints the county table (the notice's attachment 1: one "
                     "row per district, in pinyin order, with the total), or "
                     "with --district the same per school.",
                     headcount::cli::NewReportCommand(&tls)});
  entries.push_back({"alerts",
                     "Prints the open alerts (grades, schools, districts, "
                     "counties over the threshold), or with --after the alert "
                     "events after that id; --follow keeps streaming, resuming "
                     "after the last id printed if the connection drops.",
                     headcount::cli::NewAlertsCommand(&tls)});
  entries.push_back({"backup",
                     "Asks the ingest for a consistent copy of its store, "
                     "written on its host under its --backup_dir (the "
                     "operator's call); prints where and at which revision.",
                     headcount::cli::NewBackupCommand(&tls)});
  entries.push_back({"health",
                     "Asks a service whether it is SERVING (grpc.health.v1): "
                     "exit 0 if so, 1 if not; --wait keeps asking.",
                     headcount::cli::NewHealthCommand(&tls)});
  for (Entry& entry : entries) {
    entry.app = app.add_subcommand(entry.name, entry.description);
    entry.command->Define(*entry.app);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;  // --help is success; misuse is 2
  }
  for (Entry& entry : entries) {
    if (entry.app->parsed()) return entry.command->Run();
  }
  return 2;
}
