// CSV tokenizing: separator detection and field splitting with byte ranges.
#include "model/csv_reader.hpp"

#include <array>

namespace fundcheck::engine::csv_reader {

bool record::blank() const noexcept {
  for (const field& f : fields) {
    for (char c : f.text) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
    }
  }
  return true;
}

namespace {

std::string shown(char c) {
  if (c == '\t') return "tab";
  std::string out = "''";
  out.insert(1, 1, c);  // not an operator+ chain: GCC 12 reports a false -Wrestrict on those
  return out;
}

}  // namespace

std::optional<failure> detect_separator(std::string_view text, std::size_t start, char& separator,
                                        std::size_t& data_start) {
  data_start = start;
  // An explicit "sep=;" line (Excel writes and reads it) names the separator.
  if (text.substr(start).starts_with("sep=") && start + 4 < text.size()) {
    const char c = text[start + 4];
    std::size_t after = start + 5;
    if (after < text.size() && text[after] == '\r') ++after;
    if ((c == ';' || c == ',' || c == '\t') && (after == text.size() || text[after] == '\n')) {
      separator = c;
      data_start = after < text.size() ? after + 1 : after;
      return std::nullopt;
    }
  }
  // The header: the first line with something other than separators and spaces on it.
  std::size_t line = start;
  while (line < text.size()) {
    std::size_t end = line;
    bool content = false;
    while (end < text.size() && text[end] != '\n') {
      const char c = text[end];
      if (c != ';' && c != ',' && c != '\t' && c != ' ' && c != '\r') content = true;
      ++end;
    }
    if (content) break;
    line = end < text.size() ? end + 1 : end;
  }
  std::array<std::size_t, 3> counts{};  // ';', tab, ','
  constexpr std::array<char, 3> candidates = {';', '\t', ','};
  bool quoted = false;
  std::size_t i = line;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      quoted = !quoted;  // "" inside quotes toggles twice: no effect
    } else if (!quoted && c == '\n') {
      break;
    } else if (!quoted) {
      for (std::size_t k = 0; k < candidates.size(); ++k) counts[k] += c == candidates[k] ? 1 : 0;
    }
  }
  std::size_t best = 0;
  for (std::size_t k = 1; k < candidates.size(); ++k) {
    if (counts[k] > counts[best]) best = k;
  }
  const auto line_end = static_cast<std::uint32_t>(i);
  if (counts[best] == 0) {
    return failure{static_cast<std::uint32_t>(line), line_end,
                   "the header line has no separator (';', ',' or tab): a table needs a column of row names and "
                   "at least one amount column"};
  }
  for (std::size_t k = 0; k < candidates.size(); ++k) {
    if (k != best && counts[k] == counts[best]) {
      return failure{static_cast<std::uint32_t>(line), line_end,
                     "cannot tell the separator: the header line has as many " + shown(candidates[best]) + " as " +
                         shown(candidates[k]) + " outside quotes; quote the headings that contain one, or start the "
                         "file with a line \"sep=;\""};
    }
  }
  separator = candidates[best];
  return std::nullopt;
}

std::optional<failure> split(std::string_view text, std::size_t start, char separator, std::size_t max_records,
                             std::vector<record>& out) {
  std::size_t i = start;
  const std::size_t n = text.size();
  while (i < n) {
    if (out.size() >= max_records) break;
    record r;
    r.begin = static_cast<std::uint32_t>(i);
    bool line_done = false;
    while (!line_done) {
      field f;
      f.begin = static_cast<std::uint32_t>(i);
      if (i < n && text[i] == '"') {
        f.quoted = true;
        ++i;
        bool closed = false;
        while (i < n) {
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              f.text.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\r' && i + 1 < n && text[i + 1] == '\n') {
            ++i;  // "\r\n" inside a cell is a line break
            continue;
          }
          f.text.push_back(c);
          ++i;
        }
        if (!closed) {
          return failure{f.begin, f.begin + 1,
                         "the quoted field that starts here is not closed: a '\"' is missing before the end of the file"};
        }
        f.end = static_cast<std::uint32_t>(i);
        while (i < n && text[i] == ' ') ++i;
        if (i < n && text[i] != separator && text[i] != '\n' && !(text[i] == '\r' && (i + 1 == n || text[i + 1] == '\n'))) {
          return failure{static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1),
                         "unexpected text after the closing quote of a field (write a '\"' inside a quoted field as "
                         "'\"\"')"};
        }
      } else {
        while (i < n && text[i] != separator && text[i] != '\n') f.text.push_back(text[i++]);
        if (!f.text.empty() && f.text.back() == '\r' && (i == n || text[i] == '\n')) f.text.pop_back();
        f.end = static_cast<std::uint32_t>(i);
        if (f.end > f.begin && text[f.end - 1] == '\r' && (i == n || text[i] == '\n')) --f.end;
      }
      if (i < n && text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
      if (i >= n || text[i] == '\n') {
        line_done = true;
        if (i < n) ++i;
      } else {
        ++i;  // the separator
        if (i == n) {
          // A separator at the very end: one more (empty) field on this line.
          r.fields.push_back(std::move(f));
          field last;
          last.begin = last.end = static_cast<std::uint32_t>(i);
          f = std::move(last);
          line_done = true;
        }
      }
      r.fields.push_back(std::move(f));
    }
    out.push_back(std::move(r));
  }
  return std::nullopt;
}

}  // namespace fundcheck::engine::csv_reader
