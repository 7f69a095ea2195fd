#pragma once
// Tokens shared by the grammar modules: byte classes, keywords, names and string literals.
// Header-only: the rules here are small and get instantiated in each module that uses them.

#include <string>

#include "parser/annotation.hpp"
#include "parser/config.hpp"
#include "parser/syntax.hpp"

namespace fundcheck::dsl::parser {

// One byte matching a predicate on its unsigned value. Bytes >= 0x80 are the parts of non-ASCII
// UTF-8 characters; the text is validated as UTF-8 before parsing, so treating every such byte
// as a letter makes any non-ASCII letter (æ, ø, å, ...) a name character.
template <typename Predicate>
struct byte_parser : x3::char_parser<byte_parser<Predicate>> {
  using attribute_type = char;
  static const bool has_attribute = true;
  template <typename Char, typename Context>
  bool test(Char ch, const Context&) const {
    return Predicate{}(static_cast<unsigned char>(ch));
  }
};

namespace bytes {
constexpr bool is_ascii_letter(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(unsigned char c) noexcept { return c >= '0' && c <= '9'; }
struct name_start {
  constexpr bool operator()(unsigned char c) const noexcept {
    return is_ascii_letter(c) || c == '_' || c >= 0x80;
  }
};
struct name_char {
  constexpr bool operator()(unsigned char c) const noexcept {
    return name_start{}(c) || is_digit(c);
  }
};
struct rule_id_char {
  constexpr bool operator()(unsigned char c) const noexcept {
    return name_char{}(c) || c == '-' || c == '.';
  }
};
struct rule_id_start {
  constexpr bool operator()(unsigned char c) const noexcept {
    return is_ascii_letter(c) || c >= 0x80;
  }
};
// Inside "...": anything but the quote, a backslash or a line break.
struct string_char {
  constexpr bool operator()(unsigned char c) const noexcept {
    return c != '"' && c != '\\' && c != '\n' && c != '\r';
  }
};
// Inside a message, braces are holes (or errors), never text.
struct message_char {
  constexpr bool operator()(unsigned char c) const noexcept {
    return string_char{}(c) && c != '{' && c != '}';
  }
};
}  // namespace bytes

inline constexpr byte_parser<bytes::name_start> name_start{};
inline constexpr byte_parser<bytes::name_char> name_char{};
inline constexpr byte_parser<bytes::rule_id_start> rule_id_start{};
inline constexpr byte_parser<bytes::rule_id_char> rule_id_char{};
inline constexpr byte_parser<bytes::string_char> string_char{};
inline constexpr byte_parser<bytes::message_char> message_char{};

// A keyword: the word, not followed by a name character (so `index` is not `in` + `dex`).
template <std::size_t N>
constexpr auto kw(const char (&word)[N]) {
  return x3::lexeme[x3::lit(word) >> !name_char];
}

// Reserved words (docs/language.md, "Lexical structure").
inline const x3::symbols<> keywords({"rule",    "let",  "param",   "import",  "columns",
                                     "for",     "in",   "where",   "when",    "expect",
                                     "message", "if",   "then",    "else",    "and",
                                     "or",      "not",  "implies", "within",  "true",
                                     "false",   "none", "error",   "warning", "note"},
                                    "keyword");

inline const x3::symbols<char> escape_symbols(
    {{"\"", '"'}, {"\\", '\\'}, {"n", '\n'}, {"t", '\t'}, {"{", '{'}, {"}", '}'}},
    "escape sequence");

// Rule IDs double as on_success hooks (annotate_position) for the nodes they produce.
struct identifier_class : annotate_position {};
struct string_literal_class : annotate_position {};
struct string_literal_value_class;
struct string_body_class;
struct escape_class;
struct escape_code_class;
struct closing_quote_class;

inline const x3::rule<identifier_class, syntax::identifier> identifier = "name";
inline const x3::rule<string_literal_class, syntax::string_token> string_literal = "string";
inline const x3::rule<string_literal_value_class, syntax::string_token> string_literal_value =
    "string";
inline const x3::rule<string_body_class, std::string> string_body = "string";
inline const x3::rule<escape_class, char> escape = "escape sequence";
inline const x3::rule<escape_code_class, char> escape_code = "escape sequence";
inline const x3::rule<closing_quote_class> closing_quote = "closing quote";

inline constexpr auto set_identifier = [](auto& ctx) {
  auto& node = x3::_val(ctx);
  const auto& range = x3::_attr(ctx);
  node.name.assign(range.begin(), range.end());
  tag_from_range(node, ctx, range);
};
inline constexpr auto set_string_value = [](auto& ctx) {
  x3::_val(ctx).value = std::move(x3::_attr(ctx));
};

inline const auto identifier_def =
    x3::raw[x3::lexeme[!(keywords >> !name_char) >> name_start >> *name_char]][set_identifier];
inline const auto escape_code_def = escape_symbols;
inline const auto escape_def = x3::lit('\\') > escape_code;
inline const auto closing_quote_def = x3::lit('"');
inline const auto string_body_def =
    x3::lexeme[x3::lit('"') >> *(escape | string_char) > closing_quote];
inline const auto string_literal_value_def = string_body[set_string_value];
inline const auto string_literal_def = string_literal_value;

BOOST_SPIRIT_DEFINE(identifier, escape_code, escape, closing_quote, string_body,
                    string_literal_value, string_literal)

}  // namespace fundcheck::dsl::parser
