// The routes of `fundcheck serve` (service.hpp), its metrics and the rule-set reload.

#include "service.hpp"

#include <array>
#include <map>
#include <malloc.h>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "fundcheck/dsl/parse.hpp"
#include "fundcheck/engine/csv_import.hpp"
#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/report.hpp"
#include "fundcheck/engine/report_html.hpp"
#include "fundcheck/engine/sha256.hpp"

namespace fundcheck::app {

using json = nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Metrics (Prometheus text format 0.0.4)

class service_metrics {
 public:
  static constexpr std::array<double, 14> bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,    0.25,  0.5,    1.0,   2.5,   5.0,   10.0};

  void request(std::string_view route, std::string_view method, unsigned status, std::chrono::nanoseconds took) {
    const double s = std::chrono::duration<double>(took).count();
    std::lock_guard lock(mutex_);
    ++requests_[{std::string(route), std::string(method), status}];
    std::size_t i = 0;
    while (i < bounds.size() && s > bounds[i]) ++i;
    ++buckets_[i];
    latency_sum_ += s;
    ++latency_count_;
  }
  void finding(std::string_view ruleset, std::string_view rule, std::string_view severity) {
    std::lock_guard lock(mutex_);
    ++findings_[{std::string(ruleset), std::string(rule), std::string(severity)}];
  }
  void check(std::string_view ruleset, std::string_view result) {
    std::lock_guard lock(mutex_);
    ++checks_[{std::string(ruleset), std::string(result)}];
  }
  void reload(bool ok) { (ok ? reloads_ok_ : reloads_failed_).fetch_add(1); }

  std::atomic<std::int64_t> open_connections{0};
  std::atomic<std::uint64_t> refused_connections{0};

  std::string render(std::uint64_t generation) const {
    std::string out;
    std::lock_guard lock(mutex_);
    out += "# HELP fundcheck_http_requests_total HTTP requests answered, by route, method and status.\n"
           "# TYPE fundcheck_http_requests_total counter\n";
    for (const auto& [k, n] : requests_)
      out += fmt::format("fundcheck_http_requests_total{{route=\"{}\",method=\"{}\",code=\"{}\"}} {}\n",
                         std::get<0>(k), std::get<1>(k), std::get<2>(k), n);
    out += "# HELP fundcheck_http_request_duration_seconds Time from a request read to its answer.\n"
           "# TYPE fundcheck_http_request_duration_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      cumulative += buckets_[i];
      out += fmt::format("fundcheck_http_request_duration_seconds_bucket{{le=\"{}\"}} {}\n", bounds[i], cumulative);
    }
    out += fmt::format("fundcheck_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", latency_count_);
    out += fmt::format("fundcheck_http_request_duration_seconds_sum {}\n", latency_sum_);
    out += fmt::format("fundcheck_http_request_duration_seconds_count {}\n", latency_count_);
    out += "# HELP fundcheck_checks_total Proposals checked, by rule set and result.\n"
           "# TYPE fundcheck_checks_total counter\n";
    for (const auto& [k, n] : checks_)
      out += fmt::format("fundcheck_checks_total{{ruleset=\"{}\",result=\"{}\"}} {}\n", k.first, k.second, n);
    out += "# HELP fundcheck_findings_total Findings reported, by rule set, rule and severity.\n"
           "# TYPE fundcheck_findings_total counter\n";
    for (const auto& [k, n] : findings_)
      out += fmt::format("fundcheck_findings_total{{ruleset=\"{}\",rule=\"{}\",severity=\"{}\"}} {}\n",
                         std::get<0>(k), std::get<1>(k), std::get<2>(k), n);
    out += "# HELP fundcheck_rule_reloads_total Rule reloads, by result (a failed one keeps the old rules).\n"
           "# TYPE fundcheck_rule_reloads_total counter\n";
    out += fmt::format("fundcheck_rule_reloads_total{{result=\"ok\"}} {}\n", reloads_ok_.load());
    out += fmt::format("fundcheck_rule_reloads_total{{result=\"failed\"}} {}\n", reloads_failed_.load());
    out += "# HELP fundcheck_rules_generation The generation of the rules serving (1 at start, +1 per reload).\n"
           "# TYPE fundcheck_rules_generation gauge\n";
    out += fmt::format("fundcheck_rules_generation {}\n", generation);
    out += "# HELP fundcheck_open_connections Connections open now.\n# TYPE fundcheck_open_connections gauge\n";
    out += fmt::format("fundcheck_open_connections {}\n", open_connections.load());
    out += "# HELP fundcheck_refused_connections_total Connections closed at once because of --max-connections.\n"
           "# TYPE fundcheck_refused_connections_total counter\n";
    out += fmt::format("fundcheck_refused_connections_total {}\n", refused_connections.load());
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, unsigned>, std::uint64_t> requests_;
  std::array<std::uint64_t, bounds.size() + 1> buckets_{};
  double latency_sum_ = 0;
  std::uint64_t latency_count_ = 0;
  std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> findings_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> checks_;
  std::atomic<std::uint64_t> reloads_ok_{0}, reloads_failed_{0};
};

