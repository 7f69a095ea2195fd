// Encoding detection and transcoding, Danish numbers, and name folding for the CSV importer.
#include "model/csv_text.hpp"

#include <array>
#include <cstdio>

namespace fundcheck::engine::csv_text {
namespace {

// Windows-1252 0x80..0x9F; 0 marks the five bytes the code page leaves undefined.
constexpr std::array<std::uint16_t, 32> cp1252_high = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string hex_byte(unsigned char b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", static_cast<unsigned>(b));
  return buf;
}

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

}  // namespace

std::size_t utf8_length(std::string_view text, std::size_t pos) noexcept {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) return 1;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    cp = b0 & 0x0F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (pos + n > text.size()) return 0;
  for (std::size_t i = 1; i < n; ++i) {
    const auto b = static_cast<unsigned char>(text[pos + i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

std::optional<decode_failure> decode(std::string_view raw, std::string& out, encoding& used) {
  if (raw.size() >= 2 && ((raw[0] == '\xFF' && raw[1] == '\xFE') || (raw[0] == '\xFE' && raw[1] == '\xFF'))) {
    return decode_failure{0, "the file is UTF-16 (\"Unicode text\"); save the table as \"CSV UTF-8\" or \"CSV (semicolon separated)\""};
  }
  std::size_t first_invalid = raw.size();
  std::size_t first_multibyte = raw.size();
  for (std::size_t i = 0; i < raw.size();) {
    if (raw[i] == '\0') {
      return decode_failure{static_cast<std::uint32_t>(i),
                            "the file holds a NUL byte, so it is not a text table (UTF-16 without a byte order mark?)"};
    }
    const std::size_t n = utf8_length(raw, i);
    if (n == 0) {
      if (first_invalid == raw.size()) first_invalid = i;
      ++i;
    } else {
      if (n > 1 && first_multibyte == raw.size()) first_multibyte = i;
      i += n;
    }
  }
  if (first_invalid == raw.size()) {
    used = encoding::utf8;
    out.assign(raw);
    return std::nullopt;
  }
  if (first_multibyte != raw.size()) {
    return decode_failure{static_cast<std::uint32_t>(first_invalid),
                          "byte " + hex_byte(static_cast<unsigned char>(raw[first_invalid])) +
                              " is not UTF-8, but the file also holds UTF-8 text, so it is neither UTF-8 nor "
                              "Windows-1252; save the table again as \"CSV UTF-8\""};
  }
  used = encoding::cp1252;
  out.clear();
  out.reserve(raw.size() + raw.size() / 8);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const auto b = static_cast<unsigned char>(raw[i]);
    if (b < 0x80) {
      out.push_back(static_cast<char>(b));
    } else if (b < 0xA0) {
      const std::uint16_t cp = cp1252_high[b - 0x80];
      if (cp == 0) {
        return decode_failure{static_cast<std::uint32_t>(i),
                              "byte " + hex_byte(b) + " is neither UTF-8 nor a Windows-1252 character; save the table as \"CSV UTF-8\""};
      }
      append_utf8(out, cp);
    } else {
      append_utf8(out, b);
    }
  }
  return std::nullopt;
}

std::optional<decimal> parse_danish_number(std::string_view s, std::string& why) {
  std::string plain;  // the same number in JSON syntax, for decimal::parse
  std::size_t i = 0;
  if (s.starts_with("\xE2\x88\x92")) {  // U+2212 MINUS SIGN
    plain.push_back('-');
    i = 3;
  } else if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    if (s[0] == '-') plain.push_back('-');
    i = 1;
  }
  const std::size_t int_begin = i;
  std::size_t group = 0;  // digits in the current group
  bool grouped = false;   // a '.' was seen
  for (; i < s.size() && (is_digit(s[i]) || s[i] == '.'); ++i) {
    if (s[i] == '.') {
      if (group == 0 || (grouped ? group != 3 : group > 3)) {
        why = "a '.' separates groups of three digits (1.234,5)";
        return std::nullopt;
      }
      grouped = true;
      group = 0;
    } else {
      plain.push_back(s[i]);
      ++group;
    }
  }
  if (i == int_begin && (s.substr(i).starts_with("\xE2\x80\x93") || s.substr(i).starts_with("\xE2\x80\x94"))) {
    why = "a dash ('\xE2\x80\x93' or '\xE2\x80\x94') is not a minus sign; write '-'";  // en dash, em dash
    return std::nullopt;
  }
  if (i == int_begin || group == 0) {
    why = i == int_begin && i < s.size() && s[i] == ',' ? "digits must come before the decimal comma (0,5)"
          : i == int_begin                              ? "it is not a number"
                                                        : "a '.' separates groups of three digits (1.234,5)";
    return std::nullopt;
  }
  if (grouped && group != 3) {
    why = "a '.' separates groups of three digits (1.234,5); the decimal separator is ','";
    return std::nullopt;
  }
  if (i < s.size() && s[i] == ',') {
    plain.push_back('.');
    const std::size_t frac_begin = ++i;
    while (i < s.size() && is_digit(s[i])) plain.push_back(s[i++]);
    if (i == frac_begin) {
      why = "digits must follow the decimal comma";
      return std::nullopt;
    }
    if (i < s.size() && s[i] == ',') {
      why = "it has more than one decimal comma";
      return std::nullopt;
    }
  }
  if (i != s.size()) {
    why = "it is not a number";
    return std::nullopt;
  }
  auto d = decimal::parse(plain);
  if (!d) why = "it has more digits than an amount can hold (at most 18 significant digits and 18 decimals)";
  return d;
}

std::string fold_case(std::string_view text) {
  std::string out(text);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c + 32);
    } else if (c == 0xC3 && i + 1 < out.size()) {
      // U+00C0..U+00DE (except U+00D7 ×) are upper-case Latin-1 letters: their lower case is +0x20.
      const auto d = static_cast<unsigned char>(out[i + 1]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) out[i + 1] = static_cast<char>(d + 0x20);
      ++i;
    }
  }
  return out;
}

