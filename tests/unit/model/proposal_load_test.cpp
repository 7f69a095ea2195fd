#include "fundcheck/engine/proposal.hpp"

#define BOOST_TEST_MODULE proposal_load
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace fundcheck;
using namespace fundcheck::engine;

namespace {

dsl::source_ptr source(std::string text) { return std::make_shared<const dsl::source_file>("p.json", std::move(text)); }

load_result load(std::string text, const load_limits& limits = {}) {
  return load_proposal_json(source(std::move(text)), limits);
}

std::string where(const dsl::diagnostic& d) {
  if (!d.source) return "-";
  const dsl::position p = d.source->locate(d.where.begin);
  return std::to_string(p.line) + ":" + std::to_string(p.column);
}

// "E3010 7:69 items[0]...: message" per diagnostic, in order.
std::vector<std::string> errors(const load_result& r) {
  std::vector<std::string> out;
  for (const dsl::diagnostic& d : r.diagnostics) out.push_back(d.code + " " + where(d) + " " + d.message);
  return out;
}

std::string one_error(const load_result& r) {
  BOOST_TEST(!r.ok());
  BOOST_TEST(r.value == nullptr);
  BOOST_TEST_REQUIRE(r.diagnostics.size() == 1u, "diagnostics: " << r.diagnostics.size());
  return errors(r).front();
}

// A proposal with the given item objects, one per line: item i is on line 5 + i, column 5.
std::string with_items(const std::vector<std::string>& items, const std::string& more_root = "") {
  std::string text =
      "{\n"
      "  \"format\": \"fundcheck/allocation@1\", \"title\": \"T\",\n"
      "  \"years\": [2026], \"columns\": [\"national\", \"region\"],\n"
      "  \"items\": [\n";
  for (std::size_t i = 0; i < items.size(); ++i) text += "    " + items[i] + (i + 1 < items.size() ? ",\n" : "\n");
  text += "  ]" + more_root + "\n}\n";
  return text;
}

const proposal& loaded(const load_result& r) {
  BOOST_TEST_REQUIRE(r.ok(), "errors:\n" << dsl::render_text(r.diagnostics));
  return *r.value;
}

constexpr int item_record = 1;
constexpr int total_record = 2;
constexpr int recipient_record = 3;
constexpr int transfer_record = 4;

std::uint32_t slot(const proposal& p, int record, std::string_view field) {
  const int i = p.table_of(record).def().field_index(field);
  BOOST_TEST_REQUIRE(i >= 0);
  return static_cast<std::uint32_t>(i);
}

std::string text_of(const proposal& p, int record, std::uint32_t row, std::string_view field) {
  const cell& c = p.table_of(record).at(row, slot(p, record, field));
  BOOST_TEST_REQUIRE((c.kind == cell_kind::text));
  return std::string(p.text(c));
}

std::string amount(const proposal& p, int record, std::uint32_t row, std::string_view column, std::size_t year = 0) {
  const table& t = p.table_of(record);
  const cell& c = t.at(row, t.amount_slot(static_cast<std::uint32_t>(p.column_index(column)), static_cast<std::uint32_t>(year)));
  return c.present() ? c.number().to_string() : "absent";
}

// The text of the source at a cell's offset, for checking locations.
std::string_view at(const proposal& p, const cell& c, std::size_t n) { return std::string_view(p.source()->text()).substr(c.offset, n); }

}  // namespace

BOOST_AUTO_TEST_SUITE(proposal_load_suite)

// ---------------------------------------------------------------------------------------------
// Reading values

BOOST_AUTO_TEST_CASE(every_field_type_is_read) {
  const load_result r = load(R"({
  "format": "fundcheck/allocation@1",
  "title": "Kræftplan V \u2013 2026",
  "source": "Bilag 3", "unit": "mio. kr.", "price_level": "2025 pl", "decimals": 1, "locale": "da",
  "note": "escapes: \"q\" \\ \/ \b\f\n\r\t \u00e6\ud83d\ude00",
  "years": [2026],
  "columns": [{"id": "national", "label": "Nationalt"}, {"id": "region", "label": "Region Hovedstaden"}],
  "items": [
    {"id": "koel", "name": "Mobile kølehætter", "section": "current", "channel": "block", "recipient": "r",
     "earmark": "dccc", "duration": "permanent", "from": 2026, "reduced_from": 2027, "note": "n",
     "amounts": {"national": 9.0, "region": 2.8}, "subitems": []}
  ],
  "totals": [{"id": "blok", "name": "Blok", "section": "all", "kind": "block", "itemized": false, "note": "x",
              "amounts": {"national": 350.0, "region": 109.1}}],
  "recipients": [{"id": "dccc", "name": "Danish Comprehensive Cancer Center", "kind": "body", "amount": 0.6, "note": "y"}],
  "transfers": [{"id": "t1", "from": "koel", "to": "dccc", "amount": 0.6, "share": 100, "column": "region", "year": 2026, "note": "z"}]
})");
  const proposal& p = loaded(r);
  BOOST_TEST(p.tables().size() == 5u);
  BOOST_TEST(p.table_of(0).size() == 1u);
  BOOST_TEST(text_of(p, 0, 0, "title") == "Kræftplan V \u2013 2026");
  BOOST_TEST(text_of(p, 0, 0, "note") == "escapes: \"q\" \\ / \b\f\n\r\t \u00e6\U0001F600");
  BOOST_TEST(text_of(p, 0, 0, "locale") == "da");
  const cell& decimals = p.table_of(0).at(0, slot(p, 0, "decimals"));
  BOOST_TEST((decimals.kind == cell_kind::number));
  BOOST_TEST(decimals.number().to_string() == "1");

  BOOST_TEST(p.columns().size() == 2u);
  BOOST_TEST(p.columns()[0].id == "national");
  BOOST_TEST(p.columns()[1].label == "Region Hovedstaden");
  BOOST_TEST(p.years().size() == 1u);
  BOOST_TEST(p.years()[0] == 2026);
  BOOST_TEST(p.column_index("region") == 1);
  BOOST_TEST(p.column_index("nope") == -1);
  BOOST_TEST(p.year_index(2026) == 0);
  BOOST_TEST(p.year_index(2027) == -1);

  BOOST_TEST(p.table_of(item_record).size() == 1u);
  BOOST_TEST(text_of(p, item_record, 0, "name") == "Mobile kølehætter");
  BOOST_TEST(text_of(p, item_record, 0, "earmark") == "dccc");
  BOOST_TEST(text_of(p, item_record, 0, "duration") == "permanent");
  const cell& from = p.table_of(item_record).at(0, slot(p, item_record, "from"));
  BOOST_TEST(from.number().to_string() == "2026");
  BOOST_TEST(from.decimals == 0);  // a year, not a reported amount
  BOOST_TEST(amount(p, item_record, 0, "national") == "9.0");
  BOOST_TEST(amount(p, item_record, 0, "region") == "2.8");
  const cell& subitems = p.table_of(item_record).at(0, slot(p, item_record, "subitems"));
  BOOST_TEST((subitems.kind == cell_kind::records));
  BOOST_TEST(p.records(subitems).empty());

  const cell& itemized = p.table_of(total_record).at(0, slot(p, total_record, "itemized"));
  BOOST_TEST((itemized.kind == cell_kind::boolean));
  BOOST_TEST(!itemized.flag());
  BOOST_TEST(text_of(p, total_record, 0, "kind") == "block");
  BOOST_TEST(text_of(p, total_record, 0, "section") == "all");
  BOOST_TEST(amount(p, total_record, 0, "region") == "109.1");

  BOOST_TEST(text_of(p, recipient_record, 0, "kind") == "body");
  BOOST_TEST(p.table_of(recipient_record).at(0, slot(p, recipient_record, "amount")).number().to_string() == "0.6");
  BOOST_TEST(text_of(p, transfer_record, 0, "to") == "dccc");
  BOOST_TEST(p.table_of(transfer_record).at(0, slot(p, transfer_record, "share")).number().to_string() == "100");

  for (int c = 0; c < 4; ++c) BOOST_TEST(p.collection(c).size() == 1u);
}

