// Rule tests: loading *.test.json files (with positions, through the mapping files' JSON tree),
// running their cases, and the coverage of rules and conditions (rule_test.hpp).

#include "fundcheck/engine/rule_test.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "fundcheck/engine/proposal.hpp"
#include "fundcheck/engine/text_util.hpp"
#include "model/json_tree.hpp"

namespace fs = std::filesystem;

namespace fundcheck::engine {

namespace {

// The codes of test file diagnostics (docs/diagnostics.md, "Rule test files").
namespace code {
constexpr const char* invalid_json = "E6001";
constexpr const char* unreadable = "E6002";
constexpr const char* shape = "E6003";
constexpr const char* duplicate_case = "E6004";
constexpr const char* unknown_rule = "E6005";
constexpr const char* param = "E6006";
constexpr const char* rules = "E6007";
constexpr const char* proposal = "E6008";
constexpr const char* severity = "E6009";
}  // namespace code

using json_tree::kind;
using jnode = json_tree::node;

class test_file_reader {
 public:
  test_file_reader(dsl::source_ptr src, fs::path dir) : src_(std::move(src)), dir_(std::move(dir)) {}

  std::optional<test_file> read(const jnode& root) {
    test_file out;
    out.source = src_;
    if (root.kind != kind::object) {
      error(code::shape, {root.offset, root.offset + 1},
            fmt::format("a test file is an object with \"cases\", got {}", json_tree::describe(root.kind)));
      return std::nullopt;
    }
    check_keys(root, {"rules", "params", "cases", "description"}, "a test file");
    std::vector<test_param> file_params;
    if (const jnode* p = root.find("params")) file_params = params(*p);
    if (const jnode* r = root.find("rules")) {
      out.rules_where = {r->offset, r->end};
      if (r->kind == kind::string) {
        out.rules.push_back(resolve(r->text));
      } else if (r->kind == kind::array && !r->elements.empty()) {
        for (const auto& e : r->elements) {
          if (e.kind == kind::string)
            out.rules.push_back(resolve(e.text));
          else
            wrong_type(e, "a rule file or directory (a string)");
        }
      } else {
        wrong_type(*r, "a rule file or directory, or a list of them");
      }
    } else {
      // x.test.json tests x.rules beside it.
      std::string stem = fs::path(src_->path()).filename().string();
      for (const char* suffix : {".test.json", ".json"}) {
        if (stem.ends_with(suffix)) {
          stem.erase(stem.size() - std::string_view(suffix).size());
          break;
        }
      }
      const fs::path sibling = dir_ / (stem + ".rules");
      std::error_code ec;
      if (fs::exists(sibling, ec)) {
        out.rules.push_back(sibling);
      } else {
        error(code::rules, {root.offset, root.offset + 1},
              fmt::format("no \"rules\" given, and there is no {} beside the test file to test",
                          sibling.generic_string()));
      }
    }
    const jnode* cases = root.find("cases");
    if (cases == nullptr) {
      error(code::shape, {root.offset, root.offset + 1}, "a test file needs \"cases\": a list of test cases");
    } else if (cases->kind != kind::array) {
      wrong_type(*cases, "a list of test cases");
    } else if (cases->elements.empty()) {
      error(code::shape, {cases->offset, cases->offset + 1}, "\"cases\" is empty: there is nothing to test");
    } else {
      for (const auto& c : cases->elements) {
        if (auto tc = test_case_of(c, file_params)) out.cases.push_back(std::move(*tc));
      }
    }
    if (dsl::has_errors(diagnostics)) return std::nullopt;
    return out;
  }

  std::vector<dsl::diagnostic> diagnostics;

 private:
  void error(const char* c, dsl::span where, std::string message, std::string help = {}) {
    auto d = dsl::make_diagnostic(dsl::level::error, c, src_, where, std::move(message));
    d.help = std::move(help);
    diagnostics.push_back(std::move(d));
  }

  void wrong_type(const jnode& n, std::string_view expected) {
    error(code::shape, {n.offset, n.end}, fmt::format("expected {}, got {}", expected, json_tree::describe(n.kind)));
  }

