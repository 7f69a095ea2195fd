#pragma once
// Compiling a parsed rule set into a program: named stages run in order (resolve names, build
// the dependency graph and reject cycles, check types and lower to nodes); compilation stops
// after the first stage that reports errors.

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/dsl/parse.hpp"
#include "fundcheck/engine/program.hpp"

namespace fundcheck::engine {

struct stage_timing {
  std::string stage;
  double milliseconds = 0;
};

struct compile_result {
  std::shared_ptr<const program> value;  // null when there were errors
  std::vector<dsl::diagnostic> diagnostics;  // E2xxx (and warnings)
  std::vector<stage_timing> timings;
  bool ok() const noexcept { return value != nullptr; }
};

// The stages, in order: "resolve", "graph", "check". The names are stable (--dump-after).
const std::vector<std::string_view>& compile_stages();

// Compiles the rule files (in dependency order, as load_rule_sources returns them) against a
// proposal schema. Never throws for bad rules: problems are diagnostics.
compile_result compile(const dsl::rule_set_sources& sources, const schema& s);
// The same for a subset of loaded files (still in dependency order); they must outlive the call.
compile_result compile(std::vector<const dsl::loaded_file*> files, const schema& s);

// Convenience: load_rule_sources + compile. Parse diagnostics come first.
compile_result compile_files(const std::vector<std::filesystem::path>& roots, const schema& s,
                             const dsl::parse_limits& limits = {});

// The dependency graph of definitions and rules in Graphviz dot form (for --dump-after=graph).
std::string dependency_graph_dot(const program& p);
// The same for several programs (one per proposal format): one graph, a cluster per program.
std::string dependency_graph_dot(const std::vector<const program*>& programs);

}  // namespace fundcheck::engine
