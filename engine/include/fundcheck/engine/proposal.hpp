#pragma once
// The proposal model: a schema-driven, column-oriented store of the records read from a proposal
// (items, totals, recipients, transfers). Rules address fields by slot index, never by name, in
// the hot path. Every value remembers where it stood in the source, for findings.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"
#include "fundcheck/dsl/source.hpp"
#include "fundcheck/engine/decimal.hpp"

namespace fundcheck::engine {

// ---------------------------------------------------------------------------------------------
// Schema

enum class field_type : std::uint8_t {
  text,     // JSON string
  number,   // JSON number, read as an exact decimal
  boolean,  // JSON true/false
  amounts,  // {"<column>": number | {"<year>": number}}: one amount per column and year
  records,  // JSON array of nested records of type `record` (e.g. an item's sub-items)
};

struct field_def {
  std::string_view name;    // JSON key, and the field name in rules
  field_type type = field_type::text;
  bool required = false;
  std::string_view record;  // records: the nested record type
  std::vector<std::string_view> allowed;  // text: the allowed values (empty: any)
  std::string_view default_text;          // text: value filled in when the key is absent
  std::string_view doc;     // one line for docs and error messages
  bool unique = false;      // text: no two records of this type (nested ones included) share a value
  bool inherit = false;     // a nested record without this field takes its parent's value
  bool reported = false;    // number: a reported amount; its cells take the proposal's "decimals"
};

struct record_def {
  std::string_view name;  // "item"
  std::string_view doc;
  std::vector<field_def> fields;
  int field_index(std::string_view name) const noexcept;  // -1 when absent
  int amounts_field() const noexcept;                     // -1 when the record has no amounts
};

// A top-level array of the proposal ("items": [...]) holding records of one type.
struct collection_def {
  std::string_view name;
  std::string_view record;
  std::string_view doc;
  bool required = false;  // the key must be present (it may hold an empty array)
};

struct schema {
  std::string_view format;  // value of the proposal's "format" key, e.g. "fundcheck/allocation@1"
  std::vector<record_def> records;          // records[0] is the root record ("proposal")
  std::vector<collection_def> collections;  // top-level arrays
  const record_def* find_record(std::string_view name) const noexcept;
  int record_index(std::string_view name) const noexcept;
};

// The allocation-table schema (seed 000): see docs/proposal-format.md.
const schema& allocation_schema();
// The budget proposal form (seed 002): see docs/budget-form-format.md.
const schema& budget_form_schema();
// Every proposal format fundcheck reads, and the one with a given "format" value (null if none).
std::span<const schema* const> all_schemas();
const schema* find_schema(std::string_view format);

// ---------------------------------------------------------------------------------------------
// Storage

enum class cell_kind : std::uint8_t { absent, text, number, boolean, records };

// One field value (or one amount) of one record: 16 bytes, so that a scan over a column of
// a large table reads little memory.
struct cell {
  struct text_range {
    std::uint32_t begin;  // text: in proposal::strings(); records: in proposal::links()
    std::uint32_t size;
  };
  union {
    std::int64_t coefficient = 0;  // number: the decimal coefficient; boolean: 0 or 1
    text_range range;              // text, records
  };
  // Byte offset in the source of the JSON value; for an absent value, of its record.
  std::uint32_t offset = 0;
  cell_kind kind = cell_kind::absent;
  std::uint8_t scale = 0;     // number: decimal scale as written
  std::uint8_t decimals = 0;  // number: reported decimals (the proposal's "decimals" if declared,
                              // else the written scale); defines the rounding interval

  bool present() const noexcept { return kind != cell_kind::absent; }
  decimal number() const noexcept { return decimal(coefficient, scale); }
  bool flag() const noexcept { return coefficient != 0; }
};
static_assert(sizeof(cell) == 16);

// All records of one type, in document order (pre-order for nested records), stored by column:
// one vector of cells per slot, so a rule that reads one field of every row walks memory in
// order. Slot layout: one slot per field of the record type (an amounts field's own slot is
// unused), then, if the record has amounts, columns × years slots: slot = fields + c * years + y.
class table {
 public:
  table(const record_def& def, std::uint32_t columns, std::uint32_t years);

  const record_def& def() const noexcept { return *def_; }
  std::uint32_t size() const noexcept { return rows_; }
  std::uint32_t slots() const noexcept { return slots_; }

  const cell& at(std::uint32_t row, std::uint32_t slot) const noexcept { return columns_[slot][row]; }
  cell& at(std::uint32_t row, std::uint32_t slot) noexcept { return columns_[slot][row]; }
  std::uint32_t amount_slot(std::uint32_t column, std::uint32_t year) const noexcept {
    return first_amount_slot_ + column * years_ + year;
  }
  bool has_amounts() const noexcept { return has_amounts_; }
  std::uint32_t first_amount_slot() const noexcept { return first_amount_slot_; }

  // Where a row came from: byte offset of its JSON object, its parent row in this table
  // (-1 for a top-level record), the field of the parent holding it (for a top-level record:
  // the index of its collection in schema::collections), and its array index.
  struct origin {
    std::uint32_t offset = 0;
    std::int32_t parent = -1;
    std::int32_t parent_field = -1;
    std::uint32_t index = 0;
  };
  const origin& origin_of(std::uint32_t row) const noexcept { return origins_[row]; }

