// fundcheck lint: warnings about rule files that compile but probably do not say what their
// author meant (engine/lint.hpp).

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fundcheck/engine/lint.hpp"
#include "fundcheck/engine/rule_set.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fs = std::filesystem;

namespace fundcheck::app {
namespace {

const std::vector<option_spec> lint_options = {
    {"format", 'f', true, false, "text|json", "output format (default: text)"},
    {"allow", 0, true, true, "CODE", "do not report this warning, e.g. --allow W4007 (repeatable)"},
    {"color", 0, true, false, "auto|always|never", "colour in text output (default: auto)"},
    {"help", 'h', false, false, "", "show this help"},
};

std::string lint_help() {
  std::string checks;
  for (const auto& c : engine::lint_checks()) checks += fmt::format("  {}  {}\n", c.code, c.what);
  return "Usage: fundcheck lint [OPTIONS] [RULES...]\n\n"
         "Compiles the rule files (files, or directories of *.rules; default ./rules) and warns\n"
         "about what is probably a mistake. Each warning names the place in the rule file and\n"
         "says what to do.\n\nChecks:\n" +
         checks +
         "\nExit codes: 0 no warnings; 1 warnings; 2 the rules do not compile, or the command\n"
         "line is wrong.\n\nOptions:\n" +
         options_help(lint_options);
}

nlohmann::json diagnostics_json(const std::vector<dsl::diagnostic>& diags) {
  auto out = nlohmann::json::array();
  for (const auto& d : diags) {
    nlohmann::json j;
    to_json(j, d);
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace

int run_lint(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, lint_options, error);
  if (!args) return usage_error("lint", error);
  if (args->has("help")) {
    std::cout << lint_help();
    return 0;
  }
  const std::string format = args->last("format").value_or("text");
  if (format != "text" && format != "json")
    return usage_error("lint", fmt::format("--format must be text or json, got '{}'", format));
  engine::lint_options options;
  for (const auto& code : args->all("allow")) {
    const auto& checks = engine::lint_checks();
    if (std::none_of(checks.begin(), checks.end(), [&](const auto& c) { return c.code == code; })) {
      std::vector<std::string> codes;
      for (const auto& c : checks) codes.emplace_back(c.code);
      return usage_error("lint", fmt::format("--allow: '{}' is not a lint warning (they are {})", code,
                                             fmt::join(codes, ", ")));
    }
    options.allow.push_back(code);
  }
  const bool color = want_color(args->last("color"), STDOUT_FILENO, error);
  if (!error.empty()) return usage_error("lint", error);
  const bool color_err = want_color(args->last("color"), STDERR_FILENO, error);
  std::vector<fs::path> roots(args->positional.begin(), args->positional.end());
  if (roots.empty()) {
    std::error_code ec;
    if (!fs::is_directory("rules", ec))
      return usage_error("lint", "no rule file given (and there is no ./rules directory)");
    roots.emplace_back("rules");
  }

  auto sources = dsl::load_rule_sources(roots);
  engine::rule_set_result compiled;
  if (sources.ok()) {
    compiled = engine::compile_rule_set(sources);
    compiled.diagnostics.insert(compiled.diagnostics.begin(), sources.diagnostics.begin(), sources.diagnostics.end());
  } else {
    compiled.diagnostics = sources.diagnostics;
  }
  if (!compiled.ok()) {
    if (format == "json") {
      nlohmann::json j;
      j["error"] = "the rules could not be loaded";
      j["diagnostics"] = diagnostics_json(compiled.diagnostics);
      std::cout << j.dump(2) << '\n';
    }
    dsl::render_options ro;
    ro.color = color_err;
    dsl::render_text(std::cerr, compiled.diagnostics, ro);
    return 2;
  }
  if (compiled.value->programs.empty())
    return usage_error("lint", fmt::format("no *.rules file in {}: there are no rules to {}", describe_roots(roots),
                                          "lint"));
  // Warnings of the parser and compiler (if any) are lint findings too.
  auto warnings = compiled.diagnostics;
  auto lints = engine::lint_rule_set(sources, *compiled.value, options);
  warnings.insert(warnings.end(), std::make_move_iterator(lints.begin()), std::make_move_iterator(lints.end()));
  dsl::sort_diagnostics(warnings);

  if (format == "json") {
    nlohmann::json j;
    j["diagnostics"] = diagnostics_json(warnings);
    j["warnings"] = warnings.size();
    std::cout << j.dump(2) << '\n';
  } else if (!warnings.empty()) {
    dsl::render_options ro;
    ro.color = color;
    dsl::render_text(std::cout, warnings, ro);
  } else {
    for (const auto& prog : compiled.value->programs) {
      const auto& p = *prog;
      std::cout << fmt::format("{}: {} rule{}, {} definition{}, {} parameter{} from {} file{}: no lint warnings\n",
                               p.schema_def->format, p.rules.size(), p.rules.size() == 1 ? "" : "s",
                               p.definitions.size(), p.definitions.size() == 1 ? "" : "s", p.params.size(),
                               p.params.size() == 1 ? "" : "s", p.sources.size(), p.sources.size() == 1 ? "" : "s");
    }
  }
  return warnings.empty() ? 0 : 1;
}

}  // namespace fundcheck::app
