#define BOOST_TEST_MODULE report_formats
// The batch run and its report formats over every shipped example (JSON, the CSV table with its
// mapping, examples/broken): every finding has a real place; every report is the same for any
// number of threads; SARIF has the properties 2.1.0 requires; JUnit is well-formed XML with
// unique test names and counts that agree; GitHub workflow commands are escaped; TAP is
// version 14 with a plan.
#include "fundcheck/engine/report_formats.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "fundcheck/engine/batch.hpp"
#include "fundcheck/engine/proposal_files.hpp"
#include "fundcheck/engine/rule_set.hpp"

using namespace fundcheck;
using namespace fundcheck::engine;
namespace fs = std::filesystem;
namespace pt = boost::property_tree;

namespace {

const fs::path root = FUNDCHECK_SOURCE_DIR;

// The tests read paths relative to the repository root, as a user's command line would.
struct at_root {
  at_root() { fs::current_path(root); }
};

const rule_set& shipped_rules() {
  static const auto compiled = compile_rule_set(std::vector<fs::path>{"rules"});
  BOOST_TEST_REQUIRE(compiled.ok(), dsl::render_text(compiled.diagnostics));
  return *compiled.value;
}

const bound_params& no_overrides() {
  static const bound_params params = [] {
    bound_params p;
    std::vector<dsl::diagnostic> diags;
    for (const auto& prog : shipped_rules().programs) p[prog.get()] = bind_params(*prog, {}, diags);
    return p;
  }();
  return params;
}

// Every example, plus the table whose mapping has planted errors and a file that does not exist.
std::vector<std::string> example_files() {
  auto files = select_proposal_files({"examples", "tests/golden/check/csv-mapping-values/table.csv"}, {}).files;
  files.push_back("examples/no-such-proposal.json");
  return files;
}

run_report checked(unsigned jobs, const std::vector<std::string>& files = example_files()) {
  run_report r;
  r.version = "0.1.0";
  r.rules = &shipped_rules();
  check_options o;
  o.jobs = jobs;
  r.proposals = check_proposal_files(files, shipped_rules(), no_overrides(), o);
  return r;
}

const run_report& examples_report() {
  static const run_report r = checked(2);
  return r;
}

std::string render(const report_format& f, const run_report& r) {
  std::ostringstream out;
  f.render(out, r, {});
  return out.str();
}

std::size_t finding_count(const run_report& r) {
  std::size_t n = 0;
  for (const auto& p : r.proposals) n += p.findings.size();
  return n;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

BOOST_TEST_GLOBAL_FIXTURE(at_root);

BOOST_AUTO_TEST_SUITE(formats)

BOOST_AUTO_TEST_CASE(every_finding_has_a_place_in_a_file) {
  const auto& r = examples_report();
  BOOST_TEST(finding_count(r) > 60u);
  std::size_t in_mapping = 0;
  for (const auto& p : r.proposals) {
    for (const auto& f : p.findings) {
      BOOST_TEST_CONTEXT(p.file << " " << f.rule << " " << f.where.path) {
        BOOST_TEST(f.where.line >= 1u);
        BOOST_TEST(f.where.column >= 1u);
        // The line and column are those of the value's first byte in the file named.
        const dsl::source_ptr& src = f.where.source ? f.where.source : p.source;
        BOOST_TEST_REQUIRE(src != nullptr);
        const auto pos = src->locate(f.where.offset);
        BOOST_TEST(pos.line == f.where.line);
        BOOST_TEST(pos.column == f.where.column);
        if (!f.where.file.empty()) {
          ++in_mapping;
          BOOST_TEST(p.file.ends_with(".csv"));
          BOOST_TEST(f.where.file == p.file.substr(0, p.file.size() - 4) + ".mapping.json");
        }
      }
    }
  }
  BOOST_TEST(in_mapping == 3u);  // the planted mapping errors of csv-mapping-values
}

BOOST_AUTO_TEST_CASE(a_csv_finding_points_at_its_cell) {
  const auto r = checked(1, {"examples/kraeftplan-v-2026.csv"});
  const auto& findings = r.proposals.at(0).findings;
  BOOST_TEST_REQUIRE(findings.size() == 2u);
  // "Uspecifikke symptomer på kræft;10,0;3,1": the national amount 10,0 on line 14.
  BOOST_TEST(findings[0].where.line == 14u);
  BOOST_TEST(findings[0].where.column == 32u);
  BOOST_TEST(findings[0].where.file.empty());
  // "Blok;350,0;109,1": the regional 109,1 on line 26.
  BOOST_TEST(findings[1].where.line == 26u);
  BOOST_TEST(findings[1].where.column == 12u);
}

BOOST_AUTO_TEST_CASE(reports_are_the_same_for_any_number_of_threads) {
  const auto one = checked(1);
  for (const unsigned jobs : {2u, 3u, 8u}) {
    const auto many = checked(jobs);
    for (const auto& f : engine::report_formats()) {
      BOOST_TEST_CONTEXT(f.name << " with " << jobs << " threads") { BOOST_TEST(render(f, one) == render(f, many)); }
    }
  }
}

BOOST_AUTO_TEST_CASE(without_quoting_the_texts_are_dropped) {
  check_options o;
  o.keep_source = false;
  const auto p = check_proposal_file("examples/broken/key.json", shipped_rules(), no_overrides(), o);
  BOOST_TEST(!p.source);
  BOOST_TEST(!p.sha256.empty());
  BOOST_TEST(p.findings.size() == 2u);
  o.keep_source = true;
  BOOST_TEST(check_proposal_file("examples/broken/key.json", shipped_rules(), no_overrides(), o).source != nullptr);
  // A proposal without findings keeps nothing to quote from.
  BOOST_TEST(!check_proposal_file("examples/kraeftplan-v-multiyear.json", shipped_rules(), no_overrides(), o).source);
}

BOOST_AUTO_TEST_CASE(sarif_has_what_version_2_1_0_requires) {
  const auto& r = examples_report();
  const auto doc = nlohmann::json::parse(render_sarif(r));
  BOOST_TEST(doc.at("version") == "2.1.0");
  BOOST_TEST(doc.at("$schema").get<std::string>().find("sarif-2.1.0") != std::string::npos);
  BOOST_TEST_REQUIRE(doc.at("runs").size() == 1u);
  const auto& run = doc.at("runs").at(0);
  const auto& driver = run.at("tool").at("driver");
  BOOST_TEST(driver.at("name") == "fundcheck");
  const auto& rules = driver.at("rules");
  std::set<std::string> ids;
  for (const auto& rule : rules) {
    const std::string id = rule.at("id");
    BOOST_TEST(ids.insert(id).second, "rule id twice: " << id);
    BOOST_TEST(!rule.at("shortDescription").at("text").get<std::string>().empty());
  }
  // Every rule of the rule set, with its file and line as metadata.
  for (const auto& prog : shipped_rules().programs) {
    for (const auto& rule : prog->rules) {
      BOOST_TEST_CONTEXT(rule.id) {
        BOOST_TEST(ids.contains(rule.id));
        const auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& d) { return d.at("id") == rule.id; });
        BOOST_TEST_REQUIRE((it != rules.end()));
        BOOST_TEST(it->at("properties").at("file").get<std::string>().starts_with("rules/"));
        BOOST_TEST(it->at("properties").at("line").get<int>() >= 1);
      }
    }
  }
  const std::set<std::string> levels = {"none", "note", "warning", "error"};
  std::size_t with_region = 0;
  for (const auto& res : run.at("results")) {
    const std::string rule_id = res.at("ruleId");
    BOOST_TEST_CONTEXT(res.dump()) {
      BOOST_TEST(rules.at(res.at("ruleIndex").get<std::size_t>()).at("id") == rule_id);
      BOOST_TEST(levels.contains(res.at("level").get<std::string>()));
      BOOST_TEST(!res.at("message").at("text").get<std::string>().empty());
      BOOST_TEST_REQUIRE(res.at("locations").size() >= 1u);
      const auto& loc = res.at("locations").at(0).at("physicalLocation");
      const std::string uri = loc.at("artifactLocation").at("uri");
      BOOST_TEST(!uri.empty());
      BOOST_TEST(uri.find(' ') == std::string::npos);
      if (loc.contains("region")) {
        ++with_region;
        BOOST_TEST(loc.at("region").at("startLine").get<int>() >= 1);
        BOOST_TEST(loc.at("region").at("startColumn").get<int>() >= 1);
      } else {
        BOOST_TEST(rule_id == "E3002");  // only the file that does not exist has no position
      }
    }
  }
  BOOST_TEST(run.at("results").size() == finding_count(r) + 1);  // + the missing file
  BOOST_TEST(with_region == finding_count(r));
  // The planted error of examples/broken/key.json, where it is.
  const auto key = std::find_if(run.at("results").begin(), run.at("results").end(), [](const auto& res) {
    return res.at("ruleId") == "KPV-KEY-01";
  });
  BOOST_TEST_REQUIRE((key != run.at("results").end()));
  const auto& pl = key->at("locations").at(0).at("physicalLocation");
  BOOST_TEST(pl.at("artifactLocation").at("uri") == "examples/broken/key.json");
  BOOST_TEST(pl.at("region").at("startLine") == 23);
  BOOST_TEST(pl.at("region").at("startColumn") == 46);
  BOOST_TEST(pl.at("region").at("endColumn") == 49);  // "2.9"
  BOOST_TEST(key->at("level") == "error");
  BOOST_TEST(key->at("relatedLocations").at(0).at("physicalLocation").at("artifactLocation").at("uri") ==
             "rules/kraeftplan-v.rules");
  BOOST_TEST(key->at("partialFingerprints").at("fundcheck/v1").get<std::string>().size() == 64u);
  BOOST_TEST(run.at("invocations").at(0).at("executionSuccessful") == true);
}

