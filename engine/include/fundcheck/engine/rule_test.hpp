#pragma once
// Rule tests (`fundcheck test`): *.test.json files that name small proposals and the findings the
// rules must give on them, or the rules that must pass (docs/tools.md). Loading checks a test
// file's shape and reports mistakes as diagnostics at their line and column (E60xx); running a
// case evaluates its proposal and compares the findings with the expectations.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/rule_set.hpp"

namespace fundcheck::engine {

// One finding a case expects. Fields left out match anything.
struct expected_finding {
  std::string rule;
  dsl::span rule_where{};                 // the rule id in the test file
  std::optional<dsl::level> severity;     // error, warning, note (a rounding note is a note)
  dsl::span severity_where{};
  std::optional<finding_kind> kind;       // violation, rounding, not_evaluated
  std::optional<std::string> at;          // JSON pointer or path of the value ("" the whole proposal)
  std::optional<std::string> item;        // id or name of the record
  std::optional<std::string> column;      // amount column
  std::optional<std::int32_t> year;
  std::optional<std::string> message;     // a part of the message
  dsl::span where{};                      // the expectation's object in the test file
};

struct test_param {
  std::string name, value;
  dsl::span name_where{}, value_where{};
};

struct test_case {
  std::string name;
  dsl::span where{};              // the case's name in the test file
  dsl::span proposal_where{};     // its "proposal" value
  std::filesystem::path proposal_path;  // a proposal file (relative to the working directory); empty: inline
  dsl::span inline_proposal{};    // an inline proposal: the object in the test file
  std::vector<test_param> params;  // the file's, overridden by the case's
  std::vector<expected_finding> findings;
  std::vector<std::string> passes;    // rule ids
  std::vector<dsl::span> passes_where;
  bool passes_others = false;         // "passes": "*" (every rule not named in findings)
  bool exact = true;                  // findings of the named rules not expected fail the case
};

struct test_file {
  dsl::source_ptr source;
  std::vector<std::filesystem::path> rules;  // rule files or directories (relative to the working directory)
  dsl::span rules_where{};                   // the "rules" value, or the start of the file
  std::vector<test_case> cases;
};

struct test_file_result {
  std::optional<test_file> value;            // empty when the file cannot be used
  std::vector<dsl::diagnostic> diagnostics;  // E6001-E6004
};

// Reads and checks the shape of a test file. Rule files are named by "rules" or are the file's
// sibling with the same stem (x.test.json: x.rules).
test_file_result load_test_file(const std::filesystem::path& path);

// Checks a loaded test file against its compiled rules: rule ids (E6005, with a suggestion),
// parameters (E6006), severities that the rule cannot have (E6009).
std::vector<dsl::diagnostic> check_test_file(const test_file& file, const rule_set& rules);

// Why a case failed, one expectation at a time.
struct case_failure {
  enum class kind : std::uint8_t {
    missing,     // an expected finding is not there
    unexpected,  // a finding of a rule the case names that it does not expect
    not_passed,  // a rule expected to pass gave a finding
  };
  kind what = kind::missing;
  std::string rule;
  std::optional<expected_finding> expected;
  std::optional<finding_details> actual;     // the finding (unexpected, not_passed), or for a
                                             // missing one the closest finding of that rule
  std::vector<finding_details> others;       // missing: the rule's other findings
  rule_stats stats;                          // the rule's counts in this case
};

struct case_result {
  enum class status : std::uint8_t { passed, failed, error } what = status::passed;
  std::vector<case_failure> failures;
  std::vector<dsl::diagnostic> diagnostics;  // error: the proposal could not be read or checked (E6008)
  std::string proposal_file;                 // as findings name it
};

class coverage;

// Runs one case: loads its proposal, evaluates it with `rules` (recording coverage when given)
// and compares the findings with the expectations.
case_result run_case(const test_file& file, const test_case& c, const rule_set& rules, coverage* cov = nullptr);

// Text of an expectation, "error KPV-KEY-01 at /items/0/amounts/region".
std::string describe_expectation(const expected_finding& e);

// ------------------------------------------------------------------------------------------
// Coverage: which rules, and which outcomes of the conditions of their `where` filters and
// `when`, the cases exercised. Goals are keyed by their place in the rule files, so the same
// rules compiled for several test files add up.

struct coverage_goal {
  std::string rule;          // rule id
  rule_location at;          // the rule, or the condition
  std::string condition;     // the condition's text; empty for the rule's own goals
  std::string outcome;       // "failed", "passed" (the rule); "true", "false" (a condition)
  bool covered = false;
};

class coverage {
 public:
  // The goals of every rule of the program (added once per rule file place).
  void add_program(const program& p);
  // Records what one evaluation exercised; `observer_for` watches the evaluation itself.
  evaluation_observer& observer_for(const program& p);
  void add_result(const program& p, const evaluation_result& r);

  // In rule-file order.
  std::vector<coverage_goal> goals() const;
  std::size_t covered() const;
  std::size_t total() const;
  struct rule_summary {
    std::string rule;
    rule_location at;
    bool checked = false, failed = false, passed = false;
  };
  std::vector<rule_summary> rules() const;

  coverage();
  ~coverage();
  coverage(const coverage&) = delete;
  coverage& operator=(const coverage&) = delete;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace fundcheck::engine
