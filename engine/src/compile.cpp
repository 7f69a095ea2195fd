// The rule compiler: stages "resolve" (collect declarations), "graph" (dependencies between
// parameters, definitions and rules; cycles), "check" (types, lowering to program nodes).

#include "fundcheck/engine/compile.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include "dependency_graph.hpp"
#include "fundcheck/engine/sha256.hpp"
#include "fundcheck/engine/text_util.hpp"

namespace fundcheck::engine {

namespace ast = dsl::ast;

const std::vector<std::string_view>& compile_stages() {
  static const std::vector<std::string_view> stages{"resolve", "graph", "check"};
  return stages;
}

std::string to_string(const type& t, const schema& s) {
  auto scalar = [&](type_kind k, int rec) -> std::string {
    switch (k) {
      case type_kind::none: return "none";
      case type_kind::number: return "number";
      case type_kind::string: return "string";
      case type_kind::boolean: return "bool";
      case type_kind::column: return "column";
      case type_kind::record: return std::string(s.records[static_cast<std::size_t>(rec)].name);
      case type_kind::list: return "list";
    }
    return "?";
  };
  if (t.kind == type_kind::list) return "list<" + scalar(t.element, t.element_record) + ">";
  return scalar(t.kind, t.record);
}

std::string_view program::text_of(std::uint32_t node_index) const {
  const node& n = nodes[node_index];
  const auto& text = sources[n.file]->text();
  if (n.where.end > text.size() || n.where.begin > n.where.end) return {};
  return std::string_view(text).substr(n.where.begin, n.where.end - n.where.begin);
}

int node_children(const node& n, std::uint32_t out[3]) noexcept {
  switch (n.code) {
    case op::constant: case op::param: case op::definition: case op::variable: case op::collection:
    case op::all_records: case op::years: case op::first_year: case op::columns: case op::root:
    case op::list: case op::comprehension:
      return 0;
    case op::field: case op::amount: case op::parent: case op::depth: case op::negate:
    case op::logical_not: case op::sum: case op::count: case op::min: case op::max: case op::any:
    case op::all: case op::abs: case op::present: case op::decimals: case op::one: case op::len:
      out[0] = n.a;
      return 1;
    case op::amount_year:  // b is a declared column index, not a node
      out[0] = n.a;
      out[1] = n.c;
      return 2;
    case op::amount_dynamic_year: case op::within: case op::conditional:
      out[0] = n.a;
      out[1] = n.b;
      out[2] = n.c;
      return 3;
    default:  // binary operators, amount_dynamic, round, min2, max2, coalesce
      out[0] = n.a;
      out[1] = n.b;
      return 2;
  }
}

int program::param_index(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < params.size(); ++i)
    if (params[i].name == name) return static_cast<int>(i);
  return -1;
}

int program::rule_index(std::string_view id) const noexcept {
  for (std::size_t i = 0; i < rules.size(); ++i)
    if (rules[i].id == id) return static_cast<int>(i);
  return -1;
}

namespace {

constexpr std::uint32_t bad = no_node;

// A global name: a parameter, a definition or a built-in of the proposal.
struct symbol {
  enum class kind : std::uint8_t { param, definition, builtin } what;
  std::uint32_t index = 0;  // param / declaration index, or the builtin's op
  std::uint16_t file = 0;
  dsl::span where;
};

struct builtin_global {
  std::string name;
  op code;
  std::uint32_t a = 0;
  type result;
};

struct local {
  std::string name;
  std::uint32_t slot;
  type t;
};

class compiler {
 public:
  compiler(std::vector<const dsl::loaded_file*> files, const schema& s)
      : files_(std::move(files)), schema_(s), prog_(std::make_shared<program>()) {
    prog_->schema_def = &s;
    for (const auto* f : files_) prog_->sources.push_back(f->source);
    init_builtins();
  }

  compile_result run() {
    compile_result result;
    using stage_fn = void (compiler::*)();
    const std::pair<std::string_view, stage_fn> stages[] = {
        {"resolve", &compiler::stage_resolve},
        {"graph", &compiler::stage_graph},
        {"check", &compiler::stage_check},
    };
    for (const auto& [name, fn] : stages) {
      const auto start = std::chrono::steady_clock::now();
      (this->*fn)();
      const auto stop = std::chrono::steady_clock::now();
      result.timings.push_back(
          {std::string(name), std::chrono::duration<double, std::milli>(stop - start).count()});
      if (dsl::has_errors(diags_)) break;
    }
    dsl::sort_diagnostics(diags_);
    result.diagnostics = std::move(diags_);
    if (!dsl::has_errors(result.diagnostics)) {
      prog_->hash = hash_sources();
      result.value = std::move(prog_);
    }
    return result;
  }

 private:
  // ------------------------------------------------------------------------------------------
  // Diagnostics

  dsl::diagnostic make(std::string code, std::uint16_t file, dsl::span where, std::string message,
                       dsl::level l = dsl::level::error) const {
    return dsl::make_diagnostic(l, std::move(code), files_[file]->source, where, std::move(message));
  }
  void error(std::string code, dsl::span where, std::string message) {
    diags_.push_back(make(std::move(code), file_, where, std::move(message)));
  }
  dsl::diagnostic note(std::uint16_t file, dsl::span where, std::string message) const {
    return make("", file, where, std::move(message), dsl::level::note);
  }

  // ------------------------------------------------------------------------------------------
  // Built-in names

  void init_builtins() {
    for (std::size_t c = 0; c < schema_.collections.size(); ++c) {
      const auto& col = schema_.collections[c];
      const int rec = schema_.record_index(col.record);
      builtins_.push_back({std::string(col.name), op::collection, static_cast<std::uint32_t>(c),
                           type::list_of(type::of_record(rec))});
      if (self_nesting_field(rec) >= 0)
        builtins_.push_back({"all_" + std::string(col.name), op::all_records,
                             static_cast<std::uint32_t>(rec), type::list_of(type::of_record(rec))});
    }
    builtins_.push_back({"years", op::years, 0, type::list_of(type::number())});
    builtins_.push_back({"first_year", op::first_year, 0, type::number()});
    builtins_.push_back({"columns", op::columns, 0, type::list_of(type::column())});
    builtins_.push_back({"proposal", op::root, 0, type::of_record(0)});
  }

