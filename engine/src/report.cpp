// Text and JSON reports of a check run.

#include "fundcheck/engine/report.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fundcheck/dsl/ansi.hpp"
#include "fundcheck/dsl/format.hpp"

#include "report_util.hpp"

namespace fundcheck::engine {

namespace {

namespace ansi = dsl::ansi;
using dsl::ansi::color_of;
using report_util::plural;
using report_util::token_at;

using counts = severity_counts;

counts count(const proposal_report& p) { return p.counts(); }

bool unreadable(const proposal_report& p) {
  return !p.result || dsl::has_errors(p.result->diagnostics) || dsl::has_errors(p.diagnostics);
}

std::string counts_text(const counts& c) {
  return fmt::format("{}, {}, {}", plural(c.errors, "error"), plural(c.warnings, "warning"),
                     plural(c.notes, "note"));
}

void render_finding(std::ostream& out, const proposal_report& p, const finding_details& f, const text_options& o) {
  const bool color = o.color;
  if (color) out << ansi::bold << color_of(f.severity);
  out << dsl::to_string(f.severity) << '[' << f.rule << ']';
  if (color) out << ansi::reset << ansi::bold;
  out << ": ";
  if (f.kind == finding_kind::rounding) out << "holds only within rounding: ";
  out << f.message;
  if (color) out << ansi::reset;
  out << '\n';
  const auto& w = f.where;
  out << "  --> " << (w.file.empty() ? p.file : w.file);
  if (w.line) out << ':' << w.line << ':' << w.column;
  if (!w.path.empty()) out << " (" << w.path << ')';
  out << '\n';
  const dsl::source_ptr& src = w.source ? w.source : p.source;
  if (src && w.line) dsl::render_snippet(out, *src, token_at(*src, w.offset), color);
  auto line = [&](std::string_view label, const std::string& text) {
    out << "      = ";
    if (color) out << ansi::bold;
    out << label << ':';
    if (color) out << ansi::reset;
    out << ' ' << text << '\n';
  };
  if (o.show_values) {
    for (const auto& v : f.values) {
      std::string text = fmt::format("{} = {}", dsl::single_line(v.expression), v.value);
      if (v.interval) text += fmt::format("  [{}, {}]", v.interval->first, v.interval->second);
      line(v.role, text);
    }
    if (f.difference) line("difference", *f.difference);
  }
  if (f.kind == finding_kind::not_evaluated) line("reason", f.reason);
  line("rule", fmt::format("{}:{}:{} \"{}\"", f.rule_at.file, f.rule_at.line, f.rule_at.column, f.title));
}

// Rules not evaluated for the same reason: a failed definition (the root of a chain of failed
// definitions) or the exhausted evaluation budget. In the order the first member is reported.
struct root_cause {
  const finding_details* first = nullptr;
  std::vector<const finding_details*> members;
};

std::vector<root_cause> root_causes(const std::vector<const finding_details*>& findings) {
  std::vector<root_cause> out;
  for (const auto* f : findings) {
    if (f->kind != finding_kind::not_evaluated || f->cause == finding::cause_kind::none) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const root_cause& c) {
      return c.first->cause == f->cause && c.first->cause_definition == f->cause_definition;
    });
    if (it == out.end()) it = out.insert(out.end(), root_cause{f, {}});
    it->members.push_back(f);
  }
  return out;
}

// The reason itself: "'recipient_ids' could not be computed: …".
const std::string& cause_message(const root_cause& c) { return c.first->reason; }

// One block for the rules a root cause kept from being evaluated, in place of one per rule.
void render_root_cause(std::ostream& out, const proposal_report& p, const root_cause& c, const text_options& o) {
  const bool color = o.color;
  dsl::level worst = dsl::level::note;
  std::vector<std::string> ids;
  for (const auto* f : c.members) {
    worst = std::min(worst, f->severity);  // error < warning < note
    ids.push_back(f->rule);
  }
  if (color) out << ansi::bold << color_of(worst);
  out << dsl::to_string(worst);
  if (color) out << ansi::reset << ansi::bold;
  out << ": " << cause_message(c) << " \u2014 " << c.members.size() << " rules not evaluated: ";
  for (std::size_t i = 0; i < ids.size(); ++i) out << (i ? ", " : "") << ids[i];
  if (color) out << ansi::reset;
  out << '\n';
  const auto* f = c.first;
  if (f->cause == finding::cause_kind::definition && f->cause_source) {
    out << "  --> " << f->cause_at.file << ':' << f->cause_at.line << ':' << f->cause_at.column
        << " (definition " << f->cause_definition << ")\n";
    dsl::render_snippet(out, *f->cause_source, f->cause_where, color);
  } else {
    out << "  --> " << p.file << '\n';
  }
  for (const auto* m : c.members) {
    out << "      = ";
    if (color) out << ansi::bold;
    out << "not evaluated:";
    if (color) out << ansi::reset;
    out << ' ' << m->rule << ' ' << m->rule_at.file << ':' << m->rule_at.line << ':' << m->rule_at.column << " \""
        << m->title << "\"\n";
  }
}

}  // namespace

