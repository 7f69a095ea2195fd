// The evaluator: walks program nodes over a proposal. Numbers carry an interval radius for
// rounding-aware comparisons; absent values follow Kleene's three-valued logic. Aggregates over
// comprehensions stream their elements instead of building lists, so checking a binding
// allocates nothing.

#include "fundcheck/engine/evaluate.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <deque>
#include <memory>
#include <numeric>
#include <span>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "text_map.hpp"

namespace fundcheck::engine {

std::string_view to_string(finding_kind k) noexcept {
  switch (k) {
    case finding_kind::violation: return "violation";
    case finding_kind::rounding: return "rounding";
    case finding_kind::not_evaluated: return "not_evaluated";
  }
  return "?";
}

std::string_view to_string(check_outcome o) noexcept {
  switch (o) {
    case check_outcome::skipped: return "skipped";
    case check_outcome::passed: return "passed";
    case check_outcome::rounding: return "rounding";
    case check_outcome::failed: return "failed";
    case check_outcome::not_applicable: return "not_applicable";
    case check_outcome::error: return "error";
  }
  return "?";
}

std::size_t evaluation_result::errors() const noexcept {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [](const finding& f) {
    return f.severity == dsl::level::error;
  }));
}
std::size_t evaluation_result::warnings() const noexcept {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [](const finding& f) {
    return f.severity == dsl::level::warning;
  }));
}
std::size_t evaluation_result::notes() const noexcept {
  return static_cast<std::size_t>(std::count_if(findings.begin(), findings.end(), [](const finding& f) {
    return f.severity == dsl::level::note;
  }));
}

param_values bind_params(const program& p,
                         const std::vector<std::pair<std::string, std::string>>& overrides,
                         std::vector<dsl::diagnostic>& diagnostics) {
  param_values out;
  for (const auto& d : p.params) out.values.push_back(d.default_value);
  for (const auto& [name, text] : overrides) {
    const int i = p.param_index(name);
    if (i < 0) {
      dsl::diagnostic d;
      d.code = "E2101";
      std::vector<std::string> names;
      for (const auto& q : p.params) names.push_back(q.name);
      d.message = fmt::format("unknown parameter '{}'", name);
      if (names.empty())
        d.message += "; the rules declare no parameters";
      else
        d.message += fmt::format(" (the rules declare: {})", fmt::join(names, ", "));
      diagnostics.push_back(std::move(d));
      continue;
    }
    auto& v = out.values[static_cast<std::size_t>(i)];
    const auto& decl = p.params[static_cast<std::size_t>(i)];
    auto bad_value = [&](std::string_view expected) {
      dsl::diagnostic d;
      d.code = "E2102";
      d.message = fmt::format("parameter '{}' needs {}, got '{}'", name, expected, text);
      d.source = p.sources[decl.file];
      d.where = decl.where;
      diagnostics.push_back(std::move(d));
    };
    switch (decl.default_value.t.kind) {
      case type_kind::number: {
        auto n = decimal::parse(text);
        if (!n)
          bad_value("a number (with '.' as decimal point, e.g. 0.3117)");
        else
          v.number = *n;
        break;
      }
      case type_kind::boolean:
        if (text == "true")
          v.flag = true;
        else if (text == "false")
          v.flag = false;
        else
          bad_value("true or false");
        break;
      default:
        v.text = text;
        break;
    }
  }
  return out;
}

namespace {

enum class vk : std::uint8_t { absent, number, boolean, text, record, rows, list, column };

struct value {
  vk kind = vk::absent;
  std::uint8_t type = 0;     // record / rows: record type index; number: the radius's scale
  bool flag = false;         // boolean
  std::uint8_t scale = 0;    // number: the value's scale
  std::uint32_t index = 0;   // record: row; rows / list / text: size; column: declared index;
                             // number: one of the proposal's years: its index + 1 (else 0)
  std::int64_t coef = 0;     // number: the value's coefficient
  std::int64_t rcoef = 0;    // number: the coefficient of the half-width of the interval it stands for
  const void* ptr = nullptr; // text: chars; rows: const uint32_t*; list: const value*

  // A number's value and radius; other kinds read as 0 and 0 with scale 0.
  decimal num() const { return decimal(coef, scale); }
  decimal radius() const { return decimal(rcoef, kind == vk::number ? type : 0); }

  static value boolean(bool b) {
    value v;
    v.kind = vk::boolean;
    v.flag = b;
    return v;
  }
  static value number(decimal n, decimal r = {}) {
    value v;
    v.kind = vk::number;
    v.coef = n.coefficient();
    v.scale = static_cast<std::uint8_t>(n.scale());
    v.rcoef = r.coefficient();
    v.type = static_cast<std::uint8_t>(r.scale());
    return v;
  }
  static value text(std::string_view s) {
    value v;
    v.kind = vk::text;
    v.ptr = s.data();
    v.index = static_cast<std::uint32_t>(s.size());
    return v;
  }
  static value record(int type, std::uint32_t row) {
    value v;
    v.kind = vk::record;
    v.type = static_cast<std::uint8_t>(type);
    v.index = row;
    return v;
  }
  bool absent() const { return kind == vk::absent; }
  std::string_view str() const { return {static_cast<const char*>(ptr), index}; }
};
static_assert(sizeof(value) == 32);

// An evaluation failure: overflow, division by zero, one() of a list of two, the step budget.
// Caught per definition and per rule binding, where it becomes a "not evaluated" finding.
struct eval_error {
  std::string message;
  std::uint32_t node;
};

// A non-owning reference to a callable, for streaming list elements without allocation and
// without instantiating a template per nesting level.
class element_sink {
 public:
  template <class F>
  element_sink(F& f) : obj_(&f), call_([](void* o, const value& v) { return (*static_cast<F*>(o))(v); }) {}
  bool operator()(const value& v) const { return call_(obj_, v); }  // false: stop

 private:
  void* obj_;
  bool (*call_)(void*, const value&);
};

bool same(const value& a, const value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case vk::number: return a.num() == b.num();
    case vk::boolean: return a.flag == b.flag;
    case vk::text: return a.str() == b.str();
    case vk::record: return a.type == b.type && a.index == b.index;
    case vk::column: return a.index == b.index;
    default: return false;
  }
}

bool is_read(const program& p, std::uint32_t n) {
  switch (p.nodes[n].code) {
    case op::field: case op::amount: case op::amount_dynamic: case op::amount_year:
    case op::amount_dynamic_year:
      return true;
    default:
      return false;
  }
}

// A record named for people: its name, else its id, else "item[3]".
std::string record_label(const proposal& doc, int type, std::uint32_t row) {
  const auto& t = doc.table_of(type);
  for (const char* field : {"name", "id"}) {
    const int f = t.def().field_index(field);
    if (f < 0) continue;
    const auto& c = t.at(row, static_cast<std::uint32_t>(f));
    if (c.kind == cell_kind::text) return std::string(doc.text(c));
  }
  return fmt::format("{}[{}]", t.def().name, row);
}

// Shortcuts the evaluator takes for the commonest node shapes. Each counts the same steps as
// the general path and gives the same value; they only skip building intermediate values.
enum class shape : std::uint8_t {
  general = 128,      // above every op
  field_of_variable,  // v.field
  amount_of_variable, // v.column: the first-year amount of a declared column
  column_of_variable, // v[c], v[c][year]: an amount in a column bound by a loop (`for c in columns`)
  present_of_read,    // present(v.field), present(v.column): a cell's presence
  text_comparison,    // == / != between text reads of variables and string constants
  cached_invariant,   // reads no variable: computed once per evaluation (see cached())
  present_of_column,  // present(v[c]), present(v[c][year]): a cell's presence
  decimals_of_read,   // decimals(v.column), decimals(v[c]): a cell's written scale
  count_of_field,     // count(v.field): the number of nested records
  sum_of_comprehension, // sum(e for x in xs where f): streamed without element_sink calls
  round_of_product,   // round(a * b, d), round_even(a * b, d)
};

// The evaluator dispatches on one code per node: the node's op, or the shape it takes a
// shortcut for.
constexpr std::uint8_t code(op o) { return static_cast<std::uint8_t>(o); }
constexpr std::uint8_t code(shape s) { return static_cast<std::uint8_t>(s); }
static_assert(static_cast<int>(op::len) < static_cast<int>(shape::general));

class evaluator {
 public:
  evaluator(const program& p, const proposal& doc, const param_values& params,
            const evaluate_options& options, evaluation_result& result)
      : p_(p), doc_(doc), params_(params), options_(options), result_(result) {
    vars_.resize(p.variable_slots);
    codes_.reserve(p.nodes.size());
    for (const auto& nd : p.nodes) {
      const shape s = shape_of(nd);
      codes_.push_back(s == shape::general ? code(nd.code) : code(s));
    }
    cache_.resize(p.nodes.size());
    text_sets_.resize(p.nodes.size());
    text_set_built_.resize(p.nodes.size());
    join_indexes_.resize(p.comprehensions.size());
    const auto& tables = doc.tables();
    all_rows_.resize(tables.size());
    for (std::size_t t = 0; t < tables.size(); ++t) {
      all_rows_[t].resize(tables[t].size());
      std::iota(all_rows_[t].begin(), all_rows_[t].end(), 0u);
    }
    for (auto y : doc.years()) {
      year_values_.push_back(value::number(decimal::from_int(y)));
      year_values_.back().index = static_cast<std::uint32_t>(year_values_.size());  // see year_index()
    }
    for (std::size_t c = 0; c < p.columns.size(); ++c) {
      value v;
      v.kind = vk::column;
      v.index = static_cast<std::uint32_t>(c);
      column_values_.push_back(v);
      column_map_.push_back(doc.column_index(p.columns[c]));
    }
    const auto& root = p.schema_def->records[0];
    const int locale_field = root.field_index("locale");
    if (locale_field >= 0) {
      const auto& c = doc.table_of(0).at(0, static_cast<std::uint32_t>(locale_field));
      if (c.kind == cell_kind::text && doc.text(c).substr(0, 2) == "da") {
        decimal_point_ = ',';
        thousands_ = '.';
      }
    }
  }

  bool bind_columns() {
    bool ok = true;
    for (std::size_t c = 0; c < p_.columns.size(); ++c) {
      if (column_map_[c] >= 0) continue;
      bool used = false;
      for (const auto& n : p_.nodes)
        if ((n.code == op::amount || n.code == op::amount_year) && n.b == c) used = true;
      if (!used && !uses_dynamic_columns()) continue;
      std::vector<std::string> have;
      for (const auto& ci : doc_.columns()) have.push_back(ci.id);
      dsl::diagnostic d;
      d.code = "E3101";
      d.source = doc_.source();
      d.message = fmt::format("the rules use column '{}', which the proposal does not have (its columns: {})",
                              p_.columns[c], fmt::join(have, ", "));
      result_.diagnostics.push_back(std::move(d));
      ok = false;
    }
    return ok;
  }

  void run() {
    if (!bind_columns()) return;
    evaluate_definitions();
    // An observer is told about bindings in evaluation order, on this thread; one rule alone
    // needs no helpers.
    if (options_.threads > 1 && p_.rules.size() > 1 && options_.observer == nullptr && options_.only_rule == no_node) {
      evaluate_rules_in_parallel();
    } else {
      for (std::size_t r = 0; r < p_.rules.size(); ++r) {
        if (options_.only_rule != no_node && r != options_.only_rule) {
          result_.stats.push_back({.evaluated = false});
          continue;
        }
        evaluate_rule(r);
      }
    }
    sort_findings();
  }

 private:
  // ------------------------------------------------------------------------------------------
  // Rules side by side
  //
  // A rule's outcome and the steps it takes do not depend on the rules before it (caches and
  // shared indexes charge the same steps to whoever uses them). So rules can be evaluated by
  // several evaluators at once, each rule alone with all the budget the definitions left, and
  // then taken in rule order: while the steps so far plus the rule's fit the budget, its
  // outcome is the one sequential evaluation gives. From the first rule that does not fit, the
  // rest are evaluated again here, in order, with the budget that is left: exactly the
  // sequential behaviour (that rule runs out where it would have; later ones at once).

  struct rule_outcome {
    std::vector<finding> findings;
    rule_stats stats;
    std::uint64_t checks = 0;
    std::uint64_t steps = 0;
    bool exhausted = false;
  };

  // A second evaluator for the same evaluation, sharing the definitions' values.
  evaluator(const evaluator& main, evaluation_result& result)
      : evaluator(main.p_, main.doc_, main.params_, main.options_, result) {
    defs_ = main.defs_;  // lists point into main's storage, which outlives this one
    def_failed_ = main.def_failed_;
    def_error_ = main.def_error_;
    def_cause_ = main.def_cause_;
  }

  rule_outcome evaluate_rule_alone(std::size_t r, std::uint64_t start) {
    steps_ = start;
    budget_hit_ = false;
    const std::size_t findings = result_.findings.size();
    const std::uint64_t checks = result_.checks;
    evaluate_rule(r);
    rule_outcome out;
    out.findings.assign(std::make_move_iterator(result_.findings.begin() + static_cast<std::ptrdiff_t>(findings)),
                        std::make_move_iterator(result_.findings.end()));
    result_.findings.resize(findings);
    out.stats = result_.stats.back();
    result_.stats.pop_back();
    out.checks = result_.checks - checks;
    result_.checks = checks;
    out.steps = steps_ - start;
    out.exhausted = budget_hit_;
    return out;
  }

