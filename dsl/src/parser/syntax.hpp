#pragma once
// The parser's own syntax tree: what the X3 grammar fills in directly (x3::variant,
// forward_ast, boost::optional). parse.cpp converts it into the public plain-struct AST
// (fundcheck/dsl/ast.hpp) and drops it; nothing outside dsl/src/ sees these types.

#include <cstdint>
#include <string>
#include <vector>

#include <boost/optional.hpp>
#include <boost/spirit/home/x3/support/ast/variant.hpp>

#include "fundcheck/dsl/ast.hpp"

namespace fundcheck::dsl::parser::syntax {

namespace x3 = boost::spirit::x3;

// Byte offsets [begin, end) of a node, set by the on_success hook of the rule that parsed it
// (annotation.hpp); leading whitespace and comments are not part of a node.
struct tagged {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

struct nil {};

struct number : tagged {
  std::string text;
};
struct string_token : tagged {
  std::string value;  // escapes resolved
};
enum class literal_kind : std::uint8_t { true_value, false_value, none };
struct keyword_literal : tagged {
  literal_kind kind{};
};
struct identifier : tagged {
  std::string name;
};
struct binary_token : tagged {
  ast::binary_op op{};
};
struct unary_token : tagged {
  ast::unary_op op{};
};

struct name_or_call;
struct bracketed;
struct unary_expr;
struct postfix_expr;
struct chain;
struct comparison;
struct if_expr;

struct expr : x3::variant<nil, number, string_token, keyword_literal, x3::forward_ast<name_or_call>,
                          x3::forward_ast<bracketed>, x3::forward_ast<unary_expr>,
                          x3::forward_ast<postfix_expr>, x3::forward_ast<chain>,
                          x3::forward_ast<comparison>, x3::forward_ast<if_expr>> {
  using base_type::base_type;
  using base_type::operator=;
};

// `for VAR in SOURCE [where FILTER]`: a rule's quantifier or a comprehension's tail.
struct binding : tagged {
  identifier var;
  expr source;
  boost::optional<expr> filter;
};

// `[a, b]`, `[e for v in l where c]`, and a call's `(a, b)` or `(e for v in l)`. The grammar
// accepts a tail after several elements; the conversion rejects that with a diagnostic.
struct bracketed : tagged {
  std::vector<expr> elements;
  boost::optional<binding> comprehension;
};

struct name_or_call : tagged {
  identifier name;
  boost::optional<bracketed> arguments;  // present for a call
};

struct unary_expr : tagged {
  unary_token op;
  expr operand;
};

struct index_suffix : tagged {  // [index]
  expr index;
};
// `.name` (the identifier) or `[index]`.
struct suffix : x3::variant<identifier, index_suffix> {
  using base_type::base_type;
  using base_type::operator=;
};

struct postfix_expr : tagged {
  expr base;
  std::vector<suffix> suffixes;
};

struct operation : tagged {  // from the operator to the end of the right operand
  binary_token op;
  expr rhs;
};

// `first op rhs op rhs ...` at one precedence level: folded to the left, or to the right for
// `implies`, by the conversion.
struct chain : tagged {
  expr first;
  std::vector<operation> rest;
};

struct comparison_tail {
  binary_token op;
  expr rhs;
  boost::optional<expr> tolerance;  // `within T`
};
struct comparison : tagged {
  expr lhs;
  boost::optional<comparison_tail> tail;
};

struct if_expr : tagged {
  expr condition;
  expr then_branch;
  expr else_branch;
};

// Declarations.

struct hole : tagged {  // `{expr}` inside a message
  expr value;
};
struct message_part : x3::variant<std::string, hole> {
  using base_type::base_type;
  using base_type::operator=;
};
struct message_template : tagged {
  std::vector<message_part> parts;
};

struct severity_token : tagged {
  ast::severity level{};
};

struct format_decl : tagged {
  string_token value;
};
struct import_decl : tagged {
  string_token path;
};
struct columns_decl : tagged {
  std::vector<identifier> names;
};
struct param_decl : tagged {
  identifier name;
  expr value;
};
struct let_decl : tagged {
  identifier name;
  expr value;
};
struct rule_decl : tagged {
  identifier id;
  severity_token level;
  string_token title;
  std::vector<binding> loops;
  boost::optional<expr> when;
  expr expect;
  boost::optional<message_template> message;
};

struct declaration : x3::variant<import_decl, columns_decl, param_decl, let_decl, rule_decl, format_decl> {
  using base_type::base_type;
  using base_type::operator=;
};

using rule_file = std::vector<declaration>;

}  // namespace fundcheck::dsl::parser::syntax
