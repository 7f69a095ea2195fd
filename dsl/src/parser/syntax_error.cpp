// Syntax error messages and recovery points (see syntax_error.hpp).
#include "parser/syntax_error.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "codes.hpp"
#include "utf8.hpp"

namespace fundcheck::dsl::parser {

namespace {

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_name_char(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || is_digit(c) || u == '_' || u >= 0x80;
}

constexpr std::array<std::string_view, 25> keyword_list{
    "rule",   "let",     "param", "import", "columns", "for",     "in",  "where", "when",
    "expect", "message", "if",    "then",   "else",    "and",     "or",  "not",   "implies",
    "within", "true",    "false", "none",   "error",   "warning", "note"};

constexpr std::array<std::string_view, 6> declaration_keywords{"rule",   "let",     "param",
                                                               "import", "columns", "format"};

bool is_keyword(std::string_view word) noexcept {
  return std::find(keyword_list.begin(), keyword_list.end(), word) != keyword_list.end();
}

// At most `limit` code points of `text`, with "…" when cut.
std::string shorten(std::string_view text, std::size_t limit = 32) {
  std::size_t pos = 0;
  for (std::size_t n = 0; pos < text.size() && n < limit; ++n) {
    const std::size_t len = utf8::sequence_length(text, pos);
    pos += len == 0 ? 1 : len;
  }
  std::string out = utf8::sanitize(text.substr(0, pos));
  if (pos < text.size()) out += "…";
  return out;
}

using utf8::single_quoted;

// A character for a message: itself when printable, else its code point.
std::string show_character(std::string_view text, std::size_t pos) {
  const auto c = static_cast<unsigned char>(text[pos]);
  if (c < 0x20 || c == 0x7F) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "U+%04X", static_cast<unsigned>(c));
    return buffer;
  }
  const std::size_t len = std::max<std::size_t>(utf8::sequence_length(text, pos), 1);
  return single_quoted(utf8::sanitize(text.substr(pos, len)));
}

std::uint32_t skip_space_and_comments(std::string_view text, std::uint32_t pos) noexcept {
  while (pos < text.size()) {
    if (is_space(text[pos])) {
      ++pos;
    } else if (text[pos] == '#') {
      while (pos < text.size() && text[pos] != '\n') ++pos;
    } else {
      break;
    }
  }
  return pos;
}

// The end of the last token before `pos`: X3 reports some failures after it has skipped the
// whitespace and comments that follow, and "found end of file" reads best right after the text.
std::uint32_t end_of_previous_token(std::string_view text, std::uint32_t pos) noexcept {
  for (;;) {
    while (pos > 0 && is_space(text[pos - 1])) --pos;
    const std::size_t newline = pos == 0 ? std::string_view::npos : text.rfind('\n', pos - 1);
    std::size_t i = newline == std::string_view::npos ? 0 : newline + 1;
    bool in_string = false;
    std::size_t comment = std::string_view::npos;
    for (; i < pos; ++i) {
      if (in_string && text[i] == '\\') {
        ++i;
      } else if (text[i] == '"') {
        in_string = !in_string;
      } else if (!in_string && text[i] == '#') {
        comment = i;
        break;
      }
    }
    if (comment == std::string_view::npos) return pos;
    pos = static_cast<std::uint32_t>(comment);
  }
}

bool is_declaration_keyword(std::string_view word) noexcept {
  return std::find(declaration_keywords.begin(), declaration_keywords.end(), word) !=
         declaration_keywords.end();
}

// Where parsing resumes after an error at `where`: at the token found there when it is a
// declaration keyword starting its line (as in "expected ')', found 'let'"), else at the first
// later line whose first word is one; text.size() when there is none. Always after `floor`
// (the start of the failed declaration), so recovery makes progress.
std::uint32_t recovery_offset(std::string_view text, std::uint32_t where,
                              std::uint32_t floor) noexcept {
  const token found = token_at(text, where);
  if (found.kind == token_kind::word && found.where.begin > floor &&
      is_declaration_keyword(found.text)) {
    const std::size_t line_start = text.rfind('\n', found.where.begin - 1);
    const std::size_t first = line_start == std::string_view::npos ? 0 : line_start + 1;
    if (text.substr(first, found.where.begin - first).find_first_not_of(" \t") ==
        std::string_view::npos) {
      return found.where.begin;
    }
  }
  std::size_t line = text.find('\n', std::max(found.where.begin, floor));
  while (line != std::string_view::npos) {
    std::size_t pos = line + 1;
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    std::size_t end = pos;
    while (end < text.size() && is_name_char(text[end])) ++end;
    const std::string_view word = text.substr(pos, end - pos);
    if (is_declaration_keyword(word)) return static_cast<std::uint32_t>(pos);
    line = text.find('\n', pos);
  }
  return static_cast<std::uint32_t>(text.size());
}