std::string_view to_string(proposal_status s) noexcept {
  switch (s) {
    case proposal_status::passed: return "passed";
    case proposal_status::failed: return "failed";
    case proposal_status::unreadable: return "unreadable";
  }
  return "unreadable";
}

bool proposal_report::failed(dsl::level fail_on) const noexcept {
  if (!result || dsl::has_errors(diagnostics) || dsl::has_errors(result->diagnostics)) return true;
  if (result->errors() > 0) return true;
  return fail_on == dsl::level::warning && result->warnings() > 0;
}

proposal_status proposal_report::status(dsl::level fail_on) const noexcept {
  if (unreadable(*this)) return proposal_status::unreadable;
  return failed(fail_on) ? proposal_status::failed : proposal_status::passed;
}

severity_counts proposal_report::counts() const noexcept {
  severity_counts c;
  for (const auto& d : diagnostics) {
    if (d.severity == dsl::level::error) ++c.errors;
    else if (d.severity == dsl::level::warning) ++c.warnings;
    else ++c.notes;
  }
  if (result) {
    c.errors += result->errors();
    c.warnings += result->warnings();
    c.notes += result->notes();
    for (const auto& d : result->diagnostics)
      if (d.severity == dsl::level::error) ++c.errors;
  }
  return c;
}

run_summary summarize(const run_report& r) {
  run_summary s;
  s.proposals = r.proposals.size();
  for (const auto& p : r.proposals) {
    const counts c = p.counts();
    s.total.errors += c.errors;
    s.total.warnings += c.warnings;
    s.total.notes += c.notes;
    switch (p.status(r.fail_on)) {
      case proposal_status::passed: ++s.passed; break;
      case proposal_status::failed: ++s.failed; break;
      case proposal_status::unreadable: ++s.unreadable; break;
    }
  }
  return s;
}

std::string summary_line(const run_report& r) {
  if (!r.rules) return "the rules could not be loaded; no proposal was checked";
  const run_summary s = summarize(r);
  std::string out = fmt::format("{} checked", plural(s.proposals, "proposal"));
  if (r.shard) out += fmt::format(" (shard {}/{} of {})", r.shard->index, r.shard->count, plural(r.shard->files, "file"));
  out += fmt::format(": {} passed, {} failed", s.passed, s.failed);
  if (s.unreadable) out += fmt::format(", {} could not be checked", s.unreadable);
  out += "; " + counts_text(s.total);
  return out;
}

void render_text(std::ostream& out, const run_report& r, const text_options& o) {
  bool first = true;
  if (!r.rules) {
    // The command shows these on standard error; a text report written to a file has them too.
    dsl::render_options ro;
    ro.color = o.color;
    dsl::render_text(out, r.rule_diagnostics, ro);
    out << '\n' << summary_line(r) << '\n';
    return;
  }
  for (const auto& p : r.proposals) {
    const counts c = count(p);

    std::vector<const finding_details*> shown;
    for (const auto& f : p.findings)
      if (o.show_notes || f.severity != dsl::level::note) shown.push_back(&f);
    std::vector<dsl::diagnostic> diags = p.diagnostics;
    if (p.result) diags.insert(diags.end(), p.result->diagnostics.begin(), p.result->diagnostics.end());

    if (!first) out << '\n';
    first = false;
    if (!diags.empty()) {
      dsl::render_options ro;
      ro.color = o.color;
      std::ostringstream tmp;
      dsl::render_text(tmp, diags, ro);
      // The per-proposal summary below replaces the "N errors generated." line.
      std::string text = tmp.str();
      const auto cut = text.rfind('\n', text.size() >= 2 ? text.size() - 2 : 0);
      if (cut != std::string::npos && text.find("generated.", cut) != std::string::npos)
        text.erase(cut + 1);
      out << text;
    }
    // Rules kept from being evaluated by one root cause are reported together, under it.
    const auto causes = root_causes(shown);
    for (const auto* f : shown) {
      const auto group = std::find_if(causes.begin(), causes.end(), [&](const root_cause& g) {
        return g.members.size() > 1 && std::find(g.members.begin(), g.members.end(), f) != g.members.end();
      });
      if (group == causes.end()) {
        render_finding(out, p, *f, o);
      } else if (group->first == f) {
        render_root_cause(out, p, *group, o);
      } else {
        continue;
      }
      out << '\n';
    }
    if (o.color) out << ansi::bold;
    out << p.file << ": ";
    if (unreadable(p)) {
      if (o.color) out << ansi::red;
      out << "could not be checked";
    } else if (p.failed(r.fail_on)) {
      if (o.color) out << ansi::red;
      out << "FAILED";
    } else {
      if (o.color) out << ansi::green;
      out << "passed";
    }
    if (o.color) out << ansi::reset;
    out << " (" << counts_text(c);
    if (p.result && !unreadable(p))
      out << "; " << plural(p.rules ? p.rules->rules.size() : 0, "rule") << ", "
          << plural(p.result->checks, "check");
    out << ")\n";
  }
  if (r.proposals.size() != 1 || r.shard) {
    if (!first) out << '\n';
    if (o.color) out << ansi::bold;
    out << summary_line(r);
    if (o.color) out << ansi::reset;
    out << '\n';
  }
}

