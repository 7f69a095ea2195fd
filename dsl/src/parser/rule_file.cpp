// Instantiates the rule file grammar for the iterator and context of config.hpp.
#include "parser/rule_file_def.hpp"

namespace fundcheck::dsl::parser::rule_file_grammar {

BOOST_SPIRIT_INSTANTIATE(rule_file_type, iterator_type, context_type)

}  // namespace fundcheck::dsl::parser::rule_file_grammar
