// fundcheck check: proposals against rules, in parallel, reported in one or more formats.

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "fundcheck/engine/batch.hpp"
#include "fundcheck/engine/csv_import.hpp"
#include "fundcheck/engine/proposal_files.hpp"
#include "fundcheck/engine/report.hpp"
#include "fundcheck/engine/report_formats.hpp"
#include "fundcheck/engine/rule_set.hpp"

#include "commands.hpp"
#include "common.hpp"
#include "report_output.hpp"

namespace fs = std::filesystem;

namespace fundcheck::app {
namespace {

const std::vector<option_spec>& check_options() {
  static const std::vector<option_spec> options = {
      {"rules", 'r', true, true, "FILE|DIR", "rule file or directory of *.rules (repeatable; default: ./rules)"},
      {"param", 'p', true, true, "NAME=VALUE", "override a rule parameter, e.g. --param key=0.3117 (repeatable)"},
      {"format", 'f', true, true, "NAME[=FILE]",
       "a report format (below), to standard output or to FILE (repeatable; default: text)"},
      {"output", 'o', true, false, "FILE", "write the standard-output report to FILE instead"},
      {"force", 0, false, false, "", "overwrite existing report files (never an input)"},
      {"exclude", 0, true, true, "PATTERN", "leave out files matching PATTERN, e.g. 'drafts/**' or '*.csv' (repeatable)"},
      {"jobs", 'j', true, false, "N", "check N proposals at a time; one proposal's rules on N threads (default: the CPUs available)"},
      {"shard", 0, true, false, "I/N", "check only the I-th of N stable slices of the files (for CI matrices)"},
      {"color", 0, true, false, "auto|always|never", "colour in text output (default: auto; NO_COLOR is respected)"},
      {"fail-on", 0, true, false, "error|warning", "which findings make the exit code 1 (default: error)"},
      {"no-notes", 0, false, false, "", "leave notes out of the text, github and tap reports"},
      {"max-steps", 0, true, false, "N", "evaluation budget per proposal, in expression steps (default: 2e9)"},
      max_rule_bytes_option,
      max_rule_depth_option,
      {"max-proposal-bytes", 0, true, false, "BYTES", "largest proposal file (default: 268435456; larger: E3003)"},
      {"max-depth", 0, true, false, "N", "deepest JSON nesting of a proposal (default: 64, at most 1024; deeper: E3004)"},
      {"max-records", 0, true, false, "N", "most records (items, sub-items, totals, …) or CSV rows in a proposal (default: 10000000; more: E3005)"},
      {"help", 'h', false, false, "", "show this help"},
  };
  return options;
}

std::string help_text() {
  std::string out =
      "Usage: fundcheck check [OPTIONS] PROPOSAL...\n\n"
      "Checks each proposal against the rules and reports what is wrong and where. A PROPOSAL is a\n"
      "JSON file, a CSV table (with TABLE.mapping.json beside it, if any), a directory (every *.json\n"
      "and *.csv below it, but no *.mapping.json or *.test.json), or a quoted glob pattern\n"
      "('proposals/**/*.json').\n"
      "Files are checked in a stable order (as given; each directory and pattern sorted), each once.\n"
      "The rules are compiled once; the proposals are checked on -j threads, and every report is\n"
      "the same for any -j.\n\nOptions:\n";
  out += options_help(check_options());
  out += "\nFormats:\n";
  for (const auto& f : engine::report_formats()) out += fmt::format("  {:<8} {}\n", f.name, f.description);
  out +=
      "\n--format NAME writes to standard output (one format at most; text when none is given), and\n"
      "--format NAME=FILE to FILE (- is standard output), so one run can write several:\n"
      "--format text --format junit=report.xml --format sarif=report.sarif.\n"
      "Report files are written whole or not at all; an existing file is replaced only with --force,\n"
      "and an input never.\n\n"
      "Exit codes: 0 no errors found (warnings too with --fail-on warning); 1 rule errors found;\n"
      "2 a proposal, the rules or the command line could not be read.\n"
      "See docs/report-format.md and docs/ci.md; the --max-* limits are described together in\n"
      "docs/limits.md.\n";
  return out;
}

bool parse_count(const std::string& text, unsigned long max, unsigned long& out) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 9) return false;
  out = std::strtoul(text.c_str(), nullptr, 10);
  return out >= 1 && out <= max;
}

}  // namespace

