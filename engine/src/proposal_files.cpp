// Choosing the proposal files of a check: directories, glob patterns, --exclude, --shard
// (proposal_files.hpp).

#include "fundcheck/engine/proposal_files.hpp"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace fundcheck::engine {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  while (path.starts_with("./")) path.remove_prefix(2);
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    std::string_view part = path.substr(start, end - start);
    // "a//b" and "a/./b" name "a/b"; a leading "/" is kept as an empty first component.
    if (!(part.empty() && start != 0) && part != ".") out.push_back(part);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (!out.empty() && out.back().empty() && out.size() > 1) out.pop_back();
  return out;
}

// Length of the UTF-8 sequence starting with byte `b` (1 for a stray continuation byte).
std::size_t utf8_length(unsigned char b) noexcept {
  if (b >= 0xF0) return 4;
  if (b >= 0xE0) return 3;
  if (b >= 0xC0) return 2;
  return 1;
}

// Reads a code point's bytes at s[i]; returns them (clamped to the string).
std::string_view code_point_at(std::string_view s, std::size_t i) noexcept {
  return s.substr(i, std::min(utf8_length(static_cast<unsigned char>(s[i])), s.size() - i));
}

// Matches a bracket expression starting at pattern[p] ('[') against `c`. Sets `next` past the
// closing ']'. A '[' without a closing ']' is a literal '['.
bool bracket_match(std::string_view pattern, std::size_t p, std::string_view c, std::size_t& next, bool& valid) noexcept {
  std::size_t i = p + 1;
  bool negate = false;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) {
    negate = true;
    ++i;
  }
  bool matched = false;
  bool first = true;
  while (i < pattern.size() && (first || pattern[i] != ']')) {
    first = false;
    if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
    const std::string_view lo = code_point_at(pattern, i);
    i += lo.size();
    std::string_view hi = lo;
    if (i + 1 < pattern.size() && pattern[i] == '-' && pattern[i + 1] != ']') {
      ++i;
      if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
      hi = code_point_at(pattern, i);
      i += hi.size();
    }
    if (c >= lo && c <= hi) matched = true;  // UTF-8 byte order is code point order
  }
  if (i >= pattern.size()) {
    valid = false;
    return false;
  }
  valid = true;
  next = i + 1;
  return matched != negate;
}

// One pattern element other than '*' at pattern[p] against the code point at name[n]; on a
// match, sets the positions after both.
bool match_one(std::string_view pattern, std::size_t& p, std::string_view name, std::size_t& n) noexcept {
  if (n >= name.size()) return false;
  const std::string_view c = code_point_at(name, n);
  const char pc = pattern[p];
  if (pc == '?') {
    ++p;
    n += c.size();
    return true;
  }
  if (pc == '[') {
    std::size_t next = 0;
    bool valid = false;
    const bool m = bracket_match(pattern, p, c, next, valid);
    if (valid) {
      if (!m) return false;
      p = next;
      n += c.size();
      return true;
    }
    // Not a bracket expression: a literal '['.
  }
  std::size_t q = p;
  if (pc == '\\' && q + 1 < pattern.size()) ++q;
  const std::string_view literal = code_point_at(pattern, q);
  if (literal != c) return false;
  p = q + literal.size();
  n += c.size();
  return true;
}

