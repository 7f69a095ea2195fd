// fundcheck test: rule tests (*.test.json) with expected findings, optional coverage of the rules
// and of their conditions, as text, JSON or JUnit XML (engine/rule_test.hpp).

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fundcheck/dsl/ansi.hpp"
#include "fundcheck/dsl/format.hpp"
#include "fundcheck/engine/rule_test.hpp"
#include "fundcheck/engine/text_util.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fs = std::filesystem;

namespace fundcheck::app {
namespace {

namespace ansi = dsl::ansi;

const std::vector<option_spec> test_options = {
    {"run", 0, true, false, "PATTERN", "run only the cases whose name matches PATTERN (a regular expression)"},
    {"format", 'f', true, false, "text|json|junit", "output format (default: text); junit: JUnit XML for CI"},
    {"coverage", 0, false, false, "", "report the rules and conditions no case exercised"},
    {"coverage-min", 0, true, false, "P", "fail (exit 1) when less than P % is covered (implies --coverage)"},
    {"color", 0, true, false, "auto|always|never", "colour (default: auto; NO_COLOR is respected)"},
    {"help", 'h', false, false, "", "show this help"},
};

const char* const test_help = R"(Usage: fundcheck test [OPTIONS] [PATH...]

Runs rule tests: every *.test.json file below each PATH (default: ./rules), or the
files given. A test file lists cases; each names a proposal (a file, or the proposal
itself) and the findings the rules must give on it, or the rules that must pass:

