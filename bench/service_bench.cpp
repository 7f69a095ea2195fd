// service_bench RULES PROPOSAL [RUNS] [DECISIONS.db]
// Answers POST /v1/check RUNS times (default 2000) in process, without sockets, and prints the
// CPU time per check: the server's own cost of a check, repeatable on a machine shared with
// others (bench/serve_bench.sh measures the whole service under wrk). With DECISIONS.db every
// check is recorded there, as `fundcheck serve --decisions` does; without it, as --no-decisions.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "decision_log.hpp"
#include "service.hpp"

namespace {

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: service_bench RULES PROPOSAL [RUNS] [DECISIONS.db]\n");
    return 2;
  }
  fundcheck::app::tune_allocator_for_serving();  // as fundcheck serve does
  const int runs = argc > 3 ? std::atoi(argv[3]) : 2000;
  std::unique_ptr<fundcheck::app::decision_log> log;
  if (argc > 4) log = std::make_unique<fundcheck::app::decision_log>(argv[4]);
  fundcheck::app::service_options o;
  o.roots = {argv[1]};
  o.version = "bench";
  fundcheck::app::service svc(o, log.get());
  if (!svc.reload().ok) {
    std::fprintf(stderr, "service_bench: the rules do not compile\n");
    return 2;
  }
  std::ifstream in(argv[2], std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  fundcheck::app::http_request req{"POST", "/v1/check", "application/json", "", body.str()};
  const auto warm = svc.handle(req);
  if (warm.status != 200) {
    std::fprintf(stderr, "service_bench: status %u\n%s", warm.status, warm.body.c_str());
    return 1;
  }
  const double t0 = cpu_seconds();
  std::size_t bytes = 0;
  for (int i = 0; i < runs; ++i) bytes += svc.handle(req).body.size();
  const double t = cpu_seconds() - t0;
  std::printf("%d checks, %.1f us CPU per check (%.0f checks per CPU second), answer %zu bytes, decisions %s\n",
              runs, t / runs * 1e6, runs / t, bytes / static_cast<std::size_t>(runs), log ? "recorded" : "off");
  return 0;
}