namespace {

nlohmann::json location_json(const proposal_report& p, const proposal_location& w) {
  nlohmann::json j;
  j["file"] = w.file.empty() ? p.file : w.file;
  j["pointer"] = w.pointer;
  j["path"] = w.path;
  j["line"] = w.line;
  j["column"] = w.column;
  if (!w.item_id.empty() || !w.item_name.empty()) j["record"] = {{"id", w.item_id}, {"name", w.item_name}};
  if (!w.column_id.empty()) j["amount_column"] = w.column_id;
  if (w.year) j["year"] = *w.year;
  return j;
}

nlohmann::json proposal_json(const run_report& r, const proposal_report& p);
nlohmann::json report_head(const run_report& r);

}  // namespace

nlohmann::json report_json(const run_report& r) {
  nlohmann::json j = report_head(r);
  if (!r.rules) return j;
  j["proposals"] = nlohmann::json::array();
  for (const auto& p : r.proposals) j["proposals"].push_back(proposal_json(r, p));
  return j;
}

std::string render_json(const run_report& r) {
  std::ostringstream out;
  render_json(out, r);
  return out.str();
}

// Writes the report one proposal at a time, so a run over thousands of proposals never holds
// the whole document as a JSON tree; the bytes are those of the whole tree's dump(2).
void render_json(std::ostream& out, const run_report& r) {
  nlohmann::json j = report_head(r);
  if (!r.rules) {
    out << j.dump(2) << '\n';
    return;
  }
  // The members in the order nlohmann::json keeps them (sorted by key), "proposals" streamed.
  j["proposals"] = nullptr;
  out << "{\n";
  bool first_member = true;
  for (const auto& [key, value] : j.items()) {
    if (!first_member) out << ",\n";
    first_member = false;
    out << "  " << nlohmann::json(key).dump() << ": ";
    if (key != "proposals") {
      out << report_util::indented(value.dump(2), 2);
      continue;
    }
    if (r.proposals.empty()) {
      out << "[]";
      continue;
    }
    out << "[\n";
    for (std::size_t i = 0; i < r.proposals.size(); ++i) {
      if (i) out << ",\n";
      out << "    " << report_util::indented(proposal_json(r, r.proposals[i]).dump(2), 4);
    }
    out << "\n  ]";
  }
  out << "\n}\n";
}

namespace {

// Everything but "proposals" (or, without rules, the whole error document).
nlohmann::json report_head(const run_report& r) {
  nlohmann::json j;
  if (!r.rules) {
    j["error"] = "the rules could not be loaded";
    j["diagnostics"] = nlohmann::json::array();
    for (const auto& d : r.rule_diagnostics) {
      nlohmann::json dj;
      to_json(dj, d);
      j["diagnostics"].push_back(dj);
    }
    return j;
  }
  j["fundcheck"] = {{"version", r.version}, {"report_format", 1}};
  nlohmann::json sets = nlohmann::json::array();
  if (r.rules) {
    for (const auto& prog : r.rules->programs) {
      nlohmann::json files = nlohmann::json::array();
      for (const auto& s : prog->sources) files.push_back(s->path());
      sets.push_back({{"format", prog->schema_def->format},
                      {"sha256", prog->hash},
                      {"files", files},
                      {"count", prog->rules.size()}});
    }
  }
  j["rule_sets"] = sets;
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : r.params) params[k] = v;
  j["params"] = params;

