#pragma once
// Text helpers of the CSV importer: the file's encoding (UTF-8 or Windows-1252, transcoded to
// UTF-8), Danish numbers ("1.234,5", "−3,1"), and the folding and slugs used to recognise row
// names ("<i>heraf</i>", "I alt") and to make ids from them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fundcheck/engine/decimal.hpp"

namespace fundcheck::engine::csv_text {

enum class encoding : std::uint8_t { utf8, cp1252 };

struct decode_failure {
  std::uint32_t offset = 0;  // byte offset in the raw file of the first byte that cannot be read
  std::string message;
};

// The file as UTF-8. Valid UTF-8 (with or without a byte order mark) is returned unchanged; a
// file that is not valid UTF-8 and holds no valid multi-byte UTF-8 sequence is read as
// Windows-1252, one character per byte, so lines and columns (which count characters) are the
// same in the original and in the result. Anything else (UTF-16, NUL bytes, UTF-8 mixed with other
// bytes, bytes Windows-1252 leaves undefined) is a failure.
std::optional<decode_failure> decode(std::string_view raw, std::string& out, encoding& used);

// Length of the well-formed UTF-8 sequence at text[pos], 0 when ill-formed.
std::size_t utf8_length(std::string_view text, std::size_t pos) noexcept;

// A Danish amount: optional sign ('-', '+' or U+2212), digits with optional '.' between groups
// of three ("1.234"), optional decimal comma ("42,0"). The text must be trimmed. On failure,
// `why` says what is wrong in a few words.
std::optional<decimal> parse_danish_number(std::string_view text, std::string& why);

// Lower case for ASCII and Latin-1 letters (Æ -> æ), other bytes unchanged.
std::string fold_case(std::string_view text);
// A row name reduced for recognising keywords: HTML tags removed ("<i>heraf</i>"), trimmed, a
// trailing ':' dropped, lower case.
std::string keyword_of(std::string_view name);
// An identifier from a name: ASCII letters and digits, Danish and other Latin-1 letters spelled
// out (æ -> ae, ø -> oe, å -> aa), everything else one `separator`; may be empty.
std::string slug(std::string_view name, char separator);

// Leading and trailing spaces, tabs and no-break spaces removed.
std::string_view trim(std::string_view text) noexcept;
// Bytes of leading whitespace (spaces, tabs, no-break spaces).
std::size_t indent_of(std::string_view text) noexcept;

}  // namespace fundcheck::engine::csv_text