  {"rules": "kraeftplan-v.rules",
   "cases": [{"name": "a region amount off the key",
              "proposal": "../examples/broken/key.json",
              "findings": [{"rule": "KPV-KEY-01", "severity": "error",
                            "at": "/items/0/amounts/region"}],
              "passes": ["*"]}]}

A finding of a rule the case names that it does not expect fails the case ("exact":
false allows them). "passes": ["*"] means every rule the case expects no finding of.
The format is described in docs/tools.md.

--coverage lists the rules that never failed or never passed in any case, and every
condition of a rule's `where` filters and `when` that was never true or never false.

Exit codes: 0 every case passed (and coverage is at least --coverage-min); 1 a case
failed, or coverage is below --coverage-min; 2 a test file, its rules or a case's
proposal cannot be read, or the command line is wrong.

Options:
)";

struct file_run {
  fs::path path;
  std::optional<engine::test_file> file;
  std::shared_ptr<const engine::rule_set> rules;
  std::vector<dsl::diagnostic> diagnostics;   // the test file's, and its rules'
  std::vector<std::pair<const engine::test_case*, engine::case_result>> results;
};

std::string plural(std::size_t n, std::string_view word) { return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s"); }

std::string position(const dsl::source_ptr& src, dsl::span where) {
  const auto at = src->locate(where.begin);
  return fmt::format("{}:{}:{}", src->path(), at.line, at.column);
}

std::string stats_words(const engine::rule_stats& s) {
  if (!s.evaluated) return "not evaluated";
  if (s.bindings == 0) return "nothing to check: no binding reached its expectation";
  std::vector<std::string> parts;
  if (s.passed) parts.push_back(fmt::format("{} passed", s.passed));
  if (s.failed) parts.push_back(fmt::format("{} failed", s.failed));
  if (s.rounding) parts.push_back(fmt::format("{} by rounding", s.rounding));
  if (s.not_applicable) parts.push_back(fmt::format("{} not applicable", s.not_applicable));
  return fmt::format("{}: {}", plural(s.bindings, "check"), engine::join(parts));
}

// "error KPV-KEY-01 (violation) at /items/0/amounts/region: Mobile kølehætter, region, 2026"
std::string finding_words(const engine::finding_details& f) {
  std::string out = fmt::format("{} {} ({})", dsl::to_string(f.severity), f.rule,
                                f.kind == engine::finding_kind::not_evaluated ? "not evaluated" : engine::to_string(f.kind));
  out += f.where.pointer.empty() ? " on the whole proposal" : " at " + f.where.pointer;
  std::vector<std::string> what;
  if (!f.where.item_name.empty()) what.push_back(f.where.item_name);
  else if (!f.where.item_id.empty()) what.push_back(f.where.item_id);
  if (!f.where.column_id.empty()) what.push_back(f.where.column_id);
  if (f.where.year) what.push_back(std::to_string(*f.where.year));
  if (!what.empty()) out += ": " + engine::join(what);
  return out;
}

std::vector<std::string> finding_detail_lines(const engine::finding_details& f) {
  std::vector<std::string> out;
  for (const auto& v : f.values) {
    std::string line = fmt::format("{} {} = {}", v.role, dsl::single_line(v.expression), v.value);
    if (v.interval) line += fmt::format("  [{}, {}]", v.interval->first, v.interval->second);
    out.push_back(std::move(line));
  }
  if (f.difference) out.push_back("difference " + *f.difference);
  if (!f.reason.empty()) out.push_back("reason: " + f.reason);
  out.push_back("message: " + f.message);
  return out;
}

// The failure as "expected … / actual …" lines, the values of the actual finding below it.
std::vector<std::string> failure_lines(const engine::case_failure& f) {
  using k = engine::case_failure::kind;
  std::vector<std::string> out;
  auto actual = [&](const engine::finding_details& a) {
    out.push_back("actual:   " + finding_words(a));
    for (const auto& l : finding_detail_lines(a)) out.push_back("            " + l);
  };
  switch (f.what) {
    case k::missing:
      out.push_back("expected: " + engine::describe_expectation(*f.expected));
      if (f.actual) {
        actual(*f.actual);
        for (std::size_t i = 0; i < f.others.size() && i < 3; ++i)
          out.push_back("  also:   " + finding_words(f.others[i]));
        if (f.others.size() > 3) out.push_back(fmt::format("  also:   {} more", f.others.size() - 3));
      } else if (!f.others.empty()) {
        out.push_back(fmt::format("actual:   {} finding{} of {}, each taken by another expectation", f.others.size(),
                                  f.others.size() == 1 ? "" : "s", f.rule));
      } else {
        out.push_back(fmt::format("actual:   no finding of {} ({})", f.rule, stats_words(f.stats)));
      }
      break;
    case k::unexpected:
      out.push_back(fmt::format("expected: no other finding of {}", f.rule));
      actual(*f.actual);
      break;
    case k::not_passed:
      out.push_back(fmt::format("expected: {} passes", f.rule));
      actual(*f.actual);
      break;
  }
  return out;
}

std::string_view failure_kind(engine::case_failure::kind k) {
  switch (k) {
    case engine::case_failure::kind::missing: return "missing";
    case engine::case_failure::kind::unexpected: return "unexpected";
    case engine::case_failure::kind::not_passed: return "not_passed";
  }
  return "?";
}

std::string percent(std::size_t covered, std::size_t total) {
  if (total == 0) return "100.0";
  const std::size_t permille = covered * 1000 / total;  // rounded down: 99.96 % is not 100.0 %
  return fmt::format("{}.{}", permille / 10, permille % 10);
}

std::string goal_words(const engine::coverage_goal& g) {
  if (g.condition.empty()) return fmt::format("{} {} in no case", g.rule, g.outcome);
  return fmt::format("{}: `{}` was never {}", g.rule, dsl::single_line(g.condition), g.outcome);
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

nlohmann::json finding_json(const engine::finding_details& f) {
  nlohmann::json j = {{"rule", f.rule},
                      {"severity", dsl::to_string(f.severity)},
                      {"kind", engine::to_string(f.kind)},
                      {"message", f.message},
                      {"pointer", f.where.pointer},
                      {"path", f.where.path},
                      {"line", f.where.line},
                      {"column", f.where.column}};
  if (!f.where.item_id.empty() || !f.where.item_name.empty())
    j["record"] = {{"id", f.where.item_id}, {"name", f.where.item_name}};
  if (!f.where.column_id.empty()) j["amount_column"] = f.where.column_id;
  if (f.where.year) j["year"] = *f.where.year;
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

nlohmann::json expectation_json(const engine::expected_finding& e) {
  nlohmann::json j = {{"rule", e.rule}};
  if (e.severity) j["severity"] = dsl::to_string(*e.severity);
  if (e.kind) j["kind"] = engine::to_string(*e.kind);
  if (e.at) j["at"] = *e.at;
  if (e.item) j["item"] = *e.item;
  if (e.column) j["column"] = *e.column;
  if (e.year) j["year"] = *e.year;
  if (e.message) j["message"] = *e.message;
  return j;
}

nlohmann::json diagnostics_json(const std::vector<dsl::diagnostic>& diags) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& d : diags) {
    nlohmann::json dj;
    dsl::to_json(dj, d);
    out.push_back(std::move(dj));
  }
  return out;
}

}  // namespace

int run_test(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, test_options, error);
  if (!args) return usage_error("test", error);
  if (args->has("help")) {
    std::cout << test_help << options_help(test_options);
    return 0;
  }
  const std::string format = args->last("format").value_or("text");
  if (format != "text" && format != "json" && format != "junit")
    return usage_error("test", fmt::format("--format must be text, json or junit, got '{}'", format));
  const bool color = want_color(args->last("color"), STDOUT_FILENO, error);
  if (!error.empty()) return usage_error("test", error);
  const bool color_err = want_color(args->last("color"), STDERR_FILENO, error);
  std::optional<double> coverage_min;
  if (auto m = args->last("coverage-min")) {
    char* end = nullptr;
    const double v = std::strtod(m->c_str(), &end);
    if (m->empty() || *end != '\0' || !(v >= 0 && v <= 100))
      return usage_error("test", fmt::format("--coverage-min needs a percentage from 0 to 100, got '{}'", *m));
    coverage_min = v;
  }
  const bool want_coverage = args->has("coverage") || coverage_min.has_value();
  std::optional<std::regex> run_pattern;
  if (auto r = args->last("run")) {
    try {
      run_pattern.emplace(*r, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return usage_error("test", fmt::format("--run '{}' is not a regular expression: {}", *r, e.what()));
    }
  }

  // The test files: *.test.json below directories, files as given.
  std::vector<std::string> roots = args->positional;
  if (roots.empty()) {
    std::error_code ec;
    if (!fs::is_directory("rules", ec))
      return usage_error("test", "no PATH given, and there is no ./rules directory to look for *.test.json in");
    roots.push_back("rules");
  }
  std::vector<fs::path> paths;
  for (const auto& r : roots) {
    std::error_code ec;
    if (fs::is_directory(r, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(r, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec) && it->path().filename().string().ends_with(".test.json"))
          found.push_back(it->path().lexically_normal());
      std::sort(found.begin(), found.end());
      if (found.empty()) return usage_error("test", fmt::format("no *.test.json file in '{}'", r));
      paths.insert(paths.end(), found.begin(), found.end());
    } else {
      paths.emplace_back(r);
    }
  }

  dsl::render_options ro;
  ro.color = color_err;
  std::map<std::string, std::shared_ptr<const engine::rule_set>> compiled;  // by rule roots
  std::vector<file_run> runs;
  bool broken = false;
  std::size_t selected = 0, total_cases = 0;
  for (const auto& path : paths) {
    file_run run;
    run.path = path;
    auto loaded = engine::load_test_file(path);
    run.diagnostics = std::move(loaded.diagnostics);
    if (loaded.value) {
      std::string key;
      for (const auto& r : loaded.value->rules) key += r.generic_string() + "\n";
      auto it = compiled.find(key);
      if (it == compiled.end()) {
        auto c = engine::compile_rule_set(loaded.value->rules);
        if (!c.ok()) {
          run.diagnostics.insert(run.diagnostics.end(), c.diagnostics.begin(), c.diagnostics.end());
          run.diagnostics.push_back(dsl::make_diagnostic(dsl::level::error, "E6007", loaded.value->source,
                                                         loaded.value->rules_where,
                                                         "the rules this test file tests cannot be compiled"));
        } else if (c.value->programs.empty()) {
          run.diagnostics.push_back(dsl::make_diagnostic(dsl::level::error, "E6007", loaded.value->source,
                                                         loaded.value->rules_where,
                                                         "the rules this test file tests hold no *.rules file"));
        }
        it = compiled.emplace(key, c.ok() && !c.value->programs.empty() ? c.value : nullptr).first;
      }
      run.rules = it->second;
      if (run.rules) {
        auto more = engine::check_test_file(*loaded.value, *run.rules);
        run.diagnostics.insert(run.diagnostics.end(), more.begin(), more.end());
      }
      if (run.rules && !dsl::has_errors(run.diagnostics)) run.file = std::move(loaded.value);
    }
    if (dsl::has_errors(run.diagnostics)) broken = true;
    if (run.file) {
      for (const auto& c : run.file->cases) {
        ++total_cases;
        if (!run_pattern || std::regex_search(c.name, *run_pattern)) ++selected;
      }
    }
    runs.push_back(std::move(run));
  }
  if (run_pattern && selected == 0 && total_cases > 0)
    return usage_error("test", fmt::format("no test case matches --run '{}' (of {})", *args->last("run"),
                                           plural(total_cases, "case")));

  engine::coverage cov;
  std::size_t passed = 0, failed = 0, errors = 0;
  for (auto& run : runs) {
    if (!run.file) continue;
    if (want_coverage)
      for (const auto& p : run.rules->programs) cov.add_program(*p);
    for (const auto& c : run.file->cases) {
      if (run_pattern && !std::regex_search(c.name, *run_pattern)) continue;
      auto r = engine::run_case(*run.file, c, *run.rules, want_coverage ? &cov : nullptr);
      switch (r.what) {
        case engine::case_result::status::passed: ++passed; break;
        case engine::case_result::status::failed: ++failed; break;
        case engine::case_result::status::error:
          ++errors;
          broken = true;
          break;
      }
      run.results.emplace_back(&c, std::move(r));
    }
  }
  const std::size_t covered = cov.covered(), goals = cov.total();
  const bool coverage_low = coverage_min && goals > 0 && static_cast<double>(covered) * 100.0 < *coverage_min * static_cast<double>(goals);
  const int code = broken ? 2 : (failed > 0 || coverage_low) ? 1 : 0;

  if (format == "json") {
    nlohmann::json j;
    nlohmann::json files = nlohmann::json::array();
    for (const auto& run : runs) {
      nlohmann::json fj;
      fj["file"] = run.path.generic_string();
      fj["diagnostics"] = diagnostics_json(run.diagnostics);
      nlohmann::json rules = nlohmann::json::array();
      if (run.file)
        for (const auto& r : run.file->rules) rules.push_back(r.generic_string());
      fj["rules"] = rules;
      nlohmann::json cases = nlohmann::json::array();
      for (const auto& [c, r] : run.results) {
        const auto at = run.file->source->locate(c->where.begin);
        nlohmann::json cj = {{"name", c->name}, {"line", at.line}, {"column", at.column}, {"proposal", r.proposal_file}};
        cj["status"] = r.what == engine::case_result::status::passed   ? "passed"
                       : r.what == engine::case_result::status::failed ? "failed"
                                                                       : "error";
        nlohmann::json fails = nlohmann::json::array();
        for (const auto& f : r.failures) {
          nlohmann::json x = {{"kind", failure_kind(f.what)}, {"rule", f.rule}};
          x["expected"] = f.expected ? expectation_json(*f.expected) : nlohmann::json();
          x["actual"] = f.actual ? finding_json(*f.actual) : nlohmann::json();
          x["rule_result"] = {{"evaluated", f.stats.evaluated}, {"checks", f.stats.bindings}, {"passed", f.stats.passed},
                              {"failed", f.stats.failed},       {"rounding", f.stats.rounding},
                              {"not_applicable", f.stats.not_applicable}};
          fails.push_back(std::move(x));
        }
        cj["failures"] = std::move(fails);
        cj["diagnostics"] = diagnostics_json(r.diagnostics);
        cases.push_back(std::move(cj));
      }
      fj["cases"] = std::move(cases);
      files.push_back(std::move(fj));
    }
    j["files"] = std::move(files);
    j["summary"] = {{"files", runs.size()}, {"cases", passed + failed + errors}, {"passed", passed},
                    {"failed", failed},     {"errors", errors}};
    if (want_coverage) {
      nlohmann::json cj;
      cj["covered"] = covered;
      cj["total"] = goals;
      cj["percent"] = percent(covered, goals);
      if (coverage_min) cj["minimum"] = *coverage_min;
      nlohmann::json missing = nlohmann::json::array();
      for (const auto& g : cov.goals()) {
        if (g.covered) continue;
        nlohmann::json gj = {{"rule", g.rule}, {"outcome", g.outcome}, {"file", g.at.file}, {"line", g.at.line},
                             {"column", g.at.column}};
        if (!g.condition.empty()) gj["condition"] = dsl::single_line(g.condition);
        missing.push_back(std::move(gj));
      }
      cj["not_covered"] = std::move(missing);
      nlohmann::json rules = nlohmann::json::array();
      for (const auto& r : cov.rules())
        rules.push_back({{"rule", r.rule}, {"file", r.at.file}, {"line", r.at.line}, {"column", r.at.column},
                         {"checked", r.checked}, {"failed", r.failed}, {"passed", r.passed}});
      cj["rules"] = std::move(rules);
      j["coverage"] = std::move(cj);
    } else {
      j["coverage"] = nullptr;
    }
    std::cout << j.dump(2) << '\n';
    return code;
  }

  if (format == "junit") {
    for (const auto& run : runs)
      if (!run.diagnostics.empty()) dsl::render_text(std::cerr, run.diagnostics, ro);
    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x << fmt::format("<testsuites name=\"fundcheck test\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n",
                     passed + failed + errors, failed, errors);
    for (const auto& run : runs) {
      const std::string name = xml_escape(run.path.generic_string());
      std::size_t f = 0, e = 0;
      for (const auto& [c, r] : run.results) {
        if (r.what == engine::case_result::status::failed) ++f;
        if (r.what == engine::case_result::status::error) ++e;
      }
      if (!run.file) ++e;
      x << fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n", name,
                       run.results.size() + (run.file ? 0 : 1), f, e);
      if (!run.file) {
        x << fmt::format("    <testcase name=\"(test file)\" classname=\"{}\" file=\"{}\">\n", name, name);
        x << fmt::format("      <error message=\"{}\">{}</error>\n", xml_escape("the test file cannot be used"),
                         xml_escape(dsl::render_text(run.diagnostics)));
        x << "    </testcase>\n";
      }
      for (const auto& [c, r] : run.results) {
        const auto at = run.file->source->locate(c->where.begin);
        x << fmt::format("    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"", xml_escape(c->name), name,
                         name, at.line);
        if (r.what == engine::case_result::status::passed) {
          x << "/>\n";
          continue;
        }
        x << ">\n";
        if (r.what == engine::case_result::status::error) {
          x << fmt::format("      <error message=\"{}\">{}</error>\n", xml_escape(r.diagnostics.front().message),
                           xml_escape(dsl::render_text(r.diagnostics)));
        } else {
          std::string body;
          for (const auto& fl : r.failures)
            for (const auto& l : failure_lines(fl)) body += l + "\n";
          x << fmt::format("      <failure message=\"{}\" type=\"expectation\">{}</failure>\n",
                           xml_escape(fmt::format("{} not met", plural(r.failures.size(), "expectation"))),
                           xml_escape(body));
        }
        x << "    </testcase>\n";
      }
      x << "  </testsuite>\n";
    }
    x << "</testsuites>\n";
    std::cout << x.str();
    return code;
  }

