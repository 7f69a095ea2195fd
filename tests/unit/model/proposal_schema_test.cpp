#include "fundcheck/engine/proposal_schema.hpp"

#define BOOST_TEST_MODULE proposal_schema
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

using namespace fundcheck::engine;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// docs/<name> is generated from the schema: UPDATE_GOLDEN=1 rewrites it, and the diff is reviewed.
void check_docs_schema(const std::string& name, const schema& s) {
  const std::string path = std::string(FUNDCHECK_SOURCE_DIR) + "/docs/" + name;
  const std::string generated = proposal_json_schema(s);
  if (const char* update = std::getenv("UPDATE_GOLDEN"); update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << generated;
  }
  BOOST_TEST(read_file(path) == generated,
             path << " is out of date: run UPDATE_GOLDEN=1 proposal_schema_test and review the diff");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proposal_schema_suite)

BOOST_AUTO_TEST_CASE(docs_schema_is_the_generated_one) { check_docs_schema("proposal.schema.json", allocation_schema()); }

BOOST_AUTO_TEST_CASE(docs_budget_form_schema_is_the_generated_one) {
  check_docs_schema("budget-form.schema.json", budget_form_schema());
}

BOOST_AUTO_TEST_CASE(generated_budget_form_schema_structure) {
  const auto j = nlohmann::json::parse(proposal_json_schema(budget_form_schema()));
  BOOST_TEST(j["title"] == "fundcheck/budget-form@1");
  BOOST_TEST(j["description"].get<std::string>().find("docs/budget-form-format.md") != std::string::npos);
  BOOST_TEST(j["required"] == nlohmann::json::parse(R"(["format", "title", "years", "columns"])"));
  BOOST_TEST(j["properties"]["consequences"]["$ref"] == "#/$defs/amounts");
  BOOST_TEST(j["properties"]["project_type"]["enum"] == nlohmann::json::parse(R"(["ongoing", "one-year", "pool", null])"));
  BOOST_TEST(j["properties"]["funding"]["items"]["$ref"] == "#/$defs/funding");
  BOOST_TEST(j["$defs"]["funding"]["required"] == nlohmann::json::parse(R"(["pot"])"));
  BOOST_TEST(j["$defs"]["funding"]["properties"]["pot"]["enum"] ==
             nlohmann::json::parse(R"(["health", "regional_development", "social"])"));
  BOOST_TEST(j["$defs"]["un_goal"]["required"] == nlohmann::json::parse(R"(["goal"])"));
  BOOST_TEST(!j["$defs"].contains("item"));
}

BOOST_AUTO_TEST_CASE(generated_schema_structure) {
  const std::string text = proposal_json_schema(allocation_schema());
  BOOST_TEST(text == proposal_json_schema(allocation_schema()));  // deterministic
  BOOST_TEST(text.back() == '\n');
  const auto j = nlohmann::json::parse(text);
  BOOST_TEST(j["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  BOOST_TEST(j["title"] == "fundcheck/allocation@1");
  BOOST_TEST(j["additionalProperties"] == false);
  BOOST_TEST(j["required"] == nlohmann::json::parse(R"(["format", "title", "years", "columns", "items"])"));
  BOOST_TEST(j["properties"]["format"]["enum"] == nlohmann::json::parse(R"(["fundcheck/allocation@1"])"));
  BOOST_TEST(j["properties"]["items"]["items"]["$ref"] == "#/$defs/item");
  BOOST_TEST(j["properties"]["years"]["minItems"] == 1);

  const auto& item = j["$defs"]["item"];
  BOOST_TEST(item["required"] == nlohmann::json::parse(R"(["id", "name"])"));
  BOOST_TEST(item["additionalProperties"] == false);
  BOOST_TEST(item["properties"]["section"]["default"] == "current");
  BOOST_TEST(item["properties"]["section"]["enum"] == nlohmann::json::parse(R"(["current", "already_allocated", null])"));
  BOOST_TEST(item["properties"]["subitems"]["items"]["$ref"] == "#/$defs/item");
  BOOST_TEST(item["properties"]["amounts"]["$ref"] == "#/$defs/amounts");
  BOOST_TEST(item["properties"]["id"]["type"] == "string");
  BOOST_TEST(item["properties"]["from"]["type"] == nlohmann::json::parse(R"(["number", "null"])"));
  BOOST_TEST(j["$defs"]["total"]["properties"]["itemized"]["type"] == nlohmann::json::parse(R"(["boolean", "null"])"));
  BOOST_TEST(j["$defs"]["transfer"]["required"] == nlohmann::json::parse(R"(["from", "to"])"));
  BOOST_TEST(j["$defs"].contains("recipient"));
  BOOST_TEST(!j["$defs"].contains("proposal"));
  // Every property has its one-line description from the schema.
  for (const auto& [name, def] : j["$defs"].items()) {
    if (!def.contains("properties")) continue;
    for (const auto& [field, f] : def["properties"].items()) {
      BOOST_TEST_CONTEXT(name << "." << field) { BOOST_TEST(f.contains("description")); }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
