#pragma once
// Command-line parsing shared by the fundcheck subcommands: long options with values
// (`--rules X` or `--rules=X`), repeatable options, positional arguments, and clear errors.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fundcheck::app {

struct option_spec {
  std::string_view name;       // "rules" for --rules
  char short_name = 0;         // 'r' for -r, or 0
  bool takes_value = false;
  bool repeatable = false;
  std::string_view value_name; // "FILE|DIR", for help
  std::string_view help;
};

struct parsed_args {
  std::map<std::string, std::vector<std::string>, std::less<>> values;  // by option name
  std::vector<std::string> positional;

  bool has(std::string_view name) const { return values.find(name) != values.end(); }
  const std::vector<std::string>& all(std::string_view name) const;
  std::optional<std::string> last(std::string_view name) const;
};

// Parses argv (without the program and subcommand names). On error returns nullopt and sets
// `error` to a one-line message naming the offending argument.
std::optional<parsed_args> parse_args(const std::vector<std::string>& args,
                                      const std::vector<option_spec>& specs, std::string& error);

// Formats the options block of a --help text.
std::string options_help(const std::vector<option_spec>& specs);

}  // namespace fundcheck::app
