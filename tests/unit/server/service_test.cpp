// The routes of fundcheck serve as pure functions (no sockets), and the decision log.
#define BOOST_TEST_MODULE service
#include "service.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "decision_log.hpp"
#include "fundcheck/engine/sha256.hpp"

using namespace fundcheck;
using json = nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path source_dir = FUNDCHECK_SOURCE_DIR;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// A scratch directory with a copy of the Kræftplan rules, a decision log and a service on them.
struct fixture {
  fs::path dir;
  std::unique_ptr<app::decision_log> log;
  std::unique_ptr<app::service> svc;

  explicit fixture(std::string token = {}) {
    dir = fs::temp_directory_path() /
          ("fundcheck-service-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(dir);
    fs::create_directories(dir / "rules");
    fs::copy_file(source_dir / "rules/kraeftplan-v.rules", dir / "rules/kraeftplan-v.rules");
    log = std::make_unique<app::decision_log>(dir / "decisions.db");
    app::service_options o;
    o.roots = {dir / "rules"};
    o.version = "test";
    o.token = std::move(token);
    svc = std::make_unique<app::service>(o, log.get());
    BOOST_REQUIRE(svc->reload().ok);
  }
  ~fixture() {
    svc.reset();
    log.reset();
    fs::remove_all(dir);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
  app::http_response post(const std::string& target, const std::string& body,
                          const std::string& type = "application/json", const std::string& auth = {}) {
    return svc->handle({"POST", target, type, auth, body});
  }
  app::http_response get(const std::string& target, const std::string& auth = {}) {
    return svc->handle({"GET", target, "", auth, ""});
  }
};

json body_of(const app::http_response& r) { return json::parse(r.body); }

void expect_error(const app::http_response& r, unsigned status, const std::string& code) {
  BOOST_TEST(r.status == status);
  BOOST_TEST(r.content_type == "application/json");
  const auto j = body_of(r);
  BOOST_TEST(j["error"]["code"] == code);
  BOOST_TEST(j["error"]["status"] == status);
  BOOST_TEST(!j["error"]["message"].get<std::string>().empty());
}

const std::string good = read(source_dir / "examples/kraeftplan-v-2026.json");
const std::string broken = read(source_dir / "examples/broken/subitem-sum.json");

}  // namespace

BOOST_AUTO_TEST_SUITE(service_routes)

BOOST_AUTO_TEST_CASE(health_and_readiness) {
  fixture f;
  BOOST_TEST(f.get("/healthz").status == 200u);
  BOOST_TEST(f.get("/readyz").status == 200u);
  f.svc->set_draining();
  expect_error(f.get("/readyz"), 503, "E5022");
  BOOST_TEST(f.get("/healthz").status == 200u);
}

BOOST_AUTO_TEST_CASE(check_answers_the_cli_report_and_records_the_decision) {
  fixture f;
  const auto r = f.post("/v1/check?ruleset=allocation", broken);
  BOOST_REQUIRE(r.status == 200u);
  const auto j = body_of(r);
  const auto& p = j["proposals"][0];
  BOOST_TEST(p["status"] == "failed");
  BOOST_TEST(p["file"] == "request.json");
  BOOST_TEST(p["sha256"] == engine::sha256_hex(broken));
  bool sum01 = false;
  for (const auto& fj : p["findings"]) sum01 = sum01 || (fj["rule"] == "KPV-SUM-01" && fj["severity"] == "error");
  BOOST_TEST(sum01);
  const std::string id = j["decision"]["id"];
  BOOST_TEST(app::valid_decision_id(id));
  BOOST_TEST(j["decision"]["ruleset"] == "allocation");
  BOOST_TEST(j["decision"]["ruleset_sha256"] == j["rule_sets"][0]["sha256"]);
  bool header = false;
  for (const auto& [k, v] : r.headers) header = header || (k == "Fundcheck-Decision" && v == id);
  BOOST_TEST(header);

  // The log holds it, and GET /v1/decisions/{id} answers it.
  const auto rec = f.log->find(id);
  BOOST_REQUIRE(rec.has_value());
  BOOST_TEST(rec->result == "failed");
  BOOST_TEST(rec->proposal_sha256 == engine::sha256_hex(broken));
  BOOST_TEST(json::parse(rec->findings_json) == p["findings"]);
  const auto d = f.get("/v1/decisions/" + id);
  BOOST_REQUIRE(d.status == 200u);
  BOOST_TEST(body_of(d)["findings"] == p["findings"]);
  BOOST_TEST(body_of(d)["summary"]["errors"] == p["summary"]["errors"]);

  // Without ?ruleset the proposal's format chooses; a passing proposal passes.
  const auto ok = body_of(f.post("/v1/check", good));
  BOOST_TEST(ok["proposals"][0]["status"] == "passed");
  BOOST_TEST(ok["decision"]["id"] != id);
  BOOST_TEST(f.log->count() == 2u);
}

BOOST_AUTO_TEST_CASE(csv_and_html) {
  fixture f;
  const auto csv = f.post("/v1/check", read(source_dir / "examples/kraeftplan-v-2026.csv"), "text/csv; charset=utf-8");
  BOOST_REQUIRE(csv.status == 200u);
  BOOST_TEST(body_of(csv)["proposals"][0]["file"] == "request.csv");
  const auto html = f.post("/v1/check?format=html", broken);
  BOOST_TEST(html.status == 200u);
  BOOST_TEST(html.content_type.starts_with("text/html"));
  BOOST_TEST(html.body.find("KPV-SUM-01") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(parameters) {
  fixture f;
  // A key far from 0.3117 makes the region amounts wrong.
  const auto j = body_of(f.post("/v1/check?param.key=0.5", good));
  BOOST_TEST(j["params"]["key"] == "0.5");
  BOOST_TEST(j["proposals"][0]["status"] == "failed");
  const auto rec = f.log->find(j["decision"]["id"].get<std::string>());
  BOOST_TEST(json::parse(rec->params_json) == json({{"key", "0.5"}}));

  auto r = f.post("/v1/check?param.kye=1", good);
  expect_error(r, 400, "E2101");
  BOOST_TEST(body_of(r)["error"]["location"] == json({{"in", "query"}, {"name", "param.kye"}}));
  r = f.post("/v1/check?param.key=0,3", good);
  expect_error(r, 400, "E2102");
  BOOST_TEST(body_of(r)["error"]["location"]["name"] == "param.key");
}

BOOST_AUTO_TEST_CASE(bad_input_is_a_4xx_that_says_what_and_where) {
  fixture f;
  auto r = f.post("/v1/check", "{\"format\": \"fundcheck/allocation@1\",\n  \"items\": [1, }");
  expect_error(r, 400, "E3001");
  BOOST_TEST(body_of(r)["error"]["location"]["in"] == "body");
  BOOST_TEST(body_of(r)["error"]["location"]["line"] == 2);
  BOOST_TEST(body_of(r)["diagnostics"].size() >= 1u);
  expect_error(f.post("/v1/check", std::string(200, '[') + std::string(200, ']')), 400, "E3004");
  expect_error(f.post("/v1/check", "{\"format\": \"fundcheck/allocation@1\"}"), 422, "E3011");
  expect_error(f.post("/v1/check", "{\"format\": \"fundcheck/budget-form@1\"}"), 422, "E3011");
  r = f.post("/v1/check?ruleset=nope", good);
  expect_error(r, 404, "E5003");
  BOOST_TEST(body_of(r)["error"]["location"] == json({{"in", "query"}, {"name", "ruleset"}}));
  expect_error(f.post("/v1/check?colour=red", good), 400, "E5009");
  expect_error(f.post("/v1/check?ruleset=%zz", good), 400, "E5009");
  expect_error(f.post("/v1/check?format=pdf", good), 400, "E5009");
  expect_error(f.post("/v1/check", good, "text/plain"), 415, "E5005");
  expect_error(f.post("/v1/check", good, ""), 415, "E5005");
  expect_error(f.get("/v1/check"), 405, "E5002");
  expect_error(f.get("/nope"), 404, "E5001");
  expect_error(f.get("/v1/decisions/xyz"), 400, "E5011");
  expect_error(f.get("/v1/decisions/0123456789abcdef0123456789abcdef"), 404, "E5012");
  expect_error(f.post("/v1/check", "\xff\xfe garbage"), 400, "E3001");
  BOOST_TEST(f.log->count() == 0u);  // nothing was decided
}

BOOST_AUTO_TEST_CASE(rulesets_lists_names_hashes_rules_and_severities) {
  fixture f;
  const auto j = body_of(f.get("/v1/rulesets"));
  BOOST_REQUIRE(j["rulesets"].size() == 1u);
  const auto& s = j["rulesets"][0];
  BOOST_TEST(s["name"] == "allocation");
  BOOST_TEST(s["format"] == "fundcheck/allocation@1");
  BOOST_TEST(s["sha256"].get<std::string>().size() == 64u);
  BOOST_TEST(s["rules"].size() == 25u);
  bool found = false;
  for (const auto& r : s["rules"]) found = found || (r["id"] == "KPV-SUM-01" && r["severity"] == "error");
  BOOST_TEST(found);
  BOOST_TEST(j["generation"] == 1);
}

BOOST_AUTO_TEST_CASE(bearer_token_for_everything_but_health) {
  fixture f("s3cret");
  expect_error(f.get("/v1/rulesets"), 401, "E5007");
  expect_error(f.get("/v1/rulesets", "Bearer wrong"), 401, "E5007");
  expect_error(f.get("/metrics"), 401, "E5007");
  expect_error(f.post("/v1/check", good), 401, "E5007");
  BOOST_TEST(f.get("/v1/rulesets", "Bearer s3cret").status == 200u);
  BOOST_TEST(f.post("/v1/check", good, "application/json", "bearer s3cret").status == 200u);
  BOOST_TEST(f.get("/healthz").status == 200u);
  BOOST_TEST(f.get("/readyz").status == 200u);
}

BOOST_AUTO_TEST_CASE(a_broken_rule_file_is_rejected_and_the_old_rules_keep_serving) {
  fixture f;
  const std::string before = body_of(f.get("/v1/rulesets"))["rulesets"][0]["sha256"];
  const fs::path file = f.dir / "rules/kraeftplan-v.rules";
  const std::string text = read(file);
  write(file, text + "\nrule BROKEN error \"x\" { expect (1 + }\n");
  const auto bad = f.svc->reload();
  BOOST_TEST(!bad.ok);
  BOOST_TEST(dsl::has_errors(bad.diagnostics));
  BOOST_TEST(bad.snapshot->generation == 1u);
  BOOST_TEST(body_of(f.get("/v1/rulesets"))["rulesets"][0]["sha256"] == before);
  BOOST_TEST(body_of(f.post("/v1/check", broken))["decision"]["ruleset_sha256"] == before);

  write(file, text + "\n# a comment changes the hash\n");
  const auto good_reload = f.svc->reload();
  BOOST_REQUIRE(good_reload.ok);
  BOOST_TEST(good_reload.snapshot->generation == 2u);
  const std::string after = body_of(f.get("/v1/rulesets"))["rulesets"][0]["sha256"];
  BOOST_TEST(after != before);
  BOOST_TEST(body_of(f.post("/v1/check", broken))["decision"]["ruleset_sha256"] == after);
  const auto metrics = f.get("/metrics").body;
  BOOST_TEST(metrics.find("fundcheck_rule_reloads_total{result=\"ok\"} 1") != std::string::npos);
  BOOST_TEST(metrics.find("fundcheck_rule_reloads_total{result=\"failed\"} 1") != std::string::npos);
  BOOST_TEST(metrics.find("fundcheck_rules_generation 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(checks_during_reloads_each_see_one_whole_rule_set) {
  fixture f;
  const fs::path file = f.dir / "rules/kraeftplan-v.rules";
  const std::string text = read(file);
  std::atomic<bool> stop{false};
  std::thread reloader([&] {
    for (int i = 0; i < 40; ++i) {
      write(file, text + "\n# version " + std::to_string(i % 2) + "\n");
      f.svc->reload();
    }
    stop = true;
  });
  std::set<std::string> hashes;
  int mismatches = 0, checks = 0;
  while (!stop || checks < 20) {
    const auto j = body_of(f.post("/v1/check", broken));
    // The report's rule set and the recorded one are the same snapshot.
    if (j["rule_sets"][0]["sha256"] != j["decision"]["ruleset_sha256"]) ++mismatches;
    hashes.insert(j["decision"]["ruleset_sha256"].get<std::string>());
    ++checks;
  }
  reloader.join();
  BOOST_TEST(mismatches == 0);
  BOOST_TEST(hashes.size() >= 1u);
  BOOST_TEST(hashes.size() <= 3u);  // the original and the two versions
}

BOOST_AUTO_TEST_CASE(metrics_in_prometheus_text) {
  fixture f;
  f.post("/v1/check", broken);
  f.post("/v1/check", "{");
  const auto r = f.get("/metrics");
  BOOST_TEST(r.status == 200u);
  BOOST_TEST(r.content_type.starts_with("text/plain; version=0.0.4"));
  const auto& m = r.body;
  BOOST_TEST(m.find("fundcheck_http_requests_total{route=\"/v1/check\",method=\"POST\",code=\"200\"} 1") != std::string::npos);
  BOOST_TEST(m.find("fundcheck_http_requests_total{route=\"/v1/check\",method=\"POST\",code=\"400\"} 1") != std::string::npos);
  BOOST_TEST(m.find("fundcheck_findings_total{ruleset=\"allocation\",rule=\"KPV-SUM-01\",severity=\"error\"} 1") != std::string::npos);
  BOOST_TEST(m.find("fundcheck_checks_total{ruleset=\"allocation\",result=\"failed\"} 1") != std::string::npos);
  BOOST_TEST(m.find("fundcheck_http_request_duration_seconds_bucket{le=\"+Inf\"} 2") != std::string::npos);
  BOOST_TEST(m.find("fundcheck_http_request_duration_seconds_count 2") != std::string::npos);
  // Unknown paths share one label.
  f.get("/a");
  f.get("/b");
  BOOST_TEST(f.get("/metrics").body.find("route=\"other\",method=\"GET\",code=\"404\"} 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(recheck_reproduces_a_recorded_decision) {
  fixture f;
  const auto j = body_of(f.post("/v1/check?param.key=0.3117", broken));
  const auto rec = f.log->find(j["decision"]["id"].get<std::string>());
  const auto snap = f.svc->rules();
  const auto again = app::recheck(*snap->rules, *snap->sets[0].program, broken, false, {{"key", "0.3117"}},
                                  f.svc->options());
  BOOST_REQUIRE(again.checked);
  BOOST_TEST(again.result == rec->result);
  BOOST_TEST(again.findings_json == rec->findings_json);
  BOOST_TEST(again.errors == rec->errors);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(decision_log)

BOOST_AUTO_TEST_CASE(records_survive_reopening) {
  const fs::path file = fs::temp_directory_path() / ("fundcheck-decisions-" + std::to_string(::getpid()) + ".db");
  fs::remove(file);
  app::decision_record r;
  r.id = app::new_decision_id();
  r.time = app::utc_now_rfc3339();
  r.ruleset = "allocation";
  r.ruleset_sha256 = std::string(64, 'a');
  r.proposal_sha256 = std::string(64, 'b');
  r.proposal_type = "json";
  r.params_json = "{}";
  r.result = "failed";
  r.errors = 2;
  r.checks = 7;
  r.findings_json = "[{\"rule\":\"X\"}]";
  {
    app::decision_log log(file);
    log.record(r);
    BOOST_CHECK_THROW(log.record(r), app::decision_log_error);  // ids are unique
  }
  app::decision_log log(file);
  const auto back = log.find(r.id);
  BOOST_REQUIRE(back.has_value());
  BOOST_TEST(back->result == "failed");
  BOOST_TEST(back->errors == 2u);
  BOOST_TEST(back->checks == 7u);
  BOOST_TEST(back->findings_json == r.findings_json);
  BOOST_TEST(back->time == r.time);
  BOOST_TEST(!log.find(app::new_decision_id()).has_value());
  BOOST_TEST(log.count() == 1u);
  fs::remove(file);
  fs::remove(file.string() + "-wal");
  fs::remove(file.string() + "-shm");
}

// Group commit: decisions recorded from many threads at once share transactions, yet every call
// returns only with its own decision committed, and a decision that cannot be written (here: an
// id used before) fails only its own call, whichever batch it lands in.
BOOST_AUTO_TEST_CASE(concurrent_records_are_each_committed_or_each_refused) {
  const fs::path file = fs::temp_directory_path() / ("fundcheck-decisions-group-" + std::to_string(::getpid()) + ".db");
  fs::remove(file);
  constexpr int threads = 8, per_thread = 150;
  std::vector<std::vector<std::string>> ids(threads);
  std::atomic<int> refused{0}, wrong{0};
  {
    app::decision_log log(file);
    app::decision_record used;
    used.id = app::new_decision_id();
    used.time = app::utc_now_rfc3339();
    used.result = "passed";
    log.record(used);
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t)
      workers.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          app::decision_record r;
          const bool duplicate = i % 50 == 7;
          r.id = duplicate ? used.id : app::new_decision_id();
          r.time = app::utc_now_rfc3339();
          r.result = "failed";
          r.findings_json = std::string(static_cast<std::size_t>(100 + i), 'x');
          try {
            log.record(r);
            if (duplicate) ++wrong;
            // Committed when record returns: readable at once.
            if (!duplicate && !log.find(r.id)) ++wrong;
            ids[static_cast<std::size_t>(t)].push_back(r.id);
          } catch (const app::decision_log_error&) {
            if (duplicate) ++refused;
            else ++wrong;
          }
        }
      });
    for (auto& w : workers) w.join();
  }
  BOOST_TEST(wrong.load() == 0);
  BOOST_TEST(refused.load() == threads * 3);
  app::decision_log log(file);
  BOOST_TEST(log.count() == static_cast<std::uint64_t>(1 + threads * (per_thread - 3)));
  for (const auto& list : ids)
    for (const auto& id : list) BOOST_TEST_REQUIRE(log.find(id).has_value(), "decision " << id << " is missing");
  fs::remove(file);
  fs::remove(file.string() + "-wal");
  fs::remove(file.string() + "-shm");
}

BOOST_AUTO_TEST_CASE(ids) {
  const auto a = app::new_decision_id();
  const auto b = app::new_decision_id();
  BOOST_TEST(app::valid_decision_id(a));
  BOOST_TEST(a != b);
  BOOST_TEST(!app::valid_decision_id("0123"));
  BOOST_TEST(!app::valid_decision_id("0123456789ABCDEF0123456789abcdef"));
  BOOST_TEST(app::utc_now_rfc3339().size() == 24u);
}

BOOST_AUTO_TEST_CASE(a_file_that_is_not_a_database_is_an_error) {
  const fs::path file = fs::temp_directory_path() / ("fundcheck-not-a-db-" + std::to_string(::getpid()));
  std::ofstream(file) << "this is not SQLite, just text that is long enough to be looked at by sqlite";
  BOOST_CHECK_THROW(app::decision_log log(file), app::decision_log_error);
  fs::remove(file);
}

BOOST_AUTO_TEST_SUITE_END()
