#pragma once
// The derivation of one rule's result on a proposal, for `fundcheck explain`: for the bindings
// that matter, every value the check read (with its record, column, year and place in the
// proposal), every value it computed (with the rule's text for it), the comparison with its
// rounding intervals or tolerance, the difference, and the definitions it went through.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fundcheck/engine/evaluate.hpp"

namespace fundcheck::engine {

// Which bindings to explain. Without `at`: those that gave a finding (violations, rounding notes,
// errors), else, for a rule that passed, the first ones checked. Each `at` narrows the bindings
// to those with a loop variable it names: an item's (any record's) id or name, its path or JSON
// pointer (`items[2]`, `/items/2`; a value's pointer, `/items/2/amounts/region/2026`, names its
// record, column and year), a year of the proposal, or an amount column.
struct explain_request {
  std::uint32_t rule = 0;        // index into program::rules
  std::vector<std::string> at;
  std::size_t limit = 5;         // bindings explained at most
};

// One value of the derivation: an expression of the rule and what it came to.
struct explained_node {
  std::string expression;  // the rule's text, on one line
  std::string kind;        // reported (read from the proposal), constant, parameter, definition,
                           // variable, computed
  std::string value;       // canonical: "42.3", "\"dccc\"", true, absent, [a, b, …] for lists
  std::optional<std::pair<std::string, std::string>> interval;  // the rounding interval it stands for
  std::string error;       // it could not be computed: why
  std::optional<proposal_location> place;  // reported values: where in the proposal
  std::string name;                        // parameters and definitions
  std::optional<rule_location> defined_at; // parameters and definitions
  std::string comparison;  // comparisons: the comparison in words (difference, intervals, tolerance)
  std::optional<std::string> difference;   // numeric comparisons: left − right
  std::optional<std::string> slack;        // ~=: the sum of the two radii; within: the tolerance
  struct element;
  std::vector<element> elements;           // aggregates over `… for x in xs where …`: each x
  std::size_t elements_left_out = 0;       // elements of a whole table the filter left out (not listed)
  std::string variable;                    // that comprehension's variable
  std::vector<explained_node> operands;    // the values it was computed from (constants and
                                           // loop variables are not repeated)
};

struct explained_node::element {
  std::string value;                        // the element in words: a record's name, a column, …
  std::optional<proposal_location> place;   // a record's place
  bool included = true;                     // its `where` was true
  std::optional<explained_node> filter;     // why it was left out
  std::optional<explained_node> result;     // what it contributed (included elements)
};

struct explained_variable {
  std::string name;   // the loop variable
  std::string value;  // in words
  std::optional<proposal_location> place;  // a record's place
};

struct explained_definition {
  std::string name;
  std::string value;
  std::string error;          // it failed: why
  rule_location defined_at;
  std::string via;            // read through this definition (empty: the rule reads it)
};

struct explained_binding {
  std::vector<explained_variable> variables;
  // "failed", "rounding", "passed", "not_applicable", "skipped" (`when` was not true), "error",
  // or "filtered_out" (a loop's `where` left it out; `filter` says why)
  std::string outcome;
  std::optional<finding_details> finding;
  std::string error;
  std::optional<std::uint32_t> filtered_level;  // filtered_out: which loop
  std::optional<explained_node> filter;
  std::optional<explained_node> when;
  std::optional<explained_node> expect;
  std::vector<explained_definition> definitions;
};

struct explanation {
  std::string rule, title;
  dsl::level severity = dsl::level::error;
  rule_location rule_at;
  std::string proposal_file;
  std::vector<std::string> loops;  // "for item in all_items where count(item.subitems) > 0"
  std::string when, expect;        // the rule's text
  rule_stats stats;
  std::vector<finding_details> not_evaluated;  // why the rule (or some bindings) could not be evaluated
  std::string selection;           // "findings", "passed" (a rule without findings), "checked", "at"
  std::vector<std::string> at;     // what each --at named, in words ("Senfølger (items[1])")
  std::size_t matched = 0;         // bindings selected, before `limit`
  std::vector<explained_binding> bindings;
  std::size_t findings = 0;        // findings of the rule in all
};

struct explain_result {
  std::optional<explanation> value;
  std::string error;  // an `at` names nothing in the proposal: why, with a suggestion
};

// Evaluates the one rule with an observer and explains the selected bindings. `doc` must be of
// the program's format. Thread-safe as evaluate() is.
explain_result explain(const program& p, const proposal& doc, const param_values& params, const explain_request& request,
                       const evaluate_options& options = {});

// For people (colour when asked) and for tools (docs/tools.md, `fundcheck explain`).
std::string render_explanation_text(const explanation& e, bool color);
std::string render_explanation_json(const explanation& e);

}  // namespace fundcheck::engine
