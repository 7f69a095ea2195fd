// fundcheck decisions: reading the decision log of `fundcheck serve` (docs/server.md).
//   show ID      the recorded decision as JSON
//   verify ID PROPOSAL   re-checks the proposal against the rule set with the recorded hash and
//                confirms that the recorded result and findings are reproduced

#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fundcheck/engine/csv_import.hpp"
#include "fundcheck/engine/sha256.hpp"

#include "decision_log.hpp"
#include "service.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fundcheck::app {
namespace {

const std::vector<option_spec> decisions_options = {
    {"decisions", 'd', true, false, "FILE", "the decision log (the file given to fundcheck serve --decisions)"},
    {"rules", 'r', true, true, "DIR|FILE", "verify: the rule files (default: ./rules); one of their rule sets must have the recorded hash"},
    {"format", 'f', true, false, "text|json", "verify: the certificate as text (default) or JSON"},
    {"help", 'h', false, false, "", "show this help"},
};

constexpr const char* help_text =
    "Usage: fundcheck decisions show --decisions FILE ID\n"
    "       fundcheck decisions verify --decisions FILE [--rules DIR] ID PROPOSAL\n\n"
    "show prints a decision recorded by 'fundcheck serve' as JSON. verify re-checks PROPOSAL (the\n"
    "file that was sent) against the rule set whose content hash the decision recorded, with the\n"
    "recorded parameters, and confirms that the result and every finding are the same: a\n"
    "certificate a case file can cite. Exit codes: 0 verified; 1 not reproduced (another\n"
    "proposal, or another result); 2 cannot verify (unknown id, no rules with that hash).\n\nOptions:\n";

int fail(const std::string& message) {
  std::cerr << "fundcheck decisions: error: " << message << '\n';
  return 2;
}

}  // namespace

