// Checking many proposals on worker threads (batch.hpp).

#include "fundcheck/engine/batch.hpp"

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "fundcheck/engine/proposal.hpp"
#include "fundcheck/engine/sha256.hpp"

namespace fundcheck::engine {

proposal_report check_proposal_file(const std::string& file, const rule_set& rules, const bound_params& params,
                                    const check_options& options) {
  proposal_report pr;
  pr.file = file;
  auto loaded = load_proposal_file(file, options.load);
  if (loaded.value) pr.source = loaded.value->source();
  else if (!loaded.diagnostics.empty() && loaded.diagnostics.front().source)
    pr.source = loaded.diagnostics.front().source;
  if (pr.source) pr.sha256 = sha256_hex(pr.source->text());
  pr.diagnostics = std::move(loaded.diagnostics);
  if (loaded.ok()) {
    const std::string_view doc_format = loaded.value->schema_def().format;
    pr.rules = rules.for_format(doc_format);
    if (!pr.rules) {
      dsl::diagnostic d;
      d.code = "E3102";
      d.message = fmt::format("no rules check proposals of format \"{}\" (the rules given are for: {})", doc_format,
                              rules.formats().empty() ? std::string("no format") : rules.formats());
      // Point at the proposal's "format" value.
      const auto& root = loaded.value->table_of(0);
      const int format_field = root.def().field_index("format");
      d.source = loaded.value->source();
      if (format_field >= 0) {
        const auto at = root.at(0, static_cast<std::uint32_t>(format_field)).offset;
        d.where = {at, at + static_cast<std::uint32_t>(doc_format.size() + 2)};
      }
      pr.diagnostics.push_back(std::move(d));
    } else {
      const auto found = params.find(pr.rules);
      const param_values defaults;
      const param_values& values = found != params.end() ? found->second : defaults;
      pr.result = evaluate(*pr.rules, *loaded.value, values, options.evaluate);
      pr.findings = describe(*pr.rules, *loaded.value, *pr.result, options.describe_notes);
    }
  }
  if (options.keep_model && loaded.value) pr.model = std::move(loaded.value);
  // Otherwise the model goes with `loaded`; the text stays only when a report quotes from it. Input
  // diagnostics hold their own reference to the text they point into.
  if (!options.keep_source || (pr.findings.empty() && pr.diagnostics.empty())) pr.source.reset();
  return pr;
}

std::vector<proposal_report> check_proposal_files(std::span<const std::string> files, const rule_set& rules,
                                                  const bound_params& params, const check_options& options) {
  std::vector<proposal_report> out(files.size());
  const std::size_t workers = std::min<std::size_t>(std::max(1u, options.jobs), files.size());
  if (workers <= 1) {
    // One worker: the other threads -j allows evaluate each proposal's rules side by side
    // (the result is the same for any number of threads).
    check_options one = options;
    one.evaluate.threads = std::max({1u, options.jobs, options.evaluate.threads});
    for (std::size_t i = 0; i < files.size(); ++i) out[i] = check_proposal_file(files[i], rules, params, one);
    return out;
  }
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    try {
      for (std::size_t i = next++; i < files.size() && !stop; i = next++)
        out[i] = check_proposal_file(files[i], rules, params, options);
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      stop = true;
    }
  };
  {
    std::vector<std::jthread> pool;
    pool.reserve(workers - 1);
    for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work);
    work();  // this thread is a worker too
  }  // joins
  if (failure) std::rethrow_exception(failure);
  return out;
}

unsigned available_cpus() noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return static_cast<unsigned>(n);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace fundcheck::engine
