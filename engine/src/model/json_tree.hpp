#pragma once
// A small JSON document tree that remembers where every key and value stood in its text: the
// CSV importer reads mapping files with it, so that a mistake in a mapping is reported at its
// line and column. Meant for small hand-written files, not for proposals (see load_json.cpp).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fundcheck::engine::json_tree {

enum class kind : std::uint8_t { null, boolean, number, string, array, object };

struct node;

struct member {
  std::string key;
  std::uint32_t key_offset = 0;  // of the key's opening quote
  std::uint32_t key_end = 0;     // after its closing quote
  std::unique_ptr<node> value;
};

struct node {
  json_tree::kind kind = json_tree::kind::null;
  std::uint32_t offset = 0;  // first byte of the value
  std::uint32_t end = 0;     // after a scalar's token; offset + 1 for arrays and objects
  bool flag = false;         // boolean
  std::string text;          // string: unescaped; number: the token as written
  std::vector<member> members;   // object, in document order (duplicate keys kept)
  std::vector<node> elements;    // array

  const node* find(std::string_view key) const noexcept;  // first member with this key
  std::string_view raw_token(std::string_view source) const noexcept { return source.substr(offset, end - offset); }
};

struct parse_failure {
  std::string_view code;  // input_error::invalid_json or too_deep
  std::uint32_t offset = 0;
  std::string message;
};

// Parses a whole document (a UTF-8 byte order mark at the start is skipped; offsets count from
// the start of `text`). Never throws for bad input.
std::optional<parse_failure> parse(std::string_view text, std::size_t max_depth, node& out);

// "a string", "a number", "an object", …, for messages.
std::string_view describe(kind k) noexcept;

}  // namespace fundcheck::engine::json_tree
