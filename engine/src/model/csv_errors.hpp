#pragma once
// Codes of the spreadsheet (CSV) input errors and warnings (E32xx, W32xx), used by the CSV
// importer. Every code is documented with an example in docs/diagnostics.md ("Spreadsheet input
// errors"); codes are never reused. Problems in a mapping file's proposal keys use the E30xx codes
// of input_errors.hpp, since those keys mean what they mean in a JSON proposal.

#include <string_view>

namespace fundcheck::engine::csv_error {

inline constexpr std::string_view undecodable = "E3201";       // neither UTF-8 nor Windows-1252
inline constexpr std::string_view empty = "E3202";             // no header line
inline constexpr std::string_view bad_quotes = "E3203";        // unterminated quote, text after a quote
inline constexpr std::string_view bad_number = "E3204";        // "4,2,1", "abc"
inline constexpr std::string_view ragged_row = "E3205";        // a value beyond the header's columns
inline constexpr std::string_view unknown_heading = "E3206";   // a heading that names no column
inline constexpr std::string_view invalid_header = "E3207";    // the header as a whole: years, duplicates
inline constexpr std::string_view orphan_heraf = "E3208";      // "heraf" with no row above it
inline constexpr std::string_view marker_amounts = "E3209";    // a "heraf" row holding amounts
inline constexpr std::string_view unnamed_row = "E3210";       // amounts without a row name
inline constexpr std::string_view unmatched_mapping = "E3211"; // a mapping row the table lacks
inline constexpr std::string_view bad_parent = "E3212";        // a "parent" that cannot hold the row
inline constexpr std::string_view unclassified_total = "E3213";// a total whose kind or section is unknown

inline constexpr std::string_view guessed_group = "W3201";     // where a heraf group ends was guessed
inline constexpr std::string_view guessed_section = "W3202";   // a row after its section's "I alt"

}  // namespace fundcheck::engine::csv_error
