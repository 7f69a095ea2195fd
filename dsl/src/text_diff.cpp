// unified_diff (format.hpp): Myers' O(ND) line diff, printed as diff -u prints it.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fundcheck/dsl/format.hpp"

namespace fundcheck::dsl {

namespace {

// Lines with their '\n' (the last may lack it), so "no newline at end" is a difference too.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return lines;
}

enum class edit : std::uint8_t { same, remove, insert };

// Past this many differing lines the middle is shown as removed and inserted as a whole:
// still a correct diff, in bounded time and memory.
constexpr long max_edit_distance = 1000;

// The edit script turning a into b (Myers 1986, with the trace kept for the way back).
std::vector<edit> diff_lines(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  const long n = static_cast<long>(a.size());
  const long m = static_cast<long>(b.size());
  long prefix = 0;
  while (prefix < n && prefix < m && a[prefix] == b[prefix]) ++prefix;
  long suffix = 0;
  while (suffix < n - prefix && suffix < m - prefix && a[n - 1 - suffix] == b[m - 1 - suffix]) ++suffix;

  std::vector<edit> middle;
  const long an = n - prefix - suffix;
  const long bn = m - prefix - suffix;
  const auto at = [&](long i) { return a[prefix + i]; };
  const auto bt = [&](long j) { return b[prefix + j]; };
  const long limit = std::min(an + bn, max_edit_distance);
  // v[k] (offset by limit): the furthest x on diagonal k; trace[d] is v before step d.
  std::vector<long> v(static_cast<std::size_t>(2 * limit + 3), 0);
  std::vector<std::vector<long>> trace;
  long found = -1;
  for (long d = 0; d <= limit && found < 0; ++d) {
    trace.emplace_back(v.begin() + (limit + 1 - d), v.begin() + (limit + 2 + d));
    for (long k = -d; k <= d; k += 2) {
      const std::size_t ki = static_cast<std::size_t>(k + limit + 1);
      long x = (k == -d || (k != d && v[ki - 1] < v[ki + 1])) ? v[ki + 1] : v[ki - 1] + 1;
      long y = x - k;
      while (x < an && y < bn && at(x) == bt(y)) {
        ++x;
        ++y;
      }
      v[ki] = x;
      if (x >= an && y >= bn) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) {
    middle.assign(static_cast<std::size_t>(an), edit::remove);
    middle.insert(middle.end(), static_cast<std::size_t>(bn), edit::insert);
  } else {
    long x = an;
    long y = bn;
    for (long d = found; d > 0; --d) {
      const std::vector<long>& before = trace[static_cast<std::size_t>(d)];  // v after step d-1
      const auto get = [&](long k) { return before[static_cast<std::size_t>(k + d)]; };
      const long k = x - y;
      const bool down = k == -d || (k != d && get(k - 1) < get(k + 1));
      const long previous_k = down ? k + 1 : k - 1;
      const long previous_x = get(previous_k);
      const long previous_y = previous_x - previous_k;
      while (x > previous_x + (down ? 0 : 1) && y > previous_y + (down ? 1 : 0)) {
        middle.push_back(edit::same);
        --x;
        --y;
      }
      middle.push_back(down ? edit::insert : edit::remove);
      x = previous_x;
      y = previous_y;
    }
    while (x > 0 && y > 0) {
      middle.push_back(edit::same);
      --x;
      --y;
    }
    std::reverse(middle.begin(), middle.end());
  }
  std::vector<edit> script(static_cast<std::size_t>(prefix), edit::same);
  script.insert(script.end(), middle.begin(), middle.end());
  script.insert(script.end(), static_cast<std::size_t>(suffix), edit::same);
  return script;
}

std::string range(std::size_t start, std::size_t count) {
  // diff -u: "l" for one line, "l,n" otherwise; an empty range names the line before it.
  if (count == 1) return std::to_string(start + 1);
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

void append_line(std::string& out, char mark, std::string_view line) {
  out += mark;
  out += line;
  if (!line.ends_with('\n')) out += "\n\\ No newline at end of file\n";
}

}  // namespace

std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         std::string_view old_label, std::string_view new_label) {
  if (old_text == new_text) return {};
  const auto a = split_lines(old_text);
  const auto b = split_lines(new_text);
  const std::vector<edit> script = diff_lines(a, b);
  constexpr std::size_t context = 3;

  std::string out;
  out += "--- ";
  out += old_label;
  out += "\n+++ ";
  out += new_label;
  out += '\n';
  // Walk the script; a hunk runs from `context` lines before a change to `context` after the
  // last change that is within 2 * context lines of the previous one.
  std::size_t i = 0;
  std::size_t ai = 0;  // line index in a at script position i
  std::size_t bi = 0;
  while (i < script.size()) {
    if (script[i] == edit::same) {
      ++i;
      ++ai;
      ++bi;
      continue;
    }
    const std::size_t lead = std::min({context, ai, bi});
    std::size_t start = i - lead;
    std::size_t a_start = ai - lead;
    std::size_t b_start = bi - lead;
    // Find the hunk's end.
    std::size_t end = i;
    std::size_t run = 0;  // unchanged lines since the last change
    for (std::size_t j = i; j < script.size(); ++j) {
      if (script[j] == edit::same) {
        if (++run > 2 * context) break;
      } else {
        run = 0;
        end = j + 1;
      }
    }
    const std::size_t trail = std::min(context, script.size() - end);
    std::size_t stop = end;
    for (std::size_t t = 0; t < trail && stop < script.size() && script[stop] == edit::same; ++t) ++stop;
    std::size_t a_count = 0;
    std::size_t b_count = 0;
    for (std::size_t j = start; j < stop; ++j) {
      if (script[j] != edit::insert) ++a_count;
      if (script[j] != edit::remove) ++b_count;
    }
    out += "@@ -" + range(a_start, a_count) + " +" + range(b_start, b_count) + " @@\n";
    std::size_t x = a_start;
    std::size_t y = b_start;
    for (std::size_t j = start; j < stop; ++j) {
      switch (script[j]) {
        case edit::same:
          append_line(out, ' ', a[x++]);
          ++y;
          break;
        case edit::remove:
          append_line(out, '-', a[x++]);
          break;
        case edit::insert:
          append_line(out, '+', b[y++]);
          break;
      }
    }
    i = stop;
    ai = x;
    bi = y;
  }
  return out;
}

}  // namespace fundcheck::dsl
