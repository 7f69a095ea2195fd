#define BOOST_TEST_MODULE evaluate
#include "fundcheck/engine/evaluate.hpp"

#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

using namespace fundcheck;

namespace {

struct run {
  std::shared_ptr<const engine::program> program;
  std::unique_ptr<engine::proposal> doc;
  engine::evaluation_result result;
  std::vector<engine::finding_details> findings;  // result.findings, described
};

run check(const std::string& rules, const std::string& proposal,
          const std::vector<std::pair<std::string, std::string>>& params = {},
          engine::evaluate_options options = {}) {
  auto c = test::compile_text(rules);
  BOOST_TEST_REQUIRE(c.ok(), dsl::render_text(c.diagnostics));
  run r;
  r.program = c.value;
  r.doc = test::load_text(proposal);
  std::vector<dsl::diagnostic> diags;
  const auto values = engine::bind_params(*r.program, params, diags);
  BOOST_TEST_REQUIRE(diags.empty());
  r.result = engine::evaluate(*r.program, *r.doc, values, options);
  r.findings = engine::describe(*r.program, *r.doc, r.result);
  return r;
}

std::string item(const std::string& id, const std::string& amounts, const std::string& extra = "") {
  std::string out = R"({"id": ")";
  out.append(id).append(R"(", "name": ")").append(id).append(R"(", "channel": "block", "amounts": )");
  out.append(amounts);
  if (!extra.empty()) out.append(", ").append(extra);
  return out.append("}");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(evaluate)

BOOST_AUTO_TEST_CASE(decimal_sums_are_exact) {
  std::string items;
  for (int i = 0; i < 1000; ++i) {
    if (i) items += ',';
    items += item(std::string(1, 'i').append(std::to_string(i)), R"({"national": 0.1})");
  }
  auto r = check("columns national\nrule S error \"t\" { expect sum(i.national for i in items) == 100.0 }\n",
                 test::proposal_json(items));
  BOOST_TEST(r.findings.empty());
  BOOST_TEST(r.result.stats[0].passed == 1u);
}

BOOST_AUTO_TEST_CASE(rounding_aware_equality_passes_exactly_with_a_note_or_fails) {
  const std::string rules =
      "columns national\n"
      "rule S error \"sum\" { for p in items where count(p.subitems) > 0\n"
      "  expect sum(s.national for s in p.subitems) ~= p.national }\n";
  auto sub = [](const std::string& a, const std::string& b, const std::string& total) {
    return test::proposal_json(item("p", "{\"national\": " + total + "}",
                                    "\"subitems\": [" + item("a", "{\"national\": " + a + "}") + "," +
                                        item("b", "{\"national\": " + b + "}") + "]"));
  };
  BOOST_TEST(check(rules, sub("5.1", "4.9", "10.0")).findings.empty());
  auto note = check(rules, sub("5.2", "4.9", "10.0"));  // 10.1 ± 0.10 against 10.0 ± 0.05
  BOOST_TEST_REQUIRE(note.findings.size() == 1u);
  const auto& f = note.findings[0];
  BOOST_TEST(f.kind == engine::finding_kind::rounding);
  BOOST_TEST(f.severity == dsl::level::note);
  BOOST_TEST(f.values.at(0).value == "10.1");
  BOOST_TEST(f.values.at(0).role == "computed");
  BOOST_TEST(f.values.at(0).interval->first == "10.00");
  BOOST_TEST(f.values.at(0).interval->second == "10.20");
  BOOST_TEST(f.values.at(1).role == "reported");
  BOOST_TEST(f.values.at(1).interval->first == "9.95");
  BOOST_TEST(*f.difference == "0.1");
  BOOST_TEST(f.where.pointer == "/items/0/amounts/national");
  auto fail = check(rules, sub("5.3", "4.9", "10.0"));  // 10.2 ± 0.10 against 10.0 ± 0.05: no overlap
  BOOST_TEST_REQUIRE(fail.findings.size() == 1u);
  BOOST_TEST(fail.findings[0].kind == engine::finding_kind::violation);
  BOOST_TEST(fail.findings[0].severity == dsl::level::error);
}

BOOST_AUTO_TEST_CASE(tolerance_passes_with_a_note) {
  const std::string rules = "columns national, region\nrule K warning \"k\" { for i in items\n"
                            "  expect i.region == i.national * 0.312 within 0.1 }\n";
  auto r = check(rules, test::proposal_json(item("a", R"({"national": 10.0, "region": 3.1})") + "," +
                                            item("b", R"({"national": 10.0, "region": 3.5})")));
  BOOST_TEST_REQUIRE(r.findings.size() == 2u);
  BOOST_TEST(r.findings[0].kind == engine::finding_kind::rounding);  // |3.1 - 3.12| <= 0.1
  BOOST_TEST(r.findings[1].kind == engine::finding_kind::violation);
  BOOST_TEST(r.findings[1].severity == dsl::level::warning);
  BOOST_TEST(r.result.warnings() == 1u);
}

BOOST_AUTO_TEST_CASE(absent_values_make_a_check_not_applicable) {
  const std::string rules = "columns national, region\nrule K error \"k\" { for i in items\n"
                            "  expect i.region == round(i.national * 0.3117, 1) }\n"
                            "rule P error \"p\" { for i in items expect present(i.region) }\n";
  auto r = check(rules, test::proposal_json(item("a", R"({"national": 1.0})")));
  BOOST_TEST(r.result.stats[0].not_applicable == 1u);
  BOOST_TEST_REQUIRE(r.findings.size() == 1u);
  BOOST_TEST(r.findings[0].rule == "P");
  BOOST_TEST(r.findings[0].values.at(0).value == "absent");
}

BOOST_AUTO_TEST_CASE(logic_is_three_valued) {
  const std::string rules =
      "columns region\n"
      "rule A error \"and\" { for i in items expect i.region > 0 and false }\n"   // false
      "rule O error \"or\" { for i in items expect i.region > 0 or true }\n"      // true
      "rule N error \"not\" { for i in items expect not (i.region > 0) }\n"       // unknown
      "rule I error \"implies\" { for i in items expect false implies i.region > 0 }\n";  // true
  auto r = check(rules, test::proposal_json(item("a", "{}")));
  BOOST_TEST(test::finding_keys(r.findings) == std::vector<std::string>{"A:violation"});
  BOOST_TEST(r.result.stats[2].not_applicable == 1u);
}

BOOST_AUTO_TEST_CASE(a_failed_definition_is_reported_once_per_dependent_rule) {
  const std::string rules =
      "columns national\n"
      "let the_item = one([i for i in items where i.channel == \"block\"])\n"
      "let doubled = the_item.national * 2\n"
      "rule A error \"uses doubled\" { expect doubled > 0 }\n"
      "rule B error \"independent\" { for i in items expect i.national > 100 }\n";
  auto r = check(rules, test::proposal_json(item("a", R"({"national": 1.0})") + "," + item("b", R"({"national": 2.0})")));
  BOOST_TEST(test::finding_keys(r.findings) ==
             (std::vector<std::string>{"A:not_evaluated", "B:violation", "B:violation"}));
  const auto& f = r.findings[0];
  BOOST_TEST(f.reason == "'the_item' could not be computed: one() found more than one element in "
                         "'one([i for i in items where i.channel == \"block\"])'");
  BOOST_TEST(!r.result.stats[0].evaluated);
}

BOOST_AUTO_TEST_CASE(an_error_in_a_binding_is_reported_once_with_a_count) {
  const std::string rules = "columns national, region\nrule D error \"ratio\" { for i in items\n"
                            "  expect i.region / i.national < 1 }\n";
  auto r = check(rules, test::proposal_json(item("a", R"({"national": 0.0, "region": 1.0})") + "," +
                                            item("b", R"({"national": 0.0, "region": 1.0})")));
  BOOST_TEST_REQUIRE(r.findings.size() == 1u);
  BOOST_TEST(r.findings[0].kind == engine::finding_kind::not_evaluated);
  BOOST_TEST(r.findings[0].message ==
             "ratio: not evaluated for 2 bindings; the first: division by zero in 'i.region / i.national'");
  BOOST_TEST(r.findings[0].where.pointer == "/items/0");
}

// Rules are evaluated a chunk of bindings at a time; a chunk in which a binding fails is run
// again binding by binding. Across several chunks, violations, errors and passes must come out
// as binding-by-binding evaluation gives them: every violation in order, the errors counted once
// with the first, the stats complete.
BOOST_AUTO_TEST_CASE(errors_and_violations_across_many_bindings_are_reported_in_order) {
  std::string items;
  for (int i = 0; i < 700; ++i) {
    if (i) items += ',';
    const bool zero = i == 300 || i == 650;  // division by zero
    const bool wrong = i % 97 == 5;          // region > national
    items += item(std::string(1, 'i').append(std::to_string(i)), std::string(R"({"national": )") + (zero ? "0.0" : "2.0") +
                                               R"(, "region": )" + (wrong ? "3.0" : "1.0") + "}");
  }
  const std::string rules = "columns national, region\nrule D error \"ratio\" { for i in items\n"
                            "  for y in years where y > 0\n"
                            "  expect i.region[y] / i.national[y] < 1\n  message \"{i.name}\" }\n";
  auto r = check(rules, test::proposal_json(items));
  std::vector<std::string> violations;
  for (const auto& f : r.findings)
    if (f.kind == engine::finding_kind::violation) violations.push_back(f.message);
  const std::vector<std::string> expected = {"i5", "i102", "i199", "i296", "i393", "i490", "i587", "i684"};
  BOOST_TEST(violations == expected, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(r.result.stats.size() == 1u);
  BOOST_TEST(r.result.stats[0].bindings == 700u);
  BOOST_TEST(r.result.stats[0].failed == 8u);
  BOOST_TEST(r.result.stats[0].passed == 690u);
  const auto errors = std::count_if(r.findings.begin(), r.findings.end(), [](const auto& f) {
    return f.kind == engine::finding_kind::not_evaluated;
  });
  BOOST_TEST_REQUIRE(errors == 1);
  const auto& e = *std::find_if(r.findings.begin(), r.findings.end(), [](const auto& f) {
    return f.kind == engine::finding_kind::not_evaluated;
  });
  BOOST_TEST(e.message == "ratio: not evaluated for 2 bindings; the first: division by zero in "
                          "'i.region[y] / i.national[y]'");
  BOOST_TEST(e.where.pointer == "/items/300");
}

// Rules evaluated by several threads give the same result as one thread, to the finding and
// the step: also when the budget runs out in a definition, in the middle of a rule or between
// rules (the budget is reconciled in rule order).
BOOST_AUTO_TEST_CASE(threads_give_the_same_result_as_one_thread) {
  auto c = test::compile_text(test::read_file(std::filesystem::path(FUNDCHECK_SOURCE_DIR) / "rules/kraeftplan-v.rules"),
                              "rules/kraeftplan-v.rules");
  BOOST_TEST_REQUIRE(c.ok(), dsl::render_text(c.diagnostics));
  std::string items;
  for (int i = 0; i < 400; ++i) {
    if (i) items += ',';
    const std::string region = i % 37 == 3 ? "9.9" : "0.3";  // some break the key
    items += item(std::string(1, 'i').append(std::to_string(i)), R"({"national": 1.0, "region": )" + region + "}");
  }
  const auto doc = test::load_text(test::proposal_json(items));
  std::vector<dsl::diagnostic> diags;
  const auto params = engine::bind_params(*c.value, {}, diags);
  auto render = [&](const engine::evaluation_result& r) {
    std::string out = std::to_string(r.checks) + " checks\n";
    for (const auto& s : r.stats)
      out += std::to_string(s.bindings) + "/" + std::to_string(s.passed) + "/" + std::to_string(s.failed) + "/" +
             std::to_string(s.rounding) + (s.evaluated ? "" : " not evaluated") + "\n";
    for (const auto& f : engine::describe(*c.value, *doc, r))
      out += f.rule + " " + f.where.pointer + " " + f.message + "\n";
    return out;
  };
  for (const std::uint64_t budget : {std::uint64_t{2'000'000'000}, std::uint64_t{5}, std::uint64_t{3'000},
                                     std::uint64_t{20'000}, std::uint64_t{60'000}}) {
    engine::evaluate_options one;
    one.max_steps = budget;
    const std::string expected = render(engine::evaluate(*c.value, *doc, params, one));
    for (const unsigned threads : {2u, 3u}) {
      engine::evaluate_options many = one;
      many.threads = threads;
      BOOST_TEST(render(engine::evaluate(*c.value, *doc, params, many)) == expected,
                 "budget " << budget << ", " << threads << " threads");
    }
  }
}

BOOST_AUTO_TEST_CASE(parameters_can_be_overridden) {
  const std::string rules = "columns national, region\nparam key = 0.3117\n"
                            "rule K error \"k\" { for i in items expect i.region == round(i.national * key, 1) }\n";
  const auto doc = test::proposal_json(item("a", R"({"national": 10.0, "region": 3.1})"));
  BOOST_TEST(check(rules, doc).findings.empty());
  BOOST_TEST(check(rules, doc, {{"key", "0.35"}}).findings.size() == 1u);

  auto c = test::compile_text(rules);
  std::vector<dsl::diagnostic> diags;
  engine::bind_params(*c.value, {{"kye", "1"}, {"key", "0,3"}}, diags);
  BOOST_TEST_REQUIRE(diags.size() == 2u);
  BOOST_TEST(diags[0].code == "E2101");
  BOOST_TEST(diags[0].message == "unknown parameter 'kye' (the rules declare: key)");
  BOOST_TEST(diags[1].code == "E2102");
  BOOST_TEST(diags[1].message ==
             "parameter 'key' needs a number (with '.' as decimal point, e.g. 0.3117), got '0,3'");
}

BOOST_AUTO_TEST_CASE(a_missing_column_is_an_input_error) {
  auto r = check("columns national, regoin\nrule K error \"k\" { for i in items expect present(i.regoin) }\n",
                 test::proposal_json(item("a", R"({"national": 1.0})")));
  BOOST_TEST_REQUIRE(r.result.diagnostics.size() == 1u);
  BOOST_TEST(r.result.diagnostics[0].code == "E3101");
  BOOST_TEST(r.result.diagnostics[0].message ==
             "the rules use column 'regoin', which the proposal does not have (its columns: national, region)");
  BOOST_TEST(r.findings.empty());
}

BOOST_AUTO_TEST_CASE(amounts_by_year_and_messages_in_danish) {
  const std::string rules =
      "columns region\n"
      "rule D error \"varig\" { for i in items for y in years where y > first_year\n"
      "  expect present(i.region[y]) message \"{i.name}: intet beløb i {y}, {i.region} i første år\" }\n";
  const auto doc = R"({"format": "fundcheck/allocation@1", "title": "t", "locale": "da", "years": [2026, 2027],
    "columns": ["region"], "items": [
      {"id": "a", "name": "Kræftscreening", "amounts": {"region": {"2026": 1234.5}}}]})";
  auto r = check(rules, doc);
  BOOST_TEST_REQUIRE(r.findings.size() == 1u);
  const auto& f = r.findings[0];
  BOOST_TEST(f.message == "Kræftscreening: intet beløb i 2027, 1.234,5 i første år");
  BOOST_TEST(f.where.item_id == "a");
  BOOST_TEST(f.where.column_id == "region");
  BOOST_TEST(f.where.line == 3u);
  BOOST_TEST(f.rule_at.line == 2u);
  BOOST_TEST(f.rule_at.column == 6u);
}

