#define BOOST_TEST_MODULE format
#include "fundcheck/dsl/format.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "fundcheck/dsl/parse.hpp"

namespace dsl = fundcheck::dsl;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir = FUNDCHECK_SOURCE_DIR;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_TEST_REQUIRE(static_cast<bool>(in), "cannot read " << path);
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

dsl::source_ptr make_source(std::string text, std::string path = "test.rules") {
  return std::make_shared<const dsl::source_file>(std::move(path), std::move(text));
}

std::string format_ok(const std::string& text) {
  const auto result = dsl::format_rules(make_source(text));
  BOOST_TEST_REQUIRE(result.ok(), dsl::render_text(result.diagnostics));
  return result.text;
}

// Every *.rules file of the repository: the shipped rules, the benchmark's, and every test's
// (the golden corpus of odd layouts, the diagnostics cases that do not parse, ...).
std::vector<fs::path> repository_rule_files() {
  std::vector<fs::path> files;
  for (const char* dir : {"rules", "bench", "tests"}) {
    for (const auto& entry : fs::recursive_directory_iterator(source_dir / dir)) {
      if (entry.is_regular_file() && entry.path().extension() == ".rules") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<fs::path> corpus_cases() {
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(source_dir / "tests/golden/fmt")) {
    if (entry.is_directory()) cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(formatting)

// fmt keeps what a file means and its comments, and fmt(fmt(x)) == fmt(x), for every rule file
// in the repository; a file that does not parse is reported as the parser reports it.
BOOST_AUTO_TEST_CASE(every_rule_file_keeps_its_tree_and_comments_and_is_stable) {
  const auto files = repository_rule_files();
  BOOST_TEST_REQUIRE(files.size() >= 20u);
  std::size_t formatted = 0;
  for (const fs::path& file : files) {
    BOOST_TEST_CONTEXT(file.lexically_relative(source_dir).generic_string()) {
      const auto source = make_source(read(file), file.string());
      const auto parsed = dsl::parse_rules(source);
      const auto result = dsl::format_rules(source);
      if (!parsed.ok()) {
        BOOST_TEST((result.status == dsl::format_status::syntax_error));
        BOOST_TEST(result.text.empty());
        BOOST_TEST(dsl::render_text(result.diagnostics) == dsl::render_text(parsed.diagnostics));
        continue;
      }
      BOOST_TEST_REQUIRE(result.ok(), dsl::render_text(result.diagnostics));
      const auto again_source = make_source(result.text, file.string());
      const auto again = dsl::parse_rules(again_source);
      BOOST_TEST_REQUIRE(again.ok(), dsl::render_text(again.diagnostics));
      BOOST_TEST(dsl::same_tree(parsed.file, again.file));
      BOOST_TEST(dsl::comment_texts(*source, parsed.file) == dsl::comment_texts(*again_source, again.file),
                 boost::test_tools::per_element());
      const auto twice = dsl::format_rules(again_source);
      BOOST_TEST_REQUIRE(twice.ok());
      BOOST_TEST(twice.text == result.text);
      ++formatted;
    }
  }
  BOOST_TEST(formatted >= 15u);
}

// The shipped rule files are kept in the canonical layout.
BOOST_AUTO_TEST_CASE(shipped_rule_files_are_formatted) {
  std::vector<fs::path> shipped;
  for (const char* dir : {"rules", "bench"}) {
    for (const auto& entry : fs::directory_iterator(source_dir / dir))
      if (entry.path().extension() == ".rules") shipped.push_back(entry.path());
  }
  BOOST_TEST_REQUIRE(shipped.size() >= 3u);
  for (const fs::path& file : shipped) {
    BOOST_TEST_CONTEXT(file.filename().string()) {
      const std::string text = read(file);
      BOOST_TEST(format_ok(text) == text);
    }
  }
}

// The corpus of odd layouts, tests/golden/fmt/<case>/input.rules: the expected layout is the
// case's golden stdout, and formatting that again changes nothing.
BOOST_AUTO_TEST_CASE(corpus_of_odd_layouts) {
  const auto cases = corpus_cases();
  BOOST_TEST_REQUIRE(cases.size() >= 8u);
  for (const fs::path& dir : cases) {
    BOOST_TEST_CONTEXT(dir.filename().string()) {
      const std::string expected = read(dir / "stdout");
      BOOST_TEST(format_ok(read(dir / "input.rules")) == expected);
      BOOST_TEST(format_ok(expected) == expected);
    }
  }
}

// The shipped rules with their layout scrambled: random spaces, tabs, line breaks, blank lines
// and comments between the tokens. Each scrambled file formats to one that means the same, with
// the same comments, and formatting that again changes nothing.
BOOST_AUTO_TEST_CASE(scrambled_layouts_of_the_shipped_rules) {
  std::mt19937 random(42);
  const char* const fillers[] = {" ", "  ", "\t", "\n", "\n\n\n", "\r\n", " # c\n", "\n  # own line\n",
                                 "\n\n## doc-like\n"};
  std::size_t rounds = 0;
  for (const char* name : {"rules/kraeftplan-v.rules", "rules/budgetforslag.rules"}) {
    const std::string original = read(source_dir / name);
    for (int round = 0; round < 40; ++round, ++rounds) {
      // Replace each run of whitespace between tokens (outside strings and comments).
      std::string scrambled;
      bool in_string = false;
      bool in_comment = false;
      for (std::size_t i = 0; i < original.size(); ++i) {
        const char c = original[i];
        bool after_comment = false;  // this line break ends a comment: it must stay one
        if (in_comment) {
          in_comment = c != '\n';
          after_comment = !in_comment;
          if (in_comment) {
            scrambled += c;
            continue;
          }
        } else if (in_string) {
          scrambled += c;
          if (c == '\\') {
            scrambled += original[++i];
          } else if (c == '"') {
            in_string = false;
          } else if (c == '{') {
            // A message's hole, copied as it is: its strings hold quotes of their own.
            bool quoted = false;
            while (++i < original.size() && (quoted || original[i] != '}')) {
              if (original[i] == '"') quoted = !quoted;
              scrambled += original[i];
            }
            scrambled += original[i];
          }
          continue;
        }
        if (c == ' ' || c == '\n') {
          while (i + 1 < original.size() && (original[i + 1] == ' ' || original[i + 1] == '\n')) ++i;
          const std::string_view filler = random() % 3 == 0 ? fillers[random() % std::size(fillers)] : " ";
          if (after_comment && !filler.starts_with('\n')) scrambled += '\n';
          scrambled += filler;
          continue;
        }
        in_string = c == '"';
        in_comment = c == '#';
        scrambled += c;
      }
      BOOST_TEST_CONTEXT(name << ", round " << round << ":\n" << scrambled) {
        const auto source = make_source(scrambled, name);
        const auto parsed = dsl::parse_rules(source);
        BOOST_TEST_REQUIRE(parsed.ok(), dsl::render_text(parsed.diagnostics));
        const auto result = dsl::format_rules(source);
        BOOST_TEST_REQUIRE(result.ok(), dsl::render_text(result.diagnostics));
        const auto again_source = make_source(result.text, name);
        const auto again = dsl::parse_rules(again_source);
        BOOST_TEST_REQUIRE(again.ok());
        BOOST_TEST(dsl::same_tree(parsed.file, again.file));
        BOOST_TEST(dsl::comment_texts(*source, parsed.file) == dsl::comment_texts(*again_source, again.file),
                   boost::test_tools::per_element());
        BOOST_TEST(format_ok(result.text) == result.text);
      }
    }
  }
  BOOST_TEST(rounds == 80u);
}

BOOST_AUTO_TEST_CASE(literals_are_printed_as_written) {
  const std::string out = format_ok(
      "let a=42.0 let b=0.30 let c=-1.500\n"
      "let d=\"æøå \\\"q\\\" \\\\ \\t \\{x\\}\"\n"
      "rule R-1 note \"Æ «t» \\\"c\\\"\" { expect a==42.0 message \"{a}  {  b } \\{not\\}\" }\n");
  BOOST_TEST(out ==
             "let a = 42.0\n"
             "let b = 0.30\n"
             "let c = -1.500\n"
             "let d = \"æøå \\\"q\\\" \\\\ \\t \\{x\\}\"\n"
             "\n"
             "rule R-1 note \"Æ «t» \\\"c\\\"\" {\n"
             "  expect a == 42.0\n"
             "  message \"{a}  {  b } \\{not\\}\"\n"
             "}\n");
}

BOOST_AUTO_TEST_CASE(lines_break_past_100_code_points) {
  // `let x = a` and ` + c` are 13 columns; 87 more make a line of 100, 88 one of 101.
  const std::string fits = "let x = a" + std::string(87, 'b') + " + c\n";
  BOOST_TEST(fits.size() == 101u);  // 100 columns and the line end
  BOOST_TEST(format_ok(fits) == fits);
  const std::string too_long = "let x = a" + std::string(88, 'b') + " + c\n";
  BOOST_TEST(format_ok(too_long) == "let x =\n  a" + std::string(88, 'b') + " + c\n");
  // Columns count code points: 'ø' is two bytes but one column.
  std::string danish = "let x = a";
  for (int i = 0; i < 87; ++i) danish += "ø";
  danish += " + c\n";
  BOOST_TEST(format_ok(danish) == danish);
}

BOOST_AUTO_TEST_CASE(parentheses_are_kept_or_added_only_where_written) {
  BOOST_TEST(format_ok("let a = ((1 + 2)) * 3\n") == "let a = (1 + 2) * 3\n");
  BOOST_TEST(format_ok("let a = 1 + (2 * 3)\n") == "let a = 1 + (2 * 3)\n");
  BOOST_TEST(format_ok("let a = 1+2*3\n") == "let a = 1 + 2 * 3\n");
  BOOST_TEST(format_ok("let a = f((x))\n") == "let a = f((x))\n");
  BOOST_TEST(format_ok("let a = f( x )\n") == "let a = f(x)\n");
  BOOST_TEST(format_ok("let a = a - (b - c)\n") == "let a = a - (b - c)\n");
  BOOST_TEST(format_ok("let a = x implies (y implies z)\n") == "let a = x implies (y implies z)\n");
}

BOOST_AUTO_TEST_CASE(a_file_that_does_not_parse_is_not_formatted) {
  const auto result = dsl::format_rules(make_source("let a = (1 +\n"));
  BOOST_TEST((result.status == dsl::format_status::syntax_error));
  BOOST_TEST(result.text.empty());
  BOOST_TEST_REQUIRE(!result.diagnostics.empty());
  BOOST_TEST(result.diagnostics.front().code == "E1001");
}

BOOST_AUTO_TEST_CASE(same_tree_ignores_layout_only) {
  const auto tree = [](std::string text) {
    auto parsed = dsl::parse_rules(make_source(std::move(text)));
    BOOST_TEST_REQUIRE(parsed.ok(), dsl::render_text(parsed.diagnostics));
    return std::move(parsed.file);
  };
  const auto base = tree("## doc\nlet a = (1 + 2) * x.y[3]\nrule R error \"t\" { expect a > 0 message \"{a}!\" }\n");
  BOOST_TEST(dsl::same_tree(base, tree("## doc\nlet a=( ( 1+2 ) )*x . y [ 3 ]\n\n\nrule R error \"t\" {\n"
                                       "  expect a>0\n  message \"{a}!\"\n}\n")));
  BOOST_TEST(!dsl::same_tree(base, tree("## doc\nlet a = 1 + 2 * x.y[3]\nrule R error \"t\" { expect a > 0 message \"{a}!\" }\n")));
  BOOST_TEST(!dsl::same_tree(base, tree("## doc\nlet a = (1 + 2.0) * x.y[3]\nrule R error \"t\" { expect a > 0 message \"{a}!\" }\n")));
  BOOST_TEST(!dsl::same_tree(base, tree("## other\nlet a = (1 + 2) * x.y[3]\nrule R error \"t\" { expect a > 0 message \"{a}!\" }\n")));
  BOOST_TEST(!dsl::same_tree(base, tree("## doc\nlet a = (1 + 2) * x.y[3]\nrule R error \"t\" { expect a > 0 message \"{a}.\" }\n")));
  BOOST_TEST(!dsl::same_tree(base, tree("## doc\nlet a = (1 + 2) * x.y[3]\nrule R warning \"t\" { expect a > 0 message \"{a}!\" }\n")));
  BOOST_TEST(!dsl::same_tree(base, tree("## doc\nlet a = (1 + 2) * x.y[3]\n")));
}

BOOST_AUTO_TEST_CASE(comments_are_found_outside_strings_only) {
  const auto source = make_source(
      "# one   \nlet a = \"# no\" # two\nrule R error \"# no\" {\n  expect a == \"x\"\n"
      "  message \"{a # no\n}\" ## three\n}\n");
  const auto parsed = dsl::parse_rules(source);
  BOOST_TEST_REQUIRE(parsed.ok(), dsl::render_text(parsed.diagnostics));
  const std::vector<std::string> expected{"# one", "# two", "## three"};
  BOOST_TEST(dsl::comment_texts(*source, parsed.file) == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(single_line_quotes_an_expression_on_one_line) {
  BOOST_TEST(dsl::single_line("a + b") == "a + b");
  BOOST_TEST(dsl::single_line("sum(\n    x for x in l\n  )") == "sum(x for x in l)");
  BOOST_TEST(dsl::single_line("a\n      + b # why\n      + c") == "a + b + c");
  BOOST_TEST(dsl::single_line("[\r\n  1,\r\n  2\r\n]") == "[1, 2]");
  BOOST_TEST(dsl::single_line("f(\"# not \\\" a comment\",\n  x)") == "f(\"# not \\\" a comment\", x)");
}

BOOST_AUTO_TEST_SUITE_END()

// ----- unified_diff -----

namespace {

// Applies a unified diff to `old_text` the way patch(1) does, checking every context and removed
// line against the text.
std::string apply_diff(const std::string& old_text, const std::string& diff) {
  std::vector<std::string> old_lines;
  for (std::size_t begin = 0; begin < old_text.size();) {
    std::size_t end = old_text.find('\n', begin);
    end = end == std::string::npos ? old_text.size() : end + 1;
    old_lines.push_back(old_text.substr(begin, end - begin));
    begin = end;
  }
  std::vector<std::string> diff_lines;
  std::istringstream in(diff);
  for (std::string line; std::getline(in, line);) diff_lines.push_back(line);
  BOOST_TEST_REQUIRE(diff_lines.size() >= 2u);
  BOOST_TEST_REQUIRE(diff_lines[0].starts_with("--- "));
  BOOST_TEST_REQUIRE(diff_lines[1].starts_with("+++ "));
  std::string out;
  std::size_t next_old = 0;
  for (std::size_t i = 2; i < diff_lines.size();) {
    const std::string& header = diff_lines[i++];
    BOOST_TEST_REQUIRE(header.starts_with("@@ -"), header);
    std::size_t start = std::stoul(header.substr(4));
    std::size_t count = 1;
    if (const std::size_t comma = header.find(','); comma < header.find(' ', 4)) count = std::stoul(header.substr(comma + 1));
    const std::size_t first = count == 0 ? start : start - 1;
    BOOST_TEST_REQUIRE(first >= next_old);
    for (; next_old < first; ++next_old) out += old_lines.at(next_old);
    while (i < diff_lines.size() && !diff_lines[i].starts_with("@@")) {
      const std::string& line = diff_lines[i++];
      std::string content = line.substr(1) + "\n";
      if (i < diff_lines.size() && diff_lines[i] == "\\ No newline at end of file") {
        content.pop_back();
        ++i;
      }
      if (line[0] == ' ' || line[0] == '-') {
        BOOST_TEST_REQUIRE(next_old < old_lines.size());
        BOOST_TEST_REQUIRE(old_lines[next_old] == content);
        ++next_old;
      }
      if (line[0] == ' ' || line[0] == '+') out += content;
    }
  }
  for (; next_old < old_lines.size(); ++next_old) out += old_lines[next_old];
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(diff)

BOOST_AUTO_TEST_CASE(equal_texts_have_no_diff) { BOOST_TEST(dsl::unified_diff("a\nb\n", "a\nb\n", "x", "y").empty()); }

BOOST_AUTO_TEST_CASE(prints_like_diff_u) {
  BOOST_TEST(dsl::unified_diff("a\nb\nc\n", "a\nB\nc\n", "a/x", "b/x") ==
             "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
  BOOST_TEST(dsl::unified_diff("", "a\nb\n", "x", "y") == "--- x\n+++ y\n@@ -0,0 +1,2 @@\n+a\n+b\n");
  BOOST_TEST(dsl::unified_diff("a\n", "a", "x", "y") ==
             "--- x\n+++ y\n@@ -1 +1 @@\n-a\n+a\n\\ No newline at end of file\n");
  // Changes 7 unchanged lines apart make two hunks; 6 apart, one (as GNU diff -u).
  const std::string ten = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";
  BOOST_TEST(dsl::unified_diff(ten, "x\n2\n3\n4\n5\n6\n7\n8\n9\ny\n", "x", "y") ==
             "--- x\n+++ y\n@@ -1,4 +1,4 @@\n-1\n+x\n 2\n 3\n 4\n@@ -7,4 +7,4 @@\n 7\n 8\n 9\n-10\n+y\n");
  BOOST_TEST(dsl::unified_diff(ten, "x\n2\n3\n4\n5\n6\n7\ny\n9\n10\n", "x", "y") ==
             "--- x\n+++ y\n@@ -1,10 +1,10 @@\n-1\n+x\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+y\n 9\n 10\n");
}

BOOST_AUTO_TEST_CASE(random_diffs_apply) {
  std::mt19937 random(20260);
  const auto random_text = [&](std::size_t lines) {
    std::string text;
    for (std::size_t i = 0; i < lines; ++i) text += std::string(1, static_cast<char>('a' + random() % 4)) + "\n";
    if (!text.empty() && random() % 4 == 0) text.pop_back();
    return text;
  };
  for (int round = 0; round < 400; ++round) {
    const std::string a = random_text(random() % 30);
    const std::string b = random_text(random() % 30);
    const std::string d = dsl::unified_diff(a, b, "a", "b");
    BOOST_TEST_CONTEXT("round " << round) {
      if (a == b) {
        BOOST_TEST(d.empty());
      } else {
        BOOST_TEST(apply_diff(a, d) == b);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(very_different_texts_still_give_a_correct_diff) {
  std::string a;
  std::string b;
  for (int i = 0; i < 5000; ++i) {
    a += "old " + std::to_string(i) + "\n";
    b += "new " + std::to_string(i) + "\n";
  }
  BOOST_TEST(apply_diff(a, dsl::unified_diff(a, b, "a", "b")) == b);
}

BOOST_AUTO_TEST_SUITE_END()
