#pragma once
// The root keys of a proposal that are not record fields: the amount columns and the years
// (they shape the tables instead of filling cells). Shared by the loader and the JSON Schema.

#include <string_view>

namespace fundcheck::engine::dimensions {

inline constexpr std::string_view years_key = "years";
inline constexpr std::string_view columns_key = "columns";

inline constexpr std::string_view years_doc =
    "The years the amounts are for, strictly increasing; an amount written without a year is for the first";
inline constexpr std::string_view columns_doc =
    "The amount columns, e.g. national and region: an id, or an object with an id and a label";
inline constexpr std::string_view column_doc = "An amount column: its id, or {\"id\", \"label\"}";
inline constexpr std::string_view label_doc = "The column's heading as printed (default: the id)";
inline constexpr std::string_view column_id_doc =
    "Column id, a name in rules (item.region): letters, digits and _, not starting with a digit";
// ECMA-262 regex for the check in the loader (non-ASCII letters are allowed as any code point
// from U+0080).
inline constexpr std::string_view column_id_pattern = "^[A-Za-z_\\u0080-\\uFFFF][A-Za-z0-9_\\u0080-\\uFFFF]*$";
inline constexpr std::string_view amounts_doc =
    "Per column id: a number (the first year), null (no amount), or an object of numbers per year (\"2026\": 5.0)";

}  // namespace fundcheck::engine::dimensions
