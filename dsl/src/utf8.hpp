#pragma once
// Private UTF-8 helpers shared by source mapping, diagnostic rendering and the parser.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace fundcheck::dsl::utf8 {

// Length in bytes of the well-formed UTF-8 sequence starting at text[pos], or 0 when the bytes
// there are not a well-formed sequence (stray continuation byte, overlong form, surrogate,
// value above U+10FFFF, truncated sequence). Precondition: pos < text.size().
std::size_t sequence_length(std::string_view text, std::size_t pos) noexcept;

// Byte offset of the first ill-formed sequence, or text.size() when the text is valid UTF-8.
std::size_t find_invalid(std::string_view text) noexcept;

// Copy of text with every ill-formed byte replaced by U+FFFD, so it is safe to print or put
// into JSON.
std::string sanitize(std::string_view text);

// 'text', for messages. Built by appending: GCC 12 warns falsely (-Wrestrict) on "'" + string.
std::string single_quoted(std::string_view text);

}  // namespace fundcheck::dsl::utf8
