#include "fundcheck/engine/csv_import.hpp"

#define BOOST_TEST_MODULE csv_import
#include <boost/test/unit_test.hpp>

#include <deque>
#include <filesystem>
#include <string>
#include <vector>

#include "model_compare.hpp"

using namespace fundcheck;
using namespace fundcheck::engine;
namespace fs = std::filesystem;

namespace {

const fs::path root = FUNDCHECK_SOURCE_DIR;

constexpr int item_record = 1;
constexpr int total_record = 2;

load_result import(std::string csv, const std::string& mapping = {}) {
  const auto table = std::make_shared<const dsl::source_file>("t.csv", std::move(csv));
  if (mapping.empty()) return load_proposal_csv(table, nullptr);
  const dsl::source_ptr m = std::make_shared<const dsl::source_file>("t.mapping.json", mapping);
  return load_proposal_csv(table, &m);
}

std::string where(const dsl::diagnostic& d) {
  if (!d.source) return "-";
  const dsl::position p = d.source->locate(d.where.begin);
  return d.source->path() + ":" + std::to_string(p.line) + ":" + std::to_string(p.column);
}

// "E3204 t.csv:2:3 message" per diagnostic, in order.
std::vector<std::string> diagnostics(const load_result& r) {
  std::vector<std::string> out;
  for (const dsl::diagnostic& d : r.diagnostics) out.push_back(d.code + " " + where(d) + " " + d.message);
  return out;
}

std::string one_error(const load_result& r) {
  BOOST_TEST(!r.ok());
  BOOST_TEST_REQUIRE(r.diagnostics.size() == 1u, "diagnostics:\n" << dsl::render_text(r.diagnostics));
  return diagnostics(r).front();
}

const proposal& loaded(const load_result& r) {
  BOOST_TEST_REQUIRE(r.ok(), "diagnostics:\n" << dsl::render_text(r.diagnostics));
  return *r.value;
}

const proposal& clean(const load_result& r) {
  BOOST_TEST_REQUIRE(r.ok(), "diagnostics:\n" << dsl::render_text(r.diagnostics));
  BOOST_TEST(r.diagnostics.empty(), dsl::render_text(r.diagnostics));
  return *r.value;
}

// For `clean(import(...))`: the result is kept until the test program ends.
const load_result& kept(load_result&& r) {
  static std::deque<load_result> results;
  return results.emplace_back(std::move(r));
}
const proposal& clean(load_result&& r) { return clean(kept(std::move(r))); }

std::uint32_t slot(const proposal& p, int record, std::string_view field) {
  const int i = p.table_of(record).def().field_index(field);
  BOOST_TEST_REQUIRE(i >= 0);
  return static_cast<std::uint32_t>(i);
}

std::string text(const proposal& p, int record, std::uint32_t row, std::string_view field) {
  const cell& c = p.table_of(record).at(row, slot(p, record, field));
  return c.kind == cell_kind::text ? std::string(p.text(c)) : "absent";
}

// The amount as held, "absent" for an empty cell.
std::string amount(const proposal& p, int record, std::uint32_t row, std::string_view column, std::size_t year = 0) {
  const table& t = p.table_of(record);
  const cell& c = t.at(row, t.amount_slot(static_cast<std::uint32_t>(p.column_index(column)), static_cast<std::uint32_t>(year)));
  return c.present() ? c.number().to_string() : "absent";
}

// line:col of an amount's cell in the source.
std::string amount_at(const proposal& p, int record, std::uint32_t row, std::string_view column, std::size_t year = 0) {
  const table& t = p.table_of(record);
  const cell& c = t.at(row, t.amount_slot(static_cast<std::uint32_t>(p.column_index(column)), static_cast<std::uint32_t>(year)));
  const dsl::position pos = p.source()->locate(c.offset);
  return std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

std::vector<std::string> names(const proposal& p, int record) {
  std::vector<std::string> out;
  for (std::uint32_t r = 0; r < p.table_of(record).size(); ++r) out.push_back(text(p, record, r, "name"));
  return out;
}

// "name <- parent name" for every sub-item.
std::vector<std::string> nesting(const proposal& p) {
  std::vector<std::string> out;
  const table& t = p.table_of(item_record);
  for (std::uint32_t r = 0; r < t.size(); ++r) {
    const auto parent = t.origin_of(r).parent;
    if (parent >= 0) out.push_back(text(p, item_record, r, "name") + " <- " + text(p, item_record, static_cast<std::uint32_t>(parent), "name"));
  }
  return out;
}

const std::string header = "Mio. kr;Nationalt 2026;Region Hovedstaden 2026\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(csv_import)

// ---------------------------------------------------------------------------------------------
// The key test: the shipped spreadsheet export and its mapping give the same proposal as the
// hand-made JSON transcription of seed 000, cell by cell, with every cell located in the CSV.

BOOST_AUTO_TEST_CASE(seed_table_imports_to_the_json_transcription) {
  const auto csv = load_proposal_file(root / "examples/kraeftplan-v-2026.csv");
  const auto json = load_proposal_file(root / "examples/kraeftplan-v-2026.json");
  const proposal& from_csv = clean(csv);
  const proposal& from_json = loaded(json);
  const auto differences = test::model_differences(from_json, from_csv);
  BOOST_TEST(differences.empty(), differences.size() << " differences, first: " << (differences.empty() ? "" : differences.front()));
  BOOST_TEST(from_csv.source()->path() == (root / "examples/kraeftplan-v-2026.csv").string());
  // The two values of the rounding notes, where the CSV has them.
  BOOST_TEST(text(from_csv, item_record, 10, "name") == "Uspecifikke symptomer på kræft");
  BOOST_TEST(amount_at(from_csv, item_record, 10, "national") == "14:32");
  BOOST_TEST(text(from_csv, total_record, 0, "name") == "Blok");
  BOOST_TEST(amount_at(from_csv, total_record, 0, "region") == "26:12");
}

BOOST_AUTO_TEST_CASE(seed_table_without_mapping_reports_every_guess) {
  // The mapping gives ids, channels, notes, recipients and the structure; without it the table
  // alone gives the same rows, and a warning for every row whose place was guessed.
  std::string text_of_csv;
  {
    const auto csv = load_proposal_file(root / "examples/kraeftplan-v-2026.csv");
    text_of_csv = loaded(csv).source()->text();
  }
  const auto r = import(text_of_csv);
  const proposal& p = loaded(r);
  const std::vector<std::string> expected = {
      "W3201 t.csv:8:1 \"Specialiceret palliation\" taken as a sub-item of \"Palliation\": the heraf rows above it give "
      "national 14,0, not yet 42,0; give its \"parent\" in the mapping to confirm or correct this",
      "W3201 t.csv:9:1 \"Døgndækkede rådgivningsfunktioner\" taken as a sub-item of \"Palliation\": the heraf rows above "
      "it give national 34,0, not yet 42,0; give its \"parent\" in the mapping to confirm or correct this",
      "W3201 t.csv:10:1 \"Telepalliation (Region Midtjylland)\" taken as a top-level row: the heraf rows above it already "
      "add up to \"Palliation\" (national 42,0 for 42,0, region 13,1 for 13,1); give its \"parent\" in the mapping to "
      "confirm or correct this",
      "W3201 t.csv:17:1 \"Danish Comprehensive Cancer Center\" taken as a sub-item of \"Uspecifikke symptomer på kræft\": "
      "the heraf rows above it give national 5,2, not yet 10,0; give its \"parent\" in the mapping to confirm or correct this",
      "W3201 t.csv:18:1 \"Vederlagsfri rygestopmedicin\" taken as a top-level row: the heraf rows above it already add up "
      "to \"Uspecifikke symptomer på kræft\" (national 10,1 for 10,0, region 3,1 for 3,1); give its \"parent\" in the "
      "mapping to confirm or correct this",
      "W3201 t.csv:23:1 \"Bedre brug af data til ny kræftmedicin\" taken as a sub-item of \"Data til kræftbehandling og ny "
      "medicin\": the heraf rows above it give national 3,0, not yet 9,0; give its \"parent\" in the mapping to confirm or "
      "correct this",
      "W3201 t.csv:24:1 \"Kræftforskning i det primære sundhedsvæsen\" taken as a top-level row: the heraf rows above it "
      "already add up to \"Data til kræftbehandling og ny medicin\" (national 9,0 for 9,0, region 2,8 for 2,8); give its "
      "\"parent\" in the mapping to confirm or correct this",
  };
  BOOST_TEST(diagnostics(r) == expected, boost::test_tools::per_element());
  // Every warning has a note at the heraf marker of its group.
  for (const dsl::diagnostic& d : r.diagnostics) {
    BOOST_TEST_REQUIRE(d.notes.size() == 1u);
    BOOST_TEST(d.notes[0].source->line_text(d.notes[0].source->locate(d.notes[0].where.begin).line) == "heraf;;");
  }
  // Telepalliation is guessed wrong (the table cannot say it is Palliation's); the rest is right.
  const std::vector<std::string> expected_nesting = {
      "Basal palliation <- Palliation",
      "Specialiceret palliation <- Palliation",
      "Døgndækkede rådgivningsfunktioner <- Palliation",
      "Sundhedsvæsenets kvalitetsinstitut <- Uspecifikke symptomer på kræft",
      "Danish Comprehensive Cancer Center <- Uspecifikke symptomer på kræft",
      "National klinisk database for personlig medicin på kræftområdet <- Data til kræftbehandling og ny medicin",
      "Bedre brug af data til ny kræftmedicin <- Data til kræftbehandling og ny medicin",
  };
  BOOST_TEST(nesting(p) == expected_nesting, boost::test_tools::per_element());
  // Without a mapping: ids are slugs of the names, the title is the file name, sections and
  // kinds of totals come from the table.
  BOOST_TEST(text(p, 0, 0, "title") == "t.csv");
  BOOST_TEST(text(p, item_record, 0, "id") == "mobile-koelehaetter");
  BOOST_TEST(text(p, item_record, 20, "id") == "tandproblemer-udvidelse-166");
  BOOST_TEST(text(p, item_record, 20, "section") == "already_allocated");
  const std::vector<std::string> totals = {"blok/block/current",
                                           "direkte-tilskud/direct/current",
                                           "i-alt/total/current",
                                           "blok-2/block/already_allocated",
                                           "direkte-tilskud-2/direct/already_allocated",
                                           "i-alt-2/total/already_allocated",
                                           "i-alt-3/grand_total/all"};
  std::vector<std::string> got;
  for (std::uint32_t t = 0; t < p.table_of(total_record).size(); ++t) {
    got.push_back(text(p, total_record, t, "id") + "/" + text(p, total_record, t, "kind") + "/" +
                  text(p, total_record, t, "section"));
  }
  BOOST_TEST(got == totals, boost::test_tools::per_element());
}

// ---------------------------------------------------------------------------------------------
// The CSV dialect

BOOST_AUTO_TEST_CASE(separators) {
  for (const std::string& csv : {
           std::string("Mio. kr;Nationalt 2026;Region Hovedstaden 2026\nA;9,0;2,8\n"),
           std::string("Mio. kr,Nationalt 2026,Region Hovedstaden 2026\nA,\"9,0\",\"2,8\"\n"),
           std::string("Mio. kr\tNationalt 2026\tRegion Hovedstaden 2026\nA\t9,0\t2,8\n"),
           std::string("sep=,\nMio. kr; 2025 pl,Nationalt 2026,Region Hovedstaden 2026\nA,\"9,0\",\"2,8\"\n"),
       }) {
    BOOST_TEST_CONTEXT(csv) {
      const proposal& p = clean(import(csv));
      BOOST_TEST(names(p, item_record) == std::vector<std::string>{"A"});
      BOOST_TEST(amount(p, item_record, 0, "national") == "9.0");
      BOOST_TEST(amount(p, item_record, 0, "region") == "2.8");
    }
  }
}

BOOST_AUTO_TEST_CASE(separator_counted_outside_quotes_only) {
  // The header has more ';' inside quotes than ',' outside: ',' is the separator.
  const proposal& p = clean(import("\"Mio. kr; 2025; pl\",Nationalt 2026\nA,\"1,5\"\n"));
  BOOST_TEST(amount(p, item_record, 0, "national") == "1.5");
}

BOOST_AUTO_TEST_CASE(quoting) {
  const auto r = import(header +
                        "\"Tandproblemer; Udvidelse § 166\";99,7;31,1\n"
                        "\"Det \"\"nye\"\" projekt\";1,0;0,3\n"
                        "\"Udrednings- og\nbehandlingskapacitet\";180,0;56,1\n"
                        "Senfølger;60,0;abc\n");
  BOOST_TEST(one_error(r) ==
             "E3204 t.csv:6:16 row \"Senfølger\", \"Region Hovedstaden\": cannot read \"abc\" as an amount: it is not a "
             "number (write amounts as 42,0, 1.234,5 or -3,1; leave the cell empty for no amount)");
  const proposal& p = clean(import(header +
                                   "\"Tandproblemer; Udvidelse § 166\";99,7;31,1\n"
                                   "\"Det \"\"nye\"\" projekt\";1,0;\"0,3\"\n"
                                   "\"Udrednings- og\r\nbehandlingskapacitet\";180,0;56,1\n"
                                   "Senfølger;60,0;18,7\n"));
  const std::vector<std::string> expected = {"Tandproblemer; Udvidelse § 166", "Det \"nye\" projekt",
                                             "Udrednings- og\nbehandlingskapacitet", "Senfølger"};
  BOOST_TEST(names(p, item_record) == expected, boost::test_tools::per_element());
  BOOST_TEST(amount(p, item_record, 1, "region") == "0.3");
  BOOST_TEST(amount_at(p, item_record, 1, "region") == "3:27");  // at the opening quote
  BOOST_TEST(amount_at(p, item_record, 3, "region") == "6:16");  // lines count the quoted line break
}

BOOST_AUTO_TEST_CASE(byte_order_mark_and_crlf) {
  const proposal& p = clean(import("\xEF\xBB\xBFMio. kr;Nationalt 2026;Region Hovedstaden 2026\r\nKræftscreening;5,0;1,6\r\nB;;\r\n"));
  BOOST_TEST(names(p, item_record) == (std::vector<std::string>{"Kræftscreening", "B"}));
  BOOST_TEST(amount(p, item_record, 0, "region") == "1.6");
  BOOST_TEST(amount_at(p, item_record, 0, "region") == "2:20");
  BOOST_TEST(amount(p, item_record, 1, "national") == "absent");
  BOOST_TEST(p.columns()[0].label == "Nationalt");  // the BOM is not part of the text
  const auto r = import("\xEF\xBB\xBFMio. kr;Nationalt 2026\r\nA;x\r\n");
  BOOST_TEST(one_error(r).starts_with("E3204 t.csv:2:3 "));
}

BOOST_AUTO_TEST_CASE(windows_1252) {
  // "Kræftscreening" and "Døgn" in Windows-1252: æ = E6, ø = F8; "–" (en dash) = 96.
  const std::string table = "Mio. kr;Nationalt 2026;Region Hovedstaden 2026\r\nKr\xE6" "ftscreening;5,0;1,6\r\nD\xF8gn \x96 nat;\x96" "1,0;\r\n";
  const auto r = import(table);
  // The bad amount is located by characters, as in the original file: "Døgn – nat;" is 11.
  BOOST_TEST(one_error(r) ==
             "E3204 t.csv:3:12 row \"Døgn – nat\", \"Nationalt\": cannot read \"–1,0\" as an amount: a dash ('–' or '—') "
             "is not a minus sign; write '-' (write amounts as 42,0, 1.234,5 or -3,1; leave the cell empty for no amount)");
  const proposal& p = clean(import("Mio. kr;Nationalt 2026;Region Hovedstaden 2026\r\nKr\xE6" "ftscreening;5,0;1,6\r\nD\xF8gn;1,0;\r\n"));
  BOOST_TEST(names(p, item_record) == (std::vector<std::string>{"Kræftscreening", "Døgn"}));
  BOOST_TEST(amount_at(p, item_record, 0, "region") == "2:20");
  BOOST_TEST(p.source()->path() == "t.csv");
  BOOST_TEST(p.source()->text().find("Kræftscreening") != std::string::npos);  // transcoded to UTF-8
}

BOOST_AUTO_TEST_CASE(undecodable) {
  BOOST_TEST(one_error(import("Navn;Nationalt 2026\nKr\xC3\xA6" "ft;1\nK\xF8l;2\n")) ==
             "E3201 t.csv:3:2 cannot read the table's text: byte 0xF8 is not UTF-8, but the file also holds UTF-8 text, so "
             "it is neither UTF-8 nor Windows-1252; save the table again as \"CSV UTF-8\"");
  BOOST_TEST(one_error(import("Navn;Nationalt 2026\nK\x81l;2\n")) ==
             "E3201 t.csv:2:2 cannot read the table's text: byte 0x81 is neither UTF-8 nor a Windows-1252 character; save "
             "the table as \"CSV UTF-8\"");
  BOOST_TEST(one_error(import(std::string("\xFF\xFEM\0i\0", 6))) ==
             "E3201 t.csv:1:1 cannot read the table's text: the file is UTF-16 (\"Unicode text\"); save the table as \"CSV "
             "UTF-8\" or \"CSV (semicolon separated)\"");
  BOOST_TEST(one_error(import(std::string("Navn;N\0", 7))).starts_with("E3201 t.csv:1:7 cannot read the table's text: the file holds a NUL byte"));
}

BOOST_AUTO_TEST_CASE(empty_file) {
  const std::string message =
      " the table is empty: a CSV table starts with a header line (the row-name heading, then one heading per amount "
      "column)";
  BOOST_TEST(one_error(import("")) == "E3202 t.csv:1:1" + message);
  BOOST_TEST(one_error(import("\n\r\n;;\n")) == "E3202 t.csv:1:1" + message);
  BOOST_TEST(one_error(import("\xEF\xBB\xBF")) == "E3202 t.csv:1:2" + message);
}

BOOST_AUTO_TEST_CASE(quote_errors) {
  BOOST_TEST(one_error(import(header + "\"A;1,0;2,0\nB;1;2\n")) ==
             "E3203 t.csv:2:1 the quoted field that starts here is not closed: a '\"' is missing before the end of the file");
  BOOST_TEST(one_error(import(header + "\"A\"x;1,0;2,0\n")) ==
             "E3203 t.csv:2:4 unexpected text after the closing quote of a field (write a '\"' inside a quoted field as "
             "'\"\"')");
}

// ---------------------------------------------------------------------------------------------
// Amounts

BOOST_AUTO_TEST_CASE(danish_numbers) {
  const proposal& p = clean(import(header +
                                   "A;42,0;42\n"
                                   "B;1.234,5;-3,1\n"
                                   "C;\xE2\x88\x92" "3,1;+2,50\n"
                                   "D; 2,8 ;\"1.234.567\"\n"
                                   "E;;0\n"));
  BOOST_TEST(amount(p, item_record, 0, "national") == "42.0");
  BOOST_TEST(amount(p, item_record, 0, "region") == "42");  // the written scale is kept
  BOOST_TEST(amount(p, item_record, 1, "national") == "1234.5");
  BOOST_TEST(amount(p, item_record, 1, "region") == "-3.1");
  BOOST_TEST(amount(p, item_record, 2, "national") == "-3.1");  // U+2212 MINUS SIGN
  BOOST_TEST(amount(p, item_record, 2, "region") == "2.50");
  BOOST_TEST(amount(p, item_record, 3, "national") == "2.8");
  BOOST_TEST(amount_at(p, item_record, 3, "national") == "5:4");  // after the space
  BOOST_TEST(amount(p, item_record, 3, "region") == "1234567");
  BOOST_TEST(amount(p, item_record, 4, "national") == "absent");  // an empty cell: no amount, not 0
  BOOST_TEST(amount(p, item_record, 4, "region") == "0");
  const cell& c = p.table_of(item_record).at(0, p.table_of(item_record).amount_slot(0, 0));
  BOOST_TEST(c.decimals == 1);  // without "decimals", as written
}

BOOST_AUTO_TEST_CASE(decimals_from_the_mapping) {
  const proposal& p = clean(import(header + "A;42;2,85\n", R"({"decimals": 1})"));
  const table& t = p.table_of(item_record);
  BOOST_TEST(t.at(0, t.amount_slot(0, 0)).decimals == 1);
  BOOST_TEST(t.at(0, t.amount_slot(1, 0)).decimals == 1);
}

BOOST_AUTO_TEST_CASE(unreadable_numbers) {
  const auto r = import(header + "A;4,2,1;abc\nB;1.23;-\nC;12345678901234567890;,5\n");
  const std::string hint = " (write amounts as 42,0, 1.234,5 or -3,1; leave the cell empty for no amount)";
  const std::vector<std::string> expected = {
      "E3204 t.csv:2:3 row \"A\", \"Nationalt\": cannot read \"4,2,1\" as an amount: it has more than one decimal comma" + hint,
      "E3204 t.csv:2:9 row \"A\", \"Region Hovedstaden\": cannot read \"abc\" as an amount: it is not a number" + hint,
      "E3204 t.csv:3:3 row \"B\", \"Nationalt\": cannot read \"1.23\" as an amount: a '.' separates groups of three digits "
      "(1.234,5); the decimal separator is ','" + hint,
      "E3204 t.csv:3:8 row \"B\", \"Region Hovedstaden\": cannot read \"-\" as an amount: it is not a number" + hint,
      "E3204 t.csv:4:3 row \"C\", \"Nationalt\": cannot read \"12345678901234567890\" as an amount: it has more digits than "
      "an amount can hold (at most 18 significant digits and 18 decimals)",
      "E3204 t.csv:4:24 row \"C\", \"Region Hovedstaden\": cannot read \",5\" as an amount: digits must come before the "
      "decimal comma (0,5)" + hint,
  };
  BOOST_TEST(diagnostics(r) == expected, boost::test_tools::per_element());
  BOOST_TEST(r.value == nullptr);
}

BOOST_AUTO_TEST_CASE(ragged_row) {
  BOOST_TEST(one_error(import(header + "A;1,0;2,0;3,0\n")) ==
             "E3205 t.csv:2:11 a value beyond the header's last column: the header has 3 columns, and this is column 4");
  // Empty cells beyond the header carry nothing; fewer cells than the header are empty cells.
  const proposal& p = clean(import(header + "A;1,0;2,0;;\nB;1,0\n"));
  BOOST_TEST(amount(p, item_record, 1, "region") == "absent");
}

BOOST_AUTO_TEST_CASE(unnamed_row) {
  BOOST_TEST(one_error(import(header + ";1,0;2,0\n")) ==
             "E3210 t.csv:2:1 this row has amounts but no name: the first column names the row");
  const proposal& p = clean(import(header + "A;1,0;2,0\n;;\n\nB;1,0;\n"));  // blank rows are skipped
  BOOST_TEST(names(p, item_record) == (std::vector<std::string>{"A", "B"}));
}

// ---------------------------------------------------------------------------------------------
// The header

BOOST_AUTO_TEST_CASE(two_line_header_with_a_year_line) {
  // As in seed 000: the year over both columns (a merged cell), the labels below it.
  const proposal& p = clean(import("Mio. kr (2025 pl);2026;\n;Nationalt;Region Hovedstaden\nA;9,0;2,8\n"));
  BOOST_TEST(p.years().size() == 1u);
  BOOST_TEST(p.years()[0] == 2026);
  BOOST_TEST(p.columns()[0].id == "national");
  BOOST_TEST(p.columns()[1].id == "region");
  BOOST_TEST(p.columns()[1].label == "Region Hovedstaden");
  BOOST_TEST(amount(p, item_record, 0, "region") == "2.8");
}

BOOST_AUTO_TEST_CASE(several_years) {
  for (const std::string& head : {
           std::string("Mio. kr;Nationalt 2026;Region Hovedstaden 2026;Nationalt 2027;Region Hovedstaden 2027\n"),
           std::string("Mio. kr;2026;;2027;\n;Nationalt;Region Hovedstaden;Nationalt;Region Hovedstaden\n"),
           std::string("Mio. kr;2026 Nationalt;2026 Region Hovedstaden;2027 Nationalt;2027 Region Hovedstaden\n"),
       }) {
    BOOST_TEST_CONTEXT(head) {
      const proposal& p = clean(import(head + "Kræftscreening;5,0;1,6;4,0;1,2\nA;1,0;;;0,3\n"));
      BOOST_TEST(std::vector<std::int32_t>(p.years().begin(), p.years().end()) == (std::vector<std::int32_t>{2026, 2027}));
      BOOST_TEST(p.columns().size() == 2u);
      BOOST_TEST(amount(p, item_record, 0, "national", 0) == "5.0");
      BOOST_TEST(amount(p, item_record, 0, "region", 0) == "1.6");
      BOOST_TEST(amount(p, item_record, 0, "national", 1) == "4.0");
      BOOST_TEST(amount(p, item_record, 0, "region", 1) == "1.2");
      BOOST_TEST(amount(p, item_record, 1, "national", 1) == "absent");
      BOOST_TEST(amount(p, item_record, 1, "region", 1) == "0.3");
    }
  }
}

BOOST_AUTO_TEST_CASE(years_from_the_mapping) {
  const proposal& p = clean(import("Mio. kr;Nationalt;Region Hovedstaden\nA;9,0;2,8\n", R"({"years": [2026, 2027]})"));
  BOOST_TEST(p.years().size() == 2u);
  BOOST_TEST(amount(p, item_record, 0, "national", 0) == "9.0");  // a table without years: the first
  BOOST_TEST(amount(p, item_record, 0, "national", 1) == "absent");
}

BOOST_AUTO_TEST_CASE(column_ids) {
  const proposal& p = clean(import("Mio. kr;Nationalt 2026;Region Sjælland 2026;Øvrige regioner 2026\nA;1;2;3\n"));
  BOOST_TEST(p.columns()[0].id == "national");
  BOOST_TEST(p.columns()[1].id == "region");
  BOOST_TEST(p.columns()[1].label == "Region Sjælland");
  BOOST_TEST(p.columns()[2].id == "oevrige_regioner");
  const proposal& m = clean(import("Mio. kr;Nationalt 2026;Region H 2026\nA;1;2\n",
                                   R"({"columns": [{"id": "region", "label": "Region H"}, {"id": "national", "label": "Nationalt"}]})"));
  BOOST_TEST(m.columns()[0].id == "region");  // in the mapping's order
  BOOST_TEST(amount(m, item_record, 0, "region") == "2");
  // Columns declared by id alone match the headings the built-in rule gives them, with the
  // table's labels; a mapping column the table lacks is declared all the same.
  const proposal& ids = clean(import(header + "A;1;2\n", R"({"columns": ["national", "region", "andre"]})"));
  BOOST_TEST(ids.columns()[1].id == "region");
  BOOST_TEST(ids.columns()[1].label == "Region Hovedstaden");
  BOOST_TEST(ids.columns()[2].label == "andre");
  BOOST_TEST(amount(ids, item_record, 0, "andre") == "absent");
}

BOOST_AUTO_TEST_CASE(unknown_headings) {
  const auto r = import("Mio. kr;Nationalt 2026;% 2026;Note 2026\nA;1,0;2,0;1\n");
  const std::vector<std::string> expected = {
      "E3206 t.csv:1:24 cannot make a column id from heading \"%\"; name the column in the mapping's \"columns\"",
      "E3206 t.csv:1:31 cannot make a column id from heading \"Note\" (\"note\" is a field of total); name the column in "
      "the mapping's \"columns\"",
  };
  BOOST_TEST(diagnostics(r) == expected, boost::test_tools::per_element());
  BOOST_TEST(one_error(import("Mio. kr;Nationalt 2026;;Region 2026\nA;1;2;3\n")) ==
             "E3206 t.csv:1:24 amount column 3 has no heading: every column after the row names needs one (Nationalt, "
             "Region …)");
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\n", R"({"columns": ["national", {"id": "region", "label": "Region H"}]})")) ==
             "E3206 t.csv:1:24 heading \"Region Hovedstaden\" is not one of the mapping's columns (national, Region H)");
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\n", R"({"columns": [{"id": "national", "label": "Nationalt"}, {"id": "region", "label": "Region Hovedstadn"}]})")) ==
             "E3206 t.csv:1:24 heading \"Region Hovedstaden\" is not one of the mapping's columns (Nationalt, Region "
             "Hovedstadn); did you mean \"Region Hovedstadn\"?");
}