  const run_summary summary = summarize(r);
  j["summary"] = {{"proposals", r.proposals.size()}, {"passed", summary.passed}, {"failed", summary.failed},
                  {"unreadable", summary.unreadable}, {"errors", summary.total.errors},
                  {"warnings", summary.total.warnings}, {"notes", summary.total.notes}};
  if (r.shard) j["summary"]["shard"] = {{"index", r.shard->index}, {"count", r.shard->count}, {"files", r.shard->files}};
  return j;
}

nlohmann::json proposal_json(const run_report& r, const proposal_report& p) {
  {
    const counts c = count(p);
    nlohmann::json pj;
    pj["file"] = p.file;
    if (!p.sha256.empty()) pj["sha256"] = p.sha256;
    if (p.rules) pj["format"] = p.rules->schema_def->format;
    pj["status"] = std::string(to_string(p.status(r.fail_on)));
    pj["summary"] = {{"errors", c.errors}, {"warnings", c.warnings}, {"notes", c.notes}};
    nlohmann::json diags = nlohmann::json::array();
    std::vector<dsl::diagnostic> all = p.diagnostics;
    if (p.result) all.insert(all.end(), p.result->diagnostics.begin(), p.result->diagnostics.end());
    for (const auto& d : all) {
      nlohmann::json dj;
      to_json(dj, d);
      diags.push_back(dj);
    }
    pj["diagnostics"] = diags;
    nlohmann::json findings = nlohmann::json::array();
    if (p.result) {
      pj["summary"]["checks"] = p.result->checks;
      std::vector<const finding_details*> all_findings;
      for (const auto& f : p.findings) all_findings.push_back(&f);
      const auto causes = root_causes(all_findings);
      nlohmann::json causes_json = nlohmann::json::array();
      for (const auto& cause : causes) {
        nlohmann::json cj;
        const auto* f = cause.first;
        cj["kind"] = f->cause == finding::cause_kind::definition ? "definition" : "budget";
        if (f->cause == finding::cause_kind::definition) {
          cj["definition"] = f->cause_definition;
          cj["rule_location"] = {{"file", f->cause_at.file}, {"line", f->cause_at.line}, {"column", f->cause_at.column}};
        }
        cj["message"] = cause_message(cause);
        nlohmann::json ids = nlohmann::json::array();
        for (const auto* m : cause.members) ids.push_back(m->rule);
        cj["rules"] = ids;
        causes_json.push_back(std::move(cj));
      }
      pj["root_causes"] = std::move(causes_json);
      for (const auto& f : p.findings) {
        nlohmann::json fj;
        fj["rule"] = f.rule;
        fj["severity"] = dsl::to_string(f.severity);
        fj["kind"] = to_string(f.kind);
        fj["title"] = f.title;
        fj["message"] = f.message;
        fj["location"] = location_json(p, f.where);
        fj["rule_location"] = {{"file", f.rule_at.file}, {"line", f.rule_at.line}, {"column", f.rule_at.column}};
        nlohmann::json values = nlohmann::json::array();
        for (const auto& v : f.values) {
          nlohmann::json vj = {{"role", v.role}, {"expression", dsl::single_line(v.expression)}, {"value", v.value}};
          if (v.interval) vj["interval"] = {v.interval->first, v.interval->second};
          values.push_back(vj);
        }
        fj["values"] = values;
        if (f.difference) fj["difference"] = *f.difference;
        if (!f.reason.empty()) fj["reason"] = f.reason;
        for (std::size_t k = 0; k < causes.size(); ++k)
          if (std::find(causes[k].members.begin(), causes[k].members.end(), &f) != causes[k].members.end())
            fj["root_cause"] = k;
        findings.push_back(fj);
      }
      nlohmann::json rules = nlohmann::json::array();
      for (std::size_t i = 0; i < p.result->stats.size() && p.rules; ++i) {
        const auto& s = p.result->stats[i];
        rules.push_back({{"id", p.rules->rules[i].id},
                         {"evaluated", s.evaluated},
                         {"checks", s.bindings},
                         {"passed", s.passed},
                         {"failed", s.failed},
                         {"rounding", s.rounding},
                         {"not_applicable", s.not_applicable}});
      }
      pj["rules"] = rules;
    }
    pj["findings"] = findings;
    return pj;
  }
}

}  // namespace

int exit_code(const run_report& r, dsl::level fail_on) {
  if (!r.rules) return 2;
  int code = 0;
  for (const auto& p : r.proposals) {
    if (unreadable(p)) return 2;
    if (p.failed(fail_on)) code = 1;
  }
  return code;
}

}  // namespace fundcheck::engine