  int self_nesting_field(int rec) const {
    const auto& def = schema_.records[static_cast<std::size_t>(rec)];
    for (std::size_t f = 0; f < def.fields.size(); ++f)
      if (def.fields[f].type == field_type::records && def.fields[f].record == def.name)
        return static_cast<int>(f);
    return -1;
  }

  const builtin_global* find_builtin(std::string_view name) const {
    for (const auto& b : builtins_)
      if (b.name == name) return &b;
    return nullptr;
  }

  // ------------------------------------------------------------------------------------------
  // Stage 1: resolve. Collect columns, parameters, definitions and rules; reject duplicates.

  struct let_entry {
    const ast::let_decl* decl;
    std::uint16_t file;
  };
  struct rule_entry {
    const ast::rule_decl* decl;
    std::uint16_t file;
  };

  void stage_resolve() {
    std::map<std::string, std::pair<std::uint16_t, dsl::span>> column_seen;
    std::map<std::string, std::pair<std::uint16_t, dsl::span>> rule_seen;
    for (std::size_t fi = 0; fi < files_.size(); ++fi) {
      file_ = static_cast<std::uint16_t>(fi);
      for (const auto& decl : files_[fi]->ast.declarations) {
        std::visit(
            [&](const auto& d) {
              using T = std::decay_t<decltype(d)>;
              if constexpr (std::is_same_v<T, ast::columns_decl>) {
                for (const auto& n : d.names) {
                  if (column_seen.count(n.name)) continue;  // the same column declared twice is fine
                  column_seen[n.name] = {file_, n.where};
                  prog_->columns.push_back(n.name);
                }
              } else if constexpr (std::is_same_v<T, ast::param_decl>) {
                if (declare(d.name, symbol::kind::param, static_cast<std::uint32_t>(param_decls_.size())))
                  param_decls_.push_back({&d, file_});
              } else if constexpr (std::is_same_v<T, ast::let_decl>) {
                if (declare(d.name, symbol::kind::definition, static_cast<std::uint32_t>(lets_.size())))
                  lets_.push_back({&d, file_});
              } else if constexpr (std::is_same_v<T, ast::rule_decl>) {
                auto it = rule_seen.find(d.id.name);
                if (it != rule_seen.end()) {
                  auto diag = make("E2008", file_, d.id.where,
                                   fmt::format("duplicate rule id '{}'", d.id.name));
                  diag.notes.push_back(note(it->second.first, it->second.second,
                                            fmt::format("'{}' is first defined here", d.id.name)));
                  diags_.push_back(std::move(diag));
                } else {
                  rule_seen[d.id.name] = {file_, d.id.where};
                  rules_.push_back({&d, file_});
                }
              }
            },
            decl);
      }
    }
    // Columns must not collide with record fields, or `item.x` would be ambiguous.
    for (const auto& [name, at] : column_seen) {
      for (const auto& rec : schema_.records) {
        if (rec.amounts_field() >= 0 && rec.field_index(name) >= 0) {
          diags_.push_back(make("E2012", at.first, at.second,
                                fmt::format("column '{}' has the name of a field of {}", name, rec.name)));
          break;
        }
      }
    }
  }

  struct param_entry {
    const ast::param_decl* decl;
    std::uint16_t file;
  };

  bool declare(const ast::identifier& id, symbol::kind what, std::uint32_t index) {
    if (find_builtin(id.name) || id.name == "lhs" || id.name == "rhs") {
      error("E2013", id.where,
            fmt::format("'{}' is a built-in name and cannot be redefined", id.name));
      return false;
    }
    auto it = globals_.find(id.name);
    if (it != globals_.end()) {
      auto diag = make("E2001", file_, id.where, fmt::format("'{}' is already defined", id.name));
      diag.notes.push_back(note(it->second.file, it->second.where,
                                fmt::format("'{}' is first defined here", id.name)));
      diags_.push_back(std::move(diag));
      return false;
    }
    globals_[id.name] = symbol{what, index, file_, id.where};
    return true;
  }

  // ------------------------------------------------------------------------------------------
  // Stage 2: graph. Which definitions and parameters each definition and rule uses; cycles.

