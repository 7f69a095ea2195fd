#define BOOST_TEST_MODULE proposal_files
// Choosing the files of a batch check: glob patterns, --exclude, directories in a stable order,
// each file once, and --shard slices that split the files without gaps or overlaps.
#include "fundcheck/engine/proposal_files.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include <boost/test/unit_test.hpp>

using namespace fundcheck;
using namespace fundcheck::engine;
namespace fs = std::filesystem;

namespace {

const fs::path root = FUNDCHECK_SOURCE_DIR;

// Runs the selection from the repository root, so the paths are those a user would type.
file_selection select(const std::vector<std::string>& args, const std::vector<std::string>& excludes = {}) {
  const fs::path before = fs::current_path();
  fs::current_path(root);
  auto s = select_proposal_files(args, excludes);
  fs::current_path(before);
  return s;
}

std::string codes_and_messages(const std::vector<dsl::diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += d.code + " " + d.message + "\n";
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proposal_files)

BOOST_AUTO_TEST_CASE(name_patterns) {
  BOOST_TEST(glob_match_name("*.json", "key.json"));
  BOOST_TEST(!glob_match_name("*.json", "key.csv"));
  BOOST_TEST(glob_match_name("pool-*", "pool-in.json"));
  BOOST_TEST(glob_match_name("*", ""));
  BOOST_TEST(glob_match_name("k?y.json", "key.json"));
  BOOST_TEST(!glob_match_name("k?y.json", "ky.json"));
  BOOST_TEST(glob_match_name("k?ehaetter", "k\xC3\xB8" "ehaetter"));  // '?' is one code point (ø), not one byte
  BOOST_TEST(glob_match_name("[a-c]x", "bx"));
  BOOST_TEST(!glob_match_name("[a-c]x", "dx"));
  BOOST_TEST(glob_match_name("[!a-c]x", "dx"));
  BOOST_TEST(!glob_match_name("[!a-c]x", "ax"));
  BOOST_TEST(glob_match_name("[]]x", "]x"));     // a ']' first in the set is a member
  BOOST_TEST(glob_match_name("a[b", "a[b"));     // no closing ']': a literal '['
  BOOST_TEST(glob_match_name("a\\*b", "a*b"));   // an escaped '*' is literal
  BOOST_TEST(!glob_match_name("a\\*b", "axb"));
  BOOST_TEST(glob_match_name("*a*b*c*", "xxaxxbxxcxx"));
  BOOST_TEST(!glob_match_name("*a*b*c*", "xxaxxcxxbxx"));
  BOOST_TEST(glob_match_name("*.*", "a.b.c"));
  BOOST_TEST(glob_match_name("a*", "a"));
  BOOST_TEST(!glob_match_name("a*b", "a"));
  // Many stars against a long name that does not match: answered at once, not by trying every split.
  BOOST_TEST(!glob_match_name("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", std::string(250, 'a')));
}

BOOST_AUTO_TEST_CASE(path_patterns) {
  BOOST_TEST(glob_match_path("examples/*.json", "examples/key.json"));
  BOOST_TEST(!glob_match_path("examples/*.json", "examples/broken/key.json"));  // '*' stays in one directory
  BOOST_TEST(glob_match_path("examples/**/*.json", "examples/key.json"));       // '**' may be no directory
  BOOST_TEST(glob_match_path("examples/**/*.json", "examples/a/b/key.json"));
  BOOST_TEST(!glob_match_path("examples/**/*.json", "other/key.json"));
  BOOST_TEST(glob_match_path("**", "a/b/c"));
  BOOST_TEST(glob_match_path("./examples/*.csv", "examples/t.csv"));
  BOOST_TEST(glob_match_path("a/**/b/**/c", "a/x/b/y/z/c"));
  BOOST_TEST(!glob_match_path("a/**/b/**/c", "a/x/y/c"));
  BOOST_TEST(glob_match_path("**/c", "c"));
  BOOST_TEST(!glob_match_path("a/**", "b/c"));
  std::string deep;
  for (int i = 0; i < 60; ++i) deep += "a/";
  BOOST_TEST(!glob_match_path("**/a/**/a/**/a/**/a/**/a/**/a/**/b", deep + "c"));
}

BOOST_AUTO_TEST_CASE(exclude_patterns) {
  // Without '/': any file or directory name in the path.
  BOOST_TEST(excluded_by("broken", "examples/broken/key.json"));
  BOOST_TEST(excluded_by("*.csv", "examples/kraeftplan-v-2026.csv"));
  BOOST_TEST(excluded_by("budgetforslag-*", "examples/broken/budgetforslag-total.json"));
  BOOST_TEST(!excluded_by("broke", "examples/broken/key.json"));
  // With '/': the path, or one of its leading directories, from its start.
  BOOST_TEST(excluded_by("examples/broken", "examples/broken/key.json"));
  BOOST_TEST(excluded_by("./examples/broken/", "examples/broken/key.json"));
  BOOST_TEST(excluded_by("examples/broken/**", "examples/broken/key.json"));
  BOOST_TEST(excluded_by("examples/*/key.json", "./examples/broken/key.json"));
  BOOST_TEST(!excluded_by("broken/key.json", "examples/broken/key.json"));  // anchored at the start
  BOOST_TEST(!excluded_by("examples/broken", "examples/broken-not/key.json"));
  BOOST_TEST(!excluded_by("", "examples/key.json"));
}

BOOST_AUTO_TEST_CASE(proposal_names) {
  BOOST_TEST(is_proposal_name("a.json"));
  BOOST_TEST(is_proposal_name("A.JSON"));
  BOOST_TEST(is_proposal_name("t.csv"));
  BOOST_TEST(is_proposal_name("T.CSV"));
  BOOST_TEST(!is_proposal_name("t.mapping.json"));  // a table's mapping is no proposal
  BOOST_TEST(!is_proposal_name("t.MAPPING.json"));
  BOOST_TEST(!is_proposal_name("notes.md"));
  BOOST_TEST(!is_proposal_name(".json"));
}

BOOST_AUTO_TEST_CASE(directories_are_sorted_and_each_file_is_checked_once) {
  const auto s = select({"examples/broken/pool-out.json", "examples/broken", "./examples/broken/key.json"});
  BOOST_TEST(s.diagnostics.empty(), codes_and_messages(s.diagnostics));
  // The file named first keeps its place; the directory's files follow sorted, without it again.
  BOOST_TEST_REQUIRE(s.files.size() == 35u);
  BOOST_TEST(s.files.front() == "examples/broken/pool-out.json");
  BOOST_TEST(std::is_sorted(s.files.begin() + 1, s.files.end()));
  BOOST_TEST(std::count(s.files.begin(), s.files.end(), "examples/broken/pool-out.json") == 1);
  BOOST_TEST(std::count(s.files.begin(), s.files.end(), "examples/broken/key.json") == 1);
  BOOST_TEST(std::count(s.files.begin(), s.files.end(), "./examples/broken/key.json") == 0);
}

BOOST_AUTO_TEST_CASE(a_directory_gives_tables_but_not_their_mappings) {
  const auto s = select({"examples"});
  BOOST_TEST(s.diagnostics.empty());
  BOOST_TEST(std::count(s.files.begin(), s.files.end(), "examples/kraeftplan-v-2026.csv") == 1);
  for (const auto& f : s.files) BOOST_TEST(!f.ends_with(".mapping.json"), f);
  BOOST_TEST(std::is_sorted(s.files.begin(), s.files.end()));
  const auto trailing = select({"examples/"});  // the same files, named the same way
  BOOST_TEST(trailing.files == s.files);
}

BOOST_AUTO_TEST_CASE(patterns_give_the_files_they_match) {
  const auto pools = select({"examples/broken/pool-*.json"});
  BOOST_TEST(pools.files == (std::vector<std::string>{"examples/broken/pool-in.json", "examples/broken/pool-out.json"}));
  const auto csv = select({"examples/**/*.csv"});
  BOOST_TEST(csv.files == std::vector<std::string>{"examples/kraeftplan-v-2026.csv"});
  const auto all = select({"exam*/**"});  // every proposal below, mappings left out
  BOOST_TEST(all.files == select({"examples"}).files);
  const auto none = select({"examples/broken/*.yaml"});
  BOOST_TEST(none.files.empty());
  BOOST_TEST(codes_and_messages(none.diagnostics) ==
             "E3002 pattern 'examples/broken/*.yaml' matches no *.json or *.csv proposal\n");
}

BOOST_AUTO_TEST_CASE(excludes_apply_to_every_file) {
  const auto s = select({"examples", "examples/broken/key.json"}, {"broken", "*.csv"});
  BOOST_TEST(s.diagnostics.empty());
  BOOST_TEST(s.files == (std::vector<std::string>{"examples/budgetforslag-kraeftplan.json",
                                                  "examples/budgetforslag-kvantificeret.json",
                                                  "examples/kraeftplan-v-2026.json",
                                                  "examples/kraeftplan-v-multiyear.json"}));
  BOOST_TEST(s.excluded == 36u);
}

BOOST_AUTO_TEST_CASE(an_empty_directory_is_an_error) {
  const fs::path dir = fs::temp_directory_path() / "fundcheck-proposal-files-empty";
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  const auto s = select_proposal_files({dir.string()}, {});
  BOOST_TEST(s.files.empty());
  BOOST_TEST_REQUIRE(s.diagnostics.size() == 1u);
  BOOST_TEST(s.diagnostics[0].code == "E3002");
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(shards_split_the_files_without_gaps_or_overlaps) {
  const auto files = select({"examples"}).files;
  BOOST_TEST_REQUIRE(files.size() == 40u);
  for (std::size_t n = 1; n <= 7; ++n) {
    std::vector<std::string> all;
    std::size_t smallest = files.size(), largest = 0;
    for (std::size_t i = 1; i <= n; ++i) {
      const auto slice = shard_slice(files, i, n);
      // Each slice keeps the overall order, so its report reads like a part of the whole one.
      std::vector<std::size_t> positions;
      for (const auto& f : slice) positions.push_back(static_cast<std::size_t>(std::find(files.begin(), files.end(), f) - files.begin()));
      BOOST_TEST(std::is_sorted(positions.begin(), positions.end()));
      smallest = std::min(smallest, slice.size());
      largest = std::max(largest, slice.size());
      all.insert(all.end(), slice.begin(), slice.end());
    }
    BOOST_TEST(largest - smallest <= 1u);
    std::sort(all.begin(), all.end());
    auto sorted = files;
    std::sort(sorted.begin(), sorted.end());
    BOOST_TEST(all == sorted);  // every file in exactly one slice
  }
  BOOST_TEST(shard_slice(files, 3, 3) == shard_slice(files, 3, 3));  // the same list, the same slice
  BOOST_TEST(shard_slice({"a", "b"}, 3, 3).empty());                // more slices than files
  BOOST_TEST(shard_slice(files, 0, 3).empty());
}

BOOST_AUTO_TEST_SUITE_END()