BOOST_AUTO_TEST_CASE(invalid_headers) {
  BOOST_TEST(one_error(import("Mio. kr;Nationalt;Region Hovedstaden\nA;1,0;2,0\n")) ==
             "E3207 t.csv:1:1 the table does not say which year its amounts are for: put the year above the column "
             "headings, in each heading (\"Nationalt 2026\"), or in the mapping (\"years\": [2026])");
  BOOST_TEST(one_error(import("Mio. kr;Nationalt 2026;Region Hovedstaden\nA;1,0;2,0\n")) ==
             "E3207 t.csv:1:24 heading \"Region Hovedstaden\" has no year, but other headings do (\"Nationalt 2026\")");
  BOOST_TEST(one_error(import("Mio. kr;Nationalt 2026;Nationalt 2026\nA;1,0;2,0\n")) ==
             "E3207 t.csv:1:24 heading \"Nationalt\" gives column \"national\" for 2026 a second time");
  BOOST_TEST(one_error(import("Mio. kr;Region Hovedstaden 2026;Region Sjælland 2026\nA;1,0;2,0\n")) ==
             "E3207 t.csv:1:33 headings \"Region Hovedstaden\" and \"Region Sjælland\" both give column \"region\"; name "
             "the columns in the mapping's \"columns\"");
  BOOST_TEST(one_error(import("Mio. kr;\nA;1,0\n")) ==
             "E3207 t.csv:1:1 the header has no amount columns: after the row names, each column needs a heading");
  BOOST_TEST(one_error(import("Mio. kr\nA\n")) ==
             "E3207 t.csv:1:1 the header line has no separator (';', ',' or tab): a table needs a column of row names and "
             "at least one amount column");
  BOOST_TEST(one_error(import("Mio. kr, 2025 pl;Nationalt 2026\nA;1,0\n")) ==
             "E3207 t.csv:1:1 cannot tell the separator: the header line has as many ';' as ',' outside quotes; quote the "
             "headings that contain one, or start the file with a line \"sep=;\"");
  BOOST_TEST(one_error(import("Mio. kr;2026;2027\nA;1,0;2,0\n")) ==
             "E3207 t.csv:2:1 the header's first line holds years, but the line below it holds no column headings "
             "(Nationalt, Region …): add them, so that each amount column says what it is");
  BOOST_TEST(one_error(import("Mio. kr;Nationalt 2026\nA;1,0\n", R"({"years": [2025]})")) ==
             "E3207 t.csv:1:9 heading \"Nationalt\" is for 2026, which is not one of the mapping's years (2025)");
}

