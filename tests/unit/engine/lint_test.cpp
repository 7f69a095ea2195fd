#define BOOST_TEST_MODULE lint
#include "fundcheck/engine/lint.hpp"

#include <boost/test/unit_test.hpp>

#include "fundcheck/engine/rule_set.hpp"
#include "test_support.hpp"

using namespace fundcheck;

namespace {

// The codes lint reports for one rule file (which must compile), in report order.
std::string lint_codes(const std::string& text, engine::lint_options options = {}) {
  auto src = std::make_shared<const dsl::source_file>("t.rules", text);
  auto parsed = dsl::parse_rules(src);
  BOOST_TEST_REQUIRE(parsed.ok(), dsl::render_text(parsed.diagnostics));
  dsl::rule_set_sources set;
  set.files.push_back({src, std::move(parsed.file)});
  auto compiled = engine::compile_rule_set(set);
  BOOST_TEST_REQUIRE(compiled.ok(), dsl::render_text(compiled.diagnostics));
  return test::codes(engine::lint_rule_set(set, *compiled.value, options));
}

// A rule over all_items with the given filter, when and expect.
std::string rule(const std::string& where, const std::string& when, const std::string& expect) {
  return "columns national, region\nrule R error \"t\" {\n  for i in all_items" + (where.empty() ? "" : " where " + where) +
         "\n" + (when.empty() ? "" : "  when " + when + "\n") + "  expect " + expect + "\n  message \"{i.name}\"\n}\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lint)

BOOST_AUTO_TEST_CASE(satisfiable_conditions_are_not_reported) {
  // Each of these can hold for some row, so none may be reported.
  for (const auto& where : {
           "i.channel == \"block\"",
           "i.channel != \"blok\"",                             // true for every allowed value
           "i.national > 5 and i.national <= 5.0001",
           "i.national >= 5 and i.national <= 5",               // exactly 5
           "not (i.national > 5 and i.national < 3)",           // the negation of a contradiction
           "i.channel == \"block\" or i.channel == \"blok\"",   // one side can hold
           "i.channel in [\"block\", \"blok\"]",
           "i.channel not in [\"block\"]",
           "present(i.region) implies i.region > 0",
           "not present(i.region) or i.region > 0",
           "count(i.subitems) >= 0",
           "i.national ~= i.region and present(i.national)",
           "i.section == \"current\" and i.duration != \"permanent\"",
       }) {
    BOOST_TEST(lint_codes(rule(where, "", "present(i.earmark)")) == "", where);
  }
}

BOOST_AUTO_TEST_CASE(impossible_filters_are_reported) {
  for (const auto& where : {
           "i.channel == \"blok\"",
           "i.channel in [\"blok\", \"direkte\"]",
           "i.national >= 5 and i.national < 5",
           "i.national == 5 and i.national != 5.00",   // the same number at another scale
           "i.national > 3 and not (i.national > 2)",  // negation pushed inwards
           "not (present(i.national) implies i.national > 0) and i.national > 0",
           "i.channel == \"block\" and i.channel == \"direct\"",
           "count(i.subitems) < 0",
           "len(i.name) < 0",
           "not present(i.name)",  // required by the format
           "false",
           "1 > 2",
           "\"a\" in [\"b\"]",
       }) {
    BOOST_TEST(lint_codes(rule(where, "", "present(i.earmark)")) == "W4003", where);
  }
}

BOOST_AUTO_TEST_CASE(a_filter_and_when_are_taken_together) {
  BOOST_TEST(lint_codes(rule("i.national > 10", "i.national < 1", "present(i.region)")) == "W4003");
  BOOST_TEST(lint_codes(rule("i.national > 10", "i.national > 1", "present(i.region)")) == "");
}

BOOST_AUTO_TEST_CASE(expectations_that_always_hold_are_reported) {
  BOOST_TEST(lint_codes(rule("", "", "i.channel != \"blok\"")) == "W4004");
  BOOST_TEST(lint_codes(rule("i.national > 10", "", "i.national > 5")) == "W4004");
  BOOST_TEST(lint_codes(rule("", "", "true")) == "W4004");
  // Can fail: not reported.
  BOOST_TEST(lint_codes(rule("i.national > 10", "", "i.national > 50")) == "");
  BOOST_TEST(lint_codes(rule("", "", "i.channel == \"block\"")) == "");
  BOOST_TEST(lint_codes(rule("", "", "present(i.channel)")) == "");  // optional: may be absent
}

BOOST_AUTO_TEST_CASE(parameters_are_not_constants) {
  // --param can change a parameter, so a comparison with one is never decided by lint.
  BOOST_TEST(lint_codes("param k = 1\ncolumns national\nrule R error \"t\" {\n  when k > 2\n  expect k < 0\n"
                        "  message \"{k}\"\n}\n") == "");
}

BOOST_AUTO_TEST_CASE(allow_silences_a_code) {
  const std::string text = "let unused = 1\nrule R error \"t\" {\n  expect present(proposal.unit)\n}\n";
  BOOST_TEST(lint_codes(text) == "W4001 W4007");
  engine::lint_options options;
  options.allow = {"W4007"};
  BOOST_TEST(lint_codes(text, options) == "W4001");
}

BOOST_AUTO_TEST_CASE(every_check_has_a_distinct_code) {
  const auto& checks = engine::lint_checks();
  BOOST_TEST(checks.size() == 8u);
  for (std::size_t i = 0; i < checks.size(); ++i)
    for (std::size_t j = i + 1; j < checks.size(); ++j) BOOST_TEST(checks[i].code != checks[j].code);
}

BOOST_AUTO_TEST_SUITE_END()
