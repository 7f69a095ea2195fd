// fundcheck explain: how one rule came to its result on a proposal, value by value
// (engine/explain.hpp).

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "fundcheck/engine/explain.hpp"
#include "fundcheck/engine/proposal.hpp"
#include "fundcheck/engine/rule_set.hpp"
#include "fundcheck/engine/text_util.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fundcheck::app {
namespace {

const std::vector<option_spec> explain_options = {
    {"rules", 'r', true, true, "FILE|DIR", "rule file or directory of *.rules (repeatable; default: ./rules)"},
    {"at", 'a', true, true, "ITEM", "explain the bindings of this item, year or column (repeatable: all must match)"},
    {"param", 'p', true, true, "NAME=VALUE", "override a rule parameter, as for check (repeatable)"},
    {"limit", 0, true, false, "N", "explain at most N bindings (default: 5)"},
    {"format", 'f', true, false, "text|json", "output format (default: text)"},
    {"color", 0, true, false, "auto|always|never", "colour (default: auto; NO_COLOR is respected)"},
    {"help", 'h', false, false, "", "show this help"},
};

const char* const explain_help = R"(Usage: fundcheck explain [OPTIONS] RULE-ID PROPOSAL

Explains how RULE-ID came to its result on PROPOSAL: for each binding explained, the
values it read (with their item, column, year and place in the file), the values it
computed (with the rule's text for them), the comparison with its rounding intervals or
tolerance, the difference, and the definitions it went through.

Without --at, the bindings with a finding are explained; for a rule that passed, the
first that passed. --at ITEM chooses the bindings of one item (also one the rule's
`where` leaves out, saying why):
  --at mobile-koelehaetter        an item's (or any record's) id
  --at 'Mobile kølehætter'        its name
  --at items[0]  --at /items/0    its path or JSON pointer
  --at /items/0/amounts/region    one value: its item, column and year
  --at 2027  --at region          a year, an amount column

Exit codes: 0 the rule has no error on the proposal; 1 it has (as `fundcheck check`
would report); 2 the proposal or the rules cannot be read, the rule or ITEM is unknown,
or the command line is wrong.

Options:
)";

std::string severity_word(dsl::ast::severity s) {
  return s == dsl::ast::severity::error ? "error" : s == dsl::ast::severity::warning ? "warning" : "note";
}

}  // namespace

int run_explain(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, explain_options, error);
  if (!args) return usage_error("explain", error);
  if (args->has("help")) {
    std::cout << explain_help << options_help(explain_options);
    return 0;
  }
  const std::string format = args->last("format").value_or("text");
  if (format != "text" && format != "json")
    return usage_error("explain", fmt::format("--format must be text or json, got '{}'", format));
  const bool color = want_color(args->last("color"), STDOUT_FILENO, error);
  if (!error.empty()) return usage_error("explain", error);
  const bool color_err = want_color(args->last("color"), STDERR_FILENO, error);
  engine::explain_request request;
  if (auto limit = args->last("limit")) {
    char* end = nullptr;
    const unsigned long n = std::strtoul(limit->c_str(), &end, 10);
    if (limit->empty() || *end != '\0' || n == 0 || limit->front() == '-')
      return usage_error("explain", fmt::format("--limit needs a positive whole number, got '{}'", *limit));
    request.limit = n;
  }
  request.at = args->all("at");
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& p : args->all("param")) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      return usage_error("explain", fmt::format("--param needs NAME=VALUE, got '{}'", p));
    overrides.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  if (args->positional.size() < 2)
    return usage_error("explain", args->positional.empty() ? "no RULE-ID and PROPOSAL given, e.g. KPV-KEY-01 proposal.json"
                                                           : "no PROPOSAL given after the rule id");
  if (args->positional.size() > 2)
    return usage_error("explain", fmt::format("one rule and one proposal at a time; unexpected '{}'", args->positional[2]));
  const std::string rule_id = args->positional[0];
  const std::string file = args->positional[1];
  const auto roots = rule_roots(*args, error);
  if (!error.empty()) return usage_error("explain", error);

  dsl::render_options ro;
  ro.color = color_err;
  auto compiled = engine::compile_rule_set(roots);
  dsl::render_text(std::cerr, compiled.diagnostics, ro);
  if (!compiled.ok()) return 2;
  const auto& rules = *compiled.value;
  if (rules.programs.empty())
    return usage_error("explain", fmt::format("no *.rules file in {}: there are no rules to explain", describe_roots(roots)));

  auto loaded = engine::load_proposal_file(file);
  if (!loaded.ok()) {
    dsl::render_text(std::cerr, loaded.diagnostics, ro);
    return 2;
  }
  const auto& doc = *loaded.value;
  const std::string_view doc_format = doc.schema_def().format;
  const engine::program* prog = rules.for_format(doc_format);
  if (prog == nullptr)
    return usage_error("explain", fmt::format("no rules check proposals of format \"{}\" like {} (the rules given are for: {})",
                                              doc_format, file, rules.formats()));
  const int r = prog->rule_index(rule_id);
  if (r < 0) {
    for (const auto& other : rules.programs)
      if (other.get() != prog && other->rule_index(rule_id) >= 0)
        return usage_error("explain", fmt::format("{} checks {} proposals; {} is a {} proposal", rule_id,
                                                  other->schema_def->format, file, doc_format));
    std::vector<std::string> ids;
    for (const auto& rule : prog->rules) ids.push_back(rule.id);
    std::string message = fmt::format("no rule '{}' checks {} proposals", rule_id, doc_format);
    if (const auto near = engine::closest(rule_id, ids)) message += fmt::format("; did you mean '{}'?", *near);
    else message += fmt::format(" (the rules: {})", engine::join(ids));
    return usage_error("explain", message);
  }
  request.rule = static_cast<std::uint32_t>(r);
  const auto params = bind_all_params(rules, overrides, ro);
  if (!params) return 2;

  auto result = engine::explain(*prog, doc, params->at(prog), request);
  if (!result.value) return usage_error("explain", fmt::format("--at: {}", result.error));
  const auto& e = *result.value;
  if (format == "json")
    std::cout << engine::render_explanation_json(e);
  else
    std::cout << engine::render_explanation_text(e, color);
  // As check would exit for this rule alone.
  const bool errors = severity_word(prog->rules[request.rule].severity) == "error" &&
                      (e.stats.failed > 0 || !e.not_evaluated.empty());
  return errors ? 1 : 0;
}

}  // namespace fundcheck::app