// ---------------------------------------------------------------------------------------------
// Structure: heraf, totals, sections

BOOST_AUTO_TEST_CASE(heraf_markers) {
  for (const std::string& marker : {std::string("heraf"), std::string("<i>heraf</i>"), std::string("Heraf:"), std::string("HERAF")}) {
    BOOST_TEST_CONTEXT(marker) {
      const auto r = import(header + "P;9,0;2,8\n" + marker + ";;\nA;9,0;2,8\nB;1,0;0,3\n",
                            R"({"rows": {"B": {"parent": null}}})");
      const proposal& p = clean(r);
      BOOST_TEST(nesting(p) == std::vector<std::string>{"A <- P"});
      BOOST_TEST(names(p, item_record) == (std::vector<std::string>{"P", "A", "B"}));  // the marker is no record
    }
  }
}

BOOST_AUTO_TEST_CASE(heraf_with_nothing_above_it) {
  BOOST_TEST(one_error(import(header + "heraf;;\nA;1,0;2,0\n")) ==
             "E3208 t.csv:2:1 \"heraf\" has no row above it to belong to: it is the first row of the table");
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\nBlok;1,0;2,0\nheraf;;\nB;1,0;\n")) ==
             "E3208 t.csv:4:1 \"heraf\" has no row above it to belong to: the row above it, \"Blok\", is a total");
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\nheraf;;\nheraf;;\nB;1,0;2,0\n")) ==
             "E3208 t.csv:4:1 \"heraf\" follows another \"heraf\": it has no row above it to belong to");
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\nheraf;;\nI alt;1,0;2,0\n")) ==
             "E3208 t.csv:3:1 no row follows this \"heraf\" that could be a sub-item");
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\n<i>heraf</i>;1,0;\nB;1,0;2,0\n")) ==
             "E3209 t.csv:3:1 a \"heraf\" row marks the rows below it as sub-items and holds no amounts; put the amounts on "
             "the row above it");
}

