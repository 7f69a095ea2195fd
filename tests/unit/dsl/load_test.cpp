#define BOOST_TEST_MODULE load
#include "fundcheck/dsl/parse.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <boost/test/unit_test.hpp>

namespace dsl = fundcheck::dsl;
namespace fs = std::filesystem;

namespace {

// Each test runs in a fresh temporary directory, which is also the working directory, so the
// paths in diagnostics are short and stable.
struct temp_dir {
  fs::path previous = fs::current_path();
  fs::path root;

  temp_dir() {
    static std::atomic<int> counter{0};
    root = fs::temp_directory_path() /
           ("fundcheck_load_test_" +
            std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "_" +
            std::to_string(counter++));
    fs::create_directories(root);
    fs::current_path(root);
  }
  ~temp_dir() {
    fs::current_path(previous);
    std::error_code ec;
    fs::remove_all(root, ec);
  }

  static void write(const fs::path& path, const std::string& text) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
};

std::vector<std::string> paths(const dsl::rule_set_sources& set) {
  std::vector<std::string> out;
  for (const auto& f : set.files) out.push_back(f.source->path());
  return out;
}

std::vector<std::string> strings(std::initializer_list<const char*> list) {
  return {list.begin(), list.end()};
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(load_rule_sources, temp_dir)

BOOST_AUTO_TEST_CASE(no_roots_no_files) {
  const auto set = dsl::load_rule_sources({});
  BOOST_TEST(set.ok());
  BOOST_TEST(set.files.empty());
  BOOST_TEST(set.diagnostics.empty());
}

BOOST_AUTO_TEST_CASE(one_file) {
  write("a.rules", "let a = 1\n");
  const auto set = dsl::load_rule_sources({"a.rules"});
  BOOST_TEST(set.ok());
  BOOST_TEST(set.diagnostics.empty());
  BOOST_TEST(paths(set) == strings({"a.rules"}), boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(set.files[0].ast.declarations.size() == 1u);
  BOOST_TEST(set.files[0].source->text() == "let a = 1\n");
}

BOOST_AUTO_TEST_CASE(paths_are_normalised_for_display) {
  write("rules/a.rules", "let a = 1\n");
  const auto set = dsl::load_rule_sources({"./rules/../rules/a.rules"});
  BOOST_TEST(paths(set) == strings({"rules/a.rules"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(directories_are_searched_recursively_in_sorted_order) {
  write("rules/b.rules", "let b = 1\n");
  write("rules/a.rules", "let a = 1\n");
  write("rules/sub/c.rules", "let c = 1\n");
  write("rules/A-upper.rules", "let u = 1\n");
  write("rules/notes.txt", "not rules\n");
  write("rules/old.rules.bak", "let x = )\n");
  fs::create_directories("rules/empty.rules.d");
  const auto set = dsl::load_rule_sources({"rules"});
  BOOST_TEST(set.ok());
  BOOST_TEST(paths(set) == strings({"rules/A-upper.rules", "rules/a.rules", "rules/b.rules",
                                    "rules/sub/c.rules"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(imports_come_before_their_importers) {
  write("main.rules", "import \"lib/common.rules\"\nlet m = c\n");
  write("lib/common.rules", "import \"base.rules\"\nlet c = b\n");  // relative to lib/
  write("lib/base.rules", "let b = 1\n");
  const auto set = dsl::load_rule_sources({"main.rules"});
  BOOST_TEST(set.ok());
  BOOST_TEST(paths(set) == strings({"lib/base.rules", "lib/common.rules", "main.rules"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(each_file_is_loaded_once) {
  write("a.rules", "import \"b.rules\"\nimport \"c.rules\"\n");
  write("b.rules", "import \"d.rules\"\n");
  write("c.rules", "import \"./sub/../d.rules\"\n");
  write("d.rules", "let d = 1\n");
  const auto set = dsl::load_rule_sources({"a.rules", "d.rules", "./a.rules", "c.rules"});
  BOOST_TEST(set.ok());
  BOOST_TEST(paths(set) == strings({"d.rules", "b.rules", "c.rules", "a.rules"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(parent_directory_imports) {
  write("rules/x/leaf.rules", "import \"../../shared.rules\"\n");
  write("shared.rules", "let s = 1\n");
  const auto set = dsl::load_rule_sources({"rules"});
  BOOST_TEST(set.ok());
  BOOST_TEST(paths(set) == strings({"shared.rules", "rules/x/leaf.rules"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(absolute_import_path) {
  write("lib.rules", "let l = 1\n");
  const std::string absolute = (root / "lib.rules").generic_string();
  write("main.rules", "import \"" + absolute + "\"\n");
  const auto set = dsl::load_rule_sources({"main.rules"});
  BOOST_TEST(set.ok(), dsl::render_text(set.diagnostics));
  BOOST_TEST_REQUIRE(set.files.size() == 2u);
  BOOST_TEST(set.files[1].source->path() == "main.rules");
}

BOOST_AUTO_TEST_CASE(import_cycle_is_reported_with_its_chain) {
  write("a.rules", "import \"b.rules\"\nlet a = 1\n");
  write("b.rules", "# b needs a\nimport \"a.rules\"\n");
  const auto set = dsl::load_rule_sources({"a.rules"});
  BOOST_TEST(!set.ok());
  BOOST_TEST(dsl::render_text(set.diagnostics) ==
             "b.rules:2:8: error[E1011]: import cycle: a.rules -> b.rules -> a.rules\n"
             "    2 | import \"a.rules\"\n"
             "      |        ^~~~~~~~~\n"
             "a.rules:1:8: note: 'a.rules' imports 'b.rules' here\n"
             "    1 | import \"b.rules\"\n"
             "      |        ^~~~~~~~~\n"
             "1 error generated.\n");
  // Both files are still loaded, once each.
  BOOST_TEST(paths(set) == strings({"b.rules", "a.rules"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(longer_cycle_has_a_note_per_import) {
  write("a.rules", "import \"b.rules\"\n");
  write("b.rules", "import \"c.rules\"\n");
  write("c.rules", "import \"b.rules\"\n");
  const auto set = dsl::load_rule_sources({"a.rules"});
  BOOST_TEST_REQUIRE(set.diagnostics.size() == 1u);
  const auto& d = set.diagnostics[0];
  BOOST_TEST(d.code == "E1011");
  BOOST_TEST(d.message == "import cycle: b.rules -> c.rules -> b.rules");
  BOOST_TEST(d.source->path() == "c.rules");
  BOOST_TEST_REQUIRE(d.notes.size() == 1u);
  BOOST_TEST(d.notes[0].message == "'b.rules' imports 'c.rules' here");
  BOOST_TEST(d.notes[0].source->path() == "b.rules");
}

BOOST_AUTO_TEST_CASE(self_import) {
  write("a.rules", "import \"a.rules\"\n");
  const auto set = dsl::load_rule_sources({"a.rules"});
  BOOST_TEST_REQUIRE(set.diagnostics.size() == 1u);
  BOOST_TEST(set.diagnostics[0].message == "import cycle: a.rules -> a.rules");
  BOOST_TEST(set.diagnostics[0].notes.empty());
}

BOOST_AUTO_TEST_CASE(missing_import_points_at_the_import) {
  write("rules/main.rules", "let a = 1\nimport \"missing.rules\"\n");
  const auto set = dsl::load_rule_sources({"rules/main.rules"});
  BOOST_TEST(dsl::render_text(set.diagnostics) ==
             "rules/main.rules:2:8: error[E1012]: imported file 'rules/missing.rules' not found\n"
             "    2 | import \"missing.rules\"\n"
             "      |        ^~~~~~~~~~~~~~~\n"
             "1 error generated.\n");
  BOOST_TEST(paths(set) == strings({"rules/main.rules"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(missing_root_is_a_diagnostic_without_source) {
  write("a.rules", "let a = 1\n");
  const auto set = dsl::load_rule_sources({"nope.rules", "a.rules", "no/such/dir"});
  BOOST_TEST(dsl::render_text(set.diagnostics) ==
             "fundcheck: error[E1010]: cannot read 'nope.rules': no such file or directory\n"
             "fundcheck: error[E1010]: cannot read 'no/such/dir': no such file or directory\n"
             "2 errors generated.\n");
  BOOST_TEST(paths(set) == strings({"a.rules"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(importing_a_directory) {
  write("lib/x.rules", "let x = 1\n");
  write("a.rules", "import \"lib\"\n");
  const auto set = dsl::load_rule_sources({"a.rules"});
  BOOST_TEST_REQUIRE(set.diagnostics.size() == 1u);
  BOOST_TEST(set.diagnostics[0].code == "E1010");
  BOOST_TEST(set.diagnostics[0].message == "cannot read 'lib': is a directory");
  BOOST_TEST(set.diagnostics[0].source->path() == "a.rules");
}

BOOST_AUTO_TEST_CASE(syntax_errors_are_reported_and_imports_still_followed) {
  write("a.rules", "import \"b.rules\"\nlet broken = (\nlet fine = 1\n");
  write("b.rules", "let b = ]\n");
  const auto set = dsl::load_rule_sources({"a.rules"});
  BOOST_TEST(!set.ok());
  BOOST_TEST_REQUIRE(set.diagnostics.size() == 2u);
  // In discovery order: a file's own errors, then those of its imports.
  BOOST_TEST(set.diagnostics[0].source->path() == "a.rules");
  BOOST_TEST(set.diagnostics[1].source->path() == "b.rules");
  BOOST_TEST_REQUIRE(set.files.size() == 2u);
  BOOST_TEST(set.files[1].ast.declarations.size() == 2u);  // the import and `fine`
}

BOOST_AUTO_TEST_CASE(file_size_limit) {
  write("big.rules", "let a = 12345678901234567890\n");
  write("main.rules", "import \"big.rules\"\n");
  dsl::parse_limits limits;
  limits.max_file_bytes = 20;
  const auto set = dsl::load_rule_sources({"main.rules"}, limits);
  BOOST_TEST_REQUIRE(set.diagnostics.size() == 1u);
  BOOST_TEST(set.diagnostics[0].code == "E1006");
  BOOST_TEST(set.diagnostics[0].message ==
             "file too large: 'big.rules' is 29 bytes (the limit is 20)");
  BOOST_TEST(set.diagnostics[0].source->path() == "main.rules");
  BOOST_TEST(paths(set) == strings({"main.rules"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(root_file_with_another_extension) {
  write("custom.txt", "let a = 1\n");
  const auto set = dsl::load_rule_sources({"custom.txt"});
  BOOST_TEST(set.ok());
  BOOST_TEST(paths(set) == strings({"custom.txt"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
