// fundcheck: checks public-budget allocation proposals against rule files.
// Subcommands: check (proposals against rules), compile (rule files only), import (a CSV table
// to proposal JSON), version, help.

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "fundcheck/dsl/parse.hpp"
#include "fundcheck/engine/compile.hpp"
#include "fundcheck/engine/csv_import.hpp"
#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/proposal.hpp"
#include "fundcheck/engine/proposal_json.hpp"
#include "fundcheck/engine/report.hpp"
#include "fundcheck/engine/rule_set.hpp"
#include "fundcheck/engine/sha256.hpp"
#include <nlohmann/json.hpp>

#include "options.hpp"

namespace fs = std::filesystem;
using namespace fundcheck;

namespace {

constexpr int exit_usage = 2;

const char* const main_help = R"(fundcheck - checks budget allocation proposals against rules

Usage:
  fundcheck check [OPTIONS] PROPOSAL...   check proposals (JSON or CSV files, or directories)
  fundcheck compile [OPTIONS] RULES...    load and check rule files only
  fundcheck import [OPTIONS] TABLE.csv    turn a spreadsheet table into proposal JSON
  fundcheck version                       print the version
  fundcheck help [COMMAND]                show help

Exit codes: 0 no errors found; 1 rule errors found; 2 input or rules could not be read,
or the command line is wrong.

Documentation: docs/language.md (rules), docs/proposal-format.md (allocation tables),
docs/budget-form-format.md (budget proposal forms), docs/csv-import.md (spreadsheet
tables), docs/report-format.md (the JSON report), docs/diagnostics.md (every message code).
)";

const std::vector<app::option_spec> check_options = {
    {"rules", 'r', true, true, "FILE|DIR", "rule file or directory of *.rules (repeatable; default: ./rules)"},
    {"param", 'p', true, true, "NAME=VALUE", "override a rule parameter, e.g. --param key=0.3117 (repeatable)"},
    {"format", 'f', true, false, "text|json", "report format (default: text)"},
    {"color", 0, true, false, "auto|always|never", "colour in text output (default: auto; NO_COLOR is respected)"},
    {"fail-on", 0, true, false, "error|warning", "which findings make the exit code 1 (default: error)"},
    {"no-notes", 0, false, false, "", "leave notes out of the text report"},
    {"max-steps", 0, true, false, "N", "evaluation budget per proposal, in expression steps (default: 2e9)"},
    {"help", 'h', false, false, "", "show this help"},
};

const std::vector<app::option_spec> compile_options = {
    {"dump-after", 0, true, false, "STAGE", "print the program after a stage: resolve, graph (Graphviz dot), check"},
    {"timings", 0, false, false, "", "print the time each compiler stage took"},
    {"color", 0, true, false, "auto|always|never", "colour in diagnostics (default: auto)"},
    {"help", 'h', false, false, "", "show this help"},
};

int usage_error(std::string_view command, const std::string& message) {
  std::cerr << "fundcheck " << command << ": error: " << message << "\n"
            << "Try 'fundcheck " << command << " --help'.\n";
  return exit_usage;
}

bool want_color(const std::optional<std::string>& setting, int fd, std::string& error) {
  const std::string s = setting.value_or("auto");
  if (s == "always") return true;
  if (s == "never") return false;
  if (s != "auto") {
    error = fmt::format("--color must be auto, always or never, got '{}'", s);
    return false;
  }
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string_view(term) == "dumb") return false;
  return isatty(fd) != 0;
}

