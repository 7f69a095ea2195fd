// JUnit XML reports (report_formats.hpp): the shape CI test tabs read (GitLab, Jenkins,
// Azure Pipelines, GitHub test-reporter actions). No times or host names, so the report depends
// only on the run.

#include <ostream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "fundcheck/engine/report_formats.hpp"

#include "report_util.hpp"

namespace fundcheck::engine {

namespace {

using namespace report_util;

// Text for XML 1.0 content and attribute values: markup characters as entities, line breaks
// and tabs kept (as character references in attributes), other control characters, which XML
// 1.0 cannot carry, and bytes that are not UTF-8, as U+FFFD.
std::string xml(std::string_view raw, bool attribute) {
  const std::string text = valid_utf8(raw);
  std::string out;
  out.reserve(text.size() + 16);
  for (const char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += attribute ? "&quot;" : "\""; break;
      case '\n': out += attribute ? "&#10;" : "\n"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += attribute ? "&#9;" : "\t"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) out += "\xEF\xBF\xBD";
        else out += ch;
    }
  }
  return out;
}

std::string attr(std::string_view s) { return xml(s, true); }
std::string body(std::string_view s) { return xml(s, false); }

// A finding as the body of a <failure> or a line of <system-out>.
std::string finding_text(const proposal_report& p, const finding_details& f) {
  std::string out = fmt::format("{}:{}:{}: {}[{}]: {}{}\n", finding_file(p, f), f.where.line, f.where.column,
                                dsl::to_string(f.severity), f.rule,
                                f.kind == finding_kind::rounding ? "holds only within rounding: " : "", f.message);
  if (!f.where.path.empty()) out += "  at " + f.where.path + "\n";
  for (const auto& line : detail_lines(f)) out += "  " + line + "\n";
  return out;
}

std::string diagnostics_text(const std::vector<dsl::diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) {
    out += diagnostic_line(d) + "\n";
    for (const auto& n : d.notes) out += "  " + diagnostic_line(n) + "\n";
  }
  return out;
}

struct suite {
  std::string xml;
  std::size_t tests = 0, failures = 0, errors = 0;
};

// A suite with one test case that could not run: the rules, or a proposal that was not checked.
suite error_suite(std::string_view name, std::string_view test, const std::vector<dsl::diagnostic>& diags,
                  std::string_view file) {
  suite s;
  s.tests = 1;
  s.errors = 1;
  const dsl::diagnostic* first = nullptr;
  for (const auto& d : diags)
    if (d.severity == dsl::level::error && !first) first = &d;
  if (!first && !diags.empty()) first = &diags.front();
  std::string message = first ? diagnostic_line(*first) : std::string("could not be checked");
  std::string where;
  if (first && first->source) where = fmt::format(" file=\"{}\" line=\"{}\"", attr(first->source->path()), diagnostic_region(*first).line);
  else if (!file.empty()) where = fmt::format(" file=\"{}\"", attr(file));
  s.xml += fmt::format("    <testcase name=\"{}\" classname=\"{}\"{}>\n", attr(test), attr(name), where);
  s.xml += fmt::format("      <error message=\"{}\" type=\"{}\">{}</error>\n", attr(message),
                       attr(first && !first->code.empty() ? first->code : "error"), body(diagnostics_text(diags)));
  s.xml += "    </testcase>\n";
  return s;
}