  // Collects global names used by an expression (names not bound by an enclosing comprehension).
  void free_names(const ast::expression& e, std::vector<std::string>& bound,
                  std::vector<const ast::expression*>& out) const {
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ast::name_ref>) {
            if (std::find(bound.begin(), bound.end(), n.name) == bound.end()) out.push_back(&e);
          } else if constexpr (std::is_same_v<T, ast::field_access>) {
            free_names(*n.object, bound, out);
          } else if constexpr (std::is_same_v<T, ast::index_access>) {
            free_names(*n.object, bound, out);
            free_names(*n.index, bound, out);
          } else if constexpr (std::is_same_v<T, ast::unary>) {
            free_names(*n.operand, bound, out);
          } else if constexpr (std::is_same_v<T, ast::binary>) {
            free_names(*n.lhs, bound, out);
            free_names(*n.rhs, bound, out);
            if (n.tolerance) free_names(*n.tolerance, bound, out);
          } else if constexpr (std::is_same_v<T, ast::conditional>) {
            free_names(*n.condition, bound, out);
            free_names(*n.then_branch, bound, out);
            free_names(*n.else_branch, bound, out);
          } else if constexpr (std::is_same_v<T, ast::list_literal>) {
            for (const auto& el : n.elements) free_names(el, bound, out);
          } else if constexpr (std::is_same_v<T, ast::comprehension>) {
            free_names(*n.source, bound, out);
            bound.push_back(n.var);
            free_names(*n.element, bound, out);
            if (n.filter) free_names(*n.filter, bound, out);
            bound.pop_back();
          } else if constexpr (std::is_same_v<T, ast::call>) {
            for (const auto& a : n.args) free_names(a, bound, out);
          }
        },
        e.node);
  }

  void stage_graph() {
    // Vertices: parameters, then definitions, then rules.
    const std::size_t np = param_decls_.size(), nl = lets_.size(), nr = rules_.size();
    dependency_graph g(np + nl + nr);
    let_deps_.assign(nl, {});
    rule_deps_.assign(nr, {});
    rule_params_.assign(nr, {});
    auto add_uses = [&](const ast::expression& e, std::vector<std::string>& bound, std::size_t to,
                        std::vector<std::uint32_t>* lets_used, std::vector<std::uint32_t>* params_used) {
      std::vector<const ast::expression*> names;
      free_names(e, bound, names);
      for (const auto* ne : names) {
        const auto& name = std::get<ast::name_ref>(ne->node).name;
        auto it = globals_.find(name);
        if (it == globals_.end()) continue;  // builtins, or unknown: the check stage reports
        if (it->second.what == symbol::kind::param) {
          g.add_edge(it->second.index, to);
          if (params_used) params_used->push_back(it->second.index);
        } else {
          g.add_edge(np + it->second.index, to);
          if (lets_used) lets_used->push_back(it->second.index);
        }
      }
    };
    for (std::size_t i = 0; i < nl; ++i) {
      std::vector<std::string> bound;
      add_uses(lets_[i].decl->value, bound, np + i, &let_deps_[i], nullptr);
    }
    for (std::size_t i = 0; i < nr; ++i) {
      const auto& r = *rules_[i].decl;
      std::vector<std::string> bound;
      auto* lu = &rule_deps_[i];
      auto* pu = &rule_params_[i];
      for (const auto& loop : r.loops) {
        add_uses(loop.source, bound, np + nl + i, lu, pu);
        bound.push_back(loop.var.name);
        if (loop.filter) add_uses(*loop.filter, bound, np + nl + i, lu, pu);
      }
      if (r.when) add_uses(*r.when, bound, np + nl + i, lu, pu);
      add_uses(r.expect, bound, np + nl + i, lu, pu);
      bound.push_back("lhs");
      bound.push_back("rhs");
      if (r.message)
        for (const auto& part : r.message->parts)
          if (part.hole) add_uses(*part.hole, bound, np + nl + i, lu, pu);
    }
    for (auto* v : {&let_deps_}) {
      for (auto& deps : *v) {
        std::sort(deps.begin(), deps.end());
        deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
      }
    }
    for (auto& deps : rule_deps_) {
      std::sort(deps.begin(), deps.end());
      deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    }
    for (auto& deps : rule_params_) {
      std::sort(deps.begin(), deps.end());
      deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    }

    // Cycles can only run through definitions (parameters have no inputs, nothing uses rules).
    for (const auto& cycle : g.cycles()) {
      std::vector<std::size_t> members;
      for (auto v : cycle) members.push_back(v - np);
      // Edges run from a dependency to its dependent; "depends on" reads them backwards.
      std::reverse(members.begin() + 1, members.end());
      const auto& first = lets_[members.front()];
      std::string path;
      for (auto m : members) path += lets_[m].decl->name.name + " -> ";
      path += first.decl->name.name;
      auto diag = make("E2009", first.file, first.decl->name.where,
                       fmt::format("'{}' depends on itself: {}", first.decl->name.name, path));
      for (std::size_t k = 1; k < members.size(); ++k) {
        const auto& m = lets_[members[k]];
        diag.notes.push_back(note(m.file, m.decl->name.where,
                                  fmt::format("'{}' is defined here", m.decl->name.name)));
      }
      diags_.push_back(std::move(diag));
    }
    if (dsl::has_errors(diags_)) return;
    for (auto v : g.topological_order())
      if (v >= np && v < np + nl) let_order_.push_back(static_cast<std::uint32_t>(v - np));
  }

  // ------------------------------------------------------------------------------------------
  // Stage 3: check. Types, and lowering into program nodes.

  void stage_check() {
    // Parameters: literal defaults.
    for (const auto& pe : param_decls_) {
      file_ = pe.file;
      param_def p;
      p.name = pe.decl->name.name;
      p.file = pe.file;
      p.where = pe.decl->name.where;
      p.doc = pe.decl->doc;
      if (!literal_constant(pe.decl->default_value, p.default_value)) {
        error("E2014", pe.decl->default_value.where,
              fmt::format("the default of parameter '{}' must be a number, string or boolean literal",
                          p.name));
      }
      prog_->params.push_back(std::move(p));
    }
    // Definitions, dependencies first.
    let_index_.assign(lets_.size(), bad);
    let_type_.assign(lets_.size(), type{});
    for (auto li : let_order_) {
      const auto& le = lets_[li];
      file_ = le.file;
      locals_.clear();
      next_slot_ = 0;
      definition_def d;
      d.name = le.decl->name.name;
      d.file = le.file;
      d.where = le.decl->name.where;
      d.doc = le.decl->doc;
      d.body = lower(le.decl->value);
      if (d.body != bad) {
        let_type_[li] = prog_->nodes[d.body].result;
      } else {
        let_failed_.insert(li);
      }
      let_index_[li] = static_cast<std::uint32_t>(prog_->definitions.size());
      prog_->definitions.push_back(std::move(d));
    }
    // Definition dependencies, as definition indices (evaluation order).
    for (auto li : let_order_) {
      auto& d = prog_->definitions[let_index_[li]];
      for (auto dep : let_deps_[li]) d.depends_on.push_back(let_index_[dep]);
    }
    for (std::size_t ri = 0; ri < rules_.size(); ++ri) lower_rule(ri);
  }

  bool literal_constant(const ast::expression& e, constant_value& out) {
    if (const auto* n = std::get_if<ast::number_literal>(&e.node)) {
      auto v = decimal::parse(n->text);
      if (!v) return false;
      out.t = type::number();
      out.number = *v;
      return true;
    }
    if (const auto* u = std::get_if<ast::unary>(&e.node)) {
      if (u->op != ast::unary_op::negate) return false;
      if (!literal_constant(*u->operand, out) || out.t.kind != type_kind::number) return false;
      out.number = out.number.negated();
      return true;
    }
    if (const auto* s = std::get_if<ast::string_literal>(&e.node)) {
      out.t = type::string();
      out.text = s->value;
      return true;
    }
    if (const auto* b = std::get_if<ast::bool_literal>(&e.node)) {
      out.t = type::boolean();
      out.flag = b->value;
      return true;
    }
    return false;
  }

  void lower_rule(std::size_t ri) {
    const auto& r = *rules_[ri].decl;
    file_ = rules_[ri].file;
    locals_.clear();
    next_slot_ = 0;
    rule_def rd;
    rd.id = r.id.name;
    rd.severity = r.level;
    rd.title = r.title;
    rd.doc = r.doc;
    rd.file = file_;
    rd.where = r.id.where;
    bool ok = true;
    for (const auto& loop : r.loops) {
      loop_def ld;
      ld.var = loop.var.name;
      ld.source = lower(loop.source);
      if (ld.source == bad) {
        ok = false;
        break;
      }
      const type st = prog_->nodes[ld.source].result;
      if (st.kind != type_kind::list) {
        error("E2007", loop.source.where,
              fmt::format("'for' needs a list to range over, got {}", type_name(st)));
        ok = false;
        break;
      }
      ld.slot = push_local(loop.var.name, st.element_type());
      if (loop.filter) {
        ld.filter = lower_bool(*loop.filter, "a 'where' filter");
        if (ld.filter == bad) ok = false;
      }
      if (ok && ld.filter != bad && ld.filter != no_node && prog_->nodes[ld.source].invariant) {
        comprehension_info info;
        info.source = ld.source;
        info.filter = ld.filter;
        info.slot = ld.slot;
        find_join(ld.filter, info);
        if (info.join_read != no_node) {
          info.element = info.join_read;  // unused: the loop binds the element itself
          prog_->comprehensions.push_back(info);
          ld.join = static_cast<std::uint32_t>(prog_->comprehensions.size() - 1);
        }
      }
      rd.loops.push_back(std::move(ld));
    }
    if (ok && r.when) {
      rd.when = lower_bool(*r.when, "'when'");
      if (rd.when == bad) ok = false;
    }
    if (ok) {
      rd.check.expect = lower_bool(r.expect, "'expect'");
      if (rd.check.expect == bad) ok = false;
    }
    if (ok) {
      const node& en = prog_->nodes[rd.check.expect];
      if (is_comparison(en.code)) {
        rd.check.lhs = en.a;
        rd.check.rhs = en.b;
        rd.check.lhs_slot = push_local("lhs", prog_->nodes[en.a].result);
        rd.check.rhs_slot = push_local("rhs", prog_->nodes[en.b].result);
        if (is_read(en.a))
          rd.check.anchor = en.a;
        else if (is_read(en.b))
          rd.check.anchor = en.b;
      } else if ((en.code == op::present || en.code == op::logical_not) && is_read(en.a)) {
        rd.check.anchor = en.a;
      } else if ((en.code == op::in || en.code == op::not_in) && is_read(en.a)) {
        rd.check.anchor = en.a;
      }
      if (r.message) {
        for (const auto& part : r.message->parts) {
          message_part mp;
          if (part.hole) {
            mp.hole = lower(*part.hole);
            if (mp.hole == bad) ok = false;
          } else {
            mp.text = part.text;
          }
          rd.message.push_back(std::move(mp));
        }
      }
    }
    for (auto dep : rule_deps_[ri])
      if (let_index_[dep] != bad) rd.depends_on.push_back(let_index_[dep]);
    rd.params = rule_params_[ri];
    if (ok) prog_->rules.push_back(std::move(rd));
  }

  static bool is_comparison(op c) {
    switch (c) {
      case op::equal: case op::not_equal: case op::less: case op::less_equal: case op::greater:
      case op::greater_equal: case op::approx_equal: case op::within:
        return true;
      default:
        return false;
    }
  }

  bool is_read(std::uint32_t n) const {
    switch (prog_->nodes[n].code) {
      case op::field: case op::amount: case op::amount_dynamic: case op::amount_year:
      case op::amount_dynamic_year:
        return true;
      default:
        return false;
    }
  }

  std::uint32_t push_local(const std::string& name, type t) {
    const std::uint32_t slot = next_slot_++;
    prog_->variable_slots = std::max(prog_->variable_slots, next_slot_);
    locals_.push_back({name, slot, t});
    return slot;
  }

  std::string type_name(const type& t) const { return to_string(t, schema_); }

  std::uint32_t emit(op code, type result, const ast::expression& e, std::uint32_t a = 0,
                     std::uint32_t b = 0, std::uint32_t c = 0) {
    node n;
    n.code = code;
    n.result = result;
    n.a = a;
    n.b = b;
    n.c = c;
    n.file = file_;
    n.where = e.where;
    n.invariant = invariant_of(n);
    prog_->nodes.push_back(n);
    return static_cast<std::uint32_t>(prog_->nodes.size() - 1);
  }

  // Invariant: reads no variable. Comprehensions set theirs after emit (their own variable is
  // bound inside them).
  bool invariant_of(const node& n) const {
    switch (n.code) {
      case op::variable: case op::comprehension: return false;
      case op::constant: case op::param: case op::definition: case op::collection: case op::all_records:
      case op::years: case op::first_year: case op::columns: case op::root:
        return true;
      case op::list:
        for (std::uint32_t i = 0; i < n.b; ++i)
          if (!prog_->nodes[prog_->arguments[n.a + i]].invariant) return false;
        return true;
      default: break;
    }
    std::uint32_t kids[3];
    const int k = node_children(n, kids);
    for (int i = 0; i < k; ++i)
      if (!prog_->nodes[kids[i]].invariant) return false;
    return true;
  }

  std::uint32_t constant(const constant_value& v, const ast::expression& e) {
    prog_->constants.push_back(v);
    return emit(op::constant, v.t, e, static_cast<std::uint32_t>(prog_->constants.size() - 1));
  }

  std::uint32_t lower_bool(const ast::expression& e, std::string_view what) {
    const auto n = lower(e);
    if (n == bad) return bad;
    const type t = prog_->nodes[n].result;
    if (t.kind != type_kind::boolean) {
      error("E2007", e.where, fmt::format("{} needs a bool, got {}", what, type_name(t)));
      return bad;
    }
    return n;
  }

  bool expect_type(std::uint32_t n, type_kind k, const ast::expression& e, std::string_view what) {
    const type t = prog_->nodes[n].result;
    if (t.kind == k || t.kind == type_kind::none) return true;
    error("E2007", e.where,
          fmt::format("{} needs a {}, got {}", what, type_name(type{k}), type_name(t)));
    return false;
  }

  std::uint32_t lower(const ast::expression& e) {
    if (++depth_ > 512) {
      --depth_;
      error("E2016", e.where, "expression is nested too deeply");
      return bad;
    }
    const auto r = std::visit([&](const auto& n) { return lower_node(n, e); }, e.node);
    --depth_;
    return r;
  }

  std::uint32_t lower_node(const ast::number_literal& n, const ast::expression& e) {
    auto v = decimal::parse(n.text);
    if (!v) {
      error("E2011", e.where,
            fmt::format("number '{}' has more digits than an exact decimal holds (18)", n.text));
      return bad;
    }
    constant_value c;
    c.t = type::number();
    c.number = *v;
    return constant(c, e);
  }
  std::uint32_t lower_node(const ast::string_literal& n, const ast::expression& e) {
    constant_value c;
    c.t = type::string();
    c.text = n.value;
    return constant(c, e);
  }
  std::uint32_t lower_node(const ast::bool_literal& n, const ast::expression& e) {
    constant_value c;
    c.t = type::boolean();
    c.flag = n.value;
    return constant(c, e);
  }
  std::uint32_t lower_node(const ast::none_literal&, const ast::expression& e) {
    constant_value c;  // type none: absent at run time
    return constant(c, e);
  }

  std::uint32_t lower_node(const ast::name_ref& n, const ast::expression& e) {
    for (auto it = locals_.rbegin(); it != locals_.rend(); ++it)
      if (it->name == n.name) return emit(op::variable, it->t, e, it->slot);
    if (auto g = globals_.find(n.name); g != globals_.end()) {
      if (g->second.what == symbol::kind::param) {
        const auto& p = prog_->params[g->second.index];
        return emit(op::param, p.default_value.t, e, g->second.index);
      }
      const auto li = g->second.index;
      if (let_failed_.count(li) || let_index_[li] == bad) return bad;  // already reported
      return emit(op::definition, let_type_[li], e, let_index_[li]);
    }
    if (const auto* b = find_builtin(n.name)) return emit(b->code, b->result, e, b->a);
    std::vector<std::string> candidates;
    for (const auto& l : locals_) candidates.push_back(l.name);
    for (const auto& [name, s] : globals_) candidates.push_back(name);
    for (const auto& b : builtins_) candidates.push_back(b.name);
    auto msg = fmt::format("unknown name '{}'", n.name);
    if (auto s = closest(n.name, candidates)) msg += fmt::format("; did you mean '{}'?", *s);
    if (n.name == "lhs" || n.name == "rhs")
      msg += " ('lhs' and 'rhs' exist in a message when 'expect' is a comparison)";
    error("E2002", e.where, msg);
    return bad;
  }

  std::uint32_t lower_node(const ast::field_access& n, const ast::expression& e) {
    const auto obj = lower(*n.object);
    if (obj == bad) return bad;
    const type t = prog_->nodes[obj].result;
    if (t.kind == type_kind::list && t.element == type_kind::record) {
      error("E2003", n.field_span,
            fmt::format("'.{0}' on a list of {1}: use a comprehension, e.g. [x.{0} for x in …]",
                        n.field, schema_.records[t.element_record].name));
      return bad;
    }
    if (t.kind != type_kind::record) {
      error("E2003", n.field_span,
            fmt::format("'.{}' needs a record, but the value is a {}", n.field, type_name(t)));
      return bad;
    }
    const auto& rec = schema_.records[t.record];
    const int fi = rec.field_index(n.field);
    if (fi >= 0) {
      const auto& fd = rec.fields[static_cast<std::size_t>(fi)];
      switch (fd.type) {
        case field_type::text:
          return emit(op::field, type::string(), e, obj, static_cast<std::uint32_t>(fi));
        case field_type::number:
          return emit(op::field, type::number(), e, obj, static_cast<std::uint32_t>(fi));
        case field_type::boolean:
          return emit(op::field, type::boolean(), e, obj, static_cast<std::uint32_t>(fi));
        case field_type::records:
          return emit(op::field, type::list_of(type::of_record(schema_.record_index(fd.record))), e,
                      obj, static_cast<std::uint32_t>(fi));
        case field_type::amounts:
          error("E2003", n.field_span,
                fmt::format("read amounts by column: {}.<column> or {}[col] (declared columns: {})",
                            text_of(*n.object), text_of(*n.object), join(prog_->columns)));
          return bad;
      }
    }
    const bool nests = self_nesting_field(t.record) >= 0;
    if (nests && n.field == "parent") return emit(op::parent, t, e, obj);
    if (nests && n.field == "depth") return emit(op::depth, type::number(), e, obj);
    if (rec.amounts_field() >= 0) {
      for (std::size_t c = 0; c < prog_->columns.size(); ++c)
        if (prog_->columns[c] == n.field)
          return emit(op::amount, type::number(), e, obj, static_cast<std::uint32_t>(c));
    }
    std::vector<std::string> candidates;
    for (const auto& f : rec.fields)
      if (f.type != field_type::amounts) candidates.emplace_back(f.name);
    if (nests) {
      candidates.emplace_back("parent");
      candidates.emplace_back("depth");
    }
    if (rec.amounts_field() >= 0)
      for (const auto& c : prog_->columns) candidates.push_back(c);
    auto msg = fmt::format("{} has no field '{}'", rec.name, n.field);
    if (auto s = closest(n.field, candidates)) msg += fmt::format("; did you mean '{}'?", *s);
    auto diag = make("E2003", file_, n.field_span, msg);
    std::string list = join(candidates);
    if (rec.amounts_field() >= 0 && prog_->columns.empty())
      list += " (no amount columns: declare them with 'columns')";
    diag.notes.push_back(make("", file_, n.field_span, fmt::format("the fields of {} are: {}", rec.name, list),
                              dsl::level::note));
    diags_.push_back(std::move(diag));
    return bad;
  }

  std::uint32_t lower_node(const ast::index_access& n, const ast::expression& e) {
    const auto obj = lower(*n.object);
    if (obj == bad) return bad;
    const auto idx = lower(*n.index);
    if (idx == bad) return bad;
    const node on = prog_->nodes[obj];
    const type it = prog_->nodes[idx].result;
    if (on.result.kind == type_kind::record && schema_.records[on.result.record].amounts_field() >= 0) {
      if (it.kind != type_kind::column) {
        error("E2004", n.index->where,
              fmt::format("a record is indexed by a column (for col in columns), got {}", type_name(it)));
        return bad;
      }
      return emit(op::amount_dynamic, type::number(), e, obj, idx);
    }
    if (on.code == op::amount || on.code == op::amount_dynamic) {
      if (it.kind != type_kind::number) {
        error("E2004", n.index->where,
              fmt::format("an amount is indexed by a year (a number), got {}", type_name(it)));
        return bad;
      }
      // Re-point the first-year read to a read in the given year.
      return emit(on.code == op::amount ? op::amount_year : op::amount_dynamic_year, type::number(), e,
                  on.a, on.b, idx);
    }
    error("E2004", e.where,
          fmt::format("cannot index a {}: only records (by column) and amounts (by year) can be indexed",
                      type_name(on.result)));
    return bad;
  }

  std::uint32_t lower_node(const ast::unary& n, const ast::expression& e) {
    const auto x = lower(*n.operand);
    if (x == bad) return bad;
    if (n.op == ast::unary_op::negate) {
      if (!expect_type(x, type_kind::number, *n.operand, "'-'")) return bad;
      return emit(op::negate, type::number(), e, x);
    }
    if (!expect_type(x, type_kind::boolean, *n.operand, "'not'")) return bad;
    return emit(op::logical_not, type::boolean(), e, x);
  }

  std::uint32_t lower_node(const ast::binary& n, const ast::expression& e) {
    const auto l = lower(*n.lhs);
    const auto r = lower(*n.rhs);
    if (l == bad || r == bad) return bad;
    const type lt = prog_->nodes[l].result, rt = prog_->nodes[r].result;
    const std::string opname(std::string_view(files_[file_]->source->text())
                                 .substr(n.op_span.begin, n.op_span.end - n.op_span.begin));
    auto both_numbers = [&]() {
      return expect_type(l, type_kind::number, *n.lhs, fmt::format("'{}'", opname)) &&
             expect_type(r, type_kind::number, *n.rhs, fmt::format("'{}'", opname));
    };
    auto both_bools = [&]() {
      return expect_type(l, type_kind::boolean, *n.lhs, fmt::format("'{}'", opname)) &&
             expect_type(r, type_kind::boolean, *n.rhs, fmt::format("'{}'", opname));
    };
    auto no_none = [&]() {
      if (lt.kind == type_kind::none || rt.kind == type_kind::none) {
        error("E2010", e.where, "comparing with 'none' is always unknown: use present(x)");
        return false;
      }
      return true;
    };
    switch (n.op) {
      case ast::binary_op::add:
        return both_numbers() ? emit(op::add, type::number(), e, l, r) : bad;
      case ast::binary_op::subtract:
        return both_numbers() ? emit(op::subtract, type::number(), e, l, r) : bad;
      case ast::binary_op::multiply:
        return both_numbers() ? emit(op::multiply, type::number(), e, l, r) : bad;
      case ast::binary_op::divide:
        return both_numbers() ? emit(op::divide, type::number(), e, l, r) : bad;
      case ast::binary_op::equal:
      case ast::binary_op::not_equal: {
        if (!no_none()) return bad;
        if (!(lt == rt) || lt.kind == type_kind::list) {
          error("E2007", e.where,
                fmt::format("cannot compare {} with {}", type_name(lt), type_name(rt)));
          return bad;
        }
        if (n.tolerance) {
          if (lt.kind != type_kind::number) {
            error("E2007", n.tolerance->where, "'within' needs numbers on both sides");
            return bad;
          }
          const auto t = lower(*n.tolerance);
          if (t == bad || !expect_type(t, type_kind::number, *n.tolerance, "'within'")) return bad;
          return emit(op::within, type::boolean(), e, l, r, t);
        }
        return emit(n.op == ast::binary_op::equal ? op::equal : op::not_equal, type::boolean(), e, l, r);
      }
      case ast::binary_op::less:
      case ast::binary_op::less_equal:
      case ast::binary_op::greater:
      case ast::binary_op::greater_equal: {
        if (!no_none() || !both_numbers()) return bad;
        const op c = n.op == ast::binary_op::less         ? op::less
                     : n.op == ast::binary_op::less_equal ? op::less_equal
                     : n.op == ast::binary_op::greater    ? op::greater
                                                          : op::greater_equal;
        return emit(c, type::boolean(), e, l, r);
      }
      case ast::binary_op::approx_equal:
        if (!no_none() || !both_numbers()) return bad;
        return emit(op::approx_equal, type::boolean(), e, l, r);
      case ast::binary_op::in:
      case ast::binary_op::not_in: {
        if (rt.kind != type_kind::list) {
          error("E2007", n.rhs->where, fmt::format("'{}' needs a list on the right, got {}", opname,
                                                   type_name(rt)));
          return bad;
        }
        if (rt.element != type_kind::none && !(rt.element_type() == lt)) {
          error("E2007", e.where,
                fmt::format("cannot look for a {} in a {}", type_name(lt), type_name(rt)));
          return bad;
        }
        return emit(n.op == ast::binary_op::in ? op::in : op::not_in, type::boolean(), e, l, r);
      }
      case ast::binary_op::logical_and:
        return both_bools() ? emit(op::logical_and, type::boolean(), e, l, r) : bad;
      case ast::binary_op::logical_or:
        return both_bools() ? emit(op::logical_or, type::boolean(), e, l, r) : bad;
      case ast::binary_op::implies:
        return both_bools() ? emit(op::implies, type::boolean(), e, l, r) : bad;
    }
    return bad;
  }

  // The common type of two branches; none unifies with anything.
  bool unify(type a, type b, type& out) const {
    if (a.kind == type_kind::none) { out = b; return true; }
    if (b.kind == type_kind::none) { out = a; return true; }
    if (a == b) { out = a; return true; }
    if (a.kind == type_kind::list && b.kind == type_kind::list) {
      if (a.element == type_kind::none) { out = b; return true; }
      if (b.element == type_kind::none) { out = a; return true; }
    }
    return false;
  }

  std::uint32_t lower_node(const ast::conditional& n, const ast::expression& e) {
    const auto c = lower_bool(*n.condition, "'if'");
    const auto a = lower(*n.then_branch);
    const auto b = lower(*n.else_branch);
    if (c == bad || a == bad || b == bad) return bad;
    type t;
    if (!unify(prog_->nodes[a].result, prog_->nodes[b].result, t)) {
      error("E2007", e.where, fmt::format("the branches of 'if' have different types: {} and {}",
                                          type_name(prog_->nodes[a].result),
                                          type_name(prog_->nodes[b].result)));
      return bad;
    }
    return emit(op::conditional, t, e, c, a, b);
  }

  std::uint32_t lower_node(const ast::list_literal& n, const ast::expression& e) {
    std::vector<std::uint32_t> elems;
    type t;
    for (const auto& el : n.elements) {
      const auto x = lower(el);
      if (x == bad) return bad;
      const type xt = prog_->nodes[x].result;
      if (xt.kind == type_kind::list) {
        error("E2015", el.where, "lists of lists are not supported");
        return bad;
      }
      type u;
      if (!unify(t, xt, u)) {
        error("E2007", el.where, fmt::format("list elements must have one type: {} after {}",
                                             type_name(xt), type_name(t)));
        return bad;
      }
      t = u;
      elems.push_back(x);
    }
    const auto first = static_cast<std::uint32_t>(prog_->arguments.size());
    prog_->arguments.insert(prog_->arguments.end(), elems.begin(), elems.end());
    return emit(op::list, type::list_of(t), e, first, static_cast<std::uint32_t>(elems.size()));
  }

  std::uint32_t lower_node(const ast::comprehension& n, const ast::expression& e) {
    const auto src = lower(*n.source);
    if (src == bad) return bad;
    const type st = prog_->nodes[src].result;
    if (st.kind != type_kind::list) {
      error("E2007", n.source->where,
            fmt::format("'for … in' needs a list, got {}", type_name(st)));
      return bad;
    }
    const auto saved = locals_.size();
    comprehension_info info;
    info.source = src;
    info.slot = push_local(n.var, st.element_type());
    info.filter = no_node;
    bool ok = true;
    if (n.filter) {
      info.filter = lower_bool(*n.filter, "a 'where' filter");
      ok = info.filter != bad;
    }
    info.element = ok ? lower(*n.element) : bad;
    locals_.resize(saved);
    if (!ok || info.element == bad) return bad;
    const type et = prog_->nodes[info.element].result;
    if (et.kind == type_kind::list) {
      error("E2015", n.element->where, "lists of lists are not supported");
      return bad;
    }
    if (prog_->nodes[src].invariant && info.filter != no_node) find_join(info.filter, info);
    prog_->comprehensions.push_back(info);
    const auto made = emit(op::comprehension, type::list_of(et), e,
                           static_cast<std::uint32_t>(prog_->comprehensions.size() - 1));
    prog_->nodes[made].invariant = prog_->nodes[src].invariant && free_of_others(info.element, info.slot) &&
                                (info.filter == no_node || free_of_others(info.filter, info.slot));
    return made;
  }

  // Whether a subtree reads a variable slot.
  bool mentions(std::uint32_t n, std::uint32_t slot) const {
    const node& nd = prog_->nodes[n];
    switch (nd.code) {
      case op::variable: return nd.a == slot;
      case op::constant: case op::param: case op::definition: case op::collection: case op::all_records:
      case op::years: case op::first_year: case op::columns: case op::root:
        return false;
      case op::list:
        for (std::uint32_t i = 0; i < nd.b; ++i)
          if (mentions(prog_->arguments[nd.a + i], slot)) return true;
        return false;
      case op::comprehension: {
        const auto& c = prog_->comprehensions[nd.a];
        return mentions(c.source, slot) || mentions(c.element, slot) ||
               (c.filter != no_node && mentions(c.filter, slot));
      }
      default: break;
    }
    return mentions_operands(nd, slot);
  }

  bool mentions_operands(const node& nd, std::uint32_t slot) const {
    std::uint32_t kids[3];
    const int k = node_children(nd, kids);
    for (int i = 0; i < k; ++i)
      if (mentions(kids[i], slot)) return true;
    return false;
  }

  // A subtree is free of other variables when the only variable it reads is `own`.
  bool free_of_others(std::uint32_t n, std::uint32_t own) const {
    for (std::uint32_t s = 0; s < next_slot_; ++s)
      if (s != own && mentions(n, s)) return false;
    return true;
  }

  // Looks for a conjunct `var.field == key` (either way round) usable as a hash join.
  void find_join(std::uint32_t filter, comprehension_info& info) const {
    const node& f = prog_->nodes[filter];
    if (f.code == op::logical_and) {
      find_join(f.a, info);
      if (info.join_read == no_node) find_join(f.b, info);
      return;
    }
    if (f.code != op::equal) return;
    auto is_own_text_field = [&](std::uint32_t n) {
      const node& r = prog_->nodes[n];
      return r.code == op::field && r.result.kind == type_kind::string &&
             prog_->nodes[r.a].code == op::variable && prog_->nodes[r.a].a == info.slot;
    };
    if (is_own_text_field(f.a) && !mentions(f.b, info.slot)) {
      info.join_read = f.a;
      info.join_key = f.b;
    } else if (is_own_text_field(f.b) && !mentions(f.a, info.slot)) {
      info.join_read = f.b;
      info.join_key = f.a;
    }
  }

  std::uint32_t lower_node(const ast::call& n, const ast::expression& e) {
    struct fn {
      std::string_view name;
      int arity;  // -1: 1 or 2 (min/max)
    };
    static const fn functions[] = {
        {"sum", 1}, {"count", 1}, {"min", -1}, {"max", -1}, {"any", 1}, {"all", 1},
        {"round", 2}, {"round_even", 2}, {"abs", 1}, {"present", 1}, {"coalesce", 2},
        {"decimals", 1}, {"one", 1}, {"len", 1},
    };
    const fn* f = nullptr;
    for (const auto& cand : functions)
      if (cand.name == n.function) f = &cand;
    if (!f) {
      std::vector<std::string> names;
      for (const auto& cand : functions) names.emplace_back(cand.name);
      auto msg = fmt::format("unknown function '{}'", n.function);
      if (auto s = closest(n.function, names)) msg += fmt::format("; did you mean '{}'?", *s);
      error("E2005", n.name_span, msg);
      return bad;
    }
    const auto argc = static_cast<int>(n.args.size());
    if ((f->arity >= 0 && argc != f->arity) || (f->arity < 0 && argc != 1 && argc != 2)) {
      error("E2006", e.where,
            fmt::format("{}() takes {} argument{}, got {}", n.function,
                        f->arity < 0 ? "1 or 2" : std::to_string(f->arity), f->arity == 1 ? "" : "s",
                        argc));
      return bad;
    }
    std::vector<std::uint32_t> args;
    for (const auto& a : n.args) {
      const auto x = lower(a);
      if (x == bad) return bad;
      args.push_back(x);
    }
    auto arg_type = [&](int i) { return prog_->nodes[args[static_cast<std::size_t>(i)]].result; };
    auto need_list_of = [&](type_kind k, std::string_view what) {
      const type t = arg_type(0);
      if (t.kind != type_kind::list || (t.element != k && t.element != type_kind::none &&
                                        k != type_kind::none)) {
        error("E2007", n.args[0].where,
              fmt::format("{}() needs a list of {}, got {}", n.function, what, type_name(t)));
        return false;
      }
      return true;
    };
    auto need = [&](int i, type_kind k) {
      return expect_type(args[static_cast<std::size_t>(i)], k, n.args[static_cast<std::size_t>(i)],
                         fmt::format("argument {} of {}()", i + 1, n.function));
    };
    const std::string_view name = n.function;
    if (name == "sum") return need_list_of(type_kind::number, "numbers") ? emit(op::sum, type::number(), e, args[0]) : bad;
    if (name == "count") return need_list_of(type_kind::none, "anything") ? emit(op::count, type::number(), e, args[0]) : bad;
    if (name == "any") return need_list_of(type_kind::boolean, "bools") ? emit(op::any, type::boolean(), e, args[0]) : bad;
    if (name == "all") return need_list_of(type_kind::boolean, "bools") ? emit(op::all, type::boolean(), e, args[0]) : bad;
    if (name == "min" || name == "max") {
      if (argc == 1)
        return need_list_of(type_kind::number, "numbers")
                   ? emit(name == "min" ? op::min : op::max, type::number(), e, args[0])
                   : bad;
      return need(0, type_kind::number) && need(1, type_kind::number)
                 ? emit(name == "min" ? op::min2 : op::max2, type::number(), e, args[0], args[1])
                 : bad;
    }
    if (name == "round" || name == "round_even")
      return need(0, type_kind::number) && need(1, type_kind::number)
                 ? emit(name == "round" ? op::round : op::round_even, type::number(), e, args[0], args[1])
                 : bad;
    if (name == "abs") return need(0, type_kind::number) ? emit(op::abs, type::number(), e, args[0]) : bad;
    if (name == "decimals") return need(0, type_kind::number) ? emit(op::decimals, type::number(), e, args[0]) : bad;
    if (name == "len") return need(0, type_kind::string) ? emit(op::len, type::number(), e, args[0]) : bad;
    if (name == "present") return emit(op::present, type::boolean(), e, args[0]);
    if (name == "coalesce") {
      type t;
      if (!unify(arg_type(0), arg_type(1), t)) {
        error("E2007", e.where, fmt::format("coalesce() needs two values of one type, got {} and {}",
                                            type_name(arg_type(0)), type_name(arg_type(1))));
        return bad;
      }
      return emit(op::coalesce, t, e, args[0], args[1]);
    }
    if (name == "one") {
      const type t = arg_type(0);
      if (t.kind != type_kind::list) {
        error("E2007", n.args[0].where, fmt::format("one() needs a list, got {}", type_name(t)));
        return bad;
      }
      return emit(op::one, t.element_type(), e, args[0]);
    }
    return bad;
  }

  std::string text_of(const ast::expression& e) const {
    const auto& t = files_[file_]->source->text();
    return t.substr(e.where.begin, e.where.end - e.where.begin);
  }

  std::string hash_sources() const {
    sha256 h;
    for (const auto& s : prog_->sources) {
      h.update(s->path());
      h.update(std::string_view("\0", 1));
      h.update(s->text());
      h.update(std::string_view("\0", 1));
    }
    return h.hex_digest();
  }

  std::vector<const dsl::loaded_file*> files_;
  const schema& schema_;
  std::shared_ptr<program> prog_;
  std::vector<dsl::diagnostic> diags_;
  std::vector<builtin_global> builtins_;
  std::unordered_map<std::string, symbol> globals_;
  std::vector<param_entry> param_decls_;
  std::vector<let_entry> lets_;
  std::vector<rule_entry> rules_;
  std::vector<std::vector<std::uint32_t>> let_deps_, rule_deps_, rule_params_;
  std::vector<std::uint32_t> let_order_;
  std::vector<std::uint32_t> let_index_;
  std::vector<type> let_type_;
  std::set<std::uint32_t> let_failed_;
  std::vector<local> locals_;
  std::uint32_t next_slot_ = 0;
  std::uint16_t file_ = 0;
  int depth_ = 0;
};

}  // namespace

compile_result compile(std::vector<const dsl::loaded_file*> files, const schema& s) {
  return compiler(std::move(files), s).run();
}

compile_result compile(const dsl::rule_set_sources& sources, const schema& s) {
  std::vector<const dsl::loaded_file*> files;
  for (const auto& f : sources.files) files.push_back(&f);
  return compile(std::move(files), s);
}

compile_result compile_files(const std::vector<std::filesystem::path>& roots, const schema& s,
                             const dsl::parse_limits& limits) {
  auto sources = dsl::load_rule_sources(roots, limits);
  if (!sources.ok()) {
    compile_result r;
    r.diagnostics = std::move(sources.diagnostics);
    return r;
  }
  auto r = compile(sources, s);
  // Parse warnings (if any) come first.
  r.diagnostics.insert(r.diagnostics.begin(), sources.diagnostics.begin(), sources.diagnostics.end());
  return r;
}

// dependency_graph_dot: rule_graph.cpp, with the graph `fundcheck graph` prints.

}  // namespace fundcheck::engine
