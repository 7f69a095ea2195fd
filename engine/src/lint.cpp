// Lint for rule files (lint.hpp). Works on what the compiler made: the programs (typed nodes,
// what each definition and rule reads) and, for what the programs no longer show (loop variable
// names and their places, whether a rule has a message), the rule files' ASTs.

#include "fundcheck/engine/lint.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "fundcheck/engine/rule_graph.hpp"
#include "fundcheck/engine/text_util.hpp"

namespace fundcheck::engine {

namespace ast = dsl::ast;

namespace {

constexpr std::string_view unused_definition = "W4001";
constexpr std::string_view unused_param = "W4002";
constexpr std::string_view never_applies = "W4003";
constexpr std::string_view never_fails = "W4004";
constexpr std::string_view always_empty = "W4005";
constexpr std::string_view hidden_name = "W4006";
constexpr std::string_view no_message = "W4007";
constexpr std::string_view duplicate_id = "W4008";

}  // namespace

const std::vector<lint_check>& lint_checks() {
  static const std::vector<lint_check> checks{
      {unused_definition, "a definition no rule uses, directly or through other definitions"},
      {unused_param, "a parameter no rule uses, directly or through definitions"},
      {never_applies, "a rule whose 'for … where' filters and 'when' can never all hold"},
      {never_fails, "a rule whose 'expect' holds whenever the rule applies"},
      {always_empty, "a comprehension whose 'where' filter is never true: its list is always empty"},
      {hidden_name, "a loop variable or definition that hides another name, or has a column's name"},
      {no_message, "a rule without a 'message': its findings show only the title"},
      {duplicate_id, "one rule id in rule files of different proposal formats"},
  };
  return checks;
}

namespace {

// ------------------------------------------------------------------------------------------
// Conditions that can never hold
//
// A condition is split into conjuncts ("atoms") that must all be true: a comparison of an
// expression with a literal, membership in a literal list, present()/not present(), or a bool
// expression being true or false. Negation is pushed inwards (under Kleene's logic `not` of a
// comparison is the opposite comparison, both needing their operands present). Atoms about the
// same expression must be satisfiable together, given what the proposal format says about it
// (allowed values of a field, fields that are always present, counts that are never negative).
// Disjunctions are never true only if no side can be. Anything else is assumed satisfiable:
// the check never warns about a condition that can hold.

struct lit {
  type_kind kind = type_kind::none;
  decimal number{};
  std::string text;
  bool flag = false;
  friend bool operator==(const lit& a, const lit& b) {
    if (a.kind != b.kind) return false;
    switch (a.kind) {
      case type_kind::number: return a.number == b.number;
      case type_kind::string: return a.text == b.text;
      case type_kind::boolean: return a.flag == b.flag;
      default: return true;
    }
  }
};

std::string lit_text(const lit& l) {
  switch (l.kind) {
    case type_kind::number: return l.number.to_string();
    case type_kind::string: return "\"" + l.text + "\"";
    case type_kind::boolean: return l.flag ? "true" : "false";
    default: return "none";
  }
}

// "\"a\"", "\"a\" or \"b\"", "\"a\", \"b\" or \"c\""
std::string either(const std::vector<lit>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += i + 1 == values.size() ? " or " : ", ";
    out += lit_text(values[i]);
  }
  return out;
}

enum class rel : std::uint8_t { eq, ne, lt, le, gt, ge, in, not_in, present, absent };

rel negate(rel r) {
  switch (r) {
    case rel::eq: return rel::ne;
    case rel::ne: return rel::eq;
    case rel::lt: return rel::ge;
    case rel::le: return rel::gt;
    case rel::gt: return rel::le;
    case rel::ge: return rel::lt;
    case rel::in: return rel::not_in;
    case rel::not_in: return rel::in;
    case rel::present: return rel::absent;
    case rel::absent: return rel::present;
  }
  return r;
}

// `c < x` is `x > c`.
rel mirror(rel r) {
  switch (r) {
    case rel::lt: return rel::gt;
    case rel::le: return rel::ge;
    case rel::gt: return rel::lt;
    case rel::ge: return rel::le;
    default: return r;
  }
}

// Where a condition comes from, for the wording of a warning.
enum class origin : std::uint8_t { filter, expect };

struct atom {
  std::uint32_t at = no_node;       // the node to point at
  std::uint32_t subject = no_node;  // the expression constrained
  rel r = rel::eq;
  std::vector<lit> values;
  origin from = origin::filter;
};

struct contradiction {
  enum class kind : std::uint8_t {
    always_false,    // a condition of literals only, or the literal false
    outside_domain,  // impossible for this expression alone, given the proposal format
    conflict,        // impossible together with other conditions
    no_side,         // a disjunction none of whose sides can hold
  };
  kind what = kind::always_false;
  std::uint32_t at = no_node;
  origin from = origin::filter;
  std::vector<std::pair<std::uint32_t, origin>> others;  // conflicting conditions
  std::uint32_t subject = no_node;
  std::string domain;                                    // "item.channel is \"block\" or \"direct\""
  std::optional<std::string> suggestion;                 // an allowed value close to the one written
};

// What the proposal format says about the values an expression can take.
struct domain_info {
  std::optional<std::vector<lit>> only;  // the allowed values
  bool non_negative = false;
  bool always_present = false;
  std::string text;           // the values in words, for messages
  std::string presence_text;  // why it is always present
};

class condition_checker {
 public:
  explicit condition_checker(const program& p) : p_(p) {}

