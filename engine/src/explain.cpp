// fundcheck explain: one rule re-evaluated with an observer that, for the bindings asked about,
// computes every node of the rule's `when` and `expect` through the evaluator's probe and keeps
// it in words (explain.hpp).

#include "fundcheck/engine/explain.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fundcheck/dsl/ansi.hpp"
#include "fundcheck/dsl/format.hpp"
#include "fundcheck/engine/text_util.hpp"

namespace fundcheck::engine {

namespace {

constexpr std::size_t max_list_shown = 12;     // elements of a list value written out
constexpr std::size_t max_elements_shown = 40; // elements of an aggregate explained
constexpr int max_depth = 16;                  // nesting of explained values

// ------------------------------------------------------------------------------------------
// What --at names

struct target {
  enum class kind : std::uint8_t { record, year, column } what = kind::record;
  std::vector<std::pair<int, std::uint32_t>> records;  // any of these (record type, row)
  std::optional<std::uint32_t> column;                 // declared column (program::columns)
  std::optional<std::int32_t> year;
};

bool is_year(const proposal& doc, const decimal& n) {
  for (auto y : doc.years())
    if (n == decimal::from_int(y)) return true;
  return false;
}

std::optional<std::int32_t> parse_int(std::string_view s) {
  std::int32_t v = 0;
  if (s.empty()) return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string text_field(const proposal& doc, int type, std::uint32_t row, const char* name) {
  const auto& t = doc.table_of(type);
  const int f = t.def().field_index(name);
  if (f < 0) return {};
  const auto& c = t.at(row, static_cast<std::uint32_t>(f));
  return c.kind == cell_kind::text ? std::string(doc.text(c)) : std::string();
}

// A record in words: its name, else its id, else its path.
std::string record_words(const proposal& doc, int type, std::uint32_t row) {
  auto s = text_field(doc, type, row, "name");
  if (s.empty()) s = text_field(doc, type, row, "id");
  if (s.empty()) s = type == 0 ? std::string("the proposal") : doc.dotted_path(type, row);
  return s;
}

std::optional<target> resolve_path(const program& p, const proposal& doc, const std::string& text, std::string& error) {
  const bool pointer = text.starts_with('/');
  const char sep = pointer ? '/' : '.';
  // The record whose path is the longest prefix of the text.
  int best_type = -1;
  std::uint32_t best_row = 0;
  std::size_t best_len = 0;
  const auto tables = doc.tables();
  for (std::size_t t = 0; t < tables.size(); ++t) {
    for (std::uint32_t r = 0; r < tables[t].size(); ++r) {
      const std::string path = pointer ? doc.json_pointer(static_cast<int>(t), r) : doc.dotted_path(static_cast<int>(t), r);
      const bool prefix = path.empty() ||
                          (text.starts_with(path) && (text.size() == path.size() || text[path.size()] == sep ||
                                                      (!pointer && text[path.size()] == '[')));
      if (!prefix) continue;
      if (best_type < 0 || path.size() > best_len) {
        best_type = static_cast<int>(t);
        best_row = r;
        best_len = path.size();
      }
    }
  }
  target out;
  if (best_type >= 0 && best_len == text.size()) {
    out.records.emplace_back(best_type, best_row);
    return out;
  }
  if (best_type >= 0) {
    // A value of that record: a field, or an amount (with or without its year).
    const auto& t = tables[static_cast<std::size_t>(best_type)];
    for (std::uint32_t slot = 0; slot < t.slots(); ++slot) {
      const std::string sp = pointer ? doc.json_pointer(best_type, best_row, slot) : doc.dotted_path(best_type, best_row, slot);
      const bool amount = t.has_amounts() && slot >= t.first_amount_slot();
      std::optional<std::int32_t> year;
      if (amount && !doc.years().empty()) {
        const auto years = static_cast<std::uint32_t>(doc.years().size());
        year = doc.years()[(slot - t.first_amount_slot()) % years];
      }
      const bool exact = sp == text;
      const bool with_year = amount && year && text == fmt::format("{}{}{}", sp, sep, *year);
      if (!exact && !with_year) continue;
      out.records.emplace_back(best_type, best_row);
      if (amount) {
        const auto years = static_cast<std::uint32_t>(std::max<std::size_t>(doc.years().size(), 1));
        const auto doc_column = (slot - t.first_amount_slot()) / years;
        const std::string& id = doc.columns()[doc_column].id;
        for (std::uint32_t c = 0; c < p.columns.size(); ++c)
          if (p.columns[c] == id) out.column = c;
        out.year = year;
      }
      return out;
    }
    error = best_type == 0 ? fmt::format("'{}' names nothing in {}", text, doc.source()->path())
                           : fmt::format("'{}' names no value of {} ({})", text,
                                         pointer ? doc.json_pointer(best_type, best_row) : doc.dotted_path(best_type, best_row),
                                         record_words(doc, best_type, best_row));
    return std::nullopt;
  }
  error = fmt::format("'{}' names nothing in {}", text, doc.source()->path());
  return std::nullopt;
}

std::optional<target> resolve(const program& p, const proposal& doc, const std::string& text, std::string& error) {
  if (text.empty()) {
    error = "an empty ITEM: give an id, a name, a path such as items[2], a JSON pointer, a year or a column";
    return std::nullopt;
  }
  if (text.starts_with('/') || text.find('[') != std::string::npos) return resolve_path(p, doc, text, error);
  if (const auto y = parse_int(text)) {
    if (doc.year_index(*y) >= 0) {
      target t;
      t.what = target::kind::year;
      t.year = *y;
      return t;
    }
  }
  for (std::uint32_t c = 0; c < p.columns.size(); ++c) {
    if (p.columns[c] == text) {
      target t;
      t.what = target::kind::column;
      t.column = c;
      return t;
    }
  }
  target t;
  std::vector<std::string> candidates;
  const auto tables = doc.tables();
  for (std::size_t ty = 1; ty < tables.size(); ++ty) {
    for (std::uint32_t r = 0; r < tables[ty].size(); ++r) {
      for (const char* field : {"id", "name"}) {
        const auto v = text_field(doc, static_cast<int>(ty), r, field);
        if (v.empty()) continue;
        if (v == text) t.records.emplace_back(static_cast<int>(ty), r);
        candidates.push_back(v);
      }
    }
  }
  std::sort(t.records.begin(), t.records.end());
  t.records.erase(std::unique(t.records.begin(), t.records.end()), t.records.end());
  if (!t.records.empty()) return t;
  if (text.find('.') != std::string::npos) {  // a dotted path of a value of the document
    std::string path_error;
    if (auto r = resolve_path(p, doc, text, path_error)) return r;
  }
  for (const auto& c : p.columns) candidates.push_back(c);
  for (auto y : doc.years()) candidates.push_back(std::to_string(y));
  error = fmt::format("no item, year or column '{}' in {}", text, doc.source()->path());
  if (const auto near = closest(text, candidates)) error += fmt::format("; did you mean '{}'?", *near);
  else error += " (give an id or name, a path such as items[2], a JSON pointer, a year or a column)";
  return std::nullopt;
}

std::string target_words(const program& p, const proposal& doc, const target& t) {
  switch (t.what) {
    case target::kind::year: return fmt::format("the year {}", *t.year);
    case target::kind::column: return fmt::format("the column {}", p.columns[*t.column]);
    case target::kind::record: {
      std::vector<std::string> records;
      for (const auto& [type, row] : t.records)
        records.push_back(type == 0 ? std::string("the proposal")
                                    : fmt::format("{} ({})", record_words(doc, type, row), doc.dotted_path(type, row)));
      std::string out = join(records, " or ");
      if (t.column) out += ", " + p.columns[*t.column];
      if (t.year) out += fmt::format(", {}", *t.year);
      return out;
    }
  }
  return {};
}

bool matches(const target& t, const proposal& doc, const std::vector<recorded_value>& vars) {
  using k = recorded_value::kind;
  switch (t.what) {
    case target::kind::year:
      return std::any_of(vars.begin(), vars.end(), [&](const recorded_value& v) {
        return v.what == k::number && v.number == decimal::from_int(*t.year);
      });
    case target::kind::column:
      return std::any_of(vars.begin(), vars.end(),
                         [&](const recorded_value& v) { return v.what == k::column && v.index == *t.column; });
    case target::kind::record: {
      const bool record = std::any_of(t.records.begin(), t.records.end(), [&](const auto& r) {
        if (r.first == 0) return true;  // the document is every binding's
        return std::any_of(vars.begin(), vars.end(), [&](const recorded_value& v) {
          return v.what == k::record && v.record_type == r.first && v.index == r.second;
        });
      });
      if (!record) return false;
      for (const auto& v : vars) {
        if (t.column && v.what == k::column && v.index != *t.column) return false;
        if (t.year && v.what == k::number && is_year(doc, v.number) && !(v.number == decimal::from_int(*t.year)))
          return false;
      }
      return true;
    }
  }
  return false;
}

// ------------------------------------------------------------------------------------------
// Tracing

bool is_comparison(op o) {
  switch (o) {
    case op::equal: case op::not_equal: case op::less: case op::less_equal: case op::greater:
    case op::greater_equal: case op::approx_equal: case op::within:
      return true;
    default:
      return false;
  }
}

bool is_aggregate(op o) {
  switch (o) {
    case op::sum: case op::count: case op::min: case op::max: case op::any: case op::all: case op::one:
      return true;
    default:
      return false;
  }
}

bool is_read_op(op o) {
  switch (o) {
    case op::field: case op::amount: case op::amount_dynamic: case op::amount_year: case op::amount_dynamic_year:
      return true;
    default:
      return false;
  }
}

std::string_view op_text(op o) {
  switch (o) {
    case op::equal: return "==";
    case op::not_equal: return "!=";
    case op::less: return "<";
    case op::less_equal: return "<=";
    case op::greater: return ">";
    case op::greater_equal: return ">=";
    case op::approx_equal: return "~=";
    case op::within: return "== … within";
    default: return "?";
  }
}

// The variable of a comprehension, from its text ("s[col][y] for s in item.subitems …"): the
// name after the first ` for ` outside brackets and quotes.
std::string comprehension_variable(std::string_view text) {
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '\\') ++i;
      else if (c == '"') quoted = false;
      continue;
    }
    if (c == '"') quoted = true;
    else if (c == '(' || c == '[') ++depth;
    else if (c == ')' || c == ']') --depth;
    else if (depth == 0 && text.substr(i).starts_with(" for ")) {
      std::size_t b = i + 5, e = b;
      while (e < text.size() && (std::isalnum(static_cast<unsigned char>(text[e])) || text[e] == '_')) ++e;
      return std::string(text.substr(b, e - b));
    }
  }
  return {};
}