BOOST_AUTO_TEST_CASE(numbers_are_exact_and_keep_their_scale) {
  const load_result loaded_result = load(with_items({
      R"({"id": "a", "name": "A", "amounts": {"national": 42, "region": 0.3117}})",
      R"({"id": "b", "name": "B", "amounts": {"national": 1e3, "region": 2.5E-2}})",
      R"({"id": "c", "name": "C", "amounts": {"national": 123456789012345678, "region": 0.000000000000000001}})",
      R"({"id": "d", "name": "D", "amounts": {"national": -3.10, "region": 42.0}})",
  }));
  const proposal& p = loaded(loaded_result);
  BOOST_TEST(amount(p, item_record, 0, "national") == "42");
  BOOST_TEST(amount(p, item_record, 0, "region") == "0.3117");
  BOOST_TEST(amount(p, item_record, 1, "national") == "1000");
  BOOST_TEST(amount(p, item_record, 1, "region") == "0.025");
  BOOST_TEST(amount(p, item_record, 2, "national") == "123456789012345678");
  BOOST_TEST(amount(p, item_record, 2, "region") == "0.000000000000000001");
  BOOST_TEST(amount(p, item_record, 3, "national") == "-3.10");
  BOOST_TEST(amount(p, item_record, 3, "region") == "42.0");
  const table& t = p.table_of(item_record);
  // Without the proposal's "decimals", a number is reported with the decimals it is written with.
  BOOST_TEST(t.at(3, t.amount_slot(0, 0)).decimals == 2);
  BOOST_TEST(t.at(0, t.amount_slot(1, 0)).decimals == 4);
  BOOST_TEST(t.at(1, t.amount_slot(1, 0)).decimals == 3);
}

