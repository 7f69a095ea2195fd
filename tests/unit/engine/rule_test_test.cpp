#define BOOST_TEST_MODULE rule_test
#include "fundcheck/engine/rule_test.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>

#include "test_support.hpp"

using namespace fundcheck;
namespace fs = std::filesystem;

namespace {

// A scratch directory with a rule file and a test file, removed afterwards.
struct scratch {
  fs::path dir;
  scratch() {
    dir = fs::temp_directory_path() / fs::path("fundcheck-rule-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
};

const char* const rules =
    "columns national, region\n"
    "rule A error \"big rows\" {\n"
    "  for i in items where i.channel == \"block\" and i.national > 5\n"
    "  expect i.national < 100\n"
    "}\n";

std::string proposal(const std::string& items) {
  return R"({"format": "fundcheck/allocation@1", "title": "t", "years": [2026], "columns": ["national", "region"], "items": [)" +
         items + "]}";
}

struct loaded_file {
  engine::test_file file;
  std::shared_ptr<const engine::rule_set> rules;
};

loaded_file load(const fs::path& path) {
  auto r = engine::load_test_file(path);
  BOOST_TEST_REQUIRE(r.value.has_value(), dsl::render_text(r.diagnostics));
  auto c = engine::compile_rule_set(r.value->rules);
  BOOST_TEST_REQUIRE(c.ok(), dsl::render_text(c.diagnostics));
  const auto more = engine::check_test_file(*r.value, *c.value);
  BOOST_TEST_REQUIRE(more.empty(), dsl::render_text(more));
  return {std::move(*r.value), c.value};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rule_test)

BOOST_AUTO_TEST_CASE(a_case_passes_when_its_findings_are_there_and_fails_on_a_missing_or_extra_one) {
  scratch s;
  s.write("a.rules", rules);
  const auto path = s.write("a.test.json", R"({"cases": [
    {"name": "match", "proposal": )" + proposal(R"({"id": "x", "name": "X", "channel": "block", "amounts": {"national": 200.0}})") + R"(,
     "findings": [{"rule": "A", "severity": "error", "at": "/items/0/amounts/national", "year": 2026}]},
    {"name": "wrong place", "proposal": )" + proposal(R"({"id": "x", "name": "X", "channel": "block", "amounts": {"national": 200.0}},
                                                        {"id": "y", "name": "Y", "channel": "block", "amounts": {"national": 300.0}})") + R"(,
     "findings": [{"rule": "A", "item": "X"}, {"rule": "A", "item": "Z"}]},
    {"name": "passes", "proposal": )" + proposal(R"({"id": "x", "name": "X", "channel": "block", "amounts": {"national": 200.0}})") + R"(,
     "passes": ["*"]}
  ]})");
  const auto t = load(path);
  BOOST_TEST(t.file.rules.size() == 1u);  // a.test.json tests a.rules beside it
  const auto r0 = engine::run_case(t.file, t.file.cases[0], *t.rules);
  BOOST_TEST((r0.what == engine::case_result::status::passed));
  const auto r1 = engine::run_case(t.file, t.file.cases[1], *t.rules);
  BOOST_TEST_REQUIRE((r1.what == engine::case_result::status::failed));
  BOOST_TEST_REQUIRE(r1.failures.size() == 1u);
  // Z is missing; Y's finding, which no expectation took, is shown as the closest.
  BOOST_TEST((r1.failures[0].what == engine::case_failure::kind::missing));
  BOOST_TEST(r1.failures[0].actual->where.item_id == "y");
  const auto r2 = engine::run_case(t.file, t.file.cases[2], *t.rules);
  BOOST_TEST_REQUIRE(r2.failures.size() == 1u);
  BOOST_TEST((r2.failures[0].what == engine::case_failure::kind::not_passed));
  // The inline proposal's positions are the test file's.
  BOOST_TEST(r2.failures[0].actual->where.line == 7u);
}

BOOST_AUTO_TEST_CASE(coverage_counts_conditions_as_the_evaluation_looks_at_them) {
  scratch s;
  s.write("a.rules", rules);
  const auto path = s.write("a.test.json", R"({"cases": [
    {"name": "direct rows only", "proposal": )" + proposal(R"({"id": "x", "name": "X", "channel": "direct", "amounts": {"national": 200.0}})") + R"(,
     "passes": ["A"]}
  ]})");
  const auto t = load(path);
  engine::coverage cov;
  engine::run_case(t.file, t.file.cases[0], *t.rules, &cov);
  // Goals: A failed, A passed; the filter, `i.channel == "block"` and `i.national > 5`, each true
  // and false. Only the filter and its left side were false; `i.national > 5` was never looked at.
  BOOST_TEST(cov.total() == 8u);
  std::vector<std::string> covered;
  for (const auto& g : cov.goals())
    if (g.covered) covered.push_back(g.condition + ":" + g.outcome);
  BOOST_TEST(covered == (std::vector<std::string>{"i.channel == \"block\" and i.national > 5:false",
                                                  "i.channel == \"block\":false"}),
             boost::test_tools::per_element());
  const auto summary = cov.rules();
  BOOST_TEST_REQUIRE(summary.size() == 1u);
  BOOST_TEST(!summary[0].checked);
}

BOOST_AUTO_TEST_CASE(mistakes_in_a_test_file_are_diagnostics_at_their_place) {
  scratch s;
  s.write("a.rules", rules);
  const auto path = s.write("a.test.json", "{\"cases\": [\n  {\"name\": \"x\", \"proposl\": \"p.json\", \"passes\": [\"A\"]}\n]}");
  const auto r = engine::load_test_file(path);
  BOOST_TEST(!r.value.has_value());
  BOOST_TEST(test::codes(r.diagnostics) == "E6003 E6003");  // the unknown key, and no proposal
  const auto at = r.diagnostics[0].source->locate(r.diagnostics[0].where.begin);
  BOOST_TEST(at.line == 2u);
  BOOST_TEST(at.column == 17u);
  BOOST_TEST(r.diagnostics[0].message == "unknown key \"proposl\" in a test case; did you mean \"proposal\"?");
}

BOOST_AUTO_TEST_SUITE_END()