  void evaluate_rules_in_parallel() {
    const std::size_t n = p_.rules.size();
    const std::uint64_t start = steps_;  // after the definitions
    std::vector<rule_outcome> outcomes(n);
    std::atomic<std::size_t> next{0};
    auto work = [&](evaluator& e) {
      for (std::size_t r; (r = next.fetch_add(1)) < n;) outcomes[r] = e.evaluate_rule_alone(r, start);
    };
    // Helpers for the other threads; constructing one costs a pass over the node and row tables.
    const std::size_t extra = std::min<std::size_t>(options_.threads, n) - 1;
    std::vector<evaluation_result> helper_results(extra);
    std::vector<std::unique_ptr<evaluator>> helpers;
    for (std::size_t i = 0; i < extra; ++i) helpers.emplace_back(new evaluator(*this, helper_results[i]));
    std::mutex failure_mutex;
    std::exception_ptr failure;
    auto guarded = [&](evaluator& e) {
      try {
        work(e);
      } catch (...) {
        const std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = n;  // the others stop after their current rule
      }
    };
    {
      std::vector<std::jthread> threads;
      for (std::size_t i = 0; i < extra; ++i) threads.emplace_back([&, i] { guarded(*helpers[i]); });
      guarded(*this);
    }  // joined
    if (failure) std::rethrow_exception(failure);
    std::uint64_t used = start;
    for (std::size_t r = 0; r < n; ++r) {
      auto& o = outcomes[r];
      if (o.exhausted || used + o.steps > options_.max_steps) {
        // A fresh evaluator: this one may have run these rules already, and a rule that finds
        // its indexes built is not charged for building them.
        evaluator rest(*this, result_);
        rest.steps_ = used;
        for (std::size_t q = r; q < n; ++q) rest.evaluate_rule(q);
        steps_ = rest.steps_;
        return;
      }
      used += o.steps;
      for (auto& f : o.findings) result_.findings.push_back(std::move(f));
      result_.stats.push_back(o.stats);
      result_.checks += o.checks;
    }
    steps_ = used;
  }

 public:

 private:
  // Orders findings by proposal offset, then rule id, keeping the recording order among equals
  // (a stable sort). A finding is some 230 bytes with two strings, and a proposal with many
  // notes has hundreds of thousands of them, so this sorts small keys instead and moves each
  // finding once. Each rule records its findings mostly in document order, so the keys come as
  // a few sorted runs: merging the runs is linear per level.
  void sort_findings() {
    auto& findings = result_.findings;
    if (findings.size() < 2) return;
    // The rules' ranks by id; rules with the same id share one (they compared equal before).
    std::vector<std::uint32_t> by_id(p_.rules.size());
    std::iota(by_id.begin(), by_id.end(), 0u);
    std::stable_sort(by_id.begin(), by_id.end(),
                     [this](std::uint32_t a, std::uint32_t b) { return p_.rules[a].id < p_.rules[b].id; });
    std::vector<std::uint32_t> rank(p_.rules.size());
    for (std::size_t i = 1; i < by_id.size(); ++i)
      rank[by_id[i]] = p_.rules[by_id[i - 1]].id == p_.rules[by_id[i]].id ? rank[by_id[i - 1]]
                                                                           : static_cast<std::uint32_t>(i);
    // (offset, rank, recording index): unique, so any correct sort of them is the stable order.
    struct key {
      std::uint64_t order;
      std::uint32_t index;
      bool operator<(const key& o) const { return order != o.order ? order < o.order : index < o.index; }
    };
    std::vector<key> keys(findings.size());
    std::vector<std::size_t> runs{0};  // where each sorted run begins
    for (std::size_t i = 0; i < findings.size(); ++i) {
      keys[i] = {(std::uint64_t{findings[i].offset} << 32) | rank[findings[i].rule], static_cast<std::uint32_t>(i)};
      if (i > 0 && keys[i] < keys[i - 1]) runs.push_back(i);
    }
    if (runs.size() == 1) return;  // already in order
    if (runs.size() > 64) {
      std::sort(keys.begin(), keys.end());
    } else {
      runs.push_back(keys.size());
      while (runs.size() > 2) {
        std::vector<std::size_t> merged;
        for (std::size_t r = 0; r + 2 < runs.size(); r += 2) {
          std::inplace_merge(keys.begin() + static_cast<std::ptrdiff_t>(runs[r]),
                             keys.begin() + static_cast<std::ptrdiff_t>(runs[r + 1]),
                             keys.begin() + static_cast<std::ptrdiff_t>(runs[r + 2]));
          merged.push_back(runs[r]);
        }
        if (runs.size() % 2 == 0) merged.push_back(runs[runs.size() - 2]);  // odd run out
        merged.push_back(runs.back());
        runs = std::move(merged);
      }
    }
    std::vector<finding> sorted;
    sorted.reserve(findings.size());
    for (const auto& k : keys) sorted.push_back(std::move(findings[k.index]));
    findings = std::move(sorted);
  }

  bool uses_dynamic_columns() const {
    for (const auto& n : p_.nodes)
      if (n.code == op::amount_dynamic || n.code == op::amount_dynamic_year || n.code == op::columns) return true;
    return false;
  }

  // ------------------------------------------------------------------------------------------
  // Definitions

  void evaluate_definitions() {
    defs_.resize(p_.definitions.size());
    def_error_.resize(p_.definitions.size());
    def_failed_.assign(p_.definitions.size(), false);
    def_cause_.assign(p_.definitions.size(), 0);
    for (std::size_t d = 0; d < p_.definitions.size(); ++d) {
      const auto& def = p_.definitions[d];
      def_cause_[d] = static_cast<std::uint32_t>(d);
      for (auto dep : def.depends_on) {
        if (def_failed_[dep]) {
          def_failed_[d] = true;
          def_error_[d] = def_error_[dep];  // the root cause travels along
          def_cause_[d] = def_cause_[dep];
          break;
        }
      }
      if (def_failed_[d]) continue;
      try {
        defs_[d] = persist(eval(def.body));
      } catch (const eval_error& e) {
        def_failed_[d] = true;
        def_error_[d] = fmt::format("'{}' could not be computed: {}", def.name, e.message);
      } catch (const budget_exceeded&) {
        def_failed_[d] = true;
        def_error_[d] = fmt::format("'{}' could not be computed: the evaluation budget was exhausted (--max-steps)",
                                    def.name);
      }
      scratch_.clear();
    }
  }

  // Copies a list value out of the scratch arena into storage that lives for the evaluation.
  value persist(const value& v) {
    if (v.kind != vk::list) return v;
    auto& store = persistent_.emplace_back(static_cast<const value*>(v.ptr),
                                           static_cast<const value*>(v.ptr) + v.index);
    value out = v;
    out.ptr = store.data();
    return out;
  }

  // ------------------------------------------------------------------------------------------
  // Rules

  struct rule_run {
    std::size_t rule = 0;
    rule_stats stats;
    std::uint64_t errors = 0;
    std::string first_error;
    value_ref first_error_at;
  };

  void evaluate_rule(std::size_t r) {
    const auto& rule = p_.rules[r];
    rule_run run;
    run.rule = r;
    for (auto dep : rule.depends_on) {
      if (def_failed_[dep]) {
        run.stats.evaluated = false;
        finding f = base_finding(r);
        f.kind = finding_kind::not_evaluated;
        f.reason = def_error_[dep];
        f.cause = finding::cause_kind::definition;
        f.cause_definition = def_cause_[dep];
        f.message = fmt::format("{}: not evaluated, because {}", rule.title, def_error_[dep]);
        result_.findings.push_back(std::move(f));
        result_.stats.push_back(run.stats);
        return;
      }
    }
    bool budget = false;
    try {
      if (batchable(rule) && options_.observer == nullptr)
        loop_batched(run);
      else
        loop(run, 0);
    } catch (const budget_exceeded&) {
      run.errors++;
      run.first_error = "the evaluation budget was exhausted (--max-steps)";
      budget_hit_ = true;
      budget = true;
    }
    if (run.errors > 0) {
      run.stats.evaluated = false;
      finding f = base_finding(r);
      f.kind = finding_kind::not_evaluated;
      f.reason = run.first_error;
      if (budget) f.cause = finding::cause_kind::budget;
      f.where = run.first_error_at;
      f.offset = offset_of(f.where);
      f.message = run.errors == 1
                      ? fmt::format("{}: not evaluated: {}", rule.title, run.first_error)
                      : fmt::format("{}: not evaluated for {} bindings; the first: {}", rule.title,
                                    run.errors, run.first_error);
      result_.findings.push_back(std::move(f));
    }
    scratch_.clear();
    result_.stats.push_back(run.stats);
  }

  struct budget_exceeded {};

  void loop(rule_run& run, std::size_t depth) {
    const auto& rule = p_.rules[run.rule];
    if (depth == rule.loops.size()) {
      if (options_.observer != nullptr)
        observed_check(run);
      else
        check(run);
      return;
    }
    const auto& l = rule.loops[depth];
    value src;
    try {
      src = eval(l.source);
    } catch (const eval_error& e) {
      record_error(run, e);
      return;
    }
    auto body = [&](const value& element) -> bool {
      vars_[l.slot] = element;
      if (l.filter != no_node) {
        try {
          const value f = eval(l.filter);
          if (options_.observer != nullptr) observe_filter(run, depth, f.kind == vk::boolean && f.flag);
          if (f.kind != vk::boolean || !f.flag) return true;
        } catch (const eval_error& e) {
          record_error(run, e);
          if (options_.observer != nullptr) observe_filter(run, depth, false);
          return true;
        }
      }
      loop(run, depth + 1);
      return true;
    };
    // An observer sees every element filtered, so the join index (which skips those that
    // cannot pass) is left out for it.
    if (l.join != no_node && options_.observer == nullptr) {
      // Only the elements whose join field equals the key can pass the filter.
      const auto& info = p_.comprehensions[l.join];
      value key;
      try {
        key = eval(info.join_key);
      } catch (const eval_error& e) {
        record_error(run, e);
        return;
      }
      if (key.kind != vk::text) return;
      const auto& index = join_index(l.join);
      const auto* hit = index.find(key.str());
      if (hit == nullptr) return;
      for (const auto& e : *hit) body(e);
      return;
    }
    iterate(src, element_sink(body));
  }

  // ------------------------------------------------------------------------------------------
  // Batched evaluation
  //
  // A rule's bindings are produced a chunk of outer elements at a time, level by level in the
  // order the nested loops would visit them, and its filters, `when` and `expect` are evaluated
  // node by node over all bindings of the chunk (veval) instead of binding by binding: one
  // dispatch per node per chunk instead of one per node per binding. Nodes without a batched
  // form are evaluated binding by binding with the scalar evaluator. Steps are counted exactly
  // as the scalar path counts them, and findings are recorded in the same order. A chunk in
  // which anything fails (an evaluation error, the budget) is rolled back and run again by the
  // scalar path, so errors are reported exactly as before.

  struct redo_chunk {};

  static constexpr std::size_t chunk_elements = 128;

  // Bindings of a chunk: the loop variables of binding i at vars[i * levels .. + levels).
  struct batch {
    std::uint32_t levels = 0;
    std::vector<value> vars;
    std::uint32_t size() const { return levels == 0 ? 0 : static_cast<std::uint32_t>(vars.size() / levels); }
    const value& var(std::uint32_t lane, std::uint32_t level) const { return vars[lane * levels + level]; }
  };

  // A list of elements in place: table rows (as records of one type) or values.
  struct elements_view {
    const std::uint32_t* rows = nullptr;
    std::uint8_t type = 0;
    const value* values = nullptr;
    std::size_t size = 0;
    value at(std::size_t i) const { return values != nullptr ? values[i] : value::record(type, rows[i]); }
  };

  bool batchable(const rule_def& rule) const {
    return !rule.loops.empty();
  }

  void loop_batched(rule_run& run) {
    const auto& rule = p_.rules[run.rule];
    const auto& l0 = rule.loops.front();
    value src;
    try {
      src = eval(l0.source);
    } catch (const eval_error& e) {
      record_error(run, e);
      return;
    }
    // The outer elements, read in place: the rows of a table, a list, or a join's matches.
    elements_view outer;
    if (l0.join != no_node) {
      // Only the elements whose join field equals the key can pass the filter (see loop()).
      const auto& info = p_.comprehensions[l0.join];
      value key;
      try {
        key = eval(info.join_key);
      } catch (const eval_error& e) {
        record_error(run, e);
        return;
      }
      if (key.kind != vk::text) return;
      const auto& index = join_index(l0.join);
      const auto* hit = index.find(key.str());
      if (hit == nullptr) return;
      outer.values = hit->data();
      outer.size = hit->size();
    } else if (src.kind == vk::rows) {
      outer.rows = static_cast<const std::uint32_t*>(src.ptr);
      outer.type = src.type;
      outer.size = src.index;
    } else if (src.kind == vk::list) {
      outer.values = static_cast<const value*>(src.ptr);
      outer.size = src.index;
    }
    slot_level_.assign(p_.variable_slots, -1);
    loop_slots_.clear();
    for (std::size_t k = 0; k < rule.loops.size(); ++k) {
      slot_level_[rule.loops[k].slot] = static_cast<int>(k);
      loop_slots_.push_back(rule.loops[k].slot);
    }
    batch_levels_ = static_cast<std::uint32_t>(rule.loops.size());
    for (std::size_t begin = 0; begin < outer.size; begin += chunk_elements) {
      const std::size_t end = std::min(outer.size, begin + chunk_elements);
      const std::uint64_t steps = steps_;
      const std::size_t findings = result_.findings.size();
      const std::uint64_t checks = result_.checks;
      const rule_run saved = run;
      built_.clear();
      try {
        run_chunk(run, outer, begin, end);
        if (steps_ > options_.max_steps) throw redo_chunk{};
        continue;
      } catch (const redo_chunk&) {
      } catch (const eval_error&) {
      } catch (const budget_exceeded&) {
      }
      steps_ = steps;
      temp_depth_ = 0;
      sel_depth_ = 0;
      cell_depth_ = 0;
      undo_built();
      result_.findings.resize(findings);
      result_.checks = checks;
      run = saved;
      bound_lane_ = no_lane;
      for (std::size_t i = begin; i < end; ++i) visit(run, 0, outer.at(i));
    }
    bound_lane_ = no_lane;
  }

