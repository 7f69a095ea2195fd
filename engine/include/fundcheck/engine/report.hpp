#pragma once
// Reports of a check run: per proposal, its input diagnostics or its findings. Text for people
// (grouped per proposal, optional colour) and a stable JSON document for tools
// (docs/report-format.md). The exit code policy lives here too, so every front end agrees.

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/program.hpp"
#include "fundcheck/engine/rule_set.hpp"

namespace fundcheck::engine {

// How a proposal came out of a run: checked without failing findings, checked with failing
// findings (errors; with --fail-on warning, warnings too), or not checked at all (it could not be
// read, or no rules are for its format).
enum class proposal_status : std::uint8_t { passed, failed, unreadable };
std::string_view to_string(proposal_status s) noexcept;  // "passed", "failed", "unreadable"

struct severity_counts {
  std::size_t errors = 0, warnings = 0, notes = 0;
};

struct proposal_report {
  std::string file;                          // as given on the command line
  const program* rules = nullptr;            // the program that checked it (by its format)
  std::string sha256;                        // of the file's bytes, when it could be read
  dsl::source_ptr source;                    // for quoting lines; null when unreadable
  std::vector<dsl::diagnostic> diagnostics;  // why it could not be checked (E3xxx)
  std::optional<evaluation_result> result;   // when it was checked
  std::vector<finding_details> findings;     // result's findings in words (describe()); the
                                             // text report may leave notes out
  std::shared_ptr<const proposal> model;     // the loaded proposal, for reports that draw it
                                             // (HTML); may be null even when it was read
  bool failed(dsl::level fail_on) const noexcept;  // errors, or (fail_on) warnings too
  proposal_status status(dsl::level fail_on) const noexcept;
  severity_counts counts() const noexcept;  // findings and input diagnostics, by severity
};

// With --shard I/N: this run checked the I-th of N slices of `files` proposal files.
struct shard_info {
  std::uint32_t index = 1, count = 1;  // 1-based
  std::size_t files = 0;               // before slicing
};

struct run_report {
  std::string version;            // fundcheck version
  const rule_set* rules = nullptr;
  std::vector<std::pair<std::string, std::string>> params;  // overrides given
  std::vector<proposal_report> proposals;
  dsl::level fail_on = dsl::level::error;  // what makes a proposal fail (--fail-on)
  // Diagnostics from loading the rules: warnings, or errors, and then `rules` is null and no
  // proposal was checked.
  std::vector<dsl::diagnostic> rule_diagnostics;
  std::optional<shard_info> shard;
};

struct run_summary {
  std::size_t proposals = 0, passed = 0, failed = 0, unreadable = 0;
  severity_counts total;
};
run_summary summarize(const run_report& r);
// The closing line of the human-readable reports, e.g. "3 proposals checked: 1 passed,
// 2 failed; 4 errors, 1 warning, 2 notes" (docs/report-format.md); no line break.
std::string summary_line(const run_report& r);

struct text_options {
  bool color = false;
  bool show_notes = true;
  bool show_values = true;
};

void render_text(std::ostream& out, const run_report& r, const text_options& opts = {});
std::string render_json(const run_report& r);  // pretty-printed, trailing newline
void render_json(std::ostream& out, const run_report& r);  // the same, written as it goes
// The same document as a value, for callers that add to it (the server adds its decision)
// without printing and parsing it again: render_json(r) == report_json(r).dump(2) + "\n".
nlohmann::json report_json(const run_report& r);

// 0: no proposal has errors (or warnings, with fail_on warning); 1: rule errors were found;
// 2: some input could not be read or checked.
int exit_code(const run_report& r, dsl::level fail_on = dsl::level::error);

}  // namespace fundcheck::engine
