#pragma once
// A JSON Schema (draft 2020-12) for proposals of a schema, for editors and other tools.
// docs/proposal.schema.json is this text for allocation_schema(), docs/budget-form.schema.json
// for budget_form_schema(); a test keeps them equal.

#include <string>

#include "fundcheck/engine/proposal.hpp"

namespace fundcheck::engine {

// The JSON Schema text (two-space indentation, a final newline). It states what the loader
// checks per value: types, required keys, allowed texts, defaults, no unknown keys. What it
// cannot state (unique ids, amount columns and years declared in the same document) the loader
// checks itself. Deterministic: the same schema gives the same bytes.
std::string proposal_json_schema(const schema& s);

}  // namespace fundcheck::engine
