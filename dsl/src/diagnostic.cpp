// Diagnostic sorting and rendering (clang-style text and JSON).
#include "fundcheck/dsl/diagnostic.hpp"

#include <algorithm>
#include <ostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "fundcheck/dsl/ansi.hpp"
#include "utf8.hpp"

namespace fundcheck::dsl {

namespace {

// Tabs in a quoted source line are expanded to this tab stop, in the line and the underline
// alike, so the caret stays under the character it marks whatever the terminal's tab width.
constexpr std::uint32_t tab_width = 4;

using ansi::color_of;

// A quoted source line prepared for display: tabs expanded, ill-formed UTF-8 and control
// characters replaced by U+FFFD, and for every byte offset of the raw line its display column
// (0-based, one column per code point).
struct display_line {
  std::string text;
  std::vector<std::uint32_t> column_of;  // size raw.size() + 1
};

display_line make_display_line(std::string_view raw) {
  display_line out;
  out.column_of.assign(raw.size() + 1, 0);
  std::uint32_t column = 0;
  std::size_t pos = 0;
  while (pos < raw.size()) {
    const std::size_t n = utf8::sequence_length(raw, pos);
    const auto c = static_cast<unsigned char>(raw[pos]);
    for (std::size_t i = 0; i < std::max<std::size_t>(n, 1); ++i) out.column_of[pos + i] = column;
    if (c == '\t') {
      const std::uint32_t next = (column / tab_width + 1) * tab_width;
      out.text.append(next - column, ' ');
      column = next;
    } else if (n == 0 || c < 0x20 || c == 0x7F) {
      out.text += "\xEF\xBF\xBD";
      ++column;
    } else {
      out.text.append(raw, pos, n);
      ++column;
    }
    pos += n == 0 ? 1 : n;
  }
  out.column_of[raw.size()] = column;
  return out;
}

std::size_t digits(std::uint32_t n) noexcept {
  std::size_t d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

void render_one(std::ostream& out, const diagnostic& d, bool color) {
  if (color) out << ansi::bold;
  if (d.source) {
    const position p = d.source->locate(d.where.begin);
    out << utf8::sanitize(d.source->path()) << ':' << p.line << ':' << p.column << ": ";
  } else {
    out << "fundcheck: ";
  }
  if (color) out << color_of(d.severity);
  out << to_string(d.severity);
  if (!d.code.empty()) out << '[' << d.code << ']';
  out << ':';
  if (color) out << ansi::reset << ansi::bold;
  out << ' ' << utf8::sanitize(d.message);
  if (color) out << ansi::reset;
  out << '\n';
  if (d.source) render_snippet(out, *d.source, d.where, color);
  if (!d.help.empty()) {
    // Under the snippet's gutter, as the report's "= computed:" lines.
    const std::size_t width = d.source ? std::max<std::size_t>(4, digits(d.source->locate(d.where.begin).line)) : 4;
    out << std::string(2 + width, ' ') << "= ";
    if (color) out << ansi::bold;
    out << "help:";
    if (color) out << ansi::reset;
    out << ' ' << utf8::sanitize(d.help) << '\n';
  }
}

bool less_by_location(const diagnostic& a, const diagnostic& b) {
  if (!a.source || !b.source) return !a.source && b.source;
  if (const int c = a.source->path().compare(b.source->path()); c != 0) return c < 0;
  if (a.where.begin != b.where.begin) return a.where.begin < b.where.begin;
  return a.code < b.code;
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + ' ' + word + (n == 1 ? "" : "s");
}

}  // namespace

diagnostic make_diagnostic(level severity, std::string code, source_ptr source, span where,
                           std::string message, std::vector<diagnostic> notes) {
  diagnostic d;
  d.severity = severity;
  d.code = std::move(code);
  d.message = std::move(message);
  d.source = std::move(source);
  d.where = {where.begin, std::max(where.begin, where.end)};
  d.notes = std::move(notes);
  return d;
}

diagnostic make_note(source_ptr source, span where, std::string message) {
  return make_diagnostic(level::note, {}, std::move(source), where, std::move(message));
}

std::string_view to_string(level l) noexcept {
  switch (l) {
    case level::error: return "error";
    case level::warning: return "warning";
    case level::note: return "note";
  }
  return "error";
}

void sort_diagnostics(std::vector<diagnostic>& diags) {
  std::stable_sort(diags.begin(), diags.end(), less_by_location);
}

void render_text(std::ostream& out, const std::vector<diagnostic>& diags,
                 const render_options& opts) {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const diagnostic& d : diags) {
    if (d.severity == level::error) {
      if (opts.max_errors != 0 && errors == opts.max_errors) {
        if (opts.color) out << ansi::bold;
        out << "fundcheck: too many errors emitted, stopping now";
        if (opts.color) out << ansi::reset;
        out << '\n';
        break;
      }
      ++errors;
    } else if (d.severity == level::warning) {
      ++warnings;
    }
    render_one(out, d, opts.color);
    for (const diagnostic& n : d.notes) render_one(out, n, opts.color);
  }
  if (errors > 0 && warnings > 0) {
    out << plural(errors, "error") << " and " << plural(warnings, "warning") << " generated.\n";
  } else if (errors > 0) {
    out << plural(errors, "error") << " generated.\n";
  } else if (warnings > 0) {
    out << plural(warnings, "warning") << " generated.\n";
  }
}

std::string render_text(const std::vector<diagnostic>& diags, const render_options& opts) {
  std::ostringstream out;
  render_text(out, diags, opts);
  return std::move(out).str();
}

// Lines and columns are 1-based; the end position is exclusive (the position just after the
// range), as in LSP. Without a source, file and positions are null.
void to_json(nlohmann::json& j, const diagnostic& d) {
  j = nlohmann::json::object();
  j["severity"] = std::string(to_string(d.severity));
  j["code"] = d.code.empty() ? nlohmann::json(nullptr) : nlohmann::json(d.code);
  j["message"] = utf8::sanitize(d.message);
  if (d.source) {
    const position b = d.source->locate(d.where.begin);
    const position e = d.source->locate(std::max(d.where.begin, d.where.end));
    j["file"] = utf8::sanitize(d.source->path());
    j["line"] = b.line;
    j["column"] = b.column;
    j["end_line"] = e.line;
    j["end_column"] = e.column;
  } else {
    for (const char* key : {"file", "line", "column", "end_line", "end_column"}) j[key] = nullptr;
  }
  auto& notes = j["notes"] = nlohmann::json::array();
  for (const diagnostic& n : d.notes) {
    nlohmann::json note;
    to_json(note, n);
    notes.push_back(std::move(note));
  }
  if (!d.help.empty()) j["help"] = utf8::sanitize(d.help);
}

bool has_errors(const std::vector<diagnostic>& diags) noexcept {
  return std::any_of(diags.begin(), diags.end(),
                     [](const diagnostic& d) { return d.severity == level::error; });
}

// Quotes the line of where.begin, then the underline: '^' at the start, '~' over the rest of the
// range on that line (a range that spans lines is underlined to the end of its first line).
void render_snippet(std::ostream& out, const source_file& src, span where, bool color) {
  const position begin = src.locate(where.begin);
  const std::string_view raw = src.line_text(begin.line);
  const display_line line = make_display_line(raw);

  // Byte offsets of the range relative to the start of the line, clipped to the line: a range
  // that spans lines is underlined to the end of its first line.
  const std::size_t line_start = static_cast<std::size_t>(raw.data() - src.text().data());
  const std::size_t begin_offset = std::min<std::size_t>(where.begin, src.text().size());
  const std::size_t end_offset = std::max<std::size_t>(begin_offset, where.end);
  const std::size_t first = std::min(begin_offset - line_start, raw.size());
  const std::size_t last = std::min(end_offset - line_start, raw.size());

  const std::size_t width = std::max<std::size_t>(4, digits(begin.line));
  const std::string number = std::to_string(begin.line);
  out << std::string(1 + width - number.size(), ' ') << number << " | " << line.text << '\n';
  out << std::string(1 + width, ' ') << " | " << std::string(line.column_of[first], ' ');
  const std::uint32_t tildes = line.column_of[last] > line.column_of[first]
                                   ? line.column_of[last] - line.column_of[first] - 1
                                   : 0;
  if (color) out << ansi::green;
  out << '^' << std::string(tildes, '~');
  if (color) out << ansi::reset;
  out << '\n';
}

}  // namespace fundcheck::dsl
