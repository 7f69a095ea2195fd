#pragma once
// The colour palette of everything fundcheck prints for people (diagnostics and reports), as
// ANSI escape sequences; used only when colour is on (a terminal, and NO_COLOR unset).

#include "fundcheck/dsl/diagnostic.hpp"

namespace fundcheck::dsl::ansi {

inline constexpr const char* reset = "\033[0m";
inline constexpr const char* bold = "\033[1m";
inline constexpr const char* red = "\033[1;31m";
inline constexpr const char* yellow = "\033[1;33m";
inline constexpr const char* cyan = "\033[1;36m";
inline constexpr const char* green = "\033[1;32m";

// Errors red, warnings yellow, notes cyan, as clang does.
constexpr const char* color_of(level l) noexcept {
  switch (l) {
    case level::error: return red;
    case level::warning: return yellow;
    case level::note: return cyan;
  }
  return bold;
}

}  // namespace fundcheck::dsl::ansi
