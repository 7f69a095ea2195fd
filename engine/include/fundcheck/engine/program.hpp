#pragma once
// A compiled rule set: typed expression nodes in one flat array, definitions and rules in
// evaluation (topological) order, and the dependency graph they came from. Immutable once built
// and safe to share between threads (one program, many concurrent evaluations).

#include <cstdint>
#include <string>
#include <vector>

#include "fundcheck/dsl/ast.hpp"
#include "fundcheck/dsl/source.hpp"
#include "fundcheck/engine/decimal.hpp"
#include "fundcheck/engine/proposal.hpp"

namespace fundcheck::engine {

enum class type_kind : std::uint8_t { none, number, string, boolean, record, column, list };

// A static type. Lists are one level deep: list<number>, list<item>, list<column>, ...
struct type {
  type_kind kind = type_kind::none;
  std::uint8_t record = 0;                 // record: index into schema::records
  type_kind element = type_kind::none;     // list: element kind
  std::uint8_t element_record = 0;         // list of records: their record index

  static type number() { return {type_kind::number}; }
  static type string() { return {type_kind::string}; }
  static type boolean() { return {type_kind::boolean}; }
  static type column() { return {type_kind::column}; }
  static type of_record(int r) { return {type_kind::record, static_cast<std::uint8_t>(r)}; }
  static type list_of(type e) {
    return {type_kind::list, 0, e.kind, e.record};
  }
  type element_type() const { return {element, element_record}; }
  friend bool operator==(const type&, const type&) = default;
};

std::string to_string(const type& t, const schema& s);

// Node operations. Operands a/b/c are node indices unless noted.
enum class op : std::uint8_t {
  constant,        // a: index into program::constants
  param,           // a: parameter index
  definition,      // a: definition index
  variable,        // a: variable slot
  collection,      // a: schema collection index (top-level rows)
  all_records,     // a: record type index (every row of the table)
  years,           // list of the proposal's years
  first_year,
  columns,         // the declared columns, as column values
  root,            // the proposal record
  field,           // a: record node, b: field index (text/number/boolean/records fields)
  parent,          // a: record node (items): the parent row, absent at top level
  depth,           // a: record node (items): 0 at top level
  amount,          // a: record node, b: declared column index; first year
  amount_dynamic,  // a: record node, b: column-valued node; first year
  amount_year,     // a: record node, b: declared column index, c: year node
  amount_dynamic_year,  // a: record node, b: column node, c: year node
  negate, logical_not,
  add, subtract, multiply, divide,
  equal, not_equal, less, less_equal, greater, greater_equal,
  approx_equal,    // a ~= b
  within,          // a == b within c
  in, not_in,
  logical_and, logical_or, implies,
  conditional,     // a ? b : c
  list,            // elements: args[a .. a+b) in program::arguments
  comprehension,   // see comprehension_info at index a
  sum, count, min, max, any, all,  // a: list node
  round, round_even,  // a: number, b: decimals node
  abs, min2, max2, present, coalesce, decimals, one, len,
};

struct node {
  op code = op::constant;
  type result;
  bool invariant = false;  // depends on no variable: the same value for the whole evaluation
  std::uint32_t a = 0, b = 0, c = 0;
  std::uint16_t file = 0;  // index into program::sources
  dsl::span where;
};

struct comprehension_info {
  std::uint32_t element = 0;   // node
  std::uint32_t source = 0;    // node producing the list
  std::uint32_t filter = 0;    // node, or no_node
  std::uint32_t slot = 0;      // variable slot of the loop variable
  // An equality join the evaluator may answer from a hash index instead of a scan: the filter
  // requires `var.<join_field> == <join_key>` where the source does not depend on any variable
  // and join_key does not depend on the loop variable. The whole filter is still applied to
  // each candidate. no_node when the filter has no such conjunct.
  std::uint32_t join_read = 0xffffffffu;  // the `var.field` node (text field of the element)
  std::uint32_t join_key = 0xffffffffu;   // the other side
};

inline constexpr std::uint32_t no_node = 0xffffffffu;

// The operand nodes of a node (at most 3), for passes that walk the tree. Lists and
// comprehensions keep their operands elsewhere (program::arguments, comprehension_info) and
// report none here; leaves report none.
int node_children(const node& n, std::uint32_t out[3]) noexcept;

// A runtime constant (literals, parameter defaults).
struct constant_value {
  type t;
  decimal number{};
  std::string text;
  bool flag = false;
};

struct param_def {
  std::string name;
  std::uint16_t file = 0;
  dsl::span where;       // the name
  constant_value default_value;
  std::string doc;
};

struct definition_def {
  std::string name;
  std::uint16_t file = 0;
  dsl::span where;       // the name
  std::uint32_t body = no_node;
  std::string doc;
  std::vector<std::uint32_t> depends_on;  // definition indices (direct)
};

struct loop_def {
  std::uint32_t slot = 0;
  std::uint32_t source = no_node;
  std::uint32_t filter = no_node;
  std::string var;
  // When the filter is an equality join on an invariant source (see comprehension_info), the
  // comprehension entry describing it, so the evaluator can use the same hash index.
  std::uint32_t join = no_node;
};

// What to compare and report for a rule's `expect`.
struct check_def {
  std::uint32_t expect = no_node;  // the whole condition
  std::uint32_t lhs = no_node;     // comparison operands, when the condition is a comparison
  std::uint32_t rhs = no_node;
  std::uint32_t anchor = no_node;  // the proposal value a finding points at (a field read), if any
  std::uint32_t lhs_slot = 0, rhs_slot = 0;  // variable slots of `lhs`/`rhs` in the message
};

struct message_part {
  std::string text;
  std::uint32_t hole = no_node;
};

struct rule_def {
  std::string id;
  dsl::ast::severity severity = dsl::ast::severity::error;
  std::string title;
  std::string doc;
  std::uint16_t file = 0;
  dsl::span where;       // the id
  std::vector<loop_def> loops;
  std::uint32_t when = no_node;
  check_def check;
  std::vector<message_part> message;  // empty: use the title
  std::vector<std::uint32_t> depends_on;  // definition indices (direct)
  std::vector<std::uint32_t> params;      // parameter indices (direct)
};

class program {
 public:
  const schema* schema_def = nullptr;
  std::vector<dsl::source_ptr> sources;
  std::vector<node> nodes;
  std::vector<std::uint32_t> arguments;  // list literal elements
  std::vector<comprehension_info> comprehensions;
  std::vector<constant_value> constants;
  std::vector<std::string> columns;      // declared columns, in declaration order
  std::vector<param_def> params;
  std::vector<definition_def> definitions;  // in evaluation order (dependencies first)
  std::vector<rule_def> rules;              // in source order
  std::uint32_t variable_slots = 0;
  std::string hash;  // SHA-256 of the sources, hex; identifies the rule set version

  // The source text of a node ("sum(s.region for s in item.subitems)").
  std::string_view text_of(std::uint32_t node_index) const;
  int param_index(std::string_view name) const noexcept;
  int rule_index(std::string_view id) const noexcept;
};

}  // namespace fundcheck::engine
