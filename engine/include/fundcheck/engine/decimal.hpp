#pragma once
// Exact decimal numbers for amounts: a 64-bit coefficient and a scale (digits after the point).
// No binary floating point anywhere: 0.1 + 0.2 == 0.3 exactly. Operations that would lose
// digits or overflow report failure instead of rounding silently.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fundcheck::engine {

enum class rounding : std::uint8_t {
  half_away_from_zero,  // commercial rounding, as spreadsheets do: 2.45 -> 2.5, -2.45 -> -2.5
  half_even,            // banker's rounding: 2.45 -> 2.4, 2.55 -> 2.6
  toward_zero,
};

class decimal {
 public:
  static constexpr int max_scale = 18;

  constexpr decimal() noexcept = default;
  // The value coefficient * 10^-scale; scale must be in [0, max_scale].
  constexpr decimal(std::int64_t coefficient, int scale) noexcept
      : coefficient_(coefficient), scale_(static_cast<std::uint8_t>(scale)) {}
  static constexpr decimal from_int(std::int64_t v) noexcept { return decimal(v, 0); }

  // Parses "42", "-3.1", "0.3117", "1e3", "2.5E-2" (JSON number syntax, also a leading '+').
  // Keeps the written scale: "42.0" has scale 1. Fails on anything else, or when the value
  // needs more than 18 significant digits or 18 decimals.
  static std::optional<decimal> parse(std::string_view text) noexcept;

  constexpr std::int64_t coefficient() const noexcept { return coefficient_; }
  constexpr int scale() const noexcept { return scale_; }
  constexpr bool is_zero() const noexcept { return coefficient_ == 0; }
  constexpr bool is_negative() const noexcept { return coefficient_ < 0; }

  // Checked arithmetic: returns false (and leaves out unspecified) on overflow. The result of
  // add/subtract has the larger scale; multiply has the sum of the scales (trailing zeros are
  // dropped when needed to fit).
  // (add, subtract and the comparison are defined below the class: inline for equal scales.)
  // (multiply is defined below the class: inline when the product fits.)
  // a / b rounded to `scale` decimals (half even); false on division by zero or overflow.
  friend bool divide(decimal a, decimal b, int scale, decimal& out) noexcept;

  // Rounds to `decimals` digits after the point (0..max_scale); the result has exactly that
  // scale (2.8 rounded to 2 decimals is 2.80). False on overflow.
  bool round(int decimals, rounding mode, decimal& out) const noexcept;
  // Same value with a larger scale (2.8 -> 2.80); false on overflow or if scale < this->scale().
  bool rescale(int scale, decimal& out) const noexcept;
  decimal negated() const noexcept { return decimal(-coefficient_, scale_); }
  decimal abs() const noexcept { return coefficient_ < 0 ? negated() : *this; }
  // The number of decimals actually needed (2.50 -> 1).
  int significant_scale() const noexcept;


  // "42.0", "-0.3117": exactly the scale, '.' as decimal point, no exponent.
  std::string to_string() const;
  // Formatted for people: `decimals` digits (rounded half away from zero, or -1 to keep the
  // scale), the given decimal point and thousands separator (0 for none).
  std::string format(int decimals, char decimal_point, char thousands_separator) const;

 private:
  std::int64_t coefficient_ = 0;
  std::uint8_t scale_ = 0;
};

// The general cases, out of line: operands of different scales, and results that do not fit
// the fast paths below.
bool add_general(decimal a, decimal b, decimal& out) noexcept;
bool multiply_general(decimal a, decimal b, decimal& out) noexcept;
bool subtract_general(decimal a, decimal b, decimal& out) noexcept;
std::strong_ordering compare_general(decimal a, decimal b) noexcept;

// Amounts of one table mostly share a scale; then these are a machine add or compare, inline
// (the evaluator calls them for every amount it sums or compares). Same results as the general
// case, which the fast path only skips when it would give the same value.
namespace detail {
inline constexpr std::int64_t pow10[] = {1,
                                         10,
                                         100,
                                         1000,
                                         10000,
                                         100000,
                                         1000000,
                                         10000000,
                                         100000000,
                                         1000000000,
                                         10000000000,
                                         100000000000,
                                         1000000000000,
                                         10000000000000,
                                         100000000000000,
                                         1000000000000000,
                                         10000000000000000,
                                         100000000000000000,
                                         1000000000000000000};
// a's coefficient at the larger scale `scale`; false on overflow.
inline bool widen(decimal a, int scale, std::int64_t& out) noexcept {
  return !__builtin_mul_overflow(a.coefficient(), pow10[scale - a.scale()], &out);
}
}  // namespace detail

inline bool add(decimal a, decimal b, decimal& out) noexcept {
  std::int64_t sum;
  if (a.scale() == b.scale()) {
    if (!__builtin_add_overflow(a.coefficient(), b.coefficient(), &sum)) {
      out = decimal(sum, a.scale());
      return true;
    }
  } else {
    // Different scales (an amount and a rounding radius): exact in 64 bits when it fits.
    const int scale = a.scale() > b.scale() ? a.scale() : b.scale();
    std::int64_t x, y;
    if (detail::widen(a, scale, x) && detail::widen(b, scale, y) && !__builtin_add_overflow(x, y, &sum)) {
      out = decimal(sum, scale);
      return true;
    }
  }
  return add_general(a, b, out);
}

// The product has the sum of the scales when it fits; otherwise the general case drops
// trailing zeros to make it fit.
inline bool multiply(decimal a, decimal b, decimal& out) noexcept {
  std::int64_t product;
  if (a.scale() + b.scale() <= decimal::max_scale &&
      !__builtin_mul_overflow(a.coefficient(), b.coefficient(), &product)) {
    out = decimal(product, a.scale() + b.scale());
    return true;
  }
  return multiply_general(a, b, out);
}
inline bool subtract(decimal a, decimal b, decimal& out) noexcept {
  std::int64_t diff;
  if (a.scale() == b.scale()) {
    if (!__builtin_sub_overflow(a.coefficient(), b.coefficient(), &diff)) {
      out = decimal(diff, a.scale());
      return true;
    }
  } else {
    const int scale = a.scale() > b.scale() ? a.scale() : b.scale();
    std::int64_t x, y;
    if (detail::widen(a, scale, x) && detail::widen(b, scale, y) && !__builtin_sub_overflow(x, y, &diff)) {
      out = decimal(diff, scale);
      return true;
    }
  }
  return subtract_general(a, b, out);
}

// Numeric comparison, independent of scale: 2.8 == 2.80.
inline std::strong_ordering operator<=>(decimal a, decimal b) noexcept {
  if (a.scale() == b.scale()) return a.coefficient() <=> b.coefficient();
  const int scale = a.scale() > b.scale() ? a.scale() : b.scale();
  std::int64_t x, y;
  if (detail::widen(a, scale, x) && detail::widen(b, scale, y)) return x <=> y;
  return compare_general(a, b);
}
inline bool operator==(decimal a, decimal b) noexcept { return (a <=> b) == 0; }

// Half of one unit in the last place of a value reported with `decimals` decimals:
// 0.05 for 1 decimal. The radius of the interval a rounded figure stands for.
decimal half_unit_general(int decimals) noexcept;
inline decimal half_unit(int decimals) noexcept {
  // Every amount read computes this: inline for the usual 0..17 decimals.
  if (decimals >= 0 && decimals < decimal::max_scale) return decimal(5, decimals + 1);
  return half_unit_general(decimals);
}

}  // namespace fundcheck::engine
