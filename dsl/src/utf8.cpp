// UTF-8 validation following the well-formed byte sequences table of Unicode 15, section 3.9.
#include "utf8.hpp"

namespace fundcheck::dsl::utf8 {

namespace {

bool in_range(unsigned char c, unsigned char lo, unsigned char hi) noexcept {
  return c >= lo && c <= hi;
}

}  // namespace

std::size_t sequence_length(std::string_view text, std::size_t pos) noexcept {
  const auto at = [&](std::size_t i) -> unsigned char {
    return pos + i < text.size() ? static_cast<unsigned char>(text[pos + i]) : 0;
  };
  const unsigned char b0 = at(0);
  if (b0 < 0x80) return 1;
  if (in_range(b0, 0xC2, 0xDF)) return in_range(at(1), 0x80, 0xBF) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 == 0xE0)
      lo = 0xA0;  // no overlong forms
    else if (b0 == 0xED)
      hi = 0x9F;  // no surrogates
    return in_range(at(1), lo, hi) && in_range(at(2), 0x80, 0xBF) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 == 0xF0)
      lo = 0x90;  // no overlong forms
    else if (b0 == 0xF4)
      hi = 0x8F;  // nothing above U+10FFFF
    return in_range(at(1), lo, hi) && in_range(at(2), 0x80, 0xBF) && in_range(at(3), 0x80, 0xBF)
               ? 4
               : 0;
  }
  return 0;
}

std::size_t find_invalid(std::string_view text) noexcept {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t n = sequence_length(text, pos);
    if (n == 0) return pos;
    pos += n;
  }
  return text.size();
}

std::string sanitize(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t n = sequence_length(text, pos);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++pos;
    } else {
      out.append(text, pos, n);
      pos += n;
    }
  }
  return out;
}

std::string single_quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out += text;
  out += '\'';
  return out;
}

}  // namespace fundcheck::dsl::utf8