BOOST_AUTO_TEST_CASE(heraf_groups_from_the_mapping_are_not_guesses) {
  const std::string table = header + "P;10,0;3,1\nheraf;;\nA;5,2;1,6\nB;4,9;1,5\nC;1,0;\nD;2,0;0,6\n";
  const auto r = import(table, R"({"rows": {"B": {"parent": "P"}, "C": {"parent": "P", "channel": "direct"}, "D": {"parent": null}}})");
  const proposal& p = clean(r);
  BOOST_TEST(nesting(p) == (std::vector<std::string>{"A <- P", "B <- P", "C <- P"}), boost::test_tools::per_element());
  // The mapping contradicting the marker is an error, in the mapping.
  BOOST_TEST(one_error(import(header + "P;10,0;3,1\nheraf;;\nA;5,2;1,6\n", R"({"rows": {"A": {"parent": null}}})")) ==
             "E3212 t.mapping.json:1:27 rows[\"A\"].parent: \"A\" is directly below \"heraf\", so it belongs to \"P\", not the "
             "top level");
  BOOST_TEST(one_error(import(table, R"({"rows": {"B": {"parent": "D"}, "C": {"parent": null}}})")) ==
             "E3212 t.mapping.json:1:27 rows[\"B\"].parent: \"D\" is not a row above \"B\" that it can belong to (a sub-item "
             "comes right below its parent or the parent's other sub-items; rows that can: \"P\", \"A\")");
}

