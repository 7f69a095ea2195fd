// GitHub Actions workflow commands (report_formats.hpp): each finding becomes an annotation on
// the file, line and column of the value, shown in the run and on the pull request's diff.

#include <ostream>
#include <sstream>

#include <fmt/format.h>

#include "fundcheck/engine/report_formats.hpp"

#include "report_util.hpp"

namespace fundcheck::engine {

namespace {

using namespace report_util;

// The workflow-command escapes: in the message, '%', '\r' and '\n'; in a property value also
// ':' and ','.
std::string escape_data(std::string_view s) {
  std::string out;
  for (const char ch : valid_utf8(s)) {
    switch (ch) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string escape_property(std::string_view s) {
  std::string out;
  for (const char ch : escape_data(s)) {
    switch (ch) {
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string_view command_of(dsl::level l) noexcept {
  switch (l) {
    case dsl::level::error: return "error";
    case dsl::level::warning: return "warning";
    case dsl::level::note: return "notice";
  }
  return "error";
}

std::string command(dsl::level l, std::string_view file, const region& rg, std::string_view title,
                    std::string_view message) {
  std::string props;
  if (!file.empty()) props += "file=" + escape_property(file);
  if (rg.line) {
    props += fmt::format(",line={},col={}", rg.line, rg.column);
    if (rg.end_line == rg.line && rg.end_column > rg.column) props += fmt::format(",endColumn={}", rg.end_column);
  }
  if (!title.empty()) {
    if (!props.empty()) props += ',';
    props.append("title=").append(escape_property(title));
  }
  return fmt::format("::{}{}{}::{}\n", command_of(l), props.empty() ? "" : " ", props, escape_data(message));
}

std::string diagnostic_command(const dsl::diagnostic& d, std::string_view fallback_file) {
  std::string message = d.message;
  for (const auto& n : d.notes) message.append("\n").append(diagnostic_line(n));
  const std::string title = d.code.empty() ? std::string("fundcheck") : "fundcheck " + d.code;
  if (d.source) return command(d.severity, d.source->path(), diagnostic_region(d), title, message);
  return command(d.severity, fallback_file, {}, title, message);
}

}  // namespace

void render_github(std::ostream& out, const run_report& r, bool show_notes) {
  for (const auto& d : r.rule_diagnostics) out << diagnostic_command(d, "");
  for (const auto& p : r.proposals) {
    for (const auto& d : diagnostics_of(p)) out << diagnostic_command(d, p.file);
    for (const auto& f : p.findings) {
      if (!show_notes && f.severity == dsl::level::note) continue;
      std::string message = f.kind == finding_kind::rounding ? "holds only within rounding: " + f.message : f.message;
      if (!f.where.path.empty()) message += "\nat " + f.where.path;
      for (const auto& line : detail_lines(f)) message += "\n" + line;
      out << command(f.severity, finding_file(p, f), finding_region(p, f), f.rule + ": " + f.title, message);
    }
  }
  out << summary_line(r) << '\n';
}

std::string render_github(const run_report& r, bool show_notes) {
  std::ostringstream out;
  render_github(out, r, show_notes);
  return out.str();
}

}  // namespace fundcheck::engine