// Expands directories into their *.json and *.csv files (recursively, sorted; a table's
// *.mapping.json is no proposal); keeps files as given.
std::vector<std::string> expand_proposals(const std::vector<std::string>& args, std::vector<dsl::diagnostic>& diags) {
  std::vector<std::string> out;
  for (const auto& a : args) {
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(a, ec); !ec && it != fs::recursive_directory_iterator();
           it.increment(ec)) {
        const fs::path& p = it->path();
        const bool mapping = p.filename().string().ends_with(".mapping.json");
        if (it->is_regular_file(ec) && ((p.extension() == ".json" && !mapping) || engine::is_csv_path(p)))
          found.push_back(p.generic_string());
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        dsl::diagnostic d;
        d.code = "E3002";
        d.message = fmt::format("directory '{}' holds no *.json or *.csv proposal", a);
        diags.push_back(std::move(d));
      }
      out.insert(out.end(), found.begin(), found.end());
    } else {
      out.push_back(a);
    }
  }
  return out;
}

std::vector<fs::path> rule_roots(const app::parsed_args& args, std::string& error) {
  std::vector<fs::path> roots;
  for (const auto& r : args.all("rules")) roots.emplace_back(r);
  if (roots.empty()) {
    std::error_code ec;
    if (fs::is_directory("rules", ec)) {
      roots.emplace_back("rules");
    } else {
      error = "no rules given: use --rules FILE|DIR (there is no ./rules directory)";
    }
  }
  return roots;
}

// Binds --param overrides to every program that declares them; a name no program declares, or
// a value of the wrong type, is reported (and the result is empty).
std::optional<std::map<const engine::program*, engine::param_values>> bind_all_params(
    const engine::rule_set& rules, const std::vector<std::pair<std::string, std::string>>& overrides,
    const dsl::render_options& ro) {
  std::map<const engine::program*, engine::param_values> out;
  std::vector<dsl::diagnostic> diags;
  for (const auto& prog : rules.programs) {
    std::vector<std::pair<std::string, std::string>> mine;
    for (const auto& o : overrides)
      if (prog->param_index(o.first) >= 0) mine.push_back(o);
    out[prog.get()] = engine::bind_params(*prog, mine, diags);
  }
  for (const auto& o : overrides) {
    const bool known = std::any_of(rules.programs.begin(), rules.programs.end(),
                                   [&](const auto& prog) { return prog->param_index(o.first) >= 0; });
    if (!known && !rules.programs.empty()) engine::bind_params(*rules.programs.front(), {o}, diags);
  }
  if (dsl::has_errors(diags)) {
    dsl::render_text(std::cerr, diags, ro);
    return std::nullopt;
  }
  return out;
}