BOOST_AUTO_TEST_CASE(the_proposals_decimals_apply_to_reported_numbers_wherever_the_key_stands) {
  for (const bool late : {false, true}) {
    BOOST_TEST_CONTEXT("decimals after the items: " << late) {
      const std::string decimals = R"("decimals": 1)";
      std::string text = std::string("{\"format\": \"fundcheck/allocation@1\", \"title\": \"T\",") +
                         (late ? "" : decimals + ",") +
                         R"( "years": [2026], "columns": ["national", "region"],
  "items": [{"id": "a", "name": "A", "from": 2026, "amounts": {"national": 9, "region": 2.80}}],
  "recipients": [{"id": "r", "name": "R", "amount": 3.6}],
  "transfers": [{"from": "a", "to": "r", "amount": 1.55, "share": 50}])" +
                         (late ? "," + decimals : "") + "}";
      const load_result loaded_result = load(text);
  const proposal& p = loaded(loaded_result);
      const table& t = p.table_of(item_record);
      BOOST_TEST(t.at(0, t.amount_slot(0, 0)).decimals == 1);
      BOOST_TEST(t.at(0, t.amount_slot(1, 0)).decimals == 1);
      BOOST_TEST(t.at(0, t.amount_slot(1, 0)).scale == 2);  // the written scale is kept
      BOOST_TEST(t.at(0, slot(p, item_record, "from")).decimals == 0);
      BOOST_TEST(p.table_of(recipient_record).at(0, slot(p, recipient_record, "amount")).decimals == 1);
      BOOST_TEST(p.table_of(transfer_record).at(0, slot(p, transfer_record, "amount")).decimals == 1);
      BOOST_TEST(p.table_of(transfer_record).at(0, slot(p, transfer_record, "share")).decimals == 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(multi_year_amounts) {
  const load_result r = load(R"({"format": "fundcheck/allocation@1", "title": "T",
  "years": [2026, 2027, 2028], "columns": ["national", "region"],
  "items": [
    {"id": "a", "name": "A", "amounts": {"national": {"2026": 5.0, "2027": 4.5}, "region": 1.6}},
    {"id": "b", "name": "B", "amounts": {"region": {"2028": 0.3, "2026": null}, "national": null}}
  ]})");
  const proposal& p = loaded(r);
  BOOST_TEST(p.years().size() == 3u);
  BOOST_TEST(p.year_index(2028) == 2);
  const table& t = p.table_of(item_record);
  BOOST_TEST(t.slots() == t.first_amount_slot() + 6u);
  BOOST_TEST(amount(p, item_record, 0, "national", 0) == "5.0");
  BOOST_TEST(amount(p, item_record, 0, "national", 1) == "4.5");
  BOOST_TEST(amount(p, item_record, 0, "national", 2) == "absent");
  BOOST_TEST(amount(p, item_record, 0, "region", 0) == "1.6");  // a number alone is the first year
  BOOST_TEST(amount(p, item_record, 0, "region", 1) == "absent");
  BOOST_TEST(amount(p, item_record, 1, "region", 2) == "0.3");
  BOOST_TEST(amount(p, item_record, 1, "region", 0) == "absent");
  BOOST_TEST(amount(p, item_record, 1, "national", 0) == "absent");

  BOOST_TEST(p.json_pointer(item_record, 0, t.amount_slot(0, 1)) == "/items/0/amounts/national/2027");
  BOOST_TEST(p.json_pointer(item_record, 0, t.amount_slot(0, 0)) == "/items/0/amounts/national/2026");
  // Written as the column's value: the pointer ends at the column.
  BOOST_TEST(p.json_pointer(item_record, 0, t.amount_slot(1, 0)) == "/items/0/amounts/region");
  BOOST_TEST(p.dotted_path(item_record, 1, t.amount_slot(1, 2)) == "items[1].amounts.region.2028");
  BOOST_TEST(p.dotted_path(item_record, 0, t.amount_slot(1, 0)) == "items[0].amounts.region");
}

BOOST_AUTO_TEST_CASE(keys_may_come_in_any_order) {
  const std::string usual = R"({"format": "fundcheck/allocation@1", "title": "T", "decimals": 1,
  "years": [2026], "columns": ["national", "region"],
  "items": [{"id": "a", "name": "A", "amounts": {"national": 9.0, "region": 2.8}, "subitems": [{"name": "S", "id": "s"}]}]})";
  const std::string reversed = R"({"items": [{"subitems": [{"id": "s", "name": "S"}], "amounts": {"region": 2.8, "national": 9.0}, "name": "A", "id": "a"}],
  "columns": ["national", "region"], "decimals": 1, "years": [2026], "title": "T", "format": "fundcheck/allocation@1"})";
  const load_result a = load(usual);
  const load_result b = load(reversed);
  const proposal& pa = loaded(a);
  const proposal& pb = loaded(b);
  for (int record = 0; record < 5; ++record) {
    const table& ta = pa.table_of(record);
    const table& tb = pb.table_of(record);
    BOOST_TEST_REQUIRE(ta.size() == tb.size());
    BOOST_TEST_REQUIRE(ta.slots() == tb.slots());
    for (std::uint32_t row = 0; row < ta.size(); ++row) {
      for (std::uint32_t s = 0; s < ta.slots(); ++s) {
        BOOST_TEST_CONTEXT("record " << record << " row " << row << " slot " << s) {
          const cell& x = ta.at(row, s);
          const cell& y = tb.at(row, s);
          BOOST_TEST((x.kind == y.kind));
          if (x.kind == cell_kind::number) {
            BOOST_TEST((x.number() == y.number()));
            BOOST_TEST(x.decimals == y.decimals);
          }
          if (x.kind == cell_kind::text) BOOST_TEST(pa.text(x) == pb.text(y));
          if (x.kind == cell_kind::records) BOOST_TEST(x.range.size == y.range.size);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(defaults_and_inherited_sections) {
  const load_result loaded_result = load(with_items(
      {R"({"id": "a", "name": "A", "subitems": [{"id": "a1", "name": "A1"}]})",
       R"({"id": "b", "name": "B", "subitems": [{"id": "b1", "name": "B1", "subitems": [{"id": "b11", "name": "B11"}]}], "section": "already_allocated"})",
       R"({"id": "c", "name": "C", "section": "already_allocated", "subitems": [{"id": "c1", "name": "C1", "section": "current"}]})"},
      R"(, "totals": [{"id": "t", "name": "I alt", "kind": "total"}], "transfers": [{"from": "a", "to": "x"}])"));
  const proposal& p = loaded(loaded_result);
  // Rows in pre-order: a a1 b b1 b11 c c1.
  const char* const ids[] = {"a", "a1", "b", "b1", "b11", "c", "c1"};
  const char* const sections[] = {"current", "current", "already_allocated", "already_allocated",
                                  "already_allocated", "already_allocated", "current"};
  BOOST_TEST_REQUIRE(p.table_of(item_record).size() == 7u);
  for (std::uint32_t row = 0; row < 7; ++row) {
    BOOST_TEST(text_of(p, item_record, row, "id") == ids[row]);
    BOOST_TEST(text_of(p, item_record, row, "section") == sections[row]);
    BOOST_TEST(text_of(p, item_record, row, "duration") == "unspecified");
    BOOST_TEST(!p.table_of(item_record).at(row, slot(p, item_record, "channel")).present());  // no default
  }
  BOOST_TEST(text_of(p, total_record, 0, "section") == "current");
  BOOST_TEST(text_of(p, transfer_record, 0, "column") == "region");
  // A default stands where its record stands.
  const cell& d = p.table_of(item_record).at(0, slot(p, item_record, "duration"));
  BOOST_TEST(d.offset == p.table_of(item_record).origin_of(0).offset);
  BOOST_TEST(at(p, d, 1) == "{");
}

BOOST_AUTO_TEST_CASE(null_is_absent_for_optional_fields) {
  const load_result loaded_result = load(with_items({R"({"id": "a", "name": "A", "channel": null, "note": null, "amounts": null, "subitems": null})"}));
  const proposal& p = loaded(loaded_result);
  const table& t = p.table_of(item_record);
  BOOST_TEST(!t.at(0, slot(p, item_record, "channel")).present());
  BOOST_TEST(!t.at(0, slot(p, item_record, "subitems")).present());
  BOOST_TEST(!t.at(0, t.amount_slot(0, 0)).present());
}

BOOST_AUTO_TEST_CASE(sub_items_are_rows_in_pre_order_with_parent_links) {
  const load_result loaded_result = load(with_items(
      {R"({"id": "a", "name": "A"})",
       R"({"id": "b", "name": "B", "subitems": [{"id": "b0", "name": "B0", "subitems": [{"id": "b00", "name": "B00"}, {"id": "b01", "name": "B01"}]}, {"id": "b1", "name": "B1"}]})",
       R"({"id": "c", "name": "C", "subitems": [{"id": "c0", "name": "C0"}, {"id": "c1", "name": "C1", "amounts": {"region": 1.5}}]})"}));
  const proposal& p = loaded(loaded_result);
  const table& t = p.table_of(item_record);
  // a b b0 b00 b01 b1 c c0 c1
  BOOST_TEST_REQUIRE(t.size() == 9u);
  const std::int32_t parents[] = {-1, -1, 1, 2, 2, 1, -1, 6, 6};
  const std::uint32_t indexes[] = {0, 1, 0, 0, 1, 1, 2, 0, 1};
  const int subitems = t.def().field_index("subitems");
  for (std::uint32_t row = 0; row < 9; ++row) {
    BOOST_TEST(t.origin_of(row).parent == parents[row]);
    BOOST_TEST(t.origin_of(row).index == indexes[row]);
    BOOST_TEST(t.origin_of(row).parent_field == (parents[row] < 0 ? 0 : subitems));  // top level: collection 0
    BOOST_TEST(at(p, t.at(row, 0), 1) == "\"");  // the id's offset is its string
    BOOST_TEST(std::string_view(p.source()->text()).substr(t.origin_of(row).offset, 1) == "{");
  }
  BOOST_TEST((std::vector<std::uint32_t>(p.collection(0).begin(), p.collection(0).end()) == std::vector<std::uint32_t>{0, 1, 6}));
  auto children = [&](std::uint32_t row) {
    const cell& c = t.at(row, static_cast<std::uint32_t>(subitems));
    return std::vector<std::uint32_t>(p.records(c).begin(), p.records(c).end());
  };
  BOOST_TEST((children(1) == std::vector<std::uint32_t>{2, 5}));
  BOOST_TEST((children(2) == std::vector<std::uint32_t>{3, 4}));
  BOOST_TEST((children(6) == std::vector<std::uint32_t>{7, 8}));
  BOOST_TEST(!t.at(0, static_cast<std::uint32_t>(subitems)).present());

  BOOST_TEST(p.json_pointer(item_record, 4) == "/items/1/subitems/0/subitems/1");
  BOOST_TEST(p.json_pointer(item_record, 8, t.amount_slot(1, 0)) == "/items/2/subitems/1/amounts/region");
  BOOST_TEST(p.dotted_path(item_record, 8, t.amount_slot(1, 0)) == "items[2].subitems[1].amounts.region");
  BOOST_TEST(p.dotted_path(item_record, 3, 1) == "items[1].subitems[0].subitems[0].name");
  BOOST_TEST(p.dotted_path(item_record, 6) == "items[2]");
  BOOST_TEST(p.json_pointer(0, 0) == "");
  BOOST_TEST(p.json_pointer(0, 0, slot(p, 0, "title")) == "/title");
  BOOST_TEST(p.dotted_path(0, 0, slot(p, 0, "title")) == "title");
}

BOOST_AUTO_TEST_CASE(pointers_of_other_collections) {
  const load_result loaded_result = load(with_items({R"({"id": "a", "name": "A"})"},
                                             R"(, "totals": [{"id": "t0", "name": "Blok", "kind": "block"}, {"id": "t1", "name": "I alt", "kind": "total", "amounts": {"region": 1.0}}],
  "transfers": [{"from": "a", "to": "r"}])"));
  const proposal& p = loaded(loaded_result);
  const table& t = p.table_of(total_record);
  BOOST_TEST(p.json_pointer(total_record, 1, t.amount_slot(1, 0)) == "/totals/1/amounts/region");
  BOOST_TEST(p.dotted_path(transfer_record, 0, slot(p, transfer_record, "to")) == "transfers[0].to");
}

BOOST_AUTO_TEST_CASE(a_large_proposal_loads_completely) {
  // A large proposal (several MB); ids unique, one duplicate last.
  constexpr int n = 80'000;
  std::string text = R"({"format": "fundcheck/allocation@1", "title": "T", "decimals": 1, "years": [2026], "columns": ["national", "region"], "items": [)";
  for (int i = 0; i < n; ++i) {
    text += R"({"id": "i)" + std::to_string(i) + R"(", "name": "Item", "channel": "block", "amounts": {"national": )" +
            std::to_string(i) + ".5, \"region\": 0.1}, \"subitems\": [{\"id\": \"s" + std::to_string(i) + "\", \"name\": \"S\"}]},";
  }
  text += R"({"id": "i17", "name": "again"}]})";
  const load_result dup = load(text);
  BOOST_TEST_REQUIRE(dup.diagnostics.size() == 1u);
  BOOST_TEST(dup.diagnostics[0].message == "items[80000].id: duplicate id \"i17\" (first used at items[17].id)");
  BOOST_TEST(dup.diagnostics[0].where.begin == text.rfind("\"i17\""));
  text.replace(text.rfind("\"i17\""), 5, "\"new\"");
  const load_result r = load(text);
  const proposal& p = loaded(r);
  const table& t = p.table_of(item_record);
  BOOST_TEST(t.size() == 2u * n + 1);
  BOOST_TEST(p.collection(0).size() == std::size_t{n} + 1);
  BOOST_TEST(amount(p, item_record, 2 * 12345, "national") == "12345.5");
  BOOST_TEST(text_of(p, item_record, 2 * 12345 + 1, "id") == "s12345");
  BOOST_TEST(t.origin_of(2 * 12345 + 1).parent == 2 * 12345);
  BOOST_TEST(text_of(p, item_record, 2 * n, "id") == "new");
}

BOOST_AUTO_TEST_CASE(columns_as_plain_strings_or_objects) {
  const load_result loaded_result = load(R"({"format": "fundcheck/allocation@1", "title": "T", "years": [2026],
  "columns": ["national", {"id": "region", "label": "Region Hovedstaden"}, {"id": "other"}], "items": []})");
  const proposal& p = loaded(loaded_result);
  BOOST_TEST(p.columns().size() == 3u);
  BOOST_TEST(p.columns()[0].label == "national");  // the label defaults to the id
  BOOST_TEST(p.columns()[1].label == "Region Hovedstaden");
  BOOST_TEST(p.columns()[2].id == "other");
  BOOST_TEST(p.table_of(item_record).size() == 0u);
}

BOOST_AUTO_TEST_CASE(byte_order_mark_and_crlf_line_ends) {
  std::string text = "\xEF\xBB\xBF{\"format\": \"fundcheck/allocation@1\", \"title\": \"T\",\r\n"
                     " \"years\": [2026], \"columns\": [\"national\"],\r\n"
                     " \"items\": [{\"id\": \"a\", \"name\": \"A\", \"amounts\": {\"national\": 9.0}}]}\r\n";
  const load_result ok = load(text);
  const proposal& p = loaded(ok);
  const cell& c = p.table_of(item_record).at(0, p.table_of(item_record).amount_slot(0, 0));
  BOOST_TEST(at(p, c, 3) == "9.0");  // offsets count the BOM

  std::string bad = text;
  bad.replace(bad.find("9.0"), 3, "\"9\"");
  BOOST_TEST(one_error(load(bad)) == "E3010 3:61 items[0].amounts.national: expected a number, got \"9\"");
  std::string broken = text;
  broken.replace(broken.find("9.0"), 3, "9.0,");
  BOOST_TEST(one_error(load(broken)) == "E3001 3:65 invalid JSON: unexpected '}'; expected string literal");
}

BOOST_AUTO_TEST_CASE(load_from_a_file) {
  const auto path = std::filesystem::temp_directory_path() / "fundcheck_proposal_load_test.json";
  {
    std::ofstream out(path, std::ios::binary);
    out << with_items({R"({"id": "a", "name": "A", "amounts": {"national": "x"}})"});
  }
  const load_result r = load_proposal_file(path);
  BOOST_TEST(one_error(r) == "E3010 5:54 items[0].amounts.national: expected a number, got \"x\"");
  BOOST_TEST(r.diagnostics[0].source->path() == path.string());
  std::filesystem::remove(path);

  const load_result missing = load_proposal_file(path);
  BOOST_TEST_REQUIRE(missing.diagnostics.size() == 1u);
  BOOST_TEST(missing.diagnostics[0].code == "E3002");
  BOOST_TEST(missing.diagnostics[0].message ==
             "cannot read proposal " + path.string() + ": No such file or directory");
}

// ---------------------------------------------------------------------------------------------
// Input errors: each with its exact message and place

BOOST_AUTO_TEST_CASE(wrong_type) {
  const load_result r = load(with_items({
      R"({"id": "a", "name": "A"})",
      R"({"id": "b", "name": "B"})",
      R"({"id": "c", "name": "C"})",
      R"({"id": "d", "name": "D", "amounts": {"national": 9.0, "region": "2,8"}})",
  }));
  BOOST_TEST(one_error(r) == "E3010 8:69 items[3].amounts.region: expected a number, got \"2,8\"");
  BOOST_TEST(r.diagnostics[0].where.end - r.diagnostics[0].where.begin == 5u);

  BOOST_TEST(errors(load(with_items({R"({"id": 1, "name": ["x"], "from": "2026", "subitems": {}, "amounts": []})"}))) ==
                 (std::vector<std::string>{
                     "E3010 5:12 items[0].id: expected a string, got 1",
                     "E3010 5:23 items[0].name: expected a string, got an array",
                     "E3010 5:38 items[0].from: expected a number, got \"2026\"",
                     "E3010 5:58 items[0].subitems: expected an array, got an object",
                     "E3010 5:73 items[0].amounts: expected an object of amounts per column, got an array",
                 }),
             boost::test_tools::per_element());
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": null})"}))) ==
             "E3010 5:25 items[0].name: expected a string, got null");
  BOOST_TEST(one_error(load(with_items({R"("a")"}))) == "E3010 5:5 items[0]: expected an object, got \"a\"");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "subitems": [true]})"}))) ==
             "E3010 5:43 items[0].subitems[0]: expected an object, got true");
  BOOST_TEST(one_error(load(R"({"format": "fundcheck/allocation@1", "title": "T", "years": [2026], "columns": ["n"], "items": {}})")) ==
             "E3010 1:96 items: expected an array, got an object");
  BOOST_TEST(one_error(load(R"(["not", "an", "object"])")) == "E3010 1:1 (root): expected an object, got an array");
  BOOST_TEST(one_error(load("42")) == "E3010 1:1 (root): expected an object, got 42");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A"})"}, R"(, "totals": [{"id": "t", "name": "T", "kind": "total", "itemized": "no"}])"))) ==
             "E3010 6:71 totals[0].itemized: expected true or false, got \"no\"");
}