  void undo_built() {
    for (const auto& b : built_) {
      if (b.text_set) {
        text_sets_[b.node].reset();
        text_set_built_[b.node] = false;
      } else {
        join_indexes_[b.node].reset();
        if (b.shared_key != 0) shared_joins_.erase(b.shared_key);
      }
    }
    built_.clear();
  }

  // The scalar loop body for one element of loop `depth` (see loop()).
  void visit(rule_run& run, std::size_t depth, const value& element) {
    const auto& l = p_.rules[run.rule].loops[depth];
    vars_[l.slot] = element;
    if (l.filter != no_node) {
      try {
        const value f = eval(l.filter);
        if (f.kind != vk::boolean || !f.flag) return;
      } catch (const eval_error& e) {
        record_error(run, e);
        return;
      }
    }
    loop(run, depth + 1);
  }

  void run_chunk(rule_run& run, const elements_view& elements, std::size_t begin, std::size_t end) {
    const auto& rule = p_.rules[run.rule];
    const std::uint32_t levels = batch_levels_;
    batch& b = batch_;
    b.levels = levels;
    b.vars.clear();
    for (std::size_t i = begin; i < end; ++i) {
      b.vars.push_back(elements.at(i));
      b.vars.resize(b.vars.size() + levels - 1);
    }
    bound_lane_ = no_lane;
    filter_loop(rule.loops[0]);
    for (std::uint32_t k = 1; k < levels; ++k) {
      expand(rule.loops[k], k);
      filter_loop(rule.loops[k]);
    }
    check_batch(run);
  }

  // A loop's filter over the batch. When the filter is exactly the join's text equality, every
  // element the join index gave passes it: only its steps are counted (a constant operand one,
  // a field of a variable two, as text_comparison() counts them).
  void filter_loop(const loop_def& l) {
    if (l.filter == no_node) return;
    if (l.join != no_node && codes_[l.filter] == code(shape::text_comparison)) {
      const node& f = p_.nodes[l.filter];
      const auto& info = p_.comprehensions[l.join];
      if (f.code == op::equal && ((f.a == info.join_read && f.b == info.join_key) ||
                                  (f.b == info.join_read && f.a == info.join_key))) {
        auto cost = [&](std::uint32_t o) -> std::uint64_t { return p_.nodes[o].code == op::constant ? 1 : 2; };
        steps_ += std::uint64_t{batch_.size()} * (1 + cost(f.a) + cost(f.b));
        return;
      }
    }
    filter_batch(l.filter);
  }

