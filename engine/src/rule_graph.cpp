// The dependency graph for people and tools (rule_graph.hpp): what each definition and rule
// reads, the graph of them, its Graphviz and JSON forms, and proposal paths for `impact`.
// The compiler's own graph (cycles, evaluation order) is dependency_graph.cpp.

#include "fundcheck/engine/rule_graph.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <ostream>
#include <queue>
#include <sstream>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/function_property_map.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fundcheck/engine/compile.hpp"
#include "fundcheck/engine/text_util.hpp"

namespace fundcheck::engine {

namespace {

// The field of a record type that nests records of the same type (an item's sub-items), or -1.
int self_nesting_field(const schema& s, int record) {
  const auto& def = s.records[static_cast<std::size_t>(record)];
  for (std::size_t f = 0; f < def.fields.size(); ++f)
    if (def.fields[f].type == field_type::records && def.fields[f].record == def.name) return static_cast<int>(f);
  return -1;
}

// Collects what an expression reads. Definitions are not followed: they are nodes of their own.
class use_collector {
 public:
  explicit use_collector(const program& p) : p_(p) {}

  void walk(std::uint32_t n) {
    if (n == no_node) return;
    const node& nd = p_.nodes[n];
    const schema& s = *p_.schema_def;
    switch (nd.code) {
      case op::param: out_.params.push_back(nd.a); return;
      case op::definition: out_.definitions.push_back(nd.a); return;
      case op::collection: out_.inputs.push_back({input_ref::kind::rows, -1, nd.a}); return;
      case op::all_records: {
        for (std::size_t c = 0; c < s.collections.size(); ++c)
          if (s.record_index(s.collections[c].record) == static_cast<int>(nd.a))
            out_.inputs.push_back({input_ref::kind::rows, -1, static_cast<std::uint32_t>(c)});
        nesting(static_cast<int>(nd.a));
        return;
      }
      case op::years: case op::first_year: out_.inputs.push_back({input_ref::kind::years, -1, 0}); return;
      case op::field:
        out_.inputs.push_back({input_ref::kind::field, record_of(nd.a), nd.b});
        break;
      case op::parent: case op::depth: nesting(record_of(nd.a)); break;
      case op::amount: case op::amount_year:
        out_.inputs.push_back({input_ref::kind::amount, record_of(nd.a), nd.b});
        break;
      case op::amount_dynamic: case op::amount_dynamic_year:
        for (std::size_t c = 0; c < p_.columns.size(); ++c)
          out_.inputs.push_back({input_ref::kind::amount, record_of(nd.a), static_cast<std::uint32_t>(c)});
        break;
      case op::list:
        for (std::uint32_t i = 0; i < nd.b; ++i) walk(p_.arguments[nd.a + i]);
        return;
      case op::comprehension: {
        const auto& c = p_.comprehensions[nd.a];
        walk(c.source);
        walk(c.filter);
        walk(c.element);
        return;
      }
      default: break;
    }
    std::uint32_t kids[3];
    const int k = node_children(nd, kids);
    for (int i = 0; i < k; ++i) walk(kids[i]);
  }

  direct_uses take() {
    auto tidy = [](auto& v) {
      std::sort(v.begin(), v.end());
      v.erase(std::unique(v.begin(), v.end()), v.end());
    };
    tidy(out_.params);
    tidy(out_.definitions);
    tidy(out_.inputs);
    return std::move(out_);
  }

 private:
  std::int32_t record_of(std::uint32_t n) const { return p_.nodes[n].result.record; }
  void nesting(int record) {
    const int f = self_nesting_field(*p_.schema_def, record);
    if (f >= 0) out_.inputs.push_back({input_ref::kind::field, record, static_cast<std::uint32_t>(f)});
  }

