#pragma once
// Proposals from spreadsheet tables: a CSV export of an allocation table, plus an optional
// mapping file (JSON) for what a table cannot say (ids, channels, recipients, transfers, …),
// built directly into the proposal model so that findings point at the CSV's line:col.
// The CSV dialect, the mapping format and the "heraf" rules are in docs/csv-import.md.

#include <filesystem>

#include "fundcheck/dsl/source.hpp"
#include "fundcheck/engine/proposal.hpp"

namespace fundcheck::engine {

// Builds a proposal from a CSV table and, if given, its mapping. `csv` holds the file's bytes
// as read (UTF-8 with or without BOM, or Windows-1252); `mapping` may be null. Input errors
// (E32xx for the table, E30xx/E32xx for the mapping) and warnings (W32xx: every place where the
// structure had to be guessed) are diagnostics located in the file they concern. A file that is
// read as Windows-1252 is transcoded: the proposal's source() is then the UTF-8 text under the
// same path, whose lines and columns are those of the original file. Never throws for bad input.
load_result load_proposal_csv(dsl::source_ptr csv, const dsl::source_ptr* mapping, const load_limits& limits = {});

// The mapping file that belongs beside a table: "dir/table.csv" -> "dir/table.mapping.json".
std::filesystem::path mapping_path_for(const std::filesystem::path& csv);

// True when the path names a CSV table (extension ".csv", in any case).
bool is_csv_path(const std::filesystem::path& path);

// Reads the table and its mapping, then load_proposal_csv. Without `mapping`, the file
// mapping_path_for(csv) is used when it exists; a mapping that is given but cannot be read, and
// a table that cannot be read, are diagnostics (E3002, E3003).
load_result load_proposal_csv_file(const std::filesystem::path& csv, const std::filesystem::path* mapping,
                                   const load_limits& limits = {});

}  // namespace fundcheck::engine
