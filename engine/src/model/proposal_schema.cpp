// Generates the JSON Schema of a proposal format from its schema definition, so that the
// editor schema in docs/ never drifts from what the loader accepts.
#include "fundcheck/engine/proposal_schema.hpp"

#include <nlohmann/json.hpp>

#include "model/dimensions.hpp"

namespace fundcheck::engine {
namespace {

using json = nlohmann::ordered_json;

std::string str(std::string_view s) { return std::string(s); }

// The page of docs/ that explains the format for people.
std::string_view doc_page(const schema& s) {
  return s.format == budget_form_schema().format ? "docs/budget-form-format.md" : "docs/proposal-format.md";
}

json field_schema(const field_def& f) {
  json j;
  const bool nullable = !f.required;  // the loader reads null as "absent" for optional fields
  auto type = [&](const char* t) {
    if (nullable) {
      j["type"] = json::array({t, "null"});
    } else {
      j["type"] = t;
    }
  };
  switch (f.type) {
    case field_type::text:
      type("string");
      if (!f.allowed.empty()) {
        json values = json::array();
        for (std::string_view v : f.allowed) values.push_back(str(v));
        if (nullable) values.push_back(nullptr);
        j["enum"] = std::move(values);
      }
      if (!f.default_text.empty()) j["default"] = str(f.default_text);
      break;
    case field_type::number:
      type("number");
      break;
    case field_type::boolean:
      type("boolean");
      break;
    case field_type::amounts:
      j["$ref"] = "#/$defs/amounts";
      break;
    case field_type::records:
      type("array");
      j["items"] = {{"$ref", "#/$defs/" + str(f.record)}};
      break;
  }
  j["description"] = str(f.doc);
  return j;
}

json record_schema(const record_def& r) {
  json j;
  j["type"] = "object";
  j["description"] = str(r.doc);
  json properties = json::object();
  json required = json::array();
  for (const field_def& f : r.fields) {
    properties[str(f.name)] = field_schema(f);
    if (f.required) required.push_back(str(f.name));
  }
  j["properties"] = std::move(properties);
  if (!required.empty()) j["required"] = std::move(required);
  j["additionalProperties"] = false;
  return j;
}

}  // namespace

std::string proposal_json_schema(const schema& s) {
  json root;
  root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  root["title"] = str(s.format);
  const record_def& top = s.records.front();
  root["description"] = str(top.doc) + " (generated from the fundcheck schema; see " + str(doc_page(s)) + ")";

  json doc = record_schema(top);
  root["type"] = "object";
  json properties = doc["properties"];
  json required = doc.contains("required") ? doc["required"] : json::array();

  properties[str(dimensions::years_key)] = {
      {"type", "array"},
      {"items", {{"type", "integer"}, {"minimum", 1}, {"maximum", 9999}}},
      {"minItems", 1},
      {"description", str(dimensions::years_doc)},
  };
  properties[str(dimensions::columns_key)] = {
      {"type", "array"},
      {"items", {{"$ref", "#/$defs/column"}}},
      {"minItems", 1},
      {"description", str(dimensions::columns_doc)},
  };
  required.push_back(str(dimensions::years_key));
  required.push_back(str(dimensions::columns_key));
  for (const collection_def& c : s.collections) {
    properties[str(c.name)] = {
        {"type", "array"},
        {"items", {{"$ref", "#/$defs/" + str(c.record)}}},
        {"description", str(c.doc)},
    };
    if (c.required) required.push_back(str(c.name));
  }
  root["properties"] = std::move(properties);
  root["required"] = std::move(required);
  root["additionalProperties"] = false;

  json defs = json::object();
  defs["column"] = {
      {"description", str(dimensions::column_doc)},
      {"oneOf",
       json::array({
           {{"$ref", "#/$defs/column_id"}},
           {{"type", "object"},
            {"properties",
             {{"id", {{"$ref", "#/$defs/column_id"}}},
              {"label", {{"type", "string"}, {"description", str(dimensions::label_doc)}}}}},
            {"required", json::array({"id"})},
            {"additionalProperties", false}},
       })},
  };
  defs["column_id"] = {
      {"type", "string"},
      {"pattern", str(dimensions::column_id_pattern)},
      {"description", str(dimensions::column_id_doc)},
  };
  defs["amounts"] = {
      {"type", "object"},
      {"description", str(dimensions::amounts_doc)},
      {"additionalProperties",
       {{"oneOf",
         json::array({
             {{"type", json::array({"number", "null"})}},
             {{"type", "object"},
              {"propertyNames", {{"pattern", "^[1-9][0-9]{0,3}$"}}},
              {"additionalProperties", {{"type", json::array({"number", "null"})}}}},
         })}}},
  };
  for (std::size_t i = 1; i < s.records.size(); ++i) defs[str(s.records[i].name)] = record_schema(s.records[i]);
  root["$defs"] = std::move(defs);
  return root.dump(2) + "\n";
}

}  // namespace fundcheck::engine