rule_location locate(const program& p, std::uint16_t file, dsl::span where) {
  const auto& src = p.sources[file];
  const auto at = src->locate(where.begin);
  return {src->path(), at.line, at.column};
}

class explain_observer final : public evaluation_observer {
 public:
  explain_observer(const program& p, const proposal& doc, const explain_request& req, std::vector<target> targets)
      : p_(p), doc_(doc), req_(req), targets_(std::move(targets)) {
    const auto& rule = p.rules[req.rule];
    auto uses_approx = [&](std::uint32_t root) {
      if (root == no_node) return false;
      std::vector<std::uint32_t> todo{root};
      while (!todo.empty()) {
        const auto n = todo.back();
        todo.pop_back();
        if (p_.nodes[n].code == op::approx_equal) return true;
        push_children(n, todo);
      }
      return false;
    };
    intervals_ = uses_approx(rule.check.expect) || uses_approx(rule.when);
  }

  void filtered(std::uint32_t rule, std::uint32_t level, bool passed, binding_probe& probe) override {
    if (rule != req_.rule || passed || targets_.empty()) return;
    const auto vars = variables(level + 1, probe);
    if (!selected(vars)) return;
    ++matched_;
    if (chosen_.size() >= req_.limit) return;
    explained_binding b;
    b.variables = words(level + 1, vars, probe);
    b.outcome = "filtered_out";
    b.filtered_level = level;
    b.filter = trace(p_.rules[rule].loops[level].filter, probe, 0);
    chosen_.push_back(std::move(b));
  }

