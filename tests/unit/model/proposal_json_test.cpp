#include "fundcheck/engine/proposal_json.hpp"

#define BOOST_TEST_MODULE proposal_json
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include "fundcheck/engine/csv_import.hpp"
#include "model_compare.hpp"

using namespace fundcheck;
using namespace fundcheck::engine;
namespace fs = std::filesystem;

namespace {

const fs::path root = FUNDCHECK_SOURCE_DIR;

load_result reload(const std::string& json) {
  return load_proposal_json(std::make_shared<const dsl::source_file>("written.json", json));
}

void require_ok(const load_result& r) { BOOST_TEST_REQUIRE(r.ok(), dsl::render_text(r.diagnostics)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(proposal_json)

BOOST_AUTO_TEST_CASE(the_json_example_round_trips) {
  const auto original = load_proposal_file(root / "examples/kraeftplan-v-2026.json");
  require_ok(original);
  const std::string written = proposal_to_json(*original.value);
  const auto again = reload(written);
  require_ok(again);
  BOOST_TEST(again.diagnostics.empty());
  const auto differences = test::model_differences(*original.value, *again.value);
  BOOST_TEST(differences.empty(), differences.size() << " differences, first: " << (differences.empty() ? "" : differences.front()));
  // Written again, the text is the same: the output is canonical.
  BOOST_TEST(proposal_to_json(*again.value) == written);
}

BOOST_AUTO_TEST_CASE(an_imported_table_round_trips) {
  const auto imported = load_proposal_file(root / "examples/kraeftplan-v-2026.csv");
  require_ok(imported);
  const auto again = reload(proposal_to_json(*imported.value));
  require_ok(again);
  const auto differences = test::model_differences(*imported.value, *again.value);
  BOOST_TEST(differences.empty(), differences.size() << " differences, first: " << (differences.empty() ? "" : differences.front()));
}

BOOST_AUTO_TEST_CASE(canonical_layout) {
  const dsl::source_ptr table = std::make_shared<const dsl::source_file>(
      "t.csv",
      "Mio. kr;Nationalt 2026;Region Hovedstaden 2026;Nationalt 2027;Region Hovedstaden 2027\n"
      "P;5,0;1,60;4,0;\n"
      "heraf;;;;\n"
      "A \"quoted\";5,0;;;\n"
      "I alt;5,0;1,60;4,0;\n");
  const dsl::source_ptr mapping = std::make_shared<const dsl::source_file>(
      "t.mapping.json",
      R"({"title": "T", "decimals": 1, "rows": {"P": {"id": "p", "from": 2026}, "A \"quoted\"": {"id": "a"}},
          "recipients": [{"id": "r", "name": "R", "amount": 123456789012345678}],
          "transfers": [{"from": "p", "to": "r", "share": 12.50}]})");
  const auto r = load_proposal_csv(table, &mapping);
  require_ok(r);
  const std::string expected = R"({
  "format": "fundcheck/allocation@1",
  "title": "T",
  "decimals": 1,
  "years": [2026, 2027],
  "columns": [
    {"id": "national", "label": "Nationalt"},
    {"id": "region", "label": "Region Hovedstaden"}
  ],
  "items": [
    {
      "id": "p",
      "name": "P",
      "section": "current",
      "duration": "unspecified",
      "from": 2026,
      "amounts": {"national": {"2026": 5.0, "2027": 4.0}, "region": {"2026": 1.60}},
      "subitems": [
        {
          "id": "a",
          "name": "A \"quoted\"",
          "section": "current",
          "duration": "unspecified",
          "amounts": {"national": {"2026": 5.0}}
        }
      ]
    }
  ],
  "totals": [
    {
      "id": "i-alt",
      "name": "I alt",
      "section": "current",
      "kind": "total",
      "amounts": {"national": {"2026": 5.0, "2027": 4.0}, "region": {"2026": 1.60}}
    }
  ],
  "recipients": [
    {
      "id": "r",
      "name": "R",
      "amount": 123456789012345678
    }
  ],
  "transfers": [
    {
      "from": "p",
      "to": "r",
      "share": 12.50,
      "column": "region"
    }
  ]
}
)";
  const std::string written = proposal_to_json(*r.value);
  BOOST_TEST(written == expected);
  const auto again = reload(written);
  require_ok(again);
  BOOST_TEST(test::model_differences(*r.value, *again.value).empty());
}

BOOST_AUTO_TEST_CASE(empty_collections_and_rows_without_amounts) {
  const dsl::source_ptr table = std::make_shared<const dsl::source_file>("t.csv", "Navn;Nationalt 2026\nA;\n");
  const auto r = load_proposal_csv(table, nullptr);
  require_ok(r);
  const std::string written = proposal_to_json(*r.value);
  BOOST_TEST(written.find("\"amounts\": {}") != std::string::npos);
  BOOST_TEST(written.find("\"totals\": []") != std::string::npos);
  BOOST_TEST(written.find("\"transfers\": []\n}\n") != std::string::npos);
  require_ok(reload(written));
}

BOOST_AUTO_TEST_SUITE_END()
