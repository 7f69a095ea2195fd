#define BOOST_TEST_MODULE compile
#include "fundcheck/engine/compile.hpp"

#include <boost/test/unit_test.hpp>

#include "fundcheck/engine/rule_set.hpp"
#include "test_support.hpp"

using namespace fundcheck;
using test::compile_text;

namespace {

// The one diagnostic of a failed compilation, rendered without colour.
std::string only_error(const std::string& rules) {
  auto r = compile_text(rules);
  BOOST_TEST_REQUIRE(!r.ok());
  return dsl::render_text(r.diagnostics);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(compile)

BOOST_AUTO_TEST_CASE(a_valid_rule_set_compiles_in_dependency_order) {
  auto r = compile_text(R"(
columns national, region
param key = 0.3117
let b = [i for i in a where i.channel == "block"]
let a = all_items
rule R-1 error "t" {
  for i in b
  expect i.region == round(i.national * key, 1)
}
)");
  BOOST_TEST_REQUIRE(r.ok(), dsl::render_text(r.diagnostics));
  const auto& p = *r.value;
  BOOST_TEST_REQUIRE(p.definitions.size() == 2u);
  BOOST_TEST(p.definitions[0].name == "a");  // dependencies first, whatever the source order
  BOOST_TEST(p.definitions[1].name == "b");
  BOOST_TEST(p.rules.size() == 1u);
  BOOST_TEST(p.rules[0].params.size() == 1u);
  BOOST_TEST(p.hash.size() == 64u);
  BOOST_TEST(engine::to_string(p.nodes[p.definitions[1].body].result, engine::allocation_schema()) ==
             "list<item>");
}

BOOST_AUTO_TEST_CASE(unknown_name_suggests_the_closest) {
  BOOST_TEST(only_error("let total = sum([i.national for i in itmes])\ncolumns national\n") ==
             "test.rules:1:38: error[E2002]: unknown name 'itmes'; did you mean 'items'?\n"
             "    1 | let total = sum([i.national for i in itmes])\n"
             "      |                                      ^~~~~\n"
             "1 error generated.\n");
}

BOOST_AUTO_TEST_CASE(unknown_field_lists_the_fields) {
  const auto text = only_error("columns national\nlet x = [i.chanel for i in items]\n");
  BOOST_TEST(text.find("test.rules:2:12: error[E2003]: item has no field 'chanel'; did you mean 'channel'?") == 0u,
             text);
  BOOST_TEST(text.find("note: the fields of item are: id, name, section, channel") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(type_errors_name_the_types) {
  BOOST_TEST(only_error("let x = \"a\" + 1\n").find("error[E2007]: '+' needs a number, got string") !=
             std::string::npos);
  BOOST_TEST(only_error("let x = sum([\"a\"])\n").find("sum() needs a list of numbers, got list<string>") !=
             std::string::npos);
  BOOST_TEST(only_error("let x = 1 == \"a\"\n").find("cannot compare number with string") != std::string::npos);
  BOOST_TEST(only_error("rule R error \"t\" { expect 1 + 1 }\n").find("'expect' needs a bool, got number") !=
             std::string::npos);
  BOOST_TEST(only_error("let x = [[1]]\n").find("E2015") != std::string::npos);
  BOOST_TEST(only_error("let x = 1 == none\n").find("error[E2010]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(arity_and_unknown_functions) {
  BOOST_TEST(only_error("let x = round(1.25)\n").find("error[E2006]: round() takes 2 arguments, got 1") !=
             std::string::npos);
  BOOST_TEST(only_error("let x = rund(1.25, 1)\n").find("error[E2005]: unknown function 'rund'; did you mean 'round'?") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_cycle_is_reported_with_its_path_and_members) {
  BOOST_TEST(only_error("let a = b + 1\nlet b = c\nlet c = a\n") ==
             "test.rules:1:5: error[E2009]: 'a' depends on itself: a -> b -> c -> a\n"
             "    1 | let a = b + 1\n"
             "      |     ^\n"
             "test.rules:2:5: note: 'b' is defined here\n"
             "    2 | let b = c\n"
             "      |     ^\n"
             "test.rules:3:5: note: 'c' is defined here\n"
             "    3 | let c = a\n"
             "      |     ^\n"
             "1 error generated.\n");
  BOOST_TEST(only_error("let a = a\n").find("'a' depends on itself: a -> a") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(duplicates_point_at_the_first_definition) {
  const auto text = only_error("let a = 1\nlet a = 2\n");
  BOOST_TEST(text.find("test.rules:2:5: error[E2001]: 'a' is already defined") == 0u, text);
  BOOST_TEST(text.find("test.rules:1:5: note: 'a' is first defined here") != std::string::npos, text);
  const auto rules = only_error("rule R-1 error \"a\" { expect true }\nrule R-1 error \"b\" { expect true }\n");
  BOOST_TEST(rules.find("error[E2008]: duplicate rule id 'R-1'") != std::string::npos, rules);
  BOOST_TEST(only_error("let items = 1\n").find("error[E2013]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(lhs_exists_only_for_comparisons) {
  BOOST_TEST(compile_text("rule R error \"t\" { expect 1 < 2 message \"{lhs} {rhs}\" }\n").ok());
  BOOST_TEST(only_error("rule R error \"t\" { expect true message \"{lhs}\" }\n")
                 .find("'lhs' and 'rhs' exist in a message when 'expect' is a comparison") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(parameters_need_literal_defaults) {
  BOOST_TEST(only_error("param k = 1 + 1\n").find("error[E2014]") != std::string::npos);
  BOOST_TEST(compile_text("param k = -0.5\nparam s = \"x\"\nparam b = true\n").ok());
}

BOOST_AUTO_TEST_CASE(amounts_need_declared_columns) {
  const auto text = only_error("let x = [i.region for i in items]\n");
  BOOST_TEST(text.find("no amount columns: declare them with 'columns'") != std::string::npos, text);
  BOOST_TEST(only_error("columns national\nlet x = [i[1] for i in items]\n").find("error[E2004]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(several_errors_are_reported_in_one_run) {
  auto r = compile_text("let a = nope\nlet b = 1 + \"x\"\nrule R error \"t\" { expect zz }\n");
  BOOST_TEST(!r.ok());
  BOOST_TEST(test::codes(r.diagnostics) == "E2002 E2007 E2002");
}

// rules/ holds rule files for both formats: each compiles against its own schema.
BOOST_AUTO_TEST_CASE(the_shipped_rules_compile) {
  auto r = engine::compile_rule_set(std::vector<std::filesystem::path>{std::filesystem::path(FUNDCHECK_SOURCE_DIR) / "rules"});
  BOOST_TEST_REQUIRE(r.ok(), dsl::render_text(r.diagnostics));
  BOOST_TEST(r.diagnostics.empty(), dsl::render_text(r.diagnostics));
  BOOST_TEST(r.value->formats() == "fundcheck/allocation@1, fundcheck/budget-form@1");
  BOOST_TEST(r.timings.size() == engine::compile_stages().size());
}

BOOST_AUTO_TEST_SUITE_END()