BOOST_AUTO_TEST_CASE(missing_required_field) {
  BOOST_TEST(one_error(load(with_items({R"({"id": "a"})"}))) == "E3011 5:5 items[0]: missing required field \"name\"");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "subitems": [{"name": "x"}]})"}))) ==
             "E3011 5:43 items[0].subitems[0]: missing required field \"id\"");
  BOOST_TEST(errors(load(R"({"columns": ["n"]})")) ==
                 (std::vector<std::string>{
                     "E3011 1:1 (root): missing required field \"format\"",
                     "E3011 1:1 (root): missing required field \"title\"",
                     "E3011 1:1 (root): missing required field \"years\"",
                     "E3011 1:1 (root): missing required field \"items\"",
                 }),
             boost::test_tools::per_element());
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A"})"}, R"(, "totals": [{"id": "t", "name": "T"}])"))) ==
             "E3011 6:17 totals[0]: missing required field \"kind\"");
}

BOOST_AUTO_TEST_CASE(unknown_field) {
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A"})", R"({"id": "b", "name": "B", "amonts": {}})"}))) ==
             "E3012 6:30 items[1].amonts: unknown field; did you mean \"amounts\"?");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "colour": "red"})"}))) ==
             "E3012 5:30 items[0].colour: unknown field; expected one of id, name, section, channel, recipient, "
             "earmark, duration, from, reduced_from, note, amounts, subitems");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A"})"}, R"(, "item": [])"))) ==
             "E3012 6:6 item: unknown field; did you mean \"items\"?");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "Name": "x"})"}))) ==
             "E3012 5:30 items[0].Name: unknown field; did you mean \"name\"?");
}