BOOST_AUTO_TEST_CASE(mapping_parents_without_heraf_and_nesting) {
  // Sub-items of sub-items: a heraf below a sub-item, or a parent named in the mapping.
  const proposal& p = clean(import(header + "P;10,0;\nheraf;;\nA;10,0;\nheraf;;\nA1;6,0;\nA2;4,0;\nB;1,0;\nC;1,0;\n",
                                   R"({"rows": {"A2": {"parent": "A"}, "B": {"parent": null}, "C": {"parent": "B"}}})"));
  BOOST_TEST(nesting(p) == (std::vector<std::string>{"A <- P", "A1 <- A", "A2 <- A", "C <- B"}), boost::test_tools::per_element());
  BOOST_TEST(p.json_pointer(item_record, 3) == "/items/0/subitems/0/subitems/1");
  BOOST_TEST(p.json_pointer(item_record, 5) == "/items/1/subitems/0");
}

BOOST_AUTO_TEST_CASE(heraf_guesses) {
  // A group ends where a row would take its sub-items beyond the parent.
  auto r = import(header + "P;10,0;3,1\nheraf;;\nA;6,0;1,9\nB;6,0;1,9\n");
  BOOST_TEST(diagnostics(r) ==
             std::vector<std::string>{"W3201 t.csv:5:1 \"B\" taken as a top-level row: with it, the heraf rows of \"P\" "
                                      "would give national 12,0, more than 10,0; give its \"parent\" in the mapping to "
                                      "confirm or correct this"});
  BOOST_TEST(nesting(loaded(r)) == std::vector<std::string>{"A <- P"});
  // A parent without amounts cannot end its group.
  r = import(header + "P;;\nheraf;;\nA;6,0;1,9\nB;6,0;1,9\n");
  BOOST_TEST(diagnostics(r) == std::vector<std::string>{"W3201 t.csv:5:1 \"B\" taken as a sub-item of \"P\": \"P\" has no "
                                                        "amounts to add up to; give its \"parent\" in the mapping to confirm "
                                                        "or correct this"});
  // Indented names are marked sub-items; only the row after them is a guess.
  r = import(header + "P;10,0;3,1\n  A;6,0;1,9\n  B;4,0;1,2\nC;1,0;0,3\n");
  BOOST_TEST(diagnostics(r) ==
             std::vector<std::string>{"W3201 t.csv:5:1 \"C\" taken as a top-level row: the heraf rows above it already add "
                                      "up to \"P\" (national 10,0 for 10,0, region 3,1 for 3,1); give its \"parent\" in the "
                                      "mapping to confirm or correct this"});
  BOOST_TEST(nesting(loaded(r)) == (std::vector<std::string>{"A <- P", "B <- P"}));
  BOOST_TEST(names(loaded(r), item_record) == (std::vector<std::string>{"P", "A", "B", "C"}));  // indentation trimmed
  BOOST_TEST(one_error(import(header + "  A;6,0;1,9\n")) ==
             "E3212 t.csv:2:3 \"A\" is indented as a sub-item, but no row above it can hold it");
}

