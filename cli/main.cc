// headcount: the client for people with spreadsheets and for auditors.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace {

constexpr char kUsage[] =
    "usage: headcount COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  submit   send headcount spreadsheets (CSV/TSV, UTF-8 or GBK) to the ingest service\n"
    "  report   print the county table (attachment 1) or a district's schools\n"
    "  alerts   print the open alerts, or stream alert events\n"
    "\n"
    "headcount COMMAND --help shows a command's options.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  const std::string command = argv[1];
  const std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "submit") return headcount::cli::RunSubmit(args);
  if (command == "report") return headcount::cli::RunReport(args);
  if (command == "alerts") return headcount::cli::RunAlerts(args);
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  std::fprintf(stderr, "headcount: unknown command \"%s\"\n\n%s", command.c_str(),
               kUsage);
  return 2;
}
