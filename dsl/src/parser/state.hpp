#pragma once
// The mutable state of one parse, reachable from every grammar rule through the X3 context:
// the text (to turn iterators into byte offsets), the limits, the current expression nesting
// and the syntax errors found so far. No Spirit types here.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/dsl/parse.hpp"
#include "fundcheck/dsl/source.hpp"

namespace fundcheck::dsl::parser {

struct parse_state {
  source_ptr source;
  std::string_view text;  // the whole source text; offsets are relative to text.data()
  parse_limits limits;
  std::size_t depth = 0;  // active expression nesting (see depth_guard in expression_def.hpp)
  // Where the declaration being parsed starts. X3 leaves the rule's iterator wherever the
  // failed attempt stopped, so the error handler cannot tell.
  std::uint32_t declaration_begin = 0;
  std::vector<diagnostic> diagnostics;

  std::uint32_t offset_of(const char* it) const noexcept {
    return static_cast<std::uint32_t>(it - text.data());
  }
  bool error_limit_reached() const noexcept {
    return limits.max_errors != 0 && diagnostics.size() >= limits.max_errors;
  }
};

// Pseudo rule names carried by expectation failures that are not "expected X" errors.
inline constexpr const char* nesting_too_deep_marker = "<nesting too deep>";
inline constexpr const char* chained_comparison_marker = "<chained comparison>";

}  // namespace fundcheck::dsl::parser