  void check_keys(const jnode& obj, const std::vector<std::string>& known, std::string_view what) {
    std::vector<std::string_view> seen;
    for (const auto& m : obj.members) {
      if (std::find(seen.begin(), seen.end(), m.key) != seen.end()) {
        error(code::shape, {m.key_offset, m.key_end}, fmt::format("\"{}\" is given twice in {}", m.key, what));
        continue;
      }
      seen.push_back(m.key);
      if (std::find(known.begin(), known.end(), m.key) != known.end()) continue;
      std::string message = fmt::format("unknown key \"{}\" in {}", m.key, what);
      if (const auto near = closest(m.key, known)) message += fmt::format("; did you mean \"{}\"?", *near);
      else message += fmt::format(" (its keys: {})", join(known));
      error(code::shape, {m.key_offset, m.key_end}, std::move(message));
    }
  }

  fs::path resolve(const std::string& rel) const {
    const fs::path p(rel);
    return (p.is_absolute() ? p : dir_ / p).lexically_normal();
  }

  std::vector<test_param> params(const jnode& obj) {
    std::vector<test_param> out;
    if (obj.kind != kind::object) {
      wrong_type(obj, "an object of parameter values");
      return out;
    }
    for (const auto& m : obj.members) {
      test_param p;
      p.name = m.key;
      p.name_where = {m.key_offset, m.key_end};
      p.value_where = {m.value->offset, m.value->end};
      switch (m.value->kind) {
        case kind::string: p.value = m.value->text; break;
        case kind::number: p.value = m.value->text; break;
        case kind::boolean: p.value = m.value->flag ? "true" : "false"; break;
        default: wrong_type(*m.value, "a number, a string or true/false"); continue;
      }
      out.push_back(std::move(p));
    }
    return out;
  }

  std::optional<std::string> string_of(const jnode* n) {
    if (n == nullptr) return std::nullopt;
    if (n->kind != kind::string) {
      wrong_type(*n, "a string");
      return std::nullopt;
    }
    return n->text;
  }

  // The end of the object or array starting at `offset` (after its closing bracket).
  std::uint32_t end_of(std::uint32_t offset) const {
    const auto& t = src_->text();
    int depth = 0;
    bool quoted = false;
    for (std::size_t i = offset; i < t.size(); ++i) {
      const char c = t[i];
      if (quoted) {
        if (c == '\\') ++i;
        else if (c == '"') quoted = false;
      } else if (c == '"') {
        quoted = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return static_cast<std::uint32_t>(i + 1);
      }
    }
    return static_cast<std::uint32_t>(t.size());
  }

