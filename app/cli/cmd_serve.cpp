// fundcheck serve: the validation service (docs/server.md). Parses the options, loads the rules,
// opens the decision log, and runs the HTTP server (app/server).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "decision_log.hpp"
#include "event_log.hpp"
#include "server.hpp"
#include "service.hpp"

#include "commands.hpp"
#include "common.hpp"

namespace fundcheck::app {
namespace {

const std::vector<option_spec> serve_options = {
    {"rules", 'r', true, true, "DIR|FILE", "rule files to serve (repeatable; default: ./rules); one rule set per proposal format"},
    {"listen", 'l', true, false, "HOST:PORT", "address to listen on (default: 127.0.0.1:8080; port 0: any free port)"},
    {"threads", 't', true, false, "N", "worker threads (default: the number of cores)"},
    {"decisions", 'd', true, false, "FILE", "SQLite decision log recording every check (required unless --no-decisions)"},
    {"no-decisions", 0, false, false, "", "record nothing (checks are answered, /v1/decisions answers 404)"},
    {"durability", 0, true, false, "normal|full", "normal: a decision survives the process being killed; full: also a power loss (fsync per check)"},
    {"watch", 'w', false, false, "", "reload the rules when a rule file changes (SIGHUP always reloads)"},
    {"log-format", 0, true, false, "text|json", "format of the access log and events on standard error (default: text)"},
    {"no-access-log", 0, false, false, "", "log events only, not every request"},
    {"port-file", 0, true, false, "FILE", "write the bound port to FILE once listening (for port 0)"},
    {"token-file", 0, true, false, "FILE", "require 'Authorization: Bearer <token>' (the file's first line) on all but /, /healthz, /readyz"},
    {"max-body", 0, true, false, "BYTES", "largest request body (default: 10485760; larger: 413)"},
    {"max-depth", 0, true, false, "N", "deepest JSON nesting of a proposal (default: 64, at most 1024)"},
    {"max-records", 0, true, false, "N", "most records (JSON) or rows (CSV) in a proposal (default: 1000000)"},
    {"max-connections", 0, true, false, "N", "open connections at most; more are answered 503 (default: 512)"},
    {"header-timeout", 0, true, false, "SECONDS", "time to send a request's headers, idle keep-alive included (default: 10)"},
    {"body-timeout", 0, true, false, "SECONDS", "time to send a request's body (default: 30)"},
    {"max-steps", 0, true, false, "N", "evaluation budget per check, in expression steps (default: 2e8)"},
    max_rule_bytes_option,
    max_rule_depth_option,
    {"help", 'h', false, false, "", "show this help"},
};

bool parse_count(const parsed_args& args, std::string_view name, std::uint64_t& out, std::string& error,
                 std::uint64_t min = 1) {
  const auto v = args.last(name);
  if (!v) return true;
  char* end = nullptr;
  errno = 0;
  const unsigned long long n = std::strtoull(v->c_str(), &end, 10);
  if (v->empty() || *end != '\0' || errno != 0 || n < min || (*v)[0] == '-') {
    error = fmt::format("--{} needs a whole number of at least {}, got '{}'", name, min, *v);
    return false;
  }
  out = n;
  return true;
}

// Every rule file below the roots, with its time and size: a change in any is a reason to reload.
std::string rules_signature(const std::vector<std::filesystem::path>& roots,
                            const std::shared_ptr<const rules_snapshot>& snap) {
  std::map<std::string, std::string> files;
  std::error_code ec;
  const auto add = [&](const std::filesystem::path& p) {
    const auto t = std::filesystem::last_write_time(p, ec);
    const auto size = ec ? 0 : std::filesystem::file_size(p, ec);
    files[p.string()] = ec ? "?" : fmt::format("{}:{}", t.time_since_epoch().count(), size);
  };
  for (const auto& root : roots) {
    if (std::filesystem::is_directory(root, ec)) {
      for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->path().extension() == ".rules") add(it->path());
    } else {
      add(root);
    }
  }
  if (snap)  // imported files outside the roots
    for (const auto& s : snap->sets)
      for (const auto& src : s.program->sources) add(src->path());
  std::string sig;
  for (const auto& [k, v] : files) sig += k + "=" + v + "\n";
  return sig;
}

void log_reload(event_log& log, const reload_outcome& r, std::string_view why) {
  if (r.ok) {
    nlohmann::json sets = nlohmann::json::object();
    for (const auto& s : r.snapshot->sets) sets[s.name] = s.program->hash;
    log.write(log_level::info, "rules", fmt::format("{}: loaded generation {}", why, r.snapshot->generation),
              {{"generation", r.snapshot->generation}, {"rulesets", sets}});
  } else {
    nlohmann::json diags = nlohmann::json::array();
    for (const auto& d : r.diagnostics) {
      nlohmann::json dj;
      to_json(dj, d);
      diags.push_back(dj);
    }
    log.write(log_level::error, "rules",
              fmt::format("{}: the rules were not reloaded, generation {} keeps serving:\n{}", why,
                          r.snapshot ? r.snapshot->generation : 0, dsl::render_text(r.diagnostics)),
              {{"diagnostics", diags}});
  }
}

}  // namespace

