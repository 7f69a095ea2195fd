// fundcheck impact: which definitions and rules depend on one field of the proposal, i.e. what
// must be checked again when it changes (engine/rule_graph.hpp).

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fundcheck/engine/rule_graph.hpp"
#include "fundcheck/engine/rule_set.hpp"
#include "fundcheck/engine/text_util.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fundcheck::app {
namespace {

const std::vector<option_spec> impact_options = {
    {"rules", 'r', true, true, "FILE|DIR", "rule file or directory of *.rules (repeatable; default: ./rules)"},
    {"format", 'f', true, false, "text|json", "output format (default: text)"},
    {"color", 0, true, false, "auto|always|never", "colour in diagnostics (default: auto)"},
    {"help", 'h', false, false, "", "show this help"},
};

const char* const impact_help = R"(Usage: fundcheck impact [OPTIONS] FIELD

Lists the definitions and rules that read FIELD of a proposal, directly or through
other definitions: what must be checked again when it changes. In file order, each
with its place in the rule file.

FIELD is a path into the proposal, as findings show it:
  items[3].amounts.region        an amount column of a row (any row: rules read every row)
  items[0].subitems[1].channel   a field of a sub-item
  consequences.salaries.2027     an amount of a budget form (any year: rules read every year)
  /items/3/amounts/region        the same as a JSON pointer
  item.amounts.region            the form the graph labels fields with (item.region too)
  items[3]                       every field and amount of a row, and which rows there are
  items, years, title            the rows of a table, the years, a field of the document

Exit codes: 0 answered (also when nothing reads the field); 2 FIELD names no part of the
proposals the rules check, the rules do not compile, or the command line is wrong.

Options:
)";

struct dependent {
  std::uint32_t node = 0;
  bool direct = false;
  std::vector<std::string> via;  // definitions it depends on that depend on the field
};

}  // namespace