bool names_a_name(std::string_view which) noexcept {
  return which == "name" || which == "field name" || which == "variable name" ||
         which == "column name";
}

std::string_view hint_for_character(char c) noexcept {
  switch (c) {
    case '&': return " (use 'and')";
    case '|': return " (use 'or')";
    case '!': return " (use 'not', or '!=' to compare)";
    default: return "";
  }
}

diagnostic make_error(const parse_state& state, const char* code, std::string message, span where) {
  diagnostic d;
  d.severity = level::error;
  d.code = code;
  d.message = std::move(message);
  d.source = state.source;
  d.where = where;
  return d;
}

// "to match this '('" for an expected closing delimiter, at its innermost open counterpart.
void add_matching_note(const parse_state& state, diagnostic& d, std::uint32_t declaration_begin,
                       std::uint32_t where, std::string_view which) {
  char opener = 0;
  if (which.starts_with("')'")) {
    opener = '(';
  } else if (which.starts_with("']'")) {
    opener = '[';
  } else if (which.starts_with("'}'")) {
    opener = '{';
  } else {
    return;
  }
  const auto open = open_delimiters(state.text, declaration_begin, where);
  for (auto it = open.rbegin(); it != open.rend(); ++it) {
    // A hole in a message ('h') is opened by a '{' too.
    if (it->kind != opener && !(opener == '{' && it->kind == 'h')) continue;
    diagnostic note;
    note.severity = level::note;
    note.message = std::string("to match this '") + opener + "'";
    note.source = state.source;
    note.where = {it->offset, it->offset + 1};
    d.notes.push_back(std::move(note));
    return;
  }
}

diagnostic describe_failure(const parse_state& state, std::uint32_t declaration_begin,
                            std::uint32_t where, std::string_view which) {
  const std::string_view text = state.text;
  const auto size = static_cast<std::uint32_t>(text.size());
  token found = token_at(text, where);
  if (found.kind == token_kind::end_of_file) {
    const std::uint32_t end = end_of_previous_token(text, where);
    found.where = {end, end};
  }

  if (which == nesting_too_deep_marker) {
    return make_error(state, codes::nesting_too_deep,
                      "expression nested too deeply (the limit is " +
                          std::to_string(state.limits.max_nesting) + " levels)",
                      found.where);
  }
  if (which == chained_comparison_marker) {
    return make_error(state, codes::chained_comparison,
                      "comparison operators do not chain; combine comparisons with 'and'",
                      found.where);
  }
  if (which == "closing quote") {
    if (where < size && text[where] == '}') {
      return make_error(state, codes::unmatched_brace,
                        "unmatched '}' in message; write '\\}' for a literal brace",
                        {where, where + 1});
    }
    const auto open = open_delimiters(text, declaration_begin, where);
    const auto quote = std::find_if(open.rbegin(), open.rend(), [](const open_delimiter& o) {
      return o.kind == '"' || o.kind == 'm';
    });
    const std::uint32_t begin = quote != open.rend() ? quote->offset : where;
    return make_error(state, codes::unterminated_string, "unterminated string", {begin, where});
  }
  if (which == "escape sequence") {
    const std::uint32_t backslash = where > 0 ? where - 1 : where;
    if (where >= size || text[where] == '\n' || text[where] == '\r') {
      return make_error(state, codes::invalid_escape,
                        "incomplete escape sequence at the end of the line", {backslash, where});
    }
    const auto len =
        static_cast<std::uint32_t>(std::max<std::size_t>(utf8::sequence_length(text, where), 1));
    return make_error(state, codes::invalid_escape,
                      "invalid escape sequence '\\" + utf8::sanitize(text.substr(where, len)) +
                          "' (valid are \\\" \\\\ \\n \\t \\{ \\})",
                      {backslash, where + len});
  }
  if (found.kind == token_kind::unknown) {
    return make_error(state, codes::unexpected_character,
                      "unexpected character " + show_character(text, found.where.begin) +
                          std::string(hint_for_character(found.text.front())),
                      found.where);
  }
  if (found.kind == token_kind::word && names_a_name(which) && is_keyword(found.text)) {
    return make_error(
        state, codes::keyword_as_name,
        single_quoted(found.text) + " is a keyword and cannot be used as a " + std::string(which),
        found.where);
  }
  std::string message = "expected " + std::string(which) + ", found " + describe(found);
  if (found.kind == token_kind::symbol && found.text == "=") message += " (use '==' to compare)";
  diagnostic d = make_error(state, codes::expected, std::move(message), found.where);
  add_matching_note(state, d, declaration_begin, where, which);
  return d;
}

}  // namespace

