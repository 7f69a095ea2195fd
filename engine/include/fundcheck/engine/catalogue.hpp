#pragma once
// The rule catalogue (`fundcheck doc`): the rules of a rule set described for people who do not
// read rule files. Per proposal format, every rule's id, severity, title, message, what it checks
// in plain words (its `##` doc comment), what it reads from the proposal, the definitions and
// parameters it uses (with defaults), and where it is written; then the parameters and
// definitions themselves. Markdown; deterministic, so a generated file can be kept in git.

#include <string>

#include "fundcheck/engine/rule_set.hpp"

namespace fundcheck::engine {

// The catalogue of every program of the rule set, in schema order. File paths are shown as the
// rule set was loaded with (relative paths stay relative).
std::string rule_catalogue_markdown(const rule_set& rules);

}  // namespace fundcheck::engine
