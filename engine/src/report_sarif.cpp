// SARIF 2.1.0 reports (report_formats.hpp), for code-scanning views (GitHub code scanning,
// GitLab, Azure DevOps, the VS Code SARIF viewer).

#include <cctype>
#include <map>
#include <ostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fundcheck/dsl/format.hpp"
#include "fundcheck/engine/report_formats.hpp"
#include "fundcheck/engine/sha256.hpp"

#include "report_util.hpp"

namespace fundcheck::engine {

namespace {

using namespace report_util;
using json = nlohmann::ordered_json;

std::string_view sarif_level(dsl::level l) noexcept {
  switch (l) {
    case dsl::level::error: return "error";
    case dsl::level::warning: return "warning";
    case dsl::level::note: return "note";
  }
  return "error";
}

// A file path as a URI reference (RFC 3986): relative paths stay relative to the checkout
// (%SRCROOT%), absolute ones become file:// URIs; bytes outside the unreserved set and '/'
// are percent-encoded.
json artifact(std::string_view path) {
  std::string_view p = path;
  while (p.starts_with("./")) p.remove_prefix(2);
  std::string uri;
  for (const char ch : p) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '/') uri += ch;
    else uri += fmt::format("%{:02X}", c);
  }
  if (!p.empty() && p.front() == '/') return {{"uri", "file://" + uri}};
  return {{"uri", uri}, {"uriBaseId", "%SRCROOT%"}};
}

json region_json(const region& rg) {
  json r = {{"startLine", rg.line}, {"startColumn", rg.column}};
  if (rg.end_line) {
    r["endLine"] = rg.end_line;
    r["endColumn"] = rg.end_column;
  }
  return r;
}

json location(std::string_view file, const region& rg) {
  json pl = {{"artifactLocation", artifact(file)}};
  if (rg.line) pl["region"] = region_json(rg);
  return {{"physicalLocation", pl}};
}

std::string text(std::string_view s) { return valid_utf8(s); }

// The driver's rules: the rule set's rules (by id, first program first), then the diagnostic
// codes that occur, as they are first met.
class rule_table {
 public:
  explicit rule_table(const run_report& r) {
    if (!r.rules) return;
    for (const auto& prog : r.rules->programs) {
      for (const auto& rule : prog->rules) {
        if (index_.contains(rule.id)) continue;
        const auto& src = prog->sources[rule.file];
        const auto at = src->locate(rule.where.begin);
        json d = {{"id", rule.id},
                  {"shortDescription", {{"text", text(rule.title)}}}};
        if (!rule.doc.empty()) d["fullDescription"] = {{"text", text(rule.doc)}};
        d["help"] = {{"text", text(fmt::format("Rule {} \"{}\", defined at {}:{}:{}.", rule.id, rule.title, src->path(),
                                              at.line, at.column))}};
        d["defaultConfiguration"] = {{"level", sarif_level(level_of(rule.severity))}};
        d["properties"] = {{"format", prog->schema_def->format},
                           {"file", text(src->path())},
                           {"line", at.line},
                           {"column", at.column},
                           {"ruleSetSha256", prog->hash}};
        add(rule.id, std::move(d));
      }
    }
  }
  std::size_t index_of_code(const dsl::diagnostic& d) {
    const std::string id = d.code.empty() ? std::string("fundcheck") : d.code;
    if (auto it = index_.find(id); it != index_.end()) return it->second;
    json desc = {{"id", id},
                 {"shortDescription", {{"text", fmt::format("fundcheck diagnostic {}", id)}}},
                 {"help", {{"text", fmt::format("See docs/diagnostics.md, code {}.", id)}}},
                 {"defaultConfiguration", {{"level", sarif_level(d.severity)}}}};
    return add(id, std::move(desc));
  }
  std::size_t index_of_rule(const std::string& id) const { return index_.at(id); }
  // The descriptors, once every code is known; indices stay valid.
  json take() { return std::move(rules_); }

 private:
  std::size_t add(const std::string& id, json d) {
    const std::size_t i = rules_.size();
    index_[id] = i;
    rules_.push_back(std::move(d));
    return i;
  }
  json rules_ = json::array();
  std::map<std::string, std::size_t, std::less<>> index_;
};

json diagnostic_result(rule_table& rules, const dsl::diagnostic& d, std::string_view fallback_file) {
  const std::size_t index = rules.index_of_code(d);
  json res = {{"ruleId", d.code.empty() ? std::string("fundcheck") : d.code},
              {"ruleIndex", index},
              {"level", sarif_level(d.severity)},
              {"message", {{"text", text(d.message)}}}};
  if (d.source) res["locations"] = json::array({location(d.source->path(), diagnostic_region(d))});
  else if (!fallback_file.empty()) res["locations"] = json::array({location(fallback_file, {})});
  if (!d.notes.empty()) {
    json related = json::array();
    int id = 0;
    for (const auto& n : d.notes) {
      json l = n.source ? location(n.source->path(), diagnostic_region(n)) : json::object();
      l["id"] = id++;
      l["message"] = {{"text", text(n.message)}};
      related.push_back(std::move(l));
    }
    res["relatedLocations"] = std::move(related);
  }
  return res;
}