  std::optional<test_case> test_case_of(const jnode& c, const std::vector<test_param>& file_params) {
    if (c.kind != kind::object) {
      wrong_type(c, "a test case (an object with \"name\" and \"proposal\")");
      return std::nullopt;
    }
    const std::size_t errors_before = diagnostics.size();
    check_keys(c, {"name", "description", "proposal", "params", "findings", "passes", "exact"}, "a test case");
    test_case out;
    const jnode* name = c.find("name");
    if (name == nullptr) {
      error(code::shape, {c.offset, c.offset + 1}, "a test case needs a \"name\"");
    } else if (auto n = string_of(name)) {
      out.name = *n;
      out.where = {name->offset, name->end};
      if (out.name.empty()) error(code::shape, out.where, "a test case's name is empty");
      for (const auto& [seen, at] : names_) {
        if (seen != out.name) continue;
        auto d = dsl::make_diagnostic(dsl::level::error, code::duplicate_case, src_, out.where,
                                      fmt::format("two test cases are named \"{}\"", out.name),
                                      {dsl::make_note(src_, at, "the first is here")});
        diagnostics.push_back(std::move(d));
        break;
      }
      names_.emplace_back(out.name, out.where);
    }
    if (c.find("description") != nullptr) string_of(c.find("description"));
    const jnode* proposal = c.find("proposal");
    if (proposal == nullptr) {
      error(code::shape, name ? dsl::span{name->offset, name->end} : dsl::span{c.offset, c.offset + 1},
            "a test case needs a \"proposal\": a file (relative to the test file) or the proposal itself");
    } else {
      out.proposal_where = {proposal->offset, proposal->end};
      if (proposal->kind == kind::string) {
        out.proposal_path = resolve(proposal->text);
      } else if (proposal->kind == kind::object) {
        out.inline_proposal = {proposal->offset, end_of(proposal->offset)};
        out.proposal_where = {proposal->offset, proposal->offset + 1};
      } else {
        wrong_type(*proposal, "a proposal file (a string) or a proposal (an object)");
      }
    }
    out.params = file_params;
    if (const jnode* p = c.find("params")) {
      for (auto& param : params(*p)) {
        auto it = std::find_if(out.params.begin(), out.params.end(), [&](const test_param& q) { return q.name == param.name; });
        if (it != out.params.end()) *it = std::move(param);
        else out.params.push_back(std::move(param));
      }
    }
    if (const jnode* e = c.find("exact")) {
      if (e->kind == kind::boolean) out.exact = e->flag;
      else wrong_type(*e, "true or false");
    }
    const jnode* findings = c.find("findings");
    if (findings != nullptr) {
      if (findings->kind != kind::array) wrong_type(*findings, "a list of expected findings");
      else
        for (const auto& f : findings->elements)
          if (auto e = expectation(f)) out.findings.push_back(std::move(*e));
    }
    const jnode* passes = c.find("passes");
    if (passes != nullptr) {
      auto one = [&](const jnode& p) {
        if (p.kind != kind::string) {
          wrong_type(p, "a rule id, or \"*\" for every rule the case does not expect a finding of");
        } else if (p.text == "*") {
          out.passes_others = true;
        } else {
          out.passes.push_back(p.text);
          out.passes_where.push_back({p.offset, p.end});
        }
      };
      if (passes->kind == kind::array) {
        for (const auto& p : passes->elements) one(p);
      } else if (passes->kind == kind::string) {
        one(*passes);
      } else {
        wrong_type(*passes, "a list of rule ids, or \"*\"");
      }
    }
    if (findings == nullptr && passes == nullptr)
      error(code::shape, out.where.end ? out.where : dsl::span{c.offset, c.offset + 1},
            fmt::format("{} expects nothing: give \"findings\" (the findings expected) or \"passes\" "
                        "(the rules that must pass)",
                        out.name.empty() ? std::string("this test case") : fmt::format("test case \"{}\"", out.name)));
    for (std::size_t i = 0; i < out.passes.size(); ++i) {
      for (const auto& f : out.findings) {
        if (f.rule != out.passes[i]) continue;
        error(code::shape, out.passes_where[i],
              fmt::format("{} is expected to pass and to give a finding in test case \"{}\"", f.rule, out.name));
        break;
      }
    }
    if (diagnostics.size() != errors_before) return std::nullopt;
    return out;
  }

  std::optional<expected_finding> expectation(const jnode& f) {
    if (f.kind != kind::object) {
      wrong_type(f, "an expected finding (an object with \"rule\")");
      return std::nullopt;
    }
    check_keys(f, {"rule", "severity", "kind", "at", "item", "column", "year", "message"}, "an expected finding");
    expected_finding out;
    out.where = {f.offset, f.offset + 1};
    const jnode* rule = f.find("rule");
    if (rule == nullptr) {
      error(code::shape, out.where, "an expected finding needs the \"rule\" that gives it");
      return std::nullopt;
    }
    if (auto r = string_of(rule)) {
      out.rule = *r;
      out.rule_where = {rule->offset, rule->end};
    }
    if (const jnode* s = f.find("severity")) {
      out.severity_where = {s->offset, s->end};
      if (auto v = string_of(s)) {
        if (*v == "error") out.severity = dsl::level::error;
        else if (*v == "warning") out.severity = dsl::level::warning;
        else if (*v == "note") out.severity = dsl::level::note;
        else error(code::shape, {s->offset, s->end}, fmt::format("severity must be error, warning or note, got \"{}\"", *v));
      }
    }
    if (const jnode* k = f.find("kind")) {
      if (auto v = string_of(k)) {
        if (*v == "violation") out.kind = finding_kind::violation;
        else if (*v == "rounding") out.kind = finding_kind::rounding;
        else if (*v == "not_evaluated") out.kind = finding_kind::not_evaluated;
        else
          error(code::shape, {k->offset, k->end},
                fmt::format("kind must be violation, rounding or not_evaluated, got \"{}\"", *v));
      }
    }
    out.at = string_of(f.find("at"));
    out.item = string_of(f.find("item"));
    out.column = string_of(f.find("column"));
    out.message = string_of(f.find("message"));
    if (const jnode* y = f.find("year")) {
      std::int32_t v = 0;
      const auto [end, ec] = std::from_chars(y->text.data(), y->text.data() + y->text.size(), v);
      if (y->kind != kind::number || ec != std::errc() || end != y->text.data() + y->text.size())
        wrong_type(*y, "a year (a whole number)");
      else
        out.year = v;
    }
    return out;
  }