BOOST_AUTO_TEST_CASE(the_evaluation_budget_stops_a_runaway_rule) {
  std::string items;
  for (int i = 0; i < 200; ++i) {
    if (i) items += ',';
    items += item(std::string(1, 'i').append(std::to_string(i)), R"({"national": 1.0})");
  }
  const std::string rules = "columns national\nrule Q error \"quadratic\" { for a in items for b in items\n"
                            "  expect a.national == b.national }\n";
  engine::evaluate_options o;
  o.max_steps = 10'000;
  auto r = check(rules, test::proposal_json(items), {}, o);
  BOOST_TEST_REQUIRE(r.findings.size() == 1u);
  BOOST_TEST(r.findings[0].kind == engine::finding_kind::not_evaluated);
  BOOST_TEST(r.findings[0].reason == "the evaluation budget was exhausted (--max-steps)");
}

BOOST_AUTO_TEST_CASE(aggregates_and_membership) {
  const std::string rules =
      "columns national\n"
      "let amounts = [i.national for i in items]\n"
      "rule MIN error \"min\" { expect min(amounts) == 1.5 }\n"
      "rule MAX error \"max\" { expect max(amounts) == 4.0 and max(1, 2) == 2 and min(1, 2) == 1 }\n"
      "rule ANY error \"any\" { expect any(i.national > 3 for i in items) }\n"
      "rule ALL error \"all\" { expect all(i.national > 1 for i in items) }\n"
      "rule NOT-ALL error \"not all\" { expect not all(i.national > 2 for i in items) }\n"
      "rule ONE error \"one\" { expect one([i for i in items where i.national > 3]).id == \"c\" }\n"
      "rule IN error \"in\" { for i in items expect i.id in [\"a\", \"b\", \"c\"] and i.id not in [\"x\"] }\n"
      "rule CNT error \"count\" { expect count(items) == 3 and count(i for i in items where i.national < 3) == 2 }\n"
      "rule EMPTY error \"empty\" { expect sum([i.national for i in items where false]) == 0 "
      "and not present(min([i.national for i in items where false])) }\n";
  auto r = check(rules, test::proposal_json(item("a", R"({"national": 1.5})") + "," + item("b", R"({"national": 2.0})") +
                                            "," + item("c", R"({"national": 4.0})")));
  BOOST_TEST(r.findings.empty(), test::finding_keys(r.findings).size() << " findings");
  for (const auto& s : r.result.stats) BOOST_TEST(s.passed == s.bindings);
}