BOOST_AUTO_TEST_CASE(duplicate_key) {
  const load_result r = load(with_items({R"({"id": "a", "name": "A", "name": "B"})"}));
  BOOST_TEST(one_error(r) == "E3013 5:30 items[0].name: duplicate key \"name\"");
  BOOST_TEST_REQUIRE(r.diagnostics[0].notes.size() == 1u);
  BOOST_TEST(where(r.diagnostics[0].notes[0]) == "5:25");
  BOOST_TEST(r.diagnostics[0].notes[0].message == "first given here");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "amounts": {"region": 1, "region": 2}})"}))) ==
             "E3013 5:55 items[0].amounts.region: duplicate key \"region\"");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A"})"}, R"(, "title": "again")"))) ==
             "E3013 6:6 title: duplicate key \"title\"");
}

BOOST_AUTO_TEST_CASE(value_not_allowed) {
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A"})", R"({"id": "b", "name": "B"})",
                                        R"({"id": "c", "name": "C", "channel": "blok"})"}))) ==
             "E3014 7:41 items[2].channel: \"blok\" is not one of block, direct; did you mean \"block\"?");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "duration": "forever"})"}))) ==
             "E3014 5:42 items[0].duration: \"forever\" is not one of one-off, permanent, unspecified");
  BOOST_TEST(one_error(load(R"({"format": "fundcheck/allocation@2", "title": "T", "years": [2026], "columns": ["n"], "items": []})")) ==
             "E3014 1:12 format: \"fundcheck/allocation@2\" is not one of fundcheck/allocation@1; did you mean \"fundcheck/allocation@1\"?");
}

