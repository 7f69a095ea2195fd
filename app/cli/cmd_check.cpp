// fundcheck check: proposals against rules, reported as text or JSON.

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <thread>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/proposal.hpp"
#include "fundcheck/engine/report.hpp"
#include "fundcheck/engine/report_html.hpp"
#include "fundcheck/engine/rule_set.hpp"
#include "fundcheck/engine/sha256.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fundcheck::app {
namespace {

const std::vector<option_spec> check_options = {
    {"rules", 'r', true, true, "FILE|DIR", "rule file or directory of *.rules (repeatable; default: ./rules)"},
    {"param", 'p', true, true, "NAME=VALUE", "override a rule parameter, e.g. --param key=0.3117 (repeatable)"},
    {"format", 'f', true, false, "text|json|html", "report format (default: text); html: one self-contained page to print"},
    {"color", 0, true, false, "auto|always|never", "colour in text output (default: auto; NO_COLOR is respected)"},
    {"fail-on", 0, true, false, "error|warning", "which findings make the exit code 1 (default: error)"},
    {"no-notes", 0, false, false, "", "leave notes out of the text report"},
    {"max-steps", 0, true, false, "N", "evaluation budget per proposal, in expression steps (default: 2e9)"},
    {"help", 'h', false, false, "", "show this help"},
};

}  // namespace

int run_check(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, check_options, error);
  if (!args) return usage_error("check", error);
  if (args->has("help")) {
    std::cout << "Usage: fundcheck check [OPTIONS] PROPOSAL...\n\n"
                 "Checks each proposal (a JSON file, a CSV table with its TABLE.mapping.json, or every\n"
                 "*.json and *.csv below a directory) against the rules and reports what is wrong and\n"
                 "where.\n\nOptions:\n"
              << options_help(check_options);
    return 0;
  }
  const std::string format = args->last("format").value_or("text");
  if (format != "text" && format != "json" && format != "html")
    return usage_error("check", fmt::format("--format must be text, json or html, got '{}'", format));
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
    if (format == "html") engine::render_html_rule_errors(std::cout, FUNDCHECK_VERSION, compiled.diagnostics);
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
  // One proposal: its rules are evaluated side by side on the machine's cores (same result).
  if (files.size() == 1) eval_options.threads = std::max(1u, std::thread::hardware_concurrency());
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
                                       format != "text" || !args->has("no-notes"));
      }
    }
    if (format == "html") pr.model = std::move(loaded.value);  // the page draws the proposal
    report.proposals.push_back(std::move(pr));
  }
  if (format == "json") {
    std::cout << engine::render_json(report);
  } else if (format == "html") {
    engine::render_html(std::cout, report);
  } else {
    engine::text_options to;
    to.color = color;
    to.show_notes = !args->has("no-notes");
    engine::render_text(std::cout, report, to);
  }
  return engine::exit_code(report, fail_on);
}

}  // namespace fundcheck::app