token token_at(std::string_view text, std::uint32_t offset) noexcept {
  const auto size = static_cast<std::uint32_t>(text.size());
  offset = std::min(offset, size);
  const std::uint32_t pos = skip_space_and_comments(text, offset);
  token t;
  if (pos >= size) {
    t.where = {offset, offset};
    return t;
  }
  std::uint32_t end = pos + 1;
  const char c = text[pos];
  if (is_name_char(c)) {
    t.kind = token_kind::word;
    while (end < size && is_name_char(text[end])) ++end;
    // A decimal number is one word: "0.3117".
    if (is_digit(c) && end + 1 < size && text[end] == '.' && is_digit(text[end + 1])) {
      end += 1;
      while (end < size && is_name_char(text[end])) ++end;
    }
  } else if (c == '"') {
    t.kind = token_kind::string;
    while (end < size && text[end] != '"' && text[end] != '\n' && text[end] != '\r') {
      end += (text[end] == '\\' && end + 1 < size && text[end + 1] != '\n') ? 2 : 1;
    }
    if (end < size && text[end] == '"') ++end;
  } else if (end < size && text[end] == '=' &&
             (c == '=' || c == '!' || c == '<' || c == '>' || c == '~')) {
    t.kind = token_kind::symbol;
    ++end;
  } else if (std::string_view("()[]{},.+-*/<>=").find(c) != std::string_view::npos) {
    t.kind = token_kind::symbol;
  } else {
    t.kind = token_kind::unknown;
    end = pos +
          static_cast<std::uint32_t>(std::max<std::size_t>(utf8::sequence_length(text, pos), 1));
  }
  t.where = {pos, end};
  t.text = text.substr(pos, end - pos);
  return t;
}

std::string describe(const token& t) {
  switch (t.kind) {
    case token_kind::end_of_file: return "end of file";
    case token_kind::string: return "string " + shorten(t.text);
    case token_kind::word:
    case token_kind::symbol:
    case token_kind::unknown: break;
  }
  return single_quoted(shorten(t.text));
}

std::vector<open_delimiter> open_delimiters(std::string_view text, std::uint32_t from,
                                            std::uint32_t to) {
  std::vector<open_delimiter> open;
  to = std::min(to, static_cast<std::uint32_t>(text.size()));
  std::string_view last_word;
  for (std::uint32_t pos = from; pos < to; ++pos) {
    const char c = text[pos];
    const char mode = open.empty() ? 0 : open.back().kind;
    if (mode == '"' || mode == 'm') {
      if (c == '\\') {
        ++pos;
      } else if (c == '"' || c == '\n') {
        open.pop_back();  // strings end at the end of their line, terminated or not
      } else if (c == '{' && mode == 'm') {
        open.push_back({'h', pos});
      }
      continue;
    }
    if (is_name_char(c)) {
      const std::uint32_t begin = pos;
      while (pos + 1 < to && is_name_char(text[pos + 1])) ++pos;
      last_word = text.substr(begin, pos + 1 - begin);
      continue;
    }
    switch (c) {
      case '#':
        while (pos + 1 < to && text[pos + 1] != '\n') ++pos;
        break;
      case '"': open.push_back({last_word == "message" ? 'm' : '"', pos}); break;
      case '(':
      case '[':
      case '{': open.push_back({c, pos}); break;
      case ')':
      case ']':
        if (mode == (c == ')' ? '(' : '[')) open.pop_back();
        break;
      case '}':
        if (mode == '{' || mode == 'h') open.pop_back();
        break;
      default: break;
    }
    if (!is_space(c)) last_word = {};
  }
  return open;
}

std::uint32_t report_syntax_error(parse_state& state, std::uint32_t declaration_begin,
                                  std::uint32_t where, std::string_view which) {
  const auto end = static_cast<std::uint32_t>(state.text.size());
  if (state.error_limit_reached()) return end;
  state.diagnostics.push_back(describe_failure(state, declaration_begin, where, which));
  if (state.error_limit_reached()) return end;
  return recovery_offset(state.text, where, declaration_begin);
}

}  // namespace fundcheck::dsl::parser