suite proposal_suite(const run_report& r, const proposal_report& p) {
  if (p.status(r.fail_on) == proposal_status::unreadable || !p.rules || !p.result)
    return error_suite(p.file, "could not be checked", diagnostics_of(p), p.file);
  suite s;
  const program& prog = *p.rules;
  for (std::size_t i = 0; i < prog.rules.size(); ++i) {
    const rule_def& rule = prog.rules[i];
    std::vector<const finding_details*> failing, other;
    for (const auto& f : p.findings) {
      if (f.rule != rule.id) continue;
      (fails(f, r.fail_on) ? failing : other).push_back(&f);
    }
    ++s.tests;
    std::string where = fmt::format(" file=\"{}\"", attr(p.file));
    if (!failing.empty()) where = fmt::format(" file=\"{}\" line=\"{}\"", attr(finding_file(p, *failing.front())), failing.front()->where.line);
    s.xml += fmt::format("    <testcase name=\"{}\" classname=\"{}\"{}", attr(rule.id + ": " + rule.title), attr(p.file), where);
    if (failing.empty() && other.empty()) {
      s.xml += "/>\n";
      continue;
    }
    s.xml += ">\n";
    if (!failing.empty()) {
      ++s.failures;
      const finding_details& f = *failing.front();
      std::string message = fmt::format("{}:{}:{}: {}", finding_file(p, f), f.where.line, f.where.column, f.message);
      if (failing.size() > 1) message += fmt::format(" (and {} more)", failing.size() - 1);
      std::string text;
      for (const auto* ff : failing) text += finding_text(p, *ff);
      s.xml += fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n", attr(message),
                           dsl::to_string(f.severity), body(text));
    }
    if (!other.empty()) {
      std::string text;
      for (const auto* ff : other) text += finding_text(p, *ff);
      s.xml += fmt::format("      <system-out>{}</system-out>\n", body(text));
    }
    s.xml += "    </testcase>\n";
  }
  return s;
}

// The counts of a proposal's suite, without rendering it (they head the document).
suite suite_counts(const run_report& r, const proposal_report& p) {
  suite s;
  if (p.status(r.fail_on) == proposal_status::unreadable || !p.rules || !p.result) {
    s.tests = s.errors = 1;
    return s;
  }
  s.tests = p.rules->rules.size();
  std::set<std::string_view> failing;
  for (const auto& f : p.findings)
    if (fails(f, r.fail_on)) failing.insert(f.rule);
  s.failures = failing.size();
  return s;
}

std::string properties(const proposal_report& p) {
  std::string props;
  if (p.rules) props += fmt::format("      <property name=\"format\" value=\"{}\"/>\n", attr(p.rules->schema_def->format));
  if (!p.sha256.empty()) props += fmt::format("      <property name=\"sha256\" value=\"{}\"/>\n", p.sha256);
  if (p.result) props += fmt::format("      <property name=\"checks\" value=\"{}\"/>\n", p.result->checks);
  return props.empty() ? props : "    <properties>\n" + props + "    </properties>\n";
}

void write_suite(std::ostream& out, std::size_t id, std::string_view name, const suite& s, const std::string& props) {
  out << fmt::format("  <testsuite name=\"{}\" id=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">\n",
                     attr(name), id, s.tests, s.failures, s.errors)
      << props << s.xml << "  </testsuite>\n";
}

}  // namespace

void render_junit(std::ostream& out, const run_report& r) {
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  if (!r.rules) {
    const suite s = error_suite("rules", "load the rules", r.rule_diagnostics, "");
    out << fmt::format("<testsuites name=\"fundcheck\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">\n",
                       s.tests, s.failures, s.errors);
    write_suite(out, 0, "rules", s, "");
    out << "</testsuites>\n";
    return;
  }
  std::size_t tests = 0, failures = 0, errors = 0;
  for (const auto& p : r.proposals) {
    const suite s = suite_counts(r, p);
    tests += s.tests;
    failures += s.failures;
    errors += s.errors;
  }
  out << fmt::format("<testsuites name=\"fundcheck\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\">\n", tests,
                     failures, errors);
  // One suite at a time: a run over thousands of proposals never holds the whole document.
  for (std::size_t i = 0; i < r.proposals.size(); ++i) {
    const auto& p = r.proposals[i];
    write_suite(out, i, p.file, proposal_suite(r, p), properties(p));
  }
  out << "</testsuites>\n";
}

std::string render_junit(const run_report& r) {
  std::ostringstream out;
  render_junit(out, r);
  return out.str();
}

}  // namespace fundcheck::engine
