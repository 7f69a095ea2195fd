// check_bench RULES PROPOSAL [RUNS [THREADS]]: times the phases of `fundcheck check` separately
// (read the file, parse + load the JSON, compile the rules, evaluate) and reports the best and
// median of RUNS runs, plus two evaluation rates: expectations evaluated per second (a rule's
// `expect` for one binding of its loops), and items x rules per second (every item of the
// proposal checked against every rule). Evaluation uses THREADS threads (default 1).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fundcheck/engine/compile.hpp"
#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/proposal.hpp"

using namespace fundcheck;
using clock_type = std::chrono::steady_clock;

namespace {

double ms_since(clock_type::time_point start) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
}

struct series {
  std::vector<double> values;
  double best() const { return *std::min_element(values.begin(), values.end()); }
  double median() const {
    auto v = values;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: check_bench RULES PROPOSAL [RUNS [THREADS]]\n");
    return 2;
  }
  const std::filesystem::path rules = argv[1];
  const std::string file = argv[2];
  const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 5;
  engine::evaluate_options options;
  options.threads = argc > 4 ? static_cast<unsigned>(std::max(1, std::atoi(argv[4]))) : 1u;
  std::size_t rule_count = 0;

  series read_s, load_s, compile_s, eval_s, total_s;
  std::uint64_t checks = 0, items = 0;
  std::size_t bytes = 0, findings = 0;
  for (int run = 0; run < runs; ++run) {
    const auto t0 = clock_type::now();
    auto compiled = engine::compile_files({rules}, engine::allocation_schema());
    if (!compiled.ok()) {
      std::fprintf(stderr, "rules do not compile\n");
      return 2;
    }
    compile_s.values.push_back(ms_since(t0));

    const auto t1 = clock_type::now();
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    auto source = std::make_shared<const dsl::source_file>(file, text.str());
    bytes = source->text().size();
    read_s.values.push_back(ms_since(t1));

    const auto t2 = clock_type::now();
    auto loaded = engine::load_proposal_json(source);
    if (!loaded.ok()) {
      std::fprintf(stderr, "proposal does not load\n");
      return 2;
    }
    load_s.values.push_back(ms_since(t2));
    items = loaded.value->table_of(loaded.value->schema_def().record_index("item")).size();

    std::vector<dsl::diagnostic> diags;
    const auto params = engine::bind_params(*compiled.value, {}, diags);
    const auto t3 = clock_type::now();
    const auto result = engine::evaluate(*compiled.value, *loaded.value, params, options);
    rule_count = compiled.value->rules.size();
    eval_s.values.push_back(ms_since(t3));
    total_s.values.push_back(ms_since(t0));
    checks = result.checks;
    findings = result.findings.size();
  }
  std::printf("proposal   %s: %.1f MB, %llu items, %zu findings, %llu checks\n", file.c_str(), bytes / 1e6,
              static_cast<unsigned long long>(items), findings, static_cast<unsigned long long>(checks));
  std::printf("%-10s %10s %10s\n", "phase", "best ms", "median ms");
  std::printf("%-10s %10.2f %10.2f\n", "compile", compile_s.best(), compile_s.median());
  std::printf("%-10s %10.2f %10.2f\n", "read", read_s.best(), read_s.median());
  std::printf("%-10s %10.2f %10.2f   (%.0f MB/s)\n", "load", load_s.best(), load_s.median(),
              bytes / 1e3 / load_s.best());
  std::printf("%-10s %10.2f %10.2f   (%.1f M expectations/s, %.1f M items x rules/s, %u thread%s)\n", "evaluate",
              eval_s.best(), eval_s.median(), checks / 1e3 / eval_s.best(),
              static_cast<double>(items) * static_cast<double>(rule_count) / 1e3 / eval_s.best(), options.threads,
              options.threads == 1 ? "" : "s");
  std::printf("%-10s %10.2f %10.2f\n", "total", total_s.best(), total_s.median());
  return 0;
}
