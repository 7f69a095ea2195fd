#pragma once
// The slow path for malformed JSON: locates and explains the first syntax error with nlohmann's
// SAX parser, after a cheap scan has ruled out nesting deep enough to matter.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fundcheck::engine::json_fallback {

struct syntax_error {
  std::string_view code;  // input_error::invalid_json or input_error::too_deep
  std::uint32_t offset = 0;  // into the text passed in
  std::string message;
};

// Offset of the first bracket that opens nesting level max_depth + 1 (strings are skipped), or
// nullopt. Linear, no recursion; does not validate anything else.
std::optional<std::uint32_t> find_too_deep(std::string_view json, std::size_t max_depth) noexcept;

// The first syntax error in json (a document without BOM), or nullopt when it is valid JSON.
std::optional<syntax_error> find_syntax_error(std::string_view json, std::size_t max_depth);

}  // namespace fundcheck::engine::json_fallback
