#pragma once
// Evaluating a compiled program against a proposal: definitions once each in topological order,
// then every rule over its bindings. The result is a list of findings (violations, notes for
// checks that passed only thanks to rounding or a tolerance, rules that could not be evaluated).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/engine/decimal.hpp"
#include "fundcheck/engine/program.hpp"
#include "fundcheck/engine/proposal.hpp"

namespace fundcheck::engine {

// Parameter values for one evaluation: the program's defaults with overrides applied.
struct param_values {
  std::vector<constant_value> values;  // by parameter index
};

// Applies "name=value" overrides (from --param or an HTTP query). Unknown names and values of the
// wrong type are diagnostics (E2101, E2102) naming the parameter.
param_values bind_params(const program& p, const std::vector<std::pair<std::string, std::string>>& overrides,
                         std::vector<dsl::diagnostic>& diagnostics);

enum class finding_kind : std::uint8_t {
  violation,      // the expectation is false
  rounding,       // passed only thanks to rounding intervals or a tolerance (severity note)
  not_evaluated,  // an input of the rule could not be computed (severity of the rule)
};

std::string_view to_string(finding_kind k) noexcept;

// A value a finding is about, as the evaluator saw it. Text views point into the proposal or
// the program, which outlive the finding.
struct recorded_value {
  enum class kind : std::uint8_t { absent, number, boolean, text, record, column, list };
  kind what = kind::absent;
  bool flag = false;
  bool interval = false;       // show the rounding interval (the comparison was ~=)
  std::uint8_t record_type = 0;
  std::uint32_t index = 0;     // record row, declared column, list size
  std::uint32_t node = 0;      // the expression (program node) that produced it
  decimal number{}, radius{};
  std::string_view text;
};

// A place in the proposal: a record and, optionally, one of its slots (a field or an amount).
struct value_ref {
  static constexpr std::uint32_t no_slot = 0xffffffffu;
  std::int32_t record_type = -1;  // -1: the whole document
  std::uint32_t row = 0;
  std::uint32_t slot = no_slot;
  std::int32_t column = -1;       // declared column (program::columns) of an amount
  std::int32_t year = -1;         // year index of an amount
};

// A finding as recorded during evaluation: indices and numbers only, so that checking a large
// proposal with many notes stays cheap. describe() turns it into text for reports.
struct finding {
  std::uint32_t rule = 0;  // index into program::rules
  dsl::level severity = dsl::level::error;
  finding_kind kind = finding_kind::violation;
  value_ref where;
  std::uint32_t offset = 0;  // byte offset in the proposal (orders findings)
  std::string message;       // interpolated; empty when the rule has none (its title is used)
  std::uint8_t value_count = 0;
  recorded_value values[2];  // the comparison's sides, or the operand of present()/in/not
  std::string reason;        // not_evaluated: why
  // not_evaluated: the root cause, when it is shared with other rules: a definition failed
  // (cause_definition is its index into program::definitions), or the evaluation budget ran out.
  enum class cause_kind : std::uint8_t { none, definition, budget };
  cause_kind cause = cause_kind::none;
  std::uint32_t cause_definition = 0;
};

struct shown_value {
  std::string role;        // "reported" (read from the proposal), "constant" (a literal), "computed"
  std::string expression;  // source text
  std::string value;       // canonical decimal ("42.0"), quoted text, true/false, or "absent"
  std::optional<std::pair<std::string, std::string>> interval;  // for ~= comparisons
};

struct proposal_location {
  std::string pointer;  // JSON pointer, "" for the whole document
  std::string path;     // dotted path, "items[2].amounts.national"
  std::uint32_t line = 0, column = 0;  // in the proposal file; 0 when unknown
  std::string item_id, item_name;      // the record the value belongs to, if it has id/name
  std::string column_id;               // amount column, if any
  std::optional<std::int32_t> year;    // amount year, if any
  std::uint32_t offset = 0;            // byte offset in `source` (for rendering the source line)
  // The file the value is written in when it is not the proposal's own (a CSV table's mapping):
  // its path in `file`, and its text; both empty for the proposal file.
  std::string file;
  dsl::source_ptr source;
};

struct rule_location {
  std::string file;
  std::uint32_t line = 0, column = 0;
};

// A finding in words, for reports.
struct finding_details {
  std::string rule;
  dsl::level severity = dsl::level::error;
  finding_kind kind = finding_kind::violation;
  std::string message;
  std::string title;
  proposal_location where;
  rule_location rule_at;
  std::vector<shown_value> values;
  std::optional<std::string> difference;  // lhs - rhs, for numeric comparisons
  std::string reason;                     // not_evaluated: why
  finding::cause_kind cause = finding::cause_kind::none;  // not_evaluated: the shared root cause
  std::string cause_definition;           // cause definition: its name
  rule_location cause_at;                 // cause definition: where it is defined
  dsl::source_ptr cause_source;           // cause definition: its rule file, and the name in it
  dsl::span cause_where{};
};

struct rule_stats {
  std::uint64_t bindings = 0;     // bindings the rule was checked for
  std::uint64_t passed = 0;
  std::uint64_t failed = 0;
  std::uint64_t rounding = 0;     // passed thanks to rounding/tolerance
  std::uint64_t not_applicable = 0;  // expectation unknown (absent input)
  bool evaluated = true;
};

struct evaluation_result {
  std::vector<finding> findings;  // sorted: proposal offset, then rule id
  std::vector<rule_stats> stats;  // by rule index
  std::vector<dsl::diagnostic> diagnostics;  // binding problems (E3xxx): rules refer to a
                                             // column the proposal lacks, etc.
  std::uint64_t checks = 0;       // expectations evaluated in all
  std::size_t errors() const noexcept;
  std::size_t warnings() const noexcept;
  std::size_t notes() const noexcept;
};

class evaluation_observer;

struct evaluate_options {
  std::uint64_t max_steps = 2'000'000'000;  // evaluation budget (nodes evaluated) per proposal
  // Threads that evaluate rules side by side (after the definitions). The result is the same
  // for any number, to the byte: the budget is reconciled in rule order (see evaluate.cpp).
  unsigned threads = 1;
  // Watches every binding (rule tests' coverage, `fundcheck explain`); null for a plain check.
  // With an observer, rules are evaluated binding by binding (not batched) and every element of
  // a loop is bound and filtered (no join index), so the observer sees each filter's outcome.
  evaluation_observer* observer = nullptr;
  // Evaluates this rule only (an index into program::rules); the others get no findings and
  // stats with evaluated = false. no_node: every rule.
  std::uint32_t only_rule = no_node;
};

// Thread-safe for distinct results: the program and the proposal are only read.
evaluation_result evaluate(const program& p, const proposal& doc, const param_values& params,
                           const evaluate_options& options = {});

// The finding in words: locations as JSON pointer, path, line and column, values as text.
// `p` and `doc` must be those the finding was produced with.
finding_details describe(const program& p, const proposal& doc, const finding& f);
// Every finding of a result (optionally leaving out notes), in report order.
std::vector<finding_details> describe(const program& p, const proposal& doc, const evaluation_result& r,
                                      bool include_notes = true);

// The place of a value in words: JSON pointer, path, line and column, record, column and year.
proposal_location describe_place(const program& p, const proposal& doc, const value_ref& ref);
// A value as reports show it: its expression's text, role (reported, constant, computed) and
// canonical text; the rounding interval when the value is marked as compared with `~=`.
shown_value describe_value(const program& p, const proposal& doc, const recorded_value& v);

// ------------------------------------------------------------------------------------------
// Watching an evaluation (evaluate_options::observer)

// A value computed by a probe, or why it could not be computed.
struct probed_value {
  recorded_value value;
  std::string error;  // non-empty: the expression failed (division by zero, one() of two, ...)
  bool ok() const noexcept { return error.empty(); }
};

// The binding the evaluator is at, as an observer sees it during a callback (and only then).
// Values are computed in the current bindings exactly as the rule computes them; probing
// counts against no evaluation budget and changes no result. Text views in the values point
// into the proposal, the program or the parameters.
class binding_probe {
 public:
  // The value of any node of the rule in the current bindings.
  virtual probed_value value_of(std::uint32_t node) = 0;
  // The place a read node (a field or an amount) refers to in the current bindings.
  virtual value_ref place_of(std::uint32_t node) = 0;
  // The current value of a variable slot (a loop variable of the rule).
  virtual recorded_value variable(std::uint32_t slot) = 0;
  // The elements of a list-valued node (a list, a comprehension, a definition, a table).
  virtual std::vector<recorded_value> elements_of(std::uint32_t node) = 0;
  // For each element of a comprehension node's source, in order: binds the comprehension's
  // variable to it and calls `visit` (which may probe its filter and element). Returns false,
  // without calling `visit`, when the source cannot be computed.
  virtual bool each_element(std::uint32_t comprehension, const std::function<void(binding_probe&)>& visit) = 0;