std::string_view trim(std::string_view s) noexcept {
  auto space_at_front = [&]() -> std::size_t {
    if (s.empty()) return 0;
    if (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n') return 1;
    return s.starts_with("\xC2\xA0") ? 2 : 0;
  };
  auto space_at_back = [&]() -> std::size_t {
    if (s.empty()) return 0;
    if (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n') return 1;
    return s.ends_with("\xC2\xA0") ? 2 : 0;
  };
  for (std::size_t n; (n = space_at_front()) != 0;) s.remove_prefix(n);
  for (std::size_t n; (n = space_at_back()) != 0;) s.remove_suffix(n);
  return s;
}

std::size_t indent_of(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == ' ' || s[i] == '\t') {
      ++i;
    } else if (s.substr(i).starts_with("\xC2\xA0")) {
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

std::string keyword_of(std::string_view name) {
  std::string text;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '<') {
      const std::size_t close = name.find('>', i);
      if (close != std::string_view::npos) {
        i = close;
        continue;
      }
    }
    text.push_back(name[i]);
  }
  std::string_view t = trim(text);
  if (t.ends_with(':')) t = trim(t.substr(0, t.size() - 1));
  return fold_case(t);
}

std::string slug(std::string_view name, char separator) {
  const std::string folded = fold_case(name);
  std::string out;
  bool pending = false;  // a separator is due before the next letter
  auto emit = [&](std::string_view letters) {
    if (pending && !out.empty()) out.push_back(separator);
    pending = false;
    out += letters;
  };
  for (std::size_t i = 0; i < folded.size();) {
    const auto c = static_cast<unsigned char>(folded[i]);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      emit(std::string_view(&folded[i], 1));
      ++i;
      continue;
    }
    if (c == 0xC3 && i + 1 < folded.size()) {
      const auto d = static_cast<unsigned char>(folded[i + 1]);
      std::string_view spelled;
      switch (d) {
        case 0xA6: spelled = "ae"; break;  // æ
        case 0xB8: spelled = "oe"; break;  // ø
        case 0xA5: spelled = "aa"; break;  // å
        case 0xA4: spelled = "ae"; break;  // ä
        case 0xB6: spelled = "oe"; break;  // ö
        case 0xBC: spelled = "ue"; break;  // ü
        case 0x9F: spelled = "ss"; break;  // ß
        case 0xA0: case 0xA1: case 0xA2: case 0xA3: spelled = "a"; break;
        case 0xA7: spelled = "c"; break;
        case 0xA8: case 0xA9: case 0xAA: case 0xAB: spelled = "e"; break;
        case 0xAC: case 0xAD: case 0xAE: case 0xAF: spelled = "i"; break;
        case 0xB1: spelled = "n"; break;
        case 0xB2: case 0xB3: case 0xB4: case 0xB5: spelled = "o"; break;
        case 0xB9: case 0xBA: case 0xBB: spelled = "u"; break;
        case 0xBD: case 0xBF: spelled = "y"; break;
        default: break;
      }
      if (!spelled.empty()) {
        emit(spelled);
        i += 2;
        continue;
      }
    }
    pending = true;
    const std::size_t n = utf8_length(folded, i);
    i += n == 0 ? 1 : n;
  }
  return out;
}

}  // namespace fundcheck::engine::csv_text
