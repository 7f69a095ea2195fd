// Exact decimal arithmetic. Intermediate results use __int128, which holds the product of two
// int64 coefficients and any int64 coefficient scaled by 10^18, so alignment never overflows.
#include "fundcheck/engine/decimal.hpp"

#include <array>
#include <cstdint>
#include <limits>

namespace fundcheck::engine {
namespace {

__extension__ typedef __int128 i128;  // __extension__: -Wpedantic knows no __int128
__extension__ typedef unsigned __int128 u128;

constexpr std::array<std::int64_t, 19> make_powers() {
  std::array<std::int64_t, 19> p{};
  std::int64_t v = 1;
  for (auto& x : p) {
    x = v;
    if (v <= std::numeric_limits<std::int64_t>::max() / 10) v *= 10;
  }
  return p;
}
constexpr std::array<std::int64_t, 19> pow10 = make_powers();  // 10^0 .. 10^18

constexpr i128 pow10_wide(int n) noexcept {  // n in [0, 36]
  i128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

constexpr i128 int64_min = std::numeric_limits<std::int64_t>::min();
constexpr i128 int64_max = std::numeric_limits<std::int64_t>::max();

constexpr bool fits(i128 v) noexcept { return v >= int64_min && v <= int64_max; }

// Drops trailing zeros (exactly, no rounding) while the value does not fit an int64 coefficient
// with a scale of at most max_scale. Returns false when that is not possible.
bool normalize(i128 coefficient, int scale, decimal& out) noexcept {
  while ((scale > decimal::max_scale || !fits(coefficient)) && scale > 0 && coefficient % 10 == 0) {
    coefficient /= 10;
    --scale;
  }
  if (scale > decimal::max_scale || !fits(coefficient)) return false;
  out = decimal(static_cast<std::int64_t>(coefficient), scale);
  return true;
}

// Divides a magnitude n by a positive d and rounds the quotient per mode (rounding is symmetric
// around zero, so the caller applies the sign).
std::uint64_t divide_rounded64(std::uint64_t n, std::uint64_t d, rounding mode) noexcept {
  std::uint64_t q = n / d;
  const std::uint64_t r = n % d;
  if (r == 0) return q;
  switch (mode) {
    case rounding::toward_zero:
      break;
    case rounding::half_away_from_zero:
      if (r >= d - r) ++q;
      break;
    case rounding::half_even:
      if (r > d - r || (r == d - r && (q & 1) != 0)) ++q;
      break;
  }
  return q;
}

u128 magnitude(std::int64_t v) noexcept {
  return v < 0 ? static_cast<u128>(-static_cast<i128>(v)) : static_cast<u128>(v);
}

// The coefficient rounded to `decimals` digits (as a wide integer; the caller checks the fit).
i128 rounded_coefficient(decimal d, int decimals, rounding mode) noexcept {
  if (decimals >= d.scale()) return static_cast<i128>(d.coefficient()) * pow10_wide(decimals - d.scale());
  // |coefficient| <= 2^63 and the divisor <= 10^18: a 64-bit division (the 128-bit one is a
  // library call several times slower, and every round() of an amount comes here).
  const std::uint64_t q = divide_rounded64(static_cast<std::uint64_t>(magnitude(d.coefficient())),
                                           static_cast<std::uint64_t>(pow10[static_cast<std::size_t>(d.scale() - decimals)]),
                                           mode);
  return d.is_negative() ? -static_cast<i128>(q) : static_cast<i128>(q);
}

void append_digits(std::string& out, u128 v) {
  char buf[40];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  while (n > 0) out.push_back(buf[--n]);
}

// Writes |coefficient| * 10^-scale with the given separators.
std::string render(i128 coefficient, int scale, char point, char thousands) {
  std::string out;
  const bool negative = coefficient < 0;
  const u128 mag = negative ? static_cast<u128>(-coefficient) : static_cast<u128>(coefficient);
  const u128 unit = static_cast<u128>(pow10_wide(scale));
  std::string int_digits;
  append_digits(int_digits, mag / unit);
  if (negative && mag != 0) out.push_back('-');
  if (thousands != 0) {
    const std::size_t n = int_digits.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (i != 0 && (n - i) % 3 == 0) out.push_back(thousands);
      out.push_back(int_digits[i]);
    }
  } else {
    out += int_digits;
  }
  if (scale > 0) {
    out.push_back(point);
    std::string frac;
    append_digits(frac, mag % unit);
    out.append(static_cast<std::size_t>(scale) - frac.size(), '0');
    out += frac;
  }
  return out;
}

}  // namespace

std::optional<decimal> decimal::parse(std::string_view text) noexcept {
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool negative = false;
  if (i < n && text[i] == '+') {
    ++i;
  } else if (i < n && text[i] == '-') {
    negative = true;
    ++i;
  }
  auto is_digit = [&](std::size_t k) { return k < n && text[k] >= '0' && text[k] <= '9'; };
  if (!is_digit(i)) return std::nullopt;

  // Significant digits go into an unsigned accumulator; digits beyond 19 significant ones are
  // counted (they can still be trailing zeros that an exponent or stripping removes).
  std::uint64_t coefficient = 0;
  int significant = 0;   // digits accumulated, leading zeros excluded
  int dropped_zeros = 0; // zero digits after the accumulator filled up (exact powers of ten)
  bool inexact = false;  // a nonzero digit did not fit
  auto take = [&](char c) {
    const int digit = c - '0';
    if (significant == 0 && digit == 0) return;
    if (significant < 19) {
      coefficient = coefficient * 10 + static_cast<std::uint64_t>(digit);
      ++significant;
    } else if (digit == 0) {
      ++dropped_zeros;
    } else {
      inexact = true;
    }
  };

  if (text[i] == '0') {
    ++i;
    if (is_digit(i)) return std::nullopt;  // leading zeros are not JSON
  } else {
    while (is_digit(i)) take(text[i++]);
  }
  int fraction_digits = 0;
  int dropped_fraction_zeros = 0;
  if (i < n && text[i] == '.') {
    ++i;
    if (!is_digit(i)) return std::nullopt;
    while (is_digit(i)) {
      const int before = dropped_zeros;
      take(text[i]);
      if (dropped_zeros != before) {
        ++dropped_fraction_zeros;  // a trailing zero that did not fit: it only adds scale
      }
      ++fraction_digits;
      ++i;
    }
  }
  std::int64_t exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) {
      exponent_negative = text[i] == '-';
      ++i;
    }
    if (!is_digit(i)) return std::nullopt;
    while (is_digit(i)) {
      if (exponent < 100000) exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (i != n) return std::nullopt;
  if (inexact) return std::nullopt;

  // value = coefficient * 10^(dropped_integer_zeros) * 10^-(fraction_digits - dropped_fraction_zeros)
  //         * 10^exponent, where the dropped zeros are those that did not fit the accumulator.
  const int dropped_integer_zeros = dropped_zeros - dropped_fraction_zeros;
  std::int64_t scale = static_cast<std::int64_t>(fraction_digits - dropped_fraction_zeros)
                       - dropped_integer_zeros - exponent;
  if (coefficient == 0) {
    // Zero: keep the written scale where it is representable.
    return decimal(0, static_cast<int>(scale < 0 ? 0 : (scale > max_scale ? max_scale : scale)));
  }
  // Drop trailing zeros while the scale is too large (they carry no value).
  while (scale > max_scale && coefficient % 10 == 0) {
    coefficient /= 10;
    --scale;
  }
  if (scale > max_scale) return std::nullopt;
  // A negative scale: multiply out, still within 18 digits.
  constexpr std::uint64_t limit = 1'000'000'000'000'000'000ULL;  // 10^18: at most 18 digits
  while (scale < 0) {
    if (coefficient >= limit / 10) return std::nullopt;
    coefficient *= 10;
    ++scale;
  }
  // More than 18 significant digits: strip trailing zeros if that is enough.
  while (coefficient >= limit && scale > 0 && coefficient % 10 == 0) {
    coefficient /= 10;
    --scale;
  }
  if (coefficient >= limit) return std::nullopt;
  const auto c = static_cast<std::int64_t>(coefficient);
  return decimal(negative ? -c : c, static_cast<int>(scale));
}

bool add_general(decimal a, decimal b, decimal& out) noexcept {
  const int scale = a.scale() > b.scale() ? a.scale() : b.scale();
  const i128 sum = static_cast<i128>(a.coefficient()) * pow10[static_cast<std::size_t>(scale - a.scale())] +
                   static_cast<i128>(b.coefficient()) * pow10[static_cast<std::size_t>(scale - b.scale())];
  return normalize(sum, scale, out);
}

bool subtract_general(decimal a, decimal b, decimal& out) noexcept {
  const int scale = a.scale() > b.scale() ? a.scale() : b.scale();
  const i128 diff = static_cast<i128>(a.coefficient()) * pow10[static_cast<std::size_t>(scale - a.scale())] -
                    static_cast<i128>(b.coefficient()) * pow10[static_cast<std::size_t>(scale - b.scale())];
  return normalize(diff, scale, out);
}

bool multiply_general(decimal a, decimal b, decimal& out) noexcept {
  const i128 product = static_cast<i128>(a.coefficient()) * static_cast<i128>(b.coefficient());
  return normalize(product, a.scale() + b.scale(), out);
}

bool divide(decimal a, decimal b, int scale, decimal& out) noexcept {
  if (b.is_zero() || scale < 0 || scale > decimal::max_scale) return false;
  // quotient = a.c * 10^(scale + b.scale - a.scale) / b.c, rounded half even.
  const int shift = scale + b.scale() - a.scale();  // in [-18, 36]
  u128 n = magnitude(a.coefficient());
  u128 d = magnitude(b.coefficient());
  if (shift < 0) d *= static_cast<u128>(pow10[static_cast<std::size_t>(-shift)]);  // <= 9.3e36
  // Long division one decimal digit at a time: the remainder stays below d, so r * 10 fits, and
  // the quotient is checked against the int64 range as it grows.
  u128 q = n / d;
  u128 r = n % d;
  const u128 q_limit = static_cast<u128>(int64_max) + 1;
  for (int i = 0; i < shift; ++i) {
    if (q > q_limit) return false;
    r *= 10;
    q = q * 10 + r / d;
    r %= d;
  }
  if (q > q_limit) return false;
  if (r != 0 && (r > d - r || (r == d - r && (q & 1) != 0))) ++q;
  const bool negative = a.is_negative() != b.is_negative();
  const i128 signed_q = negative ? -static_cast<i128>(q) : static_cast<i128>(q);
  if (!fits(signed_q)) return false;
  out = decimal(static_cast<std::int64_t>(signed_q), scale);
  return true;
}

bool decimal::round(int decimals, rounding mode, decimal& out) const noexcept {
  if (decimals < 0 || decimals > max_scale) return false;
  const i128 c = rounded_coefficient(*this, decimals, mode);
  if (!fits(c)) return false;
  out = decimal(static_cast<std::int64_t>(c), decimals);
  return true;
}

bool decimal::rescale(int scale, decimal& out) const noexcept {
  if (scale < this->scale() || scale > max_scale) return false;
  const i128 c = static_cast<i128>(coefficient_) * pow10[static_cast<std::size_t>(scale - this->scale())];
  if (!fits(c)) return false;
  out = decimal(static_cast<std::int64_t>(c), scale);
  return true;
}

int decimal::significant_scale() const noexcept {
  if (coefficient_ == 0) return 0;
  int s = scale_;
  std::int64_t c = coefficient_;
  while (s > 0 && c % 10 == 0) {
    c /= 10;
    --s;
  }
  return s;
}

std::strong_ordering compare_general(decimal a, decimal b) noexcept {
  const int scale = a.scale() > b.scale() ? a.scale() : b.scale();
  const i128 x = static_cast<i128>(a.coefficient()) * pow10[static_cast<std::size_t>(scale - a.scale())];
  const i128 y = static_cast<i128>(b.coefficient()) * pow10[static_cast<std::size_t>(scale - b.scale())];
  return x <=> y;
}

std::string decimal::to_string() const { return render(coefficient_, scale_, '.', 0); }

std::string decimal::format(int decimals, char decimal_point, char thousands_separator) const {
  if (decimals < 0) return render(coefficient_, scale_, decimal_point, thousands_separator);
  if (decimals > max_scale) decimals = max_scale;
  return render(rounded_coefficient(*this, decimals, rounding::half_away_from_zero), decimals,
                decimal_point, thousands_separator);
}

decimal half_unit_general(int decimals) noexcept {
  if (decimals < 0) {
    const int zeros = -decimals - 1;  // half of 10^-decimals
    return decimal(5 * pow10[static_cast<std::size_t>(zeros > 17 ? 17 : zeros)], 0);
  }
  if (decimals >= decimal::max_scale) return decimal(1, decimal::max_scale);  // 5e-19 rounded up
  return decimal(5, decimals + 1);
}

}  // namespace fundcheck::engine