int run_check(const std::vector<std::string>& argv) {
  std::string error;
  auto args = app::parse_args(argv, check_options, error);
  if (!args) return usage_error("check", error);
  if (args->has("help")) {
    std::cout << "Usage: fundcheck check [OPTIONS] PROPOSAL...\n\n"
                 "Checks each proposal (a JSON file, a CSV table with its TABLE.mapping.json, or every\n"
                 "*.json and *.csv below a directory) against the rules and reports what is wrong and\n"
                 "where.\n\nOptions:\n"
              << app::options_help(check_options);
    return 0;
  }
  const std::string format = args->last("format").value_or("text");
  if (format != "text" && format != "json")
    return usage_error("check", fmt::format("--format must be text or json, got '{}'", format));
  const std::string fail_on_text = args->last("fail-on").value_or("error");
  if (fail_on_text != "error" && fail_on_text != "warning")
    return usage_error("check", fmt::format("--fail-on must be error or warning, got '{}'", fail_on_text));
  const dsl::level fail_on = fail_on_text == "warning" ? dsl::level::warning : dsl::level::error;
  const bool color = want_color(args->last("color"), STDOUT_FILENO, error);
  if (!error.empty()) return usage_error("check", error);
  const bool color_err = want_color(args->last("color"), STDERR_FILENO, error);
  engine::evaluate_options eval_options;
  if (auto steps = args->last("max-steps")) {
    char* end = nullptr;
    const unsigned long long n = std::strtoull(steps->c_str(), &end, 10);
    if (steps->empty() || *end != '\0' || n == 0)
      return usage_error("check", fmt::format("--max-steps needs a positive whole number, got '{}'", *steps));
    eval_options.max_steps = n;
  }
  std::vector<std::pair<std::string, std::string>> overrides;
  for (const auto& p : args->all("param")) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0)
      return usage_error("check", fmt::format("--param needs NAME=VALUE, got '{}'", p));
    overrides.emplace_back(p.substr(0, eq), p.substr(eq + 1));
  }
  if (args->positional.empty()) return usage_error("check", "no proposal given");
  const auto roots = rule_roots(*args, error);
  if (!error.empty()) return usage_error("check", error);

  // Rules: compiled once for all proposals, one program per proposal format.
  auto compiled = engine::compile_rule_set(roots);
  dsl::render_options ro;
  ro.color = color_err;
  if (!compiled.ok()) {
    if (format == "json") {
      nlohmann::json j;
      j["error"] = "the rules could not be loaded";
      j["diagnostics"] = nlohmann::json::array();
      for (const auto& d : compiled.diagnostics) {
        nlohmann::json dj;
        to_json(dj, d);
        j["diagnostics"].push_back(dj);
      }
      std::cout << j.dump(2) << '\n';
    }
    dsl::render_text(std::cerr, compiled.diagnostics, ro);
    return 2;
  }
  if (!compiled.diagnostics.empty()) dsl::render_text(std::cerr, compiled.diagnostics, ro);
  const auto& rules = *compiled.value;
  const auto params = bind_all_params(rules, overrides, ro);
  if (!params) return 2;

  engine::run_report report;
  report.version = FUNDCHECK_VERSION;
  report.rules = &rules;
  report.params = overrides;
  std::vector<dsl::diagnostic> expand_diags;
  const auto files = expand_proposals(args->positional, expand_diags);
  if (!expand_diags.empty()) {
    dsl::render_text(std::cerr, expand_diags, ro);
    return 2;
  }
  for (const auto& file : files) {
    engine::proposal_report pr;
    pr.file = file;
    auto loaded = engine::load_proposal_file(file);
    if (loaded.value) pr.source = loaded.value->source();
    else if (!loaded.diagnostics.empty() && loaded.diagnostics.front().source)
      pr.source = loaded.diagnostics.front().source;
    if (pr.source) pr.sha256 = engine::sha256_hex(pr.source->text());
    pr.diagnostics = std::move(loaded.diagnostics);
    if (loaded.ok()) {
      const std::string_view doc_format = loaded.value->schema_def().format;
      pr.rules = rules.for_format(doc_format);
      if (!pr.rules) {
        dsl::diagnostic d;
        d.code = "E3102";
        d.message = fmt::format("no rules check proposals of format \"{}\" (the rules given are for: {})", doc_format,
                                rules.formats().empty() ? std::string("no format") : rules.formats());
        // Point at the proposal's "format" value.
        const auto& root = loaded.value->table_of(0);
        const int format_field = root.def().field_index("format");
        d.source = loaded.value->source();
        if (format_field >= 0) {
          const auto at = root.at(0, static_cast<std::uint32_t>(format_field)).offset;
          d.where = {at, at + static_cast<std::uint32_t>(doc_format.size() + 2)};
        }
        pr.diagnostics.push_back(std::move(d));
      } else {
        const auto& values = params->at(pr.rules);
        pr.result = engine::evaluate(*pr.rules, *loaded.value, values, eval_options);
        // Text without notes need not describe them; JSON always carries every finding.
        pr.findings = engine::describe(*pr.rules, *loaded.value, *pr.result,
                                       format == "json" || !args->has("no-notes"));
      }
    }
    report.proposals.push_back(std::move(pr));
  }
  if (format == "json") {
    std::cout << engine::render_json(report);
  } else {
    engine::text_options to;
    to.color = color;
    to.show_notes = !args->has("no-notes");
    engine::render_text(std::cout, report, to);
  }
  return engine::exit_code(report, fail_on);
}