  // Adds a condition that must be true (positive) or false (!positive). Returns false once the
  // conditions so far can never all hold; why() then says why.
  bool require(std::uint32_t n, bool positive, origin from) {
    if (found_) return false;
    add(n, positive, from);
    return !found_;
  }
  const contradiction& why() const { return *found_; }

 private:
  // `shown` is the node a warning points at for an atom made of `n`: `not present(x)` rather
  // than its `present(x)`.
  void add(std::uint32_t n, bool positive, origin from, std::uint32_t shown = no_node) {
    if (found_) return;
    const node& nd = p_.nodes[n];
    if (shown == no_node) shown = n;
    switch (nd.code) {
      case op::logical_not: add(nd.a, !positive, from, shown); return;
      case op::logical_and:
        if (positive) {
          add(nd.a, true, from);
          add(nd.b, true, from);
        } else {
          either_side(shown, nd.a, false, nd.b, false, from);
        }
        return;
      case op::logical_or:
        if (positive) {
          either_side(shown, nd.a, true, nd.b, true, from);
        } else {
          add(nd.a, false, from);
          add(nd.b, false, from);
        }
        return;
      case op::implies:  // not a or b
        if (positive) {
          either_side(shown, nd.a, false, nd.b, true, from);
        } else {
          add(nd.a, true, from);
          add(nd.b, false, from);
        }
        return;
      case op::constant: {
        const auto& c = p_.constants[nd.a];
        if (c.t.kind == type_kind::boolean && c.flag != positive) fail_constant(shown, from);
        return;
      }
      case op::equal: case op::not_equal: case op::less: case op::less_equal: case op::greater:
      case op::greater_equal:
        comparison(n, positive, from, shown);
        return;
      case op::in: case op::not_in:
        membership(n, positive, from, shown);
        return;
      case op::approx_equal: case op::within:
        // Rounding-aware: no exact constraint, but both sides must be present to be true or false.
        need_present(nd.a, shown, from);
        need_present(nd.b, shown, from);
        return;
      case op::present:
        push({shown, nd.a, positive ? rel::present : rel::absent, {}, from});
        return;
      default:
        if (nd.result.kind == type_kind::boolean) {
          lit v;
          v.kind = type_kind::boolean;
          v.flag = positive;
          push({shown, n, rel::eq, {v}, from});
        }
        return;
    }
  }

  // A disjunction (of `a` with polarity pa, `b` with pb) adds nothing, but if neither side can
  // hold with what is known so far, nothing can.
  void either_side(std::uint32_t n, std::uint32_t a, bool pa, std::uint32_t b, bool pb, origin from) {
    condition_checker left = *this, right = *this;
    if (left.require(a, pa, from) || right.require(b, pb, from)) return;
    contradiction c;
    c.what = contradiction::kind::no_side;
    c.at = n;
    c.from = from;
    found_ = std::move(c);
  }

  void fail_constant(std::uint32_t n, origin from) {
    contradiction c;
    c.what = contradiction::kind::always_false;
    c.at = n;
    c.from = from;
    found_ = std::move(c);
  }

  std::optional<lit> constant_of(std::uint32_t n) const {
    const node& nd = p_.nodes[n];
    if (nd.code == op::constant) {
      const auto& c = p_.constants[nd.a];
      if (c.t.kind == type_kind::none) return std::nullopt;
      return lit{c.t.kind, c.number, c.text, c.flag};
    }
    if (nd.code == op::negate) {
      auto v = constant_of(nd.a);
      if (v && v->kind == type_kind::number) v->number = v->number.negated();
      return v;
    }
    return std::nullopt;
  }

  void need_present(std::uint32_t side, std::uint32_t at, origin from) {
    const type_kind k = p_.nodes[side].result.kind;
    if (constant_of(side) || (k != type_kind::number && k != type_kind::string && k != type_kind::boolean)) return;
    push({at, side, rel::present, {}, from});
  }

