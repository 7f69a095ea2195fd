// TAP version 14 reports (report_formats.hpp): a test point per proposal, its findings and
// input diagnostics as a YAML block, the summary as a closing comment.

#include <ostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fundcheck/dsl/format.hpp"
#include "fundcheck/engine/report_formats.hpp"

#include "report_util.hpp"

namespace fundcheck::engine {

namespace {

using namespace report_util;

// A YAML double-quoted scalar (a JSON string is one).
std::string yaml_quoted(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A test point's description: '#' would start a directive and '\' escapes, so both are escaped;
// a line break would end the line.
std::string description(std::string_view s) {
  std::string out;
  for (const char ch : valid_utf8(s)) {
    if (ch == '#' || ch == '\\') out += '\\';
    out += ch == '\n' || ch == '\r' ? ' ' : ch;
  }
  return out;
}

std::string location_text(std::string_view file, std::uint32_t line, std::uint32_t column) {
  if (!line) return std::string(file);
  return fmt::format("{}:{}:{}", file, line, column);
}

}  // namespace

std::string render_tap(const run_report& r, bool show_notes) {
  std::ostringstream out;
  render_tap(out, r, show_notes);
  return out.str();
}

void render_tap(std::ostream& stream, const run_report& r, bool show_notes) {
  stream << "TAP version 14\n";
  std::string out;
  if (!r.rules) {
    const dsl::diagnostic* first = nullptr;
    for (const auto& d : r.rule_diagnostics)
      if (!first && d.severity == dsl::level::error) first = &d;
    out += "Bail out! the rules could not be loaded";
    if (first) out += ": " + description(diagnostic_line(*first));
    out += "\n";
    stream << out;
    return;
  }
  out += fmt::format("1..{}\n", r.proposals.size());
  for (std::size_t i = 0; i < r.proposals.size(); ++i) {
    const auto& p = r.proposals[i];
    const proposal_status status = p.status(r.fail_on);
    out += fmt::format("{} {} - {}\n", status == proposal_status::passed ? "ok" : "not ok", i + 1, description(p.file));
    std::vector<const finding_details*> shown;
    for (const auto& f : p.findings)
      if (show_notes || f.severity != dsl::level::note) shown.push_back(&f);
    const auto diags = diagnostics_of(p);
    if (shown.empty() && diags.empty() && status == proposal_status::passed) {
      stream << out;
      out.clear();
      continue;
    }
    const severity_counts c = p.counts();
    out += "  ---\n";
    out += fmt::format("  status: {}\n", to_string(status));
    out += fmt::format("  errors: {}\n  warnings: {}\n  notes: {}\n", c.errors, c.warnings, c.notes);
    if (!diags.empty()) {
      out += "  diagnostics:\n";
      for (const auto& d : diags) {
        const region rg = diagnostic_region(d);
        out += fmt::format("    - code: {}\n", yaml_quoted(d.code));
        out += fmt::format("      severity: {}\n", dsl::to_string(d.severity));
        out += fmt::format("      message: {}\n", yaml_quoted(d.message));
        out += fmt::format("      at: {}\n", yaml_quoted(location_text(d.source ? d.source->path() : p.file, rg.line, rg.column)));
      }
    }
    if (!shown.empty()) {
      out += "  findings:\n";
      for (const auto* f : shown) {
        out += fmt::format("    - rule: {}\n", yaml_quoted(f->rule));
        out += fmt::format("      severity: {}\n", dsl::to_string(f->severity));
        out += fmt::format("      kind: {}\n", to_string(f->kind));
        out += fmt::format("      message: {}\n", yaml_quoted(f->message));
        out += fmt::format("      at: {}\n", yaml_quoted(location_text(finding_file(p, *f), f->where.line, f->where.column)));
        if (!f->where.path.empty()) out += fmt::format("      path: {}\n", yaml_quoted(f->where.path));
        if (!f->values.empty()) {
          out += "      values:\n";
          for (const auto& v : f->values) {
            std::string value = v.role + ": " + dsl::single_line(v.expression) + " = " + v.value;
            if (v.interval) value += fmt::format("  [{}, {}]", v.interval->first, v.interval->second);
            out += fmt::format("        - {}\n", yaml_quoted(value));
          }
        }
        if (f->difference) out += fmt::format("      difference: {}\n", yaml_quoted(*f->difference));
        if (!f->reason.empty()) out += fmt::format("      reason: {}\n", yaml_quoted(f->reason));
        out += fmt::format("      rule_at: {}\n", yaml_quoted(location_text(f->rule_at.file, f->rule_at.line, f->rule_at.column)));
      }
    }
    out += "  ...\n";
    stream << out;  // one proposal at a time
    out.clear();
  }
  out += "# " + summary_line(r) + "\n";
  stream << out;
}

}  // namespace fundcheck::engine