  // Adds level k: each binding is followed by its elements of loop k's source, in order.
  void expand(const loop_def& l, std::uint32_t k) {
    batch& b = batch_;
    const std::uint32_t levels = b.levels;
    const std::uint32_t n = b.size();
    next_.clear();
    const bool invariant = p_.nodes[l.source].invariant && l.join == no_node;
    value shared;
    std::uint64_t source_steps = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      value src;
      if (invariant && i > 0) {
        steps_ += source_steps;  // the scalar path evaluates the source once per binding
        src = shared;
      } else {
        bind_lane(i);
        const std::uint64_t before = steps_;
        src = eval(l.source);
        source_steps = steps_ - before;
        shared = src;
      }
      auto add = [&](const value& e) {
        // Every binding costs at least a step: a batch with more bindings than the budget has
        // left cannot finish within it, so stop growing it (memory!) and let the scalar path
        // redo the chunk, which stops exactly at the budget.
        if (steps_ >= options_.max_steps || next_.size() / levels >= options_.max_steps - steps_) throw redo_chunk{};
        const std::size_t at = next_.size();
        next_.insert(next_.end(), b.vars.begin() + i * levels, b.vars.begin() + (i + 1) * levels);
        next_[at + k] = e;
        return true;
      };
      if (l.join != no_node) {
        const auto& info = p_.comprehensions[l.join];
        bind_lane(i);
        const value key = eval(info.join_key);
        if (key.kind != vk::text) continue;
        const auto& index = join_index(l.join);
        const auto* hit = index.find(key.str());
        if (hit == nullptr) continue;
        for (const auto& e : *hit) add(e);
        continue;
      }
      iterate(src, element_sink(add));
    }
    b.vars.swap(next_);
    bound_lane_ = no_lane;
  }

  // Keeps the bindings for which the filter is true.
  void filter_batch(std::uint32_t filter) {
    if (filter == no_node) return;
    batch& b = batch_;
    const std::uint32_t n = b.size();
    if (n == 0) return;
    std::vector<std::uint32_t>& all = lanes(0, n);
    value* out = temp(n);
    veval(filter, all, out);
    const std::uint32_t levels = b.levels;
    std::uint32_t kept = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      if (out[i].kind != vk::boolean || !out[i].flag) continue;
      if (kept != i)
        std::copy(b.vars.begin() + i * levels, b.vars.begin() + (i + 1) * levels, b.vars.begin() + kept * levels);
      ++kept;
    }
    b.vars.resize(kept * levels);
    release_temp();
    bound_lane_ = no_lane;
  }

  void check_batch(rule_run& run) {
    const auto& rule = p_.rules[run.rule];
    batch& b = batch_;
    std::uint32_t n = b.size();
    if (n == 0) return;
    std::vector<std::uint32_t>& sel = lanes(0, n);
    if (rule.when != no_node) {
      value* w = temp(n);
      veval(rule.when, sel, w);
      std::uint32_t kept = 0;
      for (std::uint32_t i = 0; i < n; ++i)
        if (w[i].kind == vk::boolean && w[i].flag) sel[kept++] = i;
      sel.resize(kept);
      release_temp();
    }
    if (sel.empty()) return;
    const auto& c = rule.check;
    value* lhs = temp(n);
    value* rhs = temp(n);
    value* res = temp(n);
    run.stats.bindings += sel.size();
    result_.checks += sel.size();
    if (c.lhs != no_node) {
      veval(c.lhs, sel, lhs);
      veval(c.rhs, sel, rhs);
    } else {
      veval(c.expect, sel, res);
    }
    const node& en = p_.nodes[c.expect];
    // `a == b within t`: t is evaluated where a and b are both present and differ (compare()).
    value* tolerance = nullptr;
    if (c.lhs != no_node && en.code == op::within) {
      tolerance = temp(n);
      auto& need = selection();
      for (const auto i : sel)
        if (!lhs[i].absent() && !rhs[i].absent() && !(lhs[i].num() == rhs[i].num())) need.push_back(i);
      veval(en.c, need, tolerance);
      release_selection();
    }
    for (const auto i : sel) {
      bool passed, by_rounding = false;
      if (c.lhs != no_node) {
        const value r = tolerance != nullptr ? within(lhs[i], rhs[i], tolerance[i], by_rounding)
                                             : compare(en, lhs[i], rhs[i], &by_rounding);
        if (r.absent()) {
          ++run.stats.not_applicable;
          continue;
        }
        passed = r.flag;
      } else {
        if (res[i].absent()) {
          ++run.stats.not_applicable;
          continue;
        }
        passed = res[i].flag;
      }
      if (passed && !by_rounding) {
        ++run.stats.passed;
        continue;
      }
      if (passed)
        ++run.stats.rounding;
      else
        ++run.stats.failed;
      bind_lane(i);
      if (c.lhs != no_node)
        report(run.rule, lhs[i], rhs[i], passed ? finding_kind::rounding : finding_kind::violation);
      else
        report(run.rule, value{}, value{}, passed ? finding_kind::rounding : finding_kind::violation);
    }
    if (tolerance != nullptr) release_temp();
    release_temp();
    release_temp();
    release_temp();
  }

  // compare() of `a == b within t` with the tolerance already evaluated (where needed).
  static value within(const value& a, const value& b, const value& t, bool& by_rounding) {
    if (a.absent() || b.absent()) return {};
    if (a.num() == b.num()) return value::boolean(true);
    if (t.absent()) return {};
    decimal diff;
    if (!subtract(a.num(), b.num(), diff)) return value::boolean(false);
    const bool ok = diff.abs() <= t.num();
    if (ok) by_rounding = true;
    return value::boolean(ok);
  }

  // Makes vars_ hold binding `lane`'s loop variables, for the scalar evaluator.
  void bind_lane(std::uint32_t lane) {
    if (bound_lane_ == lane) return;
    for (std::uint32_t k = 0; k < batch_.levels; ++k) vars_[loop_slots_[k]] = batch_.var(lane, k);
    bound_lane_ = lane;
  }

  // The lanes [from, to), in a list reused by filter_batch and check_batch (which never nest).
  std::vector<std::uint32_t>& lanes(std::uint32_t from, std::uint32_t to) {
    all_lanes_.resize(to - from);
    std::iota(all_lanes_.begin(), all_lanes_.end(), from);
    return all_lanes_;
  }

  value* temp(std::uint32_t n) {
    if (temp_depth_ == temps_.size()) temps_.emplace_back();
    auto& t = temps_[temp_depth_++];
    if (t.size() < n) t.resize(n);
    return t.data();
  }
  void release_temp() { --temp_depth_; }

  // A selection of lanes, reused by depth.
  std::vector<std::uint32_t>& selection() {
    if (sel_depth_ == sels_.size()) sels_.emplace_back();
    auto& s = sels_[sel_depth_++];
    s.clear();
    return s;
  }
  void release_selection() { --sel_depth_; }

  // Node n for the lanes in sel, into out[lane]; as eval() would for each binding.
  void veval(std::uint32_t n, std::span<const std::uint32_t> sel, value* out) {
    if (sel.empty()) return;
    const node& nd = p_.nodes[n];
    const std::uint64_t count = sel.size();
    switch (codes_[n]) {
      case code(op::variable): {
        const int level = slot_level_[nd.a];
        if (level < 0) break;
        steps_ += count;
        for (const auto i : sel) out[i] = batch_.var(i, static_cast<std::uint32_t>(level));
        return;
      }
      case code(op::constant): {
        steps_ += count;
        const value v = from_constant(p_.constants[nd.a]);
        for (const auto i : sel) out[i] = v;
        return;
      }
      case code(shape::cached_invariant): {
        const value v = eval(n);
        steps_ += (count - 1) * cache_[n].steps;
        for (const auto i : sel) out[i] = v;
        return;
      }
      case code(shape::field_of_variable): {
        const int level = slot_level_[p_.nodes[nd.a].a];
        if (level < 0) break;
        steps_ += 2 * count;
        for (const auto i : sel) {
          const value& rec = batch_.var(i, static_cast<std::uint32_t>(level));
          if (rec.kind != vk::record) {
            out[i] = {};
            continue;
          }
          const auto& t = doc_.table_of(rec.type);
          out[i] = from_cell(t, t.at(rec.index, nd.b), static_cast<int>(nd.b), nd.result.element_record);
        }
        return;
      }
      case code(shape::text_comparison): {
        // Operands: text constants or text fields of loop variables.
        const node& na = p_.nodes[nd.a];
        const node& nb = p_.nodes[nd.b];
        auto level_of = [&](const node& o) { return o.code == op::constant ? 0 : slot_level_[p_.nodes[o.a].a]; };
        if (level_of(na) < 0 || level_of(nb) < 0) break;
        value* a = temp(batch_.size());
        value* b = temp(batch_.size());
        // Each operand: one step for a constant, two for a field of a variable (see
        // text_comparison()); both operands are always evaluated.
        steps_ += count;  // the comparison
        veval_text_operand(nd.a, sel, a);
        veval_text_operand(nd.b, sel, b);
        const bool eq = nd.code == op::equal;
        for (const auto i : sel) {
          if (a[i].absent() || b[i].absent()) {
            out[i] = {};
          } else if (a[i].kind == vk::text && b[i].kind == vk::text) {
            out[i] = value::boolean((a[i].str() == b[i].str()) == eq);
          } else {
            out[i] = compare(nd, a[i], b[i], nullptr);
          }
        }
        release_temp();
        release_temp();
        return;
      }
      case code(op::present): {
        value* a = temp(batch_.size());
        steps_ += count;
        veval(nd.a, sel, a);
        for (const auto i : sel) out[i] = value::boolean(!a[i].absent());
        release_temp();
        return;
      }
      case code(op::equal):
      case code(op::not_equal):
      case code(op::less):
      case code(op::less_equal):
      case code(op::greater):
      case code(op::greater_equal):
      case code(op::approx_equal): {
        value* a = temp(batch_.size());
        value* b = temp(batch_.size());
        steps_ += count;
        veval(nd.a, sel, a);
        veval(nd.b, sel, b);
        for (const auto i : sel) out[i] = compare(nd, a[i], b[i], nullptr);
        release_temp();
        release_temp();
        return;
      }
      default:
        break;
    }
    switch (codes_[n]) {
      case code(shape::column_of_variable): {
        if (!loop_read(nd)) break;
        const cell** cells = cell_temp();
        steps_ += count;
        column_cells(nd, sel, cells);
        for (const auto i : sel) out[i] = cells[i] == nullptr ? value{} : from_amount(*cells[i]);
        release_cells();
        return;
      }
      case code(shape::present_of_column):
      case code(shape::present_of_read): {
        const node& rd = p_.nodes[nd.a];
        if (!loop_read(rd)) break;
        const cell** cells = cell_temp();
        steps_ += 2 * count;  // the node and the read
        read_cells(rd, sel, cells);
        for (const auto i : sel) out[i] = value::boolean(cells[i] != nullptr && cells[i]->present());
        release_cells();
        return;
      }
      case code(shape::decimals_of_read): {
        const node& rd = p_.nodes[nd.a];
        if (!loop_read(rd)) break;
        const cell** cells = cell_temp();
        steps_ += 2 * count;  // the node and the read
        read_cells(rd, sel, cells);
        for (const auto i : sel) {
          const cell* c = cells[i];
          out[i] = c == nullptr || !c->present()
                       ? value{}
                       : value::number(decimal::from_int(c->kind == cell_kind::number ? c->scale : 0));
        }
        release_cells();
        return;
      }
      case code(shape::amount_of_variable): {
        if (!loop_read(nd)) break;
        const cell** cells = cell_temp();
        steps_ += count;
        variable_cells(nd, sel, cells);
        const int level = slot_level_[p_.nodes[nd.a].a];
        for (const auto i : sel) {
          out[i] = cells[i] == nullptr
                       ? value{}
                       : from_cell(doc_.table_of(batch_.var(i, static_cast<std::uint32_t>(level)).type), *cells[i], -1);
        }
        release_cells();
        return;
      }
      case code(shape::count_of_field): {
        const node& rd = p_.nodes[nd.a];
        const int level = slot_level_[p_.nodes[rd.a].a];
        if (level < 0) break;
        steps_ += 3 * count;  // the node, the field and its variable
        for (const auto i : sel) {
          const value& rec = batch_.var(i, static_cast<std::uint32_t>(level));
          std::int64_t k = 0;
          if (rec.kind == vk::record) {
            const cell& c = doc_.table_of(rec.type).at(rec.index, rd.b);
            if (c.kind == cell_kind::records) k = static_cast<std::int64_t>(doc_.records(c).size());
          }
          out[i] = value::number(decimal::from_int(k));
        }
        return;
      }
      case code(shape::round_of_product): {
        value* x = temp(batch_.size());
        value* d = temp(batch_.size());
        steps_ += 2 * count;  // the node and the product
        vproduct(p_.nodes[nd.a], sel, x);
        veval(nd.b, sel, d);
        for (const auto i : sel) out[i] = rounded(n, nd, x[i], d[i]);
        release_temp();
        release_temp();
        return;
      }
      default:
        break;
    }
    switch (nd.code) {
      case op::param: {
        steps_ += count;
        const value v = from_constant(params_.values[nd.a]);
        for (const auto i : sel) out[i] = v;
        return;
      }
      case op::definition: {
        steps_ += count;
        for (const auto i : sel) out[i] = defs_[nd.a];
        return;
      }
      case op::logical_not: {
        value* a = temp(batch_.size());
        steps_ += count;
        veval(nd.a, sel, a);
        for (const auto i : sel) out[i] = a[i].absent() ? value{} : value::boolean(!a[i].flag);
        release_temp();
        return;
      }
      case op::logical_and:
      case op::logical_or:
      case op::implies: {
        // Kleene logic, short-circuit per binding: b only where a does not decide.
        const bool is_and = nd.code == op::logical_and;
        value* a = temp(batch_.size());
        value* b = temp(batch_.size());
        steps_ += count;
        veval(nd.a, sel, a);
        auto& rest = selection();
        for (const auto i : sel) {
          value& x = a[i];
          if (nd.code == op::implies && !x.absent()) x.flag = !x.flag;
          const bool decides = x.kind == vk::boolean && (is_and ? !x.flag : x.flag);
          if (decides)
            out[i] = value::boolean(!is_and);
          else
            rest.push_back(i);
        }
        veval(nd.b, rest, b);
        for (const auto i : rest) {
          const value& x = a[i];
          const value& y = b[i];
          if (y.kind == vk::boolean && (is_and ? !y.flag : y.flag))
            out[i] = value::boolean(!is_and);
          else if (x.absent() || y.absent())
            out[i] = {};
          else
            out[i] = value::boolean(is_and);
        }
        release_selection();
        release_temp();
        release_temp();
        return;
      }
      case op::add:
      case op::subtract: {
        value* a = temp(batch_.size());
        value* b = temp(batch_.size());
        steps_ += count;
        veval(nd.a, sel, a);
        veval(nd.b, sel, b);
        for (const auto i : sel) {
          if (a[i].absent() || b[i].absent()) {
            out[i] = {};
            continue;
          }
          decimal v, r;
          const bool ok = (nd.code == op::add ? add(a[i].num(), b[i].num(), v) : subtract(a[i].num(), b[i].num(), v)) &&
                          add(a[i].radius(), b[i].radius(), r);
          if (!ok) throw redo_chunk{};
          out[i] = value::number(v, r);
        }
        release_temp();
        release_temp();
        return;
      }
      case op::multiply: {
        steps_ += count;
        vproduct(nd, sel, out);
        return;
      }
      case op::round:
      case op::round_even: {
        value* x = temp(batch_.size());
        value* d = temp(batch_.size());
        steps_ += count;
        veval(nd.a, sel, x);
        veval(nd.b, sel, d);
        for (const auto i : sel) out[i] = rounded(n, nd, x[i], d[i]);
        release_temp();
        release_temp();
        return;
      }
      case op::decimals: {
        steps_ += count;
        veval(nd.a, sel, out);
        for (const auto i : sel)
          if (!out[i].absent()) out[i] = value::number(decimal::from_int(out[i].num().scale()));
        return;
      }
      case op::amount:
      case op::amount_dynamic:
      case op::amount_year:
      case op::amount_dynamic_year: {
        steps_ += count;
        vamount(nd, sel, out);
        return;
      }
      case op::coalesce: {
        value* b = temp(batch_.size());
        steps_ += count;
        veval(nd.a, sel, out);
        auto& rest = selection();
        for (const auto i : sel)
          if (out[i].absent()) rest.push_back(i);
        veval(nd.b, rest, b);
        for (const auto i : rest) out[i] = b[i];
        release_selection();
        release_temp();
        return;
      }
      default:
        break;
    }
    veval_scalar(n, sel, out);
  }

  // A read (field, amount or v[c][y]) of loop variables, which the batched reads handle.
  bool loop_read(const node& rd) const {
    if (slot_level_[p_.nodes[rd.a].a] < 0) return false;
    if (rd.code == op::amount_dynamic || rd.code == op::amount_dynamic_year)
      return slot_level_[p_.nodes[rd.b].a] >= 0;
    return true;
  }

  const cell** cell_temp() {
    if (cell_depth_ == cell_temps_.size()) cell_temps_.emplace_back();
    auto& t = cell_temps_[cell_depth_++];
    if (t.size() < batch_.size()) t.resize(batch_.size());
    return t.data();
  }
  void release_cells() { --cell_depth_; }

  // The cells a read of loop variables gives, for each lane, with the steps its variables take.
  void read_cells(const node& rd, std::span<const std::uint32_t> sel, const cell** out) {
    if (rd.code == op::field || rd.code == op::amount)
      variable_cells(rd, sel, out);
    else
      column_cells(rd, sel, out);
  }

  // read_cell() of a variable read (v.field, v.column) for each lane; the variable's step.
  void variable_cells(const node& rd, std::span<const std::uint32_t> sel, const cell** out) {
    const auto level = static_cast<std::uint32_t>(slot_level_[p_.nodes[rd.a].a]);
    steps_ += sel.size();  // the variable
    const int col = rd.code == op::amount ? column_map_[rd.b] : 0;
    for (const auto i : sel) {
      const value& rec = batch_.var(i, level);
      if (rec.kind != vk::record) {
        out[i] = nullptr;
        continue;
      }
      const auto& t = doc_.table_of(rec.type);
      if (rd.code == op::field)
        out[i] = &t.at(rec.index, rd.b);
      else
        out[i] = col < 0 || !t.has_amounts() ? nullptr : &t.at(rec.index, t.amount_slot(static_cast<std::uint32_t>(col), 0));
    }
  }

  // column_cell() of a `v[c]` / `v[c][y]` read for each lane, with the same steps: the record
  // variable, then (for a record) the column variable, then (for a column in the proposal)
  // the year.
  void column_cells(const node& rd, std::span<const std::uint32_t> sel, const cell** out) {
    const auto rec_level = static_cast<std::uint32_t>(slot_level_[p_.nodes[rd.a].a]);
    const auto col_level = static_cast<std::uint32_t>(slot_level_[p_.nodes[rd.b].a]);
    steps_ += sel.size();  // the record variable
    const bool with_year = rd.code == op::amount_dynamic_year;
    auto& need_year = selection();
    for (const auto i : sel) {
      out[i] = nullptr;
      const value& rec = batch_.var(i, rec_level);
      if (rec.kind != vk::record) continue;
      ++steps_;  // the column variable
      const value& c = batch_.var(i, col_level);
      if (c.kind != vk::column || column_map_[c.index] < 0) continue;
      if (with_year) {
        need_year.push_back(i);
        continue;
      }
      const auto& t = doc_.table_of(rec.type);
      if (t.has_amounts())
        out[i] = &t.at(rec.index, t.amount_slot(static_cast<std::uint32_t>(column_map_[c.index]), 0));
    }
    if (with_year && !need_year.empty()) {
      value* years = temp(batch_.size());
      veval(rd.c, need_year, years);
      for (const auto i : need_year) {
        const value& y = years[i];
        if (y.kind != vk::number) continue;
        const int yi = year_index(y);
        if (yi < 0) continue;
        const value& rec = batch_.var(i, rec_level);
        const auto& t = doc_.table_of(rec.type);
        if (!t.has_amounts()) continue;
        const int col = column_map_[batch_.var(i, col_level).index];
        out[i] = &t.at(rec.index, t.amount_slot(static_cast<std::uint32_t>(col), static_cast<std::uint32_t>(yi)));
      }
      release_temp();
    }
    release_selection();
  }

  // amount() for each lane (after the node's own step).
  void vamount(const node& nd, std::span<const std::uint32_t> sel, value* out) {
    value* recs = temp(batch_.size());
    veval(nd.a, sel, recs);
    const bool dynamic = nd.code == op::amount_dynamic || nd.code == op::amount_dynamic_year;
    const bool with_year = nd.code == op::amount_year || nd.code == op::amount_dynamic_year;
    auto& live = selection();
    for (const auto i : sel) {
      out[i] = {};
      if (recs[i].kind == vk::record) live.push_back(i);
    }
    value* cols = temp(batch_.size());
    if (dynamic) {
      veval(nd.b, live, cols);
    } else {
      value c;
      c.kind = vk::column;
      c.index = nd.b;
      for (const auto i : live) cols[i] = c;
    }
    auto& ready = selection();
    for (const auto i : live)
      if (cols[i].kind == vk::column && column_map_[cols[i].index] >= 0) ready.push_back(i);
    value* years = temp(batch_.size());
    if (with_year) veval(nd.c, ready, years);
    for (const auto i : ready) {
      std::uint32_t year = 0;
      if (with_year) {
        if (years[i].kind != vk::number) continue;
        const int yi = year_index(years[i]);
        if (yi < 0) continue;
        year = static_cast<std::uint32_t>(yi);
      }
      const auto& t = doc_.table_of(recs[i].type);
      if (!t.has_amounts()) continue;
      const auto col = static_cast<std::uint32_t>(column_map_[cols[i].index]);
      out[i] = from_cell(t, t.at(recs[i].index, t.amount_slot(col, year)), -1);
    }
    release_temp();
    release_selection();
    release_temp();
    release_selection();
    release_temp();
  }

  // product() for each lane (after the node's own step).
  void vproduct(const node& nd, std::span<const std::uint32_t> sel, value* out) {
    value* a = temp(batch_.size());
    value* b = temp(batch_.size());
    veval(nd.a, sel, a);
    veval(nd.b, sel, b);
    for (const auto i : sel) {
      if (a[i].absent() || b[i].absent()) {
        out[i] = {};
        continue;
      }
      decimal v, r;
      if (!multiply_values(a[i], b[i], v, r)) throw redo_chunk{};
      out[i] = value::number(v, r);
    }
    release_temp();
    release_temp();
  }

  // A text operand of a batched text comparison: a constant or a field of a loop variable.
  void veval_text_operand(std::uint32_t o, std::span<const std::uint32_t> sel, value* out) {
    const node& on = p_.nodes[o];
    if (on.code == op::constant) {
      steps_ += sel.size();
      const value v = value::text(p_.constants[on.a].text);
      for (const auto i : sel) out[i] = v;
      return;
    }
    const auto level = static_cast<std::uint32_t>(slot_level_[p_.nodes[on.a].a]);
    steps_ += 2 * sel.size();
    for (const auto i : sel) {
      const value& rec = batch_.var(i, level);
      if (rec.kind != vk::record) {
        out[i] = {};
        continue;
      }
      const auto& t = doc_.table_of(rec.type);
      const cell& c = t.at(rec.index, on.b);
      out[i] = c.present() ? from_cell(t, c, static_cast<int>(on.b)) : value{};
    }
  }

  // The scalar evaluator, binding by binding.
  void veval_scalar(std::uint32_t n, std::span<const std::uint32_t> sel, value* out) {
    for (const auto i : sel) {
      bind_lane(i);
      out[i] = eval(n);
    }
  }

  void record_error(rule_run& run, const eval_error& e) {
    if (options_.observer != nullptr) last_error_ = e.message;
    if (run.errors++ == 0) {
      run.first_error = e.message;
      run.first_error_at = innermost_ref(p_.rules[run.rule]);
    }
  }

  void check(rule_run& run) {
    const auto& rule = p_.rules[run.rule];
    try {
      if (rule.when != no_node) {
        const value w = eval(rule.when);
        if (w.kind != vk::boolean || !w.flag) return;
      }
      ++run.stats.bindings;
      ++result_.checks;
      const auto& c = rule.check;
      bool passed = false, unknown = false, by_rounding = false;
      value lhs, rhs;
      if (c.lhs != no_node) {
        const node& en = p_.nodes[c.expect];
        lhs = eval(c.lhs);
        rhs = eval(c.rhs);
        const value res = compare(en, lhs, rhs, &by_rounding);
        unknown = res.absent();
        passed = !unknown && res.flag;
      } else {
        const value res = eval(c.expect);
        unknown = res.absent();
        passed = !unknown && res.flag;
      }
      if (unknown) {
        ++run.stats.not_applicable;
        return;
      }
      if (passed && !by_rounding) {
        ++run.stats.passed;
        return;
      }
      if (passed)
        ++run.stats.rounding;
      else
        ++run.stats.failed;
      report(run.rule, lhs, rhs, passed ? finding_kind::rounding : finding_kind::violation);
    } catch (const eval_error& e) {
      record_error(run, e);
    }
  }

  finding base_finding(std::size_t r) const {
    finding f;
    f.rule = static_cast<std::uint32_t>(r);
    const auto s = p_.rules[r].severity;
    f.severity = s == dsl::ast::severity::error     ? dsl::level::error
                 : s == dsl::ast::severity::warning ? dsl::level::warning
                                                    : dsl::level::note;
    return f;
  }

  // Records what a finding needs to be described later: indices and numbers, no text except an
  // interpolated message.
  void report(std::size_t r, const value& lhs, const value& rhs, finding_kind kind) {
    const auto& rule = p_.rules[r];
    finding f = base_finding(r);
    f.kind = kind;
    if (kind == finding_kind::rounding) f.severity = dsl::level::note;
    const auto& c = rule.check;
    const std::uint32_t anchor = anchor_of(c.expect);
    f.where = anchor != no_node ? reference(anchor) : innermost_ref(rule);
    if (f.where.record_type < 0) f.where = innermost_ref(rule);
    f.offset = offset_of(f.where);
    if (c.lhs != no_node) {
      // Intervals matter only to rounding-aware comparisons; elsewhere they would be noise.
      const bool intervals = p_.nodes[c.expect].code == op::approx_equal;
      f.values[0] = record(c.lhs, lhs, intervals);
      f.values[1] = record(c.rhs, rhs, intervals);
      f.value_count = 2;
      vars_[c.lhs_slot] = lhs;
      vars_[c.rhs_slot] = rhs;
    } else {
      const node& en = p_.nodes[c.expect];
      if (en.code == op::present || en.code == op::logical_not || en.code == op::in ||
          en.code == op::not_in) {
        f.values[0] = record(en.a, eval(en.a), false);
        f.value_count = 1;
      }
    }
    for (const auto& part : rule.message) {
      if (part.hole == no_node)
        f.message += part.text;
      else
        f.message += display(eval(part.hole));
    }
    result_.findings.push_back(std::move(f));
  }

  // The proposal value a failed (or rounding-passed) expectation is about: the read operand of
  // a comparison, the operand of present()/not, the false conjunct of an `and`, the left side
  // of an `or`, the consequent of an `implies`. Evaluated on failure only.
  std::uint32_t anchor_of(std::uint32_t n) {
    const node& nd = p_.nodes[n];
    switch (nd.code) {
      case op::equal: case op::not_equal: case op::less: case op::less_equal: case op::greater:
      case op::greater_equal: case op::approx_equal: case op::within: {
        if (is_read(p_, nd.a)) return nd.a;
        if (is_read(p_, nd.b)) return nd.b;
        const auto a = read_inside(nd.a);
        return a != no_node ? a : read_inside(nd.b);
      }
      case op::in: case op::not_in:
        return read_inside(nd.a);
      case op::present: case op::logical_not:
        return is_read(p_, nd.a) ? nd.a : anchor_of(nd.a);
      case op::logical_and: {
        const value l = eval(nd.a);
        return anchor_of(l.kind == vk::boolean && !l.flag ? nd.a : nd.b);
      }
      case op::logical_or: {
        const auto a = anchor_of(nd.a);
        return a != no_node ? a : anchor_of(nd.b);
      }
      case op::implies:
        return anchor_of(nd.b);
      default:
        return no_node;
    }
  }

  // A proposal read under operations that keep its identity (`decimals(i.region)`,
  // `abs(x)`, `round(x, 1)`, `-x`), so a finding about them points at the value itself.
  std::uint32_t read_inside(std::uint32_t n) const {
    for (;;) {
      if (is_read(p_, n)) return n;
      const node& nd = p_.nodes[n];
      switch (nd.code) {
        case op::decimals: case op::abs: case op::negate: case op::round: case op::round_even:
        case op::coalesce: case op::len:
          n = nd.a;
          continue;
        default:
          return no_node;
      }
    }
  }

  static recorded_value record(std::uint32_t n, const value& v, bool interval) {
    recorded_value r;
    r.node = n;
    r.interval = interval;
    r.flag = v.flag;
    r.record_type = v.kind == vk::number ? 0 : v.type;
    r.index = v.index;
    r.number = v.num();
    r.radius = v.radius();
    switch (v.kind) {
      case vk::absent: r.what = recorded_value::kind::absent; break;
      case vk::number: r.what = recorded_value::kind::number; break;
      case vk::boolean: r.what = recorded_value::kind::boolean; break;
      case vk::text:
        r.what = recorded_value::kind::text;
        r.text = v.str();
        break;
      case vk::record: r.what = recorded_value::kind::record; break;
      case vk::column: r.what = recorded_value::kind::column; break;
      case vk::rows:
      case vk::list: r.what = recorded_value::kind::list; break;
    }
    return r;
  }

  std::string display(const value& v) const {
    switch (v.kind) {
      case vk::absent: return "–";
      // Whole numbers (years, counts) take no thousands separator: 2027, not 2.027.
      case vk::number: return v.num().format(-1, decimal_point_, v.num().scale() > 0 ? thousands_ : 0);
      case vk::text: return std::string(v.str());
      case vk::column: return p_.columns[v.index];
      case vk::record: return record_label(doc_, v.type, v.index);
      case vk::boolean: return v.flag ? "true" : "false";
      case vk::rows:
      case vk::list: return fmt::format("{}", v.index);
    }
    return "?";
  }

  // The record bound by the innermost loop variable that holds a record.
  // The record bound by the innermost loop variable that holds a record; for a rule about the
  // whole proposal (no such loop), the proposal's root object.
  value_ref innermost_ref(const rule_def& rule) const {
    value_ref ref;
    ref.record_type = 0;
    ref.row = 0;
    for (auto it = rule.loops.rbegin(); it != rule.loops.rend(); ++it) {
      const value& v = vars_[it->slot];
      if (v.kind == vk::record) {
        ref.record_type = v.type;
        ref.row = v.index;
        break;
      }
    }
    return ref;
  }

  std::uint32_t offset_of(const value_ref& ref) const {
    if (ref.record_type < 0) return 0;
    const auto& t = doc_.table_of(ref.record_type);
    // A cell's offset is its value's, the null written in its place, or else its record's.
    if (ref.slot != value_ref::no_slot) return t.at(ref.row, ref.slot).offset;
    return t.origin_of(ref.row).offset;
  }

  // Where a read node points in the proposal, for the current variable bindings.
  value_ref reference(std::uint32_t n) {
    const node& nd = p_.nodes[n];
    const value rec = eval(nd.a);
    if (rec.kind != vk::record) return {};
    value_ref ref;
    ref.record_type = rec.type;
    ref.row = rec.index;
    const auto& t = doc_.table_of(rec.type);
    switch (nd.code) {
      case op::field:
        ref.slot = nd.b;
        return ref;
      case op::amount:
      case op::amount_dynamic:
      case op::amount_year:
      case op::amount_dynamic_year: {
        std::uint32_t declared = nd.b;
        if (nd.code == op::amount_dynamic || nd.code == op::amount_dynamic_year) declared = eval(nd.b).index;
        ref.column = static_cast<std::int32_t>(declared);
        const int col = column_map_[declared];
        std::uint32_t year = 0;
        if (nd.code == op::amount_year || nd.code == op::amount_dynamic_year) {
          const value y = eval(nd.c);
          const int yi = y.kind == vk::number ? year_index(y) : -1;
          if (yi < 0) return ref;
          year = static_cast<std::uint32_t>(yi);
        }
        ref.year = static_cast<std::int32_t>(year);
        if (col >= 0 && t.has_amounts()) ref.slot = t.amount_slot(static_cast<std::uint32_t>(col), year);
        return ref;
      }
      default:
        return ref;
    }
  }

  // The index of a year among the proposal's years, or -1. The proposal's own year values (as
  // `years` and `first_year` give them) carry their index + 1 in `index`; others are looked up.
  int year_index(const value& y) const {
    if (y.index != 0) return static_cast<int>(y.index) - 1;
    if (y.num().scale() != 0 && y.num().significant_scale() != 0) return -1;
    std::int64_t c = y.num().coefficient();
    for (int s = y.num().scale(); s > 0; --s) c /= 10;
    return doc_.year_index(static_cast<std::int32_t>(c));
  }

  // ------------------------------------------------------------------------------------------
  // Expressions

  [[noreturn]] void fail(std::uint32_t n, std::string_view what) const {
    throw eval_error{fmt::format("{} in '{}'", what, p_.text_of(n)), n};
  }

  value number_result(std::uint32_t n, bool ok, decimal v, decimal r) const {
    if (!ok) fail(n, "number too large or too precise for an exact decimal");
    return value::number(v, r);
  }

  // The hot operations (reads, comparisons, logic) in a small function with a small frame; the
  // rest, whose cases need more locals, in eval_general.
  value eval(std::uint32_t n) {
    if (++steps_ > options_.max_steps) throw budget_exceeded{};
    const node& nd = p_.nodes[n];
    // One dispatch on the evaluator's own code: the node's op, or a shortcut for its shape.
    switch (codes_[n]) {
      case code(shape::field_of_variable): {
        step();  // the variable
        const value& rec = vars_[p_.nodes[nd.a].a];
        if (rec.kind != vk::record) return {};
        const auto& t = doc_.table_of(rec.type);
        return from_cell(t, t.at(rec.index, nd.b), static_cast<int>(nd.b), nd.result.element_record);
      }
      case code(shape::amount_of_variable): {
        step();  // the variable
        const cell* c = read_cell(nd);
        if (c == nullptr) return {};
        return from_cell(doc_.table_of(vars_[p_.nodes[nd.a].a].type), *c, -1);
      }
      case code(shape::column_of_variable):
        return column_of_variable(nd);
      case code(shape::present_of_read): {
        steps_ += 2;  // the read and its variable
        if (steps_ > options_.max_steps) throw budget_exceeded{};
        const cell* c = read_cell(p_.nodes[nd.a]);
        return value::boolean(c != nullptr && c->present());
      }
      case code(shape::text_comparison):
        return text_comparison(nd);
      case code(shape::cached_invariant):
        return cached(n, nd);
      case code(shape::present_of_column): {
        step();  // the read
        const cell* c = column_cell(p_.nodes[nd.a]);
        return value::boolean(c != nullptr && c->present());
      }
      case code(shape::decimals_of_read):
        return decimals_of_read(p_.nodes[nd.a]);
      case code(shape::count_of_field):
        return count_of_field(p_.nodes[nd.a]);
      case code(shape::sum_of_comprehension):
        return sum_of_comprehension(n, nd);
      case code(shape::round_of_product):
        return round_of_product(n, nd);
      case code(op::variable):
        return vars_[nd.a];
      case code(op::definition):
        return defs_[nd.a];
      case code(op::constant):
        return from_constant(p_.constants[nd.a]);
      case code(op::field): {
        const value rec = eval(nd.a);
        if (rec.kind != vk::record) return {};
        const auto& t = doc_.table_of(rec.type);
        return from_cell(t, t.at(rec.index, nd.b), static_cast<int>(nd.b), nd.result.element_record);
      }
      case code(op::amount):
      case code(op::amount_dynamic):
      case code(op::amount_year):
      case code(op::amount_dynamic_year):
        return amount(nd);
      case code(op::equal):
      case code(op::not_equal):
      case code(op::less):
      case code(op::less_equal):
      case code(op::greater):
      case code(op::greater_equal):
      case code(op::approx_equal):
      case code(op::within): {
        const value a = eval(nd.a), b = eval(nd.b);
        return compare(nd, a, b, nullptr);
      }
      case code(op::present):
        return value::boolean(!eval(nd.a).absent());
      default:
        return eval_general(n, nd);
    }
  }

  void step() {
    if (++steps_ > options_.max_steps) throw budget_exceeded{};
  }

  [[gnu::noinline]] value eval_general(std::uint32_t n, const node& nd) {
    switch (nd.code) {
      case op::constant: {
        const auto& c = p_.constants[nd.a];
        return from_constant(c);
      }
      case op::param:
        return from_constant(params_.values[nd.a]);
      case op::definition:
        return defs_[nd.a];
      case op::variable:
        return vars_[nd.a];
      case op::collection: {
        const auto rows = doc_.collection(static_cast<int>(nd.a));
        value v;
        v.kind = vk::rows;
        v.type = nd.result.element_record;
        v.ptr = rows.data();
        v.index = static_cast<std::uint32_t>(rows.size());
        return v;
      }
      case op::all_records: {
        value v;
        v.kind = vk::rows;
        v.type = static_cast<std::uint8_t>(nd.a);
        v.ptr = all_rows_[nd.a].data();
        v.index = static_cast<std::uint32_t>(all_rows_[nd.a].size());
        return v;
      }
      case op::years:
        return list_of(year_values_);
      case op::first_year:
        return year_values_.empty() ? value{} : year_values_.front();
      case op::columns:
        return list_of(column_values_);
      case op::root:
        return value::record(0, 0);
      case op::field: {
        const value rec = eval(nd.a);
        if (rec.kind != vk::record) return {};
        const auto& t = doc_.table_of(rec.type);
        return from_cell(t, t.at(rec.index, nd.b), static_cast<int>(nd.b), nd.result.element_record);
      }
      case op::parent: {
        const value rec = eval(nd.a);
        if (rec.kind != vk::record) return {};
        const auto parent = doc_.table_of(rec.type).origin_of(rec.index).parent;
        return parent < 0 ? value{} : value::record(rec.type, static_cast<std::uint32_t>(parent));
      }
      case op::depth: {
        const value rec = eval(nd.a);
        if (rec.kind != vk::record) return {};
        const auto& t = doc_.table_of(rec.type);
        std::int64_t depth = 0;
        for (auto row = t.origin_of(rec.index).parent; row >= 0; row = t.origin_of(static_cast<std::uint32_t>(row)).parent) ++depth;
        return value::number(decimal::from_int(depth));
      }
      case op::amount:
      case op::amount_dynamic:
      case op::amount_year:
      case op::amount_dynamic_year:
        return amount(nd);
      case op::negate: {
        const value x = eval(nd.a);
        if (x.absent()) return {};
        return value::number(x.num().negated(), x.radius());
      }
      case op::logical_not: {
        const value x = eval(nd.a);
        if (x.absent()) return {};
        return value::boolean(!x.flag);
      }
      case op::add:
      case op::subtract: {
        const value a = eval(nd.a), b = eval(nd.b);
        if (a.absent() || b.absent()) return {};
        decimal v, r;
        const bool ok = (nd.code == op::add ? add(a.num(), b.num(), v) : subtract(a.num(), b.num(), v)) &&
                        add(a.radius(), b.radius(), r);
        return number_result(n, ok, v, r);
      }
      case op::multiply:
        return product(n, nd);
      case op::divide: {
        const value a = eval(nd.a), b = eval(nd.b);
        if (a.absent() || b.absent()) return {};
        if (b.num().is_zero()) fail(n, "division by zero");
        decimal v;
        if (!divide(a.num(), b.num(), 12, v)) fail(n, "number too large for an exact decimal");
        decimal r{};
        if (!(a.radius().is_zero() && b.radius().is_zero())) r = quotient_radius(n, a, b, v);
        return value::number(v, r);
      }
      case op::equal:
      case op::not_equal:
      case op::less:
      case op::less_equal:
      case op::greater:
      case op::greater_equal:
      case op::approx_equal:
      case op::within: {
        const value a = eval(nd.a), b = eval(nd.b);
        return compare(nd, a, b, nullptr);
      }
      case op::in:
      case op::not_in: {
        const value x = eval(nd.a);
        if (x.absent()) return {};
        if (x.kind == vk::text && p_.nodes[nd.b].invariant) {
          if (const auto* set = text_set(nd.b)) {
            const bool hit = set->find(x.str()) != nullptr;
            return value::boolean(nd.code == op::in ? hit : !hit);
          }
        }
        bool found = false;
        auto body = [&](const value& e) {
          if (same(x, e)) {
            found = true;
            return false;
          }
          return true;
        };
        stream(nd.b, element_sink(body));
        return value::boolean(nd.code == op::in ? found : !found);
      }
      case op::logical_and: {
        const value a = eval(nd.a);
        if (a.kind == vk::boolean && !a.flag) return value::boolean(false);
        const value b = eval(nd.b);
        if (b.kind == vk::boolean && !b.flag) return value::boolean(false);
        if (a.absent() || b.absent()) return {};
        return value::boolean(true);
      }
      case op::logical_or:
      case op::implies: {
        value a = eval(nd.a);
        if (nd.code == op::implies && !a.absent()) a.flag = !a.flag;
        if (a.kind == vk::boolean && a.flag) return value::boolean(true);
        const value b = eval(nd.b);
        if (b.kind == vk::boolean && b.flag) return value::boolean(true);
        if (a.absent() || b.absent()) return {};
        return value::boolean(false);
      }
      case op::conditional: {
        const value c = eval(nd.a);
        if (c.absent()) return {};
        return eval(c.flag ? nd.b : nd.c);
      }
      case op::list:
      case op::comprehension: {
        auto& store = scratch_.emplace_back();
        auto body = [&](const value& e) {
          store.push_back(e);
          return true;
        };
        stream(n, element_sink(body));
        value v;
        v.kind = vk::list;
        v.ptr = store.data();
        v.index = static_cast<std::uint32_t>(store.size());
        return v;
      }
      case op::sum: {
        decimal total{}, radius{};
        bool ok = true;
        auto body = [&](const value& e) {
          if (e.kind == vk::number) ok = ok && add(total, e.num(), total) && add(radius, e.radius(), radius);
          return ok;
        };
        stream(nd.a, element_sink(body));
        return number_result(n, ok, total, radius);
      }
      case op::count: {
        std::int64_t count = 0;
        auto body = [&](const value&) {
          ++count;
          return true;
        };
        stream(nd.a, element_sink(body));
        return value::number(decimal::from_int(count));
      }
      case op::min:
      case op::max: {
        value best;
        auto body = [&](const value& e) {
          if (e.kind != vk::number) return true;
          if (best.absent() || (nd.code == op::min ? e.num() < best.num() : e.num() > best.num())) best = e;
          return true;
        };
        stream(nd.a, element_sink(body));
        return best;
      }
      case op::any:
      case op::all: {
        const bool want = nd.code == op::any;
        bool decided = false, unknown = false;
        auto body = [&](const value& e) {
          if (e.absent()) {
            unknown = true;
            return true;
          }
          if (e.flag == want) {
            decided = true;
            return false;
          }
          return true;
        };
        stream(nd.a, element_sink(body));
        if (decided) return value::boolean(want);
        if (unknown) return {};
        return value::boolean(!want);
      }
      case op::round:
      case op::round_even: {
        const value x = eval(nd.a), d = eval(nd.b);
        return rounded(n, nd, x, d);
      }
      case op::abs: {
        const value x = eval(nd.a);
        if (x.absent()) return {};
        return value::number(x.num().abs(), x.radius());
      }
      case op::min2:
      case op::max2: {
        const value a = eval(nd.a), b = eval(nd.b);
        if (a.absent() || b.absent()) return {};
        const bool first = nd.code == op::min2 ? !(b.num() < a.num()) : !(b.num() > a.num());
        return first ? a : b;
      }
      case op::present:
        return value::boolean(!eval(nd.a).absent());
      case op::coalesce: {
        const value a = eval(nd.a);
        return a.absent() ? eval(nd.b) : a;
      }
      case op::decimals: {
        const value x = eval(nd.a);
        if (x.absent()) return {};
        return value::number(decimal::from_int(x.num().scale()));
      }
      case op::one: {
        value found;
        std::int64_t count = 0;
        auto body = [&](const value& e) {
          if (count++ == 0) found = e;
          return count < 2;
        };
        stream(nd.a, element_sink(body));
        if (count != 1)
          fail(n, count == 0 ? "one() found no element" : "one() found more than one element");
        return found;
      }
      case op::len: {
        const value s = eval(nd.a);
        if (s.absent()) return {};
        return value::number(decimal::from_int(dsl::count_code_points(s.str())));
      }
    }
    return {};
  }

  [[gnu::always_inline]] value product(std::uint32_t n, const node& nd) {
    const value a = eval(nd.a), b = eval(nd.b);
    if (a.absent() || b.absent()) return {};
    decimal v, r;
    const bool ok = multiply_values(a, b, v, r);
    return number_result(n, ok, v, r);
  }

  // a * b of two present numbers with the radius of the result; false on overflow.
  static bool multiply_values(const value& a, const value& b, decimal& v, decimal& r) {
    r = decimal{};
    bool ok = multiply(a.num(), b.num(), v);
    if (ok && !(a.radius().is_zero() && b.radius().is_zero())) {
      // |a|·rb + |b|·ra + ra·rb bounds the product's deviation.
      decimal t1, t2, t3, s;
      ok = multiply(a.num().abs(), b.radius(), t1) && multiply(b.num().abs(), a.radius(), t2) &&
           multiply(a.radius(), b.radius(), t3) && add(t1, t2, s) && add(s, t3, r);
    }
    return ok;
  }

  // round(x, d) / round_even(x, d) of the evaluated operands.
  value rounded(std::uint32_t n, const node& nd, const value& x, const value& d) const {
    if (x.absent() || d.absent()) return {};
    const int digits = small_int(nd.b, d, 0, decimal::max_scale);
    decimal v;
    const bool ok = x.num().round(digits, nd.code == op::round ? rounding::half_away_from_zero
                                                             : rounding::half_even, v);
    return number_result(n, ok, v, x.radius().is_zero() ? decimal{} : half_unit(digits));
  }

  // round(a * b, d): the product evaluated in place of eval() of the multiply node (its step
  // counted first, as eval() would).
  value round_of_product(std::uint32_t n, const node& nd) {
    step();  // the product
    const value x = product(nd.a, p_.nodes[nd.a]);
    const value d = eval(nd.b);
    return rounded(n, nd, x, d);
  }

  // ------------------------------------------------------------------------------------------
  // Shortcuts (see shape)


  // A field of a variable, or a first-year amount of a declared column of a variable.
  bool is_variable_read(const node& nd) const {
    return (nd.code == op::field || nd.code == op::amount) && p_.nodes[nd.a].code == op::variable;
  }

  shape shape_of(const node& nd) const {
    switch (nd.code) {
      // Leaves are as cheap as a cache lookup; lists live in per-rule scratch storage.
      case op::constant: case op::param: case op::definition: case op::variable: case op::collection:
      case op::all_records: case op::years: case op::first_year: case op::columns: case op::root:
        return shape::general;
      default:
        break;
    }
    if (nd.invariant && nd.result.kind != type_kind::list) return shape::cached_invariant;
    if (nd.code == op::field && p_.nodes[nd.a].code == op::variable) return shape::field_of_variable;
    if (nd.code == op::amount && p_.nodes[nd.a].code == op::variable) return shape::amount_of_variable;
    if ((nd.code == op::amount_dynamic || nd.code == op::amount_dynamic_year) &&
        p_.nodes[nd.a].code == op::variable && p_.nodes[nd.b].code == op::variable)
      return shape::column_of_variable;
    if (nd.code == op::present && is_variable_read(p_.nodes[nd.a])) return shape::present_of_read;
    if (nd.code == op::present && is_column_of_variable(p_.nodes[nd.a])) return shape::present_of_column;
    if (nd.code == op::decimals &&
        (is_variable_read(p_.nodes[nd.a]) || is_column_of_variable(p_.nodes[nd.a])))
      return shape::decimals_of_read;
    if (nd.code == op::count && p_.nodes[nd.a].code == op::field && p_.nodes[p_.nodes[nd.a].a].code == op::variable)
      return shape::count_of_field;
    if (nd.code == op::sum && p_.nodes[nd.a].code == op::comprehension) return shape::sum_of_comprehension;
    if ((nd.code == op::round || nd.code == op::round_even) && p_.nodes[nd.a].code == op::multiply &&
        shape_of(p_.nodes[nd.a]) == shape::general)
      return shape::round_of_product;
    if (nd.code == op::equal || nd.code == op::not_equal) {
      auto text_operand = [&](std::uint32_t o) {
        const node& on = p_.nodes[o];
        if (on.result.kind != type_kind::string) return false;
        return on.code == op::constant || (on.code == op::field && p_.nodes[on.a].code == op::variable);
      };
      if (text_operand(nd.a) && text_operand(nd.b)) return shape::text_comparison;
    }
    return shape::general;
  }

  // The cell a variable read (is_variable_read) stands for, or null when it reads nothing (the
  // variable is not a record, the column is not in the proposal, the record has no amounts).
  const cell* read_cell(const node& nd) const {
    const value& rec = vars_[p_.nodes[nd.a].a];
    if (rec.kind != vk::record) return nullptr;
    const auto& t = doc_.table_of(rec.type);
    if (nd.code == op::field) return &t.at(rec.index, nd.b);
    const int col = column_map_[nd.b];
    if (col < 0 || !t.has_amounts()) return nullptr;
    return &t.at(rec.index, t.amount_slot(static_cast<std::uint32_t>(col), 0));
  }

  bool is_column_of_variable(const node& nd) const {
    return (nd.code == op::amount_dynamic || nd.code == op::amount_dynamic_year) &&
           p_.nodes[nd.a].code == op::variable && p_.nodes[nd.b].code == op::variable;
  }

  // amount() for a record variable and a column variable: reads both in place instead of
  // copying them through eval(), counting the same steps in the same order.
  value column_of_variable(const node& nd) {
    const cell* c = column_cell(nd);
    return c == nullptr ? value{} : from_amount(*c);
  }

  // The cell a column_of_variable node reads (after the node's own step), or null when it
  // reads nothing. Counts the steps of the variables (and of the year, if any).
  const cell* column_cell(const node& nd) {
    step();  // the record variable
    const value& rec = vars_[p_.nodes[nd.a].a];
    if (rec.kind != vk::record) return nullptr;
    step();  // the column variable
    const value& c = vars_[p_.nodes[nd.b].a];
    if (c.kind != vk::column) return nullptr;
    const int col = column_map_[c.index];
    if (col < 0) return nullptr;
    // Copied before the year is evaluated, which may bind other variables.
    const std::uint8_t type = rec.type;
    const std::uint32_t row = rec.index;
    std::uint32_t year = 0;
    if (nd.code == op::amount_dynamic_year) {
      const value y = eval(nd.c);
      if (y.kind != vk::number) return nullptr;
      const int yi = year_index(y);
      if (yi < 0) return nullptr;
      year = static_cast<std::uint32_t>(yi);
    }
    const auto& t = doc_.table_of(type);
    if (!t.has_amounts()) return nullptr;
    return &t.at(row, t.amount_slot(static_cast<std::uint32_t>(col), year));
  }

  // decimals(x) of a read of a variable (v.field, v.column, v[c], v[c][year]): the scale of the
  // value the read gives (0 for a value that is not a number), without building it.
  value decimals_of_read(const node& rd) {
    step();  // the read
    const cell* c;
    if (rd.code == op::field || rd.code == op::amount) {
      step();  // the variable
      c = read_cell(rd);
    } else {
      c = column_cell(rd);
    }
    if (c == nullptr || !c->present()) return {};
    return value::number(decimal::from_int(c->kind == cell_kind::number ? c->scale : 0));
  }

  // count(v.field): the records of a records cell (0 for any other value), as iterating the
  // field's value would count them.
  value count_of_field(const node& rd) {
    steps_ += 2;  // the field and its variable
    if (steps_ > options_.max_steps) throw budget_exceeded{};
    const value& rec = vars_[p_.nodes[rd.a].a];
    std::int64_t count = 0;
    if (rec.kind == vk::record) {
      const cell& c = doc_.table_of(rec.type).at(rec.index, rd.b);
      if (c.kind == cell_kind::records) count = static_cast<std::int64_t>(doc_.records(c).size());
    }
    return value::number(decimal::from_int(count));
  }

  value sum_of_comprehension(std::uint32_t n, const node& nd) {
    decimal total{}, radius{};
    bool ok = true;
    stream_comprehension(nd.a, [&](const value& e) {
      if (e.kind == vk::number) ok = ok && add(total, e.num(), total) && add(radius, e.radius(), radius);
      return ok;
    });
    return number_result(n, ok, total, radius);
  }

  // `a == b` / `a != b` on text operands, comparing the texts in place.
  value text_comparison(const node& nd) {
    enum { absent, text, other };
    auto operand = [&](std::uint32_t o, std::string_view& out) {
      const node& on = p_.nodes[o];
      if (on.code == op::constant) {
        step();
        out = p_.constants[on.a].text;
        return text;
      }
      steps_ += 2;  // the field and its variable
      if (steps_ > options_.max_steps) throw budget_exceeded{};
      const cell* c = read_cell(on);
      if (c == nullptr || !c->present()) return absent;
      if (c->kind != cell_kind::text) return other;
      out = doc_.text(*c);
      return text;
    };
    std::string_view a, b;
    const int ka = operand(nd.a, a), kb = operand(nd.b, b);
    if (ka == absent || kb == absent) return {};
    if (ka == other || kb == other) {  // not expected for text fields; the general comparison
      auto as_value = [&](std::uint32_t o) {
        const node& on = p_.nodes[o];
        if (on.code == op::constant) return from_constant(p_.constants[on.a]);
        const auto& rec = vars_[p_.nodes[on.a].a];
        const auto& t = doc_.table_of(rec.type);
        return from_cell(t, t.at(rec.index, on.b), static_cast<int>(on.b), on.result.element_record);
      };
      return compare(nd, as_value(nd.a), as_value(nd.b), nullptr);
    }
    return value::boolean((a == b) == (nd.code == op::equal));
  }

  // An invariant node's value, computed on first use and kept for the evaluation. A later use
  // counts the steps the first one took, so the evaluation budget runs out exactly as without
  // the cache. Failures are not kept: each use fails again, as before.
  [[gnu::noinline]] value cached(std::uint32_t n, const node& nd) {
    auto& entry = cache_[n];
    if (entry.ready) {
      steps_ += entry.steps - 1;
      if (steps_ > options_.max_steps) throw budget_exceeded{};
      return entry.v;
    }
    const std::uint64_t before = steps_ - 1;
    entry.v = eval_general(n, nd);
    entry.steps = steps_ - before;
    entry.ready = true;
    return entry.v;
  }

  int small_int(std::uint32_t n, const value& v, int lo, int hi) const {
    if (v.num().significant_scale() != 0) fail(n, "expected a whole number of decimals");
    decimal whole;
    if (!v.num().round(0, rounding::toward_zero, whole) || whole.coefficient() < lo || whole.coefficient() > hi)
      fail(n, fmt::format("the number of decimals must be between {} and {}", lo, hi));
    return static_cast<int>(whole.coefficient());
  }

  decimal quotient_radius(std::uint32_t n, const value& a, const value& b, decimal center) const {
    decimal blo, bhi, alo, ahi;
    if (!subtract(b.num().abs(), b.radius(), blo) || blo.is_negative() || blo.is_zero())
      fail(n, "the divisor's rounding interval contains zero");
    (void)bhi;
    decimal worst{};
    for (int sa : {-1, 1}) {
      for (int sb : {-1, 1}) {
        decimal x, y, q, d;
        const bool ok = (sa < 0 ? subtract(a.num(), a.radius(), x) : add(a.num(), a.radius(), x)) &&
                        (sb < 0 ? subtract(b.num(), b.radius(), y) : add(b.num(), b.radius(), y)) &&
                        divide(x, y, 12, q) && subtract(q, center, d);
        if (!ok) fail(n, "number too large for an exact decimal");
        if (d.abs() > worst) worst = d.abs();
      }
    }
    (void)alo;
    (void)ahi;
    return worst;
  }

  value compare(const node& nd, const value& a, const value& b, bool* by_rounding) const {
    if (a.absent() || b.absent()) return {};
    switch (nd.code) {
      case op::equal: return value::boolean(same(a, b));
      case op::not_equal: return value::boolean(!same(a, b));
      case op::less: return value::boolean(a.num() < b.num());
      case op::less_equal: return value::boolean(a.num() <= b.num());
      case op::greater: return value::boolean(a.num() > b.num());
      case op::greater_equal: return value::boolean(a.num() >= b.num());
      case op::approx_equal: {
        if (a.num() == b.num()) return value::boolean(true);
        decimal diff, slack;
        if (!subtract(a.num(), b.num(), diff) || !add(a.radius(), b.radius(), slack))
          return value::boolean(false);
        const bool ok = diff.abs() <= slack;
        if (ok && by_rounding) *by_rounding = true;
        return value::boolean(ok);
      }
      case op::within: {
        if (a.num() == b.num()) return value::boolean(true);
        // The tolerance is evaluated in the current bindings: nd.c.
        const value t = const_cast<evaluator*>(this)->eval(nd.c);
        if (t.absent()) return {};
        decimal diff;
        if (!subtract(a.num(), b.num(), diff)) return value::boolean(false);
        const bool ok = diff.abs() <= t.num();
        if (ok && by_rounding) *by_rounding = true;
        return value::boolean(ok);
      }
      default:
        return {};
    }
  }

  value from_constant(const constant_value& c) const {
    switch (c.t.kind) {
      case type_kind::number: return value::number(c.number);
      case type_kind::string: return value::text(c.text);
      case type_kind::boolean: return value::boolean(c.flag);
      default: return {};
    }
  }

  // A cell as a value. `field` is the record field it belongs to (-1 for an amount); `nested`
  // the record type of a records cell (known statically from the node's type).
  value from_cell(const table& t, const cell& c, int field, std::uint8_t nested = 0) const {
    switch (c.kind) {
      case cell_kind::absent: return {};
      case cell_kind::text: return value::text(doc_.text(c));
      case cell_kind::boolean: return value::boolean(c.flag());
      case cell_kind::number: {
        const bool rounded = field < 0 || t.def().fields[static_cast<std::size_t>(field)].reported;
        return value::number(c.number(), rounded ? half_unit(c.decimals) : decimal{});
      }
      case cell_kind::records: {
        const auto rows = doc_.records(c);
        value v;
        v.kind = vk::rows;
        v.type = nested;
        v.ptr = rows.data();
        v.index = static_cast<std::uint32_t>(rows.size());
        return v;
      }
    }
    return {};
  }

  // from_cell() for an amount cell.
  value from_amount(const cell& c) const {
    switch (c.kind) {
      case cell_kind::absent: return {};
      case cell_kind::text: return value::text(doc_.text(c));
      case cell_kind::boolean: return value::boolean(c.flag());
      case cell_kind::number: return value::number(c.number(), half_unit(c.decimals));
      case cell_kind::records: {
        const auto rows = doc_.records(c);
        value v;
        v.kind = vk::rows;
        v.ptr = rows.data();
        v.index = static_cast<std::uint32_t>(rows.size());
        return v;
      }
    }
    return {};
  }

  value amount(const node& nd) {
    const value rec = eval(nd.a);
    if (rec.kind != vk::record) return {};
    std::uint32_t declared = nd.b;
    if (nd.code == op::amount_dynamic || nd.code == op::amount_dynamic_year) {
      const value c = eval(nd.b);
      if (c.kind != vk::column) return {};
      declared = c.index;
    }
    const int col = column_map_[declared];
    if (col < 0) return {};
    std::uint32_t year = 0;
    if (nd.code == op::amount_year || nd.code == op::amount_dynamic_year) {
      const value y = eval(nd.c);
      if (y.kind != vk::number) return {};
      const int yi = year_index(y);
      if (yi < 0) return {};
      year = static_cast<std::uint32_t>(yi);
    }
    const auto& t = doc_.table_of(rec.type);
    if (!t.has_amounts()) return {};
    return from_cell(t, t.at(rec.index, t.amount_slot(static_cast<std::uint32_t>(col), year)), -1);
  }

  value list_of(const std::vector<value>& values) const {
    value v;
    v.kind = vk::list;
    v.ptr = values.data();
    v.index = static_cast<std::uint32_t>(values.size());
    return v;
  }

  using text_index = text_map<std::vector<value>>;

  // The elements of a join's (invariant) source grouped by their join field; built on first use
  // and kept for the evaluation. Absent or non-text keys are left out: they never match.
  const text_index& join_index(std::uint32_t comprehension) {
    auto& slot = join_indexes_[comprehension];
    if (slot) return *slot;
    const auto& info = p_.comprehensions[comprehension];
    // Many rules join the same table on the same field (`transfers where t.from == …`,
    // `all_items where i.channel == …`); they share one index. A comprehension that did not build
    // it is charged the steps building would have taken, so the budget runs out as before.
    const std::uint64_t key = shared_join_key(info);
    if (key != 0) {
      if (auto it = shared_joins_.find(key); it != shared_joins_.end()) {
        steps_ += it->second.steps;
        if (steps_ > options_.max_steps) throw budget_exceeded{};
        built_.push_back({comprehension, false, 0});
        return *(slot = it->second.index);
      }
    }
    auto index = std::make_shared<text_index>();
    const std::uint64_t before = steps_;
    if (key != 0) {
      build_row_join(info, *index);
    } else {
      const value saved = vars_[info.slot];
      auto add = [&](const value& e) {
        vars_[info.slot] = e;
        const value k = eval(info.join_read);
        if (k.kind == vk::text) (*index)[k.str()].push_back(e);
        return true;
      };
      stream(info.source, element_sink(add));
      vars_[info.slot] = saved;
    }
    if (key != 0) shared_joins_[key] = {index, steps_ - before};
    built_.push_back({comprehension, false, key});
    return *(slot = std::move(index));
  }

  // Joins whose source is a whole table (a collection or all rows of a record type) and whose
  // join read is a field of the loop variable: such an index depends only on (table, field).
  // Returns a key naming that pair, or 0 when the join has another shape.
  std::uint64_t shared_join_key(const comprehension_info& info) const {
    const node& src = p_.nodes[info.source];
    const node& read = p_.nodes[info.join_read];
    if (src.code != op::collection && src.code != op::all_records) return 0;
    if (codes_[info.join_read] != code(shape::field_of_variable) || p_.nodes[read.a].a != info.slot) return 0;
    return (std::uint64_t{1} << 63) | (std::uint64_t{src.code == op::collection} << 62) |
           (std::uint64_t{src.a} << 32) | read.b;
  }

  // Builds a shared_join_key() index straight from the table's cells. Same index and the same
  // steps as streaming the source and evaluating the read per element: one for the source, two
  // per row (the field and its variable).
  void build_row_join(const comprehension_info& info, text_index& index) {
    const node& src = p_.nodes[info.source];
    const node& read = p_.nodes[info.join_read];
    std::span<const std::uint32_t> rows;
    int type;
    if (src.code == op::collection) {
      rows = doc_.collection(static_cast<int>(src.a));
      type = src.result.element_record;
    } else {
      rows = all_rows_[src.a];
      type = static_cast<int>(src.a);
    }
    steps_ += 1 + 2 * std::uint64_t{rows.size()};
    if (steps_ > options_.max_steps) throw budget_exceeded{};
    const auto& t = doc_.table_of(type);
    // Rows with equal keys tend to come together (a section's rows): reuse the last bucket.
    std::string_view last_key;
    std::vector<value>* last = nullptr;
    for (const auto row : rows) {
      const cell& c = t.at(row, read.b);
      if (c.kind != cell_kind::text) continue;
      const std::string_view k = doc_.text(c);
      if (last == nullptr || k != last_key) {
        last = &index[k];
        last_key = k;
      }
      last->push_back(value::record(type, row));
    }
  }

  // Membership in an invariant list of texts, from a hash set built on first use. Returns
  // nullptr when the list holds anything but texts (then the caller scans).
  const text_map<char>* text_set(std::uint32_t list_node) {
    if (text_set_built_[list_node]) return text_sets_[list_node].get();
    auto set = std::make_unique<text_map<char>>();
    bool all_text = true;
    auto add = [&](const value& e) {
      if (e.kind != vk::text) {
        all_text = false;
        return false;
      }
      (*set)[e.str()] = 1;
      return true;
    };
    stream(list_node, element_sink(add));
    if (!all_text) set.reset();
    built_.push_back({list_node, true, 0});
    text_set_built_[list_node] = true;
    return (text_sets_[list_node] = std::move(set)).get();
  }

  // stream() of a comprehension node with the sink called directly: the same evaluations and
  // steps in the same order.
  template <class F>
  void stream_comprehension(std::uint32_t n, F&& sink) {
    const node& nd = p_.nodes[n];
    if (++steps_ > options_.max_steps) throw budget_exceeded{};
    const auto& info = p_.comprehensions[nd.a];
    auto body = [&](const value& e) -> bool {
      vars_[info.slot] = e;
      if (info.filter != no_node) {
        const value f = eval(info.filter);
        if (f.kind != vk::boolean || !f.flag) return true;
      }
      return sink(eval(info.element));
    };
    if (info.join_read != no_node) {
      // Only the elements whose join field equals the key can pass the filter.
      const value key = eval(info.join_key);
      if (key.kind != vk::text) return;  // absent (unknown) or not text: nothing matches
      const auto& index = join_index(nd.a);
      const auto* hit = index.find(key.str());
      if (hit == nullptr) return;
      for (const auto& e : *hit)
        if (!body(e)) return;
      return;
    }
    const op source_op = p_.nodes[info.source].code;
    if (source_op == op::comprehension || source_op == op::list) {
      stream(info.source, element_sink(body));
      return;
    }
    const value list = eval(info.source);
    if (list.kind == vk::rows) {
      const auto* rows = static_cast<const std::uint32_t*>(list.ptr);
      for (std::uint32_t i = 0; i < list.index; ++i)
        if (!body(value::record(list.type, rows[i]))) return;
    } else if (list.kind == vk::list) {
      const auto* values = static_cast<const value*>(list.ptr);
      for (std::uint32_t i = 0; i < list.index; ++i)
        if (!body(values[i])) return;
    }
  }

  // Feeds the elements of a list value to the sink.
  void iterate(const value& list, element_sink sink) {
    if (list.kind == vk::rows) {
      const auto* rows = static_cast<const std::uint32_t*>(list.ptr);
      for (std::uint32_t i = 0; i < list.index; ++i)
        if (!sink(value::record(list.type, rows[i]))) return;
    } else if (list.kind == vk::list) {
      const auto* values = static_cast<const value*>(list.ptr);
      for (std::uint32_t i = 0; i < list.index; ++i)
        if (!sink(values[i])) return;
    }
  }

  // Feeds the elements of a list-valued node to the sink without materialising comprehensions
  // and list literals.
  void stream(std::uint32_t n, element_sink sink) {
    const node& nd = p_.nodes[n];
    if (nd.code == op::comprehension) {
      stream_comprehension(n, sink);
      return;
    }
    if (nd.code == op::list) {
      for (std::uint32_t i = 0; i < nd.b; ++i)
        if (!sink(eval(p_.arguments[nd.a + i]))) return;
      return;
    }
    iterate(eval(n), sink);
  }

  // ------------------------------------------------------------------------------------------
  // Observers (evaluate_options::observer): only on the scalar path, never in eval().

  class probe final : public binding_probe {
   public:
    explicit probe(evaluator& e) : e_(e) {}

    probed_value value_of(std::uint32_t n) override {
      probed_value out;
      e_.probing([&] { out.value = record(n, e_.eval(n), true); }, out.error);
      return out;
    }
    value_ref place_of(std::uint32_t n) override {
      value_ref ref;
      std::string error;
      if (is_read(e_.p_, n)) e_.probing([&] { ref = e_.reference(n); }, error);
      return ref;
    }
    recorded_value variable(std::uint32_t slot) override { return record(no_node, e_.vars_[slot], true); }
    std::vector<recorded_value> elements_of(std::uint32_t n) override {
      std::vector<recorded_value> out;
      std::string error;
      e_.probing(
          [&] {
            auto add = [&](const value& v) {
              out.push_back(record(no_node, v, true));
              return true;
            };
            e_.stream(n, element_sink(add));
          },
          error);
      return out;
    }
    bool each_element(std::uint32_t n, const std::function<void(binding_probe&)>& visit) override {
      const auto& info = e_.p_.comprehensions[e_.p_.nodes[n].a];
      std::vector<value> elements;  // copied: the source may live in scratch storage
      std::string error;
      e_.probing([&] { elements = e_.elements(e_.eval(info.source)); }, error);
      if (!error.empty()) return false;
      const value saved = e_.vars_[info.slot];
      for (const auto& el : elements) {
        e_.vars_[info.slot] = el;
        visit(*this);
      }
      e_.vars_[info.slot] = saved;
      return true;
    }

   private:
    evaluator& e_;
  };

  // Runs f with a budget of its own, so probing neither spends nor exhausts the rule's.
  template <class F>
  void probing(F&& f, std::string& error) {
    const std::uint64_t steps = steps_;
    steps_ = 0;
    try {
      f();
    } catch (const eval_error& e) {
      error = e.message;
    } catch (const budget_exceeded&) {
      error = "the evaluation budget was exhausted (--max-steps)";
    }
    steps_ = steps;
  }

  std::vector<value> elements(const value& list) {
    std::vector<value> out;
    auto add = [&](const value& v) {
      out.push_back(v);
      return true;
    };
    iterate(list, element_sink(add));
    return out;
  }

  void observe_filter(const rule_run& run, std::size_t depth, bool passed) {
    probe pr(*this);
    options_.observer->filtered(static_cast<std::uint32_t>(run.rule), static_cast<std::uint32_t>(depth), passed, pr);
  }

  // check(), then what it came to, told from the changes it made to the counts.
  void observed_check(rule_run& run) {
    const rule_stats before = run.stats;
    const std::uint64_t errors = run.errors;
    const std::size_t findings = result_.findings.size();
    check(run);
    check_outcome o = check_outcome::skipped;
    std::string error;
    if (run.errors != errors) {
      o = check_outcome::error;
      error = last_error_;
    } else if (run.stats.failed != before.failed) {
      o = check_outcome::failed;
    } else if (run.stats.rounding != before.rounding) {
      o = check_outcome::rounding;
    } else if (run.stats.passed != before.passed) {
      o = check_outcome::passed;
    } else if (run.stats.not_applicable != before.not_applicable) {
      o = check_outcome::not_applicable;
    }
    const finding* f = result_.findings.size() != findings ? &result_.findings.back() : nullptr;
    probe pr(*this);
    options_.observer->checked(static_cast<std::uint32_t>(run.rule), o, f, error, pr);
  }

  const program& p_;
  const proposal& doc_;
  const param_values& params_;
  const evaluate_options& options_;
  evaluation_result& result_;
  std::vector<value> vars_;
  std::vector<value> defs_;
  std::vector<bool> def_failed_;
  std::vector<std::string> def_error_;
  std::vector<std::uint32_t> def_cause_;  // by definition: the failed definition that is the root cause
  std::vector<std::vector<std::uint32_t>> all_rows_;
  std::vector<value> year_values_;
  std::vector<value> column_values_;
  std::vector<int> column_map_;
  std::vector<std::vector<value>> scratch_;      // lists built while checking one rule
  std::vector<std::vector<value>> persistent_;   // lists held by definitions
  std::vector<std::shared_ptr<const text_index>> join_indexes_;  // by comprehension index
  struct shared_join {
    std::shared_ptr<const text_index> index;
    std::uint64_t steps = 0;  // the steps building it took
  };
  std::unordered_map<std::uint64_t, shared_join> shared_joins_;  // by shared_join_key()
  std::vector<std::unique_ptr<text_map<char>>> text_sets_;  // by list node; null: not all texts
  std::vector<bool> text_set_built_;                        // by list node
  std::uint64_t steps_ = 0;
  bool budget_hit_ = false;  // a rule ran out of budget (see evaluate_rule_alone)
  // Batched evaluation (see loop_batched).
  static constexpr std::uint32_t no_lane = 0xffffffffu;
  batch batch_;
  std::vector<value> next_;
  std::vector<int> slot_level_;          // by variable slot: the rule loop binding it, or -1
  std::vector<std::uint32_t> loop_slots_;  // by loop level: its variable slot
  std::uint32_t batch_levels_ = 0;
  std::uint32_t bound_lane_ = no_lane;   // the binding vars_ holds, if any
  std::vector<std::vector<value>> temps_;
  std::size_t temp_depth_ = 0;
  std::deque<std::vector<std::uint32_t>> sels_;  // stable references while nested
  std::vector<std::vector<const cell*>> cell_temps_;
  std::size_t cell_depth_ = 0;
  std::size_t sel_depth_ = 0;
  std::vector<std::uint32_t> all_lanes_;
  // Indexes built while a chunk ran, undone with it so that the scalar rerun is charged for
  // building them as before: (comprehension or list node, is a text set, shared join key).
  struct built_index {
    std::uint32_t node;
    bool text_set;
    std::uint64_t shared_key;
  };
  std::vector<built_index> built_;
  std::vector<std::uint8_t> codes_;  // by node: code(op) or code(shape), see eval()
  struct cache_entry {
    value v;
    std::uint64_t steps = 0;  // the steps computing it took
    bool ready = false;
  };
  std::vector<cache_entry> cache_;  // by node; used for shape::cached_invariant
  char decimal_point_ = '.';
  char thousands_ = 0;
  std::string last_error_;  // with an observer: the message of the last binding that failed
};

}  // namespace