  static bool holds(const lit& a, rel r, const lit& b) {
    switch (r) {
      case rel::eq: return a == b;
      case rel::ne: return !(a == b);
      default: break;
    }
    if (a.kind != type_kind::number || b.kind != type_kind::number) return true;
    const auto c = a.number <=> b.number;
    switch (r) {
      case rel::lt: return c < 0;
      case rel::le: return c <= 0;
      case rel::gt: return c > 0;
      case rel::ge: return c >= 0;
      default: return true;
    }
  }

  void comparison(std::uint32_t n, bool positive, origin from, std::uint32_t shown) {
    const node& nd = p_.nodes[n];
    rel r = nd.code == op::equal       ? rel::eq
            : nd.code == op::not_equal ? rel::ne
            : nd.code == op::less      ? rel::lt
            : nd.code == op::less_equal ? rel::le
            : nd.code == op::greater   ? rel::gt
                                       : rel::ge;
    if (!positive) r = negate(r);
    const auto ca = constant_of(nd.a), cb = constant_of(nd.b);
    if (ca && cb) {
      if (!holds(*ca, r, *cb)) fail_constant(shown, from);
      return;
    }
    if (cb) {
      push({shown, nd.a, r, {*cb}, from});
    } else if (ca) {
      push({shown, nd.b, mirror(r), {*ca}, from});
    } else {
      need_present(nd.a, shown, from);
      need_present(nd.b, shown, from);
    }
  }

  void membership(std::uint32_t n, bool positive, origin from, std::uint32_t shown) {
    const node& nd = p_.nodes[n];
    const rel r = (nd.code == op::in) == positive ? rel::in : rel::not_in;
    const node& list = p_.nodes[nd.b];
    std::vector<lit> values;
    bool literal = list.code == op::list;
    for (std::uint32_t i = 0; literal && i < list.b; ++i) {
      auto v = constant_of(p_.arguments[list.a + i]);
      if (v) values.push_back(std::move(*v));
      else literal = false;
    }
    if (!literal) {
      need_present(nd.a, shown, from);
      return;
    }
    if (auto c = constant_of(nd.a)) {
      const bool member = std::find(values.begin(), values.end(), *c) != values.end();
      if (member != (r == rel::in)) fail_constant(shown, from);
      return;
    }
    push({shown, nd.a, r, std::move(values), from});
  }

  // Structural equality of two expressions (the same reads of the same variables).
  bool same(std::uint32_t a, std::uint32_t b) const {
    if (a == b) return true;
    if (a == no_node || b == no_node) return false;
    const node& x = p_.nodes[a];
    const node& y = p_.nodes[b];
    if (x.code != y.code || !(x.result == y.result)) return false;
    switch (x.code) {
      case op::constant: {
        const auto cx = constant_of(a), cy = constant_of(b);
        return cx && cy && *cx == *cy;
      }
      case op::param: case op::definition: case op::variable: case op::collection: case op::all_records:
      case op::years: case op::first_year: case op::columns: case op::root: case op::comprehension:
        return x.a == y.a;
      case op::list:
        if (x.b != y.b) return false;
        for (std::uint32_t i = 0; i < x.b; ++i)
          if (!same(p_.arguments[x.a + i], p_.arguments[y.a + i])) return false;
        return true;
      case op::field: case op::amount: return x.b == y.b && same(x.a, y.a);
      case op::amount_year: return x.b == y.b && same(x.a, y.a) && same(x.c, y.c);
      default: break;
    }
    std::uint32_t kx[3], ky[3];
    const int n = node_children(x, kx);
    node_children(y, ky);
    for (int i = 0; i < n; ++i)
      if (!same(kx[i], ky[i])) return false;
    return true;
  }

  domain_info domain_of(std::uint32_t subject) const {
    domain_info d;
    const node& nd = p_.nodes[subject];
    const std::string text(p_.text_of(subject));
    if (nd.result.kind == type_kind::boolean) {
      lit t, f;
      t.kind = f.kind = type_kind::boolean;
      t.flag = true;
      d.only = std::vector<lit>{t, f};
    }
    switch (nd.code) {
      case op::field: {
        const node& rec = p_.nodes[nd.a];
        if (rec.result.kind != type_kind::record) break;
        const auto& rd = p_.schema_def->records[rec.result.record];
        const auto& fd = rd.fields[nd.b];
        const std::string label = fmt::format("{}.{}", rd.name, fd.name);
        if (!fd.allowed.empty()) {
          std::vector<lit> values;
          for (auto v : fd.allowed) {
            lit l;
            l.kind = type_kind::string;
            l.text = std::string(v);
            values.push_back(std::move(l));
          }
          d.text = fmt::format("{} is {}", label, either(values));
          d.only = std::move(values);
        }
        if (fd.required) {
          d.always_present = true;
          d.presence_text = fmt::format("{} is always present (the proposal format requires it)", label);
        } else if (!fd.default_text.empty()) {
          d.always_present = true;
          d.presence_text = fmt::format("{} is always present (it defaults to \"{}\")", label, fd.default_text);
        }
        if (d.text.empty()) d.text = d.presence_text;
        break;
      }
      case op::count: case op::len: case op::decimals: case op::abs: case op::depth:
        d.non_negative = true;
        d.text = fmt::format("{} is never negative", text);
        break;
      default: break;
    }
    return d;
  }

