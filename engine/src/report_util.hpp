#pragma once
// What the report renderers share (internal to the engine): where a finding is, its details as
// plain lines, diagnostics in one line, valid UTF-8 for text that goes into XML or JSON.

#include <string>
#include <string_view>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/engine/report.hpp"

namespace fundcheck::engine::report_util {

// The file a finding points into: the proposal's, or the one its value is written in (a CSV
// table's mapping).
inline const std::string& finding_file(const proposal_report& p, const finding_details& f) {
  return f.where.file.empty() ? p.file : f.where.file;
}

// The text of that file, when the report kept it (null otherwise).
inline const dsl::source_ptr& finding_source(const proposal_report& p, const finding_details& f) {
  return f.where.source ? f.where.source : p.source;
}

// The extent of the token starting at `offset`: a JSON string, number or literal, or a CSV amount.
dsl::span token_at(const dsl::source_file& src, std::uint32_t offset);

// A start and an end position (the end exclusive, as 1-based line and column).
struct region {
  std::uint32_t line = 0, column = 0, end_line = 0, end_column = 0;
};
// The region of a finding's token, when the text was kept; else only its start.
region finding_region(const proposal_report& p, const finding_details& f);
// The region of a diagnostic (all zero without a source).
region diagnostic_region(const dsl::diagnostic& d);

// "reported: r.region[y] = 2.9", "computed: …", "difference: 0.1", "reason: …",
// "rule: rules/x.rules:96:6 \"title\"": the details of the text report, one per line.
std::vector<std::string> detail_lines(const finding_details& f);

// "examples/x.json:3:18: error[E3001]: message" (without a file: "error[E3002]: message").
std::string diagnostic_line(const dsl::diagnostic& d);

// Every input diagnostic of a proposal: loading, then binding the rules.
std::vector<dsl::diagnostic> diagnostics_of(const proposal_report& p);

// The severity a rule's findings have.
dsl::level level_of(dsl::ast::severity s) noexcept;

// Whether a finding makes its proposal fail.
inline bool fails(const finding_details& f, dsl::level fail_on) noexcept {
  return f.severity == dsl::level::error || (fail_on == dsl::level::warning && f.severity == dsl::level::warning);
}

// Replaces bytes that are not UTF-8 with U+FFFD.
std::string valid_utf8(std::string_view text);

// Pretty-printed JSON placed at an indentation: every line after the first gets `by` more spaces.
std::string indented(const std::string& text, int by);

// "3 errors", "1 warning".
std::string plural(std::size_t n, std::string_view word);

}  // namespace fundcheck::engine::report_util
