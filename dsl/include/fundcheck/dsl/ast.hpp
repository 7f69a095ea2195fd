#pragma once
// The abstract syntax tree of a rule file. Plain structs, no parser types: every node keeps its
// byte range in the source so later phases (type checking, evaluation, reports) can point at it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fundcheck/dsl/source.hpp"

namespace fundcheck::dsl::ast {

struct expression;
// Owning pointer to a sub-expression; never null in a successfully parsed tree.
using expr_ptr = std::unique_ptr<expression>;

enum class unary_op : std::uint8_t { negate, logical_not };

enum class binary_op : std::uint8_t {
  add, subtract, multiply, divide,
  equal, not_equal, less, less_equal, greater, greater_equal,
  approx_equal,  // `~=`: rounding-aware equality (intervals overlap)
  in, not_in,    // membership in a list
  logical_and, logical_or, implies,
};

struct number_literal {
  std::string text;  // as written, e.g. "0.3117"; converted to an exact decimal later
};
struct string_literal {
  std::string value;  // escapes resolved, UTF-8
};
struct bool_literal {
  bool value = false;
};
struct none_literal {};  // `none`: the absent value

struct name_ref {
  std::string name;
};
struct field_access {  // object.field
  expr_ptr object;
  std::string field;
  span field_span;
};
struct index_access {  // object[index], e.g. item.region[2027]
  expr_ptr object;
  expr_ptr index;
};
struct unary {
  unary_op op{};
  expr_ptr operand;
};
struct binary {
  binary_op op{};
  expr_ptr lhs;
  expr_ptr rhs;
  span op_span;
  // `a == b within t`: only with op == equal; the absolute tolerance t.
  expr_ptr tolerance;
};
struct conditional {  // if c then a else b
  expr_ptr condition;
  expr_ptr then_branch;
  expr_ptr else_branch;
};
struct list_literal {  // [a, b, c]
  std::vector<expression> elements;
};
struct comprehension {  // `element for var in source where filter`, inside [...] or a call
  expr_ptr element;
  std::string var;
  span var_span;
  expr_ptr source;
  expr_ptr filter;  // may be null
};
struct call {  // name(args); an aggregate's single argument may be a comprehension
  std::string function;
  span name_span;
  std::vector<expression> args;
};

using expression_node =
    std::variant<number_literal, string_literal, bool_literal, none_literal, name_ref, field_access,
                 index_access, unary, binary, conditional, list_literal, comprehension, call>;

struct expression {
  span where;
  expression_node node;
};

// A message with `{expression}` holes, e.g. "{item.name}: {sum} ≠ {item.region}".
struct template_part {
  std::string text;                     // literal text (escapes resolved), when !hole
  std::optional<expression> hole;       // an interpolated expression
};
struct message_template {
  span where;
  std::vector<template_part> parts;
};

enum class severity : std::uint8_t { error, warning, note };

struct format_decl {  // format "fundcheck/budget-form@1": the proposals this file checks
  span where;
  std::string value;
  span value_span;
};

struct import_decl {  // import "common.rules"
  span where;
  std::string path;
  span path_span;
};

struct identifier {
  std::string name;
  span where;
};

struct columns_decl {  // columns national, region
  span where;
  std::vector<identifier> names;
};

struct param_decl {  // param key = 0.3117
  span where;
  identifier name;
  expression default_value;
  std::string doc;  // from `##` lines directly above
};

struct let_decl {  // let blok_rows = [r for r in items where r.channel == "block"]
  span where;
  identifier name;
  expression value;
  std::string doc;
};

struct for_clause {  // for item in items where item.national != none
  span where;
  identifier var;
  expression source;
  std::optional<expression> filter;
};

struct rule_decl {
  span where;
  identifier id;  // e.g. KPV-SUM-01
  severity level = severity::error;
  span level_span;
  std::string title;
  span title_span;
  std::vector<for_clause> loops;    // nested, outermost first
  std::optional<expression> when;   // skip a binding unless true
  expression expect;                // must hold for every binding
  std::optional<message_template> message;
  std::string doc;
};

using declaration = std::variant<import_decl, columns_decl, param_decl, let_decl, rule_decl, format_decl>;

struct rule_file {
  std::vector<declaration> declarations;
};

}  // namespace fundcheck::dsl::ast