// Wildcard matching with one backtracking point (the last '*'): time proportional to the
// pattern's length times the name's, whatever the pattern.
bool match_name(std::string_view pattern, std::string_view name) noexcept {
  std::size_t p = 0, n = 0;
  std::size_t star_p = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      star_p = p;
      star_n = n;
      continue;
    }
    std::size_t p2 = p, n2 = n;
    if (p < pattern.size() && match_one(pattern, p2, name, n2)) {
      p = p2;
      n = n2;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    // Let the last '*' take one more code point, and try again after it.
    star_n += code_point_at(name, star_n).size();
    n = star_n;
    p = star_p;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// The same over path components, "**" taking the part of '*'.
bool match_components(const std::vector<std::string_view>& pat, const std::vector<std::string_view>& path) noexcept {
  std::size_t i = 0, j = 0;
  std::size_t star_i = std::string_view::npos, star_j = 0;
  while (j < path.size()) {
    if (i < pat.size() && pat[i] == "**") {
      while (i < pat.size() && pat[i] == "**") ++i;
      star_i = i;
      star_j = j;
      continue;
    }
    if (i < pat.size() && match_name(pat[i], path[j])) {
      ++i;
      ++j;
      continue;
    }
    if (star_i == std::string_view::npos) return false;
    j = ++star_j;
    i = star_i;
  }
  while (i < pat.size() && pat[i] == "**") ++i;
  return i == pat.size();
}

// Whether something below the directory `path` could match: the pattern may consume the whole
// path and still have components left.
bool could_match_below(const std::vector<std::string_view>& pat, std::size_t i, const std::vector<std::string_view>& path,
                       std::size_t j) noexcept {
  if (i == pat.size()) return false;
  if (pat[i] == "**") return true;
  if (j == path.size()) return true;
  return glob_match_name(pat[i], path[j]) && could_match_below(pat, i + 1, path, j + 1);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

std::string join_path(const std::string& base, std::string_view name) {
  if (base.empty()) return std::string(name);
  if (base.back() == '/') return base + std::string(name);
  return base + "/" + std::string(name);
}

dsl::diagnostic unreadable_directory(const std::string& shown, const std::error_code& ec) {
  dsl::diagnostic d;
  d.code = "E3002";
  d.message = fmt::format("cannot read directory '{}': {}", shown, ec.message());
  return d;
}

// The entries of a directory, sorted by name; errors go to `diags`.
std::vector<fs::directory_entry> entries_of(const fs::path& dir, const std::string& shown,
                                            std::vector<dsl::diagnostic>& diags) {
  std::vector<fs::directory_entry> out;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) out.push_back(*it);
  if (ec) diags.push_back(unreadable_directory(shown, ec));
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.path().filename().string() < b.path().filename().string(); });
  return out;
}

// Every proposal file below a directory (not following links to directories, so a link cycle
// cannot make the walk endless).
void all_below(const fs::path& dir, const std::string& shown, std::vector<std::string>& found,
               std::vector<dsl::diagnostic>& diags) {
  for (const auto& e : entries_of(dir, shown, diags)) {
    const std::string name = e.path().filename().string();
    const std::string child = join_path(shown, name);
    std::error_code ec;
    if (e.is_directory(ec) && !e.is_symlink(ec)) {
      all_below(e.path(), child, found, diags);
    } else if (e.is_regular_file(ec) && is_proposal_name(name)) {
      found.push_back(child);
    }
  }
}

// Files below `dir` whose path relative to the pattern's base matches `pat` (from component i).
void matching_below(const fs::path& dir, const std::string& shown, const std::vector<std::string_view>& pat,
                    std::vector<std::string_view>& rel, std::vector<std::string>& found,
                    std::vector<dsl::diagnostic>& diags) {
  for (const auto& e : entries_of(dir, shown, diags)) {
    const std::string name = e.path().filename().string();
    const std::string child = join_path(shown, name);
    rel.push_back(name);
    std::error_code ec;
    const bool is_dir = e.is_directory(ec);
    if (match_components(pat, rel)) {
      if (is_dir) {
        all_below(e.path(), child, found, diags);
      } else if (e.is_regular_file(ec) && is_proposal_name(name)) {
        found.push_back(child);
      }
    } else if (is_dir && !e.is_symlink(ec) && could_match_below(pat, 0, rel, 0)) {
      matching_below(e.path(), child, pat, rel, found, diags);
    }
    rel.pop_back();
  }
}

bool literal_component(std::string_view c) noexcept {
  return c.find_first_of("*?[\\") == std::string_view::npos;
}

// The same file however it is written: "./a//b" and "a/b".
std::string normal_key(const std::string& path) {
  std::string key = fs::path(path).lexically_normal().generic_string();
  while (key.starts_with("./")) key.erase(0, 2);
  return key;
}

}  // namespace