  dsl::source_ptr src_;
  fs::path dir_;
  std::vector<std::pair<std::string, dsl::span>> names_;
};

std::string severity_name(dsl::ast::severity s) {
  return s == dsl::ast::severity::error ? "error" : s == dsl::ast::severity::warning ? "warning" : "note";
}

}  // namespace

test_file_result load_test_file(const fs::path& path) {
  test_file_result out;
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || fs::is_directory(path, ec)) {
    dsl::diagnostic d;
    d.code = code::unreadable;
    d.message = fmt::format("cannot read test file {}: {}", path.generic_string(),
                            fs::is_directory(path, ec) ? "it is a directory" : "no such file or it cannot be read");
    out.diagnostics.push_back(std::move(d));
    return out;
  }
  std::ostringstream text;
  text << in.rdbuf();
  auto src = std::make_shared<const dsl::source_file>(path.generic_string(), text.str());
  jnode root;
  if (auto failure = json_tree::parse(src->text(), 64, root)) {
    out.diagnostics.push_back(dsl::make_diagnostic(dsl::level::error, code::invalid_json, src,
                                                   {failure->offset, failure->offset + 1}, failure->message));
    return out;
  }
  test_file_reader reader(src, path.parent_path());
  out.value = reader.read(root);
  out.diagnostics = std::move(reader.diagnostics);
  return out;
}

std::vector<dsl::diagnostic> check_test_file(const test_file& file, const rule_set& rules) {
  std::vector<dsl::diagnostic> out;
  std::vector<std::string> ids;
  for (const auto& p : rules.programs)
    for (const auto& r : p->rules) ids.push_back(r.id);
  auto find_rule = [&](const std::string& id) -> const rule_def* {
    for (const auto& p : rules.programs) {
      const int i = p->rule_index(id);
      if (i >= 0) return &p->rules[static_cast<std::size_t>(i)];
    }
    return nullptr;
  };
  auto unknown = [&](const std::string& id, dsl::span where) {
    std::string message = fmt::format("no rule '{}' in the rules this file tests", id);
    if (const auto near = closest(id, ids)) message += fmt::format("; did you mean '{}'?", *near);
    out.push_back(dsl::make_diagnostic(dsl::level::error, code::unknown_rule, file.source, where, std::move(message)));
  };
  std::vector<std::string> param_names;
  for (const auto& p : rules.programs)
    for (const auto& q : p->params) param_names.push_back(q.name);
  std::vector<std::uint32_t> params_seen;
  for (const auto& c : file.cases) {
    for (const auto& f : c.findings) {
      const rule_def* r = find_rule(f.rule);
      if (r == nullptr) {
        unknown(f.rule, f.rule_where);
        continue;
      }
      // A rule's findings have its severity, or note for a check that holds only thanks to
      // rounding, and never another.
      if (f.severity && *f.severity != dsl::level::note && severity_name(r->severity) != dsl::to_string(*f.severity))
        out.push_back(dsl::make_diagnostic(
            dsl::level::error, code::severity, file.source, f.severity_where,
            fmt::format("{} is a rule of severity {}: it never gives a finding of severity {}", f.rule,
                        severity_name(r->severity), dsl::to_string(*f.severity))));
    }
    for (std::size_t i = 0; i < c.passes.size(); ++i)
      if (find_rule(c.passes[i]) == nullptr) unknown(c.passes[i], c.passes_where[i]);
    for (const auto& p : c.params) {
      if (std::find(param_names.begin(), param_names.end(), p.name) != param_names.end()) continue;
      if (std::find(params_seen.begin(), params_seen.end(), p.name_where.begin) != params_seen.end()) continue;
      params_seen.push_back(p.name_where.begin);
      std::string message = fmt::format("unknown parameter '{}'", p.name);
      if (const auto near = closest(p.name, param_names)) message += fmt::format("; did you mean '{}'?", *near);
      else if (param_names.empty()) message += "; the rules declare no parameters";
      else message += fmt::format(" (the rules declare: {})", join(param_names));
      out.push_back(dsl::make_diagnostic(dsl::level::error, code::param, file.source, p.name_where, std::move(message)));
    }
  }
  return out;
}