  // Whether some value satisfies all these atoms about one expression.
  bool satisfiable(const std::vector<const atom*>& atoms, const domain_info& d) const {
    bool absent = false, other = d.always_present;
    for (const atom* a : atoms) (a->r == rel::absent ? absent : other) = true;
    if (absent) return !other;
    std::optional<std::vector<lit>> only = d.only;
    std::vector<lit> excluded;
    std::optional<std::pair<decimal, bool>> lo, hi;  // bound, strict
    if (d.non_negative) lo = std::pair<decimal, bool>{decimal{}, false};
    auto restrict_to = [&](const std::vector<lit>& values) {
      if (!only) {
        only = values;
        return;
      }
      std::vector<lit> kept;
      for (const auto& v : *only)
        if (std::find(values.begin(), values.end(), v) != values.end()) kept.push_back(v);
      only = std::move(kept);
    };
    auto lower = [&](decimal v, bool strict) {
      if (!lo || v > lo->first || (v == lo->first && strict)) lo = std::pair{v, strict};
    };
    auto upper = [&](decimal v, bool strict) {
      if (!hi || v < hi->first || (v == hi->first && strict)) hi = std::pair{v, strict};
    };
    for (const atom* a : atoms) {
      switch (a->r) {
        case rel::eq: case rel::in: restrict_to(a->values); break;
        case rel::ne: case rel::not_in: excluded.insert(excluded.end(), a->values.begin(), a->values.end()); break;
        case rel::lt: upper(a->values[0].number, true); break;
        case rel::le: upper(a->values[0].number, false); break;
        case rel::gt: lower(a->values[0].number, true); break;
        case rel::ge: lower(a->values[0].number, false); break;
        case rel::present: case rel::absent: break;
      }
    }
    auto fits = [&](const lit& v) {
      if (std::find(excluded.begin(), excluded.end(), v) != excluded.end()) return false;
      if (v.kind != type_kind::number) return true;
      if (lo && (v.number < lo->first || (v.number == lo->first && lo->second))) return false;
      if (hi && (v.number > hi->first || (v.number == hi->first && hi->second))) return false;
      return true;
    };
    if (only) return std::any_of(only->begin(), only->end(), fits);
    if (lo && hi) {
      const auto c = lo->first <=> hi->first;
      if (c > 0) return false;
      if (c == 0) {
        lit point;
        point.kind = type_kind::number;
        point.number = lo->first;
        return !lo->second && !hi->second && fits(point);
      }
    }
    return true;
  }

  void push(atom a) {
    atoms_.push_back(std::move(a));
    const atom& added = atoms_.back();
    std::vector<const atom*> group;
    for (const auto& x : atoms_)
      if (same(x.subject, added.subject)) group.push_back(&x);
    const domain_info d = domain_of(added.subject);
    if (satisfiable(group, d)) return;

    contradiction c;
    c.at = added.at;
    c.from = added.from;
    c.subject = added.subject;
    if (!satisfiable({&added}, d)) {
      c.what = contradiction::kind::outside_domain;
      c.domain = added.r == rel::absent ? d.presence_text : d.text;
      if (d.only && added.r == rel::eq && added.values.size() == 1 && added.values[0].kind == type_kind::string) {
        std::vector<std::string> names;
        for (const auto& v : *d.only) names.push_back(v.text);
        if (auto s = closest(added.values[0].text, names)) c.suggestion = *s;
      }
    } else {
      c.what = contradiction::kind::conflict;
      for (const atom* x : group) {
        if (x == &added || x->at == added.at) continue;
        if (!satisfiable({x, &added}, d)) {
          c.others = {{x->at, x->from}};
          break;
        }
      }
      if (c.others.empty())
        for (const atom* x : group)
          if (x != &added && x->at != added.at &&
              std::none_of(c.others.begin(), c.others.end(), [&](const auto& o) { return o.first == x->at; }))
            c.others.emplace_back(x->at, x->from);
    }
    found_ = std::move(c);
  }

  const program& p_;
  std::vector<atom> atoms_;
  std::optional<contradiction> found_;
};

// ------------------------------------------------------------------------------------------
// Collecting warnings

struct decl_key {
  const dsl::source_file* source;
  std::uint32_t offset;
  friend auto operator<=>(const decl_key&, const decl_key&) = default;
};

class linter {
 public:
  linter(const dsl::rule_set_sources& sources, const rule_set& rules, const lint_options& options)
      : sources_(sources), rules_(rules), options_(options) {}