BOOST_AUTO_TEST_CASE(sarif_fingerprints_do_not_depend_on_lines) {
  // The same finding in a file with one more line before it keeps its fingerprint.
  const fs::path dir = fs::temp_directory_path() / "fundcheck-sarif-fingerprint";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string text;
  {
    std::ifstream in(root / "examples/broken/key.json", std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return (dir / name).string();
  };
  const auto a = checked(1, {write("p.json", text)});
  const auto moved = "\n" + text;
  fs::remove(dir / "p.json");
  const auto b = checked(1, {write("p.json", moved)});
  auto fingerprint = [](const run_report& r) {
    const auto doc = nlohmann::json::parse(render_sarif(r));
    for (const auto& res : doc.at("runs").at(0).at("results"))
      if (res.at("ruleId") == "KPV-KEY-01") return res.at("partialFingerprints").at("fundcheck/v1").get<std::string>();
    return std::string();
  };
  BOOST_TEST(!fingerprint(a).empty());
  BOOST_TEST(fingerprint(a) == fingerprint(b));
  BOOST_TEST(a.proposals[0].findings[0].where.line + 1 == b.proposals[0].findings[0].where.line);
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(junit_is_well_formed_with_unique_names_and_counts_that_agree) {
  const auto& r = examples_report();
  const std::string xml = render_junit(r);
  std::istringstream in(xml);
  pt::ptree doc;
  BOOST_REQUIRE_NO_THROW(pt::read_xml(in, doc));
  const auto& suites = doc.get_child("testsuites");
  std::size_t suite_count = 0, total_tests = 0, total_failures = 0, total_errors = 0;
  std::set<std::string> names;
  for (const auto& [tag, suite] : suites) {
    if (tag != "testsuite") continue;
    const std::string suite_name = suite.get<std::string>("<xmlattr>.name");
    BOOST_TEST(suite_name == r.proposals.at(suite_count).file);  // one suite per proposal, in order
    ++suite_count;
    std::size_t tests = 0, failures = 0, errors = 0;
    for (const auto& [ctag, testcase] : suite) {
      if (ctag != "testcase") continue;
      ++tests;
      const std::string name = testcase.get<std::string>("<xmlattr>.classname") + "/" + testcase.get<std::string>("<xmlattr>.name");
      BOOST_TEST(names.insert(name).second, "test name twice: " << name);
      if (auto f = testcase.get_child_optional("failure")) {
        ++failures;
        // "file:line:col: message"
        const std::string message = f->get<std::string>("<xmlattr>.message");
        const bool located = message.find(".json:") != std::string::npos || message.find(".csv:") != std::string::npos;
        BOOST_TEST(located, message);
      }
      if (testcase.get_child_optional("error")) ++errors;
    }
    BOOST_TEST(suite.get<std::size_t>("<xmlattr>.tests") == tests);
    BOOST_TEST(suite.get<std::size_t>("<xmlattr>.failures") == failures);
    BOOST_TEST(suite.get<std::size_t>("<xmlattr>.errors") == errors);
    total_tests += tests;
    total_failures += failures;
    total_errors += errors;
  }
  BOOST_TEST(suite_count == r.proposals.size());
  BOOST_TEST(suites.get<std::size_t>("<xmlattr>.tests") == total_tests);
  BOOST_TEST(suites.get<std::size_t>("<xmlattr>.failures") == total_failures);
  BOOST_TEST(suites.get<std::size_t>("<xmlattr>.errors") == total_errors);
  BOOST_TEST(total_errors == 1u);  // the missing file
  // A failing proposal has failures, a passing one none.
  const run_summary s = summarize(r);
  BOOST_TEST(total_failures >= s.failed);
}

BOOST_AUTO_TEST_CASE(junit_escapes_what_xml_cannot_carry) {
  run_report r;
  r.rules = &shipped_rules();
  proposal_report p;
  p.file = "a&b<c>\".json";
  dsl::diagnostic d;
  d.code = "E3001";
  d.message = std::string("bad \x01 byte \xff and <tag> & \"quote\"\nsecond line");
  p.diagnostics.push_back(d);
  r.proposals.push_back(p);
  const std::string xml = render_junit(r);
  std::istringstream in(xml);
  pt::ptree doc;
  BOOST_REQUIRE_NO_THROW(pt::read_xml(in, doc));
  const auto& testcase = doc.get_child("testsuites.testsuite.testcase");
  BOOST_TEST(testcase.get<std::string>("<xmlattr>.classname") == "a&b<c>\".json");
  const std::string message = testcase.get<std::string>("error.<xmlattr>.message");
  BOOST_TEST(message == "error[E3001]: bad \xEF\xBF\xBD byte \xEF\xBF\xBD and <tag> & \"quote\"\nsecond line");
}

BOOST_AUTO_TEST_CASE(github_commands_follow_the_escaping_rules) {
  run_report r;
  r.rules = &shipped_rules();
  proposal_report p;
  p.file = "dir,x/a:b%c.json";
  p.rules = shipped_rules().programs.front().get();
  p.result = evaluation_result{};
  p.result->findings.emplace_back();  // one error, as described below
  finding_details f;
  f.rule = "R-1";
  f.title = "t: a, b";
  f.message = "50% of\r\nx";
  f.where.line = 3;
  f.where.column = 7;
  f.rule_at = {"rules/x.rules", 1, 6};
  p.findings.push_back(f);
  r.proposals.push_back(p);
  const auto lines = lines_of(render_github(r));
  BOOST_TEST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(lines[0] ==
             "::error file=dir%2Cx/a%3Ab%25c.json,line=3,col=7,title=R-1%3A t%3A a%2C b::50%25 of%0D%0Ax%0Arule: "
             "rules/x.rules:1:6 \"t: a, b\"");
  BOOST_TEST(lines[1] == "1 proposal checked: 0 passed, 1 failed; 1 error, 0 warnings, 0 notes");
}

BOOST_AUTO_TEST_CASE(github_has_one_command_per_finding) {
  const auto& r = examples_report();
  std::size_t commands = 0, notices = 0;
  for (const auto& line : lines_of(render_github(r))) {
    if (!line.starts_with("::")) continue;
    ++commands;
    if (line.starts_with("::notice ")) ++notices;
    // Properties before "::": no raw ':' or ',' inside a value.
    const auto end = line.find("::", 2);
    BOOST_TEST_REQUIRE(end != std::string::npos);
    BOOST_TEST(line.find("file=") < end, line);
    // Only the file that does not exist has no line and column.
    if (line.find("E3002") == std::string::npos) {
      BOOST_TEST(line.find(",line=") < end, line);
      BOOST_TEST(line.find(",col=") < end, line);
    }
    BOOST_TEST(line.substr(0, end).find_first_of("\n\r") == std::string::npos);
  }
  BOOST_TEST(commands == finding_count(r) + 1);
  BOOST_TEST(render_github(r, false).find("::notice") == std::string::npos);
  BOOST_TEST(notices > 0u);
}

BOOST_AUTO_TEST_CASE(tap_is_version_14_with_a_plan_and_a_point_per_proposal) {
  const auto& r = examples_report();
  const auto lines = lines_of(render_tap(r));
  BOOST_TEST_REQUIRE(lines.size() > 2u);
  BOOST_TEST(lines[0] == "TAP version 14");
  BOOST_TEST(lines[1] == "1.." + std::to_string(r.proposals.size()));
  std::size_t point = 0;
  bool in_yaml = false;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    const auto& line = lines[i];
    if (in_yaml) {
      if (line == "  ...") in_yaml = false;
      else BOOST_TEST(line.starts_with("  "), line);
      continue;
    }
    if (line == "  ---") {
      in_yaml = true;
      continue;
    }
    if (line.starts_with("# ")) continue;
    ++point;
    const auto& p = r.proposals.at(point - 1);
    const bool ok = p.status(r.fail_on) == proposal_status::passed;
    BOOST_TEST(line == (ok ? "ok " : "not ok ") + std::to_string(point) + " - " + p.file);
  }
  BOOST_TEST(!in_yaml);
  BOOST_TEST(point == r.proposals.size());
  BOOST_TEST(lines.back() == "# " + summary_line(r));
}

BOOST_AUTO_TEST_CASE(the_summary_counts_proposals_and_severities) {
  const auto r = checked(1, {"examples/kraeftplan-v-2026.json", "examples/broken/key.json",
                             "examples/budgetforslag-kraeftplan.json", "examples/no-such-proposal.json"});
  BOOST_TEST(summary_line(r) ==
             "4 proposals checked: 2 passed, 1 failed, 1 could not be checked; 2 errors, 1 warning, 3 notes");
  auto strict = r;
  strict.fail_on = dsl::level::warning;  // the budget form's warning now fails it
  BOOST_TEST(summary_line(strict) ==
             "4 proposals checked: 1 passed, 2 failed, 1 could not be checked; 2 errors, 1 warning, 3 notes");
  strict.shard = shard_info{2, 3, 11};
  BOOST_TEST(summary_line(strict) ==
             "4 proposals checked (shard 2/3 of 11 files): 1 passed, 2 failed, 1 could not be checked; 2 errors, 1 "
             "warning, 3 notes");
}

BOOST_AUTO_TEST_CASE(rules_that_do_not_load_are_reported_in_every_format) {
  auto src = std::make_shared<const dsl::source_file>("rules/x.rules", "rule X error \"t\" {\n  expect (\n}\n");
  run_report r;
  r.version = "0.1.0";
  r.rule_diagnostics.push_back(dsl::make_diagnostic(dsl::level::error, "E1001", src, {28, 29}, "expected an expression, found ')'"));
  BOOST_TEST(exit_code(r) == 2);
  const auto sarif = nlohmann::json::parse(render_sarif(r));
  const auto& run = sarif.at("runs").at(0);
  BOOST_TEST(run.at("invocations").at(0).at("executionSuccessful") == false);
  BOOST_TEST(run.at("results").at(0).at("ruleId") == "E1001");
  BOOST_TEST(run.at("results").at(0).at("locations").at(0).at("physicalLocation").at("region").at("startLine") == 2);
  std::istringstream in(render_junit(r));
  pt::ptree doc;
  BOOST_REQUIRE_NO_THROW(pt::read_xml(in, doc));
  BOOST_TEST(doc.get<std::string>("testsuites.<xmlattr>.errors") == "1");
  BOOST_TEST(doc.get<std::string>("testsuites.testsuite.testcase.error.<xmlattr>.type") == "E1001");
  BOOST_TEST(render_tap(r) == "TAP version 14\nBail out! the rules could not be loaded: rules/x.rules:2:10: error[E1001]: "
                              "expected an expression, found ')'\n");
  BOOST_TEST(render_github(r).starts_with("::error file=rules/x.rules,line=2,col=10,endColumn=11,title=fundcheck E1001::"));
  BOOST_TEST(nlohmann::json::parse(render_json(r)).at("error") == "the rules could not be loaded");
}

BOOST_AUTO_TEST_CASE(the_format_table_names_every_format_once) {
  std::set<std::string_view> names;
  for (const auto& f : engine::report_formats()) {
    BOOST_TEST(names.insert(f.name).second);
    BOOST_TEST(find_report_format(f.name) == &f);
    BOOST_TEST(!f.description.empty());
    BOOST_TEST(f.render != nullptr);
  }
  for (const auto* name : {"text", "json", "junit", "sarif", "github", "tap"}) BOOST_TEST(names.contains(name));
  BOOST_TEST(find_report_format("xml") == nullptr);
}

BOOST_AUTO_TEST_SUITE_END()
