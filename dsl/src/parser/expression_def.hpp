#pragma once
// Grammar of expressions (docs/language.md, "Expressions"), lowest precedence first. Every
// target of `>` is a named rule or a literal, so expectation failures name what was expected in
// the user's terms. Only expression.cpp includes this file.

#include <string_view>

#include "parser/annotation.hpp"
#include "parser/ast_adapted.hpp"
#include "parser/config.hpp"
#include "parser/expression.hpp"
#include "parser/lexical.hpp"

namespace fundcheck::dsl::parser::expression_grammar {

// depth_guard[p]: parses p one nesting level deeper. Past limits.max_nesting it throws an
// expectation failure carrying nesting_too_deep_marker, which the declaration's error handler
// turns into a diagnostic: the recursion of the grammar, and so the stack, stays bounded
// whatever the input.
template <typename Subject>
struct depth_guard_directive : x3::unary_parser<Subject, depth_guard_directive<Subject>> {
  using base_type = x3::unary_parser<Subject, depth_guard_directive<Subject>>;
  static const bool is_pass_through_unary = true;
  static const bool handles_container = Subject::handles_container;

  constexpr depth_guard_directive(const Subject& subject) : base_type(subject) {}

  template <typename Iterator, typename Context, typename RContext, typename Attribute>
  bool parse(Iterator& first, const Iterator& last, const Context& context, RContext& rcontext,
             Attribute& attr) const {
    parse_state& state = x3::get<state_tag>(context);
    if (state.depth >= state.limits.max_nesting) {
      Iterator at = first;
      x3::skip_over(at, last, context);
      throw x3::expectation_failure<Iterator>(at, nesting_too_deep_marker);
    }
    ++state.depth;
    struct leave {
      std::size_t& depth;
      ~leave() { --depth; }
    } const guard{state.depth};
    return this->subject.parse(first, last, context, rcontext, attr);
  }
};

struct depth_guard_gen {
  template <typename Subject>
  constexpr depth_guard_directive<typename x3::extension::as_parser<Subject>::value_type>
  operator[](const Subject& subject) const {
    return {x3::as_parser(subject)};
  }
};
inline constexpr depth_guard_gen depth_guard{};

// Operators are matched with x3::raw and mapped from their text, so each token node gets its
// own span without a rule per operator.
constexpr ast::binary_op binary_op_from(std::string_view text) {
  using op = ast::binary_op;
  if (text == "+") return op::add;
  if (text == "-") return op::subtract;
  if (text == "*") return op::multiply;
  if (text == "/") return op::divide;
  if (text == "==") return op::equal;
  if (text == "!=") return op::not_equal;
  if (text == "<") return op::less;
  if (text == "<=") return op::less_equal;
  if (text == ">") return op::greater;
  if (text == ">=") return op::greater_equal;
  if (text == "~=") return op::approx_equal;
  if (text == "in") return op::in;
  if (text == "and") return op::logical_and;
  if (text == "or") return op::logical_or;
  if (text == "implies") return op::implies;
  return op::not_in;  // "not" whitespace "in"
}

inline constexpr auto set_binary_token = [](auto& ctx) {
  auto& node = x3::_val(ctx);
  const auto& range = x3::_attr(ctx);
  node.op = binary_op_from(std::string_view(range.begin(), range.size()));
  tag_from_range(node, ctx, range);
};
inline constexpr auto set_unary_token = [](auto& ctx) {
  auto& node = x3::_val(ctx);
  const auto& range = x3::_attr(ctx);
  node.op = *range.begin() == '-' ? ast::unary_op::negate : ast::unary_op::logical_not;
  tag_from_range(node, ctx, range);
};
inline constexpr auto set_number = [](auto& ctx) {
  auto& node = x3::_val(ctx);
  const auto& range = x3::_attr(ctx);
  node.text.assign(range.begin(), range.end());
  tag_from_range(node, ctx, range);
};
inline constexpr auto set_keyword_literal = [](auto& ctx) {
  auto& node = x3::_val(ctx);
  const auto& range = x3::_attr(ctx);
  const std::string_view text(range.begin(), range.size());
  node.kind = text == "true"    ? syntax::literal_kind::true_value
              : text == "false" ? syntax::literal_kind::false_value
                                : syntax::literal_kind::none;
  tag_from_range(node, ctx, range);
};
inline constexpr auto set_index = [](auto& ctx) {
  x3::_val(ctx).index = std::move(x3::_attr(ctx));
};

struct digit_byte {
  constexpr bool operator()(unsigned char c) const noexcept { return bytes::is_digit(c); }
};
inline constexpr byte_parser<digit_byte> digit{};

inline const x3::symbols<> comparison_symbols({"==", "!=", "<", "<=", ">", ">=", "~="});

// Rule IDs; those deriving from annotate_position record their node's span.
struct expression_class {};
struct if_expr_class : annotate_position {};
struct implies_level_class : annotate_position {};
struct implies_operation_class : annotate_position {};
struct or_level_class : annotate_position {};
struct or_operation_class : annotate_position {};
struct and_operation_class : annotate_position {};
struct additive_operation_class : annotate_position {};
struct multiplicative_operation_class : annotate_position {};
struct and_level_class : annotate_position {};
struct not_level_class {};
struct logical_not_class : annotate_position {};
struct nested_not_level_class {};
struct comparison_level_class : annotate_position {};
struct comparison_tail_class {};
struct tolerance_class {};
struct no_chained_comparison_class {};
struct additive_level_class : annotate_position {};
struct multiplicative_level_class : annotate_position {};
struct unary_level_class {};
struct negation_class : annotate_position {};
struct nested_unary_class {};
struct postfix_class : annotate_position {};
struct index_suffix_class : annotate_position {};
struct index_suffix_value_class {};
struct primary_class {};
struct parenthesized_class {};
struct list_class : annotate_position {};
struct name_or_call_class : annotate_position {};
struct expression_name_class : annotate_position {};
struct call_arguments_class : annotate_position {};
struct comprehension_tail_class : annotate_position {};
struct filter_class {};
struct variable_name_class : annotate_position {};
struct field_name_class : annotate_position {};
struct number_class {};
struct keyword_literal_class {};
struct columns_name_class {};
struct binary_op_class {};
struct implies_op_class {};
struct or_op_class {};
struct and_op_class {};
struct comparison_op_class {};
struct additive_op_class {};
struct multiplicative_op_class {};
struct negate_op_class {};
struct not_op_class {};
struct close_paren_class {};
struct close_bracket_class {};
struct then_keyword_class {};
struct else_keyword_class {};
struct in_keyword_class {};

const expression_type expression = "expression";
const x3::rule<if_expr_class, syntax::if_expr> if_expression = "expression";
const x3::rule<implies_level_class, syntax::chain> implies_level = "expression";
const x3::rule<implies_operation_class, syntax::operation> implies_operation = "expression";
const x3::rule<or_level_class, syntax::chain> or_level = "expression";
const x3::rule<or_operation_class, syntax::operation> or_operation = "expression";
const x3::rule<and_operation_class, syntax::operation> and_operation = "expression";
const x3::rule<additive_operation_class, syntax::operation> additive_operation = "expression";
const x3::rule<multiplicative_operation_class, syntax::operation> multiplicative_operation =
    "expression";
const x3::rule<and_level_class, syntax::chain> and_level = "expression";
const x3::rule<not_level_class, syntax::expr> not_level = "expression";
const x3::rule<logical_not_class, syntax::unary_expr> logical_not = "expression";
const x3::rule<nested_not_level_class, syntax::expr> nested_not_level = "expression";
const x3::rule<comparison_level_class, syntax::comparison> comparison_level = "expression";
const x3::rule<comparison_tail_class, syntax::comparison_tail> comparison_tail = "comparison";
const x3::rule<tolerance_class, syntax::expr> tolerance = "'within'";
const x3::rule<no_chained_comparison_class> no_chained_comparison = chained_comparison_marker;
const x3::rule<additive_level_class, syntax::chain> additive_level = "expression";
const x3::rule<multiplicative_level_class, syntax::chain> multiplicative_level = "expression";
const x3::rule<unary_level_class, syntax::expr> unary_level = "expression";
const x3::rule<negation_class, syntax::unary_expr> negation = "expression";
const x3::rule<nested_unary_class, syntax::expr> nested_unary = "expression";
const x3::rule<postfix_class, syntax::postfix_expr> postfix = "expression";
const x3::rule<index_suffix_class, syntax::index_suffix> index_suffix = "index";
const x3::rule<index_suffix_value_class, syntax::index_suffix> index_suffix_value = "index";
const x3::rule<primary_class, syntax::expr> primary = "expression";
const x3::rule<parenthesized_class, syntax::expr> parenthesized = "expression";
const x3::rule<list_class, syntax::bracketed> list = "list";
const x3::rule<name_or_call_class, syntax::name_or_call> name_or_call = "name";
const x3::rule<expression_name_class, syntax::identifier> expression_name = "name";
const x3::rule<call_arguments_class, syntax::bracketed> call_arguments = "arguments";
const x3::rule<comprehension_tail_class, syntax::binding> comprehension_tail = "'for'";
const x3::rule<filter_class, syntax::expr> filter = "'where'";
const x3::rule<variable_name_class, syntax::identifier> variable_name = "variable name";
const x3::rule<field_name_class, syntax::identifier> field_name = "field name";
const x3::rule<number_class, syntax::number> number = "number";
const x3::rule<keyword_literal_class, syntax::keyword_literal> keyword_literal = "literal";
const x3::rule<columns_name_class, syntax::identifier> columns_name = "name";
const x3::rule<implies_op_class, syntax::binary_token> implies_op = "'implies'";
const x3::rule<or_op_class, syntax::binary_token> or_op = "'or'";
const x3::rule<and_op_class, syntax::binary_token> and_op = "'and'";
const x3::rule<comparison_op_class, syntax::binary_token> comparison_op = "comparison operator";
const x3::rule<additive_op_class, syntax::binary_token> additive_op = "'+' or '-'";
const x3::rule<multiplicative_op_class, syntax::binary_token> multiplicative_op = "'*' or '/'";
const x3::rule<negate_op_class, syntax::unary_token> negate_op = "'-'";
const x3::rule<not_op_class, syntax::unary_token> not_op = "'not'";
const x3::rule<close_paren_class> close_paren = "')'";
const x3::rule<close_bracket_class> close_bracket = "']'";
const x3::rule<then_keyword_class> then_keyword = "'then'";
const x3::rule<else_keyword_class> else_keyword = "'else'";
const x3::rule<in_keyword_class> in_keyword = "'in'";

// Precedence levels, lowest first. Binary levels collect `first (op rhs)*` into a chain; the
// conversion folds it. Only prefix operators and whole sub-expressions recurse, each through
// depth_guard.
const auto expression_def = depth_guard[if_expression | implies_level];
const auto if_expression_def =
    kw("if") > expression > then_keyword > expression > else_keyword > expression;
const auto implies_level_def = or_level >> *implies_operation;
const auto implies_operation_def = implies_op > or_level;
const auto or_level_def = and_level >> *or_operation;
const auto or_operation_def = or_op > and_level;
const auto and_level_def = not_level >> *and_operation;
const auto and_operation_def = and_op > not_level;
const auto not_level_def = logical_not | comparison_level;
const auto logical_not_def = not_op > nested_not_level;
const auto nested_not_level_def = depth_guard[not_level];
// Comparisons do not chain: after one, another comparison operator is an error of its own.
const auto comparison_level_def = additive_level >> -comparison_tail;
const auto comparison_tail_def =
    comparison_op > additive_level > -tolerance > no_chained_comparison;
const auto tolerance_def = kw("within") > additive_level;
const auto no_chained_comparison_def = !comparison_op;
const auto additive_level_def = multiplicative_level >> *additive_operation;
const auto additive_operation_def = additive_op > multiplicative_level;
const auto multiplicative_level_def = unary_level >> *multiplicative_operation;
const auto multiplicative_operation_def = multiplicative_op > unary_level;
const auto unary_level_def = negation | postfix;
const auto negation_def = negate_op > nested_unary;
const auto nested_unary_def = depth_guard[unary_level];
const auto postfix_def = primary >> *((x3::lit('.') > field_name) | index_suffix);
const auto index_suffix_def = index_suffix_value;
const auto index_suffix_value_def = (x3::lit('[') > expression > close_bracket)[set_index];
const auto primary_def =
    number | string_literal | keyword_literal | list | parenthesized | name_or_call;
const auto parenthesized_def = x3::lit('(') > expression > close_paren;
const auto list_def = x3::lit('[') >> -(expression >> *(x3::lit(',') > expression)) >>
                      -comprehension_tail > close_bracket;
const auto name_or_call_def = expression_name >> -call_arguments;
// `columns` is a keyword (the declaration) and also the name of the declared columns.
const auto expression_name_def = identifier | columns_name;
const auto call_arguments_def = x3::lit('(') >> -(expression >> *(x3::lit(',') > expression)) >>
                                -comprehension_tail > close_paren;
const auto comprehension_tail_def = kw("for") > variable_name > in_keyword > expression > -filter;
const auto filter_def = kw("where") > expression;
const auto variable_name_def = identifier;
const auto field_name_def = identifier;

const auto number_def =
    x3::raw[x3::lexeme[+digit >> -(x3::lit('.') >> +digit) >> !name_char]][set_number];
const auto keyword_literal_def =
    x3::raw[kw("true") | kw("false") | kw("none")][set_keyword_literal];
const auto columns_name_def = x3::raw[kw("columns")][set_identifier];
const auto implies_op_def = x3::raw[kw("implies")][set_binary_token];
const auto or_op_def = x3::raw[kw("or")][set_binary_token];
const auto and_op_def = x3::raw[kw("and")][set_binary_token];
const auto comparison_op_def =
    x3::raw[comparison_symbols | kw("in") | (kw("not") >> kw("in"))][set_binary_token];
const auto additive_op_def = x3::raw[x3::char_("+-")][set_binary_token];
const auto multiplicative_op_def = x3::raw[x3::char_("*/")][set_binary_token];
const auto negate_op_def = x3::raw[x3::lit('-')][set_unary_token];
const auto not_op_def = x3::raw[kw("not")][set_unary_token];
const auto close_paren_def = x3::lit(')');
const auto close_bracket_def = x3::lit(']');
const auto then_keyword_def = kw("then");
const auto else_keyword_def = kw("else");
const auto in_keyword_def = kw("in");

BOOST_SPIRIT_DEFINE(expression, if_expression, implies_level, implies_operation, or_level,
                    or_operation, and_level, and_operation, additive_operation,
                    multiplicative_operation, not_level, logical_not, nested_not_level,
                    comparison_level, comparison_tail, tolerance, no_chained_comparison,
                    additive_level, multiplicative_level, unary_level, negation, nested_unary,
                    postfix, index_suffix, index_suffix_value, primary, parenthesized, list,
                    name_or_call, expression_name, call_arguments, comprehension_tail, filter,
                    variable_name, field_name, number, keyword_literal, columns_name, implies_op,
                    or_op, and_op, comparison_op, additive_op, multiplicative_op, negate_op, not_op,
                    close_paren, close_bracket, then_keyword, else_keyword, in_keyword)

}  // namespace fundcheck::dsl::parser::expression_grammar

namespace fundcheck::dsl::parser {

const expression_grammar::expression_type& expression() { return expression_grammar::expression; }

}  // namespace fundcheck::dsl::parser
