#define BOOST_TEST_MODULE examples
// The shipped examples against the shipped rules (the whole rules/ directory, one program per
// proposal format): the Kræftplan V 2026 allocation passes with exactly the two rounding notes,
// the multi-year allocation passes with real year columns, the budget proposal form of seed 002
// passes with exactly the "not quantified" warning, its quantified variant passes clean, and
// each broken variant is caught by exactly the intended rule, at the planted place.
#include "fundcheck/engine/evaluate.hpp"

#include <boost/test/unit_test.hpp>

#include "fundcheck/engine/rule_set.hpp"
#include "test_support.hpp"

using namespace fundcheck;
namespace fs = std::filesystem;

namespace {

const fs::path root = FUNDCHECK_SOURCE_DIR;

const engine::rule_set& shipped_rules() {
  static const auto compiled = engine::compile_rule_set(std::vector<fs::path>{root / "rules"});
  BOOST_TEST_REQUIRE(compiled.ok(), dsl::render_text(compiled.diagnostics));
  return *compiled.value;
}

struct checked {
  engine::evaluation_result result;
  std::vector<engine::finding_details> findings;
  const engine::program* rules = nullptr;
};

checked check_example(const std::string& relative) {
  auto loaded = engine::load_proposal_file(root / relative);
  BOOST_TEST_REQUIRE(loaded.ok(), dsl::render_text(loaded.diagnostics));
  const engine::program* rules = shipped_rules().for_format(loaded.value->schema_def().format);
  BOOST_TEST_REQUIRE(rules != nullptr, "no shipped rules for " << loaded.value->schema_def().format);
  std::vector<dsl::diagnostic> diags;
  const auto params = engine::bind_params(*rules, {}, diags);
  auto r = engine::evaluate(*rules, *loaded.value, params);
  BOOST_TEST_REQUIRE(r.diagnostics.empty());
  auto described = engine::describe(*rules, *loaded.value, r);
  return {std::move(r), std::move(described), rules};
}

// The statistics of one rule of the program that checked the example.
const engine::rule_stats& stats_of(const checked& c, std::string_view id) {
  for (std::size_t i = 0; i < c.rules->rules.size(); ++i)
    if (c.rules->rules[i].id == id) return c.result.stats.at(i);
  BOOST_FAIL("no rule " << id);
  throw std::logic_error("unreachable");
}

struct planted {
  std::string file;
  std::string rule;
  std::string pointer;  // of the first finding; empty when the rule reads no single value
};

const std::vector<planted> broken = {
    {"subitem-sum", "KPV-SUM-01", "/items/2/amounts/national"},
    {"block-total", "KPV-TOT-01", "/totals/0/amounts/national"},
    {"direct-total", "KPV-TOT-02", "/totals/1/amounts/national"},
    {"section-total", "KPV-TOT-03", "/totals/5/amounts/national"},
    {"grand-total", "KPV-TOT-04", "/totals/6/amounts/national"},
    {"key", "KPV-KEY-01", "/items/0/amounts/region"},
    {"direct-with-region", "KPV-DIR-01", "/items/2/subitems/3/amounts/region"},
    {"direct-without-recipient", "KPV-DIR-01", "/items/2/subitems/3/recipient"},
    {"earmark-elsewhere", "KPV-EAR-01", "/transfers/9/to"},
    {"earmark-not-transferred", "KPV-EAR-02", "/items/9/subitems/1/amounts/region"},
    {"unknown-recipient", "KPV-REC-01", "/transfers/0/to"},
    {"split-sum", "KPV-SPL-01", "/items/4/amounts/region"},
    {"pool-in", "KPV-POOL-01", "/recipients/9/amount"},
    {"pool-out", "KPV-POOL-02", "/recipients/9/amount"},
    {"permanent-missing", "KPV-DUR-01", "/items/3/amounts/national/2027"},
    {"one-off-continues", "KPV-DUR-02", "/items/0/amounts/national/2027"},
    {"permanent-reduced-early", "KPV-DUR-03", "/items/3/amounts/national/2027"},
    // Multi-year variants of examples/kraeftplan-v-multiyear.json.
    {"multiyear-permanent-missing", "KPV-DUR-01", "/items/3/amounts/national/2028"},
    {"multiyear-one-off-continues", "KPV-DUR-02", "/items/0/amounts/national/2027"},
    {"multiyear-reduced-undeclared", "KPV-DUR-03", "/items/4/amounts/national/2027"},
    // Budget proposal forms: variants of examples/budgetforslag-kvantificeret.json.
    {"budgetforslag-total", "BF-TOT-01", "/consequences/total/2023"},
    {"budgetforslag-total-missing", "BF-TOT-02", "/consequences/total/2024"},
    {"budgetforslag-decimals", "BF-FRM-01", "/consequences/other_operating/2022"},
    {"budgetforslag-unit", "BF-FRM-02", "/unit"},
    {"budgetforslag-fte-missing", "BF-FTE-01", "/consequences/fte/2023"},
    {"budgetforslag-fte-without-salaries", "BF-FTE-02", "/consequences/salaries/2022"},
    {"budgetforslag-unquantified", "BF-UNQ-01", ""},
    {"budgetforslag-no-funding", "BF-FIN-01", ""},
    {"budgetforslag-shares", "BF-FIN-02", ""},
    {"budgetforslag-share-missing", "BF-FIN-03", "/funding/1/share"},
    {"budgetforslag-commitment-budgeting", "BF-FIN-04", "/commitment_budgeting"},
    {"budgetforslag-scalability", "BF-SCA-01", "/scalability"},
    {"budgetforslag-un-goal", "BF-UN-01", "/un_goals/1/goal"},
    {"budgetforslag-no-proposer", "BF-REQ-01", "/proposer"},
    {"budgetforslag-no-purpose", "BF-REQ-02", "/purpose"},
};

}  // namespace

