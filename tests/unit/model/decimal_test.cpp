#include "fundcheck/engine/decimal.hpp"

#define BOOST_TEST_MODULE decimal
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>

using fundcheck::engine::decimal;
using fundcheck::engine::rounding;

namespace {

decimal d(std::string_view text) {
  const auto v = decimal::parse(text);
  BOOST_TEST_REQUIRE(v.has_value(), "parse failed: " << text);
  return *v;
}

decimal sum(decimal a, decimal b) {
  decimal out;
  BOOST_TEST_REQUIRE(add(a, b, out));
  return out;
}

constexpr std::int64_t max64 = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t min64 = std::numeric_limits<std::int64_t>::min();

}  // namespace

BOOST_AUTO_TEST_SUITE(decimal_suite)

BOOST_AUTO_TEST_CASE(point_one_plus_point_two_is_point_three) {
  BOOST_TEST((sum(d("0.1"), d("0.2")) == d("0.3")));
  BOOST_TEST(sum(d("0.1"), d("0.2")).to_string() == "0.3");
}

BOOST_AUTO_TEST_CASE(a_million_tenths_sum_exactly) {
  decimal total;
  const decimal tenth = d("0.1");
  for (int i = 0; i < 1'000'000; ++i) total = sum(total, tenth);
  BOOST_TEST((total == d("100000.0")));
  BOOST_TEST(total.scale() == 1);
  BOOST_TEST(total.to_string() == "100000.0");
}

BOOST_AUTO_TEST_CASE(add_and_subtract_take_the_larger_scale) {
  decimal out;
  BOOST_TEST(add(d("2.8"), d("0.05"), out));
  BOOST_TEST(out.to_string() == "2.85");
  BOOST_TEST(subtract(d("1"), d("0.25"), out));
  BOOST_TEST(out.to_string() == "0.75");
  BOOST_TEST(subtract(d("109.1"), d("109.10"), out));
  BOOST_TEST(out.to_string() == "0.00");
  BOOST_TEST(subtract(d("-3.1"), d("2"), out));
  BOOST_TEST(out.to_string() == "-5.1");
}

BOOST_AUTO_TEST_CASE(multiply_sums_the_scales) {
  decimal out;
  BOOST_TEST(multiply(d("9.0"), d("0.3117"), out));
  BOOST_TEST(out.to_string() == "2.80530");
  BOOST_TEST(out.scale() == 5);
  BOOST_TEST(multiply(d("-1.5"), d("2"), out));
  BOOST_TEST(out.to_string() == "-3.0");
}

BOOST_AUTO_TEST_CASE(multiply_strips_trailing_zeros_to_fit) {
  decimal out;
  // scale 10 + 10 = 20 > 18, but the product has trailing zeros.
  BOOST_TEST(multiply(decimal(10'000'000'000, 10), decimal(20'000'000'000, 10), out));
  BOOST_TEST((out == decimal(2, 0)));
  BOOST_TEST(out.scale() <= decimal::max_scale);
  // A product that does not fit int64 but has trailing zeros to drop.
  BOOST_TEST(multiply(decimal(4'000'000'000'000, 6), decimal(5'000'000'000'000, 6), out));
  BOOST_TEST((out == decimal(20'000'000'000'000, 0)));
  // No zeros to strip: fails.
  BOOST_TEST(!multiply(decimal(1, 10), decimal(3, 10), out));
  BOOST_TEST(!multiply(decimal(max64, 0), decimal(3, 0), out));
}