int run_impact(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, impact_options, error);
  if (!args) return usage_error("impact", error);
  if (args->has("help")) {
    std::cout << impact_help << options_help(impact_options);
    return 0;
  }
  const std::string format = args->last("format").value_or("text");
  if (format != "text" && format != "json")
    return usage_error("impact", fmt::format("--format must be text or json, got '{}'", format));
  const bool color = want_color(args->last("color"), STDERR_FILENO, error);
  if (!error.empty()) return usage_error("impact", error);
  if (args->positional.empty()) return usage_error("impact", "no FIELD given, e.g. items[3].amounts.region");
  if (args->positional.size() > 1)
    return usage_error("impact", fmt::format("one FIELD at a time; got '{}' and '{}'", args->positional[0],
                                             args->positional[1]));
  const std::string field = args->positional.front();
  const auto roots = rule_roots(*args, error);
  if (!error.empty()) return usage_error("impact", error);

  auto compiled = engine::compile_rule_set(roots);
  dsl::render_options ro;
  ro.color = color;
  dsl::render_text(std::cerr, compiled.diagnostics, ro);
  if (!compiled.ok()) return 2;
  if (compiled.value->programs.empty())
    return usage_error("impact", fmt::format("no *.rules file in {}: there are no rules to {}", describe_roots(roots),
                                          "search"));
  const auto& rules = *compiled.value;

  std::vector<const engine::program*> programs;
  for (const auto& p : rules.programs) programs.push_back(p.get());
  const auto g = engine::build_rule_graph(programs, true);

  // The field in each format's terms; a format whose proposals have no such field is skipped.
  std::vector<std::pair<std::uint32_t, engine::path_resolution>> resolved;
  std::vector<engine::path_resolution> failed;
  std::vector<std::uint32_t> failed_program;
  for (std::uint32_t k = 0; k < programs.size(); ++k) {
    auto r = engine::resolve_proposal_path(*programs[k], field);
    if (r.inputs.empty()) {
      failed.push_back(std::move(r));
      failed_program.push_back(k);
      continue;
    }
    resolved.emplace_back(k, std::move(r));
  }
  if (resolved.empty()) {
    // Say why once when every format says the same; else prefer the formats where the path got
    // further, then those with a suggestion.
    auto keep = [&](auto pred) {
      std::vector<std::size_t> out;
      for (std::size_t i = 0; i < failed.size(); ++i)
        if (pred(failed[i])) out.push_back(i);
      return out;
    };
    std::vector<std::size_t> shown = keep([](const auto& r) { return !r.unknown_start; });
    if (shown.empty()) shown = keep([](const auto& r) { return r.error.find("did you mean") != std::string::npos; });
    if (shown.empty()) shown = keep([](const auto&) { return true; });
    const bool same = std::all_of(shown.begin(), shown.end(),
                                  [&](std::size_t i) { return failed[i].error == failed[shown.front()].error; });
    std::vector<std::string> errors;
    for (auto i : shown) {
      errors.push_back(same || programs.size() == 1
                           ? failed[i].error
                           : fmt::format("in {} proposals, {}", programs[failed_program[i]]->schema_def->format,
                                         failed[i].error));
      if (same) break;
    }
    return usage_error("impact", fmt::format("'{}': {}", field, engine::join(errors, "; ")));
  }

  nlohmann::json json_formats = nlohmann::json::array();
  bool first_block = true;
  for (const auto& [k, res] : resolved) {
    const engine::program& p = *programs[k];
    std::vector<std::uint32_t> starts;
    std::vector<std::string> labels;
    for (const auto& in : res.inputs) {
      labels.push_back(engine::input_label(p, in));
      for (std::uint32_t n = 0; n < g.nodes.size(); ++n)
        if (g.nodes[n].kind == engine::graph_node_kind::input && g.nodes[n].program == k && g.nodes[n].input == in)
          starts.push_back(n);
    }
    std::vector<bool> affected(g.nodes.size(), false);
    for (auto s : starts)
      for (auto d : g.dependents(s)) affected[d] = true;
    std::vector<dependent> found;
    for (std::uint32_t n = 0; n < g.nodes.size(); ++n) {
      if (!affected[n]) continue;
      dependent d;
      d.node = n;
      for (const auto& [from, to] : g.edges) {
        if (to != n) continue;
        if (std::find(starts.begin(), starts.end(), from) != starts.end()) d.direct = true;
        else if (affected[from]) d.via.push_back(g.nodes[from].name);
      }
      found.push_back(std::move(d));
    }
    // File order: the order a reader of the rule files meets them.
    std::sort(found.begin(), found.end(), [&](const dependent& a, const dependent& b) {
      const auto& x = g.nodes[a.node];
      const auto& y = g.nodes[b.node];
      return std::pair(x.source->path(), x.where.begin) < std::pair(y.source->path(), y.where.begin);
    });
    const auto count = [&](engine::graph_node_kind kind) {
      return std::count_if(found.begin(), found.end(), [&](const dependent& d) { return g.nodes[d.node].kind == kind; });
    };
    const auto n_defs = count(engine::graph_node_kind::definition);
    const auto n_rules = count(engine::graph_node_kind::rule);

    if (format == "json") {
      nlohmann::json j;
      j["format"] = std::string(p.schema_def->format);
      j["inputs"] = labels;
      auto& deps = j["dependents"] = nlohmann::json::array();
      for (const auto& d : found) {
        const auto& n = g.nodes[d.node];
        const auto at = n.source->locate(n.where.begin);
        nlohmann::json o{{"kind", std::string(engine::to_string(n.kind))},
                         {"name", n.name},
                         {"file", n.source->path()},
                         {"line", at.line},
                         {"column", at.column},
                         {"direct", d.direct},
                         {"via", d.via}};
        if (n.kind == engine::graph_node_kind::rule) {
          const auto& r = p.rules[n.index];
          o["severity"] = r.severity == dsl::ast::severity::error     ? "error"
                          : r.severity == dsl::ast::severity::warning ? "warning"
                                                                      : "note";
          o["title"] = r.title;
        }
        deps.push_back(std::move(o));
      }
      json_formats.push_back(std::move(j));
      continue;
    }
    if (!first_block) std::cout << '\n';
    first_block = false;
    if (labels.size() == 1 && labels.front() == field)
      std::cout << fmt::format("{} in {} proposals.\n", field, p.schema_def->format);
    else
      std::cout << fmt::format("{} is {} in {} proposals.\n", field, engine::join(labels), p.schema_def->format);
    if (found.empty()) {
      std::cout << "No rule reads it: changing it changes no finding.\n";
      continue;
    }
    std::vector<std::string> counts;
    if (n_defs > 0) counts.push_back(fmt::format("{} definition{}", n_defs, n_defs == 1 ? "" : "s"));
    if (n_rules > 0) counts.push_back(fmt::format("{} rule{}", n_rules, n_rules == 1 ? "" : "s"));
    std::cout << fmt::format("Read by {}; check these again when it changes:\n", engine::join(counts, " and "));
    for (const auto& d : found) {
      const auto& n = g.nodes[d.node];
      const auto at = n.source->locate(n.where.begin);
      std::string line = fmt::format("  {}:{}:{}: ", n.source->path(), at.line, at.column);
      if (n.kind == engine::graph_node_kind::rule) {
        const auto& r = p.rules[n.index];
        line += fmt::format("rule {} \"{}\"", n.name, r.title);
      } else {
        line += fmt::format("definition {}", n.name);
      }
      if (!d.via.empty()) line += fmt::format(" ({}via {})", d.direct ? "directly and " : "", engine::join(d.via));
      std::cout << line << '\n';
    }
  }
  if (format == "json") {
    nlohmann::json j;
    j["field"] = field;
    j["formats"] = std::move(json_formats);
    std::cout << j.dump(2) << '\n';
  }
  return 0;
}

}  // namespace fundcheck::app
