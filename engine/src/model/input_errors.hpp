#pragma once
// Codes of the proposal input errors (E30xx), shared by the loaders. Every code is documented
// with an example in docs/diagnostics.md ("Proposal input errors"); codes are never reused.

#include <string_view>

namespace fundcheck::engine::input_error {

inline constexpr std::string_view invalid_json = "E3001";       // syntax, encoding, empty input
inline constexpr std::string_view unreadable_file = "E3002";    // missing or unreadable file
inline constexpr std::string_view too_large = "E3003";          // load_limits::max_bytes
inline constexpr std::string_view too_deep = "E3004";           // load_limits::max_depth
inline constexpr std::string_view too_many_records = "E3005";   // load_limits::max_records
inline constexpr std::string_view wrong_type = "E3010";         // expected a number, got "2,8"
inline constexpr std::string_view missing_field = "E3011";      // missing required field
inline constexpr std::string_view unknown_field = "E3012";      // unknown field; did you mean
inline constexpr std::string_view duplicate_key = "E3013";      // the same key twice in an object
inline constexpr std::string_view not_allowed = "E3014";        // "blok" is not one of block, direct
inline constexpr std::string_view number_range = "E3015";       // more digits than a decimal holds
inline constexpr std::string_view duplicate_id = "E3016";       // two records with the same id
inline constexpr std::string_view unknown_column = "E3017";     // amounts key not in "columns"
inline constexpr std::string_view unknown_year = "E3018";       // amounts year not in "years"
inline constexpr std::string_view invalid_years = "E3019";      // "years" not increasing whole years
inline constexpr std::string_view invalid_columns = "E3020";    // bad or duplicate column id
inline constexpr std::string_view invalid_decimals = "E3021";   // "decimals" not a whole 0..18

}  // namespace fundcheck::engine::input_error
