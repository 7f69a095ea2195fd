// The table of report formats (report_formats.hpp). A new format is one renderer and one entry
// in `formats` below; `fundcheck check --format` and its help text take it from here.

#include "fundcheck/engine/report_formats.hpp"

#include "fundcheck/engine/report_html.hpp"

#include <algorithm>
#include <ostream>

namespace fundcheck::engine {

namespace {

void text_format(std::ostream& out, const run_report& r, const report_options& o) {
  text_options to;
  to.color = o.color;
  to.show_notes = o.show_notes;
  to.show_values = o.show_values;
  render_text(out, r, to);
}
void json_format(std::ostream& out, const run_report& r, const report_options&) { render_json(out, r); }
void junit_format(std::ostream& out, const run_report& r, const report_options&) { render_junit(out, r); }
void sarif_format(std::ostream& out, const run_report& r, const report_options&) { render_sarif(out, r); }
void github_format(std::ostream& out, const run_report& r, const report_options& o) {
  render_github(out, r, o.show_notes);
}
void tap_format(std::ostream& out, const run_report& r, const report_options& o) { render_tap(out, r, o.show_notes); }
void html_format(std::ostream& out, const run_report& r, const report_options& o) {
  if (!r.rules) {
    render_html_rule_errors(out, r.version, r.rule_diagnostics);
    return;
  }
  html_options ho;
  ho.show_values = o.show_values;
  render_html(out, r, ho);
}

// name, description, renderer, honours --no-notes, quotes the proposal's text, draws the proposal
constexpr report_format formats[] = {
    {"text", "for people: each finding with its source line (default)", text_format, true, true},
    {"json", "the whole report for tools (docs/report-format.md)", json_format, false, false},
    {"junit", "JUnit XML for CI test tabs: a suite per proposal, a test per rule", junit_format, false, false},
    {"sarif", "SARIF 2.1.0 for code scanning", sarif_format, false, true},
    {"github", "GitHub Actions annotations (workflow commands)", github_format, true, true},
    {"tap", "TAP version 14: a test point per proposal", tap_format, true, false},
    {"html", "one self-contained page to read and print (each proposal drawn)", html_format, false, true, true},
};

}  // namespace

std::span<const report_format> report_formats() { return formats; }

const report_format* find_report_format(std::string_view name) {
  for (const auto& f : formats)
    if (f.name == name) return &f;
  return nullptr;
}

std::string report_format_names(std::string_view separator) {
  std::string out;
  for (const auto& f : formats) {
    if (!out.empty()) out += separator;
    out += f.name;
  }
  return out;
}

}  // namespace fundcheck::engine