  void checked(std::uint32_t rule, check_outcome outcome, const finding* f, const std::string& error,
               binding_probe& probe) override {
    if (rule != req_.rule) return;
    const auto& r = p_.rules[rule];
    const auto vars = variables(r.loops.size(), probe);
    const bool finding = outcome == check_outcome::failed || outcome == check_outcome::rounding ||
                         outcome == check_outcome::error;
    std::vector<explained_binding>* into = nullptr;
    if (!targets_.empty()) {
      if (!selected(vars)) return;
      ++matched_;
      into = &chosen_;
    } else if (finding) {
      ++matched_;
      into = &chosen_;
    } else if (outcome == check_outcome::passed) {
      ++passed_;
      into = &passed_bindings_;
    } else {
      ++other_;
      into = &other_bindings_;
    }
    if (into->size() >= req_.limit) return;
    explained_binding b;
    b.variables = words(r.loops.size(), vars, probe);
    b.outcome = std::string(to_string(outcome));
    b.error = error;
    if (f != nullptr) b.finding = describe(p_, doc_, *f);
    if (r.when != no_node) b.when = trace(r.when, probe, 0);
    if (outcome != check_outcome::skipped) b.expect = trace(r.check.expect, probe, 0);
    b.definitions = definitions(probe);
    into->push_back(std::move(b));
  }

  // The bindings to show, and how they were chosen.
  void finish(explanation& e) {
    if (!targets_.empty()) {
      e.selection = "at";
    } else if (matched_ > 0) {
      e.selection = "findings";
    } else if (passed_ > 0) {
      e.selection = "passed";
      matched_ = passed_;
      chosen_ = std::move(passed_bindings_);
    } else {
      e.selection = "checked";
      matched_ = other_;
      chosen_ = std::move(other_bindings_);
    }
    e.matched = matched_;
    e.bindings = std::move(chosen_);
  }

 private:
  void push_children(std::uint32_t n, std::vector<std::uint32_t>& out) const {
    const node& nd = p_.nodes[n];
    if (nd.code == op::list) {
      for (std::uint32_t i = 0; i < nd.b; ++i) out.push_back(p_.arguments[nd.a + i]);
      return;
    }
    if (nd.code == op::comprehension) {
      const auto& info = p_.comprehensions[nd.a];
      out.push_back(info.source);
      out.push_back(info.element);
      if (info.filter != no_node) out.push_back(info.filter);
      return;
    }
    std::uint32_t ch[3];
    const int k = node_children(nd, ch);
    for (int i = 0; i < k; ++i) out.push_back(ch[i]);
  }

  std::vector<recorded_value> variables(std::size_t levels, binding_probe& probe) const {
    std::vector<recorded_value> out;
    const auto& loops = p_.rules[req_.rule].loops;
    for (std::size_t k = 0; k < levels && k < loops.size(); ++k) out.push_back(probe.variable(loops[k].slot));
    return out;
  }

  bool selected(const std::vector<recorded_value>& vars) const {
    return std::all_of(targets_.begin(), targets_.end(), [&](const target& t) { return matches(t, doc_, vars); });
  }

  std::string in_words(const recorded_value& v) const {
    if (v.what == recorded_value::kind::record) return record_words(doc_, v.record_type, v.index);
    if (v.what == recorded_value::kind::text) return std::string(v.text);
    return describe_value(p_, doc_, v).value;
  }

  std::optional<proposal_location> record_place(const recorded_value& v) const {
    if (v.what != recorded_value::kind::record) return std::nullopt;
    value_ref ref;
    ref.record_type = v.record_type;
    ref.row = v.index;
    return describe_place(p_, doc_, ref);
  }

  std::vector<explained_variable> words(std::size_t levels, const std::vector<recorded_value>& vars,
                                        binding_probe&) const {
    std::vector<explained_variable> out;
    const auto& loops = p_.rules[req_.rule].loops;
    for (std::size_t k = 0; k < levels && k < vars.size(); ++k)
      out.push_back({loops[k].var, in_words(vars[k]), record_place(vars[k])});
    return out;
  }

  // A list value written out: "[a, b, c]", at most max_list_shown elements.
  std::string list_words(std::uint32_t n, binding_probe& probe) const {
    const auto elements = probe.elements_of(n);
    std::vector<std::string> parts;
    for (std::size_t i = 0; i < elements.size() && i < max_list_shown; ++i)
      parts.push_back(describe_value(p_, doc_, elements[i]).value);
    if (elements.size() > max_list_shown) parts.push_back(fmt::format("… {} in all", elements.size()));
    return "[" + join(parts) + "]";
  }

  void set_value(explained_node& out, std::uint32_t n, const probed_value& pv, binding_probe& probe) const {
    if (!pv.ok()) {
      out.error = pv.error;
      return;
    }
    recorded_value v = pv.value;
    v.interval = intervals_;
    const auto shown = describe_value(p_, doc_, v);
    out.value = shown.value;
    out.interval = shown.interval;
    if (v.what == recorded_value::kind::list) out.value = list_words(n, probe);
    if (v.what == recorded_value::kind::record) out.value = record_words(doc_, v.record_type, v.index);
  }