  std::vector<dsl::diagnostic> run() {
    unused();
    for (const auto& prog : rules_.programs) {
      conditions(*prog);
      names(*prog);
    }
    messages();
    duplicate_ids();
    // A file compiled for two formats gives the same warning twice: keep one.
    dsl::sort_diagnostics(out_);
    out_.erase(std::unique(out_.begin(), out_.end(),
                           [](const dsl::diagnostic& a, const dsl::diagnostic& b) {
                             return a.source == b.source && a.where == b.where && a.code == b.code &&
                                    a.message == b.message;
                           }),
               out_.end());
    return std::move(out_);
  }

 private:
  bool allowed(std::string_view code) const {
    return std::find(options_.allow.begin(), options_.allow.end(), code) != options_.allow.end();
  }

  void warn(std::string_view code, const dsl::source_ptr& source, dsl::span where, std::string message,
            std::string help, std::vector<dsl::diagnostic> notes = {}) {
    if (allowed(code)) return;
    auto d = dsl::make_diagnostic(dsl::level::warning, std::string(code), source, where, std::move(message),
                                  std::move(notes));
    d.help = std::move(help);
    out_.push_back(std::move(d));
  }

  // ---- W4001, W4002: unused definitions and parameters ----

  struct usage {
    dsl::source_ptr source;
    dsl::span where;
    std::string name;
    bool used = false;
    std::set<decl_key> users;  // definitions reading it (all unused when it is)
    std::map<decl_key, std::pair<dsl::source_ptr, dsl::span>> user_places;
    std::map<decl_key, std::string> user_names;
  };

  void unused() {
    std::map<decl_key, usage> defs, params;
    for (const auto& prog : rules_.programs) {
      const program& p = *prog;
      auto key_of = [&](std::uint16_t file, dsl::span where) { return decl_key{p.sources[file].get(), where.begin}; };
      std::vector<direct_uses> def_uses;
      for (std::uint32_t i = 0; i < p.definitions.size(); ++i) def_uses.push_back(uses_of_definition(p, i));
      std::vector<bool> def_used(p.definitions.size(), false), param_used(p.params.size(), false);
      std::vector<std::uint32_t> todo;
      for (std::uint32_t r = 0; r < p.rules.size(); ++r) {
        const auto u = uses_of_rule(p, r);
        for (auto q : u.params) param_used[q] = true;
        for (auto d : u.definitions) todo.push_back(d);
      }
      while (!todo.empty()) {
        const auto d = todo.back();
        todo.pop_back();
        if (def_used[d]) continue;
        def_used[d] = true;
        for (auto q : def_uses[d].params) param_used[q] = true;
        for (auto e : def_uses[d].definitions) todo.push_back(e);
      }
      for (std::uint32_t i = 0; i < p.definitions.size(); ++i) {
        const auto& d = p.definitions[i];
        auto& u = defs[key_of(d.file, d.where)];
        u.source = p.sources[d.file];
        u.where = d.where;
        u.name = d.name;
        u.used = u.used || def_used[i];
      }
      for (std::uint32_t i = 0; i < p.params.size(); ++i) {
        const auto& q = p.params[i];
        auto& u = params[key_of(q.file, q.where)];
        u.source = p.sources[q.file];
        u.where = q.where;
        u.name = q.name;
        u.used = u.used || param_used[i];
      }
      // Who reads each definition and parameter (for "used only by …").
      for (std::uint32_t i = 0; i < p.definitions.size(); ++i) {
        const auto& user = p.definitions[i];
        const auto uk = key_of(user.file, user.where);
        auto note_user = [&](usage& u) {
          u.users.insert(uk);
          u.user_places[uk] = {p.sources[user.file], user.where};
          u.user_names[uk] = user.name;
        };
        for (auto e : def_uses[i].definitions) note_user(defs[key_of(p.definitions[e].file, p.definitions[e].where)]);
        for (auto q : def_uses[i].params) note_user(params[key_of(p.params[q].file, p.params[q].where)]);
      }
    }
    auto report = [&](std::map<decl_key, usage>& all, bool is_param) {
      for (auto& [key, u] : all) {
        if (u.used) continue;
        const std::string_view what = is_param ? "parameter" : "definition";
        std::vector<dsl::diagnostic> notes;
        std::string message;
        if (u.users.empty()) {
          message = fmt::format("{} '{}' is never used", what, u.name);
        } else {
          std::vector<std::string> names;
          for (const auto& k : u.users) {
            names.push_back("'" + u.user_names[k] + "'");
            notes.push_back(dsl::make_note(u.user_places[k].first, u.user_places[k].second,
                                           fmt::format("'{}' reads it, but no rule uses '{}'", u.user_names[k],
                                                       u.user_names[k])));
          }
          message = fmt::format("{} '{}' is used only by {}, which no rule uses", what, u.name, join(names, " and "));
        }
        warn(is_param ? unused_param : unused_definition, u.source, u.where, std::move(message),
             is_param ? fmt::format("use it in a rule or remove it; until then --param {}=… changes nothing", u.name)
                      : std::string("use it in a rule or remove it"),
             std::move(notes));
      }
    };
    report(defs, false);
    report(params, true);
  }