BOOST_AUTO_TEST_CASE(totals_and_sections) {
  const proposal& p = clean(import(header +
                                   "A;1,0;0,3\nBlok;1,0;0,3\nDirekte tilskud;;\nI alt;1,0;0,3\n"
                                   "Allerede udmøntede midler;;\nB;2,0;0,6\nBlok;2,0;0,6\nI alt;2,0;0,6\nI alt;3,0;0,9\n"));
  BOOST_TEST(text(p, item_record, 0, "section") == "current");
  BOOST_TEST(text(p, item_record, 1, "section") == "already_allocated");
  std::vector<std::string> got;
  for (std::uint32_t t = 0; t < p.table_of(total_record).size(); ++t) {
    got.push_back(text(p, total_record, t, "name") + "/" + text(p, total_record, t, "kind") + "/" +
                  text(p, total_record, t, "section"));
  }
  const std::vector<std::string> expected = {"Blok/block/current",
                                             "Direkte tilskud/direct/current",
                                             "I alt/total/current",
                                             "Blok/block/already_allocated",
                                             "I alt/total/already_allocated",
                                             "I alt/grand_total/all"};
  BOOST_TEST(got == expected, boost::test_tools::per_element());
  BOOST_TEST(names(p, item_record) == (std::vector<std::string>{"A", "B"}));  // the heading is no record
}