std::string describe_expectation(const expected_finding& e) {
  std::string out;
  if (e.severity) out += std::string(dsl::to_string(*e.severity)) + " ";
  out += e.rule;
  if (e.kind) out += fmt::format(" ({})", e.kind == finding_kind::not_evaluated ? "not evaluated" : to_string(*e.kind));
  if (e.at) out += e.at->empty() ? " on the whole proposal" : " at " + *e.at;
  std::vector<std::string> what;
  if (e.item) what.push_back(*e.item);
  if (e.column) what.push_back(*e.column);
  if (e.year) what.push_back(std::to_string(*e.year));
  if (!what.empty()) out += " for " + join(what);
  if (e.message) out += fmt::format(" with a message containing \"{}\"", *e.message);
  return out;
}

namespace {

// How many of the expectation's fields the finding satisfies, and whether all of them.
std::pair<int, bool> match(const expected_finding& e, const finding_details& f) {
  int hits = 0;
  bool all = true;
  auto check = [&](bool given, bool ok) {
    if (!given) return;
    if (ok) ++hits;
    else all = false;
  };
  if (f.rule != e.rule) return {0, false};
  check(e.severity.has_value(), e.severity && *e.severity == f.severity);
  check(e.kind.has_value(), e.kind && *e.kind == f.kind);
  if (e.at) {
    const std::string& at = *e.at;
    const bool pointer = at.starts_with('/') || at.empty();
    const std::string& have = pointer ? f.where.pointer : f.where.path;
    bool ok = at == have;
    if (!ok && f.where.year && !at.empty())
      ok = at == fmt::format("{}{}{}", have, pointer ? '/' : '.', *f.where.year);
    check(true, ok);
  }
  check(e.item.has_value(), e.item && (*e.item == f.where.item_id || *e.item == f.where.item_name));
  check(e.column.has_value(), e.column && *e.column == f.where.column_id);
  check(e.year.has_value(), e.year && f.where.year && *e.year == *f.where.year);
  check(e.message.has_value(), e.message && f.message.find(*e.message) != std::string::npos);
  return {hits, all};
}

int specificity(const expected_finding& e) {
  return int(e.severity.has_value()) + int(e.kind.has_value()) + int(e.at.has_value()) + int(e.item.has_value()) +
         int(e.column.has_value()) + int(e.year.has_value()) + int(e.message.has_value());
}

// The proposal of an inline case: the test file's text with everything outside the object
// blanked (line breaks kept), so that the proposal's lines and columns are the test file's.
dsl::source_ptr inline_source(const test_file& file, dsl::span object) {
  std::string text = file.source->text();
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i >= object.begin && i < object.end) continue;
    if (text[i] != '\n' && text[i] != '\r') text[i] = ' ';
  }
  return std::make_shared<const dsl::source_file>(file.source->path(), std::move(text));
}

}  // namespace