  explained_node trace(std::uint32_t n, binding_probe& probe, int depth) const {
    const node& nd = p_.nodes[n];
    explained_node out;
    out.expression = dsl::single_line(p_.text_of(n));
    const probed_value pv = probe.value_of(n);
    set_value(out, n, pv, probe);
    switch (nd.code) {
      case op::constant: out.kind = "constant"; return out;
      case op::variable: out.kind = "variable"; return out;
      case op::param:
        out.kind = "parameter";
        out.name = p_.params[nd.a].name;
        out.defined_at = locate(p_, p_.params[nd.a].file, p_.params[nd.a].where);
        return out;
      case op::definition:
        out.kind = "definition";
        out.name = p_.definitions[nd.a].name;
        out.defined_at = locate(p_, p_.definitions[nd.a].file, p_.definitions[nd.a].where);
        return out;
      default:
        break;
    }
    if (is_read_op(nd.code)) {
      out.kind = "reported";
      const value_ref ref = probe.place_of(n);
      if (ref.record_type >= 0) out.place = describe_place(p_, doc_, ref);
      return out;
    }
    out.kind = "computed";
    if (depth >= max_depth) return out;
    if (nd.code == op::comprehension) {
      elements(out, n, probe, depth);
      return out;
    }
    if (is_aggregate(nd.code) && p_.nodes[nd.a].code == op::comprehension) {
      elements(out, nd.a, probe, depth);
      return out;
    }
    std::vector<std::uint32_t> children;
    if (nd.code != op::list) push_children(n, children);
    // Operands the evaluation did not look at are left out: the right side of a decided
    // `and`/`or`/`implies`, coalesce()'s fallback when its first value is present, the branch of
    // a conditional not taken.
    auto boolean_is = [&](std::uint32_t c, bool want) {
      const probed_value v = probe.value_of(c);
      return v.ok() && v.value.what == recorded_value::kind::boolean && v.value.flag == want;
    };
    switch (nd.code) {
      case op::logical_and:
        if (boolean_is(nd.a, false)) children.resize(1);
        break;
      case op::logical_or:
        if (boolean_is(nd.a, true)) children.resize(1);
        break;
      case op::implies:
        if (boolean_is(nd.a, false)) children.resize(1);
        break;
      case op::coalesce: {
        const probed_value v = probe.value_of(nd.a);
        if (v.ok() && v.value.what != recorded_value::kind::absent) children.resize(1);
        break;
      }
      case op::conditional: {
        const probed_value v = probe.value_of(nd.a);
        if (v.ok() && v.value.what == recorded_value::kind::boolean) children = {nd.a, v.value.flag ? nd.b : nd.c};
        break;
      }
      default:
        break;
    }
    for (const auto c : children) {
      const op co = p_.nodes[c].code;
      if (co == op::constant || co == op::variable) continue;
      out.operands.push_back(trace(c, probe, depth + 1));
    }
    if (is_comparison(nd.code) && pv.ok()) compare_in_words(out, n, probe);
    return out;
  }

  // The elements of a comprehension: each with its filter's verdict and what it contributed.
  // Elements of a whole table that the filter leaves out are only counted: listing every other
  // transfer of the proposal would bury the ones that count.
  void elements(explained_node& out, std::uint32_t comp, binding_probe& probe, int depth) const {
    const auto& info = p_.comprehensions[p_.nodes[comp].a];
    out.variable = comprehension_variable(p_.text_of(comp));
    const op src = p_.nodes[info.source].code;
    const bool whole_table = src == op::collection || src == op::all_records || src == op::definition;
    std::size_t more = 0;
    probe.each_element(comp, [&](binding_probe& q) {
      explained_node::element el;
      const recorded_value v = q.variable(info.slot);
      el.value = in_words(v);
      el.place = record_place(v);
      if (info.filter != no_node) {
        const probed_value f = q.value_of(info.filter);
        el.included = f.ok() && f.value.what == recorded_value::kind::boolean && f.value.flag;
        if (!el.included) {
          if (whole_table) {
            ++out.elements_left_out;
            return;
          }
          el.filter = trace(info.filter, q, depth + 1);
        }
      }
      if (el.included && p_.nodes[info.element].code != op::variable) el.result = trace(info.element, q, depth + 1);
      if (out.elements.size() >= max_elements_shown) {
        ++more;
        return;
      }
      out.elements.push_back(std::move(el));
    });
    if (more > 0) {
      explained_node::element el;
      el.value = fmt::format("… and {} more", more);
      el.included = true;
      out.elements.push_back(std::move(el));
    }
  }

