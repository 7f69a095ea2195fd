// fundcheck compile: rule files alone, with their diagnostics and the compiler's stages.

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "fundcheck/engine/compile.hpp"
#include "fundcheck/engine/rule_set.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fs = std::filesystem;

namespace fundcheck::app {
namespace {

const std::vector<option_spec> compile_options = {
    {"dump-after", 0, true, false, "STAGE", "print the program after a stage: resolve, graph (Graphviz dot), check"},
    {"timings", 0, false, false, "", "print the time each compiler stage took"},
    {"color", 0, true, false, "auto|always|never", "colour in diagnostics (default: auto)"},
    {"help", 'h', false, false, "", "show this help"},
};

}  // namespace

int run_compile(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, compile_options, error);
  if (!args) return usage_error("compile", error);
  if (args->has("help")) {
    std::cout << "Usage: fundcheck compile [OPTIONS] RULES...\n\n"
                 "Parses, type-checks and plans rule files without a proposal, and reports every\n"
                 "problem found. Exit 0 when the rules compile, 2 when they do not.\n\nOptions:\n"
              << options_help(compile_options);
    return 0;
  }
  const bool color = want_color(args->last("color"), STDERR_FILENO, error);
  if (!error.empty()) return usage_error("compile", error);
  const auto dump = args->last("dump-after");
  if (dump) {
    const auto& stages = engine::compile_stages();
    if (std::find(stages.begin(), stages.end(), *dump) == stages.end())
      return usage_error("compile", fmt::format("unknown stage '{}' (stages: resolve, graph, check)", *dump));
  }
  if (args->positional.empty()) return usage_error("compile", "no rule file given");
  std::vector<fs::path> roots(args->positional.begin(), args->positional.end());
  auto compiled = engine::compile_rule_set(roots);
  dsl::render_options ro;
  ro.color = color;
  dsl::render_text(std::cerr, compiled.diagnostics, ro);
  if (args->has("timings"))
    for (const auto& t : compiled.timings) std::cerr << fmt::format("stage {:<8} {:8.3f} ms\n", t.stage, t.milliseconds);
  if (!compiled.ok()) return 2;
  if (dump && *dump == "graph") {
    std::vector<const engine::program*> programs;
    for (const auto& prog : compiled.value->programs) programs.push_back(prog.get());
    std::cout << engine::dependency_graph_dot(programs);
    return 0;
  }
  for (const auto& prog : compiled.value->programs) {
    const auto& p = *prog;
    if (dump) {
      std::cout << "# " << p.schema_def->format << '\n';
      for (const auto& prm : p.params)
        std::cout << fmt::format("param {} = {}\n", prm.name,
                                 prm.default_value.t.kind == engine::type_kind::number ? prm.default_value.number.to_string()
                                 : prm.default_value.t.kind == engine::type_kind::boolean ? (prm.default_value.flag ? "true" : "false")
                                                                                          : "\"" + prm.default_value.text + "\"");
      for (const auto& d : p.definitions)
        std::cout << fmt::format("let {}: {}\n", d.name, engine::to_string(p.nodes[d.body].result, *p.schema_def));
      for (const auto& r : p.rules)
        std::cout << fmt::format("rule {} ({}): {} loop(s)\n", r.id,
                                 r.severity == dsl::ast::severity::error ? "error"
                                 : r.severity == dsl::ast::severity::warning ? "warning" : "note",
                                 r.loops.size());
    } else {
      std::cout << fmt::format("{}: {} rule{}, {} definition{}, {} parameter{} from {} file{}: ok\n",
                               p.schema_def->format, p.rules.size(), p.rules.size() == 1 ? "" : "s",
                               p.definitions.size(), p.definitions.size() == 1 ? "" : "s", p.params.size(),
                               p.params.size() == 1 ? "" : "s", p.sources.size(), p.sources.size() == 1 ? "" : "s");
    }
  }
  return 0;
}

}  // namespace fundcheck::app