int run_compile(const std::vector<std::string>& argv) {
  std::string error;
  auto args = app::parse_args(argv, compile_options, error);
  if (!args) return usage_error("compile", error);
  if (args->has("help")) {
    std::cout << "Usage: fundcheck compile [OPTIONS] RULES...\n\n"
                 "Parses, type-checks and plans rule files without a proposal, and reports every\n"
                 "problem found. Exit 0 when the rules compile, 2 when they do not.\n\nOptions:\n"
              << app::options_help(compile_options);
    return 0;
  }
  const bool color = want_color(args->last("color"), STDERR_FILENO, error);
  if (!error.empty()) return usage_error("compile", error);
  const auto dump = args->last("dump-after");
  if (dump) {
    const auto& stages = engine::compile_stages();
    if (std::find(stages.begin(), stages.end(), *dump) == stages.end())
      return usage_error("compile", fmt::format("unknown stage '{}' (stages: resolve, graph, check)", *dump));
  }
  if (args->positional.empty()) return usage_error("compile", "no rule file given");
  std::vector<fs::path> roots(args->positional.begin(), args->positional.end());
  auto compiled = engine::compile_rule_set(roots);
  dsl::render_options ro;
  ro.color = color;
  dsl::render_text(std::cerr, compiled.diagnostics, ro);
  if (args->has("timings"))
    for (const auto& t : compiled.timings) std::cerr << fmt::format("stage {:<8} {:8.3f} ms\n", t.stage, t.milliseconds);
  if (!compiled.ok()) return 2;
  if (dump && *dump == "graph") {
    std::vector<const engine::program*> programs;
    for (const auto& prog : compiled.value->programs) programs.push_back(prog.get());
    std::cout << engine::dependency_graph_dot(programs);
    return 0;
  }
  for (const auto& prog : compiled.value->programs) {
    const auto& p = *prog;
    if (dump) {
      std::cout << "# " << p.schema_def->format << '\n';
      for (const auto& prm : p.params)
        std::cout << fmt::format("param {} = {}\n", prm.name,
                                 prm.default_value.t.kind == engine::type_kind::number ? prm.default_value.number.to_string()
                                 : prm.default_value.t.kind == engine::type_kind::boolean ? (prm.default_value.flag ? "true" : "false")
                                                                                          : "\"" + prm.default_value.text + "\"");
      for (const auto& d : p.definitions)
        std::cout << fmt::format("let {}: {}\n", d.name, engine::to_string(p.nodes[d.body].result, *p.schema_def));
      for (const auto& r : p.rules)
        std::cout << fmt::format("rule {} ({}): {} loop(s)\n", r.id,
                                 r.severity == dsl::ast::severity::error ? "error"
                                 : r.severity == dsl::ast::severity::warning ? "warning" : "note",
                                 r.loops.size());
    } else {
      std::cout << fmt::format("{}: {} rule{}, {} definition{}, {} parameter{} from {} file{}: ok\n",
                               p.schema_def->format, p.rules.size(), p.rules.size() == 1 ? "" : "s",
                               p.definitions.size(), p.definitions.size() == 1 ? "" : "s", p.params.size(),
                               p.params.size() == 1 ? "" : "s", p.sources.size(), p.sources.size() == 1 ? "" : "s");
    }
  }
  return 0;
}

const std::vector<app::option_spec> import_options = {
    {"mapping", 'm', true, false, "FILE", "the mapping file (default: TABLE.mapping.json beside the table, if any)"},
    {"output", 'o', true, false, "FILE", "write the JSON to FILE instead of standard output"},
    {"force", 0, false, false, "", "overwrite FILE if it exists (never the table or the mapping)"},
    {"color", 0, true, false, "auto|always|never", "colour in diagnostics (default: auto)"},
    {"help", 'h', false, false, "", "show this help"},
};