  void compare_in_words(explained_node& out, std::uint32_t n, binding_probe& probe) const {
    const node& nd = p_.nodes[n];
    const probed_value a = probe.value_of(nd.a), b = probe.value_of(nd.b);
    if (!a.ok() || !b.ok()) return;
    using k = recorded_value::kind;
    auto words_of = [&](const probed_value& v) { return describe_value(p_, doc_, v.value).value; };
    if (a.value.what == k::absent || b.value.what == k::absent) {
      const auto& missing = a.value.what == k::absent ? nd.a : nd.b;
      out.comparison = fmt::format("unknown: {} is absent, so the check does not apply",
                                   dsl::single_line(p_.text_of(missing)));
      return;
    }
    if (a.value.what != k::number || b.value.what != k::number) {
      const bool same = out.value == "true";
      out.comparison = fmt::format("{} {} {}: {}", words_of(a), op_text(nd.code), words_of(b), same ? "true" : "false");
      return;
    }
    const decimal x = a.value.number, y = b.value.number;
    decimal diff;
    if (!subtract(x, y, diff)) return;
    out.difference = diff.to_string();
    const std::string by = diff.abs().to_string();
    switch (nd.code) {
      case op::approx_equal: {
        decimal slack;
        if (!add(a.value.radius, b.value.radius, slack)) return;
        out.slack = slack.to_string();
        const auto allowed = fmt::format("{} + {} = {}", a.value.radius.to_string(), b.value.radius.to_string(),
                                         slack.to_string());
        if (diff.is_zero())
          out.comparison = fmt::format("{} ~= {}: equal", x.to_string(), y.to_string());
        else if (diff.abs() <= slack)
          out.comparison = fmt::format(
              "{} ~= {}: holds only thanks to rounding: they differ by {}, within what the rounding of the two "
              "sides allows ({})",
              x.to_string(), y.to_string(), by, allowed);
        else
          out.comparison = fmt::format(
              "{} ~= {}: false: they differ by {}, more than the rounding of the two sides allows ({})", x.to_string(),
              y.to_string(), by, allowed);
        return;
      }
      case op::within: {
        const probed_value t = probe.value_of(nd.c);
        if (diff.is_zero()) {
          out.comparison = fmt::format("{} == {}: equal", x.to_string(), y.to_string());
          return;
        }
        if (!t.ok() || t.value.what != k::number) {
          out.comparison = fmt::format("{} == {}: they differ by {}, and the tolerance is unknown", x.to_string(),
                                       y.to_string(), by);
          return;
        }
        out.slack = t.value.number.to_string();
        const bool ok = diff.abs() <= t.value.number;
        out.comparison = fmt::format("{} == {} within {}: {}: they differ by {}, {} the tolerance", x.to_string(),
                                     y.to_string(), t.value.number.to_string(),
                                     ok ? "holds only thanks to the tolerance" : "false", by,
                                     ok ? "within" : "more than");
        return;
      }
      default: {
        const bool holds = out.value == "true";
        // Against a constant (`count(x) > 0`) the difference says nothing the values do not.
        const bool constant = p_.nodes[nd.a].code == op::constant || p_.nodes[nd.b].code == op::constant;
        if (constant && nd.code != op::equal && nd.code != op::not_equal)
          out.comparison = fmt::format("{} {} {}: {}", x.to_string(), op_text(nd.code), y.to_string(),
                                       holds ? "true" : "false");
        else if (diff.is_zero())
          out.comparison = fmt::format("{} {} {}: {} (they are equal)", x.to_string(), op_text(nd.code), y.to_string(),
                                       holds ? "true" : "false");
        else
          out.comparison = fmt::format("{} {} {}: {} (they differ by {})", x.to_string(), op_text(nd.code),
                                       y.to_string(), holds ? "true" : "false", by);
        return;
      }
    }
  }

  // The definitions the rule reads (in its loops, `when` and `expect`), and those they read.
  std::vector<explained_definition> definitions(binding_probe& probe) const {
    const auto& r = p_.rules[req_.rule];
    std::vector<std::uint32_t> todo;
    for (const auto& l : r.loops) {
      todo.push_back(l.source);
      if (l.filter != no_node) todo.push_back(l.filter);
    }
    if (r.when != no_node) todo.push_back(r.when);
    todo.push_back(r.check.expect);
    std::vector<std::uint32_t> direct;
    while (!todo.empty()) {
      const auto n = todo.back();
      todo.pop_back();
      if (p_.nodes[n].code == op::definition) {
        if (std::find(direct.begin(), direct.end(), p_.nodes[n].a) == direct.end()) direct.push_back(p_.nodes[n].a);
        continue;
      }
      push_children(n, todo);
    }
    std::sort(direct.begin(), direct.end());
    std::vector<explained_definition> out;
    std::vector<std::uint32_t> seen;
    auto add = [&](auto& self, std::uint32_t d, const std::string& via) -> void {
      if (std::find(seen.begin(), seen.end(), d) != seen.end()) return;
      seen.push_back(d);
      const auto& def = p_.definitions[d];
      explained_definition e;
      e.name = def.name;
      e.via = via;
      e.defined_at = locate(p_, def.file, def.where);
      explained_node v;
      set_value(v, def.body, probe.value_of(def.body), probe);
      e.value = v.value;
      e.error = v.error;
      out.push_back(std::move(e));
      for (auto dep : def.depends_on) self(self, dep, def.name);
    };
    for (auto d : direct) add(add, d, "");
    return out;
  }

  const program& p_;
  const proposal& doc_;
  const explain_request& req_;
  std::vector<target> targets_;
  bool intervals_ = false;
  std::size_t matched_ = 0, passed_ = 0, other_ = 0;
  std::vector<explained_binding> chosen_, passed_bindings_, other_bindings_;
};

}  // namespace

explain_result explain(const program& p, const proposal& doc, const param_values& params, const explain_request& request,
                       const evaluate_options& options) {
  explain_result out;
  std::vector<target> targets;
  for (const auto& at : request.at) {
    auto t = resolve(p, doc, at, out.error);
    if (!t) return out;
    targets.push_back(std::move(*t));
  }
  const auto& rule = p.rules[request.rule];
  explanation e;
  for (const auto& t : targets) e.at.push_back(target_words(p, doc, t));
  e.rule = rule.id;
  e.title = rule.title;
  e.severity = rule.severity == dsl::ast::severity::error     ? dsl::level::error
               : rule.severity == dsl::ast::severity::warning ? dsl::level::warning
                                                              : dsl::level::note;
  e.rule_at = locate(p, rule.file, rule.where);
  e.proposal_file = doc.source()->path();
  for (const auto& l : rule.loops) {
    std::string text = fmt::format("for {} in {}", l.var, dsl::single_line(p.text_of(l.source)));
    if (l.filter != no_node) text += fmt::format(" where {}", dsl::single_line(p.text_of(l.filter)));
    e.loops.push_back(std::move(text));
  }
  if (rule.when != no_node) e.when = dsl::single_line(p.text_of(rule.when));
  e.expect = dsl::single_line(p.text_of(rule.check.expect));

  explain_observer observer(p, doc, request, std::move(targets));
  evaluate_options o = options;
  o.observer = &observer;
  o.only_rule = request.rule;
  const auto result = evaluate(p, doc, params, o);
  e.stats = result.stats[request.rule];
  for (const auto& f : result.findings) {
    if (f.rule != request.rule) continue;
    ++e.findings;
    if (f.kind == finding_kind::not_evaluated) e.not_evaluated.push_back(describe(p, doc, f));
  }
  observer.finish(e);
  out.value = std::move(e);
  return out;
}

