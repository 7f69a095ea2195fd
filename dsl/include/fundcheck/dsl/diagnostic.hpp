#pragma once
// Diagnostics: what a user sees when a rule file or a proposal cannot be read. Each carries a
// stable code, a location, and optional notes; rendering is clang-style text or JSON.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "fundcheck/dsl/source.hpp"

namespace fundcheck::dsl {

enum class level : std::uint8_t { error, warning, note };

std::string_view to_string(level l) noexcept;

struct diagnostic {
  level severity = level::error;
  std::string code;     // stable: E1xxx syntax, E2xxx semantics, E3xxx input/evaluation, Wxxxx
  std::string message;  // one line, no trailing period
  source_ptr source;    // may be null: a diagnostic without a file (bad flag, missing file)
  span where{};         // byte range in source; begin == end means a point
  std::vector<diagnostic> notes;  // attached notes (severity note), each with its own location
  std::string help;     // optional: what to do about it, one line ("= help: …" below the snippet)
};

// A diagnostic at a byte range of a source (end clamped to begin), with optional notes.
diagnostic make_diagnostic(level severity, std::string code, source_ptr source, span where,
                           std::string message, std::vector<diagnostic> notes = {});
// A note (no code) to attach to a diagnostic.
diagnostic make_note(source_ptr source, span where, std::string message);

struct render_options {
  bool color = false;
  std::size_t max_errors = 50;  // 0 means no limit
};

// Sorts by file, then offset, then code (notes stay with their primary diagnostic).
void sort_diagnostics(std::vector<diagnostic>& diags);

// Renders like clang: "path:line:col: error[E1001]: message", the source line, and a caret
// underline; then the notes; then "N errors generated." when there were errors.
void render_text(std::ostream& out, const std::vector<diagnostic>& diags,
                 const render_options& opts = {});
std::string render_text(const std::vector<diagnostic>& diags, const render_options& opts = {});

// {"severity","code","message","file","line","column","end_line","end_column","notes":[...]},
// and "help" when the diagnostic has one.
void to_json(nlohmann::json& j, const diagnostic& d);

bool has_errors(const std::vector<diagnostic>& diags) noexcept;

// Renders just the quoted source line of `where` with its caret underline (the part of
// render_text below the "path:line:col: error" header), for reports that build their own header.
void render_snippet(std::ostream& out, const source_file& src, span where, bool color);

}  // namespace fundcheck::dsl
