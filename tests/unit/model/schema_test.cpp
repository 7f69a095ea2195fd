#include "fundcheck/engine/proposal.hpp"

#define BOOST_TEST_MODULE schema
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using namespace fundcheck::engine;

namespace {

const field_def& field(const record_def& r, std::string_view name) {
  const int i = r.field_index(name);
  BOOST_TEST_REQUIRE(i >= 0, "no field " << name << " in " << r.name);
  return r.fields[static_cast<std::size_t>(i)];
}

std::vector<std::string> names(const record_def& r) {
  std::vector<std::string> out;
  for (const field_def& f : r.fields) out.emplace_back(f.name);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(schema_suite)

BOOST_AUTO_TEST_CASE(format_records_and_collections) {
  const schema& s = allocation_schema();
  BOOST_TEST(s.format == "fundcheck/allocation@1");
  BOOST_TEST_REQUIRE(s.records.size() == 5u);
  BOOST_TEST(s.records[0].name == "proposal");
  BOOST_TEST(s.record_index("proposal") == 0);
  BOOST_TEST(s.record_index("item") == 1);
  BOOST_TEST(s.record_index("total") == 2);
  BOOST_TEST(s.record_index("recipient") == 3);
  BOOST_TEST(s.record_index("transfer") == 4);
  BOOST_TEST(s.record_index("nope") == -1);
  BOOST_TEST(s.find_record("nope") == nullptr);
  BOOST_TEST(s.find_record("item") == &s.records[1]);

  BOOST_TEST_REQUIRE(s.collections.size() == 4u);
  const std::pair<std::string_view, std::string_view> expected[] = {
      {"items", "item"}, {"totals", "total"}, {"recipients", "recipient"}, {"transfers", "transfer"}};
  for (std::size_t i = 0; i < 4; ++i) {
    BOOST_TEST(s.collections[i].name == expected[i].first);
    BOOST_TEST(s.collections[i].record == expected[i].second);
    BOOST_TEST(s.collections[i].required == (i == 0));  // only items is required
  }
}

BOOST_AUTO_TEST_CASE(root_record) {
  const record_def& r = allocation_schema().records[0];
  BOOST_TEST(names(r) == (std::vector<std::string>{"format", "title", "source", "unit", "price_level", "decimals",
                                                   "locale", "note"}),
             boost::test_tools::per_element());
  BOOST_TEST(field(r, "format").required);
  BOOST_TEST(field(r, "format").allowed.size() == 1u);
  BOOST_TEST(field(r, "format").allowed[0] == "fundcheck/allocation@1");
  BOOST_TEST(field(r, "title").required);
  BOOST_TEST((field(r, "decimals").type == field_type::number));
  BOOST_TEST(r.amounts_field() == -1);
}

BOOST_AUTO_TEST_CASE(item_record) {
  const record_def& r = *allocation_schema().find_record("item");
  BOOST_TEST(names(r) == (std::vector<std::string>{"id", "name", "section", "channel", "recipient", "earmark",
                                                   "duration", "from", "reduced_from", "note", "amounts", "subitems"}),
             boost::test_tools::per_element());
  BOOST_TEST(field(r, "id").required);
  BOOST_TEST(field(r, "id").unique);
  BOOST_TEST(field(r, "name").required);
  const field_def& section = field(r, "section");
  BOOST_TEST(section.default_text == "current");
  BOOST_TEST(section.inherit);
  BOOST_TEST((section.allowed == std::vector<std::string_view>{"current", "already_allocated"}));
  BOOST_TEST((field(r, "channel").allowed == std::vector<std::string_view>{"block", "direct"}));
  BOOST_TEST(field(r, "channel").default_text.empty());
  BOOST_TEST((field(r, "duration").allowed == std::vector<std::string_view>{"one-off", "permanent", "unspecified"}));
  BOOST_TEST(field(r, "duration").default_text == "unspecified");
  BOOST_TEST((field(r, "from").type == field_type::number));
  BOOST_TEST((field(r, "reduced_from").type == field_type::number));
  BOOST_TEST(r.amounts_field() == r.field_index("amounts"));
  BOOST_TEST((field(r, "subitems").type == field_type::records));
  BOOST_TEST(field(r, "subitems").record == "item");
  BOOST_TEST(r.field_index("nope") == -1);
}

BOOST_AUTO_TEST_CASE(total_recipient_transfer_records) {
  const schema& s = allocation_schema();
  const record_def& total = *s.find_record("total");
  BOOST_TEST(field(total, "kind").required);
  BOOST_TEST((field(total, "kind").allowed == std::vector<std::string_view>{"block", "direct", "total", "grand_total"}));
  BOOST_TEST((field(total, "section").allowed == std::vector<std::string_view>{"current", "already_allocated", "all"}));
  BOOST_TEST(field(total, "section").default_text == "current");
  BOOST_TEST(!field(total, "section").inherit);
  BOOST_TEST((field(total, "itemized").type == field_type::boolean));
  BOOST_TEST(total.amounts_field() >= 0);
  BOOST_TEST(field(total, "id").unique);

  const record_def& recipient = *s.find_record("recipient");
  BOOST_TEST(field(recipient, "id").unique);
  BOOST_TEST(field(recipient, "amount").reported);
  BOOST_TEST((field(recipient, "kind").allowed ==
              std::vector<std::string_view>{"body", "region", "hospital", "department", "pool", "purpose", "other"}));
  BOOST_TEST(recipient.amounts_field() == -1);

  const record_def& transfer = *s.find_record("transfer");
  BOOST_TEST(!field(transfer, "id").required);
  BOOST_TEST(field(transfer, "id").unique);
  BOOST_TEST(field(transfer, "from").required);
  BOOST_TEST(field(transfer, "to").required);
  BOOST_TEST(field(transfer, "amount").reported);
  BOOST_TEST(!field(transfer, "share").reported);
  BOOST_TEST(field(transfer, "column").default_text == "region");
  BOOST_TEST((field(transfer, "year").type == field_type::number));
}

BOOST_AUTO_TEST_CASE(every_record_and_field_is_documented_in_one_line) {
  const schema& s = allocation_schema();
  for (const record_def& r : s.records) {
    BOOST_TEST_CONTEXT(r.name) {
      BOOST_TEST(!r.doc.empty());
      BOOST_TEST(r.fields.size() <= 64u);  // the loader keeps a 64-bit "seen" mask per record
      std::set<std::string_view> seen;
      for (const field_def& f : r.fields) {
        BOOST_TEST_CONTEXT(f.name) {
          BOOST_TEST(!f.doc.empty());
          BOOST_TEST(f.doc.find('\n') == std::string_view::npos);
          BOOST_TEST(seen.insert(f.name).second);  // names unique
          if (f.type == field_type::records) BOOST_TEST(f.record == r.name);  // nested rows share a table
          if (!f.default_text.empty() && !f.allowed.empty()) {
            BOOST_TEST((std::find(f.allowed.begin(), f.allowed.end(), f.default_text) != f.allowed.end()));
          }
          if (f.reported) BOOST_TEST((f.type == field_type::number));
        }
      }
    }
  }
  for (const collection_def& c : s.collections) BOOST_TEST(!c.doc.empty());
}

BOOST_AUTO_TEST_CASE(the_schema_is_a_singleton) { BOOST_TEST(&allocation_schema() == &allocation_schema()); }

BOOST_AUTO_TEST_SUITE_END()