// ------------------------------------------------------------------------------------------
// Text

namespace {

namespace ansi = dsl::ansi;

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

// "Palliation, national, 2026: file.json:41:31 (items[2].amounts.national)"; without the
// record's name where the line already names it.
std::string place_words(const proposal_location& w, const std::string& file, bool with_record = true) {
  std::vector<std::string> what;
  if (with_record) {
    if (!w.item_name.empty()) what.push_back(w.item_name);
    else if (!w.item_id.empty()) what.push_back(w.item_id);
  }
  if (!w.column_id.empty()) what.push_back(w.column_id);
  if (w.year) what.push_back(std::to_string(*w.year));
  std::string out = join(what);
  if (w.line) out += fmt::format("{}{}:{}:{}", out.empty() ? "" : ": ", file, w.line, w.column);
  if (!w.path.empty()) out += fmt::format(" ({})", w.path);
  return out;
}

class text_writer {
 public:
  text_writer(const explanation& e, bool color) : e_(e), color_(color) {}

  std::string run() {
    write_header();
    for (std::size_t i = 0; i < e_.bindings.size(); ++i) write_binding(i, e_.bindings[i]);
    if (e_.matched > e_.bindings.size())
      out_ << fmt::format("\n{} more not shown (--limit {}).\n", plural(e_.matched - e_.bindings.size(), "binding"),
                          e_.bindings.size());
    return out_.str();
  }

 private:
  void bold(std::string_view s) {
    if (color_) out_ << ansi::bold;
    out_ << s;
    if (color_) out_ << ansi::reset;
  }

  void write_header() {
    if (color_) out_ << ansi::bold << ansi::color_of(e_.severity);
    out_ << e_.rule;
    if (color_) out_ << ansi::reset << ansi::bold;
    out_ << fmt::format(" ({}) \"{}\"", dsl::to_string(e_.severity), e_.title);
    if (color_) out_ << ansi::reset;
    out_ << '\n';
    out_ << fmt::format("  rule: {}:{}:{}\n", e_.rule_at.file, e_.rule_at.line, e_.rule_at.column);
    for (const auto& l : e_.loops) out_ << "    " << l << '\n';
    if (!e_.when.empty()) out_ << "    when " << e_.when << '\n';
    out_ << "    expect " << e_.expect << '\n';
    out_ << fmt::format("  proposal: {}\n", e_.proposal_file);
    const auto& s = e_.stats;
    if (!s.evaluated && s.bindings == 0) {
      out_ << "  result: not evaluated\n";
    } else {
      std::vector<std::string> parts;
      if (s.passed) parts.push_back(fmt::format("{} passed", s.passed));
      if (s.failed) parts.push_back(fmt::format("{} failed", s.failed));
      if (s.rounding) parts.push_back(fmt::format("{} only thanks to rounding", s.rounding));
      if (s.not_applicable) parts.push_back(fmt::format("{} not applicable", s.not_applicable));
      const auto counted = s.passed + s.failed + s.rounding + s.not_applicable;
      if (s.bindings > counted) parts.push_back(fmt::format("{} could not be evaluated", s.bindings - counted));
      out_ << fmt::format("  result: {}{}{}\n", plural(s.bindings, "check"), parts.empty() ? "" : ": ", join(parts));
    }
    for (const auto& f : e_.not_evaluated) {
      out_ << "  not evaluated: " << f.reason << '\n';
      if (!f.cause_definition.empty())
        out_ << fmt::format("    because definition '{}' ({}:{}:{}) could not be computed\n", f.cause_definition,
                            f.cause_at.file, f.cause_at.line, f.cause_at.column);
    }
    if (e_.selection == "findings")
      out_ << fmt::format("  explained: the {} with a finding\n", e_.matched == 1 ? "binding" : "bindings");
    else if (e_.selection == "passed")
      out_ << "  explained: no binding has a finding; the first that passed\n";
    else if (e_.selection == "at" && e_.matched > 0)
      out_ << fmt::format("  explained: the {} about {}\n", e_.matched == 1 ? "binding" : "bindings", join(e_.at, " and "));
    else if (e_.selection == "checked" && e_.matched > 0)
      out_ << "  explained: no binding passed or failed; the first checked\n";
    if (e_.matched == 0) {
      if (e_.selection == "at")
        out_ << fmt::format("  explained: nothing: no binding of the rule is about {} (the rule's loops, above, never take {})\n",
                            join(e_.at, " and "), e_.at.size() == 1 ? "it" : "them");
      else if (e_.stats.evaluated)
        out_ << "  explained: nothing: no binding reached the check (every element was left out by the loops)\n";
    }
  }