BOOST_AUTO_TEST_CASE(totals_that_cannot_be_classified) {
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\nI alt;1,0;2,0\nI alt;1,0;2,0\n")) ==
             "E3213 t.csv:4:1 cannot tell what this \"I alt\" sums: its section (current) already has its \"I alt\" and the "
             "table has only one section; give its \"kind\" and \"section\" in the mapping");
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\nI alt;1,0;2,0\nBlok;1,0;2,0\n")) ==
             "E3213 t.csv:4:1 cannot tell which section the total \"Blok\" belongs to: it comes after the \"I alt\" of its "
             "section (current); give its \"section\" in the mapping, or add a section heading above it");
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\nSum;1,0;2,0\n", R"({"rows": {"Sum": {"role": "total"}}})")) ==
             "E3213 t.csv:3:1 cannot tell what the total \"Sum\" sums: give its \"kind\" in the mapping (block, direct, "
             "total or grand_total)");
  // The mapping can say it.
  const proposal& p = clean(import(header + "A;1,0;2,0\nSum;1,0;2,0\nTotal;1,0;2,0\n",
                                   R"({"rows": {"Sum": {"kind": "block"}, "Total": {"kind": "grand_total"}}})"));
  BOOST_TEST(text(p, total_record, 0, "kind") == "block");
  BOOST_TEST(text(p, total_record, 1, "section") == "all");
}

BOOST_AUTO_TEST_CASE(rows_after_the_section_total) {
  const auto r = import(header + "A;1,0;2,0\nI alt;1,0;2,0\nB;1,0;2,0\nC;1,0;2,0\n");
  BOOST_TEST(diagnostics(r) ==
             std::vector<std::string>{"W3202 t.csv:4:1 \"B\" comes after the \"I alt\" of its section and no section heading "
                                      "precedes it; taken as part of section current (give its \"section\" in the mapping, "
                                      "or add a heading such as \"Allerede udmøntede midler\")"});
  BOOST_TEST(loaded(r).table_of(item_record).size() == 3u);
}

BOOST_AUTO_TEST_CASE(ignored_rows_and_roles) {
  const proposal& p = clean(import(header + "A;1,0;2,0\nTidligere;;\nB;1,0;2,0\nNote: foreløbige tal;;\n",
                                   R"({"rows": {"Tidligere": {"role": "section", "section": "already_allocated"},
                                                "Note: foreløbige tal": {"role": "ignore"}}})"));
  BOOST_TEST(names(p, item_record) == (std::vector<std::string>{"A", "B"}));
  BOOST_TEST(text(p, item_record, 1, "section") == "already_allocated");
}

// ---------------------------------------------------------------------------------------------
// The mapping