  // ---- W4003, W4004, W4005: conditions that can never hold ----

  std::string text(const program& p, std::uint32_t n) const { return std::string(p.text_of(n)); }

  // Why the conditions cannot hold, in words: "'i.channel == \"blok\"' is never true: …".
  std::string reason(const program& p, const contradiction& c, bool negated_expect) const {
    const std::string at = text(p, c.at);
    const std::string_view never = negated_expect ? "always true" : "never true";
    switch (c.what) {
      case contradiction::kind::always_false:
        return fmt::format("'{}' is {}", at, negated_expect ? "always true" : "always false");
      case contradiction::kind::outside_domain: return fmt::format("'{}' is {}: {}", at, never, c.domain);
      case contradiction::kind::no_side:
        return negated_expect ? fmt::format("'{}' is always true", at)
                              : fmt::format("'{}' is never true: neither side can hold", at);
      case contradiction::kind::conflict: break;
    }
    if (c.others.size() == 1) {
      const std::string other = text(p, c.others[0].first);
      if (!negated_expect) return fmt::format("'{}' contradicts '{}'", at, other);
      if (c.others[0].second == origin::filter) return fmt::format("'{}' always holds where '{}' does", at, other);
    }
    return negated_expect ? fmt::format("'{}' always holds, whatever the values of {}", at, text(p, c.subject))
                          : fmt::format("'{}' contradicts the other conditions on {}", at, text(p, c.subject));
  }

  std::vector<dsl::diagnostic> conflict_notes(const program& p, const contradiction& c) const {
    std::vector<dsl::diagnostic> notes;
    for (const auto& [n, from] : c.others) {
      const node& nd = p.nodes[n];
      notes.push_back(dsl::make_note(p.sources[nd.file], nd.where,
                                     fmt::format("{} '{}' is here", from == origin::expect ? "the expectation" : "the condition",
                                                 text(p, n))));
    }
    return notes;
  }

  std::string domain_help(const contradiction& c, std::string_view otherwise) const {
    if (c.suggestion) return fmt::format("did you mean \"{}\"? ({})", *c.suggestion, c.domain);
    return std::string(otherwise);
  }

  void conditions(const program& p) {
    for (std::uint32_t r = 0; r < p.rules.size(); ++r) {
      const auto& rule = p.rules[r];
      condition_checker checker(p);
      bool applies = true, empty_loop = false;
      for (const auto& loop : rule.loops) {
        const node& s = p.nodes[loop.source];
        if (s.code == op::list && s.b == 0) {
          warn(never_applies, p.sources[s.file], s.where,
               fmt::format("rule '{}' can never apply: 'for {} in {}' ranges over an empty list", rule.id, loop.var,
                           text(p, loop.source)),
               "give the loop a list to range over, or remove the rule");
          applies = false;
          empty_loop = true;
          break;
        }
        if (loop.filter != no_node && !checker.require(loop.filter, true, origin::filter)) {
          applies = false;
          break;
        }
      }
      if (applies && rule.when != no_node) applies = checker.require(rule.when, true, origin::filter);
      if (!applies) {
        if (empty_loop) continue;
        const auto& c = checker.why();
        const node& at = p.nodes[c.at];
        warn(never_applies, p.sources[at.file], at.where,
             fmt::format("rule '{}' can never apply: {}", rule.id, reason(p, c, false)),
             domain_help(c, "a rule is checked only where its 'where' filters and 'when' all hold; fix the "
                            "condition or remove the rule"),
             conflict_notes(p, c));
        continue;
      }
      if (!checker.require(rule.check.expect, false, origin::expect)) {
        const auto& c = checker.why();
        const node& at = p.nodes[c.at];
        warn(never_fails, p.sources[at.file], at.where,
             fmt::format("rule '{}' can never fail: {}", rule.id, reason(p, c, true)),
             domain_help(c, "a rule reports a finding only when 'expect' is false; check the condition, or "
                            "remove the rule"),
             conflict_notes(p, c));
      }
    }
    for (std::uint32_t n = 0; n < p.nodes.size(); ++n) {
      const node& nd = p.nodes[n];
      if (nd.code != op::comprehension) continue;
      const auto& info = p.comprehensions[nd.a];
      if (info.filter == no_node) continue;
      condition_checker checker(p);
      if (checker.require(info.filter, true, origin::filter)) continue;
      const auto& c = checker.why();
      const node& at = p.nodes[c.at];
      warn(always_empty, p.sources[at.file], at.where,
           fmt::format("this list is always empty: {}", reason(p, c, false)),
           domain_help(c, "a 'where' that is never true leaves nothing to sum or count; fix the condition"),
           conflict_notes(p, c));
    }
  }