BOOST_AUTO_TEST_CASE(number_out_of_range) {
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "amounts": {"national": 12345678901234567890}})"}))) ==
             "E3015 5:54 items[0].amounts.national: 12345678901234567890 has more digits than an amount can hold "
             "(at most 18 significant digits and 18 decimals)");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "amounts": {"national": 1e-30}})"}))) ==
             "E3015 5:54 items[0].amounts.national: 1e-30 has more digits than an amount can hold "
             "(at most 18 significant digits and 18 decimals)");
  BOOST_TEST(load(with_items({R"({"id": "a", "name": "A", "amounts": {"national": 1.0000000000000000000000}})"})).ok());
}

BOOST_AUTO_TEST_CASE(duplicate_id) {
  const load_result r = load(with_items({
      R"({"id": "a", "name": "A"})",
      R"({"id": "x", "name": "B"})",
      R"({"id": "c", "name": "C"})",
      R"({"id": "d", "name": "D"})",
      R"({"id": "e", "name": "E", "subitems": [{"id": "x", "name": "X"}]})",
  }));
  BOOST_TEST(one_error(r) == "E3016 9:50 items[4].subitems[0].id: duplicate id \"x\" (first used at items[1].id)");
  BOOST_TEST_REQUIRE(r.diagnostics[0].notes.size() == 1u);
  BOOST_TEST(where(r.diagnostics[0].notes[0]) == "6:12");
  BOOST_TEST(r.diagnostics[0].notes[0].message == "items[1].id: first used here");
  // Ids are unique per record type: a total may share an item's id.
  BOOST_TEST(load(with_items({R"({"id": "a", "name": "A"})"}, R"(, "totals": [{"id": "a", "name": "T", "kind": "total"}])")).ok());
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A"})"},
                                       R"(, "transfers": [{"id": "t", "from": "a", "to": "r"}, {"id": "t", "from": "a", "to": "r"}])"))) ==
             "E3016 6:64 transfers[1].id: duplicate id \"t\" (first used at transfers[0].id)");
}