// fundcheck import: a CSV table (and its mapping) to proposal JSON, for review and keeping.
int run_import(const std::vector<std::string>& argv) {
  std::string error;
  auto args = app::parse_args(argv, import_options, error);
  if (!args) return usage_error("import", error);
  if (args->has("help")) {
    std::cout << "Usage: fundcheck import [OPTIONS] TABLE.csv\n\n"
                 "Reads a spreadsheet table exported as CSV, with TABLE.mapping.json beside it when there\n"
                 "is one, and prints the proposal as JSON (docs/proposal-format.md). Every place where the\n"
                 "table's structure had to be guessed is reported as a warning. Exit 0 when the JSON was\n"
                 "written, 2 when the table or the mapping could not be read. See docs/csv-import.md.\n\n"
                 "Options:\n"
              << app::options_help(import_options);
    return 0;
  }
  const bool color = want_color(args->last("color"), STDERR_FILENO, error);
  if (!error.empty()) return usage_error("import", error);
  if (args->positional.empty()) return usage_error("import", "no table given");
  if (args->positional.size() > 1) return usage_error("import", "give one table (TABLE.csv)");
  const fs::path table = args->positional.front();
  if (!engine::is_csv_path(table)) return usage_error("import", fmt::format("'{}' is not a .csv table", table.string()));
  const auto mapping_arg = args->last("mapping");
  const fs::path mapping = mapping_arg ? fs::path(*mapping_arg) : engine::mapping_path_for(table);
  const auto output = args->last("output");
  std::error_code ec;
  if (output) {
    // Nothing the user gave is overwritten: the inputs never, another file only with --force.
    for (const fs::path& input : {table, mapping}) {
      if (fs::exists(input, ec) && fs::equivalent(*output, input, ec))
        return usage_error("import", fmt::format("'{}' is an input of this import; write the JSON elsewhere", *output));
    }
    if (fs::exists(*output, ec) && !args->has("force"))
      return usage_error("import", fmt::format("'{}' exists; use --force to overwrite it", *output));
  }

  const auto loaded = engine::load_proposal_csv_file(table, mapping_arg ? &mapping : nullptr);
  dsl::render_options ro;
  ro.color = color;
  if (!loaded.diagnostics.empty()) dsl::render_text(std::cerr, loaded.diagnostics, ro);
  if (!loaded.ok()) return 2;
  const std::string json = engine::proposal_to_json(*loaded.value);
  if (!output) {
    std::cout << json;
    return 0;
  }
  // "x": fail rather than replace a file that appeared since the check above.
  std::FILE* file = std::fopen(output->c_str(), args->has("force") ? "wb" : "wbx");
  if (file == nullptr) {
    std::cerr << fmt::format("fundcheck import: error: cannot write '{}': {}\n", *output, std::strerror(errno));
    return 2;
  }
  const bool written = std::fwrite(json.data(), 1, json.size(), file) == json.size();
  if (std::fclose(file) != 0 || !written) {
    std::cerr << fmt::format("fundcheck import: error: cannot write '{}'\n", *output);
    return 2;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) {
      std::cerr << main_help;
      return exit_usage;
    }
    const std::string command = args.front();
    std::vector<std::string> rest(args.begin() + 1, args.end());
    if (command == "check") return run_check(rest);
    if (command == "compile") return run_compile(rest);
    if (command == "import") return run_import(rest);
    if (command == "version" || command == "--version" || command == "-V") {
      std::cout << "fundcheck " << FUNDCHECK_VERSION << '\n';
      return 0;
    }
    if (command == "help" || command == "--help" || command == "-h") {
      if (!rest.empty() && rest.front() == "check") return run_check({"--help"});
      if (!rest.empty() && rest.front() == "compile") return run_compile({"--help"});
      if (!rest.empty() && rest.front() == "import") return run_import({"--help"});
      std::cout << main_help;
      return 0;
    }
    std::cerr << fmt::format("fundcheck: error: unknown command '{}'\n", command) << main_help;
    return exit_usage;
  } catch (const std::bad_alloc&) {
    std::cerr << "fundcheck: error: out of memory\n";
    return 3;
  } catch (const std::exception& e) {
    // A bug: say so plainly instead of a stack trace, and never report success.
    std::cerr << "fundcheck: internal error: " << e.what() << "\nPlease report this with the input that caused it.\n";
    return 3;
  }
}
