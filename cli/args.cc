#include "cli/args.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace headcount::cli {

std::string ParsedArgs::Get(const std::string& name) const {
  auto it = values.find(name);
  if (it != values.end()) return it->second;
  auto fallback = defaults.find(name);
  return fallback != defaults.end() ? fallback->second : "";
}

absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::vector<OptionSpec>& specs) {
  ParsedArgs parsed;
  for (const OptionSpec& spec : specs) parsed.defaults[spec.name] = spec.default_value;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      parsed.help = true;
      continue;
    }
    if (arg == "--") {
      parsed.positionals.insert(parsed.positionals.end(), args.begin() + i + 1,
                                args.end());
      break;
    }
    if (!absl::StartsWith(arg, "--")) {
      parsed.positionals.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool has_value = false;
    if (size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option --", name, " (see --help)"));
    }
    if (spec->value_name.empty()) {
      parsed.values[name] = has_value ? value : "true";
      continue;
    }
    if (!has_value) {
      if (i + 1 >= args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value: --", name, "=",
                         spec->value_name));
      }
      value = args[++i];
    }
    parsed.values[name] = value;
  }
  return parsed;
}

std::string Usage(const std::string& synopsis, const std::string& description,
                  const std::vector<OptionSpec>& specs) {
  std::string out = absl::StrCat("usage: ", synopsis, "\n\n", description, "\n");
  if (!specs.empty()) absl::StrAppend(&out, "\noptions:\n");
  for (const OptionSpec& spec : specs) {
    std::string left = absl::StrCat("  --", spec.name);
    if (!spec.value_name.empty()) absl::StrAppend(&left, "=", spec.value_name);
    if (left.size() < 26) left.resize(26, ' ');
    absl::StrAppend(&out, left, " ", spec.help);
    if (!spec.default_value.empty()) {
      absl::StrAppend(&out, " (default ", spec.default_value, ")");
    }
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out, "  --help                   this text\n");
  return out;
}

}  // namespace headcount::cli
