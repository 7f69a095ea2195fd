#define BOOST_TEST_MODULE source
#include "fundcheck/dsl/source.hpp"

#include <boost/test/unit_test.hpp>

using fundcheck::dsl::count_code_points;
using fundcheck::dsl::position;
using fundcheck::dsl::source_file;

namespace {

void check_position(const source_file& src, std::uint32_t offset, std::uint32_t line,
                    std::uint32_t column) {
  const position p = src.locate(offset);
  BOOST_TEST_CONTEXT("offset " << offset) {
    BOOST_TEST(p.line == line);
    BOOST_TEST(p.column == column);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(source)

BOOST_AUTO_TEST_CASE(path_and_text_are_kept) {
  const source_file src("rules/a.rules", "let a = 1\n");
  BOOST_TEST(src.path() == "rules/a.rules");
  BOOST_TEST(src.text() == "let a = 1\n");
}

BOOST_AUTO_TEST_CASE(empty_text_has_one_empty_line) {
  const source_file src("e.rules", "");
  BOOST_TEST(src.line_count() == 1u);
  BOOST_TEST(src.line_text(1) == "");
  check_position(src, 0, 1, 1);
  check_position(src, 10, 1, 1);
}

BOOST_AUTO_TEST_CASE(lines_and_columns_are_one_based) {
  const source_file src("a.rules", "ab\ncd\n\nef");
  BOOST_TEST(src.line_count() == 4u);
  check_position(src, 0, 1, 1);
  check_position(src, 1, 1, 2);
  check_position(src, 2, 1, 3);  // the '\n' itself: just past the last character
  check_position(src, 3, 2, 1);
  check_position(src, 6, 3, 1);
  check_position(src, 7, 4, 1);
  check_position(src, 8, 4, 2);
  check_position(src, 9, 4, 3);  // end of text
}

BOOST_AUTO_TEST_CASE(offsets_past_the_end_map_to_the_end) {
  const source_file src("a.rules", "ab\ncd");
  check_position(src, 5, 2, 3);
  check_position(src, 500, 2, 3);
  check_position(src, UINT32_MAX, 2, 3);
}

BOOST_AUTO_TEST_CASE(trailing_newline_gives_an_empty_last_line) {
  const source_file src("a.rules", "ab\n");
  BOOST_TEST(src.line_count() == 2u);
  BOOST_TEST(src.line_text(2) == "");
  check_position(src, 3, 2, 1);
}

BOOST_AUTO_TEST_CASE(columns_count_code_points) {
  // "æ" and "ø" are two bytes each, "€" three, "𝄞" four.
  const source_file src("a.rules", "let bæløb = \"€𝄞\" + x");
  check_position(src, 4, 1, 5);    // b
  check_position(src, 5, 1, 6);    // æ
  check_position(src, 7, 1, 7);    // l
  check_position(src, 8, 1, 8);    // ø
  check_position(src, 10, 1, 9);   // b
  check_position(src, 14, 1, 13);  // opening quote
  check_position(src, 15, 1, 14);  // €
  check_position(src, 18, 1, 15);  // 𝄞
  check_position(src, 22, 1, 16);  // closing quote
  check_position(src, 26, 1, 20);  // x
}

BOOST_AUTO_TEST_CASE(line_text_strips_terminators) {
  const source_file src("a.rules", "first\r\nsecond\nthird\r\n");
  BOOST_TEST(src.line_count() == 4u);
  BOOST_TEST(src.line_text(1) == "first");
  BOOST_TEST(src.line_text(2) == "second");
  BOOST_TEST(src.line_text(3) == "third");
  BOOST_TEST(src.line_text(4) == "");
  check_position(src, 7, 2, 1);
}

BOOST_AUTO_TEST_CASE(line_text_out_of_range_is_empty) {
  const source_file src("a.rules", "x\ny");
  BOOST_TEST(src.line_text(0) == "");
  BOOST_TEST(src.line_text(3) == "");
  BOOST_TEST(src.line_text(100) == "");
}

BOOST_AUTO_TEST_CASE(lone_carriage_return_is_kept_inside_a_line) {
  const source_file src("a.rules", "a\rb\n");
  BOOST_TEST(src.line_count() == 2u);
  BOOST_TEST(src.line_text(1) == "a\rb");
}

BOOST_AUTO_TEST_CASE(count_code_points_of_valid_text) {
  BOOST_TEST(count_code_points("") == 0u);
  BOOST_TEST(count_code_points("abc") == 3u);
  BOOST_TEST(count_code_points("æøå") == 3u);
  BOOST_TEST(count_code_points("Kræftplan V — €") == 15u);
  BOOST_TEST(count_code_points("\xF0\x9D\x84\x9E") == 1u);
}

BOOST_AUTO_TEST_CASE(count_code_points_counts_invalid_bytes_one_each) {
  BOOST_TEST(count_code_points("\xFF") == 1u);
  BOOST_TEST(count_code_points("a\x80\x80z") == 4u);    // stray continuation bytes
  BOOST_TEST(count_code_points("\xC3") == 1u);          // truncated "æ"
  BOOST_TEST(count_code_points("\xC3(") == 2u);         // lead byte without continuation
  BOOST_TEST(count_code_points("\xC0\xAF") == 2u);      // overlong '/'
  BOOST_TEST(count_code_points("\xED\xA0\x80") == 3u);  // surrogate U+D800
  BOOST_TEST(count_code_points("\xE2\x82") == 2u);      // truncated "€"
}

BOOST_AUTO_TEST_CASE(source_file_is_shareable) {
  const fundcheck::dsl::source_ptr src = std::make_shared<const source_file>("a.rules", "one\ntwo");
  BOOST_TEST(src->line_text(2) == "two");
}

BOOST_AUTO_TEST_SUITE_END()