int run_check(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, check_options(), error);
  if (!args) return usage_error("check", error);
  if (args->has("help")) {
    std::cout << help_text();
    return 0;
  }

  // --- The whole command line first: nothing is read or written before it is valid. ---
  const bool force = args->has("force");
  const auto targets = plan_reports(args->all("format"), args->last("output"), force, error);
  if (!targets) return usage_error("check", error);
  const std::string fail_on_text = args->last("fail-on").value_or("error");
  if (fail_on_text != "error" && fail_on_text != "warning")
    return usage_error("check", fmt::format("--fail-on must be error or warning, got '{}'", fail_on_text));
  const dsl::level fail_on = fail_on_text == "warning" ? dsl::level::warning : dsl::level::error;
  const bool color = want_color(args->last("color"), STDOUT_FILENO, error);
  if (!error.empty()) return usage_error("check", error);
  const bool color_err = want_color(args->last("color"), STDERR_FILENO, error);
  engine::check_options options;
  std::uint64_t steps = options.evaluate.max_steps;
  if (!parse_count_option(*args, "max-steps", steps, error)) return usage_error("check", error);
  options.evaluate.max_steps = steps;
  dsl::parse_limits rule_limits;
  if (!parse_rule_limits(*args, rule_limits, error)) return usage_error("check", error);
  std::uint64_t limit = options.load.max_bytes;
  if (!parse_count_option(*args, "max-proposal-bytes", limit, error, 1, UINT32_MAX - 64)) return usage_error("check", error);
  options.load.max_bytes = limit;
  limit = options.load.max_depth;
  if (!parse_count_option(*args, "max-depth", limit, error, 1, nesting_ceiling)) return usage_error("check", error);
  options.load.max_depth = limit;
  limit = options.load.max_records;
  if (!parse_count_option(*args, "max-records", limit, error)) return usage_error("check", error);
  options.load.max_records = limit;
  options.jobs = engine::available_cpus();
  if (auto jobs = args->last("jobs")) {
    unsigned long n = 0;
    if (!parse_count(*jobs, 1024, n))
      return usage_error("check", fmt::format("-j/--jobs needs a whole number from 1 to 1024, got '{}'", *jobs));
    options.jobs = static_cast<unsigned>(n);
  }
  std::optional<engine::shard_info> shard;
  if (auto s = args->last("shard")) {
    const auto slash = s->find('/');
    unsigned long index = 0, count = 0;
    if (slash == std::string::npos || !parse_count(s->substr(0, slash), 1'000'000, index) ||
        !parse_count(s->substr(slash + 1), 1'000'000, count) || index > count)
      return usage_error("check", fmt::format("--shard needs I/N with 1 <= I <= N, e.g. 2/4; got '{}'", *s));
    shard = engine::shard_info{static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(count), 0};
  }
  for (const auto& pattern : args->all("exclude"))
    if (pattern.empty()) return usage_error("check", "--exclude needs a pattern");
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

  bool show_notes = !args->has("no-notes");
  options.describe_notes = show_notes;
  options.keep_source = false;
  for (const auto& t : *targets) {
    if (!t.format->honours_no_notes) options.describe_notes = true;
    if (t.format->quotes_source) options.keep_source = true;
    if (t.format->draws_proposal) options.keep_model = true;
  }

  // --- The files. ---
  dsl::render_options ro;
  ro.color = color_err;
  auto selection = engine::select_proposal_files(args->positional, args->all("exclude"));
  if (!selection.diagnostics.empty()) {
    dsl::render_text(std::cerr, selection.diagnostics, ro);
    return 2;
  }
  if (selection.files.empty()) {
    return usage_error("check", fmt::format("no proposal left to check: --exclude leaves out all {} files",
                                            selection.excluded));
  }
  std::vector<std::string> files = std::move(selection.files);
  if (shard) {
    shard->files = files.size();
    files = engine::shard_slice(files, shard->index, shard->count);
  }
  std::vector<fs::path> inputs(roots.begin(), roots.end());
  for (const auto& f : files) {
    inputs.emplace_back(f);
    if (engine::is_csv_path(f)) inputs.push_back(engine::mapping_path_for(f));
  }
  if (!check_not_input(*targets, inputs, error)) return usage_error("check", error);

  // --- The rules: compiled once for all proposals, one program per proposal format. ---
  auto compiled = engine::compile_rule_set(roots, rule_limits);
  engine::run_report report;
  report.version = FUNDCHECK_VERSION;
  report.params = overrides;
  report.fail_on = fail_on;
  report.shard = shard;
  report.rule_diagnostics = compiled.diagnostics;
  if (!compiled.diagnostics.empty()) dsl::render_text(std::cerr, compiled.diagnostics, ro);
  std::optional<std::map<const engine::program*, engine::param_values>> params;
  if (compiled.ok()) {
    inputs.clear();
    for (const auto& prog : compiled.value->programs)
      for (const auto& src : prog->sources) inputs.emplace_back(src->path());
    if (!check_not_input(*targets, inputs, error)) return usage_error("check", error);
    params = bind_all_params(*compiled.value, overrides, ro);
    if (!params) return 2;
    report.rules = compiled.value.get();
    report.proposals = engine::check_proposal_files(files, *compiled.value, *params, options);
  }

  // --- The reports. ---
  int status = engine::exit_code(report, fail_on);
  for (const auto& t : *targets) {
    engine::report_options o;
    o.show_notes = show_notes;
    if (!t.file) {
      o.color = color && t.format->name == "text";
      // The rules' diagnostics are on standard error already; a text report would repeat them.
      if (!report.rules && t.format->name == "text") continue;
      t.format->render(std::cout, report, o);
      std::cout.flush();
      continue;
    }
    o.color = args->last("color") == "always" && t.format->name == "text";
    const auto render = [&](std::ostream& out) { t.format->render(out, report, o); };
    if (!write_report_file(*t.file, render, force, error)) {
      std::cerr << "fundcheck check: error: " << error << '\n';
      status = 2;
    }
  }
  return status;
}

}  // namespace fundcheck::app
