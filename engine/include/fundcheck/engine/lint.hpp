#pragma once
// Lint for rule files that compile: warnings (W4xxx) about what is probably not what the author
// meant. Unused definitions and parameters, rules that can never apply or never fail, lists that
// are always empty, names that hide other names, rules without a message, and one rule id in
// rule files of different formats. docs/diagnostics.md lists the codes; docs/tools.md the command.

#include <string>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/dsl/parse.hpp"
#include "fundcheck/engine/rule_set.hpp"

namespace fundcheck::engine {

struct lint_options {
  std::vector<std::string> allow;  // codes not to report ("W4007")
};

// The lint codes, in order, with a one-line description each (for --help and --allow checks).
struct lint_check {
  std::string_view code;
  std::string_view what;
};
const std::vector<lint_check>& lint_checks();

// Lints a rule set: `sources` as loaded, `rules` compiled from them (compile_rule_set(sources)).
// Every warning is located in a rule file and has a help line; the result is sorted by file
// and position, each problem reported once even when a file belongs to several programs.
std::vector<dsl::diagnostic> lint_rule_set(const dsl::rule_set_sources& sources, const rule_set& rules,
                                           const lint_options& options = {});

}  // namespace fundcheck::engine