  // Appends a row of absent cells (each with the row's offset); returns its index.
  std::uint32_t add_row(const origin& o);
  // Reserves room for this many rows in total.
  void reserve(std::uint32_t rows);

 private:
  const record_def* def_;
  std::uint32_t slots_ = 0;
  std::uint32_t first_amount_slot_ = 0;
  std::uint32_t years_ = 0;
  std::uint32_t rows_ = 0;
  bool has_amounts_ = false;
  std::vector<std::vector<cell>> columns_;  // by slot
  std::vector<origin> origins_;
};

struct column_info {
  std::string id;     // "region"
  std::string label;  // "Region Hovedstaden"
};

// A loaded proposal. Immutable after loading; safe to read from several threads.
class proposal {
 public:
  proposal(const schema& s, dsl::source_ptr source);

  const schema& schema_def() const noexcept { return *schema_; }
  const dsl::source_ptr& source() const noexcept { return source_; }

  // Values written in a second file (a CSV table's mapping) have cell offsets at or past
  // second_base(): the byte offset in second_source() plus that base. Offsets below it are in
  // source(). Without a second file the base is past every offset.
  const dsl::source_ptr& second_source() const noexcept { return second_source_; }
  std::uint32_t second_base() const noexcept { return second_base_; }
  // Where an offset (a cell's or an origin's) is: the file and the byte offset in it.
  struct place {
    const dsl::source_ptr* source = nullptr;  // source() or second_source(); never null
    std::uint32_t offset = 0;
  };
  place locate(std::uint32_t offset) const noexcept;

  // One table per record type of the schema, same order; tables()[0] is the root (one row).
  std::span<const table> tables() const noexcept { return tables_; }
  const table& table_of(int record_index) const noexcept { return tables_[record_index]; }
  // Rows of a top-level collection, in schema().collections order (top-level records only;
  // every record of a type, nested ones included, is 0..table_of(type).size()).
  std::span<const std::uint32_t> collection(int collection_index) const noexcept;

  std::span<const column_info> columns() const noexcept { return columns_; }
  std::span<const std::int32_t> years() const noexcept { return years_; }
  int column_index(std::string_view id) const noexcept;  // -1 when absent
  int year_index(std::int32_t year) const noexcept;      // -1 when absent

  std::string_view text(const cell& c) const noexcept {
    return std::string_view(strings_).substr(c.range.begin, c.range.size);
  }
  std::span<const std::uint32_t> records(const cell& c) const noexcept {
    return std::span<const std::uint32_t>(links_).subspan(c.range.begin, c.range.size);
  }

  // "/items/2/subitems/1" for a row; with a field, "/items/2/amounts/region" etc.
  std::string json_pointer(int record_index, std::uint32_t row) const;
  std::string json_pointer(int record_index, std::uint32_t row, std::uint32_t slot) const;
  // "items[2].subitems[1].amounts.region": the form used in input error messages. With more
  // than one year, amount paths continue with the year ("/2027", ".2027") unless the value was
  // written directly as the column's (first-year) value. The root record's path is "".
  std::string dotted_path(int record_index, std::uint32_t row) const;
  std::string dotted_path(int record_index, std::uint32_t row, std::uint32_t slot) const;

  // --- building (used by the loaders) ---
  table& mutable_table(int record_index) noexcept { return tables_[record_index]; }
  std::vector<std::uint32_t>& mutable_collection(int collection_index) { return collections_[collection_index]; }
  std::string& mutable_strings() noexcept { return strings_; }
  std::vector<std::uint32_t>& mutable_links() noexcept { return links_; }
  // Declares the amount columns and years and recreates the tables (empty) with the matching
  // slot layout: call it before adding rows.
  void set_dimensions(std::vector<column_info> columns, std::vector<std::int32_t> years);
  // Declares the second file values may come from; returns its base (see second_base()).
  std::uint32_t set_second_source(dsl::source_ptr second);

 private:
  const schema* schema_;
  dsl::source_ptr source_;
  dsl::source_ptr second_source_;
  std::uint32_t second_base_ = 0xffffffffu;
  std::vector<table> tables_;
  std::vector<std::vector<std::uint32_t>> collections_;
  std::vector<column_info> columns_;
  std::vector<std::int32_t> years_;
  std::string strings_;
  std::vector<std::uint32_t> links_;
};

struct load_limits {
  std::size_t max_bytes = 256u << 20;  // 256 MiB
  std::size_t max_depth = 64;          // JSON nesting
  std::size_t max_records = 10'000'000;
};

struct load_result {
  std::unique_ptr<proposal> value;  // null when there were errors
  std::vector<dsl::diagnostic> diagnostics;  // E3xxx, each with file:line:col and a dotted path
  bool ok() const noexcept { return value != nullptr && !dsl::has_errors(diagnostics); }
};

// Loads a proposal from JSON text. Never throws for bad input.
load_result load_proposal_json(dsl::source_ptr source, const load_limits& limits = {});
// Reads the file, then load_proposal_json; a ".csv" file goes to load_proposal_csv_file (with its
// mapping beside it, see csv_import.hpp). A missing or unreadable file is a diagnostic.
load_result load_proposal_file(const std::filesystem::path& path, const load_limits& limits = {});

}  // namespace fundcheck::engine