namespace {

std::string canonical(const program& p, const proposal& doc, const recorded_value& v) {
  using k = recorded_value::kind;
  switch (v.what) {
    case k::absent: return "absent";
    case k::number: return v.number.to_string();
    case k::boolean: return v.flag ? "true" : "false";
    case k::text: return fmt::format("\"{}\"", v.text);
    case k::record: return record_label(doc, v.record_type, v.index);
    case k::column: return p.columns[v.index];
    case k::list: return fmt::format("a list of {}", v.index);
  }
  return "?";
}

shown_value show(const program& p, const proposal& doc, const recorded_value& v) {
  shown_value s;
  if (v.node == no_node) {  // a variable's value: no expression of its own
    s.role = "computed";
  } else {
    s.expression = std::string(p.text_of(v.node));
    s.role = is_read(p, v.node) ? "reported" : p.nodes[v.node].code == op::constant ? "constant" : "computed";
  }
  s.value = canonical(p, doc, v);
  if (v.interval && v.what == recorded_value::kind::number && !v.radius.is_zero()) {
    decimal lo, hi;
    if (subtract(v.number, v.radius, lo) && add(v.number, v.radius, hi))
      s.interval = std::make_pair(lo.to_string(), hi.to_string());
  }
  return s;
}

}  // namespace