  // ---- W4006: names that hide other names ----

  struct place {
    dsl::source_ptr source;
    dsl::span where;
  };

  struct scope {
    std::map<std::string, std::pair<std::string_view, place>, std::less<>> globals;  // name -> (what, where)
    std::set<std::string, std::less<>> builtins;
    std::map<std::string, place, std::less<>> columns;
    std::vector<std::pair<std::string, place>> locals;
  };

  void names(const program& p) {
    scope sc;
    for (const auto& q : p.params) sc.globals[q.name] = {"parameter", {p.sources[q.file], q.where}};
    for (const auto& d : p.definitions) sc.globals[d.name] = {"definition", {p.sources[d.file], d.where}};
    const schema& s = *p.schema_def;
    for (const auto& c : s.collections) {
      sc.builtins.insert(std::string(c.name));
      const int rec = s.record_index(c.record);
      const auto& rd = s.records[static_cast<std::size_t>(rec)];
      for (const auto& f : rd.fields)
        if (f.type == field_type::records && f.record == rd.name) sc.builtins.insert("all_" + std::string(c.name));
    }
    for (const char* b : {"years", "first_year", "columns", "proposal"}) sc.builtins.insert(b);
    const std::vector<const dsl::loaded_file*> files = files_of(p);
    for (const auto* f : files)
      for (const auto& decl : f->ast.declarations)
        if (const auto* c = std::get_if<ast::columns_decl>(&decl))
          for (const auto& n : c->names) sc.columns.try_emplace(n.name, place{f->source, n.where});

    for (const auto* f : files) {
      for (const auto& decl : f->ast.declarations) {
        if (const auto* l = std::get_if<ast::let_decl>(&decl)) {
          column_name(sc, "definition", l->name.name, {f->source, l->name.where});
          sc.locals.clear();
          walk(sc, f->source, l->value);
        } else if (const auto* q = std::get_if<ast::param_decl>(&decl)) {
          column_name(sc, "parameter", q->name.name, {f->source, q->name.where});
        } else if (const auto* r = std::get_if<ast::rule_decl>(&decl)) {
          sc.locals.clear();
          const bool compares = is_comparison(r->expect);
          for (const auto& loop : r->loops) {
            walk(sc, f->source, loop.source);
            bind(sc, loop.var.name, {f->source, loop.var.where});
            if (compares && r->message && (loop.var.name == "lhs" || loop.var.name == "rhs"))
              warn(hidden_name, f->source, loop.var.where,
                   fmt::format("in the message of rule '{}', '{}' is the {} side of the comparison, not this variable",
                               r->id.name, loop.var.name, loop.var.name == "lhs" ? "left" : "right"),
                   "rename the variable");
            if (loop.filter) walk(sc, f->source, *loop.filter);
          }
          if (r->when) walk(sc, f->source, *r->when);
          walk(sc, f->source, r->expect);
          if (r->message)
            for (const auto& part : r->message->parts)
              if (part.hole) walk(sc, f->source, *part.hole);
        }
      }
    }
  }

  static bool is_comparison(const ast::expression& e) {
    const auto* b = std::get_if<ast::binary>(&e.node);
    if (!b) return false;
    switch (b->op) {
      case ast::binary_op::equal: case ast::binary_op::not_equal: case ast::binary_op::less:
      case ast::binary_op::less_equal: case ast::binary_op::greater: case ast::binary_op::greater_equal:
      case ast::binary_op::approx_equal:
        return true;
      default: return false;
    }
  }

  void column_name(const scope& sc, std::string_view what, const std::string& name, place at) {
    auto c = sc.columns.find(name);
    if (c == sc.columns.end()) return;
    warn(hidden_name, at.source, at.where,
         fmt::format("{} '{}' has the name of a column: '{}' alone is the {}, 'x.{}' the column", what, name, name,
                     what, name),
         "rename it, so that a reader does not take one for the other",
         {dsl::make_note(c->second.source, c->second.where, fmt::format("the column '{}' is declared here", name))});
  }

