#define BOOST_TEST_MODULE rule_set
#include "fundcheck/engine/rule_set.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "test_support.hpp"

using namespace fundcheck;
namespace fs = std::filesystem;

namespace {

// A temporary directory of rule files, removed afterwards.
struct rule_dir {
  fs::path root = fs::temp_directory_path() / ("fundcheck-rule-set-" + std::to_string(::getpid()));
  rule_dir() { fs::create_directories(root); }
  ~rule_dir() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(root / name) << text;
    return root / name;
  }
};

std::string codes_of(const engine::rule_set_result& r) { return test::codes(r.diagnostics); }

}  // namespace

BOOST_AUTO_TEST_SUITE(rule_set)

BOOST_AUTO_TEST_CASE(files_are_grouped_by_the_format_they_declare) {
  rule_dir d;
  d.write("alloc.rules", "columns national\nrule A-1 error \"a\" { for i in items expect present(i.national) }\n");
  d.write("form.rules",
          "format \"fundcheck/budget-form@1\"\nimport \"shared.rules\"\n"
          "rule F-1 error \"f\" { expect count(funding) >= minimum }\n");
  d.write("shared.rules", "param minimum = 1\n");  // undeclared: takes its importer's format
  auto r = engine::compile_rule_set({d.root});
  BOOST_TEST_REQUIRE(r.ok(), dsl::render_text(r.diagnostics));
  BOOST_TEST_REQUIRE(r.value->programs.size() == 2u);
  const auto* alloc = r.value->for_format("fundcheck/allocation@1");
  const auto* form = r.value->for_format("fundcheck/budget-form@1");
  BOOST_TEST_REQUIRE(alloc != nullptr);
  BOOST_TEST_REQUIRE(form != nullptr);
  BOOST_TEST(alloc->rules.size() == 1u);
  BOOST_TEST(alloc->rules[0].id == "A-1");
  BOOST_TEST(alloc->params.empty());  // shared.rules belongs to the form only
  BOOST_TEST(form->rules[0].id == "F-1");
  BOOST_TEST(form->params.size() == 1u);
  BOOST_TEST(r.value->formats() == "fundcheck/allocation@1, fundcheck/budget-form@1");
  BOOST_TEST(r.value->for_format("fundcheck/other@1") == nullptr);
}

BOOST_AUTO_TEST_CASE(a_rule_is_type_checked_against_its_own_format) {
  rule_dir d;
  d.write("form.rules", "format \"fundcheck/budget-form@1\"\nrule F-1 error \"f\" { for i in items expect true }\n");
  auto r = engine::compile_rule_set({d.root});
  BOOST_TEST(!r.ok());
  BOOST_TEST(codes_of(r) == "E2002");  // the form has no items
}

BOOST_AUTO_TEST_CASE(format_errors) {
  rule_dir d;
  d.write("a.rules", "format \"fundcheck/budget@1\"\n");
  auto unknown = engine::compile_rule_set({d.root / "a.rules"});
  BOOST_TEST(codes_of(unknown) == "E2018");
  BOOST_TEST(unknown.diagnostics.at(0).message ==
             "unknown proposal format \"fundcheck/budget@1\" (known: fundcheck/allocation@1, fundcheck/budget-form@1)");

  d.write("b.rules", "format \"fundcheck/budget-form@1\"\nformat \"fundcheck/budget-form@1\"\n");
  BOOST_TEST(codes_of(engine::compile_rule_set({d.root / "b.rules"})) == "E2017");

  d.write("c.rules", "format \"fundcheck/allocation@1\"\nimport \"d.rules\"\n");
  d.write("d.rules", "format \"fundcheck/budget-form@1\"\n");
  auto mixed = engine::compile_rule_set({d.root / "c.rules"});
  BOOST_TEST(codes_of(mixed) == "E2019");
}

BOOST_AUTO_TEST_SUITE_END()