bool is_glob(std::string_view arg) noexcept { return arg.find_first_of("*?[") != std::string_view::npos; }

bool glob_match_name(std::string_view pattern, std::string_view name) noexcept { return match_name(pattern, name); }

bool glob_match_path(std::string_view pattern, std::string_view path) noexcept {
  return match_components(split_path(pattern), split_path(path));
}

bool excluded_by(std::string_view pattern, std::string_view path) noexcept {
  while (pattern.starts_with("./")) pattern.remove_prefix(2);
  while (pattern.size() > 1 && pattern.back() == '/') pattern.remove_suffix(1);
  if (pattern.empty()) return false;
  const auto parts = split_path(path);
  if (pattern.find('/') == std::string_view::npos) {
    return std::any_of(parts.begin(), parts.end(), [&](std::string_view part) { return glob_match_name(pattern, part); });
  }
  const auto pat = split_path(pattern);
  for (std::size_t k = 1; k <= parts.size(); ++k) {
    const std::vector<std::string_view> lead(parts.begin(), parts.begin() + static_cast<std::ptrdiff_t>(k));
    if (match_components(pat, lead)) return true;
  }
  return false;
}

bool is_proposal_name(std::string_view file_name) noexcept {
  const std::string l = lower(file_name);
  if (l.ends_with(".csv")) return l.size() > 4;
  // A table's mapping and a rule test file (`fundcheck test`) are no proposals.
  return l.ends_with(".json") && l.size() > 5 && !l.ends_with(".mapping.json") && !l.ends_with(".test.json");
}

file_selection select_proposal_files(const std::vector<std::string>& args, const std::vector<std::string>& excludes) {
  file_selection out;
  std::set<std::string> seen;
  auto add = [&](const std::string& file) {
    if (!seen.insert(normal_key(file)).second) return;
    for (const auto& pattern : excludes) {
      if (excluded_by(pattern, file)) {
        ++out.excluded;
        return;
      }
    }
    out.files.push_back(file);
  };
  for (const auto& a : args) {
    std::error_code ec;
    std::vector<std::string> found;
    if (fs::is_directory(a, ec)) {
      std::string shown = a;
      while (shown.size() > 1 && shown.back() == '/') shown.pop_back();
      all_below(a, shown, found, out.diagnostics);
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        dsl::diagnostic d;
        d.code = "E3002";
        d.message = fmt::format("directory '{}' holds no *.json or *.csv proposal", a);
        out.diagnostics.push_back(std::move(d));
      }
    } else if (is_glob(a) && !fs::exists(a, ec)) {
      // The literal leading directories are the base of the walk; the rest is matched.
      const auto parts = split_path(a);
      std::size_t literal = 0;
      while (literal + 1 < parts.size() && literal_component(parts[literal])) ++literal;
      std::string base;
      for (std::size_t i = 0; i < literal; ++i) base = i == 0 && parts[i].empty() ? "/" : join_path(base, parts[i]);
      const std::vector<std::string_view> rest(parts.begin() + static_cast<std::ptrdiff_t>(literal), parts.end());
      std::vector<std::string_view> rel;
      if (fs::is_directory(base.empty() ? fs::path(".") : fs::path(base), ec))
        matching_below(base.empty() ? fs::path(".") : fs::path(base), base, rest, rel, found, out.diagnostics);
      std::sort(found.begin(), found.end());
      if (found.empty()) {
        dsl::diagnostic d;
        d.code = "E3002";
        d.message = fmt::format("pattern '{}' matches no *.json or *.csv proposal", a);
        out.diagnostics.push_back(std::move(d));
      }
    } else {
      found.push_back(a);
    }
    for (const auto& f : found) add(f);
  }
  return out;
}

std::vector<std::string> shard_slice(const std::vector<std::string>& files, std::size_t index, std::size_t count) {
  std::vector<std::string> out;
  if (count == 0 || index == 0 || index > count) return out;
  for (std::size_t k = index - 1; k < files.size(); k += count) out.push_back(files[k]);
  return out;
}

}  // namespace fundcheck::engine