  // A loop variable comes into scope: it must not hide a name the rule could otherwise use.
  void bind(scope& sc, const std::string& name, place at) {
    const auto outer = std::find_if(sc.locals.rbegin(), sc.locals.rend(), [&](const auto& l) { return l.first == name; });
    if (outer != sc.locals.rend()) {
      warn(hidden_name, at.source, at.where,
           fmt::format("loop variable '{}' hides the loop variable '{}' of an enclosing 'for'", name, name),
           "rename one of them; inside, the name means only the inner variable",
           {dsl::make_note(outer->second.source, outer->second.where, fmt::format("the outer '{}' is bound here", name))});
    } else if (auto g = sc.globals.find(name); g != sc.globals.end()) {
      warn(hidden_name, at.source, at.where,
           fmt::format("loop variable '{}' hides the {} '{}'", name, g->second.first, name),
           fmt::format("rename the variable; where it is bound, '{}' no longer means the {}", name, g->second.first),
           {dsl::make_note(g->second.second.source, g->second.second.where,
                           fmt::format("the {} '{}' is defined here", g->second.first, name))});
    } else if (sc.builtins.count(name)) {
      warn(hidden_name, at.source, at.where,
           fmt::format("loop variable '{}' hides the built-in name '{}' of the proposal", name, name),
           fmt::format("rename the variable; where it is bound, '{}' no longer means the proposal's", name));
    } else {
      column_name(sc, "loop variable", name, at);
    }
    sc.locals.emplace_back(name, at);
  }

  void walk(scope& sc, const dsl::source_ptr& src, const ast::expression& e) {
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ast::field_access>) {
            walk(sc, src, *n.object);
          } else if constexpr (std::is_same_v<T, ast::index_access>) {
            walk(sc, src, *n.object);
            walk(sc, src, *n.index);
          } else if constexpr (std::is_same_v<T, ast::unary>) {
            walk(sc, src, *n.operand);
          } else if constexpr (std::is_same_v<T, ast::binary>) {
            walk(sc, src, *n.lhs);
            walk(sc, src, *n.rhs);
            if (n.tolerance) walk(sc, src, *n.tolerance);
          } else if constexpr (std::is_same_v<T, ast::conditional>) {
            walk(sc, src, *n.condition);
            walk(sc, src, *n.then_branch);
            walk(sc, src, *n.else_branch);
          } else if constexpr (std::is_same_v<T, ast::list_literal>) {
            for (const auto& el : n.elements) walk(sc, src, el);
          } else if constexpr (std::is_same_v<T, ast::comprehension>) {
            walk(sc, src, *n.source);
            bind(sc, n.var, {src, n.var_span});
            if (n.filter) walk(sc, src, *n.filter);
            walk(sc, src, *n.element);
            sc.locals.pop_back();
          } else if constexpr (std::is_same_v<T, ast::call>) {
            for (const auto& a : n.args) walk(sc, src, a);
          }
        },
        e.node);
  }

  std::vector<const dsl::loaded_file*> files_of(const program& p) const {
    std::vector<const dsl::loaded_file*> out;
    for (const auto& s : p.sources)
      for (const auto& f : sources_.files)
        if (f.source == s) out.push_back(&f);
    return out;
  }

  // ---- W4007: rules without a message ----

  void messages() {
    for (const auto& f : sources_.files) {
      for (const auto& decl : f.ast.declarations) {
        const auto* r = std::get_if<ast::rule_decl>(&decl);
        if (!r || r->message) continue;
        warn(no_message, f.source, r->id.where,
             fmt::format("rule '{}' has no message: its findings say only \"{}\"", r->id.name, r->title),
             is_comparison(r->expect)
                 ? "add 'message \"…\"' after 'expect', naming the record and showing the values with {lhs} and {rhs}"
                 : "add 'message \"…\"' after 'expect', naming the record the finding is about");
      }
    }
  }

  // ---- W4008: one rule id in programs of different formats ----

  void duplicate_ids() {
    struct first {
      dsl::source_ptr source;
      dsl::span where;
      std::string_view format;
    };
    std::map<std::string, first> seen;
    for (const auto& prog : rules_.programs) {
      for (const auto& r : prog->rules) {
        const auto& src = prog->sources[r.file];
        auto [it, fresh] = seen.try_emplace(r.id, first{src, r.where, prog->schema_def->format});
        if (fresh || (it->second.source == src && it->second.where == r.where)) continue;
        warn(duplicate_id, src, r.where,
             fmt::format("rule id '{}' is also used by a rule for {} proposals", r.id, it->second.format),
             "give each rule its own id: reports and the rule catalogue name rules by id",
             {dsl::make_note(it->second.source, it->second.where, fmt::format("the other '{}' is here", r.id))});
      }
    }
  }

  const dsl::rule_set_sources& sources_;
  const rule_set& rules_;
  const lint_options& options_;
  std::vector<dsl::diagnostic> out_;
};

}  // namespace

std::vector<dsl::diagnostic> lint_rule_set(const dsl::rule_set_sources& sources, const rule_set& rules,
                                           const lint_options& options) {
  return linter(sources, rules, options).run();
}

}  // namespace fundcheck::engine
