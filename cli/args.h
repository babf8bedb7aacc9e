// Command-line options of one `headcount` subcommand: --name=value,
// --name value, --flag, and positional arguments.
#ifndef HEADCOUNT_CLI_ARGS_H_
#define HEADCOUNT_CLI_ARGS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace headcount::cli {

struct OptionSpec {
  std::string name;           // without the dashes
  std::string value_name;     // empty: a boolean flag
  std::string default_value;  // shown in --help
  std::string help;
};

struct ParsedArgs {
  std::map<std::string, std::string> values;  // flags hold "true"
  std::vector<std::string> positionals;
  bool help = false;

  bool Has(const std::string& name) const { return values.count(name) > 0; }
  // The value given, or the spec's default.
  std::string Get(const std::string& name) const;
  std::map<std::string, std::string> defaults;
};

// Parses `args` (after the subcommand) against `specs`. INVALID_ARGUMENT
// naming an unknown option or a missing value.
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<OptionSpec>& specs);

// "usage: ..." then one line per option, for --help.
std::string Usage(const std::string& synopsis, const std::string& description,
                  const std::vector<OptionSpec>& specs);

}  // namespace headcount::cli

#endif  // HEADCOUNT_CLI_ARGS_H_