case_result run_case(const test_file& file, const test_case& c, const rule_set& rules, coverage* cov) {
  case_result out;
  auto fail = [&](std::string message, std::vector<dsl::diagnostic> notes = {}) {
    out.what = case_result::status::error;
    auto d = dsl::make_diagnostic(dsl::level::error, code::proposal, file.source, c.proposal_where, std::move(message));
    out.diagnostics.insert(out.diagnostics.begin(), std::move(d));
    (void)notes;
    return out;
  };
  load_result loaded;
  if (c.proposal_path.empty()) {
    loaded = load_proposal_json(inline_source(file, c.inline_proposal));
    out.proposal_file = file.source->path();
  } else {
    loaded = load_proposal_file(c.proposal_path);
    out.proposal_file = c.proposal_path.generic_string();
  }
  if (!loaded.ok()) {
    out.diagnostics = std::move(loaded.diagnostics);
    if (c.proposal_path.empty()) {
      // Same path and offsets: quote the test file's own lines, not the blanked copy.
      auto repoint = [&](auto& self, dsl::diagnostic& d) -> void {
        if (d.source) d.source = file.source;
        for (auto& n : d.notes) self(self, n);
      };
      for (auto& d : out.diagnostics) repoint(repoint, d);
    }
    return fail(fmt::format("the proposal of test case \"{}\" cannot be read", c.name));
  }
  const proposal& doc = *loaded.value;
  const std::string_view format = doc.schema_def().format;
  const program* p = rules.for_format(format);
  if (p == nullptr)
    return fail(fmt::format("the proposal of test case \"{}\" is a {} proposal, and the rules this file tests are for {}",
                            c.name, format, rules.formats().empty() ? std::string("no format") : rules.formats()));
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& prm : c.params)
    if (p->param_index(prm.name) >= 0) overrides.emplace_back(prm.name, prm.value);
  std::vector<dsl::diagnostic> bind_diags;
  const param_values values = bind_params(*p, overrides, bind_diags);
  for (auto& d : bind_diags) {
    // Point at the value in the test file rather than at the rule file's declaration.
    auto it = std::find_if(c.params.begin(), c.params.end(),
                           [&](const test_param& q) { return d.message.find("'" + q.name + "'") != std::string::npos; });
    out.diagnostics.push_back(dsl::make_diagnostic(dsl::level::error, code::param, file.source,
                                                   it != c.params.end() ? it->value_where : c.where, d.message));
  }
  if (!out.diagnostics.empty()) {
    out.what = case_result::status::error;
    return out;
  }
  evaluate_options options;
  if (cov != nullptr) {
    cov->add_program(*p);
    options.observer = &cov->observer_for(*p);
  }
  const evaluation_result result = evaluate(*p, doc, values, options);
  if (cov != nullptr) cov->add_result(*p, result);
  if (!result.diagnostics.empty()) {
    out.diagnostics = result.diagnostics;
    return fail(fmt::format("the proposal of test case \"{}\" cannot be checked", c.name));
  }
  const auto findings = describe(*p, doc, result);

  auto stats_of = [&](const std::string& id) {
    const int i = p->rule_index(id);
    return i >= 0 ? result.stats[static_cast<std::size_t>(i)] : rule_stats{};
  };
  std::vector<bool> used(findings.size(), false);
  // Most specific expectations first, so that a vague one does not take the finding a precise
  // one needs.
  std::vector<std::size_t> order(c.findings.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return specificity(c.findings[a]) > specificity(c.findings[b]);
  });
  std::vector<std::optional<case_failure>> missing(c.findings.size());
  for (const auto i : order) {
    const auto& e = c.findings[i];
    bool found = false;
    for (std::size_t k = 0; k < findings.size() && !found; ++k) {
      if (used[k] || !match(e, findings[k]).second) continue;
      used[k] = true;
      found = true;
    }
    if (found) continue;
    case_failure f;
    f.what = case_failure::kind::missing;
    f.rule = e.rule;
    f.expected = e;
    f.stats = stats_of(e.rule);
    missing[i] = std::move(f);
  }
  // A missing finding is shown against the closest finding of its rule that no expectation took.
  for (auto& m : missing) {
    if (!m) continue;
    int best = -1;
    for (std::size_t k = 0; k < findings.size(); ++k) {
      if (findings[k].rule != m->rule) continue;
      const int score = used[k] ? -1 : match(*m->expected, findings[k]).first;
      if (!used[k] && score > best) {
        if (m->actual) m->others.push_back(*m->actual);
        best = score;
        m->actual = findings[k];
      } else {
        m->others.push_back(findings[k]);
      }
    }
    out.failures.push_back(std::move(*m));
  }
  // Findings of the rules the case names that nothing expected.
  std::vector<std::string> expected_rules;
  for (const auto& e : c.findings) expected_rules.push_back(e.rule);
  auto passes = [&](const std::string& id) {
    if (std::find(c.passes.begin(), c.passes.end(), id) != c.passes.end()) return true;
    return c.passes_others && std::find(expected_rules.begin(), expected_rules.end(), id) == expected_rules.end();
  };
  for (std::size_t k = 0; k < findings.size(); ++k) {
    if (used[k]) continue;
    const auto& f = findings[k];
    const bool named = std::find(expected_rules.begin(), expected_rules.end(), f.rule) != expected_rules.end();
    const bool shown_as_closest = std::any_of(out.failures.begin(), out.failures.end(), [&](const case_failure& m) {
      return m.what == case_failure::kind::missing && m.actual && m.actual->rule == f.rule &&
             m.actual->where.pointer == f.where.pointer && m.actual->message == f.message;
    });
    if (passes(f.rule)) {
      case_failure x;
      x.what = case_failure::kind::not_passed;
      x.rule = f.rule;
      x.actual = f;
      x.stats = stats_of(f.rule);
      out.failures.push_back(std::move(x));
    } else if (named && c.exact && !shown_as_closest) {
      case_failure x;
      x.what = case_failure::kind::unexpected;
      x.rule = f.rule;
      x.actual = f;
      x.stats = stats_of(f.rule);
      out.failures.push_back(std::move(x));
    }
  }
  if (!out.failures.empty()) out.what = case_result::status::failed;
  return out;
}