  void write_binding(std::size_t i, const explained_binding& b) {
    out_ << '\n';
    std::vector<std::string> vars;
    for (const auto& v : b.variables) {
      std::string s = fmt::format("{} = {}", v.name, v.value);
      if (v.place && !v.place->path.empty()) s += fmt::format(" ({})", v.place->path);
      vars.push_back(std::move(s));
    }
    std::string head = fmt::format("Binding {} of {}", i + 1, e_.matched);
    if (!vars.empty()) head += ": " + join(vars);
    else head += ": the whole proposal";
    bold(head);
    out_ << '\n';
    write_outcome(b);
    if (b.filter) write_node(*b.filter, 2, "where");
    if (b.when) write_node(*b.when, 2, "when");
    if (b.expect) {
      write_node(*b.expect, 2, "expect");
      if (b.expect->difference && b.expect->operands.size() >= 2)
        out_ << fmt::format("  difference: {} ({} − {})\n", *b.expect->difference, b.expect->operands[0].value,
                            b.expect->operands[1].value);
    }
    if (!b.definitions.empty()) {
      out_ << "  definitions:\n";
      for (const auto& d : b.definitions) {
        out_ << fmt::format("    {} = {}", d.name, d.error.empty() ? d.value : "could not be computed: " + d.error);
        out_ << fmt::format("  ({}:{}:{}{})\n", d.defined_at.file, d.defined_at.line, d.defined_at.column,
                            d.via.empty() ? "" : ", read through " + d.via);
      }
    }
  }

  void write_outcome(const explained_binding& b) {
    auto status = [&](std::string_view word, const char* colour) {
      if (color_) out_ << colour;
      out_ << word;
      if (color_) out_ << ansi::reset;
    };
    out_ << "  result: ";
    if (b.outcome == "failed") status(fmt::format("FAILED ({})", dsl::to_string(e_.severity)), ansi::color_of(e_.severity));
    else if (b.outcome == "rounding") status("passed only thanks to rounding (note)", ansi::cyan);
    else if (b.outcome == "passed") status("passed", ansi::green);
    else if (b.outcome == "not_applicable") out_ << "not applicable: the expectation is unknown (an input is absent)";
    else if (b.outcome == "skipped") out_ << "not checked: `when` is not true";
    else if (b.outcome == "error") status("could not be evaluated", ansi::color_of(e_.severity));
    else if (b.outcome == "filtered_out")
      out_ << fmt::format("not checked: the loop's `where` left it out ({})", e_.loops[*b.filtered_level]);
    out_ << '\n';
    if (!b.error.empty()) out_ << "  error: " << b.error << '\n';
    if (b.finding) {
      out_ << "  message: " << b.finding->message << '\n';
      if (b.finding->where.line || !b.finding->where.path.empty())
        out_ << "  at: " << place_words(b.finding->where, e_.proposal_file) << '\n';
    }
  }

  void write_node(const explained_node& n, int indent, std::string_view label) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    std::string line = pad;
    if (!label.empty()) line += std::string(label) + " ";
    if (n.kind == "reported") line += "reported ";
    else if (n.kind == "definition") line += "definition ";
    else if (n.kind == "parameter") line += "parameter ";
    line += n.expression;
    if (!n.error.empty()) {
      line += " could not be computed: " + n.error;
    } else {
      line += " = " + n.value;
      if (n.interval) line += fmt::format("  [{}, {}]", n.interval->first, n.interval->second);
    }
    if (n.defined_at && n.kind == "parameter")  // definitions are listed with their places below
      line += fmt::format("  ({}:{}:{})", n.defined_at->file, n.defined_at->line, n.defined_at->column);
    out_ << line << '\n';
    if (n.place) out_ << pad << "  " << place_words(*n.place, e_.proposal_file) << '\n';
    if (!n.comparison.empty()) out_ << pad << "  → " << n.comparison << '\n';
    for (const auto& el : n.elements) write_element(n, el, indent + 2);
    if (n.elements_left_out > 0)
      out_ << fmt::format("{}  ({} other {} left out by the `where`)\n", pad, n.elements_left_out,
                          n.elements_left_out == 1 ? "element" : "elements");
    if (n.elements.empty() && n.elements_left_out == 0 && !n.variable.empty())
      out_ << pad << "  (no elements)\n";
    for (const auto& o : n.operands) write_node(o, indent + 2, "");
  }

  void write_element(const explained_node& parent, const explained_node::element& el, int indent) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    std::string head = pad;
    if (!parent.variable.empty() && !el.value.starts_with("…")) head += parent.variable + " = ";
    head += el.value;
    // A read of the element itself names its place below; other elements name theirs here.
    const bool own_read = el.result && el.result->kind == "reported" && el.result->place && el.place &&
                          el.result->place->path.starts_with(el.place->path);
    if (el.place && !el.place->path.empty() && !own_read && el.place->path != el.value)
      head += fmt::format(" ({})", el.place->path);
    if (!el.included) {
      out_ << head << ": left out, `where` is " << (el.filter ? el.filter->value : std::string("not true")) << '\n';
      if (el.filter) write_node(*el.filter, indent + 2, "");
      return;
    }
    if (!el.result) {
      out_ << head << '\n';
      return;
    }
    // A read contributes one value: on the element's line.
    if (el.result->kind == "reported" && el.result->operands.empty()) {
      std::string line = head + ": " + el.result->expression + " = " +
                         (el.result->error.empty() ? el.result->value : "could not be computed: " + el.result->error);
      if (el.result->interval) line += fmt::format("  [{}, {}]", el.result->interval->first, el.result->interval->second);
      out_ << line << '\n';
      if (el.result->place) out_ << pad << "  " << place_words(*el.result->place, e_.proposal_file, !own_read) << '\n';
      return;
    }
    out_ << head << '\n';
    write_node(*el.result, indent + 2, "");
  }

  const explanation& e_;
  bool color_;
  std::ostringstream out_;
};

// ------------------------------------------------------------------------------------------
// JSON

