// Helpers shared by the report renderers (report_util.hpp).

#include "report_util.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "fundcheck/dsl/format.hpp"

namespace fundcheck::engine::report_util {

dsl::span token_at(const dsl::source_file& src, std::uint32_t offset) {
  const auto& t = src.text();
  std::uint32_t end = offset;
  if (offset >= t.size()) return {offset, offset};
  if (t[offset] == '"') {
    ++end;
    while (end < t.size() && t[end] != '"' && t[end] != '\n') end += t[end] == '\\' ? 2 : 1;
    if (end < t.size() && t[end] == '"') ++end;
    end = std::min<std::uint32_t>(end, static_cast<std::uint32_t>(t.size()));
  } else if (t[offset] == '{' || t[offset] == '[') {
    end = offset + 1;
  } else {
    // A CSV table's amounts have a decimal comma ("10,0"); in JSON a ',' ends the number.
    const auto& path = src.path();
    const bool csv = path.ends_with(".csv") || path.ends_with(".CSV");
    while (end < t.size() && (std::isalnum(static_cast<unsigned char>(t[end])) || t[end] == '.' ||
                              t[end] == '-' || t[end] == '+' ||
                              (csv && t[end] == ',' && end + 1 < t.size() && std::isdigit(static_cast<unsigned char>(t[end + 1])))))
      ++end;
  }
  return {offset, std::max(end, offset + 1)};
}

region finding_region(const proposal_report& p, const finding_details& f) {
  region r;
  r.line = f.where.line;
  r.column = f.where.column;
  const dsl::source_ptr& src = finding_source(p, f);
  if (!src || !f.where.line) return r;
  const dsl::span s = token_at(*src, f.where.offset);
  const auto end = src->locate(s.end);
  r.end_line = end.line;
  r.end_column = end.column;
  return r;
}

region diagnostic_region(const dsl::diagnostic& d) {
  region r;
  if (!d.source) return r;
  const auto b = d.source->locate(d.where.begin);
  const auto e = d.source->locate(std::max(d.where.begin, d.where.end));
  return {b.line, b.column, e.line, e.column};
}

std::vector<std::string> detail_lines(const finding_details& f) {
  std::vector<std::string> out;
  for (const auto& v : f.values) {
    std::string line = fmt::format("{}: {} = {}", v.role, dsl::single_line(v.expression), v.value);
    if (v.interval) line += fmt::format("  [{}, {}]", v.interval->first, v.interval->second);
    out.push_back(std::move(line));
  }
  if (f.difference) out.push_back("difference: " + *f.difference);
  if (f.kind == finding_kind::not_evaluated) out.push_back("reason: " + f.reason);
  out.push_back(fmt::format("rule: {}:{}:{} \"{}\"", f.rule_at.file, f.rule_at.line, f.rule_at.column, f.title));
  return out;
}

std::string diagnostic_line(const dsl::diagnostic& d) {
  std::string out;
  if (d.source) {
    const auto b = d.source->locate(d.where.begin);
    out = fmt::format("{}:{}:{}: ", d.source->path(), b.line, b.column);
  }
  out += dsl::to_string(d.severity);
  if (!d.code.empty()) out += "[" + d.code + "]";
  out += ": " + d.message;
  return out;
}

std::vector<dsl::diagnostic> diagnostics_of(const proposal_report& p) {
  std::vector<dsl::diagnostic> all = p.diagnostics;
  if (p.result) all.insert(all.end(), p.result->diagnostics.begin(), p.result->diagnostics.end());
  return all;
}

dsl::level level_of(dsl::ast::severity s) noexcept {
  switch (s) {
    case dsl::ast::severity::error: return dsl::level::error;
    case dsl::ast::severity::warning: return dsl::level::warning;
    case dsl::ast::severity::note: return dsl::level::note;
  }
  return dsl::level::error;
}

std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    bool ok = len != 0 && i + len <= text.size();
    for (std::size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok && len == 2) ok = b >= 0xC2;                                                      // overlong
    if (ok && len == 3) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(b == 0xE0 && b1 < 0xA0) && !(b == 0xED && b1 >= 0xA0);  // overlong, surrogates
    }
    if (ok && len == 4) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(b == 0xF0 && b1 < 0x90) && !(b == 0xF4 && b1 >= 0x90) && b <= 0xF4;
    }
    if (ok) {
      out.append(text.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

std::string indented(const std::string& text, int by) {
  const std::string pad(static_cast<std::size_t>(by), ' ');
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    out += c;
    if (c == '\n') out += pad;
  }
  return out;
}

std::string plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

}  // namespace fundcheck::engine::report_util