int run_serve(const std::vector<std::string>& argv) {
  std::string error;
  auto args = parse_args(argv, serve_options, error);
  if (!args) return usage_error("serve", error);
  if (args->has("help")) {
    std::cout << "Usage: fundcheck serve [OPTIONS]\n\n"
                 "Serves the rules over HTTP (docs/server.md, docs/openapi.yaml): POST /v1/check checks a\n"
                 "proposal and answers the JSON report of 'fundcheck check --format json' with a decision id;\n"
                 "GET /v1/rulesets, /v1/decisions/ID, /healthz, /readyz, /metrics; a page for people at /.\n"
                 "SIGHUP (or --watch) reloads the rules; a broken rule file is rejected and the old rules keep\n"
                 "serving. SIGTERM finishes the requests in flight and stops. The limits: docs/limits.md.\n\nOptions:\n"
              << options_help(serve_options);
    return 0;
  }
  if (!args->positional.empty())
    return usage_error("serve", fmt::format("unexpected argument '{}'", args->positional.front()));

  service_options so;
  so.version = FUNDCHECK_VERSION;
  so.roots = rule_roots(*args, error);
  if (!error.empty()) return usage_error("serve", error);
  server_options srv;
  std::uint64_t n = 0;
  if (auto listen = args->last("listen")) {
    const auto colon = listen->rfind(':');
    if (colon == std::string::npos) return usage_error("serve", fmt::format("--listen needs HOST:PORT, got '{}'", *listen));
    std::string host = listen->substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string port = listen->substr(colon + 1);
    char* end = nullptr;
    const unsigned long p = std::strtoul(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || p > 65535)
      return usage_error("serve", fmt::format("--listen: '{}' is not a port number", port));
    srv.address = host.empty() ? "127.0.0.1" : host;
    srv.port = static_cast<std::uint16_t>(p);
  }
  n = std::max(1u, std::thread::hardware_concurrency());
  if (!parse_count(*args, "threads", n, error)) return usage_error("serve", error);
  srv.threads = static_cast<unsigned>(std::min<std::uint64_t>(n, 256));
  n = so.max_body;
  if (!parse_count(*args, "max-body", n, error)) return usage_error("serve", error);
  so.max_body = n;
  n = so.max_depth;
  if (!parse_count_option(*args, "max-depth", n, error, 1, nesting_ceiling)) return usage_error("serve", error);
  so.max_depth = n;
  n = so.max_records;
  if (!parse_count(*args, "max-records", n, error)) return usage_error("serve", error);
  so.max_records = n;
  n = so.max_steps;
  if (!parse_count(*args, "max-steps", n, error)) return usage_error("serve", error);
  so.max_steps = n;
  if (!parse_rule_limits(*args, so.rule_limits, error)) return usage_error("serve", error);
  n = srv.max_connections;
  if (!parse_count(*args, "max-connections", n, error)) return usage_error("serve", error);
  srv.max_connections = n;
  n = 10;
  if (!parse_count(*args, "header-timeout", n, error)) return usage_error("serve", error);
  srv.header_timeout = std::chrono::seconds(n);
  n = 30;
  if (!parse_count(*args, "body-timeout", n, error)) return usage_error("serve", error);
  srv.body_timeout = std::chrono::seconds(n);
  srv.access_log = !args->has("no-access-log");
  const std::string log_format = args->last("log-format").value_or("text");
  if (log_format != "text" && log_format != "json")
    return usage_error("serve", fmt::format("--log-format must be text or json, got '{}'", log_format));
  const std::string durability_text = args->last("durability").value_or("normal");
  if (durability_text != "normal" && durability_text != "full")
    return usage_error("serve", fmt::format("--durability must be normal or full, got '{}'", durability_text));
  if (args->has("decisions") == args->has("no-decisions"))
    return usage_error("serve", "give --decisions FILE to record every check, or --no-decisions");
  if (auto token_file = args->last("token-file")) {
    std::ifstream in(*token_file);
    if (!in) return usage_error("serve", fmt::format("cannot read the token file '{}'", *token_file));
    std::getline(in, so.token);
    while (!so.token.empty() && (so.token.back() == '\r' || so.token.back() == ' ')) so.token.pop_back();
    if (so.token.empty()) return usage_error("serve", fmt::format("the token file '{}' is empty", *token_file));
  }

  event_log log(log_format == "json");
  std::unique_ptr<decision_log> decisions;
  if (auto file = args->last("decisions")) {
    try {
      decisions = std::make_unique<decision_log>(*file, durability_text == "full" ? durability::full : durability::normal);
    } catch (const decision_log_error& e) {
      log.write(log_level::error, "decisions", e.what());
      return 2;
    }
  }

  service svc(so, decisions.get());
  const auto first = svc.reload();
  if (!first.ok) {
    std::cerr << dsl::render_text(first.diagnostics);
    log.write(log_level::error, "rules", fmt::format("the rules in {} could not be loaded", describe_roots(so.roots)));
    return 2;
  }
  log_reload(log, first, "start");

  // --watch: a look at the rule files' times and sizes twice a second.
  std::mutex watch_mutex;
  std::condition_variable watch_cv;
  bool watch_stop = false;
  std::thread watcher;
  if (args->has("watch")) {
    // The first look is taken here, before the server listens, not when the thread gets to run:
    // a change made right after start (a client that saw the port) must count as a change.
    watcher = std::thread([&, seen = rules_signature(so.roots, svc.rules())]() mutable {
      std::unique_lock lock(watch_mutex);
      while (!watch_cv.wait_for(lock, std::chrono::milliseconds(500), [&] { return watch_stop; })) {
        const auto now = rules_signature(so.roots, svc.rules());
        if (now == seen) continue;
        seen = now;
        log_reload(log, svc.reload(), "a rule file changed");
        seen = rules_signature(so.roots, svc.rules());
      }
    });
  }

  server_hooks hooks;
  hooks.listening = [&](const std::string& address, std::uint16_t port) {
    if (auto port_file = args->last("port-file")) {
      const std::string tmp = *port_file + ".tmp";
      std::ofstream(tmp) << port << '\n';
      std::filesystem::rename(tmp, *port_file);  // readers never see a half-written file
    }
    std::cout << fmt::format("fundcheck serve: listening on http://{}:{}/", address.find(':') != std::string::npos ? "[" + address + "]" : address, port) << std::endl;
    log.write(log_level::info, "listen", fmt::format("listening on {}:{}", address, port),
              {{"address", address}, {"port", port}, {"threads", srv.threads}});
  };
  hooks.reload = [&] { log_reload(log, svc.reload(), "SIGHUP"); };
  const int rc = run_server(svc, srv, log, hooks);
  if (watcher.joinable()) {
    {
      std::lock_guard lock(watch_mutex);
      watch_stop = true;
    }
    watch_cv.notify_all();
    watcher.join();
  }
  log.flush();
  return rc;
}

}  // namespace fundcheck::app