BOOST_AUTO_TEST_CASE(unknown_column_and_year) {
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "amounts": {"regoin": 1.0}})"}))) ==
             "E3017 5:42 items[0].amounts.regoin: unknown column \"regoin\"; did you mean \"region\"?");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "amounts": {"kommune": 1.0}})"}))) ==
             "E3017 5:42 items[0].amounts.kommune: unknown column \"kommune\"; the proposal's columns are national, region");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "amounts": {"national": {"2027": 1}}})"}))) ==
             "E3018 5:55 items[0].amounts.national.2027: unknown year \"2027\"; the proposal's years are 2026");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "amounts": {"national": {"2026": 1, "2026": 2}}})"}))) ==
             "E3013 5:66 items[0].amounts.national.2026: duplicate key \"2026\"");
}

BOOST_AUTO_TEST_CASE(invalid_years_and_columns) {
  auto root = [](const std::string& years, const std::string& columns) {
    return R"({"format": "fundcheck/allocation@1", "title": "T", "years": )" + years + R"(, "columns": )" + columns +
           R"(, "items": [{"id": "a", "name": "A", "amounts": {"n": 1}}]})";
  };
  BOOST_TEST(one_error(load(root("[2026, 2026]", "[\"n\"]"))) ==
             "E3019 1:68 years[1]: 2026 does not come after 2026 (years must be strictly increasing)");
  BOOST_TEST(one_error(load(root("[2026.5]", "[\"n\"]"))) ==
             "E3019 1:62 years[0]: 2026.5 is not a year (a whole number from 1 to 9999)");
  BOOST_TEST(one_error(load(root("[]", "[\"n\"]"))) == "E3019 1:52 years: at least one year is required");
  BOOST_TEST(one_error(load(root("2026", "[\"n\"]"))) == "E3010 1:61 years: expected an array of years, got 2026");
  BOOST_TEST(one_error(load(root("[2026]", "[\"n\", \"n\"]"))) == "E3020 1:86 columns[1]: duplicate column id \"n\"");
  BOOST_TEST(one_error(load(root("[2026]", "[\"Region H\"]"))) ==
             "E3020 1:81 columns[0]: \"Region H\" is not a valid column id (letters, digits and _, not starting with a digit)");
  BOOST_TEST(one_error(load(root("[2026]", "[{\"id\": \"name\"}]"))) ==
             "E3020 1:88 columns[0].id: column id \"name\" is already a field of total");
  BOOST_TEST(one_error(load(root("[2026]", "[]"))) == "E3020 1:69 columns: at least one column is required");
  BOOST_TEST(one_error(load(root("[2026]", "[\"n\", {\"id\": \"\"}]"))) ==
             "E3020 1:93 columns[1].id: \"\" is not a valid column id (letters, digits and _, not starting with a digit)");
  BOOST_TEST(one_error(load(root("[2026]", "[{\"label\": \"x\"}]"))) ==
             "E3011 1:81 columns[0]: missing required field \"id\"");
  BOOST_TEST(one_error(load(root("[2026]", "[{\"id\": \"n\", \"lable\": \"x\"}]"))) ==
             "E3012 1:93 columns[0].lable: unknown field; did you mean \"label\"?");
}

BOOST_AUTO_TEST_CASE(invalid_decimals) {
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A"})"}, R"(, "decimals": 1.5)"))) ==
             "E3021 6:18 decimals: must be a whole number from 0 to 18, got 1.5");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A"})"}, R"(, "decimals": 19)"))) ==
             "E3021 6:18 decimals: must be a whole number from 0 to 18, got 19");
  BOOST_TEST(load(with_items({R"({"id": "a", "name": "A"})"}, R"(, "decimals": 2.0)")).ok());
}

BOOST_AUTO_TEST_CASE(several_errors_are_collected_in_source_order) {
  const load_result r = load(with_items({
      R"({"id": "a", "amounts": {"region": "2,8"}})",
      R"({"id": "b", "name": "B", "channel": "blok"})",
      R"({"id": "a", "name": "C", "amonts": 1})",
  }));
  BOOST_TEST(errors(r) == (std::vector<std::string>{
                              "E3011 5:5 items[0]: missing required field \"name\"",
                              "E3010 5:39 items[0].amounts.region: expected a number, got \"2,8\"",
                              "E3014 6:41 items[1].channel: \"blok\" is not one of block, direct; did you mean \"block\"?",
                              "E3016 7:12 items[2].id: duplicate id \"a\" (first used at items[0].id)",
                              "E3012 7:30 items[2].amonts: unknown field; did you mean \"amounts\"?",
                          }),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(errors_stop_at_fifty) {
  std::vector<std::string> items;
  for (int i = 0; i < 80; ++i) items.push_back(R"({"id": ")" + std::to_string(i) + R"("})");
  const load_result r = load(with_items(items));
  BOOST_TEST(r.diagnostics.size() == 50u);
  std::size_t stop_notes = 0;
  for (const dsl::diagnostic& d : r.diagnostics) {
    for (const dsl::diagnostic& n : d.notes) stop_notes += n.message == "stopped reading the proposal after 50 errors";
  }
  BOOST_TEST(stop_notes == 1u);
}

// ---------------------------------------------------------------------------------------------
// Malformed JSON and limits

BOOST_AUTO_TEST_CASE(syntax_errors) {
  BOOST_TEST(one_error(load("{\n  \"format\": \"x\",\n  \"items\": [1, 2,}\n")) ==
             "E3001 3:18 invalid JSON: unexpected '}'; expected '[', '{', or a literal");
  BOOST_TEST(one_error(load("{\"a\": 1,}")) == "E3001 1:9 invalid JSON: unexpected '}'; expected string literal");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "amounts": {"national": NaN}})"}))) ==
             "E3001 5:54 invalid JSON: NaN and Infinity are not JSON numbers");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "amounts": {"national": -Infinity}})"}))) ==
             "E3001 5:54 invalid JSON: NaN and Infinity are not JSON numbers");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "amounts": {"national": 01}})"}))) ==
             "E3001 5:55 invalid JSON: unexpected number literal; expected '}'");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "amounts": {"national": 1.}})"}))) ==
             "E3001 5:56 invalid JSON: invalid number; expected digit after '.'");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "note": tru})"}))) ==
             "E3001 5:38 invalid JSON: invalid literal");
  BOOST_TEST(one_error(load("{\"format\": \"fundcheck/allocation@1\"} {}")) ==
             "E3001 1:38 invalid JSON: unexpected '{'; expected end of input");
  BOOST_TEST(one_error(load("{\"a\": \"unterminated}")) == "E3001 1:21 invalid JSON: invalid string: missing closing quote");
  BOOST_TEST(one_error(load("")) == "E3001 1:1 invalid JSON: the input is empty");
  BOOST_TEST(one_error(load(" \n\t ")) == "E3001 2:3 invalid JSON: the input is empty");
  BOOST_TEST(one_error(load("\xEF\xBB\xBF")) == "E3001 1:2 invalid JSON: the input is empty");
}

