// Slow path of the JSON loader: only runs when simdjson has rejected a document, to tell the
// user where and why. nlohmann's SAX parser is iterative, but the depth scan runs first anyway
// so no code path here depends on that.
#include "model/json_fallback.hpp"

#include <nlohmann/json.hpp>

#include "model/input_errors.hpp"

namespace fundcheck::engine::json_fallback {
namespace {

using json = nlohmann::json;

// Accepts everything; records the first parse error. Depth is checked again as a safeguard.
struct null_handler {
  std::size_t max_depth = 0;
  std::size_t depth = 0;
  bool too_deep = false;
  std::size_t error_position = 0;
  std::string error_what;
  int error_id = 0;
  bool failed = false;

  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const json::string_t&) { return true; }
  bool string(json::string_t&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) { return open(); }
  bool key(json::string_t&) { return true; }
  bool end_object() { return close(); }
  bool start_array(std::size_t) { return open(); }
  bool end_array() { return close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) {
    failed = true;
    error_position = position;
    error_what = ex.what();
    error_id = ex.id;
    return false;
  }

  bool open() {
    if (++depth > max_depth) {
      too_deep = true;
      return false;
    }
    return true;
  }
  bool close() {
    --depth;
    return true;
  }
};

// "[json.exception.parse_error.101] parse error at line 1, column 9: syntax error while parsing
// object key - unexpected '}'; expected string literal" -> "unexpected '}'; expected string
// literal". The "last read" excerpt is dropped: the caret shows the place.
std::string explain(const std::string& what) {
  std::string text = what;
  if (const auto dash = text.find(" - "); text.find("syntax error while parsing") != std::string::npos &&
                                          dash != std::string::npos) {
    text.erase(0, dash + 3);
  } else if (const auto close = text.find("] "); close != std::string::npos) {
    text.erase(0, close + 2);
  }
  if (const auto lr = text.find("; last read: '"); lr != std::string::npos) {
    const auto expected = text.find("'; expected", lr);
    if (expected != std::string::npos) {
      text.erase(lr, expected + 1 - lr);
    } else {
      text.erase(lr);
    }
  }
  return text;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

std::optional<std::uint32_t> find_too_deep(std::string_view json_text, std::size_t max_depth) noexcept {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < json_text.size(); ++i) {
    const char c = json_text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        if (++depth > max_depth) return static_cast<std::uint32_t>(i);
        break;
      case '}':
      case ']':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return std::nullopt;
}

std::optional<syntax_error> find_syntax_error(std::string_view json_text, std::size_t max_depth) {
  if (const auto deep = find_too_deep(json_text, max_depth)) {
    return syntax_error{input_error::too_deep, *deep,
                        "nesting deeper than " + std::to_string(max_depth) + " levels"};
  }
  std::size_t first = 0;
  while (first < json_text.size() && is_space(json_text[first])) ++first;
  if (first == json_text.size()) {
    return syntax_error{input_error::invalid_json, static_cast<std::uint32_t>(json_text.size()),
                        "invalid JSON: the input is empty"};
  }

  null_handler handler;
  handler.max_depth = max_depth;
  const bool ok = json::sax_parse(json_text.begin(), json_text.end(), &handler, json::input_format_t::json,
                                  /*strict=*/true, /*ignore_comments=*/false);
  if (ok) return std::nullopt;
  if (handler.too_deep) {
    return syntax_error{input_error::too_deep, 0, "nesting deeper than " + std::to_string(max_depth) + " levels"};
  }
  if (!handler.failed) return std::nullopt;

  // nlohmann counts the characters read: the offending one is the last of them.
  std::size_t offset = handler.error_position == 0 ? 0 : handler.error_position - 1;
  if (offset > json_text.size()) offset = json_text.size();
  // UTF-16 and NUL bytes: nlohmann says "invalid literal" or "unexpected end of input" there,
  // which tells the reader nothing about the file. Only on this error path: a valid proposal
  // pays nothing for it.
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(json_text[i]); };
  if (json_text.size() >= 2 && ((byte(0) == 0xFF && byte(1) == 0xFE) || (byte(0) == 0xFE && byte(1) == 0xFF))) {
    return syntax_error{input_error::invalid_json, 0,
                        "invalid JSON: the file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8"};
  }
  if (const auto nul = json_text.substr(0, offset + 1).find('\0'); nul != std::string_view::npos) {
    // An ASCII character next to a NUL at the very start is how UTF-16 text looks.
    const bool utf16 = nul <= 1 && json_text.size() >= 2 && (byte(0) == 0) != (byte(1) == 0);
    return syntax_error{input_error::invalid_json, static_cast<std::uint32_t>(nul),
                        utf16 ? "invalid JSON: the file is UTF-16 without a byte order mark (it holds NUL bytes); "
                                "save it as UTF-8"
                              : "invalid JSON: a NUL byte (0x00), which JSON text cannot hold"};
  }
  std::string message;
  const std::string_view at = json_text.substr(offset);
  const bool nan_or_infinity = at.starts_with("NaN") || at.starts_with("Infinity") ||
                               at.starts_with("-Infinity") || at.starts_with("-NaN") ||
                               (offset > 0 && json_text[offset - 1] == '-' && at.starts_with("Infinity"));
  if (handler.error_id == 406) {
    message = "invalid JSON: number out of range";
    // nlohmann reports the end of the number; point at its start instead.
    while (offset > 0 && json_text[offset - 1] != ':' && json_text[offset - 1] != '[' &&
           json_text[offset - 1] != ',' && !is_space(json_text[offset - 1])) {
      --offset;
    }
  } else if (nan_or_infinity) {
    if (at.starts_with("Infinity") && offset > 0 && json_text[offset - 1] == '-') --offset;
    message = "invalid JSON: NaN and Infinity are not JSON numbers";
  } else {
    message = "invalid JSON: " + explain(handler.error_what);
    if (message.starts_with("invalid JSON: invalid literal")) {
      // nlohmann stops where the literal stopped matching; point at its start ("tru" in "tru}").
      auto is_word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
      while (offset > 0 && is_word(json_text[offset - 1])) --offset;
    }
  }
  return syntax_error{input_error::invalid_json, static_cast<std::uint32_t>(offset), std::move(message)};
}

}  // namespace fundcheck::engine::json_fallback
