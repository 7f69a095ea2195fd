#pragma once
// Writing a proposal back out as JSON in the format of docs/proposal-format.md, e.g. to keep and
// review a table imported from a spreadsheet (`fundcheck import`).

#include <string>

#include "fundcheck/engine/proposal.hpp"

namespace fundcheck::engine {

// The proposal as canonical JSON: keys in the order of the schema (the document's fields, then
// "years", "columns", then the collections), every value that is present written explicitly
// (defaults and inherited values included), amounts exactly as held (42.0 stays 42.0; per year
// when the proposal has more than one year), two-space indentation, a trailing newline. Loading
// the result with load_proposal_json gives an equal model (only the offsets differ).
std::string proposal_to_json(const proposal& p);

}  // namespace fundcheck::engine
