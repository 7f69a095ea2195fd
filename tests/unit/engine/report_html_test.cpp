#define BOOST_TEST_MODULE report_html
#include "fundcheck/engine/report_html.hpp"

#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>
#include <sstream>

#include "fundcheck/engine/rule_set.hpp"
#include "test_support.hpp"

using namespace fundcheck;

namespace {

// A run over one proposal text, rendered as HTML.
struct page {
  std::shared_ptr<const engine::program> program;
  engine::rule_set rules;
  engine::run_report report;
  std::string html;
};

std::unique_ptr<page> render(const std::string& rules_text, const std::string& proposal_text,
                             const std::string& file = "p.json",
                             std::vector<std::pair<std::string, std::string>> params = {}) {
  auto out = std::make_unique<page>();
  auto c = test::compile_text(rules_text);
  BOOST_TEST_REQUIRE(c.ok(), dsl::render_text(c.diagnostics));
  out->program = c.value;
  out->rules.programs.push_back(c.value);
  out->report.version = "9.9.9";
  out->report.rules = &out->rules;
  out->report.params = params;
  engine::proposal_report pr;
  pr.file = file;
  pr.rules = out->program.get();
  auto doc = test::load_text(proposal_text, file);
  pr.source = doc->source();
  pr.sha256 = "abc123";
  std::vector<dsl::diagnostic> diags;
  const auto values = engine::bind_params(*out->program, {}, diags);  // params: only shown
  BOOST_TEST_REQUIRE(diags.empty());
  pr.result = engine::evaluate(*out->program, *doc, values);
  pr.findings = engine::describe(*out->program, *doc, *pr.result);
  pr.model = std::move(doc);
  out->report.proposals.push_back(std::move(pr));
  std::ostringstream s;
  engine::render_html(s, out->report);
  out->html = s.str();
  return out;
}

// Every '<' of the page opens or closes one of the elements the renderer writes: nothing from
// the input became markup.
void require_only_own_tags(const std::string& html) {
  static const std::set<std::string> own = {
      "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "main", "section", "footer", "h1",
      "h2", "h3", "h4", "p", "code", "span", "strong", "table", "thead", "tbody", "tr", "th", "td", "sup", "a",
      "dl", "dt", "dd", "ol", "ul", "li", "div", "pre", "br"};
  const std::regex tag("<(/?)([!A-Za-z][A-Za-z0-9]*)");
  std::size_t count = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), tag); it != std::sregex_iterator(); ++it) {
    BOOST_TEST(own.contains((*it)[2].str()), "unexpected tag <" << (*it)[1].str() << (*it)[2].str());
    ++count;
  }
  BOOST_TEST(count == static_cast<std::size_t>(std::count(html.begin(), html.end(), '<')),
             "a '<' that opens no tag");
}

// No two elements share an id, so every link has one target.
void require_unique_ids(const std::string& html) {
  const std::regex id(" id=\"([^\"]*)\"");
  std::set<std::string> seen;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), id); it != std::sregex_iterator(); ++it)
    BOOST_TEST(seen.insert((*it)[1].str()).second, "id used twice: " << (*it)[1].str());
}

const std::string sum_rule =
    "columns national, region\n"
    "rule SUM error \"sub-rows <add> up & match\" {\n"
    "  for item in all_items where count(item.subitems) > 0\n"
    "  for col in columns\n"
    "  expect sum(s[col] for s in item.subitems) ~= item[col]\n"
    "  message \"{item.name} ({col}): {lhs} vs {rhs}\"\n"
    "}\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(report_html)

