// Instantiates the expression grammar for the iterator and context of config.hpp.
#include "parser/expression_def.hpp"

namespace fundcheck::dsl::parser::expression_grammar {

BOOST_SPIRIT_INSTANTIATE(expression_type, iterator_type, context_type)

}  // namespace fundcheck::dsl::parser::expression_grammar
