#pragma once
// Helpers shared by the fundcheck subcommands: usage errors, colour choice, rule roots,
// --param binding. Each subcommand lives in its own cmd_*.cpp and is listed in
// commands.hpp.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/dsl/parse.hpp"
#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/proposal.hpp"
#include "fundcheck/engine/rule_set.hpp"

#include "options.hpp"

namespace fundcheck::app {

constexpr int exit_usage = 2;

// "fundcheck COMMAND: error: MESSAGE" and a hint to --help on standard error; returns exit_usage.
int usage_error(std::string_view command, const std::string& message);

// --color auto|always|never for the stream `fd`; NO_COLOR and TERM=dumb are respected.
bool want_color(const std::optional<std::string>& setting, int fd, std::string& error);

// The --rules roots, or ./rules when none is given and it exists.
std::vector<std::filesystem::path> rule_roots(const parsed_args& args, std::string& error);

// "'rules', 'more/x.rules'": rule roots as given, for messages.
std::string describe_roots(const std::vector<std::filesystem::path>& roots);

// Binds --param overrides to every program that declares them; a name no program declares, or
// a value of the wrong type, is reported on standard error (and the result is empty).
std::optional<std::map<const engine::program*, engine::param_values>> bind_all_params(
    const engine::rule_set& rules, const std::vector<std::pair<std::string, std::string>>& overrides,
    const dsl::render_options& ro);

// The limits of docs/limits.md that `check` and `serve` share. Nesting limits are capped:
// deeper would risk the stack of the recursive parsers and later passes. The rule parser (Spirit
// X3, about ten rules per level) needs far more stack per level than the JSON loader: under
// AddressSanitizer 384 levels overflow 8 MiB, so its flag may lower the default but not raise it.
inline constexpr std::uint64_t nesting_ceiling = 1024;       // JSON (--max-depth)
inline constexpr std::uint64_t rule_nesting_ceiling = 256;   // rule expressions (--max-rule-depth)
inline const option_spec max_rule_bytes_option{
    "max-rule-bytes", 0, true, false, "BYTES", "largest rule file (default: 4194304; larger: E1006)"};
inline const option_spec max_rule_depth_option{
    "max-rule-depth", 0, true, false, "N", "deepest expression nesting in a rule file (default and most: 256; deeper: E1005)"};
// --max-rule-bytes and --max-rule-depth into `limits` (unchanged when not given); false and a
// message in `error` for a value that is not a whole number in range.
bool parse_rule_limits(const parsed_args& args, dsl::parse_limits& limits, std::string& error);
// A whole number of at least `min` and at most `max` for --NAME, when given.
bool parse_count_option(const parsed_args& args, std::string_view name, std::uint64_t& out, std::string& error,
                        std::uint64_t min = 1, std::uint64_t max = UINT64_MAX);

}  // namespace fundcheck::app