// ------------------------------------------------------------------------------------------
// Coverage

namespace {

bool is_logical(op o) { return o == op::logical_and || o == op::logical_or || o == op::logical_not || o == op::implies; }

// The conditions of a filter or `when`: the node itself and, through and/or/not/implies, each
// operand (comparisons, present(), in, any/all, … are conditions whose operands are not).
void conditions_of(const program& p, std::uint32_t n, std::vector<std::uint32_t>& out) {
  if (n == no_node || p.nodes[n].result.kind != type_kind::boolean) return;
  if (p.nodes[n].code == op::constant) return;
  out.push_back(n);
  const node& nd = p.nodes[n];
  if (!is_logical(nd.code)) return;
  conditions_of(p, nd.a, out);
  if (nd.code != op::logical_not) conditions_of(p, nd.b, out);
}

rule_location place_of(const program& p, std::uint16_t file, std::uint32_t offset) {
  const auto& src = p.sources[file];
  const auto at = src->locate(offset);
  return {src->path(), at.line, at.column};
}

using condition_goals = std::unordered_map<std::uint32_t, std::pair<std::size_t, std::size_t>>;  // node: true, false

struct coverage_goal_marks {
  std::vector<coverage_goal>* goals = nullptr;
  const condition_goals* conditions = nullptr;
};

}  // namespace

struct coverage::state {
  using key = std::tuple<std::string, std::uint32_t, std::uint32_t, std::string>;  // file, span, outcome
  std::map<key, std::size_t> index;
  std::vector<coverage_goal> goals;
  std::vector<std::tuple<std::string, std::uint32_t, std::uint32_t, int>> order;  // file, rule offset, node offset, outcome
  struct rule_entry {
    rule_summary summary;
    std::tuple<std::string, std::uint32_t> order;
  };
  std::map<std::tuple<std::string, std::uint32_t>, rule_entry> rules;  // by file and rule offset
  struct program_goals {
    std::vector<std::size_t> passed, failed;                         // by rule
    std::vector<std::tuple<std::string, std::uint32_t>> rule_keys;   // by rule
    std::unordered_map<std::uint32_t, std::pair<std::size_t, std::size_t>> conditions;  // node: true, false goals
  };
  std::map<const program*, program_goals> programs;
  std::map<const program*, std::unique_ptr<evaluation_observer>> observers;

  // The goal at a place of a rule file, created on first sight. `rank` orders the goals of one
  // place: the rule's failed, passed; a condition's true, false.
  std::size_t goal(const program& p, const rule_def& r, std::uint16_t file, dsl::span where, std::string condition,
                   std::string outcome, int rank) {
    const auto path = p.sources[file]->path();
    key k{path, where.begin, where.end, outcome};
    auto it = index.find(k);
    if (it != index.end()) return it->second;
    const bool rule_goal = condition.empty();
    coverage_goal g;
    g.rule = r.id;
    g.at = place_of(p, file, where.begin);
    g.condition = std::move(condition);
    g.outcome = std::move(outcome);
    goals.push_back(std::move(g));
    order.emplace_back(p.sources[r.file]->path(), r.where.begin, rule_goal ? 0 : where.begin, rank);
    index.emplace(std::move(k), goals.size() - 1);
    return goals.size() - 1;
  }
};

namespace {

// Sees each binding's filters and `when`, and records which outcomes their conditions took.
class condition_recorder final : public evaluation_observer {
 public:
  condition_recorder(const program& p, coverage_goal_marks marks) : p_(p), marks_(std::move(marks)) {}
  void filtered(std::uint32_t rule, std::uint32_t level, bool, binding_probe& probe) override {
    visit(p_.rules[rule].loops[level].filter, probe);
  }
  void checked(std::uint32_t rule, check_outcome, const finding*, const std::string&, binding_probe& probe) override {
    if (p_.rules[rule].when != no_node) visit(p_.rules[rule].when, probe);
  }

