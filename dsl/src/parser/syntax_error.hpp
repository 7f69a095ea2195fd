#pragma once
// Syntax error reporting and recovery, kept out of the grammar headers (no Spirit here): turns
// an expectation failure (what was expected, and where) into a diagnostic, and finds where
// parsing resumes.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fundcheck/dsl/source.hpp"
#include "parser/state.hpp"

namespace fundcheck::dsl::parser {

// Records the diagnostic for an expectation failure: `which` is the name of the rule that was
// expected (or one of the markers in state.hpp), `where` the offset where it was expected and
// `declaration_begin` the offset where the failed declaration began. Nothing is recorded once
// limits.max_errors is reached. Returns the offset where parsing resumes: the start of the next
// line, after the error, that begins with a declaration keyword; the end of the text when there
// is none or when the error limit is reached.
std::uint32_t report_syntax_error(parse_state& state, std::uint32_t declaration_begin,
                                  std::uint32_t where, std::string_view which);

enum class token_kind : std::uint8_t { end_of_file, word, string, symbol, unknown };

struct token {
  token_kind kind = token_kind::end_of_file;
  span where;
  std::string_view text;
};

// The token starting at or after `offset` (whitespace and comments skipped). At the end of the
// text: an end_of_file token with an empty span at `offset`.
token token_at(std::string_view text, std::uint32_t offset) noexcept;

// How a token is named in "found ...": 'word', 'symbol', "a string", end of file.
std::string describe(const token& t);

// An opening delimiter still open at some point of the text: '(', '[', '{', '"' (a string),
// 'm' (a message string, whose braces are holes) or 'h' (a hole in a message).
struct open_delimiter {
  char kind;
  std::uint32_t offset;
};

// Scans text[from, to) — `from` must be outside strings and comments — and returns the
// delimiters still open at `to`, innermost last.
std::vector<open_delimiter> open_delimiters(std::string_view text, std::uint32_t from,
                                            std::uint32_t to);

}  // namespace fundcheck::dsl::parser