// ---------------------------------------------------------------------------------------------
// Helpers

namespace {

std::mutex reload_mutex;  // serialises reloads (SIGHUP and --watch may coincide)

// The route label for metrics: fixed paths as they are, ids replaced, anything else "other", so
// that hostile targets cannot grow the label set.
std::string_view route_of(std::string_view path) {
  static constexpr std::string_view known[] = {"/", "/healthz", "/readyz", "/metrics", "/v1/check", "/v1/rulesets"};
  for (auto k : known)
    if (path == k) return k;
  if (path.starts_with("/v1/decisions/")) return "/v1/decisions/{id}";
  return "other";
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of a query component ('+' is a space); false on a bad escape.
bool url_decode(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = hex_value(in[i + 1]), lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return true;
}

json query_location(std::string_view name) { return {{"in", "query"}, {"name", name}}; }

http_response error_json(unsigned status, std::string_view code, std::string_view message, const json& location,
                         const std::vector<dsl::diagnostic>* diagnostics = nullptr) {
  json e = {{"code", code}, {"status", status}, {"message", message}};
  if (!location.is_null()) e["location"] = location;
  json body = {{"error", e}};
  if (diagnostics) {
    json list = json::array();
    for (const auto& d : *diagnostics) {
      json dj;
      to_json(dj, d);
      list.push_back(std::move(dj));
    }
    body["diagnostics"] = std::move(list);
  }
  http_response r;
  r.status = status;
  r.body = body.dump(2) + "\n";
  return r;
}

// The location of a diagnostic in the request body: {"in": "body", "line", "column"}.
json body_location(const dsl::diagnostic& d) {
  json j;
  to_json(j, d);
  json loc = {{"in", "body"}};
  if (j.contains("line") && !j["line"].is_null()) {
    loc["line"] = j["line"];
    loc["column"] = j["column"];
  }
  return loc;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

http_response error_response(unsigned status, std::string_view code, std::string_view message,
                             std::string_view location_json) {
  json loc;
  if (!location_json.empty()) loc = json::parse(location_json, nullptr, false);
  if (loc.is_discarded()) loc = nullptr;
  return error_json(status, code, message, loc);
}

std::string ruleset_name(std::string_view format) {
  if (const auto slash = format.find('/'); slash != std::string_view::npos) format.remove_prefix(slash + 1);
  if (const auto at = format.find('@'); at != std::string_view::npos) format = format.substr(0, at);
  return std::string(format);
}

const named_ruleset* rules_snapshot::find(std::string_view name) const noexcept {
  for (const auto& s : sets)
    if (s.name == name || s.program->schema_def->format == name) return &s;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// The service

service::service(service_options options, decision_log* log)
    : options_(std::move(options)), log_(log), metrics_(std::make_unique<service_metrics>()) {}

service::~service() = default;

reload_outcome service::reload() {
  std::lock_guard lock(reload_mutex);
  reload_outcome out;
  auto compiled = engine::compile_rule_set(options_.roots, options_.rule_limits);
  out.diagnostics = std::move(compiled.diagnostics);
  if (!compiled.ok() || compiled.value->programs.empty()) {
    if (compiled.ok()) {
      dsl::diagnostic d;
      d.code = "E5030";
      d.message = "the rule directories hold no rules";
      out.diagnostics.push_back(std::move(d));
    }
    metrics_->reload(false);
    out.snapshot = rules_.load();
    return out;
  }
  auto snap = std::make_shared<rules_snapshot>();
  snap->rules = compiled.value;
  for (const auto& p : compiled.value->programs) snap->sets.push_back({ruleset_name(p->schema_def->format), p});
  const auto old = rules_.load();
  snap->generation = old ? old->generation + 1 : 1;
  snap->loaded_at = utc_now_rfc3339();
  std::shared_ptr<const rules_snapshot> done = snap;
  rules_.store(done);
  if (old) metrics_->reload(true);
  out.ok = true;
  out.snapshot = std::move(done);
  return out;
}

std::shared_ptr<const rules_snapshot> service::rules() const { return rules_.load(); }

void service::count(std::string_view method, std::string_view target, unsigned status, std::chrono::nanoseconds took) {
  const auto path = target.substr(0, target.find('?'));
  metrics_->request(route_of(path), method == "GET" || method == "POST" ? method : "other", status, took);
}

void service::connection_opened() { metrics_->open_connections.fetch_add(1); }
void service::connection_closed() { metrics_->open_connections.fetch_sub(1); }
void service::connection_refused() { metrics_->refused_connections.fetch_add(1); }
void service::set_draining() { draining_.store(true); }

http_response service::handle(const http_request& request) {
  const auto start = std::chrono::steady_clock::now();
  http_response r;
  try {
    r = dispatch(request);
  } catch (const decision_log_error& e) {
    r = error_json(503, "E5020", fmt::format("the decision could not be recorded: {}", e.what()), nullptr);
  } catch (const std::bad_alloc&) {
    r = error_json(503, "E5021", "out of memory while answering this request", nullptr);
  } catch (const std::exception& e) {
    // A bug, not bad input: say so, and keep serving.
    r = error_json(500, "E5099", fmt::format("internal error: {}", e.what()), nullptr);
  }
  count(request.method, request.target, r.status, std::chrono::steady_clock::now() - start);
  return r;
}

http_response service::dispatch(const http_request& request) {
  const std::string_view target = request.target;
  const auto qpos = target.find('?');
  const std::string_view path = target.substr(0, qpos);
  const std::string_view query = qpos == std::string_view::npos ? std::string_view() : target.substr(qpos + 1);
  const std::string_view method = request.method;

  const auto only = [&](std::string_view allowed) -> std::optional<http_response> {
    if (method == allowed || (allowed == "GET" && method == "HEAD")) return std::nullopt;
    auto r = error_json(405, "E5002", fmt::format("{} does not answer {}; use {}", path, method, allowed),
                        {{"in", "method"}, {"name", method}});
    r.headers.emplace_back("Allow", std::string(allowed));
    return r;
  };

  // Health needs no token: load balancers and orchestrators ask without one.
  if (path == "/healthz") {
    if (auto e = only("GET")) return *e;
    return {200, "application/json", "{\"status\": \"ok\"}\n", {}};
  }
  if (path == "/readyz") {
    if (auto e = only("GET")) return *e;
    if (draining_.load()) return error_json(503, "E5022", "shutting down", nullptr);
    if (!rules_.load()) return error_json(503, "E5023", "the rules are not loaded yet", nullptr);
    return {200, "application/json", "{\"status\": \"ready\"}\n", {}};
  }
  // The page holds no data; the API calls it makes carry the token the person enters.
  if (path == "/") {
    if (auto e = only("GET")) return *e;
    return {200, "text/html; charset=utf-8", std::string(index_page()), {}};
  }
  if (!options_.token.empty()) {
    std::string_view auth = request.authorization;
    const bool bearer = auth.size() > 7 && lower(auth.substr(0, 7)) == "bearer ";
    if (!bearer || !constant_time_equal(trim(auth.substr(7)), options_.token)) {
      auto r = error_json(401, "E5007",
                          bearer ? "the bearer token is not the one the server expects"
                                 : "this endpoint needs 'Authorization: Bearer <token>'",
                          {{"in", "header"}, {"name", "Authorization"}});
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"fundcheck\"");
      return r;
    }
  }
  if (path == "/v1/check") {
    if (auto e = only("POST")) return *e;
    return check(request, query);
  }
  if (path == "/v1/rulesets") {
    if (auto e = only("GET")) return *e;
    return list_rulesets();
  }
  if (path == "/metrics") {
    if (auto e = only("GET")) return *e;
    return metrics_text();
  }
  if (path.starts_with("/v1/decisions/")) {
    if (auto e = only("GET")) return *e;
    return decision(path.substr(std::string_view("/v1/decisions/").size()));
  }
  return error_json(404, "E5001", fmt::format("no such endpoint: {}", path.size() > 200 ? path.substr(0, 200) : path),
                    {{"in", "path"}});
}

http_response service::list_rulesets() const {
  const auto snap = rules_.load();
  json sets = json::array();
  for (const auto& s : snap->sets) {
    const auto& p = *s.program;
    json files = json::array();
    for (const auto& f : p.sources) files.push_back(f->path());
    json rules = json::array();
    for (const auto& r : p.rules)
      rules.push_back({{"id", r.id},
                       {"severity", dsl::to_string(static_cast<dsl::level>(r.severity))},
                       {"title", r.title}});
    json params = json::array();
    for (const auto& prm : p.params) params.push_back(prm.name);
    sets.push_back({{"name", s.name},
                    {"format", p.schema_def->format},
                    {"sha256", p.hash},
                    {"files", files},
                    {"params", params},
                    {"rules", rules}});
  }
  json body = {{"rulesets", sets}, {"generation", snap->generation}, {"loaded_at", snap->loaded_at}};
  return {200, "application/json", body.dump(2) + "\n", {}};
}

http_response service::check(const http_request& request, std::string_view query) {
  // --- the query: ruleset, format, param.NAME
  std::string ruleset_arg, format = "json";
  bool have_ruleset = false;
  std::vector<std::pair<std::string, std::string>> overrides;
  std::vector<std::string> override_keys;  // as written, for error locations
  std::string key, value;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    const auto eq = part.find('=');
    if (!url_decode(part.substr(0, eq), key) ||
        !url_decode(eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1), value))
      return error_json(400, "E5009", "a query parameter has a bad percent-escape", query_location(part));
    if (key == "ruleset") {
      ruleset_arg = value;
      have_ruleset = true;
    } else if (key == "format") {
      if (value != "json" && value != "html")
        return error_json(400, "E5009", fmt::format("format must be json or html, got '{}'", value),
                          query_location("format"));
      format = value;
    } else if (key.starts_with("param.") && key.size() > 6) {
      overrides.emplace_back(key.substr(6), value);
      override_keys.push_back(key);
    } else {
      return error_json(400, "E5009",
                        fmt::format("unknown query parameter '{}' (known: ruleset, format, param.NAME)", key),
                        query_location(key));
    }
  }

  // --- the body's type
  const std::string media = lower(trim(std::string_view(request.content_type).substr(0, request.content_type.find(';'))));
  bool csv = false;
  if (media == "text/csv") csv = true;
  else if (media != "application/json")
    return error_json(415, "E5005",
                      media.empty() ? "the request has no Content-Type; send application/json or text/csv"
                                    : fmt::format("cannot check a body of type '{}'; send application/json or text/csv", media),
                      {{"in", "header"}, {"name", "Content-Type"}});
  if (request.body.size() > options_.max_body)
    return error_json(413, "E5006", fmt::format("the body has {} bytes, more than the limit of {}", request.body.size(),
                                                options_.max_body), {{"in", "body"}});

  const auto snap = rules_.load();  // this request's rules, whatever reloads happen meanwhile
  const named_ruleset* chosen = nullptr;
  if (have_ruleset) {
    chosen = snap->find(ruleset_arg);
    if (!chosen) {
      std::string names;
      for (const auto& s : snap->sets) names += (names.empty() ? "" : ", ") + s.name;
      return error_json(404, "E5003", fmt::format("no rule set named '{}' (the server has: {})", ruleset_arg, names),
                        query_location("ruleset"));
    }
  }

  // --- the proposal
  engine::load_limits limits;
  limits.max_bytes = options_.max_body;
  limits.max_depth = options_.max_depth;
  limits.max_records = options_.max_records;
  const std::string file = csv ? "request.csv" : "request.json";
  auto source = std::make_shared<const dsl::source_file>(file, request.body);
  auto loaded = csv ? engine::load_proposal_csv(source, nullptr, limits) : engine::load_proposal_json(source, limits);
  if (!loaded.ok()) {
    const dsl::diagnostic* first = nullptr;
    for (const auto& d : loaded.diagnostics)
      if (d.severity == dsl::level::error) {
        first = &d;
        break;
      }
    const std::string code = first ? first->code : "E3001";
    // Not JSON (or CSV) at all, or too deep: 400; too large: 413; well-formed but not a valid
    // proposal: 422.
    const unsigned status = code == "E3003" || code == "E3005" ? 413
                            : code == "E3001" || code == "E3004" || code.starts_with("E320") ? 400
                                                                                            : 422;
    return error_json(status, code,
                      first ? fmt::format("the proposal cannot be read: {}", first->message) : "the proposal cannot be read",
                      first ? body_location(*first) : json{{"in", "body"}}, &loaded.diagnostics);
  }
  const std::string_view doc_format = loaded.value->schema_def().format;
  if (!chosen) {
    chosen = snap->find(doc_format);
    if (!chosen)
      return error_json(422, "E3102",
                        fmt::format("no rules check proposals of format \"{}\" (the server has rules for: {})", doc_format,
                                    snap->rules->formats()),
                        {{"in", "body"}, {"pointer", "/format"}});
  } else if (chosen->program->schema_def->format != doc_format) {
    return error_json(422, "E5004",
                      fmt::format("the rule set '{}' checks proposals of format \"{}\", this one is \"{}\"", chosen->name,
                                  chosen->program->schema_def->format, doc_format),
                      {{"in", "body"}, {"pointer", "/format"}});
  }
  const engine::program& prog = *chosen->program;

  std::vector<dsl::diagnostic> param_diags;
  const auto params = engine::bind_params(prog, overrides, param_diags);
  if (dsl::has_errors(param_diags)) {
    // Name the query parameter the first diagnostic is about.
    std::string where = override_keys.empty() ? std::string() : override_keys.front();
    for (std::size_t i = 0; i < overrides.size(); ++i)
      if (param_diags.front().message.find("'" + overrides[i].first + "'") != std::string::npos) {
        where = override_keys[i];
        break;
      }
    return error_json(400, param_diags.front().code, param_diags.front().message, query_location(where), &param_diags);
  }

  // --- the check, as the CLI does it
  engine::evaluate_options eo;
  eo.max_steps = options_.max_steps;
  // One thread per check: under load the workers already keep every core busy, and a check
  // that fanned out would only queue behind the others' rules.
  eo.threads = 1;
  engine::run_report report;
  report.version = options_.version;
  report.rules = snap->rules.get();
  report.params = overrides;
  engine::proposal_report pr;
  pr.file = file;
  pr.rules = &prog;
  pr.source = loaded.value->source();
  pr.sha256 = engine::sha256_hex(request.body);
  pr.diagnostics = std::move(loaded.diagnostics);  // warnings (W32xx) of a CSV table
  pr.result = engine::evaluate(prog, *loaded.value, params, eo);
  pr.findings = engine::describe(prog, *loaded.value, *pr.result, true);
  const std::string result = pr.failed(dsl::level::error) ? "failed" : "passed";
  for (const auto& f : pr.findings) metrics_->finding(chosen->name, f.rule, dsl::to_string(f.severity));
  metrics_->check(chosen->name, result);

  decision_record rec;
  rec.id = new_decision_id();
  rec.time = utc_now_rfc3339();
  rec.ruleset = chosen->name;
  rec.ruleset_sha256 = prog.hash;
  rec.proposal_sha256 = pr.sha256;
  rec.proposal_type = csv ? "csv" : "json";
  json params_json = json::object();
  for (const auto& [k, v] : overrides) params_json[k] = v;
  rec.params_json = params_json.dump();
  rec.result = result;
  rec.errors = pr.result->errors();
  rec.warnings = pr.result->warnings();
  rec.notes = pr.result->notes();
  rec.checks = pr.result->checks;

  json decision = {{"id", rec.id},
                   {"time", rec.time},
                   {"ruleset", rec.ruleset},
                   {"ruleset_sha256", rec.ruleset_sha256},
                   {"recorded", log_ != nullptr}};

  http_response r;
  r.headers.emplace_back("Fundcheck-Decision", rec.id);
  if (format == "html") {
    pr.model = std::move(loaded.value);
    report.proposals.push_back(std::move(pr));
    // The findings for the log come from the same report the JSON answer would carry.
    const json doc = engine::report_json(report);
    rec.findings_json = doc["proposals"][0]["findings"].dump();
    if (log_) log_->record(rec);  // before the answer: nothing answered is lost
    std::ostringstream page;
    engine::render_html(page, report);
    r.content_type = "text/html; charset=utf-8";
    r.body = page.str();
    return r;
  }
  report.proposals.push_back(std::move(pr));
  // The report as a value: the decision is added to it without printing and parsing it again.
  json doc = engine::report_json(report);
  rec.findings_json = doc["proposals"][0]["findings"].dump();
  if (log_) log_->record(rec);  // before the answer: nothing answered is lost
  doc["decision"] = std::move(decision);
  r.body = doc.dump(2) + "\n";
  return r;
}

void tune_allocator_for_serving() {
#if defined(__GLIBC__)
  // Fixed thresholds also switch off glibc's dynamic mmap threshold, so the large buffers of a
  // check (the body, the proposal's tables) come from the heap rather than a fresh mmap each time.
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

recheck_result recheck(const engine::rule_set& rules, const engine::program& prog, const std::string& body, bool csv,
                       const std::vector<std::pair<std::string, std::string>>& overrides,
                       const service_options& options) {
  recheck_result out;
  engine::load_limits limits;
  limits.max_bytes = options.max_body;
  limits.max_depth = options.max_depth;
  limits.max_records = options.max_records;
  const std::string file = csv ? "request.csv" : "request.json";
  auto source = std::make_shared<const dsl::source_file>(file, body);
  auto loaded = csv ? engine::load_proposal_csv(source, nullptr, limits) : engine::load_proposal_json(source, limits);
  if (!loaded.ok()) {
    out.diagnostics = std::move(loaded.diagnostics);
    return out;
  }
  const auto params = engine::bind_params(prog, overrides, out.diagnostics);
  if (dsl::has_errors(out.diagnostics)) return out;
  engine::evaluate_options eo;
  eo.max_steps = options.max_steps;
  engine::run_report report;
  report.version = options.version;
  report.rules = &rules;
  report.params = overrides;
  engine::proposal_report pr;
  pr.file = file;
  pr.rules = &prog;
  pr.source = loaded.value->source();
  pr.sha256 = engine::sha256_hex(body);
  pr.diagnostics = std::move(loaded.diagnostics);
  pr.result = engine::evaluate(prog, *loaded.value, params, eo);
  pr.findings = engine::describe(prog, *loaded.value, *pr.result, true);
  out.checked = true;
  out.result = pr.failed(dsl::level::error) ? "failed" : "passed";
  out.errors = pr.result->errors();
  out.warnings = pr.result->warnings();
  out.notes = pr.result->notes();
  out.checks = pr.result->checks;
  report.proposals.push_back(std::move(pr));
  out.findings_json = engine::report_json(report)["proposals"][0]["findings"].dump();
  return out;
}

http_response service::decision(std::string_view id) {
  if (!valid_decision_id(id))
    return error_json(400, "E5011", "a decision id is 32 lowercase hexadecimal digits",
                      {{"in", "path"}, {"name", "id"}});
  if (!log_) return error_json(404, "E5013", "this server records no decisions (--no-decisions)", {{"in", "path"}});
  const auto rec = log_->find(id);
  if (!rec) return error_json(404, "E5012", fmt::format("no decision {}", id), {{"in", "path"}, {"name", "id"}});
  json body = {{"id", rec->id},
               {"time", rec->time},
               {"ruleset", rec->ruleset},
               {"ruleset_sha256", rec->ruleset_sha256},
               {"proposal_sha256", rec->proposal_sha256},
               {"proposal_type", rec->proposal_type},
               {"params", json::parse(rec->params_json, nullptr, false)},
               {"result", rec->result},
               {"summary",
                {{"errors", rec->errors}, {"warnings", rec->warnings}, {"notes", rec->notes}, {"checks", rec->checks}}},
               {"findings", json::parse(rec->findings_json, nullptr, false)}};
  return {200, "application/json", body.dump(2) + "\n", {}};
}

http_response service::metrics_text() const {
  const auto snap = rules_.load();
  return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_->render(snap ? snap->generation : 0), {}};
}

}  // namespace fundcheck::app
