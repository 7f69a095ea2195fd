// fundcheck graph: the dependency graph of the rules (engine/rule_graph.hpp), as Graphviz dot or
// JSON, coloured by the results of checking one proposal when one is given.

#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/proposal.hpp"
#include "fundcheck/engine/rule_graph.hpp"
#include "fundcheck/engine/rule_set.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fundcheck::app {
namespace {

const std::vector<option_spec> graph_options = {
    {"rules", 'r', true, true, "FILE|DIR", "rule file or directory of *.rules (repeatable; default: ./rules)"},
    {"proposal", 0, true, false, "FILE", "check this proposal and colour each rule by its result"},
    {"param", 'p', true, true, "NAME=VALUE", "override a rule parameter for --proposal (repeatable)"},
    {"format", 'f', true, false, "dot|json", "output format (default: dot)"},
    {"no-inputs", 0, false, false, "", "leave out the proposal fields the rules read"},
    {"color", 0, true, false, "auto|always|never", "colour in diagnostics (default: auto)"},
    {"help", 'h', false, false, "", "show this help"},
};

}  // namespace

int run_graph(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, graph_options, error);
  if (!args) return usage_error("graph", error);
  if (args->has("help")) {
    std::cout << "Usage: fundcheck graph [OPTIONS] > rules.dot\n\n"
                 "Prints the dependency graph of the rules: parameters (notes), definitions (boxes),\n"
                 "rules (ellipses) and the proposal fields they read (plain text), with an arrow from\n"
                 "what is read to what reads it. With --proposal, the proposal is checked and each\n"
                 "rule is filled by its result: green passed, red failed (orange for a warning),\n"
                 "yellow passed only thanks to rounding (notes), grey not evaluated, white with a\n"
                 "dashed outline when nothing matched it. Render with Graphviz:\n"
                 "  fundcheck graph --rules rules/ | dot -Tsvg > rules.svg\n\n"
                 "Exit codes: 0 the graph was written (whatever the proposal's findings); 2 the rules\n"
                 "or the proposal could not be read, or the command line is wrong.\n\nOptions:\n"
              << options_help(graph_options);
    return 0;
  }
  const std::string format = args->last("format").value_or("dot");
  if (format != "dot" && format != "json")
    return usage_error("graph", fmt::format("--format must be dot or json, got '{}'", format));
  const bool color = want_color(args->last("color"), STDERR_FILENO, error);
  if (!error.empty()) return usage_error("graph", error);
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& p : args->all("param")) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      return usage_error("graph", fmt::format("--param needs NAME=VALUE, got '{}'", p));
    overrides.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  const auto proposal_file = args->last("proposal");
  if (!overrides.empty() && !proposal_file) return usage_error("graph", "--param needs --proposal");
  if (!args->positional.empty())
    return usage_error("graph", fmt::format("unexpected argument '{}' (rule files go after --rules, a proposal after "
                                            "--proposal)",
                                            args->positional.front()));
  const auto roots = rule_roots(*args, error);
  if (!error.empty()) return usage_error("graph", error);

  auto compiled = engine::compile_rule_set(roots);
  dsl::render_options ro;
  ro.color = color;
  dsl::render_text(std::cerr, compiled.diagnostics, ro);
  if (!compiled.ok()) return 2;
  if (compiled.value->programs.empty())
    return usage_error("graph", fmt::format("no *.rules file in {}: there are no rules to {}", describe_roots(roots),
                                          "draw"));
  const auto& rules = *compiled.value;
  const bool inputs = !args->has("no-inputs");

  if (!proposal_file) {
    std::vector<const engine::program*> programs;
    for (const auto& p : rules.programs) programs.push_back(p.get());
    const auto g = engine::build_rule_graph(programs, inputs);
    std::cout << (format == "dot" ? engine::render_graph_dot(g) : engine::render_graph_json(g));
    return 0;
  }

  const auto params = bind_all_params(rules, overrides, ro);
  if (!params) return 2;
  auto loaded = engine::load_proposal_file(*proposal_file);
  if (!loaded.ok()) {
    dsl::render_text(std::cerr, loaded.diagnostics, ro);
    return 2;
  }
  if (!loaded.diagnostics.empty()) dsl::render_text(std::cerr, loaded.diagnostics, ro);
  const std::string_view doc_format = loaded.value->schema_def().format;
  const engine::program* prog = rules.for_format(doc_format);
  if (!prog) {
    dsl::diagnostic d;
    d.code = "E3102";
    d.message = fmt::format("no rules check proposals of format \"{}\" (the rules given are for: {}), so there is "
                            "nothing to colour",
                            doc_format, rules.formats());
    dsl::render_text(std::cerr, {d}, ro);
    return 2;
  }
  const auto result = engine::evaluate(*prog, *loaded.value, params->at(prog));
  if (!result.diagnostics.empty()) dsl::render_text(std::cerr, result.diagnostics, ro);
  if (dsl::has_errors(result.diagnostics)) return 2;
  const auto g = engine::build_rule_graph({prog}, inputs);
  engine::graph_results colours;
  colours.checked = prog;
  colours.proposal = *proposal_file;
  colours.result = &result;
  std::cout << (format == "dot" ? engine::render_graph_dot(g, &colours) : engine::render_graph_json(g, &colours));
  return 0;
}

}  // namespace fundcheck::app