BOOST_AUTO_TEST_CASE(severities_are_the_rules_own) {
  const std::string rules = "columns national\n"
                            "rule E error \"e\" { expect false }\n"
                            "rule W warning \"w\" { expect false }\n"
                            "rule N note \"n\" { expect false }\n";
  auto r = check(rules, test::proposal_json(item("a", R"({"national": 1.0})")));
  BOOST_TEST_REQUIRE(r.findings.size() == 3u);
  BOOST_TEST(r.result.errors() == 1u);
  BOOST_TEST(r.result.warnings() == 1u);
  BOOST_TEST(r.result.notes() == 1u);
  for (const auto& f : r.findings) BOOST_TEST(f.kind == engine::finding_kind::violation);
}

BOOST_AUTO_TEST_CASE(a_not_evaluated_finding_names_the_definition_that_failed_first) {
  const std::string rules =
      "columns national\n"
      "let the_item = one([i for i in items where i.channel == \"block\"])\n"
      "let doubled = the_item.national * 2\n"
      "rule A error \"uses doubled\" { expect doubled > 0 }\n"
      "rule B error \"uses the item\" { expect present(the_item) }\n"
      "rule C error \"runs out of budget\" { for i in items expect i.national > 0 }\n";
  auto r = check(rules, test::proposal_json(item("a", R"({"national": 1.0})") + "," + item("b", R"({"national": 2.0})")));
  BOOST_TEST_REQUIRE(r.findings.size() == 2u);
  for (const auto& f : r.findings) {
    BOOST_TEST((f.cause == engine::finding::cause_kind::definition));
    BOOST_TEST(f.cause_definition == "the_item");  // not 'doubled', which failed because of it
    BOOST_TEST(f.cause_at.line == 2u);
    BOOST_TEST(f.cause_at.column == 5u);
  }
  engine::evaluate_options tight;
  tight.max_steps = 3;
  auto c = check("columns national\nrule C error \"c\" { for i in items expect i.national > 0 }\n",
                 test::proposal_json(item("a", R"({"national": 1.0})") + "," + item("b", R"({"national": 2.0})")), {},
                 tight);
  BOOST_TEST_REQUIRE(c.findings.size() == 1u);
  BOOST_TEST((c.findings[0].cause == engine::finding::cause_kind::budget));
}