BOOST_AUTO_TEST_SUITE(examples)

BOOST_AUTO_TEST_CASE(the_allocation_passes_with_two_rounding_notes) {
  const auto c = check_example("examples/kraeftplan-v-2026.json");
  const auto& result = c.result;
  const auto& findings = c.findings;
  BOOST_TEST(result.errors() == 0u);
  BOOST_TEST(result.warnings() == 0u);
  const auto& r = result;
  BOOST_TEST_REQUIRE(findings.size() == 2u);
  for (const auto& f : findings) BOOST_TEST(f.kind == engine::finding_kind::rounding);
  // Ordered by their place in the proposal: the Uspecifikke symptomer row, then the Blok total.
  BOOST_TEST(findings[0].rule == "KPV-SUM-01");
  BOOST_TEST(findings[0].where.item_name == "Uspecifikke symptomer på kræft");
  BOOST_TEST(findings[0].where.column_id == "national");
  BOOST_TEST(findings[0].values.at(0).value == "10.1");
  BOOST_TEST(findings[0].values.at(1).value == "10.0");
  BOOST_TEST(findings[1].rule == "KPV-TOT-01");
  BOOST_TEST(findings[1].where.pointer == "/totals/0/amounts/region");
  BOOST_TEST(findings[1].values.at(0).value == "109.0");
  BOOST_TEST(findings[1].values.at(1).value == "109.1");
  for (const auto& s : r.stats) BOOST_TEST(s.evaluated);
}

BOOST_AUTO_TEST_CASE(the_multiyear_allocation_passes_with_every_year_checked) {
  const auto c = check_example("examples/kraeftplan-v-multiyear.json");
  BOOST_TEST(c.result.errors() == 0u);
  BOOST_TEST(c.result.warnings() == 0u);
  BOOST_TEST(c.findings.empty());
  // The duration rules run on real year columns: 3 permanent items (2 one-off) × 2 later years × 2 columns.
  BOOST_TEST(stats_of(c, "KPV-DUR-01").passed == 12u);
  BOOST_TEST(stats_of(c, "KPV-DUR-02").passed == 8u);
  BOOST_TEST(stats_of(c, "KPV-DUR-03").passed == 12u);
  for (const auto& s : c.result.stats) BOOST_TEST(s.evaluated);
}

BOOST_AUTO_TEST_CASE(the_budget_form_passes_with_the_not_quantified_warning) {
  const auto c = check_example("examples/budgetforslag-kraeftplan.json");
  BOOST_TEST(c.result.errors() == 0u);
  BOOST_TEST(c.result.notes() == 0u);
  BOOST_TEST_REQUIRE(c.findings.size() == 1u);
  const auto& f = c.findings[0];
  BOOST_TEST(f.rule == "BF-UNQ-01");
  BOOST_TEST(f.severity == dsl::level::warning);
  BOOST_TEST(f.kind == engine::finding_kind::violation);
  BOOST_TEST(f.where.pointer == "/qualification_note");
  BOOST_TEST(f.message ==
             "Initiativer i kræftplanen er ikke kvantificeret: 20 af 20 felter i konsekvenstabellen er tomme, og 4 af 4 år "
             "(2022–2025) har intet beløb. Punktet kvalificeres yderligere senere i budgetprocessen.");
  // Nothing to add up or compare in an empty table: the amount rules do not apply.
  BOOST_TEST(stats_of(c, "BF-TOT-01").bindings == 0u);
  BOOST_TEST(stats_of(c, "BF-FTE-01").bindings == 0u);
  for (const auto& s : c.result.stats) BOOST_TEST(s.evaluated);
}

BOOST_AUTO_TEST_CASE(the_quantified_budget_form_passes_clean) {
  const auto c = check_example("examples/budgetforslag-kvantificeret.json");
  BOOST_TEST(c.findings.empty());
  BOOST_TEST(stats_of(c, "BF-TOT-01").passed == 4u);  // every year adds up
  BOOST_TEST(stats_of(c, "BF-FTE-01").passed == 4u);
  BOOST_TEST(stats_of(c, "BF-FTE-02").passed == 4u);
  BOOST_TEST(stats_of(c, "BF-FRM-01").passed == 17u);  // 20 cells, 3 left empty
}

// "Caught" means an error, or a warning for a warning rule; notes never count.
BOOST_AUTO_TEST_CASE(each_broken_example_is_caught_by_exactly_its_rule) {
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(root / "examples" / "broken"))
    if (e.path().extension() == ".json") ++files;
  BOOST_TEST(files == broken.size());  // every broken file has its expectation here
  for (const auto& b : broken) {
    BOOST_TEST_CONTEXT("examples/broken/" << b.file << ".json") {
      const auto r = check_example("examples/broken/" + b.file + ".json");
      std::set<std::string> failing;
      const engine::finding_details* first = nullptr;
      for (const auto& f : r.findings) {
        if (f.severity == dsl::level::note) continue;
        BOOST_TEST(f.kind == engine::finding_kind::violation);
        failing.insert(f.rule);
        if (!first) first = &f;
      }
      BOOST_TEST(failing == std::set<std::string>{b.rule});
      BOOST_TEST_REQUIRE(first != nullptr);
      BOOST_TEST(first->where.pointer == b.pointer);
      if (!b.pointer.empty()) BOOST_TEST(first->where.line > 0u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