 protected:
  ~binding_probe() = default;
};

// What one binding of a rule came to.
enum class check_outcome : std::uint8_t {
  skipped,         // `when` was false or unknown: not checked
  passed,
  rounding,        // passed only thanks to rounding or a tolerance (a note)
  failed,          // a violation
  not_applicable,  // the expectation was unknown (an absent input)
  error,           // the binding could not be evaluated
};

std::string_view to_string(check_outcome o) noexcept;

// Told about every binding of every rule evaluated, in evaluation order, on the evaluating thread.
class evaluation_observer {
 public:
  virtual ~evaluation_observer() = default;
  // Loop `level` of rule `rule` bound its variable (and those of the loops before it) and tested
  // its `where` filter; `passed`: the binding goes on (false when the filter is false, unknown
  // or failed). Called only for loops that have a filter.
  virtual void filtered(std::uint32_t rule, std::uint32_t level, bool passed, binding_probe& probe) = 0;
  // A binding that passed every filter was checked. `f` is the finding it gave (a violation or
  // a rounding note) or null; `error` why it could not be evaluated (outcome error).
  virtual void checked(std::uint32_t rule, check_outcome outcome, const finding* f, const std::string& error,
                       binding_probe& probe) = 0;
};

}  // namespace fundcheck::engine
