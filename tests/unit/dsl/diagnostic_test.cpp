#define BOOST_TEST_MODULE diagnostic
#include "fundcheck/dsl/diagnostic.hpp"

#include <sstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

namespace dsl = fundcheck::dsl;
using dsl::diagnostic;
using dsl::level;

namespace {

dsl::source_ptr make_source(std::string path, std::string text) {
  return std::make_shared<const dsl::source_file>(std::move(path), std::move(text));
}

// Byte offset of the first occurrence of needle in the source text.
std::uint32_t at(const dsl::source_ptr& src, std::string_view needle) {
  const auto pos = src->text().find(needle);
  BOOST_REQUIRE(pos != std::string::npos);
  return static_cast<std::uint32_t>(pos);
}

diagnostic make(level severity, std::string code, std::string message, dsl::source_ptr src = {},
                dsl::span where = {}) {
  diagnostic d;
  d.severity = severity;
  d.code = std::move(code);
  d.message = std::move(message);
  d.source = std::move(src);
  d.where = where;
  return d;
}

const std::string example_text =
    "# Kræftplan V\n"
    "param key = 0.3117\n"
    "\n"
    "let a = b + 1\n"
    "let b = a\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(diagnostics)

BOOST_AUTO_TEST_CASE(level_names) {
  BOOST_TEST(dsl::to_string(level::error) == "error");
  BOOST_TEST(dsl::to_string(level::warning) == "warning");
  BOOST_TEST(dsl::to_string(level::note) == "note");
}

BOOST_AUTO_TEST_CASE(error_with_range_and_note) {
  const auto src = make_source("rules/x.rules", example_text);
  auto d = make(level::error, "E2004", "'a' depends on itself: a -> b -> a", src,
                {at(src, "a = b"), at(src, "a = b") + 1});
  d.notes.push_back(
      make(level::note, "", "'b' is defined here", src, {at(src, "b = a"), at(src, "b = a") + 1}));
  const std::string expected =
      "rules/x.rules:4:5: error[E2004]: 'a' depends on itself: a -> b -> a\n"
      "    4 | let a = b + 1\n"
      "      |     ^\n"
      "rules/x.rules:5:5: note: 'b' is defined here\n"
      "    5 | let b = a\n"
      "      |     ^\n"
      "1 error generated.\n";
  BOOST_TEST(dsl::render_text({d}) == expected);
}

BOOST_AUTO_TEST_CASE(range_is_underlined_with_tildes) {
  const auto src = make_source("x.rules", "let blok = sum(items.region)\n");
  const auto begin = at(src, "sum");
  const auto d = make(level::error, "E1001", "expected something", src, {begin, begin + 3});
  BOOST_TEST(dsl::render_text({d}) ==
             "x.rules:1:12: error[E1001]: expected something\n"
             "    1 | let blok = sum(items.region)\n"
             "      |            ^~~\n"
             "1 error generated.\n");
}

BOOST_AUTO_TEST_CASE(columns_and_underline_count_code_points) {
  const auto src = make_source("dk.rules", "let beløb = \"æøå\" + få\n");
  const auto begin = at(src, "\"æøå\"");
  const auto d = make(level::error, "E2001", "a string cannot be added", src,
                      {begin, static_cast<std::uint32_t>(begin + std::string("\"æøå\"").size())});
  BOOST_TEST(dsl::render_text({d}) ==
             "dk.rules:1:13: error[E2001]: a string cannot be added\n"
             "    1 | let beløb = \"æøå\" + få\n"
             "      |             ^~~~~\n"
             "1 error generated.\n");
}

BOOST_AUTO_TEST_CASE(point_after_a_non_ascii_name) {
  const auto src = make_source("dk.rules", "let før = efter\n");
  const auto begin = at(src, "efter");
  const auto d = make(level::warning, "W1001", "unused", src, {begin, begin});
  BOOST_TEST(dsl::render_text({d}) ==
             "dk.rules:1:11: warning[W1001]: unused\n"
             "    1 | let før = efter\n"
             "      |           ^\n"
             "1 warning generated.\n");
}

BOOST_AUTO_TEST_CASE(tabs_are_expanded_in_line_and_underline_alike) {
  const auto src = make_source("t.rules", "\tlet\tø = 1\n");
  const auto begin = at(src, "ø");
  const auto d = make(level::error, "E1", "tab", src, {begin, begin + 2});
  // '\t' -> column 4, "let" -> 7, '\t' -> 8, "ø" at display column 8.
  BOOST_TEST(dsl::render_text({d}) ==
             "t.rules:1:6: error[E1]: tab\n"
             "    1 |     let ø = 1\n"
             "      |         ^\n"
             "1 error generated.\n");
}

BOOST_AUTO_TEST_CASE(tab_inside_a_range_widens_the_underline) {
  const auto src = make_source("t.rules", "a\tb\n");
  const auto d = make(level::error, "E1", "tab", src, {0, 3});
  BOOST_TEST(dsl::render_text({d}) ==
             "t.rules:1:1: error[E1]: tab\n"
             "    1 | a   b\n"
             "      | ^~~~~\n"
             "1 error generated.\n");
}

BOOST_AUTO_TEST_CASE(multi_line_range_is_underlined_to_the_end_of_its_first_line) {
  const auto src = make_source("m.rules", "let x = (1 +\n  2)\n");
  const auto begin = at(src, "(");
  const auto d = make(level::error, "E1", "multi", src, {begin, at(src, "2)") + 2});
  BOOST_TEST(dsl::render_text({d}) ==
             "m.rules:1:9: error[E1]: multi\n"
             "    1 | let x = (1 +\n"
             "      |         ^~~~\n"
             "1 error generated.\n");
}

BOOST_AUTO_TEST_CASE(point_at_end_of_line_and_end_of_file) {
  const auto src = make_source("e.rules", "let x =\r\n");
  const auto d1 =
      make(level::error, "E1001", "expected expression, found end of file", src, {7, 7});
  const auto d2 = make(level::error, "E1001", "at end", src, {9, 9});
  BOOST_TEST(dsl::render_text({d1, d2}) ==
             "e.rules:1:8: error[E1001]: expected expression, found end of file\n"
             "    1 | let x =\n"
             "      |        ^\n"
             "e.rules:2:1: error[E1001]: at end\n"
             "    2 | \n"
             "      | ^\n"
             "2 errors generated.\n");
}

BOOST_AUTO_TEST_CASE(gutter_grows_with_the_line_number) {
  std::string text;
  for (int i = 1; i < 12345; ++i) text += "\n";
  text += "let x = 1\n";
  const auto src = make_source("big.rules", text);
  const auto begin = at(src, "x");
  const auto d = make(level::error, "E1", "far", src, {begin, begin + 1});
  BOOST_TEST(dsl::render_text({d}) ==
             "big.rules:12345:5: error[E1]: far\n"
             " 12345 | let x = 1\n"
             "       |     ^\n"
             "1 error generated.\n");
}

BOOST_AUTO_TEST_CASE(diagnostic_without_source) {
  const auto d = make(level::error, "E3001", "cannot read 'p.json': no such file");
  BOOST_TEST(dsl::render_text({d}) ==
             "fundcheck: error[E3001]: cannot read 'p.json': no such file\n"
             "1 error generated.\n");
}

BOOST_AUTO_TEST_CASE(note_with_code_and_top_level_note) {
  const auto d = make(level::note, "N1", "passed thanks to rounding");
  BOOST_TEST(dsl::render_text({d}) == "fundcheck: note[N1]: passed thanks to rounding\n");
}

BOOST_AUTO_TEST_CASE(summary_lines) {
  const auto e = make(level::error, "E1", "e");
  const auto w = make(level::warning, "W1", "w");
  const auto n = make(level::note, "", "n");
  BOOST_TEST(dsl::render_text({}) == "");
  BOOST_TEST(dsl::render_text({n}) == "fundcheck: note: n\n");
  BOOST_TEST(dsl::render_text({e, e}).ends_with("\n2 errors generated.\n"));
  BOOST_TEST(dsl::render_text({e, e, w}).ends_with("\n2 errors and 1 warning generated.\n"));
  BOOST_TEST(dsl::render_text({e, w, w}).ends_with("\n1 error and 2 warnings generated.\n"));
  BOOST_TEST(dsl::render_text({w, w}).ends_with("\n2 warnings generated.\n"));
}

BOOST_AUTO_TEST_CASE(error_limit_stops_output) {
  const auto e1 = make(level::error, "E1", "first");
  const auto e2 = make(level::error, "E1", "second");
  const auto e3 = make(level::error, "E1", "third");
  const auto w = make(level::warning, "W1", "warn");
  dsl::render_options opts;
  opts.max_errors = 2;
  BOOST_TEST(dsl::render_text({e1, w, e2, e3, e3}, opts) ==
             "fundcheck: error[E1]: first\n"
             "fundcheck: warning[W1]: warn\n"
             "fundcheck: error[E1]: second\n"
             "fundcheck: too many errors emitted, stopping now\n"
             "2 errors and 1 warning generated.\n");
  // Exactly at the limit: no stop message.
  BOOST_TEST(dsl::render_text({e1, e2}, opts) ==
             "fundcheck: error[E1]: first\n"
             "fundcheck: error[E1]: second\n"
             "2 errors generated.\n");
  opts.max_errors = 0;  // no limit
  BOOST_TEST(dsl::render_text({e1, e2, e3}, opts).ends_with("3 errors generated.\n"));
}

BOOST_AUTO_TEST_CASE(color_output) {
  const auto src = make_source("c.rules", "let x = 1\n");
  const auto d = make(level::error, "E1", "bad", src, {4, 5});
  dsl::render_options opts;
  opts.color = true;
  BOOST_TEST(dsl::render_text({d}, opts) ==
             "\033[1mc.rules:1:5: \033[1;31merror[E1]:\033[0m\033[1m bad\033[0m\n"
             "    1 | let x = 1\n"
             "      |     \033[1;32m^\033[0m\n"
             "1 error generated.\n");
  const auto w = make(level::warning, "W1", "hm");
  BOOST_TEST(dsl::render_text({w}, opts).find("\033[1;33mwarning[W1]:") != std::string::npos);
  const auto n = make(level::note, "", "fyi");
  BOOST_TEST(dsl::render_text({n}, opts).find("\033[1;36mnote:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_replaced_when_rendering) {
  const auto src = make_source("bad.rules", "let x = \"a\xFF\" + y\n");
  const auto begin = at(src, "y");
  const auto d = make(level::error, "E1", "msg \xC3", src, {begin, begin + 1});
  BOOST_TEST(dsl::render_text({d}) ==
             "bad.rules:1:16: error[E1]: msg \xEF\xBF\xBD\n"
             "    1 | let x = \"a\xEF\xBF\xBD\" + y\n"
             "      |                ^\n"
             "1 error generated.\n");
}

BOOST_AUTO_TEST_CASE(snippet_alone) {
  const auto src = make_source("s.rules", "let a = 1\nlet bø = a + 2\n");
  std::ostringstream out;
  dsl::render_snippet(out, *src, {at(src, "a + 2"), at(src, "a + 2") + 5}, false);
  BOOST_TEST(out.str() ==
             "    2 | let bø = a + 2\n"
             "      |          ^~~~~\n");
}

BOOST_AUTO_TEST_CASE(stream_and_string_rendering_agree) {
  const auto d = make(level::error, "E1", "x");
  std::ostringstream out;
  dsl::render_text(out, {d});
  BOOST_TEST(out.str() == dsl::render_text({d}));
}

BOOST_AUTO_TEST_CASE(sort_by_file_offset_code_with_sourceless_first) {
  const auto a = make_source("a.rules", "0123456789");
  const auto a_again = make_source("a.rules", "0123456789");
  const auto b = make_source("b.rules", "0123456789");
  std::vector<diagnostic> diags{
      make(level::error, "E2", "b5", b, {5, 5}),
      make(level::error, "E2", "a5-E2", a, {5, 6}),
      make(level::error, "E1", "a5-E1", a_again, {5, 5}),
      make(level::error, "E9", "none-1"),
      make(level::error, "E1", "a1", a, {1, 1}),
      make(level::error, "E1", "none-2"),
      make(level::error, "E2", "a5-E2-second", a, {5, 5}),
  };
  diags[1].notes.push_back(make(level::note, "", "note of a5-E2", b, {0, 0}));
  dsl::sort_diagnostics(diags);
  std::vector<std::string> order;
  for (const auto& d : diags) order.push_back(d.message);
  const std::vector<std::string> expected{"none-1", "none-2",       "a1", "a5-E1",
                                          "a5-E2",  "a5-E2-second", "b5"};
  BOOST_TEST(order == expected, boost::test_tools::per_element());
  BOOST_TEST(diags[4].notes.size() == 1u);
  BOOST_TEST(diags[4].notes[0].message == "note of a5-E2");
}

BOOST_AUTO_TEST_CASE(json_form) {
  const auto src = make_source("rules/x.rules", "let æ = b\nlet b = æ\n");
  auto d = make(level::error, "E2004", "cycle", src, {4, 6});
  d.notes.push_back(make(level::note, "", "here", src, {15, 16}));
  nlohmann::json j = d;
  const auto expected = nlohmann::json::parse(R"({
    "severity": "error", "code": "E2004", "message": "cycle", "file": "rules/x.rules",
    "line": 1, "column": 5, "end_line": 1, "end_column": 6,
    "notes": [{"severity": "note", "code": null, "message": "here", "file": "rules/x.rules",
               "line": 2, "column": 5, "end_line": 2, "end_column": 6, "notes": []}]
  })");
  BOOST_TEST(j == expected, j.dump());
}

BOOST_AUTO_TEST_CASE(json_without_source_and_with_invalid_utf8) {
  const auto d = make(level::warning, "W1", "bad \xFF byte");
  nlohmann::json j;
  dsl::to_json(j, d);
  BOOST_TEST(j["file"].is_null());
  BOOST_TEST(j["line"].is_null());
  BOOST_TEST(j["severity"] == "warning");
  BOOST_TEST(j["message"] == "bad \xEF\xBF\xBD byte");
  BOOST_CHECK_NO_THROW((void)j.dump());
}

BOOST_AUTO_TEST_CASE(help_comes_under_the_snippet_before_the_notes) {
  const auto src = make_source("rules/x.rules", "let a = 1\nlet b = a\n");
  auto d = make(level::warning, "W4001", "definition 'b' is never used", src, {14, 15});
  d.help = "use it in a rule, or remove it";
  d.notes.push_back(make(level::note, "", "here", src, {4, 5}));
  BOOST_TEST(dsl::render_text({d}) ==
             "rules/x.rules:2:5: warning[W4001]: definition 'b' is never used\n"
             "    2 | let b = a\n"
             "      |     ^\n"
             "      = help: use it in a rule, or remove it\n"
             "rules/x.rules:1:5: note: here\n"
             "    1 | let a = 1\n"
             "      |     ^\n"
             "1 warning generated.\n");
  nlohmann::json j = d;
  BOOST_TEST(j["help"] == "use it in a rule, or remove it");
  nlohmann::json without = make(level::warning, "W4001", "m", src, {0, 1});
  BOOST_TEST(!without.contains("help"));
}

BOOST_AUTO_TEST_CASE(has_errors_only_counts_errors) {
  BOOST_TEST(!dsl::has_errors({}));
  BOOST_TEST(!dsl::has_errors({make(level::warning, "W1", "w"), make(level::note, "", "n")}));
  BOOST_TEST(dsl::has_errors({make(level::warning, "W1", "w"), make(level::error, "E1", "e")}));
}

BOOST_AUTO_TEST_SUITE_END()