 private:
  // Mirrors the evaluation: the right side of `and`/`implies` is looked at only when the left
  // side is not false, that of `or` only when it is not true.
  void visit(std::uint32_t n, binding_probe& probe) {
    const auto it = marks_.conditions->find(n);
    const probed_value v = probe.value_of(n);
    if (!v.ok()) return;
    if (it != marks_.conditions->end() && v.value.what == recorded_value::kind::boolean)
      (*marks_.goals)[v.value.flag ? it->second.first : it->second.second].covered = true;
    const node& nd = p_.nodes[n];
    if (!is_logical(nd.code)) return;
    visit(nd.a, probe);
    if (nd.code == op::logical_not) return;
    const probed_value a = probe.value_of(nd.a);
    const bool decided = a.ok() && a.value.what == recorded_value::kind::boolean &&
                         a.value.flag == (nd.code == op::logical_or);
    if (!decided) visit(nd.b, probe);
  }

  const program& p_;
  coverage_goal_marks marks_;
};

}  // namespace

coverage::coverage() : state_(std::make_unique<state>()) {}
coverage::~coverage() = default;

void coverage::add_program(const program& p) {
  if (state_->programs.count(&p) != 0) return;
  auto& pg = state_->programs[&p];
  for (const auto& r : p.rules) {
    const std::tuple<std::string, std::uint32_t> rk{p.sources[r.file]->path(), r.where.begin};
    auto& entry = state_->rules[rk];
    entry.summary.rule = r.id;
    entry.summary.at = place_of(p, r.file, r.where.begin);
    entry.order = rk;
    pg.rule_keys.push_back(rk);
    pg.failed.push_back(state_->goal(p, r, r.file, r.where, "", "failed", 0));
    pg.passed.push_back(state_->goal(p, r, r.file, r.where, "", "passed", 1));
    std::vector<std::uint32_t> conds;
    for (const auto& l : r.loops) conditions_of(p, l.filter, conds);
    conditions_of(p, r.when, conds);
    for (const auto n : conds) {
      const auto& nd = p.nodes[n];
      const std::string text(p.text_of(n));
      pg.conditions[n] = {state_->goal(p, r, nd.file, nd.where, text, "true", 2),
                          state_->goal(p, r, nd.file, nd.where, text, "false", 3)};
    }
  }
}

evaluation_observer& coverage::observer_for(const program& p) {
  add_program(p);
  auto& slot = state_->observers[&p];
  if (!slot) slot = std::make_unique<condition_recorder>(p, coverage_goal_marks{&state_->goals, &state_->programs[&p].conditions});
  return *slot;
}

void coverage::add_result(const program& p, const evaluation_result& r) {
  add_program(p);
  const auto& pg = state_->programs[&p];
  for (std::size_t i = 0; i < r.stats.size() && i < p.rules.size(); ++i) {
    const auto& s = r.stats[i];
    auto& summary = state_->rules[pg.rule_keys[i]].summary;
    if (s.bindings > 0) summary.checked = true;
    if (s.failed > 0) {
      summary.failed = true;
      state_->goals[pg.failed[i]].covered = true;
    }
    if (s.passed + s.rounding > 0) {
      summary.passed = true;
      state_->goals[pg.passed[i]].covered = true;
    }
  }
}

std::vector<coverage_goal> coverage::goals() const {
  std::vector<std::size_t> idx(state_->goals.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return state_->order[a] < state_->order[b]; });
  std::vector<coverage_goal> out;
  for (auto i : idx) out.push_back(state_->goals[i]);
  return out;
}

std::size_t coverage::covered() const {
  return static_cast<std::size_t>(
      std::count_if(state_->goals.begin(), state_->goals.end(), [](const coverage_goal& g) { return g.covered; }));
}

std::size_t coverage::total() const { return state_->goals.size(); }

std::vector<coverage::rule_summary> coverage::rules() const {
  std::vector<rule_summary> out;
  for (const auto& [k, e] : state_->rules) out.push_back(e.summary);
  return out;
}

}  // namespace fundcheck::engine