BOOST_AUTO_TEST_CASE(mapping_fills_what_the_table_cannot_say) {
  const proposal& p = clean(import(header + "A;9,0;2,8\nBlok;9,0;2,8\nBlok;1,0;\n",
                                   R"({
  "title": "T", "unit": "mio. kr.", "decimals": 1,
  "rows": {
    "A": {"id": "a", "channel": "block", "earmark": "dccc", "duration": "permanent", "from": 2026, "note": "n"},
    "Blok": [{"id": "blok"}, {"occurrence": 2, "id": "blok-2", "itemized": false, "section": "already_allocated"}]
  },
  "recipients": [{"id": "dccc", "name": "DCCC", "kind": "body"}],
  "transfers": [{"from": "a", "to": "dccc", "amount": 2.8}]
})"));
  BOOST_TEST(text(p, 0, 0, "title") == "T");
  BOOST_TEST(text(p, 0, 0, "format") == "fundcheck/allocation@1");
  BOOST_TEST(text(p, item_record, 0, "id") == "a");
  BOOST_TEST(text(p, item_record, 0, "earmark") == "dccc");
  BOOST_TEST(text(p, item_record, 0, "duration") == "permanent");
  BOOST_TEST(text(p, total_record, 1, "id") == "blok-2");
  BOOST_TEST(text(p, total_record, 1, "section") == "already_allocated");
  const cell& itemized = p.table_of(total_record).at(1, slot(p, total_record, "itemized"));
  BOOST_TEST((itemized.kind == cell_kind::boolean && !itemized.flag()));
  BOOST_TEST(p.table_of(3).size() == 1u);
  const cell& transfer_amount = p.table_of(4).at(0, slot(p, 4, "amount"));
  BOOST_TEST(transfer_amount.number().to_string() == "2.8");
  BOOST_TEST(text(p, 4, 0, "column") == "region");  // the format's default
  // A value from the table stands at its cell; a value from the mapping where the mapping has it,
  // for a row's values as for a transfer's.
  const auto in_table = p.locate(p.table_of(item_record).at(0, slot(p, item_record, "name")).offset);
  BOOST_TEST(*in_table.source == p.source());
  BOOST_TEST(p.source()->locate(in_table.offset).line == 2u);
  const auto earmark = p.locate(p.table_of(item_record).at(0, slot(p, item_record, "earmark")).offset);
  BOOST_REQUIRE(*earmark.source == p.second_source());
  BOOST_TEST(p.second_source()->path() == "t.mapping.json");
  BOOST_TEST(p.second_source()->locate(earmark.offset).line == 4u);
  BOOST_TEST(p.second_source()->text().substr(earmark.offset, 6) == "\"dccc\"");
  const auto to = p.locate(p.table_of(4).at(0, slot(p, 4, "to")).offset);
  BOOST_REQUIRE(*to.source == p.second_source());
  BOOST_TEST(p.second_source()->locate(to.offset).line == 8u);
  BOOST_TEST(p.second_source()->text().substr(to.offset, 6) == "\"dccc\"");
  // A transfer's record is its object in the mapping; the document's title from the mapping too.
  const auto transfer = p.locate(p.table_of(4).origin_of(0).offset);
  BOOST_TEST(p.second_source()->text().substr(transfer.offset, 2) == "{\"");
  const auto title = p.locate(p.table_of(0).at(0, slot(p, 0, "title")).offset);
  BOOST_TEST(p.second_source()->text().substr(title.offset, 3) == "\"T\"");
}

BOOST_AUTO_TEST_CASE(without_a_mapping_every_value_is_in_the_table) {
  const proposal& p = loaded(kept(import(header + "A;9,0;2,8\n")));
  BOOST_TEST(!p.second_source());
  const auto name = p.locate(p.table_of(item_record).at(0, slot(p, item_record, "name")).offset);
  BOOST_TEST(*name.source == p.source());
}

BOOST_AUTO_TEST_CASE(mapping_errors) {
  const auto r = import(header + "A;1,0;2,0\nC;1,0;2,0\nD;1,0;2,0\nBlok;1,0;2,0\nI alt;1,0;2,0\n",
                        R"({"rows": {"Blokk": {}, "I alt": [{}, {"occurrence": 3}], "C": {"channel": "blok", "kanal": 1, "id": "x"}, "D": {"id": "x"}}, "items": [], "titel": "x"})");
  const std::vector<std::string> expected = {
      "E3211 t.mapping.json:1:11 rows[\"Blokk\"]: the table has no row \"Blokk\"; did you mean \"Blok\"?",
      "E3211 t.mapping.json:1:38 rows[\"I alt\"][1]: the table has 1 row \"I alt\", so there is no occurrence 3",
      "E3014 t.mapping.json:1:75 rows[\"C\"].channel: \"blok\" is not one of block, direct; did you mean \"block\"?",
      "E3012 t.mapping.json:1:83 rows[\"C\"].kanal: not a field of an item row; expected one of id, section, channel, "
      "recipient, earmark, duration, from, reduced_from, note, parent",
      "E3016 t.mapping.json:1:119 rows[\"D\"].id: duplicate id \"x\" (first used at rows[\"C\"].id)",
      "E3012 t.mapping.json:1:126 items: a mapping has no items: they are the table's rows; describe them under \"rows\"",
      "E3012 t.mapping.json:1:139 titel: unknown field; did you mean \"title\"?",
  };
  BOOST_TEST(diagnostics(r) == expected, boost::test_tools::per_element());
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\n", "{\"rows\": {,}}")) ==
             "E3001 t.mapping.json:1:11 invalid JSON: unexpected ','; expected string literal");
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\n", R"({"rows": {"A": {"role": "itme"}}})")) ==
             "E3014 t.mapping.json:1:25 rows[\"A\"].role: \"itme\" is not one of item, total, heraf, section, ignore; did you "
             "mean \"item\"?");
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\n", R"({"transfers": [{"to": "x"}]})")) ==
             "E3011 t.mapping.json:1:16 transfers[0]: missing required field \"from\"");
  BOOST_TEST(one_error(import(header + "A;1,0;2,0\n", R"({"rows": {"A": {}, "A": {}}})")) ==
             "E3013 t.mapping.json:1:20 rows.A: duplicate key \"A\"");
}

BOOST_AUTO_TEST_CASE(mapping_file_beside_the_table) {
  BOOST_TEST(mapping_path_for("dir/table.csv") == fs::path("dir/table.mapping.json"));
  BOOST_TEST(is_csv_path("T.CSV"));
  BOOST_TEST(!is_csv_path("t.json"));
  const fs::path missing = root / "no-such.mapping.json";
  const auto r = load_proposal_csv_file(root / "examples/kraeftplan-v-2026.csv", &missing);
  BOOST_TEST(one_error(r).starts_with("E3002 - cannot read mapping " + missing.string() + ": "));
}

BOOST_AUTO_TEST_SUITE_END()
