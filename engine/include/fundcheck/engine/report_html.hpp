#pragma once
// The HTML report of a check run: one self-contained page (inline CSS, no scripts, no external
// assets) for people who read and print a case file. Each proposal is drawn as its reader knows
// it (the allocation table with its heraf rows and totals, the budget form's fields and
// consequences table), the cells findings point at are highlighted and linked to the findings,
// which are grouped by rule. Format: docs/report-format.md ("HTML").

#include <iosfwd>
#include <string_view>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"

#include "fundcheck/engine/report.hpp"

namespace fundcheck::engine {

struct html_options {
  bool show_values = true;  // the values each finding compared (reported, computed, difference)
};

// Writes the page for the whole run. A pure function of the report: a proposal is drawn from
// proposal_report::model when that is set (otherwise only its findings and diagnostics are
// listed). Every text taken from the inputs is escaped. Deterministic: no clock, no environment.
void render_html(std::ostream& out, const run_report& r, const html_options& opts = {});

// The page for a run that checked nothing because the rules could not be loaded: their
// diagnostics (E1xxx, E2xxx), each with its place in the rule file.
void render_html_rule_errors(std::ostream& out, std::string_view version,
                             const std::vector<dsl::diagnostic>& diagnostics);

}  // namespace fundcheck::engine
