#pragma once
// The rule file grammar module (rule_file_def.hpp, instantiated in rule_file.cpp): a rule file
// is a list of declarations. parse.cpp reaches it through rule_file().

#include "parser/config.hpp"
#include "parser/syntax.hpp"

namespace fundcheck::dsl::parser {

namespace rule_file_grammar {
struct rule_file_class;
using rule_file_type = x3::rule<rule_file_class, syntax::rule_file>;
BOOST_SPIRIT_DECLARE(rule_file_type)
}  // namespace rule_file_grammar

// A whole rule file. Syntax errors are recorded in the parse state (x3::get<state_tag>) and
// parsing resumes at the next declaration; declarations with errors are left out.
const rule_file_grammar::rule_file_type& rule_file();

}  // namespace fundcheck::dsl::parser