nlohmann::json place_json(const std::string& file, const proposal_location& w) {
  nlohmann::json j;
  j["file"] = file;
  j["pointer"] = w.pointer;
  j["path"] = w.path;
  j["line"] = w.line;
  j["column"] = w.column;
  if (!w.item_id.empty() || !w.item_name.empty()) j["record"] = {{"id", w.item_id}, {"name", w.item_name}};
  if (!w.column_id.empty()) j["amount_column"] = w.column_id;
  if (w.year) j["year"] = *w.year;
  return j;
}

nlohmann::json location_json(const rule_location& r) {
  return {{"file", r.file}, {"line", r.line}, {"column", r.column}};
}

nlohmann::json node_json(const std::string& file, const explained_node& n) {
  nlohmann::json j;
  j["expression"] = n.expression;
  j["kind"] = n.kind;
  if (n.error.empty()) j["value"] = n.value;
  else j["error"] = n.error;
  if (n.interval) j["interval"] = {n.interval->first, n.interval->second};
  if (n.place) j["location"] = place_json(file, *n.place);
  if (!n.name.empty()) j["name"] = n.name;
  if (n.defined_at) j["defined_at"] = location_json(*n.defined_at);
  if (!n.comparison.empty()) j["comparison"] = n.comparison;
  if (n.difference) j["difference"] = *n.difference;
  if (n.slack) j["allowed"] = *n.slack;
  if (!n.variable.empty()) {
    j["variable"] = n.variable;
    nlohmann::json els = nlohmann::json::array();
    for (const auto& el : n.elements) {
      nlohmann::json ej;
      ej["element"] = el.value;
      if (el.place) ej["location"] = place_json(file, *el.place);
      ej["included"] = el.included;
      if (el.filter) ej["where"] = node_json(file, *el.filter);
      if (el.result) ej["value"] = node_json(file, *el.result);
      els.push_back(std::move(ej));
    }
    j["elements"] = std::move(els);
    j["elements_left_out"] = n.elements_left_out;
  }
  if (!n.operands.empty()) {
    nlohmann::json ops = nlohmann::json::array();
    for (const auto& o : n.operands) ops.push_back(node_json(file, o));
    j["operands"] = std::move(ops);
  }
  return j;
}

nlohmann::json finding_json(const std::string& file, const finding_details& f) {
  nlohmann::json j;
  j["severity"] = dsl::to_string(f.severity);
  j["kind"] = to_string(f.kind);
  j["message"] = f.message;
  j["location"] = place_json(file, f.where);
  nlohmann::json values = nlohmann::json::array();
  for (const auto& v : f.values) {
    nlohmann::json vj = {{"role", v.role}, {"expression", dsl::single_line(v.expression)}, {"value", v.value}};
    if (v.interval) vj["interval"] = {v.interval->first, v.interval->second};
    values.push_back(vj);
  }
  j["values"] = values;
  if (f.difference) j["difference"] = *f.difference;
  if (!f.reason.empty()) j["reason"] = f.reason;
  return j;
}

}  // namespace

std::string render_explanation_text(const explanation& e, bool color) { return text_writer(e, color).run(); }

std::string render_explanation_json(const explanation& e) {
  nlohmann::json j;
  j["rule"] = {{"id", e.rule},
               {"title", e.title},
               {"severity", dsl::to_string(e.severity)},
               {"location", location_json(e.rule_at)},
               {"loops", e.loops},
               {"expect", e.expect}};
  if (!e.when.empty()) j["rule"]["when"] = e.when;
  j["proposal"] = e.proposal_file;
  j["result"] = {{"evaluated", e.stats.evaluated}, {"checks", e.stats.bindings}, {"passed", e.stats.passed},
                 {"failed", e.stats.failed},       {"rounding", e.stats.rounding}, {"not_applicable", e.stats.not_applicable},
                 {"findings", e.findings}};
  nlohmann::json ne = nlohmann::json::array();
  for (const auto& f : e.not_evaluated) {
    nlohmann::json fj = finding_json(e.proposal_file, f);
    if (!f.cause_definition.empty())
      fj["root_cause"] = {{"definition", f.cause_definition}, {"rule_location", location_json(f.cause_at)}};
    ne.push_back(std::move(fj));
  }
  j["not_evaluated"] = std::move(ne);
  j["selection"] = e.selection;
  j["at"] = e.at;
  j["matched"] = e.matched;
  nlohmann::json bindings = nlohmann::json::array();
  for (const auto& b : e.bindings) {
    nlohmann::json bj;
    nlohmann::json vars = nlohmann::json::array();
    for (const auto& v : b.variables) {
      nlohmann::json vj = {{"name", v.name}, {"value", v.value}};
      if (v.place) vj["location"] = place_json(e.proposal_file, *v.place);
      vars.push_back(std::move(vj));
    }
    bj["variables"] = std::move(vars);
    bj["outcome"] = b.outcome;
    if (!b.error.empty()) bj["error"] = b.error;
    if (b.finding) bj["finding"] = finding_json(e.proposal_file, *b.finding);
    if (b.filtered_level) bj["filtered_by_loop"] = *b.filtered_level;
    if (b.filter) bj["where"] = node_json(e.proposal_file, *b.filter);
    if (b.when) bj["when"] = node_json(e.proposal_file, *b.when);
    if (b.expect) bj["expect"] = node_json(e.proposal_file, *b.expect);
    nlohmann::json defs = nlohmann::json::array();
    for (const auto& d : b.definitions) {
      nlohmann::json dj = {{"name", d.name}, {"defined_at", location_json(d.defined_at)}};
      if (d.error.empty()) dj["value"] = d.value;
      else dj["error"] = d.error;
      if (!d.via.empty()) dj["via"] = d.via;
      defs.push_back(std::move(dj));
    }
    bj["definitions"] = std::move(defs);
    bindings.push_back(std::move(bj));
  }
  j["bindings"] = std::move(bindings);
  return j.dump(2) + "\n";
}

}  // namespace fundcheck::engine