int run_decisions(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, decisions_options, error);
  if (!args) return usage_error("decisions", error);
  if (args->has("help")) {
    std::cout << help_text << options_help(decisions_options);
    return 0;
  }
  const auto& pos = args->positional;
  if (pos.empty()) return usage_error("decisions", "give show or verify");
  const std::string action = pos[0];
  if (action != "show" && action != "verify")
    return usage_error("decisions", fmt::format("unknown action '{}' (show, verify)", action));
  if (action == "show" && pos.size() != 2) return usage_error("decisions", "show needs ID");
  if (action == "verify" && pos.size() != 3) return usage_error("decisions", "verify needs ID PROPOSAL");
  const auto file = args->last("decisions");
  if (!file) return usage_error("decisions", "--decisions FILE is required");
  const std::string format = args->last("format").value_or("text");
  if (format != "text" && format != "json")
    return usage_error("decisions", fmt::format("--format must be text or json, got '{}'", format));
  if (!std::filesystem::exists(*file)) return fail(fmt::format("no decision log '{}'", *file));
  const std::string& id = pos[1];
  if (!valid_decision_id(id)) return fail(fmt::format("'{}' is not a decision id (32 hexadecimal digits) [E5011]", id));

  std::optional<decision_record> rec;
  try {
    decision_log log(*file);
    rec = log.find(id);
  } catch (const decision_log_error& e) {
    return fail(e.what());
  }
  if (!rec) return fail(fmt::format("no decision {} in '{}' [E5012]", id, *file));

  if (action == "show") {
    nlohmann::json j = {{"id", rec->id},
                        {"time", rec->time},
                        {"ruleset", rec->ruleset},
                        {"ruleset_sha256", rec->ruleset_sha256},
                        {"proposal_sha256", rec->proposal_sha256},
                        {"proposal_type", rec->proposal_type},
                        {"params", nlohmann::json::parse(rec->params_json, nullptr, false)},
                        {"result", rec->result},
                        {"summary", {{"errors", rec->errors}, {"warnings", rec->warnings}, {"notes", rec->notes}, {"checks", rec->checks}}},
                        {"findings", nlohmann::json::parse(rec->findings_json, nullptr, false)}};
    std::cout << j.dump(2) << '\n';
    return 0;
  }

  // verify
  const std::string& proposal_path = pos[2];
  std::ifstream in(proposal_path, std::ios::binary);
  if (!in) return fail(fmt::format("cannot read the proposal '{}' [E3002]", proposal_path));
  std::ostringstream buf;
  buf << in.rdbuf();
  const std::string body = buf.str();
  const std::string sha = engine::sha256_hex(body);

  const auto roots = rule_roots(*args, error);
  if (!error.empty()) return usage_error("decisions", error);
  auto compiled = engine::compile_rule_set(roots);
  if (!compiled.ok()) {
    std::cerr << dsl::render_text(compiled.diagnostics);
    return fail(fmt::format("the rules in {} could not be loaded", describe_roots(roots)));
  }
  const engine::program* prog = nullptr;
  std::string have;
  for (const auto& p : compiled.value->programs) {
    if (p->hash == rec->ruleset_sha256) prog = p.get();
    have += fmt::format("{}{} {}", have.empty() ? "" : ", ", ruleset_name(p->schema_def->format), p->hash);
  }
  if (!prog)
    return fail(fmt::format("no rule set in {} has the recorded hash {} (they have: {}) [E5031]", describe_roots(roots),
                            rec->ruleset_sha256, have));

  std::vector<std::pair<std::string, std::string>> overrides;
  const auto params = nlohmann::json::parse(rec->params_json, nullptr, false);
  if (params.is_object())
    for (const auto& [k, v] : params.items()) overrides.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());

  nlohmann::json cert = {{"decision", rec->id},
                         {"time", rec->time},
                         {"ruleset", rec->ruleset},
                         {"ruleset_sha256", rec->ruleset_sha256},
                         {"proposal", proposal_path},
                         {"proposal_sha256", sha},
                         {"params", params},
                         {"recorded_result", rec->result}};
  std::vector<std::string> problems;
  if (sha != rec->proposal_sha256)
    problems.push_back(fmt::format("the proposal's SHA-256 is {}, the decision was about {}", sha, rec->proposal_sha256));
  recheck_result again;
  if (problems.empty()) {
    service_options so;
    so.version = FUNDCHECK_VERSION;
    so.max_body = std::max<std::size_t>(so.max_body, body.size());
    again = recheck(*compiled.value, *prog, body, rec->proposal_type == "csv", overrides, so);
    if (!again.checked) {
      problems.push_back("the proposal could not be checked again:\n" + dsl::render_text(again.diagnostics));
    } else {
      cert["result"] = again.result;
      if (again.result != rec->result)
        problems.push_back(fmt::format("the result is {}, the decision recorded {}", again.result, rec->result));
      if (again.errors != rec->errors || again.warnings != rec->warnings || again.notes != rec->notes ||
          again.checks != rec->checks)
        problems.push_back(fmt::format("{} errors, {} warnings, {} notes in {} checks; the decision recorded {}, {}, {} in {}",
                                       again.errors, again.warnings, again.notes, again.checks, rec->errors,
                                       rec->warnings, rec->notes, rec->checks));
      else if (again.findings_json != rec->findings_json)
        problems.push_back("the findings differ from the recorded ones");
    }
  }
  const bool verified = problems.empty();
  cert["verified"] = verified;
  cert["problems"] = problems;
  if (format == "json") {
    std::cout << cert.dump(2) << '\n';
  } else {
    std::cout << fmt::format("decision {}: {}\n", rec->id, verified ? "VERIFIED" : "NOT REPRODUCED");
    std::cout << fmt::format("  made:      {}\n", rec->time);
    std::cout << fmt::format("  rule set:  {} sha256:{}\n", rec->ruleset, rec->ruleset_sha256);
    std::cout << fmt::format("  proposal:  {} sha256:{}\n", proposal_path, sha);
    std::cout << fmt::format("  params:    {}\n", params.empty() ? std::string("(defaults)") : params.dump());
    std::cout << fmt::format("  recorded:  {} ({} errors, {} warnings, {} notes; {} checks)\n", rec->result, rec->errors,
                             rec->warnings, rec->notes, rec->checks);
    if (again.checked)
      std::cout << fmt::format("  reproduced: {} ({} errors, {} warnings, {} notes; {} checks){}\n", again.result,
                               again.errors, again.warnings, again.notes, again.checks,
                               again.findings_json == rec->findings_json ? ", the same findings" : "");
    for (const auto& p : problems) std::cout << "  problem:   " << p << '\n';
  }
  return verified ? 0 : 1;
}

}  // namespace fundcheck::app
