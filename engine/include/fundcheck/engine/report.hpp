#pragma once
// Reports of a check run: per proposal, its input diagnostics or its findings. Text for people
// (grouped per proposal, optional colour) and a stable JSON document for tools
// (docs/report-format.md). The exit code policy lives here too, so every front end agrees.

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/program.hpp"
#include "fundcheck/engine/rule_set.hpp"

namespace fundcheck::engine {

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
};

struct run_report {
  std::string version;            // fundcheck version
  const rule_set* rules = nullptr;
  std::vector<std::pair<std::string, std::string>> params;  // overrides given
  std::vector<proposal_report> proposals;
};

struct text_options {
  bool color = false;
  bool show_notes = true;
  bool show_values = true;
};

void render_text(std::ostream& out, const run_report& r, const text_options& opts = {});
std::string render_json(const run_report& r);  // pretty-printed, trailing newline

// 0: no proposal has errors (or warnings, with fail_on warning); 1: rule errors were found;
// 2: some input could not be read or checked.
int exit_code(const run_report& r, dsl::level fail_on = dsl::level::error);

}  // namespace fundcheck::engine
