#pragma once
// The dependency graph of compiled rules, for people and tools: parameters, definitions, rules
// and the parts of the proposal they read, with an edge from what is read to what reads it.
// Rendered as Graphviz dot (optionally coloured by the results of one evaluation) or JSON, and
// queried by `fundcheck impact` (what depends on one field of the proposal).

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fundcheck/dsl/source.hpp"
#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/program.hpp"

namespace fundcheck::engine {

// A part of a proposal that rules read.
struct input_ref {
  enum class kind : std::uint8_t {
    years,   // the proposal's years (years, first_year)
    rows,    // which records a top-level collection holds (items, totals, …); index: collection
    field,   // a field of a record type; record: record index, index: field index
    amount,  // an amount column of a record type; record: record index, index: declared column
  };
  kind what = kind::years;
  std::int32_t record = -1;
  std::uint32_t index = 0;
  friend auto operator<=>(const input_ref&, const input_ref&) = default;
};

// "years", "items", "item.channel", "item.amounts.region", "proposal.consequences.salaries".
std::string input_label(const program& p, const input_ref& in);

// What one definition or rule reads directly: parameters and definitions (by index) and proposal
// inputs, each sorted and without repeats. A definition read through another is not listed.
struct direct_uses {
  std::vector<std::uint32_t> params;
  std::vector<std::uint32_t> definitions;
  std::vector<input_ref> inputs;
};
direct_uses uses_of_definition(const program& p, std::uint32_t definition);
direct_uses uses_of_rule(const program& p, std::uint32_t rule);

enum class graph_node_kind : std::uint8_t { param, definition, rule, input };
std::string_view to_string(graph_node_kind k) noexcept;  // "param", "definition", "rule", "input"

struct graph_node {
  graph_node_kind kind = graph_node_kind::param;
  std::uint32_t program = 0;  // index into rule_graph::programs
  std::uint32_t index = 0;    // param, definition or rule index in its program
  input_ref input;            // kind input
  std::string id;             // "p0", "d1", "r5", "i3"; prefixed "f1_" when there are several programs
  std::string name;           // "key", "item_ids", "KPV-SUM-01", "item.amounts.region"
  dsl::source_ptr source;     // where it is declared; null for inputs
  dsl::span where;            // its name
};

struct rule_graph {
  std::vector<const program*> programs;
  // Per program: its parameters, definitions (evaluation order), rules (source order), then
  // (with inputs) the proposal inputs in input_ref order.
  std::vector<graph_node> nodes;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges;  // dependency -> dependent; sorted

  // The nodes that depend on `node`, directly or not, in node order (not `node` itself).
  std::vector<std::uint32_t> dependents(std::uint32_t node) const;
};

// Builds the graph of one or more programs (one per proposal format). Without inputs it is the
// compiler's graph of parameters, definitions and rules (`compile --dump-after=graph`).
rule_graph build_rule_graph(std::vector<const program*> programs, bool with_inputs = true);

// How a rule fared in one evaluation.
enum class rule_status : std::uint8_t {
  passed,         // every binding passed (or was not applicable)
  failed,         // at least one violation
  notes,          // no violation, but some checks passed only thanks to rounding or a tolerance
  not_evaluated,  // an input could not be computed, or the evaluation budget ran out
  no_bindings,    // nothing to check: no record matched the rule's filters
};
std::string_view to_string(rule_status s) noexcept;  // "passed", "failed", "notes", …
rule_status status_of(const rule_stats& s) noexcept;

// The results to colour a graph by: one evaluation of one of the graph's programs.
struct graph_results {
  const program* checked = nullptr;  // must be one of the graph's programs
  std::string proposal;              // the proposal's file, as given
  const evaluation_result* result = nullptr;
};

// Graphviz dot, written with boost::write_graphviz: parameters as notes, definitions as boxes,
// rules as ellipses, inputs as plain text; a cluster per program when there are several. With
// results, rules are filled by status and labelled with their counts.
std::string render_graph_dot(const rule_graph& g, const graph_results* results = nullptr);
// {"nodes": [...], "edges": [{"from", "to"}], "results": null | {...}}; pretty-printed, with a
// trailing newline. See docs/tools.md.
std::string render_graph_json(const rule_graph& g, const graph_results* results = nullptr);

// ------------------------------------------------------------------------------------------
// Proposal paths (`fundcheck impact FIELD`)

// Resolves a path into the proposal to the inputs it names in one program's terms. Accepted:
// a dotted path as in findings ("items[3].amounts.region", "items[0].subitems[1].channel",
// "consequences.salaries.2027", "title"), a JSON pointer ("/items/3/amounts/region"), or a
// record-type form as the graph labels inputs ("item.amounts.region", "item.region",
// "proposal.unit"). Row indexes and years are accepted and do not narrow the answer: rules
// read fields of every row and year alike. A path to a record ("items[3]") names all of its
// fields and amounts and the rows of its collection; a collection ("items") names its rows.
struct path_resolution {
  std::vector<input_ref> inputs;  // empty on error
  std::string error;              // why the path names nothing, with a suggestion when one is close
  bool unknown_start = false;     // the error is about the path's first step (or its syntax)
};
path_resolution resolve_proposal_path(const program& p, std::string_view path);

}  // namespace fundcheck::engine