  // Text.
  auto paint = [&](std::string_view s, const char* colour) {
    return color ? fmt::format("{}{}{}", colour, s, ansi::reset) : std::string(s);
  };
  bool first = true;
  for (const auto& run : runs) {
    if (!run.diagnostics.empty()) dsl::render_text(std::cerr, run.diagnostics, ro);
    if (!run.file) continue;
    if (run.results.empty()) continue;
    if (!first) std::cout << '\n';
    first = false;
    std::vector<std::string> rule_paths;
    for (const auto& r : run.file->rules) rule_paths.push_back(r.generic_string());
    std::cout << fmt::format("{} ({})\n", paint(run.path.generic_string(), ansi::bold), engine::join(rule_paths));
    for (const auto& [c, r] : run.results) {
      switch (r.what) {
        case engine::case_result::status::passed:
          std::cout << "  " << paint("ok   ", ansi::green) << ' ' << c->name << '\n';
          break;
        case engine::case_result::status::failed:
          std::cout << "  " << paint("FAIL ", ansi::red) << ' ' << c->name << '\n';
          std::cout << "        " << position(run.file->source, c->where) << '\n';
          for (const auto& f : r.failures)
            for (const auto& l : failure_lines(f)) std::cout << "        " << l << '\n';
          break;
        case engine::case_result::status::error:
          std::cout << "  " << paint("ERROR", ansi::red) << ' ' << c->name << ": "
                    << r.diagnostics.front().message << '\n';
          dsl::render_text(std::cerr, r.diagnostics, ro);
          break;
      }
    }
  }
  if (!first) std::cout << '\n';
  std::string summary = fmt::format("{}, {}: {} passed, {} failed", plural(runs.size(), "test file"),
                                    plural(passed + failed + errors, "case"), passed, failed);
  if (errors > 0) summary += fmt::format(", {} could not run", errors);
  std::size_t unusable = 0;
  for (const auto& run : runs)
    if (!run.file) ++unusable;
  if (unusable > 0) summary += fmt::format("; {} could not be read", plural(unusable, "test file"));
  std::cout << paint(summary, code == 0 ? ansi::green : ansi::red) << '\n';
  if (want_coverage) {
    std::size_t checked = 0, fired = 0, passed_rules = 0;
    const auto rules = cov.rules();
    for (const auto& r : rules) {
      checked += r.checked;
      fired += r.failed;
      passed_rules += r.passed;
    }
    std::size_t cond_total = 0, cond_covered = 0;
    for (const auto& g : cov.goals()) {
      if (g.condition.empty()) continue;
      ++cond_total;
      cond_covered += g.covered;
    }
    std::cout << fmt::format("\nCoverage: {} % ({} of {} goals)\n", percent(covered, goals), covered, goals);
    std::cout << fmt::format("  rules: {} of {} checked, {} failed and {} passed in some case\n", checked, rules.size(),
                             fired, passed_rules);
    std::cout << fmt::format("  conditions of `where` and `when`: {} of {} outcomes (true and false of each)\n",
                             cond_covered, cond_total);
    if (covered < goals) {
      std::cout << "Not covered:\n";
      for (const auto& g : cov.goals())
        if (!g.covered)
          std::cout << fmt::format("  {}:{}:{}: {}\n", g.at.file, g.at.line, g.at.column, goal_words(g));
    }
    if (coverage_low)
      std::cout << paint(fmt::format("Coverage {} % is below --coverage-min {}", percent(covered, goals),
                                     args->last("coverage-min").value_or("")),
                         ansi::red)
                << '\n';
  }
  return code;
}

}  // namespace fundcheck::app
