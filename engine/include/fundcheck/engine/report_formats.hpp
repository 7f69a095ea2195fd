#pragma once
// The report formats of `fundcheck check --format NAME[=FILE]` (docs/report-format.md): text and
// json (report.hpp) for people and tools, and for CI: junit (test tabs), sarif 2.1.0 (code
// scanning), github (workflow-command annotations) and tap (version 14). Every renderer is a
// pure function of the run report, so a run can write several formats at once and each is the
// same for any number of threads.

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

#include "fundcheck/engine/report.hpp"

namespace fundcheck::engine {

// JUnit XML: one <testsuite> per proposal, one <testcase> per rule of its format (named
// "RULE-ID: title", unique in the suite); a rule's failing findings are its <failure>, with
// file:line:col; a proposal that could not be checked has one <testcase> with an <error>.
std::string render_junit(const run_report& r);
// SARIF 2.1.0: one run; the driver's rules are the rule set's (title, severity, the rule's file
// and line); each finding a result at its file, line and column, with the rule's place as a
// related location and a fingerprint that does not change when lines move.
std::string render_sarif(const run_report& r);
// GitHub Actions workflow commands: one ::error / ::warning / ::notice line per finding, with
// file, line and column, then the summary line.
std::string render_github(const run_report& r, bool show_notes = true);
// TAP version 14: one test point per proposal, findings as a YAML block, the summary as a comment.
std::string render_tap(const run_report& r, bool show_notes = true);

// The same, written to a stream as they go, one proposal (or one result) at a time, so that a
// large run's report is never held in memory whole. The bytes are those of the functions above.
void render_junit(std::ostream& out, const run_report& r);
void render_sarif(std::ostream& out, const run_report& r);
void render_github(std::ostream& out, const run_report& r, bool show_notes = true);
void render_tap(std::ostream& out, const run_report& r, bool show_notes = true);

struct report_options {
  bool color = false;       // ANSI colours (text)
  bool show_notes = true;   // formats that honour --no-notes leave notes out when false
  bool show_values = true;  // the values compared (text)
};

// One entry of the --format table.
struct report_format {
  std::string_view name;         // as given to --format
  std::string_view description;  // one line, for --help
  void (*render)(std::ostream& out, const run_report& r, const report_options& o) = nullptr;
  bool honours_no_notes = false;  // false: the format always carries every finding
  bool quotes_source = true;      // reads proposal_report::source; false lets a run drop the texts
  bool draws_proposal = false;    // reads proposal_report::model; a run keeps the models only then
};

// Every format, in the order of the help text.
std::span<const report_format> report_formats();
// The format called `name`, or null.
const report_format* find_report_format(std::string_view name);
// "text|json|junit|…", for usage lines.
std::string report_format_names(std::string_view separator = "|");

}  // namespace fundcheck::engine
