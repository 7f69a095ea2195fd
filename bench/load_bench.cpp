// load_bench FILE [RUNS]
// Loads a proposal RUNS times (default 10) and prints min/median times and throughput for:
//   read    reading the file into memory and building the source (line table)
//   load    load_proposal_json on the in-memory source (parse, validate, build the tables)
//   file    load_proposal_file (both of the above)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/engine/proposal.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

// Wall time, and the CPU time of this thread (user + system, page faults included): on a shared
// machine the second is the steadier figure.
struct stopwatch {
  clock_type::time_point wall = clock_type::now();
  double cpu = cpu_ms();
  static double cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
  }
  void stop(std::vector<double>& walls, std::vector<double>& cpus) const {
    walls.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - wall).count());
    cpus.push_back(cpu_ms() - cpu);
  }
};

void report(const char* what, std::vector<double> walls, std::vector<double> cpus, double megabytes) {
  std::sort(walls.begin(), walls.end());
  std::sort(cpus.begin(), cpus.end());
  const double min = walls.front();
  std::printf("%-5s wall min %8.2f ms  median %8.2f ms  %7.1f MB/s (at min) | cpu min %8.2f ms  median %8.2f ms\n", what,
              min, walls[walls.size() / 2], megabytes / (min / 1000.0), cpus.front(), cpus[cpus.size() / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: load_bench FILE [RUNS]\n");
    return 2;
  }
  const std::string path = argv[1];
  const int runs = argc == 3 ? std::max(1, std::atoi(argv[2])) : 10;
  using namespace fundcheck;

  std::vector<double> read_times, load_times, file_times, read_cpu, load_cpu, file_cpu;
  double megabytes = 0;
  std::size_t rows = 0;
  for (int i = 0; i < runs; ++i) {
    stopwatch t0;
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    const auto size = static_cast<std::size_t>(in.tellg());
    in.seekg(0);
    std::string text;
    text.reserve(size + 64);  // simdjson's padding: the loader then parses in place
    text.resize(size);
    in.read(text.data(), static_cast<std::streamsize>(size));
    auto source = std::make_shared<const dsl::source_file>(path, std::move(text));
    t0.stop(read_times, read_cpu);
    megabytes = static_cast<double>(source->text().size()) / 1e6;

    t0 = stopwatch{};
    engine::load_result loaded = engine::load_proposal_json(source);
    t0.stop(load_times, load_cpu);
    if (!loaded.ok()) {
      std::fputs(dsl::render_text(loaded.diagnostics).c_str(), stderr);
      return 1;
    }
    rows = 0;
    for (const engine::table& t : loaded.value->tables()) rows += t.size();
    loaded = {};

    t0 = stopwatch{};
    loaded = engine::load_proposal_file(path);
    t0.stop(file_times, file_cpu);
    if (!loaded.ok()) return 1;
  }
  std::printf("%s: %.1f MB, %zu records, %d runs\n", path.c_str(), megabytes, rows, runs);
  report("read", read_times, read_cpu, megabytes);
  report("load", load_times, load_cpu, megabytes);
  report("file", file_times, file_cpu, megabytes);
  return 0;
}
