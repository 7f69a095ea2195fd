#pragma once
// Checking many proposals: each file is loaded, evaluated with the program for its format and
// described in a worker thread, and only its report is kept (the proposal model is dropped), so
// memory grows with the findings, not with the proposals. Reports come back in the order of the
// files whatever the number of threads, so every report is the same for any -j.

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/report.hpp"
#include "fundcheck/engine/rule_set.hpp"

namespace fundcheck::engine {

struct check_options {
  evaluate_options evaluate;
  load_limits load;            // --max-proposal-bytes, --max-depth, --max-records
  bool describe_notes = true;  // describe notes too (the text report may leave them out)
  bool keep_source = true;     // keep each proposal's text in its report, to quote lines
  bool keep_model = false;     // keep each proposal's model in its report (the HTML page draws it);
                               // then memory grows with the proposals
  unsigned jobs = 1;           // worker threads (at most one per file)
};

// Bound parameter values per program of the rule set (bind_params for each).
using bound_params = std::map<const program*, param_values>;

// One proposal file: loaded, then (when it loaded and rules are for its format) evaluated and
// described. Never throws for bad input: an unreadable file, or one no rules are for (E3102),
// has diagnostics instead of a result.
proposal_report check_proposal_file(const std::string& file, const rule_set& rules, const bound_params& params,
                                    const check_options& options);

// Every file on options.jobs threads; the reports are in the order of `files`. An exception in a
// worker (out of memory) stops the others and is rethrown here.
std::vector<proposal_report> check_proposal_files(std::span<const std::string> files, const rule_set& rules,
                                                  const bound_params& params, const check_options& options);

// The number of CPUs this process may run on (its affinity mask), at least 1: the default -j.
unsigned available_cpus() noexcept;

}  // namespace fundcheck::engine