json finding_result(rule_table& rules, const proposal_report& p, const finding_details& f) {
  const std::string& file = finding_file(p, f);
  std::string message = f.kind == finding_kind::rounding ? "holds only within rounding: " + f.message : f.message;
  for (const auto& line : detail_lines(f)) message += "\n" + line;
  json res = {{"ruleId", f.rule},
              {"ruleIndex", rules.index_of_rule(f.rule)},
              {"level", sarif_level(f.severity)},
              {"message", {{"text", text(message)}}}};
  json loc = location(file, finding_region(p, f));
  if (!f.where.path.empty()) loc["logicalLocations"] = json::array({{{"fullyQualifiedName", text(f.where.path)}, {"kind", "member"}}});
  res["locations"] = json::array({std::move(loc)});
  json rule_loc = location(f.rule_at.file, {f.rule_at.line, f.rule_at.column, 0, 0});
  rule_loc["id"] = 0;
  rule_loc["message"] = {{"text", text(fmt::format("rule {} \"{}\"", f.rule, f.title))}};
  res["relatedLocations"] = json::array({std::move(rule_loc)});
  // Stable across edits that move lines: the rule, the file, the value's place and the kind.
  std::string key = fmt::format("{}\n{}\n{}\n{}", f.rule, file, f.where.pointer, to_string(f.kind));
  if (f.where.year) key += fmt::format("\n{}", *f.where.year);
  if (!f.where.column_id.empty()) key += "\n" + f.where.column_id;
  res["partialFingerprints"] = {{"fundcheck/v1", sha256_hex(key)}};
  json props = {{"kind", to_string(f.kind)}, {"pointer", text(f.where.pointer)}};
  json values = json::array();
  for (const auto& v : f.values) {
    json vj = {{"role", v.role}, {"expression", text(dsl::single_line(v.expression))}, {"value", text(v.value)}};
    if (v.interval) vj["interval"] = {v.interval->first, v.interval->second};
    values.push_back(std::move(vj));
  }
  props["values"] = std::move(values);
  if (f.difference) props["difference"] = *f.difference;
  if (!f.reason.empty()) props["reason"] = text(f.reason);
  res["properties"] = std::move(props);
  return res;
}

}  // namespace

void render_sarif(std::ostream& out, const run_report& r) {
  // The driver's rules first: the rule set's, then every diagnostic code in the order the
  // results below meet them. The results are then written one at a time.
  rule_table rules(r);
  for (const auto& d : r.rule_diagnostics) rules.index_of_code(d);
  for (const auto& p : r.proposals)
    for (const auto& d : diagnostics_of(p)) rules.index_of_code(d);
  json driver = {{"name", "fundcheck"}, {"version", r.version}, {"semanticVersion", r.version}};
  driver["rules"] = rules.take();
  json run = {{"tool", {{"driver", std::move(driver)}}}};
  if (r.shard) run["automationDetails"] = {{"id", fmt::format("fundcheck/shard-{}-of-{}/", r.shard->index, r.shard->count)}};
  run["invocations"] = json::array({{{"executionSuccessful", r.rules != nullptr}, {"exitCode", exit_code(r, r.fail_on)}}});
  run["columnKind"] = "unicodeCodePoints";
  run["results"] = nullptr;  // streamed
  const run_summary s = summarize(r);
  run["properties"] = {{"summary",
                        {{"proposals", s.proposals},
                         {"passed", s.passed},
                         {"failed", s.failed},
                         {"unreadable", s.unreadable},
                         {"errors", s.total.errors},
                         {"warnings", s.total.warnings},
                         {"notes", s.total.notes}}}};
  auto dump = [](const json& j, int indent) {
    return indented(j.dump(2, ' ', false, json::error_handler_t::replace), indent);
  };
  out << "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n"
         "  \"runs\": [\n    {\n";
  bool first_member = true;
  for (const auto& [key, value] : run.items()) {
    if (!first_member) out << ",\n";
    first_member = false;
    out << "      " << json(key).dump() << ": ";
    if (key != "results") {
      out << dump(value, 6);
      continue;
    }
    bool first = true;
    auto result = [&](const json& res) {
      out << (first ? "[\n" : ",\n") << "        " << dump(res, 8);
      first = false;
    };
    for (const auto& d : r.rule_diagnostics) result(diagnostic_result(rules, d, ""));
    for (const auto& p : r.proposals) {
      for (const auto& d : diagnostics_of(p)) result(diagnostic_result(rules, d, p.file));
      for (const auto& f : p.findings) result(finding_result(rules, p, f));
    }
    out << (first ? "[]" : "\n      ]");
  }
  out << "\n    }\n  ]\n}\n";
}

std::string render_sarif(const run_report& r) {
  std::ostringstream out;
  render_sarif(out, r);
  return out.str();
}

}  // namespace fundcheck::engine
