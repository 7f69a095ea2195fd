// The mapping-file tree: nlohmann (via json_fallback) explains syntax errors; a valid document
// is then walked with simdjson On-Demand, whose raw tokens give every value's offset.
#include "model/json_tree.hpp"

#include <simdjson.h>

#include "model/input_errors.hpp"
#include "model/json_fallback.hpp"

namespace fundcheck::engine::json_tree {
namespace {

namespace od = simdjson::ondemand;

class builder {
 public:
  builder(const char* base, std::size_t bom) : base_(base), bom_(bom) {}

  bool build(od::value v, node& out) {
    std::string_view token = v.raw_json_token();
    while (!token.empty() && (token.back() == ' ' || token.back() == '\n' || token.back() == '\r' || token.back() == '\t')) {
      token.remove_suffix(1);
    }
    out.offset = offset_of(token.data());
    out.end = out.offset + static_cast<std::uint32_t>(token.size());
    od::json_type type;
    if (v.type().get(type)) return false;
    switch (type) {
      case od::json_type::object: {
        out.kind = kind::object;
        out.end = out.offset + 1;
        od::object obj;
        if (v.get_object().get(obj)) return false;
        for (auto field_result : obj) {
          od::field f;
          if (std::move(field_result).get(f)) return false;
          member m;
          const char* key_start = f.key().raw();  // after the opening quote
          m.key_offset = offset_of(key_start) - 1;
          std::string_view key;
          if (f.unescaped_key().get(key)) return false;
          m.key = std::string(key);
          const char* quote = key_start;
          while (*quote != '"') quote += *quote == '\\' ? 2 : 1;
          m.key_end = offset_of(quote) + 1;
          m.value = std::make_unique<node>();
          if (!build(f.value(), *m.value)) return false;
          out.members.push_back(std::move(m));
        }
        return true;
      }
      case od::json_type::array: {
        out.kind = kind::array;
        out.end = out.offset + 1;
        od::array arr;
        if (v.get_array().get(arr)) return false;
        for (auto element_result : arr) {
          od::value element;
          if (std::move(element_result).get(element)) return false;
          node child;
          if (!build(element, child)) return false;
          out.elements.push_back(std::move(child));
        }
        return true;
      }
      case od::json_type::string: {
        out.kind = kind::string;
        std::string_view s;
        if (v.get_string().get(s)) return false;
        out.text = std::string(s);
        return true;
      }
      case od::json_type::number:
        out.kind = kind::number;
        out.text = std::string(token);
        return true;
      case od::json_type::boolean: {
        out.kind = kind::boolean;
        bool b = false;
        if (v.get_bool().get(b)) return false;
        out.flag = b;
        return true;
      }
      case od::json_type::null:
        out.kind = kind::null;
        return !v.is_null().error();
    }
    return false;
  }

 private:
  std::uint32_t offset_of(const char* p) const noexcept {
    return static_cast<std::uint32_t>(p - base_) + static_cast<std::uint32_t>(bom_);
  }
  const char* base_;
  std::size_t bom_;
};

}  // namespace

const node* node::find(std::string_view key) const noexcept {
  for (const member& m : members) {
    if (m.key == key) return m.value.get();
  }
  return nullptr;
}

std::optional<parse_failure> parse(std::string_view text, std::size_t max_depth, node& out) {
  const std::size_t bom = text.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  const std::string_view json = text.substr(bom);
  if (auto err = json_fallback::find_syntax_error(json, max_depth)) {
    return parse_failure{err->code, err->offset + static_cast<std::uint32_t>(bom), std::move(err->message)};
  }
  simdjson::padded_string padded(json);
  od::parser parser;
  od::document doc;
  auto failed = [&] {
    // nlohmann accepted the text, simdjson did not (should not happen).
    return parse_failure{input_error::invalid_json, static_cast<std::uint32_t>(bom), "invalid JSON"};
  };
  if (parser.iterate(padded).get(doc)) return failed();
  od::value root;
  // A scalar document cannot be taken as a value by On-Demand; a mapping must be an object anyway.
  bool is_object = false;
  {
    od::json_type type;
    if (doc.type().get(type)) return failed();
    is_object = type == od::json_type::object;
  }
  if (!is_object) {
    std::size_t at = 0;
    while (at < json.size() && (json[at] == ' ' || json[at] == '\n' || json[at] == '\r' || json[at] == '\t')) ++at;
    out.kind = json[at] == '[' ? kind::array : json[at] == '"' ? kind::string : json[at] == 't' || json[at] == 'f' ? kind::boolean
               : json[at] == 'n'                                ? kind::null
                                                                : kind::number;
    out.offset = static_cast<std::uint32_t>(at + bom);
    out.end = out.offset + 1;
    return std::nullopt;
  }
  if (doc.get_value().get(root)) return failed();
  builder b(padded.data(), bom);
  if (!b.build(root, out)) return failed();
  return std::nullopt;
}

std::string_view describe(kind k) noexcept {
  switch (k) {
    case kind::null: return "null";
    case kind::boolean: return "true or false";
    case kind::number: return "a number";
    case kind::string: return "a string";
    case kind::array: return "an array";
    case kind::object: return "an object";
  }
  return "a value";
}

}  // namespace fundcheck::engine::json_tree
