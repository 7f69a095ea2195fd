// fundcheck doc: the rule catalogue in Markdown (engine/catalogue.hpp).

#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "fundcheck/engine/catalogue.hpp"
#include "fundcheck/engine/rule_set.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fs = std::filesystem;

namespace fundcheck::app {
namespace {

const std::vector<option_spec> doc_options = {
    {"color", 0, true, false, "auto|always|never", "colour in diagnostics (default: auto)"},
    {"help", 'h', false, false, "", "show this help"},
};

}  // namespace

int run_doc(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, doc_options, error);
  if (!args) return usage_error("doc", error);
  if (args->has("help")) {
    std::cout << "Usage: fundcheck doc [OPTIONS] [RULES...] > rules.md\n\n"
                 "Writes a catalogue of the rules (files, or directories of *.rules; default ./rules)\n"
                 "in Markdown, for readers who do not read rule files: per proposal format, each\n"
                 "rule's id, severity, title and message, what it checks in plain words (the '##'\n"
                 "comment lines above the rule), what it reads from the proposal, the definitions\n"
                 "and parameters it uses with their defaults, and where it is written.\n\n"
                 "Exit codes: 0 written; 2 the rules do not compile, or the command line is wrong.\n\n"
                 "Options:\n"
              << options_help(doc_options);
    return 0;
  }
  const bool color = want_color(args->last("color"), STDERR_FILENO, error);
  if (!error.empty()) return usage_error("doc", error);
  std::vector<fs::path> roots(args->positional.begin(), args->positional.end());
  if (roots.empty()) {
    std::error_code ec;
    if (!fs::is_directory("rules", ec)) return usage_error("doc", "no rule file given (and there is no ./rules directory)");
    roots.emplace_back("rules");
  }
  auto compiled = engine::compile_rule_set(roots);
  dsl::render_options ro;
  ro.color = color;
  dsl::render_text(std::cerr, compiled.diagnostics, ro);
  if (!compiled.ok()) return 2;
  if (compiled.value->programs.empty())
    return usage_error("doc", fmt::format("no *.rules file in {}: there are no rules to {}", describe_roots(roots),
                                          "describe"));
  std::cout << engine::rule_catalogue_markdown(*compiled.value);
  return 0;
}

}  // namespace fundcheck::app
