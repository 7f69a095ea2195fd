#pragma once
// Where `fundcheck check` writes its reports: `--format NAME` to standard output (at most one),
// `--format NAME=FILE` to a file, `--output FILE` for the report that would go to standard output.
// Report files are checked before any work (never an input, never an existing file without
// --force) and written atomically (a temporary file beside the target, then a rename), so an
// interrupted run never leaves half a report.

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "fundcheck/engine/report_formats.hpp"

namespace fundcheck::app {

struct report_target {
  const engine::report_format* format = nullptr;
  std::optional<std::string> file;  // none: standard output
};

// The reports a command line asks for, in the order given (the standard-output one, given or the
// default text, last). `formats` are the --format values, `output` the --output value. On error
// returns nullopt and sets `error` to a message naming the offending value.
std::optional<std::vector<report_target>> plan_reports(const std::vector<std::string>& formats,
                                                       const std::optional<std::string>& output, bool force,
                                                       std::string& error);

// Refuses a report file that is one of the inputs (a proposal, a table's mapping, a rule file),
// even with --force. Inputs that do not exist are skipped.
bool check_not_input(const std::vector<report_target>& targets, const std::vector<std::filesystem::path>& inputs,
                     std::string& error);

// Writes what `render` writes to `path`: through a temporary file and a rename for a regular file
// (creating missing parent directories), directly for a device or a pipe (/dev/stderr,
// /dev/null). The report streams to disk, it is not held in memory. Without `force` it fails
// rather than replace a file that appeared since plan_reports.
bool write_report_file(const std::string& path, const std::function<void(std::ostream&)>& render, bool force,
                       std::string& error);

}  // namespace fundcheck::app
