#pragma once
// A rule set: the rule files given on the command line (or to the service), grouped by the
// proposal format they check (`format "…"`), each group compiled into its own program.
// Immutable once built; safe to share between threads.

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

#include "fundcheck/dsl/parse.hpp"
#include "fundcheck/engine/compile.hpp"
#include "fundcheck/engine/program.hpp"

namespace fundcheck::engine {

struct rule_set {
  std::vector<std::shared_ptr<const program>> programs;  // one per format, in schema order

  // The program checking proposals of this format, or null when the rules have none.
  const program* for_format(std::string_view format) const noexcept;
  // "fundcheck/allocation@1, fundcheck/budget-form@1"
  std::string formats() const;
};

struct rule_set_result {
  std::shared_ptr<const rule_set> value;     // null when there were errors
  std::vector<dsl::diagnostic> diagnostics;  // parse (E1xxx), grouping and compile (E2xxx)
  std::vector<stage_timing> timings;         // summed over the programs
  bool ok() const noexcept { return value != nullptr; }
};

// Groups parsed rule files by format and compiles each group. A file's format is its `format`
// declaration; a file without one belongs to the formats of the files importing it, or, when
// nothing imports it, to "fundcheck/allocation@1". A file declaring one format may import only
// files of that format (or undeclared ones).
rule_set_result compile_rule_set(const dsl::rule_set_sources& sources);

// load_rule_sources + compile_rule_set.
rule_set_result compile_rule_set(const std::vector<std::filesystem::path>& roots,
                                 const dsl::parse_limits& limits = {});

}  // namespace fundcheck::engine