namespace {

// Records what an observer is told, and probes values as coverage and explain do.
struct recording_observer final : engine::evaluation_observer {
  const engine::program* p = nullptr;
  std::vector<std::string> events;
  void filtered(std::uint32_t rule, std::uint32_t level, bool passed, engine::binding_probe& probe) override {
    const auto& l = p->rules[rule].loops[level];
    const auto v = probe.variable(l.slot);
    events.push_back(p->rules[rule].id + " filter " + std::to_string(level) + (passed ? " pass" : " drop") + " row " +
                     std::to_string(v.index));
  }
  void checked(std::uint32_t rule, engine::check_outcome o, const engine::finding* f, const std::string& error,
               engine::binding_probe& probe) override {
    const auto& r = p->rules[rule];
    std::string e = r.id + " " + std::string(engine::to_string(o));
    if (f != nullptr) e += " finding";
    if (!error.empty()) e += " error: " + error;
    if (r.check.lhs != engine::no_node) {
      const auto lhs = probe.value_of(r.check.lhs);
      e += " lhs=" + (lhs.ok() ? lhs.value.number.to_string() : "error " + lhs.error);
    }
    events.push_back(std::move(e));
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(an_observer_sees_every_filter_and_check_with_the_values_of_the_binding) {
  const std::string rules =
      "columns national\n"
      "rule A error \"a\" { for i in items where i.national > 1.5 expect i.national < 3 }\n"
      "rule B error \"b\" { for i in items when i.national != 2 expect 10 / (i.national - 1) > 0 }\n"
      "rule C error \"c\" { for t in transfers where t.from == \"x\" expect present(t.to) }\n";
  const std::string proposal = test::proposal_json(item("x", R"({"national": 1.0})") + "," +
                                                   item("y", R"({"national": 2.0})") + "," +
                                                   item("z", R"({"national": 4.0})"),
                                                   R"("recipients": [{"id": "r", "name": "R"}],
                                                      "transfers": [{"from": "x", "to": "r"}, {"from": "y", "to": "r"}])");
  auto plain = check(rules, proposal);
  recording_observer obs;
  obs.p = plain.program.get();
  engine::evaluate_options options;
  options.observer = &obs;
  auto watched = check(rules, proposal, {}, options);
  // The observer changes no result.
  BOOST_TEST(test::finding_keys(watched.findings) == test::finding_keys(plain.findings));
  BOOST_TEST(watched.result.checks == plain.result.checks);
  BOOST_TEST(obs.events == (std::vector<std::string>{
                               "A filter 0 drop row 0",
                               "A filter 0 pass row 1",
                               "A passed lhs=2.0",
                               "A filter 0 pass row 2",
                               "A failed finding lhs=4.0",
                               "B error error: division by zero in '10 / (i.national - 1)' "
                               "lhs=error division by zero in '10 / (i.national - 1)'",
                               "B skipped lhs=10.000000000000",  // `when` was false: probing still works
                               "B passed lhs=3.333333333333",
                               // Joined loops are filtered element by element under an observer.
                               "C filter 0 pass row 0",
                               "C passed",
                               "C filter 0 drop row 1",
                           }),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(only_one_rule_is_evaluated_when_asked) {
  const std::string rules =
      "columns national\n"
      "rule A error \"a\" { for i in items expect i.national < 0 }\n"
      "rule B error \"b\" { for i in items expect i.national < 0 }\n";
  engine::evaluate_options options;
  options.only_rule = 1;
  auto r = check(rules, test::proposal_json(item("x", R"({"national": 1.0})")), {}, options);
  BOOST_TEST(test::finding_keys(r.findings) == std::vector<std::string>{"B:violation"});
  BOOST_TEST(!r.result.stats[0].evaluated);
  BOOST_TEST(r.result.stats[1].bindings == 1u);
}


BOOST_AUTO_TEST_SUITE_END()
