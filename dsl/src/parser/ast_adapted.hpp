#pragma once
// Fusion adaptation of the parser's syntax tree (syntax.hpp) for X3's attribute propagation.
// Nodes with a single member are filled by semantic actions instead: X3 handles one-element
// fusion sequences poorly.

#include <boost/fusion/include/adapt_struct.hpp>

#include "parser/syntax.hpp"

BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::binding, var, source, filter)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::bracketed, elements, comprehension)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::name_or_call, name, arguments)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::unary_expr, op, operand)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::postfix_expr, base, suffixes)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::operation, op, rhs)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::chain, first, rest)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::comparison_tail, op, rhs, tolerance)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::comparison, lhs, tail)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::if_expr, condition, then_branch,
                          else_branch)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::param_decl, name, value)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::let_decl, name, value)
BOOST_FUSION_ADAPT_STRUCT(fundcheck::dsl::parser::syntax::rule_decl, id, level, title, loops, when,
                          expect, message)
