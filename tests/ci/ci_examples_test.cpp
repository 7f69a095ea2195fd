#define BOOST_TEST_MODULE ci_examples
// The CI examples of examples/ci/, run locally: the fundcheck command lines of the GitHub Actions
// workflow and the GitLab CI job are taken from the files themselves and run against examples/
// (in a scratch directory, so the reports land there), and the reports they write must parse and
// hold the expected results. The pre-commit hook runs in a scratch git repository. Also here,
// because they need the command and real files: report files are written atomically, never
// replace a file without --force, and are byte-identical for any -j.
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

namespace {

const fs::path root = FUNDCHECK_SOURCE_DIR;
const fs::path binary = FUNDCHECK_BINARY;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// A scratch directory laid out like the repository: rules/, examples/ and build/app/fundcheck
// are links to the real ones; reports written there stay there.
struct scratch {
  fs::path dir;
  scratch() {
    std::string tmpl = (fs::temp_directory_path() / "fundcheck-ci-XXXXXX").string();
    BOOST_TEST_REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
    fs::create_directory_symlink(root / "rules", dir / "rules");
    fs::create_directory_symlink(root / "examples", dir / "examples");
    fs::create_directories(dir / "build/app");
    fs::create_symlink(binary, dir / "build/app/fundcheck");
  }
  ~scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

struct run_result {
  int exit_code = -1;
  std::string out;
};

std::string quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command line in `dir` with bash, standard output captured.
run_result shell(const fs::path& dir, const std::string& command, const std::map<std::string, std::string>& env = {}) {
  std::string line = "cd " + quote(dir.string()) + " && env NO_COLOR=1";
  for (const auto& [k, v] : env) line += " " + k + "=" + quote(v);
  line += " bash -c " + quote(command) + " 2>&1";
  run_result r;
  FILE* p = popen(line.c_str(), "r");
  BOOST_TEST_REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The fundcheck command lines of a CI file: lines that start with "build/app/fundcheck check"
// (after indentation and a YAML "- "), with "\" continuations joined.
std::vector<std::string> commands_in(const fs::path& file) {
  std::vector<std::string> out;
  std::istringstream in(read(file));
  std::string line, pending;
  while (std::getline(in, line)) {
    std::string t = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (!pending.empty()) {
      pending += " " + t;
    } else {
      if (t.starts_with("- ")) t = t.substr(2);
      if (!t.starts_with("build/app/fundcheck check")) continue;
      pending = t;
    }
    if (!pending.empty() && pending.back() == '\\') {
      pending.pop_back();
      continue;
    }
    out.push_back(pending);
    pending.clear();
  }
  return out;
}

nlohmann::json sarif(const fs::path& file) {
  BOOST_TEST_REQUIRE(fs::exists(file), file);
  return nlohmann::json::parse(read(file));
}

pt::ptree junit(const fs::path& file) {
  BOOST_TEST_REQUIRE(fs::exists(file), file);
  std::istringstream in(read(file));
  pt::ptree doc;
  BOOST_REQUIRE_NO_THROW(pt::read_xml(in, doc));
  return doc;
}

// The suites (proposal files) of a JUnit report, and the failing tests as "file/RULE".
void junit_contents(const pt::ptree& doc, std::vector<std::string>& suites, std::set<std::string>& failing) {
  for (const auto& [tag, suite] : doc.get_child("testsuites")) {
    if (tag != "testsuite") continue;
    const auto name = suite.get<std::string>("<xmlattr>.name");
    suites.push_back(name);
    for (const auto& [ctag, tc] : suite) {
      if (ctag != "testcase" || !tc.get_child_optional("failure")) continue;
      const auto test = tc.get<std::string>("<xmlattr>.name");
      failing.insert(name + "/" + test.substr(0, test.find(':')));
    }
  }
}

// "file:line:col RULE" of a SARIF report's results.
std::set<std::string> sarif_results(const nlohmann::json& doc) {
  std::set<std::string> out;
  const auto& run = doc.at("runs").at(0);
  BOOST_TEST(run.at("tool").at("driver").at("name") == "fundcheck");
  for (const auto& r : run.at("results")) {
    const auto& pl = r.at("locations").at(0).at("physicalLocation");
    std::ostringstream where;
    where << pl.at("artifactLocation").at("uri").get<std::string>();
    if (pl.contains("region"))
      where << ':' << pl.at("region").at("startLine").get<int>() << ':' << pl.at("region").at("startColumn").get<int>();
    where << ' ' << r.at("ruleId").get<std::string>();
    out.insert(where.str());
  }
  return out;
}

std::vector<std::string> example_files() {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root / "examples")) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.ends_with(".mapping.json")) continue;
    if (name.ends_with(".json") || name.ends_with(".csv")) out.push_back(fs::relative(e.path(), root).generic_string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ci_examples)

BOOST_AUTO_TEST_CASE(the_github_actions_workflow) {
  const auto commands = commands_in(root / "examples/ci/github-actions.yml");
  BOOST_TEST_REQUIRE(commands.size() == 1u);
  scratch s;
  const auto r = shell(s.dir, commands[0], {{"PROPOSALS", "examples/"}});
  BOOST_TEST(r.exit_code == 1, r.out);  // the broken examples fail
  // Annotations on the planted error, and the closing summary.
  BOOST_TEST(r.out.find("::error file=examples/broken/key.json,line=23,col=46,endColumn=49,title=KPV-KEY-01%3A") !=
             std::string::npos);
  BOOST_TEST(r.out.find("\n40 proposals checked: 6 passed, 34 failed; ") != std::string::npos, r.out);
  BOOST_TEST(listing(s.dir / "reports") == (std::vector<std::string>{"fundcheck.sarif", "fundcheck.xml"}));
  const auto results = sarif_results(sarif(s.dir / "reports/fundcheck.sarif"));
  BOOST_TEST(results.contains("examples/broken/key.json:23:46 KPV-KEY-01"));
  BOOST_TEST(results.contains("examples/kraeftplan-v-2026.csv:14:32 KPV-SUM-01"));
  BOOST_TEST(results.contains("examples/broken/budgetforslag-unit.json:6:11 BF-FRM-02"));
  std::vector<std::string> suites;
  std::set<std::string> failing;
  junit_contents(junit(s.dir / "reports/fundcheck.xml"), suites, failing);
  BOOST_TEST(suites == example_files());
  BOOST_TEST(failing.contains("examples/broken/key.json/KPV-KEY-01"));
  BOOST_TEST(!failing.contains("examples/kraeftplan-v-2026.json/KPV-SUM-01"));  // a note does not fail
  BOOST_TEST(failing.size() == 34u);  // each broken example by its one rule
}

BOOST_AUTO_TEST_CASE(the_gitlab_job_in_three_shards) {
  const auto commands = commands_in(root / "examples/ci/gitlab-ci.yml");
  BOOST_TEST_REQUIRE(commands.size() == 1u);
  scratch s;
  std::vector<std::string> all_suites;
  std::set<std::string> all_failing;
  for (int i = 1; i <= 3; ++i) {
    const auto r = shell(s.dir, commands[0],
                         {{"PROPOSALS", "examples/"}, {"CI_NODE_INDEX", std::to_string(i)}, {"CI_NODE_TOTAL", "3"}});
    BOOST_TEST(r.exit_code == 1, r.out);
    BOOST_TEST(r.out.find("(shard " + std::to_string(i) + "/3 of 40 files)") != std::string::npos, r.out);
    std::vector<std::string> suites;
    std::set<std::string> failing;
    junit_contents(junit(s.dir / ("reports/fundcheck-" + std::to_string(i) + ".xml")), suites, failing);
    BOOST_TEST((suites.size() == 13u || suites.size() == 14u));
    all_suites.insert(all_suites.end(), suites.begin(), suites.end());
    all_failing.insert(failing.begin(), failing.end());
    const auto doc = sarif(s.dir / ("reports/fundcheck-" + std::to_string(i) + ".sarif"));
    BOOST_TEST(doc.at("runs").at(0).at("automationDetails").at("id") ==
               "fundcheck/shard-" + std::to_string(i) + "-of-3/");
  }
  // The three jobs together check every proposal once.
  std::sort(all_suites.begin(), all_suites.end());
  BOOST_TEST(all_suites == example_files());
  BOOST_TEST(all_failing.size() == 34u);
}

BOOST_AUTO_TEST_CASE(the_pre_commit_hook) {
  scratch s;
  const fs::path repo = s.dir / "repo";
  fs::create_directories(repo / "proposals");
  fs::copy(root / "rules", repo / "rules");
  fs::copy(root / "examples/kraeftplan-v-2026.json", repo / "proposals/ok.json");
  fs::copy(root / "examples/broken/key.json", repo / "proposals/bad.json");
  fs::copy(root / "examples/kraeftplan-v-2026.csv", repo / "proposals/table.csv");
  fs::copy(root / "examples/kraeftplan-v-2026.mapping.json", repo / "proposals/table.mapping.json");
  const std::string hook = (root / "examples/ci/pre-commit-hook").string();
  const std::map<std::string, std::string> env = {{"FUNDCHECK", binary.string()}};
  auto git = [&](const std::string& args) {
    const auto r = shell(repo, "git " + args);
    BOOST_TEST_REQUIRE(r.exit_code == 0, "git " << args << ": " << r.out);
  };
  git("init -q");
  git("config user.email ci@example.org");
  git("config user.name ci");
  // Nothing staged: nothing to check.
  auto r = shell(repo, hook, env);
  BOOST_TEST(r.exit_code == 0, r.out);
  BOOST_TEST(r.out.empty(), r.out);
  // A good proposal passes.
  git("add proposals/ok.json rules");
  r = shell(repo, hook, env);
  BOOST_TEST(r.exit_code == 0, r.out);
  BOOST_TEST(r.out.find("proposals/ok.json: passed") != std::string::npos, r.out);
  // A broken one stops the commit, named as in the repository.
  git("add proposals/bad.json");
  r = shell(repo, hook, env);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(r.out.find("--> proposals/bad.json:23:46") != std::string::npos, r.out);
  // The rule's place, as the hook prints it: the line of `rule KPV-KEY-01` in the shipped file.
  std::size_t key_line = 0;
  {
    std::ifstream rules_file(root / "rules/kraeftplan-v.rules");
    std::string line;
    for (std::size_t n = 1; std::getline(rules_file, line); ++n)
      if (line.rfind("rule KPV-KEY-01 ", 0) == 0) key_line = n;
  }
  BOOST_TEST_REQUIRE(key_line > 0u);
  BOOST_TEST(r.out.find("rules/kraeftplan-v.rules:" + std::to_string(key_line) + ":6") != std::string::npos, r.out);
  // What is staged counts, not the working tree: stage the good version, break the file after.
  fs::copy(root / "examples/kraeftplan-v-2026.json", repo / "proposals/bad.json", fs::copy_options::overwrite_existing);
  git("add proposals/bad.json");
  fs::copy(root / "examples/broken/key.json", repo / "proposals/bad.json", fs::copy_options::overwrite_existing);
  r = shell(repo, hook, env);
  BOOST_TEST(r.exit_code == 0, r.out);
  git("commit -q -m proposals");
  // A changed mapping checks its table, with its mapping as staged.
  git("add proposals/table.csv proposals/table.mapping.json");
  git("commit -q -m table");
  std::string mapping = read(repo / "proposals/table.mapping.json");
  mapping.replace(mapping.find("\"to\": \"herlev-gentofte-hospital\""), 32, "\"to\": \"herlev-gentofte\"");
  std::ofstream(repo / "proposals/table.mapping.json", std::ios::binary | std::ios::trunc) << mapping;
  git("add proposals/table.mapping.json");
  r = shell(repo, hook, env);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(r.out.find("--> proposals/table.mapping.json:291:13 (transfers[0].to)") != std::string::npos, r.out);
  // With file arguments, as the pre-commit framework calls it.
  r = shell(repo, hook + " proposals/ok.json README.md", env);
  BOOST_TEST(r.exit_code == 0, r.out);
  r = shell(repo, hook + " proposals/ok.json proposals/table.mapping.json", env);
  BOOST_TEST(r.exit_code == 1, r.out);
  // FUNDCHECK_PROPOSALS limits the hook to a folder.
  r = shell(repo, hook + " proposals/table.mapping.json", {{"FUNDCHECK", binary.string()}, {"FUNDCHECK_PROPOSALS", "other/"}});
  BOOST_TEST(r.exit_code == 0, r.out);
}

BOOST_AUTO_TEST_CASE(several_reports_in_one_run_are_the_same_for_any_jobs) {
  scratch s;
  const std::string formats =
      " --format text=r/text.txt --format json=r/report.json --format junit=r/junit.xml --format sarif=r/report.sarif "
      "--format github=r/github.txt --format tap=r/report.tap --format html=r/report.html examples/";
  const auto one = shell(s.dir, "build/app/fundcheck check -j1 --rules rules" + formats + " > r1.out");
  BOOST_TEST(one.exit_code == 1, one.out);
  fs::rename(s.dir / "r", s.dir / "r1");
  const auto two = shell(s.dir, "build/app/fundcheck check -j2 --rules rules" + formats + " > r2.out");
  BOOST_TEST(two.exit_code == 1, two.out);
  // Standard output carries the text report when every format names a file.
  BOOST_TEST(read(s.dir / "r1.out") == read(s.dir / "r1/text.txt"));
  const std::vector<std::string> files = {"github.txt",   "junit.xml",  "report.html", "report.json",
                                          "report.sarif", "report.tap", "text.txt"};
  BOOST_TEST(listing(s.dir / "r1") == files);  // no temporary file left behind
  for (const auto& f : files) {
    BOOST_TEST_CONTEXT(f) {
      BOOST_TEST(!read(s.dir / "r1" / f).empty());
      BOOST_TEST(read(s.dir / "r1" / f) == read(s.dir / "r" / f));
    }
  }
}

BOOST_AUTO_TEST_CASE(report_files_are_never_replaced_without_force) {
  scratch s;
  const std::string command = "build/app/fundcheck check --rules rules --format junit=out/junit.xml examples/broken/key.json";
  auto r = shell(s.dir, command);
  BOOST_TEST(r.exit_code == 1, r.out);
  const std::string first = read(s.dir / "out/junit.xml");
  BOOST_TEST(first.find("KPV-KEY-01") != std::string::npos);
  // Again: refused before any work, the file untouched.
  std::ofstream(s.dir / "out/junit.xml", std::ios::trunc) << "mine";
  r = shell(s.dir, command);
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out.find("'out/junit.xml' exists; use --force to overwrite it") != std::string::npos, r.out);
  BOOST_TEST(read(s.dir / "out/junit.xml") == "mine");
  // With --force it is replaced, keeping its permissions.
  fs::permissions(s.dir / "out/junit.xml", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  r = shell(s.dir, command + " --force");
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(read(s.dir / "out/junit.xml") == first);
  const auto mode = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read;
  BOOST_TEST(static_cast<int>(fs::status(s.dir / "out/junit.xml").permissions() & fs::perms::all) == static_cast<int>(mode));
  // A link names its file: the same file twice is refused, and writing through the link replaces
  // the file it names while the link stays a link.
  fs::create_symlink("junit.xml", s.dir / "out/link.xml");
  r = shell(s.dir, command + " --force --output out/link.xml");
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out.find("'out/link.xml' is given for two reports (junit and text)") != std::string::npos, r.out);
  r = shell(s.dir, "build/app/fundcheck check --force --rules rules --format sarif=out/link.xml examples/broken/key.json");
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(fs::is_symlink(s.dir / "out/link.xml"));
  BOOST_TEST(read(s.dir / "out/junit.xml").find("\"version\": \"2.1.0\"") != std::string::npos);
  BOOST_TEST(static_cast<int>(fs::status(s.dir / "out/junit.xml").permissions() & fs::perms::all) == static_cast<int>(mode));
  BOOST_TEST(listing(s.dir / "out") == (std::vector<std::string>{"junit.xml", "link.xml"}));
  // An input is never a report, even with --force.
  r = shell(s.dir, "build/app/fundcheck check --force --rules rules --format json=examples/broken/key.json examples/broken");
  BOOST_TEST(r.exit_code == 2);
  BOOST_TEST(r.out.find("is an input of this check") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_SUITE_END()
