#define BOOST_TEST_MODULE rule_graph
#include "fundcheck/engine/rule_graph.hpp"

#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

using namespace fundcheck;
using engine::input_ref;

namespace {

const char* const rules_text = R"(columns national, region
param key = 0.3
let ids = [r.id for r in recipients]
let pools = [i for i in ids where i != "x"]
rule A error "a" {
  for i in all_items where i.channel == "block"
  expect i.region == round(i.national * key, 1) or true
  message "{i.name}"
}
rule B error "b" {
  for t in transfers
  expect t.to in pools
  message "{t.id}"
}
)";

std::shared_ptr<const engine::program> compiled() {
  auto r = test::compile_text(rules_text);
  BOOST_TEST_REQUIRE(r.ok(), dsl::render_text(r.diagnostics));
  return r.value;
}

std::vector<std::string> labels(const engine::program& p, const std::vector<input_ref>& inputs) {
  std::vector<std::string> out;
  for (const auto& in : inputs) out.push_back(engine::input_label(p, in));
  return out;
}

std::vector<std::string> resolve(const engine::program& p, const std::string& path) {
  auto r = engine::resolve_proposal_path(p, path);
  BOOST_TEST_INFO(path << ": " << r.error);
  BOOST_TEST_REQUIRE(!r.inputs.empty());
  return labels(p, r.inputs);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rule_graph)

BOOST_AUTO_TEST_CASE(what_a_rule_reads_directly) {
  const auto p = compiled();
  const auto a = engine::uses_of_rule(*p, 0);
  BOOST_TEST(a.params == std::vector<std::uint32_t>{0});
  BOOST_TEST(a.definitions.empty());
  const std::vector<std::string> expected{"items", "item.name", "item.channel", "item.subitems", "item.amounts.national",
                                          "item.amounts.region"};
  BOOST_TEST(labels(*p, a.inputs) == expected, boost::test_tools::per_element());
  const auto b = engine::uses_of_rule(*p, 1);
  BOOST_TEST(b.definitions.size() == 1u);  // pools, not ids: that is read through pools
  BOOST_TEST(p->definitions[b.definitions[0]].name == "pools");
}

BOOST_AUTO_TEST_CASE(dependents_are_transitive_and_in_node_order) {
  const auto p = compiled();
  const auto g = engine::build_rule_graph({p.get()});
  std::uint32_t recipient_id = engine::no_node;
  for (std::uint32_t n = 0; n < g.nodes.size(); ++n)
    if (g.nodes[n].name == "recipient.id") recipient_id = n;
  BOOST_TEST_REQUIRE(recipient_id != engine::no_node);
  std::vector<std::string> names;
  for (auto n : g.dependents(recipient_id)) names.push_back(g.nodes[n].name);
  BOOST_TEST(names == (std::vector<std::string>{"ids", "pools", "B"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(paths_in_every_accepted_form_name_the_same_input) {
  const auto p = compiled();
  const std::vector<std::string> region{"item.amounts.region"};
  for (const auto* path : {"items[3].amounts.region", "items.amounts.region", "items[0].subitems[2].amounts.region",
                           "items[3].amounts.region.2027", "/items/3/amounts/region", "/items/3/amounts/region/2027",
                           "item.amounts.region", "item.region"})
    BOOST_TEST(resolve(*p, path) == region, path);
  BOOST_TEST(resolve(*p, "title") == std::vector<std::string>{"proposal.title"});
  BOOST_TEST(resolve(*p, "proposal.title") == std::vector<std::string>{"proposal.title"});
  BOOST_TEST(resolve(*p, "transfers") == std::vector<std::string>{"transfers"});
  BOOST_TEST(resolve(*p, "years[1]") == std::vector<std::string>{"years"});
  const auto row = resolve(*p, "recipients[0]");
  BOOST_TEST(row.front() == "recipients");
  BOOST_TEST(row.size() == 6u);  // the rows, and id, name, kind, amount, note
}

BOOST_AUTO_TEST_CASE(paths_that_name_nothing_say_why) {
  const auto p = compiled();
  auto error = [&](const std::string& path) { return engine::resolve_proposal_path(*p, path).error; };
  BOOST_TEST(error("itmes[0].name").find("did you mean 'items'") != std::string::npos);
  BOOST_TEST(error("items[0].nmae").find("did you mean 'name'") != std::string::npos);
  BOOST_TEST(error("items[0].amounts.regoin").find("did you mean 'region'") != std::string::npos);
  BOOST_TEST(error("items[0].name.first").find("nothing is below it") != std::string::npos);
  BOOST_TEST(!error("items[a]").empty());
  BOOST_TEST(!error("").empty());
  BOOST_TEST(!error("items.").empty());
  BOOST_TEST(!error("/items//name").empty());
  BOOST_TEST(!error("[0]").empty());
}

BOOST_AUTO_TEST_CASE(dot_is_written_with_ids_labels_and_input_edges) {
  const auto p = compiled();
  const auto dot = engine::render_graph_dot(engine::build_rule_graph({p.get()}));
  BOOST_TEST(dot.starts_with("digraph G {\n"));
  BOOST_TEST(dot.find("p0[label=\"param key = 0.3\", shape=note];") != std::string::npos);
  BOOST_TEST(dot.find("r1[label=\"B\", shape=ellipse, tooltip=\"b\"];") != std::string::npos);
  BOOST_TEST(dot.find("d1->r1 ;") != std::string::npos);
  BOOST_TEST(dot.find("[color=\"#999999\"]") != std::string::npos);
  const auto bare = engine::render_graph_dot(engine::build_rule_graph({p.get()}, false));
  BOOST_TEST(bare.find("plaintext") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(labels_are_escaped) {
  auto r = test::compile_text("rule X error \"say \\\"hi\\\" \\\\ there\" {\n  expect true\n}\n");
  BOOST_TEST_REQUIRE(r.ok(), dsl::render_text(r.diagnostics));
  const auto dot = engine::render_graph_dot(engine::build_rule_graph({r.value.get()}));
  BOOST_TEST(dot.find(R"(tooltip="say \"hi\" \\ there")") != std::string::npos, dot);
}

BOOST_AUTO_TEST_SUITE_END()