  const program& p_;
  direct_uses out_;
};

std::string constant_text(const constant_value& v) {
  switch (v.t.kind) {
    case type_kind::number: return v.number.to_string();
    case type_kind::boolean: return v.flag ? "true" : "false";
    case type_kind::string: return "\"" + v.text + "\"";
    default: return "none";
  }
}

// A dot string literal's contents: quotes and backslashes escaped, line breaks as \n.
std::string dot_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string_view severity_name(dsl::ast::severity s) {
  switch (s) {
    case dsl::ast::severity::error: return "error";
    case dsl::ast::severity::warning: return "warning";
    case dsl::ast::severity::note: return "note";
  }
  return "error";
}

// Fill colours by status (and, for failures, severity): pastel, so labels stay readable.
std::string_view fill_of(rule_status s, dsl::ast::severity level) {
  switch (s) {
    case rule_status::passed: return "#c8e6c9";
    case rule_status::failed:
      return level == dsl::ast::severity::error ? "#ef9a9a" : level == dsl::ast::severity::warning ? "#ffcc80" : "#fff59d";
    case rule_status::notes: return "#fff59d";
    case rule_status::not_evaluated: return "#bdbdbd";
    case rule_status::no_bindings: return "#ffffff";
  }
  return "#ffffff";
}

std::string counts_text(const rule_stats& s) {
  switch (status_of(s)) {
    case rule_status::failed: return fmt::format("failed {} of {}", s.failed, s.bindings);
    case rule_status::notes: return fmt::format("{} of {} by rounding", s.rounding, s.bindings);
    case rule_status::not_evaluated: return "not evaluated";
    case rule_status::no_bindings: return "nothing to check";
    case rule_status::passed:
      return s.not_applicable > 0 ? fmt::format("passed {}, {} not applicable", s.passed, s.not_applicable)
                                  : fmt::format("passed {}", s.passed);
  }
  return {};
}

const rule_stats* stats_for(const rule_graph& g, const graph_results* r, const graph_node& n) {
  if (!r || !r->result || n.kind != graph_node_kind::rule || g.programs[n.program] != r->checked) return nullptr;
  if (n.index >= r->result->stats.size()) return nullptr;
  return &r->result->stats[n.index];
}

}  // namespace

std::string input_label(const program& p, const input_ref& in) {
  const schema& s = *p.schema_def;
  switch (in.what) {
    case input_ref::kind::years: return "years";
    case input_ref::kind::rows: return std::string(s.collections[in.index].name);
    case input_ref::kind::field: {
      const auto& rec = s.records[static_cast<std::size_t>(in.record)];
      return fmt::format("{}.{}", rec.name, rec.fields[in.index].name);
    }
    case input_ref::kind::amount: {
      const auto& rec = s.records[static_cast<std::size_t>(in.record)];
      const int af = rec.amounts_field();
      return fmt::format("{}.{}.{}", rec.name, af >= 0 ? rec.fields[static_cast<std::size_t>(af)].name : "amounts",
                         p.columns[in.index]);
    }
  }
  return {};
}

direct_uses uses_of_definition(const program& p, std::uint32_t definition) {
  use_collector c(p);
  c.walk(p.definitions[definition].body);
  return c.take();
}

direct_uses uses_of_rule(const program& p, std::uint32_t rule) {
  const auto& r = p.rules[rule];
  use_collector c(p);
  for (const auto& loop : r.loops) {
    c.walk(loop.source);
    c.walk(loop.filter);
  }
  c.walk(r.when);
  c.walk(r.check.expect);
  for (const auto& part : r.message) c.walk(part.hole);
  return c.take();
}

std::string_view to_string(graph_node_kind k) noexcept {
  switch (k) {
    case graph_node_kind::param: return "param";
    case graph_node_kind::definition: return "definition";
    case graph_node_kind::rule: return "rule";
    case graph_node_kind::input: return "input";
  }
  return "input";
}

std::string_view to_string(rule_status s) noexcept {
  switch (s) {
    case rule_status::passed: return "passed";
    case rule_status::failed: return "failed";
    case rule_status::notes: return "notes";
    case rule_status::not_evaluated: return "not_evaluated";
    case rule_status::no_bindings: return "no_bindings";
  }
  return "passed";
}

rule_status status_of(const rule_stats& s) noexcept {
  if (!s.evaluated) return rule_status::not_evaluated;
  if (s.failed > 0) return rule_status::failed;
  if (s.rounding > 0) return rule_status::notes;
  if (s.bindings == 0) return rule_status::no_bindings;
  return rule_status::passed;
}

rule_graph build_rule_graph(std::vector<const program*> programs, bool with_inputs) {
  rule_graph g;
  g.programs = std::move(programs);
  const bool several = g.programs.size() > 1;
  for (std::uint32_t k = 0; k < g.programs.size(); ++k) {
    const program& p = *g.programs[k];
    const std::string prefix = several ? fmt::format("f{}_", k) : "";
    auto add = [&](graph_node_kind kind, std::uint32_t index, std::string id, std::string name, std::uint16_t file,
                   dsl::span where) {
      graph_node n;
      n.kind = kind;
      n.program = k;
      n.index = index;
      n.id = prefix + std::move(id);
      n.name = std::move(name);
      n.source = p.sources[file];
      n.where = where;
      g.nodes.push_back(std::move(n));
      return static_cast<std::uint32_t>(g.nodes.size() - 1);
    };
    const auto first_param = static_cast<std::uint32_t>(g.nodes.size());
    for (std::uint32_t i = 0; i < p.params.size(); ++i)
      add(graph_node_kind::param, i, fmt::format("p{}", i), p.params[i].name, p.params[i].file, p.params[i].where);
    const auto first_def = static_cast<std::uint32_t>(g.nodes.size());
    for (std::uint32_t i = 0; i < p.definitions.size(); ++i)
      add(graph_node_kind::definition, i, fmt::format("d{}", i), p.definitions[i].name, p.definitions[i].file,
          p.definitions[i].where);
    const auto first_rule = static_cast<std::uint32_t>(g.nodes.size());
    for (std::uint32_t i = 0; i < p.rules.size(); ++i)
      add(graph_node_kind::rule, i, fmt::format("r{}", i), p.rules[i].id, p.rules[i].file, p.rules[i].where);

    std::vector<std::pair<direct_uses, std::uint32_t>> users;  // what each node reads, and the node
    for (std::uint32_t i = 0; i < p.definitions.size(); ++i) users.emplace_back(uses_of_definition(p, i), first_def + i);
    for (std::uint32_t i = 0; i < p.rules.size(); ++i) users.emplace_back(uses_of_rule(p, i), first_rule + i);

    std::map<input_ref, std::uint32_t> input_nodes;
    if (with_inputs) {
      for (const auto& [u, _] : users)
        for (const auto& in : u.inputs) input_nodes.emplace(in, 0);
      std::uint32_t i = 0;
      for (auto& [in, node_index] : input_nodes) {
        graph_node n;
        n.kind = graph_node_kind::input;
        n.program = k;
        n.index = i;
        n.input = in;
        n.id = prefix + fmt::format("i{}", i++);
        n.name = input_label(p, in);
        g.nodes.push_back(std::move(n));
        node_index = static_cast<std::uint32_t>(g.nodes.size() - 1);
      }
    }
    for (const auto& [u, to] : users) {
      for (auto q : u.params) g.edges.emplace_back(first_param + q, to);
      for (auto d : u.definitions) g.edges.emplace_back(first_def + d, to);
      if (with_inputs)
        for (const auto& in : u.inputs) g.edges.emplace_back(input_nodes.at(in), to);
    }
  }
  std::sort(g.edges.begin(), g.edges.end());
  g.edges.erase(std::unique(g.edges.begin(), g.edges.end()), g.edges.end());
  return g;
}

std::vector<std::uint32_t> rule_graph::dependents(std::uint32_t start) const {
  std::vector<std::vector<std::uint32_t>> out(nodes.size());
  for (const auto& [from, to] : edges) out[from].push_back(to);
  std::vector<bool> seen(nodes.size(), false);
  std::queue<std::uint32_t> todo;
  todo.push(start);
  seen[start] = true;
  std::vector<std::uint32_t> result;
  while (!todo.empty()) {
    const auto v = todo.front();
    todo.pop();
    for (auto w : out[v]) {
      if (seen[w]) continue;
      seen[w] = true;
      result.push_back(w);
      todo.push(w);
    }
  }
  std::sort(result.begin(), result.end());
  return result;
}

// ------------------------------------------------------------------------------------------
// Graphviz

// GCC 12 sees Boost's adjacency_list edge iterator (an optional inside) as maybe-uninitialized
// once write_graphviz is inlined here; it is initialised before use.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
std::string render_graph_dot(const rule_graph& g, const graph_results* results) {
  using graph_t = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;
  graph_t bg(g.nodes.size());
  for (const auto& [from, to] : g.edges) boost::add_edge(from, to, bg);

  auto vertex_writer = [&](std::ostream& out, std::size_t v) {
    const graph_node& n = g.nodes[v];
    const program& p = *g.programs[n.program];
    switch (n.kind) {
      case graph_node_kind::param:
        out << fmt::format("[label=\"param {} = {}\", shape=note]", dot_escape(n.name),
                           dot_escape(constant_text(p.params[n.index].default_value)));
        return;
      case graph_node_kind::definition: out << fmt::format("[label=\"{}\", shape=box]", dot_escape(n.name)); return;
      case graph_node_kind::input:
        out << fmt::format("[label=\"{}\", shape=plaintext, fontcolor=\"#555555\"]", dot_escape(n.name));
        return;
      case graph_node_kind::rule: break;
    }
    const auto& rule = p.rules[n.index];
    if (const rule_stats* s = stats_for(g, results, n)) {
      const rule_status st = status_of(*s);
      out << fmt::format("[label=\"{}\\n{}\", shape=ellipse, style=\"{}\", fillcolor=\"{}\", tooltip=\"{}: {}\"]",
                         dot_escape(n.name), counts_text(*s),
                         st == rule_status::no_bindings ? "filled,dashed" : "filled", fill_of(st, rule.severity),
                         to_string(st), dot_escape(rule.title));
    } else {
      out << fmt::format("[label=\"{}\", shape=ellipse, tooltip=\"{}\"]", dot_escape(n.name), dot_escape(rule.title));
    }
  };
  auto edge_writer = [&](std::ostream& out, const graph_t::edge_descriptor& e) {
    if (g.nodes[boost::source(e, bg)].kind == graph_node_kind::input) out << "[color=\"#999999\"]";
  };
  auto graph_writer = [&](std::ostream& out) {
    out << "rankdir=LR;\nnode [fontname=\"Helvetica\"];\n";
    if (results && results->checked) {
      out << fmt::format("label=\"{} on {}\";\nlabelloc=t;\n", dot_escape(results->checked->schema_def->format),
                         dot_escape(results->proposal));
    }
    if (g.programs.size() < 2) return;
    // Declaring the members inside a cluster first puts them in it; their attributes follow.
    for (std::uint32_t k = 0; k < g.programs.size(); ++k) {
      out << fmt::format("subgraph cluster_{} {{\nlabel=\"{}\";\n", k, dot_escape(g.programs[k]->schema_def->format));
      for (const auto& n : g.nodes)
        if (n.program == k) out << n.id << ";\n";
      out << "}\n";
    }
  };
  std::vector<std::string> ids;
  ids.reserve(g.nodes.size());
  for (const auto& n : g.nodes) ids.push_back(n.id);
  auto id_map = boost::make_function_property_map<std::size_t, std::string>(
      [&](std::size_t v) { return ids[v]; });
  std::ostringstream out;
  boost::write_graphviz(out, bg, vertex_writer, edge_writer, graph_writer, id_map);
  return std::move(out).str();
}
#pragma GCC diagnostic pop

std::string dependency_graph_dot(const program& p) { return render_graph_dot(build_rule_graph({&p}, false)); }

std::string dependency_graph_dot(const std::vector<const program*>& programs) {
  return render_graph_dot(build_rule_graph(programs, false));
}

// ------------------------------------------------------------------------------------------
// JSON

std::string render_graph_json(const rule_graph& g, const graph_results* results) {
  using nlohmann::json;
  json j;
  auto& nodes = j["nodes"] = json::array();
  for (const auto& n : g.nodes) {
    const program& p = *g.programs[n.program];
    json o;
    o["id"] = n.id;
    o["kind"] = std::string(to_string(n.kind));
    o["name"] = n.name;
    o["format"] = std::string(p.schema_def->format);
    if (n.source) {
      const auto at = n.source->locate(n.where.begin);
      o["file"] = n.source->path();
      o["line"] = at.line;
      o["column"] = at.column;
    }
    if (n.kind == graph_node_kind::param) o["default"] = constant_text(p.params[n.index].default_value);
    if (n.kind == graph_node_kind::rule) {
      o["severity"] = std::string(severity_name(p.rules[n.index].severity));
      o["title"] = p.rules[n.index].title;
    }
    nodes.push_back(std::move(o));
  }
  auto& edges = j["edges"] = json::array();
  for (const auto& [from, to] : g.edges) edges.push_back({{"from", g.nodes[from].id}, {"to", g.nodes[to].id}});
  if (results && results->checked && results->result) {
    json r;
    r["proposal"] = results->proposal;
    r["format"] = std::string(results->checked->schema_def->format);
    auto& rules = r["rules"] = json::array();
    for (const auto& n : g.nodes) {
      const rule_stats* s = stats_for(g, results, n);
      if (!s) continue;
      rules.push_back({{"id", n.id},
                       {"rule", n.name},
                       {"status", std::string(to_string(status_of(*s)))},
                       {"bindings", s->bindings},
                       {"passed", s->passed},
                       {"failed", s->failed},
                       {"notes", s->rounding},
                       {"not_applicable", s->not_applicable}});
    }
    j["results"] = std::move(r);
  } else {
    j["results"] = nullptr;
  }
  return j.dump(2) + "\n";
}

// ------------------------------------------------------------------------------------------
// Proposal paths

namespace {

struct segment {
  std::string text;
  bool index = false;  // "[3]" or a number between slashes or dots
};

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Splits a dotted path with [n] indexes, or a JSON pointer. False on an empty segment or a
// malformed index.
bool split_path(std::string_view path, std::vector<segment>& out, std::string& error) {
  if (path.starts_with('/')) {
    std::size_t pos = 1;
    while (true) {
      const auto next = path.find('/', pos);
      std::string part(path.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
      std::string text;
      for (std::size_t i = 0; i < part.size(); ++i) {
        if (part[i] == '~' && i + 1 < part.size() && (part[i + 1] == '0' || part[i + 1] == '1')) {
          text += part[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          text += part[i];
        }
      }
      if (text.empty()) {
        error = "the JSON pointer has an empty step";
        return false;
      }
      out.push_back({text, all_digits(text)});
      if (next == std::string_view::npos) break;
      pos = next + 1;
    }
    return true;
  }
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t end = pos;
    while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
    if (end == pos) {
      error = pos == 0 ? "the path is empty or starts with '.' or '['" : "the path has an empty step ('..' or a trailing '.')";
      return false;
    }
    const std::string name(path.substr(pos, end - pos));
    out.push_back({name, all_digits(name)});
    pos = end;
    while (pos < path.size() && path[pos] == '[') {
      const auto close = path.find(']', pos);
      if (close == std::string_view::npos || !all_digits(path.substr(pos + 1, close - pos - 1))) {
        error = "a '[' must enclose a row number, as in items[3]";
        return false;
      }
      out.push_back({std::string(path.substr(pos + 1, close - pos - 1)), true});
      pos = close + 1;
    }
    if (pos == path.size()) break;
    if (path[pos] != '.') {
      error = fmt::format("unexpected '{}' after ']'", path[pos]);
      return false;
    }
    ++pos;
    if (pos == path.size()) {
      error = "the path ends with '.'";
      return false;
    }
  }
  return true;
}

std::string suggest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string out;
  if (auto c = closest(word, candidates)) out = fmt::format("; did you mean '{}'?", *c);
  return out;
}

// Every field and amount of a record type.
void whole_record(const program& p, int record, std::vector<input_ref>& out) {
  const auto& rec = p.schema_def->records[static_cast<std::size_t>(record)];
  for (std::size_t f = 0; f < rec.fields.size(); ++f) {
    if (rec.fields[f].type == field_type::amounts) {
      for (std::size_t c = 0; c < p.columns.size(); ++c)
        out.push_back({input_ref::kind::amount, record, static_cast<std::uint32_t>(c)});
    } else {
      out.push_back({input_ref::kind::field, record, static_cast<std::uint32_t>(f)});
    }
  }
}

}  // namespace

path_resolution resolve_proposal_path(const program& p, std::string_view path) {
  path_resolution r;
  std::vector<segment> segs;
  if (!split_path(path, segs, r.error)) {
    r.unknown_start = true;
    return r;
  }
  const schema& s = *p.schema_def;
  std::size_t i = 0;
  int record = 0;
  bool whole_is_row = false;  // a record reached through an index: the whole row
  auto done = [&]() {
    std::sort(r.inputs.begin(), r.inputs.end());
    r.inputs.erase(std::unique(r.inputs.begin(), r.inputs.end()), r.inputs.end());
    return r;
  };
  auto columns_text = [&]() {
    return p.columns.empty() ? std::string("the rules declare no columns") : "the rules' columns: " + join(p.columns);
  };

  // The first step: years, the proposal's columns, a collection, a record type, or a field of
  // the document itself.
  const std::string& first = segs[0].text;
  if (first == "years" && (segs.size() == 1 || (segs.size() == 2 && segs[1].index))) {
    r.inputs.push_back({input_ref::kind::years, -1, 0});
    return done();
  }
  if (first == "columns" && (segs.size() == 1 || (segs.size() == 2 && segs[1].index))) {
    // Which columns the proposal has decides whether every amount can be read.
    for (std::size_t rec = 0; rec < s.records.size(); ++rec)
      if (s.records[rec].amounts_field() >= 0)
        for (std::size_t c = 0; c < p.columns.size(); ++c)
          r.inputs.push_back({input_ref::kind::amount, static_cast<std::int32_t>(rec), static_cast<std::uint32_t>(c)});
    return done();
  }
  if (first == "years" || first == "columns") {
    r.error = fmt::format("'{}' is the list of the proposal's {}; nothing is below it but an index", first, first);
    return r;
  }
  bool found_first = false;
  for (std::size_t c = 0; c < s.collections.size(); ++c) {
    if (s.collections[c].name != first) continue;
    record = s.record_index(s.collections[c].record);
    ++i;
    if (i < segs.size() && segs[i].index) {
      ++i;
      whole_is_row = true;
    }
    if (i == segs.size()) {
      r.inputs.push_back({input_ref::kind::rows, -1, static_cast<std::uint32_t>(c)});
      if (whole_is_row) whole_record(p, record, r.inputs);
      return done();
    }
    found_first = true;
    break;
  }
  if (!found_first && s.record_index(first) >= 0 && segs.size() > 1 && !segs[1].index) {
    record = s.record_index(first);  // "item.region", "proposal.title": the graph's labels
    ++i;
    found_first = true;
  }
  if (!found_first) {
    r.unknown_start = true;
    if (segs[0].index) {
      r.error = fmt::format("a path starts with a part of the proposal, not a row number");
      return r;
    }
    const auto& root = s.records[0];
    if (root.field_index(first) < 0) {
      std::vector<std::string> candidates{"years"};
      for (const auto& c : s.collections) candidates.emplace_back(c.name);
      for (const auto& f : root.fields) candidates.emplace_back(f.name);
      r.error = fmt::format("a {} proposal has no '{}'{} (its parts: {})", s.format, first,
                            suggest(first, candidates), join(candidates));
      return r;
    }
    r.unknown_start = false;
  }

  // Then fields, down through nested records.
  while (i < segs.size()) {
    const auto& rec = s.records[static_cast<std::size_t>(record)];
    const segment& seg = segs[i];
    if (seg.index) {
      r.error = fmt::format("row number [{}] where a field of {} was expected", seg.text, rec.name);
      return r;
    }
    const int f = rec.field_index(seg.text);
    if (f < 0) {
      // A declared column used as a field, as rules write it (item.region); parent and depth.
      if (rec.amounts_field() >= 0) {
        const auto c = std::find(p.columns.begin(), p.columns.end(), seg.text);
        if (c != p.columns.end()) {
          r.inputs.push_back({input_ref::kind::amount, record, static_cast<std::uint32_t>(c - p.columns.begin())});
          ++i;
          if (i < segs.size() && segs[i].index && all_digits(segs[i].text)) ++i;  // a year
          if (i < segs.size()) {
            r.error = fmt::format("'{}' is an amount; nothing is below it but a year", seg.text);
            r.inputs.clear();
            return r;
          }
          return done();
        }
      }
      const int nest = self_nesting_field(s, record);
      if (nest >= 0 && (seg.text == "parent" || seg.text == "depth") && i + 1 == segs.size()) {
        r.inputs.push_back({input_ref::kind::field, record, static_cast<std::uint32_t>(nest)});
        return done();
      }
      std::vector<std::string> candidates;
      for (const auto& fd : rec.fields) candidates.emplace_back(fd.name);
      r.error = fmt::format("{} has no field '{}'{} (its fields: {})", rec.name, seg.text, suggest(seg.text, candidates),
                            join(candidates));
      return r;
    }
    const auto& fd = rec.fields[static_cast<std::size_t>(f)];
    ++i;
    switch (fd.type) {
      case field_type::amounts: {
        if (i == segs.size()) {
          for (std::size_t c = 0; c < p.columns.size(); ++c)
            r.inputs.push_back({input_ref::kind::amount, record, static_cast<std::uint32_t>(c)});
          if (r.inputs.empty()) r.error = fmt::format("the rules read no amounts ({})", columns_text());
          return done();
        }
        const std::string& col = segs[i].text;
        const auto c = std::find(p.columns.begin(), p.columns.end(), col);
        if (c == p.columns.end()) {
          r.error = fmt::format("the rules declare no column '{}'{} ({})", col, suggest(col, p.columns), columns_text());
          return r;
        }
        r.inputs.push_back({input_ref::kind::amount, record, static_cast<std::uint32_t>(c - p.columns.begin())});
        ++i;
        if (i < segs.size() && all_digits(segs[i].text)) ++i;  // a year: every year is read alike
        if (i < segs.size()) {
          r.error = fmt::format("'{}' is an amount; nothing is below it but a year", col);
          r.inputs.clear();
          return r;
        }
        return done();
      }
      case field_type::records: {
        const int nested = s.record_index(fd.record);
        if (i == segs.size()) {
          r.inputs.push_back({input_ref::kind::field, record, static_cast<std::uint32_t>(f)});
          return done();
        }
        if (segs[i].index) {
          ++i;
          if (i == segs.size()) {
            r.inputs.push_back({input_ref::kind::field, record, static_cast<std::uint32_t>(f)});
            whole_record(p, nested, r.inputs);
            return done();
          }
        }
        record = nested;
        continue;
      }
      default:
        if (i < segs.size()) {
          r.error = fmt::format("'{}' is a single value of {}; nothing is below it", fd.name, rec.name);
          return r;
        }
        r.inputs.push_back({input_ref::kind::field, record, static_cast<std::uint32_t>(f)});
        return done();
    }
  }
  // A record type alone ("item" cannot get here: it needs a field) or a collection row.
  whole_record(p, record, r.inputs);
  return done();
}

}  // namespace fundcheck::engine
