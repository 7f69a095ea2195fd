#pragma once
// The expression grammar module (expression_def.hpp, instantiated in expression.cpp). Other
// modules reach it through expression().

#include "parser/config.hpp"
#include "parser/syntax.hpp"

namespace fundcheck::dsl::parser {

namespace expression_grammar {
struct expression_class;
using expression_type = x3::rule<expression_class, syntax::expr>;
BOOST_SPIRIT_DECLARE(expression_type)
}  // namespace expression_grammar

// Any expression, from `if ... then ... else ...` down to literals.
const expression_grammar::expression_type& expression();

}  // namespace fundcheck::dsl::parser
