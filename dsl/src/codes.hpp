#pragma once
// The stable diagnostic codes of the rule language's syntax (E1xxx); docs/diagnostics.md lists
// each with an example. Never reuse or renumber a code.

namespace fundcheck::dsl::codes {

inline constexpr const char* expected = "E1001";  // expected X, found Y
inline constexpr const char* unterminated_string = "E1002";
inline constexpr const char* invalid_escape = "E1003";
inline constexpr const char* unexpected_character = "E1004";
inline constexpr const char* nesting_too_deep = "E1005";
inline constexpr const char* file_too_large = "E1006";
inline constexpr const char* invalid_utf8 = "E1007";
inline constexpr const char* chained_comparison = "E1008";
inline constexpr const char* keyword_as_name = "E1009";
inline constexpr const char* cannot_read = "E1010";
inline constexpr const char* import_cycle = "E1011";
inline constexpr const char* import_not_found = "E1012";
inline constexpr const char* unmatched_brace = "E1013";
inline constexpr const char* comprehension_arity = "E1014";
inline constexpr const char* misplaced_within = "E1015";
// fundcheck fmt (E19xx).
inline constexpr const char* format_not_equivalent = "E1901";

}  // namespace fundcheck::dsl::codes