BOOST_AUTO_TEST_CASE(overflow_is_detected_at_the_int64_limits) {
  decimal out;
  BOOST_TEST(add(decimal(max64 - 1, 0), decimal(1, 0), out));
  BOOST_TEST(out.coefficient() == max64);
  BOOST_TEST(!add(decimal(max64, 0), decimal(1, 0), out));
  BOOST_TEST(!subtract(decimal(min64, 0), decimal(1, 0), out));
  BOOST_TEST(subtract(decimal(min64 + 1, 0), decimal(1, 0), out));
  BOOST_TEST(out.coefficient() == min64);
  BOOST_TEST(!add(decimal(max64, 0), decimal(1, 1), out));  // aligning to scale 1 overflows
  BOOST_TEST(!multiply(decimal(min64, 0), decimal(-1, 0), out));
  BOOST_TEST(!decimal(max64, 0).rescale(1, out));
  BOOST_TEST(decimal(max64 / 10, 0).rescale(1, out));
  // The sum overflows at scale 1 but ends in a zero: it is kept at scale 0.
  BOOST_TEST(add(decimal(9'223'372'036'854'775'800, 1), decimal(10, 1), out));
  BOOST_TEST(out.coefficient() == 922'337'203'685'477'581);
  BOOST_TEST(out.scale() == 0);
}

BOOST_AUTO_TEST_CASE(divide_rounds_half_even_to_the_given_scale) {
  decimal out;
  BOOST_TEST(divide(d("1"), d("3"), 4, out));
  BOOST_TEST(out.to_string() == "0.3333");
  BOOST_TEST(divide(d("2"), d("3"), 4, out));
  BOOST_TEST(out.to_string() == "0.6667");
  BOOST_TEST(divide(d("0.25"), d("1"), 1, out));  // 0.25 -> 0.2 (even)
  BOOST_TEST(out.to_string() == "0.2");
  BOOST_TEST(divide(d("0.35"), d("1"), 1, out));  // 0.35 -> 0.4 (even)
  BOOST_TEST(out.to_string() == "0.4");
  BOOST_TEST(divide(d("-0.25"), d("1"), 1, out));
  BOOST_TEST(out.to_string() == "-0.2");
  BOOST_TEST(divide(d("2.8"), d("9.0"), 12, out));
  BOOST_TEST(out.to_string() == "0.311111111111");
  BOOST_TEST(divide(d("1"), d("-8"), 2, out));  // -0.125 -> -0.12
  BOOST_TEST(out.to_string() == "-0.12");
  BOOST_TEST(divide(d("100"), d("0.001"), 0, out));
  BOOST_TEST(out.to_string() == "100000");
  BOOST_TEST(divide(decimal(1, 18), decimal(3, 0), 18, out));
  BOOST_TEST(out.to_string() == "0.000000000000000000");
  BOOST_TEST(divide(decimal(max64, 0), decimal(1, 18), 0, out) == false);  // 9.2e36 does not fit
  BOOST_TEST(divide(decimal(max64, 18), decimal(max64, 18), 18, out));
  BOOST_TEST(out.to_string() == "1.000000000000000000");
  BOOST_TEST(!divide(d("1"), d("0"), 2, out));
  BOOST_TEST(!divide(d("1"), d("0.00"), 2, out));
  BOOST_TEST(!divide(d("1"), d("3"), 19, out));
}

BOOST_AUTO_TEST_CASE(rounding_table) {
  struct row {
    const char* value;
    int decimals;
    const char* away;
    const char* even;
    const char* zero;
  };
  const row rows[] = {
      {"2.45", 1, "2.5", "2.4", "2.4"},      {"-2.45", 1, "-2.5", "-2.4", "-2.4"},
      {"2.55", 1, "2.6", "2.6", "2.5"},      {"-2.55", 1, "-2.6", "-2.6", "-2.5"},
      {"2.451", 1, "2.5", "2.5", "2.4"},     {"-2.449", 1, "-2.4", "-2.4", "-2.4"},
      {"0.5", 0, "1", "0", "0"},             {"1.5", 0, "2", "2", "1"},
      {"-0.5", 0, "-1", "0", "0"},           {"-1.5", 0, "-2", "-2", "-1"},
      {"2.80530", 1, "2.8", "2.8", "2.8"},   {"18.702", 1, "18.7", "18.7", "18.7"},
      {"0.04", 1, "0.0", "0.0", "0.0"},      {"9.95", 1, "10.0", "10.0", "9.9"},
      {"2.8", 2, "2.80", "2.80", "2.80"},    {"7", 3, "7.000", "7.000", "7.000"},
      {"0.125", 2, "0.13", "0.12", "0.12"},  {"-0.125", 2, "-0.13", "-0.12", "-0.12"},
      {"0.135", 2, "0.14", "0.14", "0.13"},  {"1234.5", 0, "1235", "1234", "1234"},
  };
  for (const row& r : rows) {
    decimal out;
    BOOST_TEST_CONTEXT(r.value << " to " << r.decimals) {
      BOOST_TEST(d(r.value).round(r.decimals, rounding::half_away_from_zero, out));
      BOOST_TEST(out.to_string() == r.away);
      BOOST_TEST(out.scale() == r.decimals);
      BOOST_TEST(d(r.value).round(r.decimals, rounding::half_even, out));
      BOOST_TEST(out.to_string() == r.even);
      BOOST_TEST(d(r.value).round(r.decimals, rounding::toward_zero, out));
      BOOST_TEST(out.to_string() == r.zero);
    }
  }
  decimal out;
  BOOST_TEST(!decimal(max64, 0).round(1, rounding::half_even, out));
  BOOST_TEST(!d("1.5").round(-1, rounding::half_even, out));
  BOOST_TEST(!d("1.5").round(19, rounding::half_even, out));
  BOOST_TEST(decimal(max64, 1).round(0, rounding::half_away_from_zero, out));
  BOOST_TEST(out.coefficient() == max64 / 10 + 1);
  BOOST_TEST(decimal(min64, 1).round(0, rounding::half_away_from_zero, out));
  BOOST_TEST(out.coefficient() == min64 / 10 - 1);
}

BOOST_AUTO_TEST_CASE(rescale_and_significant_scale) {
  decimal out;
  BOOST_TEST(d("2.8").rescale(2, out));
  BOOST_TEST(out.to_string() == "2.80");
  BOOST_TEST(!d("2.80").rescale(1, out));
  BOOST_TEST(!d("2.8").rescale(19, out));
  BOOST_TEST(d("2.50").significant_scale() == 1);
  BOOST_TEST(d("2.00").significant_scale() == 0);
  BOOST_TEST(d("0.000").significant_scale() == 0);
  BOOST_TEST(d("0.3117").significant_scale() == 4);
  BOOST_TEST(d("-100").significant_scale() == 0);
}

BOOST_AUTO_TEST_CASE(comparison_is_numeric_across_scales) {
  BOOST_TEST((d("2.8") == d("2.80")));
  BOOST_TEST((d("2.8") != d("2.81")));
  BOOST_TEST((d("2.8") < d("2.81")));
  BOOST_TEST((d("-2.8") < d("-2.79")));
  BOOST_TEST((d("0") == d("-0.000")));
  BOOST_TEST((d("10") > d("9.99999999999999999")));
  // Extremes: aligning to scale 18 must not overflow.
  BOOST_TEST((decimal(max64, 0) > decimal(max64, 18)));
  BOOST_TEST((decimal(min64, 0) < decimal(min64, 18)));
  BOOST_TEST((decimal(min64, 0) < decimal(max64, 18)));
  BOOST_TEST((decimal(max64, 18) > decimal(max64 - 1, 18)));
  BOOST_TEST((decimal(1, 18) > decimal(0, 0)));
  BOOST_TEST(((decimal(5, 1) <=> decimal(50, 2)) == std::strong_ordering::equal));
}

BOOST_AUTO_TEST_CASE(parse_accepts_json_numbers) {
  struct row {
    const char* text;
    std::int64_t coefficient;
    int scale;
  };
  const row rows[] = {
      {"42", 42, 0},           {"-3.1", -31, 1},         {"0.3117", 3117, 4},
      {"42.0", 420, 1},        {"+7", 7, 0},             {"1e3", 1000, 0},
      {"2.5E-2", 25, 3},       {"1E+2", 100, 0},         {"0", 0, 0},
      {"-0", 0, 0},            {"0.00", 0, 2},           {"12.5e1", 125, 0},
      {"1.25e1", 125, 1},      {"0e5", 0, 0},            {"999999999999999999", 999999999999999999, 0},
      {"0.000000000000000001", 1, 18},
      {"1.0000000000000000000000", 100000000000000000, 17},  // trailing zeros dropped to fit 18 digits
      {"100000000000000000", 100000000000000000, 0},
  };
  for (const row& r : rows) {
    BOOST_TEST_CONTEXT(r.text) {
      const auto v = decimal::parse(r.text);
      BOOST_TEST_REQUIRE(v.has_value());
      BOOST_TEST(v->coefficient() == r.coefficient);
      BOOST_TEST(v->scale() == r.scale);
    }
  }
  BOOST_TEST(decimal::parse("1.0000000000000000000000")->to_string() == "1.00000000000000000");
  BOOST_TEST(decimal::parse("0.10000000000000000000")->to_string() == "0.100000000000000000");
}

BOOST_AUTO_TEST_CASE(parse_rejects_everything_else) {
  for (const char* text : {"", "-", "+", "1,5", "1.", ".5", "NaN", "nan", "inf", "Infinity", "-Infinity",
                           "0x10", "0x1A", "01", "-01", "1e", "1e+", "1.5.2", " 1", "1 ", "+-1", "-+1",
                           "--1", "1_000", "١", "e5", "1e5.5", "2.8kr"}) {
    BOOST_TEST_CONTEXT('"' << text << '"') { BOOST_TEST(!decimal::parse(text).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(parse_rejects_too_many_digits) {
  BOOST_TEST(!decimal::parse("1234567890123456789").has_value());    // 19 digits
  BOOST_TEST(!decimal::parse("12345678901234567890").has_value());
  BOOST_TEST(!decimal::parse("0.1234567890123456789").has_value());  // 19 decimals
  BOOST_TEST(!decimal::parse("0.0000000000000000001").has_value());
  BOOST_TEST(!decimal::parse("1e18").has_value());
  BOOST_TEST(decimal::parse("1e17").has_value());
  BOOST_TEST(!decimal::parse("1e-19").has_value());
  BOOST_TEST(!decimal::parse("1e999999999999999999999").has_value());
  BOOST_TEST(!decimal::parse("1e-999999999999999999999").has_value());
  BOOST_TEST(!decimal::parse("123456789012345678.9").has_value());
}

BOOST_AUTO_TEST_CASE(to_string_keeps_the_scale) {
  BOOST_TEST(d("42.0").to_string() == "42.0");
  BOOST_TEST(d("-0.3117").to_string() == "-0.3117");
  BOOST_TEST(d("0.05").to_string() == "0.05");
  BOOST_TEST(d("-0.05").to_string() == "-0.05");
  BOOST_TEST(d("1e3").to_string() == "1000");
  BOOST_TEST(decimal(min64, 0).to_string() == "-9223372036854775808");
  BOOST_TEST(decimal(min64, 18).to_string() == "-9.223372036854775808");
  BOOST_TEST(decimal(max64, 18).to_string() == "9.223372036854775807");
}

BOOST_AUTO_TEST_CASE(format_for_people) {
  BOOST_TEST(d("1234.56").format(1, ',', '.') == "1.234,6");
  BOOST_TEST(d("-3.14").format(1, ',', '.') == "-3,1");
  BOOST_TEST(d("-3.15").format(1, ',', 0) == "-3,2");
  BOOST_TEST(d("2.45").format(1, '.', 0) == "2.5");
  BOOST_TEST(d("2.8").format(-1, ',', '.') == "2,8");
  BOOST_TEST(d("2.8").format(2, ',', '.') == "2,80");
  BOOST_TEST(d("1234567.891").format(2, '.', ',') == "1,234,567.89");
  BOOST_TEST(d("123456").format(0, ',', '.') == "123.456");
  BOOST_TEST(d("999.96").format(1, ',', '.') == "1.000,0");
  BOOST_TEST(d("-0.04").format(1, ',', '.') == "0,0");
  BOOST_TEST(d("0").format(1, ',', '.') == "0,0");
  BOOST_TEST(d("469.4").format(0, ',', '.') == "469");
}

BOOST_AUTO_TEST_CASE(half_unit_is_the_rounding_radius) {
  using fundcheck::engine::half_unit;
  BOOST_TEST(half_unit(1).to_string() == "0.05");
  BOOST_TEST(half_unit(0).to_string() == "0.5");
  BOOST_TEST(half_unit(2).to_string() == "0.005");
  BOOST_TEST((half_unit(17) == decimal(5, 18)));
}

BOOST_AUTO_TEST_SUITE_END()
