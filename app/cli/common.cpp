// Helpers shared by the subcommands (common.hpp).

#include "common.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>


namespace fs = std::filesystem;

namespace fundcheck::app {

int usage_error(std::string_view command, const std::string& message) {
  std::cerr << "fundcheck " << command << ": error: " << message << "\n"
            << "Try 'fundcheck " << command << " --help'.\n";
  return exit_usage;
}

bool want_color(const std::optional<std::string>& setting, int fd, std::string& error) {
  const std::string s = setting.value_or("auto");
  if (s == "always") return true;
  if (s == "never") return false;
  if (s != "auto") {
    error = fmt::format("--color must be auto, always or never, got '{}'", s);
    return false;
  }
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return isatty(fd) != 0;
}

std::vector<fs::path> rule_roots(const app::parsed_args& args, std::string& error) {
  std::vector<fs::path> roots;
  for (const auto& r : args.all("rules")) roots.emplace_back(r);
  if (roots.empty()) {
    std::error_code ec;
    if (fs::is_directory("rules", ec)) {
      roots.emplace_back("rules");
    } else {
      error = "no rules given: use --rules FILE|DIR (there is no ./rules directory)";
    }
  }
  return roots;
}

std::string describe_roots(const std::vector<fs::path>& roots) {
  std::string out;
  for (const auto& r : roots) out += fmt::format("{}'{}'", out.empty() ? "" : ", ", r.generic_string());
  return out;
}

std::optional<std::map<const engine::program*, engine::param_values>> bind_all_params(
    const engine::rule_set& rules, const std::vector<std::pair<std::string, std::string>>& overrides,
    const dsl::render_options& ro) {
  std::map<const engine::program*, engine::param_values> out;
  std::vector<dsl::diagnostic> diags;
  for (const auto& prog : rules.programs) {
    std::vector<std::pair<std::string, std::string>> mine;
    for (const auto& o : overrides)
      if (prog->param_index(o.first) >= 0) mine.push_back(o);
    out[prog.get()] = engine::bind_params(*prog, mine, diags);
  }
  for (const auto& o : overrides) {
    const bool known = std::any_of(rules.programs.begin(), rules.programs.end(),
                                   [&](const auto& prog) { return prog->param_index(o.first) >= 0; });
    if (!known && !rules.programs.empty()) engine::bind_params(*rules.programs.front(), {o}, diags);
  }
  if (dsl::has_errors(diags)) {
    dsl::render_text(std::cerr, diags, ro);
    return std::nullopt;
  }
  return out;
}

bool parse_count_option(const parsed_args& args, std::string_view name, std::uint64_t& out, std::string& error,
                        std::uint64_t min, std::uint64_t max) {
  const auto v = args.last(name);
  if (!v) return true;
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno != 0 || (*v)[0] == '-' || n < min || n > max) {
    error = max == UINT64_MAX ? fmt::format("--{} needs a whole number of at least {}, got '{}'", name, min, *v)
                              : fmt::format("--{} needs a whole number from {} to {}, got '{}'", name, min, max, *v);
    return false;
  }
  out = n;
  return true;
}

bool parse_rule_limits(const parsed_args& args, dsl::parse_limits& limits, std::string& error) {
  std::uint64_t n = limits.max_file_bytes;
  if (!parse_count_option(args, "max-rule-bytes", n, error, 1, UINT32_MAX)) return false;
  limits.max_file_bytes = n;
  n = limits.max_nesting;
  if (!parse_count_option(args, "max-rule-depth", n, error, 1, rule_nesting_ceiling)) return false;
  limits.max_nesting = n;
  return true;
}

}  // namespace fundcheck::app