BOOST_AUTO_TEST_CASE(names_and_messages_from_the_input_are_escaped) {
  const std::string evil = R"(<script>alert(\"x\")</script> & Co)";
  const std::string proposal =
      R"({"format": "fundcheck/allocation@1", "title": "Tom & Jerry <i>", "decimals": 1, "years": [2026],
          "columns": [{"id": "national", "label": "<b>\"Nat'l\"</b>"}, "region"],
          "items": [{"id": "a", "name": ")" + evil + R"(", "amounts": {"national": 10.0},
                     "subitems": [{"id": "b", "name": "b", "amounts": {"national": 4.0}}]}]})";
  const auto p = render(sum_rule, proposal, "dir/<evil>&\"q\".json", {{"key", "<&>"}});
  const std::string& h = p->html;
  BOOST_TEST(h.find("<script") == std::string::npos);
  BOOST_TEST(h.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co") != std::string::npos);
  BOOST_TEST(h.find("Tom &amp; Jerry &lt;i&gt;") != std::string::npos);
  BOOST_TEST(h.find("&lt;b&gt;&quot;Nat&#39;l&quot;&lt;/b&gt;") != std::string::npos);
  BOOST_TEST(h.find("sub-rows &lt;add&gt; up &amp; match") != std::string::npos);
  BOOST_TEST(h.find("dir/&lt;evil&gt;&amp;&quot;q&quot;.json") != std::string::npos);
  BOOST_TEST(h.find("key = &lt;&amp;&gt;") != std::string::npos);
  // The message interpolates the name: escaped there too (numbers as the rule formats them).
  BOOST_TEST(h.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co (national): 4.0 vs 10.0") !=
             std::string::npos);
  require_only_own_tags(h);
  require_unique_ids(h);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_and_control_characters_become_replacement_characters) {
  const std::string proposal = test::proposal_json(R"({"id": "a", "name": "tab\tbell\u0007end", "amounts": {}})");
  const auto p = render("columns national\n", proposal, std::string("bad\xff\xc3(name\x01.json"));
  BOOST_TEST(p->html.find("bad\xEF\xBF\xBD\xEF\xBF\xBD(name\xEF\xBF\xBD.json") != std::string::npos);
  BOOST_TEST(p->html.find("tab\tbell\xEF\xBF\xBD" "end") != std::string::npos);
  BOOST_TEST(p->html.find('\x07') == std::string::npos);
  require_only_own_tags(p->html);
}

