#pragma once
// The routes of `fundcheck serve` as pure functions of a request: service::handle takes the
// method, target, headers and body, and returns status, headers and body. No sockets and no
// Beast here, so every route is unit-tested directly (tests/unit/server). The rule sets are an
// immutable snapshot swapped atomically by reload(); a request holds the snapshot it started
// with until it is answered, so no request ever sees half a rule set.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/dsl/parse.hpp"
#include "fundcheck/engine/proposal.hpp"
#include "fundcheck/engine/rule_set.hpp"

#include "decision_log.hpp"

namespace fundcheck::app {

struct http_request {
  std::string method;         // "GET", "POST", …
  std::string target;         // path and query, as sent: "/v1/check?ruleset=allocation"
  std::string content_type;   // Content-Type header, may be empty
  std::string authorization;  // Authorization header, may be empty
  std::string body;
};

struct http_response {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, …)
};

// The JSON error body every 4xx/5xx carries:
// {"error": {"code", "status", "message", "location": {"in": "query"|"body"|"path"|"header", …}}}.
// `location` is a JSON object text (or empty for none).
http_response error_response(unsigned status, std::string_view code, std::string_view message,
                             std::string_view location_json = {});

// A compiled rule set under a name: the proposal format it checks, without the "fundcheck/"
// prefix and the "@version" suffix ("allocation", "budget-form").
struct named_ruleset {
  std::string name;
  std::shared_ptr<const engine::program> program;
};

struct rules_snapshot {
  std::shared_ptr<const engine::rule_set> rules;
  std::vector<named_ruleset> sets;
  std::uint64_t generation = 0;  // 1 for the rules loaded at start, +1 per successful reload
  std::string loaded_at;         // RFC 3339
  // By name, or by full format ("fundcheck/allocation@1"); null when there is none.
  const named_ruleset* find(std::string_view name) const noexcept;
};

// "fundcheck/allocation@1" -> "allocation".
std::string ruleset_name(std::string_view format);

struct service_options {
  std::vector<std::filesystem::path> roots;  // --rules
  std::string version;
  std::string token;                         // bearer token; empty: no authentication
  std::size_t max_body = 10u << 20;          // bytes (the session enforces it; 413)
  std::size_t max_depth = 64;                // JSON nesting of a proposal
  std::size_t max_records = 1'000'000;       // records of a proposal (JSON or CSV rows)
  std::uint64_t max_steps = 200'000'000;     // evaluation budget per check
  dsl::parse_limits rule_limits;             // --max-rule-bytes, --max-rule-depth
};

struct reload_outcome {
  bool ok = false;
  std::vector<dsl::diagnostic> diagnostics;  // why not (or warnings), with rule-file locations
  std::shared_ptr<const rules_snapshot> snapshot;  // the rules now serving
};

class service_metrics;

class service {
 public:
  // `log` may be null (--no-decisions): checks are answered but not recorded. The rules are not
  // loaded yet: call reload() before serving.
  service(service_options options, decision_log* log);
  ~service();

  // Recompiles the rule files. On success the new rules replace the old ones in one atomic
  // store; on failure the old rules keep serving and the diagnostics say why. Thread-safe;
  // concurrent reloads are serialised.
  reload_outcome reload();
  std::shared_ptr<const rules_snapshot> rules() const;

  // Answers a request. Never throws: bad input is a 4xx with a JSON error body; a failure of
  // the decision log is a 503. Thread-safe.
  http_response handle(const http_request& request);

  // For the transport: a response it produced itself (413, 408, 431 …), counted like the others.
  void count(std::string_view method, std::string_view target, unsigned status, std::chrono::nanoseconds took);
  void connection_opened();
  void connection_closed();
  void connection_refused();
  void set_draining();  // shutting down: /readyz answers 503
  const service_options& options() const noexcept { return options_; }

 private:
  http_response dispatch(const http_request& request);
  http_response check(const http_request& request, std::string_view query);
  http_response list_rulesets() const;
  http_response decision(std::string_view id);
  http_response metrics_text() const;

  service_options options_;
  decision_log* log_;
  std::atomic<std::shared_ptr<const rules_snapshot>> rules_;
  std::atomic<bool> draining_{false};
  std::unique_ptr<service_metrics> metrics_;
};

// A check made again the way POST /v1/check makes it (same file name, limits and report), for
// `fundcheck decisions verify`. `checked` is false when the proposal cannot be read (diagnostics
// say why).
struct recheck_result {
  bool checked = false;
  std::vector<dsl::diagnostic> diagnostics;
  std::string result;  // "passed" or "failed"
  std::uint64_t errors = 0, warnings = 0, notes = 0, checks = 0;
  std::string findings_json;  // as recorded in the decision log
};
recheck_result recheck(const engine::rule_set& rules, const engine::program& program, const std::string& body,
                       bool csv, const std::vector<std::pair<std::string, std::string>>& overrides,
                       const service_options& options);

// Keeps freed memory in the process between checks (glibc malloc): by default glibc gives the
// top of the heap back after each check and every next check page-faults it in again, about a
// tenth of a check's CPU time. Call once before serving; process-wide.
void tune_allocator_for_serving();

// The HTML page served at GET / (page.cpp).
std::string_view index_page();

}  // namespace fundcheck::app