proposal_location describe_place(const program& p, const proposal& doc, const value_ref& ref) {
  proposal_location loc;
  if (ref.record_type < 0) return loc;
  const auto& t = doc.table_of(ref.record_type);
  if (ref.slot == value_ref::no_slot) {
    loc.pointer = doc.json_pointer(ref.record_type, ref.row);
    loc.path = doc.dotted_path(ref.record_type, ref.row);
    loc.offset = t.origin_of(ref.row).offset;
  } else {
    loc.pointer = doc.json_pointer(ref.record_type, ref.row, ref.slot);
    loc.path = doc.dotted_path(ref.record_type, ref.row, ref.slot);
    const auto& c = t.at(ref.row, ref.slot);
    loc.offset = c.offset;  // the value, the null written in its place, or its record
  }
  const auto at = doc.locate(loc.offset);  // in the proposal, or in a table's mapping
  if (*at.source != doc.source()) {
    loc.source = *at.source;
    loc.file = loc.source->path();
  }
  loc.offset = at.offset;
  const auto pos = (*at.source)->locate(loc.offset);
  loc.line = pos.line;
  loc.column = pos.column;
  auto text_field = [&](const char* name) -> std::string {
    const int f = t.def().field_index(name);
    if (f < 0) return {};
    const auto& c = t.at(ref.row, static_cast<std::uint32_t>(f));
    return c.kind == cell_kind::text ? std::string(doc.text(c)) : std::string();
  };
  loc.item_id = text_field("id");
  loc.item_name = text_field("name");
  if (ref.column >= 0) loc.column_id = p.columns[static_cast<std::size_t>(ref.column)];
  if (ref.year >= 0) loc.year = doc.years()[static_cast<std::size_t>(ref.year)];
  return loc;
}