BOOST_AUTO_TEST_CASE(invalid_text_in_strings) {
  BOOST_TEST(one_error(load(with_items({"{\"id\": \"a\", \"name\": \"K\xF8le\"}"}))) ==
             "E3001 5:27 invalid JSON: invalid string: ill-formed UTF-8 byte");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "\ud800"})"}))) ==
             "E3001 5:32 invalid JSON: invalid string: surrogate U+D800..U+DBFF must be followed by U+DC00..U+DFFF");
  BOOST_TEST(one_error(load(with_items({"{\"id\": \"a\", \"name\": \"tab\there\"}"}))) ==
             "E3001 5:29 invalid JSON: invalid string: control character U+0009 (HT) must be escaped to \\u0009 or \\t");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "note": "\x"})"}))) ==
             "E3001 5:40 invalid JSON: invalid string: forbidden character after backslash");
}

BOOST_AUTO_TEST_CASE(syntax_errors_inside_unknown_or_mistyped_values_are_found) {
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "x": {"b": [1 2]}})"}))) ==
             "E3001 5:44 invalid JSON: unexpected number literal; expected ']'");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "from": {"b": NaN}})"}))) ==
             "E3001 5:44 invalid JSON: NaN and Infinity are not JSON numbers");
}

BOOST_AUTO_TEST_CASE(a_string_followed_by_a_colon_in_an_array_is_malformed) {
  // simdjson's skipping reads '"id": "x"' in an array as a key and its value; the loader reads
  // every string, so this is reported as the syntax error it is.
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A"})", R"("id": "x", "name": "y"})", R"({"id": "c", "name": "C"})"}))) ==
             "E3001 6:9 invalid JSON: unexpected ':'; expected ']'");
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A", "x": ["k": 1]})"}))) ==
             "E3001 5:39 invalid JSON: unexpected ':'; expected ']'");
}

BOOST_AUTO_TEST_CASE(nesting_limit) {
  // 100,000 levels: a clean error, no stack overflow, on the slow path...
  const std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  BOOST_TEST(one_error(load(deep)) == "E3004 1:65 nesting deeper than 64 levels");
  const std::string deep_objects = [] {
    std::string s;
    for (int i = 0; i < 100'000; ++i) s += "{\"a\":";
    s += "1";
    s += std::string(100'000, '}');
    return s;
  }();
  BOOST_TEST(one_error(load(deep_objects)) == "E3004 1:321 nesting deeper than 64 levels");
  // ... and in valid JSON, in an unknown field or in sub-items.
  const std::string unknown = "{\"id\": \"a\", \"name\": \"A\", \"x\": " + std::string(100, '[') + std::string(100, ']') + "}";
  BOOST_TEST(one_error(load(with_items({unknown}))) == "E3004 5:96 nesting deeper than 64 levels");
  std::string nested = "{\"id\": \"s\", \"name\": \"S\"}";
  for (int i = 0; i < 40; ++i) nested = "{\"id\": \"s" + std::to_string(i) + "\", \"name\": \"S\", \"subitems\": [" + nested + "]}";
  const load_result r = load(with_items({nested}));
  BOOST_TEST_REQUIRE(r.diagnostics.size() == 1u);
  BOOST_TEST(r.diagnostics[0].code == "E3004");
  load_limits generous;
  generous.max_depth = 200;
  const load_result ok = load(with_items({nested}), generous);
  BOOST_TEST(loaded(ok).table_of(item_record).size() == 41u);
}

BOOST_AUTO_TEST_CASE(size_and_record_limits) {
  load_limits small;
  small.max_bytes = 100;
  const load_result big = load(with_items({R"({"id": "a", "name": "A"})"}), small);
  BOOST_TEST_REQUIRE(big.diagnostics.size() == 1u);
  BOOST_TEST(big.diagnostics[0].code == "E3003");
  BOOST_TEST(big.diagnostics[0].message.starts_with("proposal p.json is "));
  BOOST_TEST(big.diagnostics[0].message.ends_with(" bytes, more than the limit of 100 bytes"));
  BOOST_TEST(!big.diagnostics[0].source);

  load_limits few;
  few.max_records = 3;  // the root and two items
  BOOST_TEST(load(with_items({R"({"id": "a", "name": "A"})", R"({"id": "b", "name": "B"})"}), few).ok());
  BOOST_TEST(one_error(load(with_items({R"({"id": "a", "name": "A"})", R"({"id": "b", "name": "B"})", R"({"id": "c", "name": "C"})"}), few)) ==
             "E3005 7:5 items[2]: more than 3 records (the limit)");
}

BOOST_AUTO_TEST_CASE(diagnostics_render_with_file_line_and_column) {
  const load_result r = load(with_items({R"({"id": "a", "name": "A", "amounts": {"region": "2,8"}})"}));
  const std::string text = dsl::render_text(r.diagnostics);
  BOOST_TEST(text.find("p.json:5:52: error[E3010]: items[0].amounts.region: expected a number, got \"2,8\"") !=
             std::string::npos, text);
}

BOOST_AUTO_TEST_SUITE_END()
