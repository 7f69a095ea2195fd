#define BOOST_TEST_MODULE examples
// The shipped examples against the shipped rules: the Kræftplan V 2026 allocation passes with
// exactly the two rounding notes, and each broken variant is caught by exactly the intended rule,
// at the planted place.
#include "fundcheck/engine/evaluate.hpp"

#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

using namespace fundcheck;
namespace fs = std::filesystem;

namespace {

const fs::path root = FUNDCHECK_SOURCE_DIR;

const engine::program& shipped_rules() {
  static const auto compiled = engine::compile_files({root / "rules" / "kraeftplan-v.rules"}, engine::allocation_schema());
  BOOST_TEST_REQUIRE(compiled.ok(), dsl::render_text(compiled.diagnostics));
  return *compiled.value;
}

struct checked {
  engine::evaluation_result result;
  std::vector<engine::finding_details> findings;
};

checked check_example(const std::string& relative) {
  auto loaded = engine::load_proposal_file(root / relative);
  BOOST_TEST_REQUIRE(loaded.ok(), dsl::render_text(loaded.diagnostics));
  std::vector<dsl::diagnostic> diags;
  const auto params = engine::bind_params(shipped_rules(), {}, diags);
  auto r = engine::evaluate(shipped_rules(), *loaded.value, params);
  BOOST_TEST_REQUIRE(r.diagnostics.empty());
  auto described = engine::describe(shipped_rules(), *loaded.value, r);
  return {std::move(r), std::move(described)};
}

struct planted {
  std::string file;
  std::string rule;
  std::string pointer;  // of the first finding
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
};

}  // namespace

BOOST_AUTO_TEST_SUITE(examples)

BOOST_AUTO_TEST_CASE(the_allocation_passes_with_two_rounding_notes) {
  const auto [result, findings] = check_example("examples/kraeftplan-v-2026.json");
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
        if (f.severity != dsl::level::error) continue;
        BOOST_TEST(f.kind == engine::finding_kind::violation);
        failing.insert(f.rule);
        if (!first) first = &f;
      }
      BOOST_TEST(failing == std::set<std::string>{b.rule});
      BOOST_TEST_REQUIRE(first != nullptr);
      BOOST_TEST(first->where.pointer == b.pointer);
      BOOST_TEST(first->where.line > 0u);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