shown_value describe_value(const program& p, const proposal& doc, const recorded_value& v) {
  return show(p, doc, v);
}

finding_details describe(const program& p, const proposal& doc, const finding& f) {
  const auto& rule = p.rules[f.rule];
  finding_details d;
  d.rule = rule.id;
  d.severity = f.severity;
  d.kind = f.kind;
  d.title = rule.title;
  d.message = f.message.empty() ? rule.title : f.message;
  d.reason = f.reason;
  d.cause = f.cause;
  if (f.cause == finding::cause_kind::definition) {
    const auto& def = p.definitions[f.cause_definition];
    d.cause_definition = def.name;
    d.cause_source = p.sources[def.file];
    d.cause_where = def.where;
    const auto at = d.cause_source->locate(def.where.begin);
    d.cause_at = {d.cause_source->path(), at.line, at.column};
  }
  const auto& src = p.sources[rule.file];
  const auto pos = src->locate(rule.where.begin);
  d.rule_at = {src->path(), pos.line, pos.column};
  d.where = describe_place(p, doc, f.where);
  for (std::uint8_t i = 0; i < f.value_count; ++i) d.values.push_back(show(p, doc, f.values[i]));
  if (f.value_count == 2 && f.values[0].what == recorded_value::kind::number &&
      f.values[1].what == recorded_value::kind::number) {
    decimal diff;
    if (subtract(f.values[0].number, f.values[1].number, diff)) d.difference = diff.to_string();
  }
  return d;
}

std::vector<finding_details> describe(const program& p, const proposal& doc, const evaluation_result& r,
                                      bool include_notes) {
  std::vector<finding_details> out;
  out.reserve(r.findings.size());
  for (const auto& f : r.findings)
    if (include_notes || f.severity != dsl::level::note) out.push_back(describe(p, doc, f));
  return out;
}

evaluation_result evaluate(const program& p, const proposal& doc, const param_values& params,
                           const evaluate_options& options) {
  evaluation_result result;
  evaluator(p, doc, params, options, result).run();
  return result;
}

}  // namespace fundcheck::engine