BOOST_AUTO_TEST_CASE(a_flagged_cell_and_its_finding_link_to_each_other) {
  const std::string proposal = test::proposal_json(
      R"({"id": "a", "name": "Alpha", "amounts": {"national": 10.0, "region": 3.0},
          "subitems": [{"id": "b", "name": "Beta", "amounts": {"national": 4.0, "region": 3.0}}]})");
  const auto p = render(sum_rule, proposal);
  const std::string& h = p->html;
  // The national cell of Alpha is wrong (4,0 vs 10,0); the region cell agrees.
  BOOST_TEST(h.find(R"(<td id="p1-c1" class="num flagged sev-error" data-pointer="/items/0/amounts/national">10,0)"
                    R"(<sup class="refs"><a href="#p1-f1">1</a></sup></td>)") != std::string::npos);
  BOOST_TEST(h.find(R"(<li class="finding sev-error" id="p1-f1">)") != std::string::npos);
  BOOST_TEST(h.find(R"(<a href="#p1-c1">Alpha, national, 2026</a>)") != std::string::npos);
  std::size_t flagged = 0;
  for (auto at = h.find(" flagged "); at != std::string::npos; at = h.find(" flagged ", at + 1)) ++flagged;
  BOOST_TEST(flagged == 1u);
  // The heraf marker row before the sub-item, and the sub-item indented.
  BOOST_TEST(h.find(R"(<tr class="heraf"><td class="depth-1" colspan="3">heraf</td></tr>)") != std::string::npos);
  BOOST_TEST(h.find(R"(<th class="depth-1" scope="row">Beta</th>)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_note_is_marked_as_a_note_and_an_empty_cell_can_be_flagged) {
  const std::string rules =
      "columns national, region\n"
      "rule SUM error \"sum\" { for item in items where count(item.subitems) > 0\n"
      "  expect sum(s.national for s in item.subitems) ~= item.national }\n"
      "rule REG warning \"region given\" { for item in items expect present(item.region) }\n";
  const std::string proposal = test::proposal_json(
      R"({"id": "a", "name": "A", "amounts": {"national": 10.0},
          "subitems": [{"id": "b", "name": "B", "amounts": {"national": 5.2}},
                       {"id": "c", "name": "C", "amounts": {"national": 4.9}}]})");
  const auto p = render(rules, proposal);
  const std::string& h = p->html;
  // The warning comes first (worse than a note), so it is finding 1.
  BOOST_TEST(h.find(R"(class="num flagged sev-warning" data-pointer="/items/0/amounts/region"><span class="empty">tom</span>)") !=
             std::string::npos);
  BOOST_TEST(h.find(R"(class="num flagged sev-note" data-pointer="/items/0/amounts/national">10,0<sup class="refs"><a href="#p1-f2">2</a>)") !=
             std::string::npos);
  BOOST_TEST(h.find("Holder kun inden for afrundingen:") != std::string::npos);
  BOOST_TEST(h.find("afrundingsinterval 9,95 til 10,05") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_finding_about_a_row_flags_its_name_wherever_it_is_drawn) {
  const std::string rules = "columns national\nrule ROW error \"no sub-rows\" { for item in items expect count(item.subitems) == 0 }\n";
  const std::string proposal = test::proposal_json(
      R"({"id": "a", "name": "Alpha", "channel": "block", "amounts": {"national": 1.0},
          "subitems": [{"id": "b", "name": "Beta", "channel": "block", "amounts": {"national": 1.0}}]})");
  const auto p = render(rules, proposal);
  const std::string& h = p->html;
  // In the table and in the rows' details; the finding links to the table's.
  BOOST_TEST(h.find(R"(<th id="p1-c1" class="flagged sev-error" data-pointer="/items/0" scope="row">Alpha)") != std::string::npos);
  BOOST_TEST(h.find(R"(<th id="p1-c1-2" class="flagged sev-error" data-pointer="/items/0" scope="row">Alpha)") != std::string::npos);
  BOOST_TEST(h.find(R"(<a href="#p1-c1">Alpha</a>)") != std::string::npos);
  require_unique_ids(h);
}

BOOST_AUTO_TEST_CASE(values_can_be_left_out) {
  const std::string proposal = test::proposal_json(
      R"({"id": "a", "name": "Alpha", "amounts": {"national": 10.0, "region": 3.0},
          "subitems": [{"id": "b", "name": "Beta", "amounts": {"national": 4.0, "region": 3.0}}]})");
  const auto p = render(sum_rule, proposal);
  BOOST_TEST(p->html.find("<table class=\"values\">") != std::string::npos);
  engine::html_options o;
  o.show_values = false;
  std::ostringstream s;
  engine::render_html(s, p->report, o);
  BOOST_TEST(s.str().find("<table class=\"values\">") == std::string::npos);
  BOOST_TEST(s.str().find("Alpha (national): 4.0 vs 10.0") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unreadable_proposal_shows_its_diagnostics) {
  engine::run_report r;
  r.version = "9.9.9";
  engine::proposal_report pr;
  pr.file = "broken <1>.json";
  auto src = std::make_shared<const dsl::source_file>(pr.file, "{\"format\": <\n");
  auto loaded = engine::load_proposal_json(src);
  BOOST_TEST_REQUIRE(!loaded.ok());
  pr.source = src;
  pr.diagnostics = loaded.diagnostics;
  r.proposals.push_back(std::move(pr));
  std::ostringstream s;
  engine::render_html(s, r);
  const std::string h = s.str();
  BOOST_TEST(h.find("Kunne ikke kontrolleres") != std::string::npos);
  BOOST_TEST(h.find("<code class=\"rule-id\">E3001</code>") != std::string::npos);
  BOOST_TEST(h.find("broken &lt;1&gt;.json:1:12") != std::string::npos);
  BOOST_TEST(h.find("<pre class=\"snippet\">") != std::string::npos);
  require_only_own_tags(h);
}

BOOST_AUTO_TEST_SUITE_END()
