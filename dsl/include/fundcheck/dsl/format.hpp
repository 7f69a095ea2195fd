#pragma once
// The canonical layout of rule files (`fundcheck fmt`): parses a file, prints it again from its
// syntax tree with every comment put back, and checks that the result means the same.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fundcheck/dsl/ast.hpp"
#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/dsl/source.hpp"

namespace fundcheck::dsl {

struct format_options {
  std::size_t width = 100;  // lines are broken to stay within this many code points where they can
};

enum class format_status {
  ok,             // `text` holds the formatted file
  syntax_error,   // the file does not parse (or is not UTF-8, or too large): nothing to format
  not_equivalent  // a formatter bug: the result would not mean the same; `text` is empty
};

struct format_result {
  format_status status = format_status::ok;
  std::string text;
  // The syntax errors (E1xxx), or for not_equivalent the E1901 diagnostic naming the first
  // declaration or comment that would have changed.
  std::vector<diagnostic> diagnostics;
  bool ok() const noexcept { return status == format_status::ok; }
};

// Formats one rule file. Never throws for bad input. Literals (numbers, strings, messages, rule
// titles) are printed exactly as written; every comment is kept, in order. Before returning ok the
// result is parsed again and compared with the original: same declarations, same expressions
// (apart from positions and redundant parentheses), same doc comments, same comment texts.
// Thread-safe: no shared state.
format_result format_rules(const source_ptr& source, const format_options& options = {});

// The comments of a parsed file, in order: each from its '#' to the end of its line, trailing
// whitespace removed. `file` must be the tree parsed from `source` (it tells strings apart from
// comments).
std::vector<std::string> comment_texts(const source_file& source, const ast::rule_file& file);

// True when two trees are equal apart from source positions: the same declarations with the same
// names, literals (as written), operators, clauses, messages and doc comments.
bool same_tree(const ast::rule_file& a, const ast::rule_file& b);

// The source text of an expression on one line, as reports quote it: a rule may spread an
// expression over several lines (fmt does with long ones) and put comments in it. Comments are
// dropped and line breaks become one space (none just inside brackets); strings are untouched.
std::string single_line(std::string_view expression_text);

// A unified diff (3 lines of context, `--- old_label` / `+++ new_label` headers) that turns
// old_text into new_text; empty when they are equal. Lines are split at '\n'; a last line without
// one is marked "\ No newline at end of file", as diff(1) does.
std::string unified_diff(std::string_view old_text, std::string_view new_text,
                         std::string_view old_label, std::string_view new_label);

}  // namespace fundcheck::dsl
