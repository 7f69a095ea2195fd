// The CSV importer: a spreadsheet export of an allocation table, plus an optional mapping file,
// built directly into the proposal model. Phases, in order: decode the bytes (UTF-8 or
// Windows-1252), read the mapping (a JSON tree with offsets), split the CSV, read the header
// (columns and years), read the rows (names, Danish amounts), match mapping entries to rows,
// classify rows (item, total, heraf marker, section heading), decide the structure (sub-items,
// sections, kinds of totals), and fill the tables. docs/csv-import.md describes the rules; every
// place where the structure is guessed becomes a W32xx warning.
#include "fundcheck/engine/csv_import.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <system_error>
#include <unordered_map>

#include "fundcheck/engine/text_util.hpp"
#include "model/csv_errors.hpp"
#include "model/csv_reader.hpp"
#include "model/csv_text.hpp"
#include "model/dimensions.hpp"
#include "model/input_errors.hpp"
#include "model/json_tree.hpp"

namespace fundcheck::engine {
namespace {

namespace jt = json_tree;

constexpr std::size_t error_cap = 50;

enum class row_role : std::uint8_t { item, total, heraf, section, ignore };

constexpr std::string_view role_names[] = {"item", "total", "heraf", "section", "ignore"};

// One entry of the mapping's "rows": what it says about one row of the table.
struct mapping_entry {
  std::string name;
  int occurrence = 1;
  const jt::node* value = nullptr;  // the entry's object
  std::uint32_t at = 0;             // where "no such row" is reported: the key or the element
  std::uint32_t at_end = 0;
  std::string path;  // rows["Blok"][1]
  bool used = false;
};

// A column declared in the mapping's "columns".
struct column_spec {
  std::string id;
  std::string label;
  bool has_label = false;  // else the table's heading gives it
};

// One amount column of the CSV: which proposal column and year it fills.
struct heading {
  std::string label;  // without the year
  std::uint32_t column = 0;
  std::uint32_t year = 0;
  std::uint32_t at = 0, end = 0;  // the heading cell
};

// One data row of the CSV.
struct table_row {
  std::string name;
  std::uint32_t at = 0, end = 0;  // the name (after indentation)
  bool indented = false;
  std::vector<cell> amounts;  // per slot: column * years + year
  bool has_amounts = false;
  row_role role = row_role::item;
  int occurrence = 1;
  mapping_entry* entry = nullptr;
  int parent = -1;  // index in rows_ of the item this one is a sub-item of
  std::string section;
  std::string kind;  // totals
  bool direct = false;  // the mapping gives channel "direct": not counted in a heraf group's sum
  std::uint32_t model_row = 0;
};

// An open "heraf" group: the sub-items of one row, as far as read.
struct group {
  int parent = -1;
  std::uint32_t marker_at = 0, marker_end = 0;
  std::vector<decimal> sum;     // per slot, the counted sub-items
  std::vector<decimal> radius;  // per slot, their rounding (half a unit each)
  bool overflow = false;
};

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string danish(decimal d) { return d.format(-1, ',', 0); }

bool is_year(std::string_view s) {
  return s.size() == 4 && s[0] >= '1' && s[0] <= '9' &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "Nationalt 2026" -> ("Nationalt", 2026); "2026 Nationalt" too.
bool split_year(std::string_view label, std::string& rest, int& year) {
  if (label.size() > 5 && label[label.size() - 5] == ' ' && is_year(label.substr(label.size() - 4))) {
    year = std::stoi(std::string(label.substr(label.size() - 4)));
    rest = std::string(csv_text::trim(label.substr(0, label.size() - 5)));
    return true;
  }
  if (label.size() > 5 && label[4] == ' ' && is_year(label.substr(0, 4))) {
    year = std::stoi(std::string(label.substr(0, 4)));
    rest = std::string(csv_text::trim(label.substr(5)));
    return true;
  }
  return false;
}

std::string shorten(std::string_view s) {
  constexpr std::size_t max_len = 40;
  if (s.size() <= max_len) return std::string(s);
  std::size_t cut = max_len;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "...";
}

// The column id a heading gives without a mapping: "Nationalt" -> national, "Region …" -> region,
// else a slug of the heading ("Øvrige regioner" -> oevrige_regioner).
std::string default_column_id(std::string_view heading) {
  const std::string folded = csv_text::fold_case(heading);
  if (folded == "nationalt") return "national";
  if (folded.starts_with("region ")) return "region";
  return csv_text::slug(heading, '_');
}

class csv_importer {
 public:
  csv_importer(dsl::source_ptr raw, const dsl::source_ptr* mapping, const load_limits& limits)
      : schema_(allocation_schema()), raw_(std::move(raw)), limits_(limits) {
    if (mapping != nullptr) mapping_ = *mapping;
    item_ = schema_.record_index("item");
    total_ = schema_.record_index("total");
    recipient_ = schema_.record_index("recipient");
    transfer_ = schema_.record_index("transfer");
    for (std::size_t c = 0; c < schema_.collections.size(); ++c) {
      const std::string_view r = schema_.collections[c].record;
      if (r == "item") items_collection_ = static_cast<int>(c);
      if (r == "total") totals_collection_ = static_cast<int>(c);
      if (r == "recipient") recipients_collection_ = static_cast<int>(c);
      if (r == "transfer") transfers_collection_ = static_cast<int>(c);
    }
  }

  load_result run();

 private:
  // --- diagnostics ---
  bool error(const dsl::source_ptr& src, std::string_view code, std::uint32_t begin, std::uint32_t end,
             std::string message, std::vector<dsl::diagnostic> notes = {});
  void warning(std::string_view code, std::uint32_t begin, std::uint32_t end, std::string message,
               std::vector<dsl::diagnostic> notes = {});
  dsl::diagnostic note(const dsl::source_ptr& src, std::uint32_t begin, std::uint32_t end, std::string message) const;
  bool csv_error(std::string_view code, std::uint32_t begin, std::uint32_t end, std::string message,
                 std::vector<dsl::diagnostic> notes = {}) {
    return error(csv_, code, begin, end, std::move(message), std::move(notes));
  }
  bool map_error(std::string_view code, std::uint32_t begin, std::uint32_t end, std::string message,
                 std::vector<dsl::diagnostic> notes = {}) {
    return error(mapping_, code, begin, end, std::move(message), std::move(notes));
  }
  bool map_error(std::string_view code, const jt::node& at, std::string message) {
    return map_error(code, at.offset, at.end, std::move(message));
  }
  std::string describe(const jt::node& v) const;
  bool type_error(const jt::node& v, const std::string& path, std::string_view expected) {
    return map_error(input_error::wrong_type, v, path + ": expected " + std::string(expected) + ", got " + describe(v));
  }
  // Duplicate keys of a mapping object (E3013); true when there were none.
  bool check_duplicate_keys(const jt::node& object, const std::string& path);

  // --- phases ---
  bool decode();
  bool read_mapping();
  void read_mapping_years(const jt::node& v);
  void read_mapping_columns(const jt::node& v);
  void read_mapping_rows(const jt::node& v);
  bool split_table();
  bool read_header();
  void read_rows(std::size_t first_record);
  void match_entries();
  void classify();
  void build_structure();
  void build_proposal();

  // structure helpers
  void place_item(std::size_t r, int parent);
  bool judge(const group& g, const table_row& r, std::string& reason, bool& closes) const;
  std::string group_sums(const group& g) const;
  int depth_of(int row) const;

  // building helpers
  std::uint32_t add_text(std::string_view text);
  void set_text(int record, std::uint32_t row, std::string_view field, std::string_view text, std::uint32_t offset);
  bool set_field(int record, std::uint32_t row, int field, const jt::node& v, const std::string& path,
                 std::uint32_t anchor);
  void read_record(int record, int collection, const jt::node& v, std::uint32_t index, const std::string& path);
  void fill_defaults();
  void check_ids();
  std::uint8_t decimals_of(std::uint8_t scale) const noexcept {
    return decimals_ >= 0 ? static_cast<std::uint8_t>(decimals_) : scale;
  }
  // The cell offset of a value written in the mapping (see proposal::second_base()), or
  // `fallback` when the two files together are too large to share one offset space.
  std::uint32_t in_mapping(const jt::node& v, std::uint32_t fallback) const noexcept {
    return mapping_base_ == no_base ? fallback : mapping_base_ + v.offset;
  }

  const schema& schema_;
  dsl::source_ptr raw_;      // the CSV as given
  dsl::source_ptr csv_;      // the CSV as UTF-8 (raw_ itself unless transcoded)
  dsl::source_ptr mapping_;  // may be null
  load_limits limits_;
  int item_ = 0, total_ = 0, recipient_ = 0, transfer_ = 0;
  int items_collection_ = 0, totals_collection_ = 1, recipients_collection_ = 2, transfers_collection_ = 3;

  std::vector<dsl::diagnostic> diagnostics_;
  std::size_t errors_ = 0;
  bool stopped_ = false;

  // mapping
  jt::node mapping_root_;
  std::map<std::string, const jt::node*, std::less<>> root_values_;  // document fields, "recipients", "transfers"
  std::vector<column_spec> column_specs_;
  bool mapping_columns_ok_ = true;
  std::vector<std::int32_t> mapping_years_;
  bool have_mapping_years_ = false;
  int decimals_ = -1;
  std::vector<mapping_entry> entries_;

  // table
  std::uint32_t start_ = 0;  // after a byte order mark
  std::vector<csv_reader::record> records_;
  std::vector<heading> headings_;
  std::vector<column_info> columns_;
  std::vector<std::int32_t> years_;
  std::uint32_t header_at_ = 0;
  std::vector<table_row> rows_;

  // building
  std::unique_ptr<proposal> proposal_;
  static constexpr std::uint32_t no_base = 0xffffffffu;
  std::uint32_t mapping_base_ = no_base;
  // Where an id came from in the mapping (for duplicate-id messages), per (record, row).
  std::map<std::pair<int, std::uint32_t>, std::pair<const jt::node*, std::string>> id_sources_;
};

// ---------------------------------------------------------------------------------------------
// Diagnostics

bool csv_importer::error(const dsl::source_ptr& src, std::string_view code, std::uint32_t begin, std::uint32_t end,
                         std::string message, std::vector<dsl::diagnostic> notes) {
  if (stopped_) return false;
  auto d = dsl::make_diagnostic(dsl::level::error, std::string(code), src, {begin, end}, std::move(message),
                                std::move(notes));
  if (++errors_ >= error_cap) {
    d.notes.push_back(note(src, begin, begin, "stopped reading the table after " + std::to_string(error_cap) + " errors"));
    stopped_ = true;
  }
  diagnostics_.push_back(std::move(d));
  return !stopped_;
}

void csv_importer::warning(std::string_view code, std::uint32_t begin, std::uint32_t end, std::string message,
                           std::vector<dsl::diagnostic> notes) {
  diagnostics_.push_back(dsl::make_diagnostic(dsl::level::warning, std::string(code), csv_, {begin, end},
                                              std::move(message), std::move(notes)));
}

dsl::diagnostic csv_importer::note(const dsl::source_ptr& src, std::uint32_t begin, std::uint32_t end,
                                   std::string message) const {
  return dsl::make_note(src, {begin, end}, std::move(message));
}

std::string csv_importer::describe(const jt::node& v) const {
  switch (v.kind) {
    case jt::kind::object: return "an object";
    case jt::kind::array: return "an array";
    default: return shorten(v.raw_token(mapping_->text()));
  }
}

bool csv_importer::check_duplicate_keys(const jt::node& object, const std::string& path) {
  bool ok = true;
  for (std::size_t i = 0; i < object.members.size(); ++i) {
    for (std::size_t k = 0; k < i; ++k) {
      const jt::member& m = object.members[i];
      const jt::member& first = object.members[k];
      if (m.key != first.key) continue;
      const std::string where = path.empty() ? m.key : path + "." + m.key;
      map_error(input_error::duplicate_key, m.key_offset, m.key_end, where + ": duplicate key " + in_quotes(m.key),
                {note(mapping_, first.key_offset, first.key_end, "first given here")});
      ok = false;
      break;
    }
  }
  return ok;
}

// ---------------------------------------------------------------------------------------------
// Decoding

bool csv_importer::decode() {
  const std::string& raw = raw_->text();
  if (raw.size() > limits_.max_bytes || raw.size() > std::numeric_limits<std::uint32_t>::max() - 64) {
    dsl::diagnostic d;
    d.code = std::string(input_error::too_large);
    d.message = "proposal " + raw_->path() + " is " + std::to_string(raw.size()) + " bytes, more than the limit of " +
                std::to_string(limits_.max_bytes) + " bytes";
    diagnostics_.push_back(std::move(d));
    ++errors_;
    return false;
  }
  std::string text;
  csv_text::encoding used = csv_text::encoding::utf8;
  if (auto failure = csv_text::decode(raw, text, used)) {
    error(raw_, csv_error::undecodable, failure->offset, failure->offset + 1,
          "cannot read the table's text: " + failure->message);
    return false;
  }
  csv_ = used == csv_text::encoding::utf8 ? raw_ : std::make_shared<const dsl::source_file>(raw_->path(), std::move(text));
  start_ = csv_->text().starts_with("\xEF\xBB\xBF") ? 3 : 0;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The mapping file

bool csv_importer::read_mapping() {
  if (auto failure = jt::parse(mapping_->text(), limits_.max_depth, mapping_root_)) {
    map_error(failure->code, failure->offset, failure->offset + 1, std::move(failure->message));
    return false;
  }
  const jt::node& root = mapping_root_;
  if (root.kind != jt::kind::object) {
    map_error(input_error::wrong_type, root, "(root): expected an object, got " + describe(root));
    return false;
  }
  check_duplicate_keys(root, "");
  std::vector<std::string> known;
  for (const field_def& f : schema_.records[0].fields) known.emplace_back(f.name);
  known.emplace_back(dimensions::years_key);
  known.emplace_back(dimensions::columns_key);
  known.emplace_back("recipients");
  known.emplace_back("transfers");
  known.emplace_back("rows");
  std::set<std::string, std::less<>> seen;
  for (const jt::member& m : root.members) {
    if (!seen.insert(m.key).second) continue;  // reported as a duplicate
    const jt::node& v = *m.value;
    if (m.key == "items" || m.key == "totals") {
      map_error(input_error::unknown_field, m.key_offset, m.key_end,
                m.key + ": a mapping has no " + m.key + ": they are the table's rows; describe them under \"rows\"");
    } else if (std::find(known.begin(), known.end(), m.key) == known.end()) {
      const auto suggestion = closest(m.key, known);
      map_error(input_error::unknown_field, m.key_offset, m.key_end,
                m.key + ": unknown field; " +
                    (suggestion ? "did you mean " + in_quotes(*suggestion) + "?" : "expected one of " + join(known)));
    } else if (m.key == dimensions::years_key) {
      read_mapping_years(v);
    } else if (m.key == dimensions::columns_key) {
      read_mapping_columns(v);
    } else if (m.key == "rows") {
      read_mapping_rows(v);
    } else {
      root_values_[m.key] = &v;
      if (m.key == "decimals" && v.kind == jt::kind::number) {
        const auto d = decimal::parse(v.text);
        if (d && d->significant_scale() == 0 && !d->is_negative() && *d <= decimal::from_int(decimal::max_scale)) {
          decimal whole;
          (void)d->round(0, rounding::toward_zero, whole);
          decimals_ = static_cast<int>(whole.coefficient());
        } else {
          map_error(input_error::invalid_decimals, v, "decimals: must be a whole number from 0 to 18, got " + v.text);
        }
      }
    }
    if (stopped_) return false;
  }
  return true;
}

void csv_importer::read_mapping_years(const jt::node& v) {
  have_mapping_years_ = true;
  if (v.kind != jt::kind::array) {
    type_error(v, "years", "an array of years");
    return;
  }
  if (v.elements.empty()) {
    map_error(input_error::invalid_years, v, "years: at least one year is required");
    return;
  }
  for (std::size_t i = 0; i < v.elements.size(); ++i) {
    const jt::node& e = v.elements[i];
    const std::string path = "years[" + std::to_string(i) + "]";
    if (e.kind != jt::kind::number) {
      type_error(e, path, "a year (a whole number)");
      continue;
    }
    const auto d = decimal::parse(e.text);
    if (!d || d->scale() != 0 || d->coefficient() < 1 || d->coefficient() > 9999) {
      map_error(input_error::invalid_years, e, path + ": " + e.text + " is not a year (a whole number from 1 to 9999)");
    } else if (!mapping_years_.empty() && d->coefficient() <= mapping_years_.back()) {
      map_error(input_error::invalid_years, e,
                path + ": " + e.text + " does not come after " + std::to_string(mapping_years_.back()) +
                    " (years must be strictly increasing)");
    } else {
      mapping_years_.push_back(static_cast<std::int32_t>(d->coefficient()));
    }
  }
}

void csv_importer::read_mapping_columns(const jt::node& v) {
  if (v.kind != jt::kind::array) {
    mapping_columns_ok_ = false;
    type_error(v, "columns", "an array of columns");
    return;
  }
  if (v.elements.empty()) {
    mapping_columns_ok_ = false;
    map_error(input_error::invalid_columns, v, "columns: at least one column is required");
    return;
  }
  std::vector<const jt::node*> id_nodes;
  for (std::size_t i = 0; i < v.elements.size(); ++i) {
    const jt::node& e = v.elements[i];
    const std::string path = "columns[" + std::to_string(i) + "]";
    column_spec spec;
    const jt::node* id_node = nullptr;
    std::string id_path = path;
    if (e.kind == jt::kind::string) {
      spec.id = e.text;
      id_node = &e;
    } else if (e.kind == jt::kind::object) {
      check_duplicate_keys(e, path);
      for (const jt::member& m : e.members) {
        if (m.key == "id" || m.key == "label") {
          if (m.value->kind != jt::kind::string) {
            type_error(*m.value, path + "." + m.key, "a string");
            if (m.key == "id") mapping_columns_ok_ = false;
          } else if (m.key == "id") {
            if (id_node == nullptr) {
              spec.id = m.value->text;
              id_node = m.value.get();
              id_path = path + ".id";
            }
          } else if (!spec.has_label) {
            spec.label = m.value->text;
            spec.has_label = true;
          }
        } else {
          const auto suggestion = closest(m.key, {"id", "label"});
          map_error(input_error::unknown_field, m.key_offset, m.key_end,
                    path + "." + m.key + ": unknown field; " +
                        (suggestion ? "did you mean " + in_quotes(*suggestion) + "?"
                                    : std::string("a column has only \"id\" and \"label\"")));
        }
      }
      if (id_node == nullptr) {
        mapping_columns_ok_ = false;
        if (!e.find("id")) map_error(input_error::missing_field, e, path + ": missing required field \"id\"");
        continue;
      }
    } else {
      mapping_columns_ok_ = false;
      type_error(e, path, "a column (a string or an object with \"id\" and \"label\")");
      continue;
    }
    const std::string& id = spec.id;
    bool name_ok = !id.empty() && !(id[0] >= '0' && id[0] <= '9');
    for (char c : id) {
      const auto u = static_cast<unsigned char>(c);
      if (!(u >= 0x80 || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        name_ok = false;
      }
    }
    std::string_view clash;
    for (const record_def& r : schema_.records) {
      if (r.amounts_field() >= 0 && r.field_index(id) >= 0) clash = r.name;
    }
    const auto dup = std::find_if(column_specs_.begin(), column_specs_.end(), [&](const column_spec& c) { return c.id == id; });
    if (!name_ok) {
      mapping_columns_ok_ = false;
      map_error(input_error::invalid_columns, *id_node,
                id_path + ": " + in_quotes(id) + " is not a valid column id (letters, digits and _, not starting with a digit)");
    } else if (!clash.empty()) {
      mapping_columns_ok_ = false;
      map_error(input_error::invalid_columns, *id_node,
                id_path + ": column id " + in_quotes(id) + " is already a field of " + std::string(clash));
    } else if (dup != column_specs_.end()) {
      mapping_columns_ok_ = false;
      const jt::node* first = id_nodes[static_cast<std::size_t>(dup - column_specs_.begin())];
      map_error(input_error::invalid_columns, id_node->offset, id_node->end, id_path + ": duplicate column id " + in_quotes(id),
                {note(mapping_, first->offset, first->end, "first declared here")});
    } else {
      if (spec.label.empty()) spec.label = spec.id;
      column_specs_.push_back(std::move(spec));
      id_nodes.push_back(id_node);
    }
  }
}

void csv_importer::read_mapping_rows(const jt::node& v) {
  if (v.kind != jt::kind::object) {
    type_error(v, "rows", "an object of rows keyed by their name in the table");
    return;
  }
  check_duplicate_keys(v, "rows");
  std::set<std::string, std::less<>> seen;
  for (const jt::member& m : v.members) {
    if (!seen.insert(m.key).second) continue;
    const std::string base = "rows[" + in_quotes(m.key) + "]";
    auto add = [&](const jt::node& e, const std::string& path, int default_occurrence, std::uint32_t at,
                   std::uint32_t at_end) {
      if (e.kind != jt::kind::object) {
        type_error(e, path, "an object");
        return;
      }
      check_duplicate_keys(e, path);
      mapping_entry entry;
      entry.name = m.key;
      entry.value = &e;
      entry.path = path;
      entry.at = at;
      entry.at_end = at_end;
      entry.occurrence = default_occurrence;
      if (const jt::node* o = e.find("occurrence")) {
        const auto d = o->kind == jt::kind::number ? decimal::parse(o->text) : std::nullopt;
        if (!d || d->significant_scale() != 0 || *d < decimal::from_int(1) || *d > decimal::from_int(1'000'000)) {
          type_error(*o, path + ".occurrence", "a whole number from 1 (the first row of that name)");
          return;
        }
        decimal whole;
        (void)d->round(0, rounding::toward_zero, whole);
        entry.occurrence = static_cast<int>(whole.coefficient());
      }
      for (const mapping_entry& other : entries_) {
        if (other.name == entry.name && other.occurrence == entry.occurrence) {
          map_error(input_error::duplicate_key, e.offset, e.end,
                    path + ": row " + in_quotes(entry.name) + " (occurrence " + std::to_string(entry.occurrence) +
                        ") is already described at " + other.path,
                    {note(mapping_, other.value->offset, other.value->offset + 1, "first described here")});
          return;
        }
      }
      entries_.push_back(std::move(entry));
    };
    const jt::node& value = *m.value;
    if (value.kind == jt::kind::array) {
      for (std::size_t i = 0; i < value.elements.size(); ++i) {
        const jt::node& e = value.elements[i];
        add(e, base + "[" + std::to_string(i) + "]", static_cast<int>(i) + 1, e.offset, e.offset + 1);
      }
    } else {
      add(value, base, 1, m.key_offset, m.key_end);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The table: header and rows

bool csv_importer::split_table() {
  const std::string_view text = csv_->text();
  bool content = false;
  for (std::size_t i = start_; i < text.size() && !content; ++i) {
    const char c = text[i];
    content = c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != ';' && c != ',';
  }
  if (!content) {
    csv_error(csv_error::empty, start_, start_,
              "the table is empty: a CSV table starts with a header line (the row-name heading, then one heading per "
              "amount column)");
    return false;
  }
  char separator = ';';
  std::size_t data_start = start_;
  if (auto failure = csv_reader::detect_separator(text, start_, separator, data_start)) {
    csv_error(csv_error::invalid_header, failure->begin, failure->end, std::move(failure->message));
    return false;
  }
  if (auto failure = csv_reader::split(text, data_start, separator, limits_.max_records + 4, records_)) {
    csv_error(csv_error::bad_quotes, failure->begin, failure->end, std::move(failure->message));
    return false;
  }
  return true;
}

bool csv_importer::read_header() {
  std::size_t r = 0;
  auto next_nonblank = [&](std::size_t from) {
    while (from < records_.size() && records_[from].blank()) ++from;
    return from;
  };
  r = next_nonblank(0);
  if (r == records_.size()) {
    csv_error(csv_error::empty, start_, start_, "the table is empty: it has no header line");
    return false;
  }
  const csv_reader::record& first = records_[r];
  header_at_ = first.begin;
  auto cell_text = [](const csv_reader::record& rec, std::size_t j) -> std::string_view {
    return j < rec.fields.size() ? csv_text::trim(rec.fields[j].text) : std::string_view();
  };
  // A year line: every amount heading of the first line is a year or empty (merged cells), at
  // least one is a year; the column headings are on the next line.
  bool year_line = false;
  for (std::size_t j = 1; j < first.fields.size(); ++j) {
    const std::string_view t = cell_text(first, j);
    if (t.empty()) continue;
    if (!is_year(t)) {
      year_line = false;
      break;
    }
    year_line = true;
  }
  const csv_reader::record* labels = &first;
  std::size_t data = r + 1;
  if (year_line) {
    const std::size_t l = next_nonblank(r + 1);
    if (l == records_.size()) {
      csv_error(csv_error::invalid_header, first.begin, first.begin + 1,
                "the header's first line holds years, but no line of column headings follows it");
      return false;
    }
    labels = &records_[l];
    data = l + 1;
    bool text_seen = false;
    for (std::size_t j = 1; j < labels->fields.size(); ++j) {
      const std::string_view t = cell_text(*labels, j);
      std::string why;
      if (!t.empty() && !csv_text::parse_danish_number(t, why)) text_seen = true;
    }
    if (!text_seen) {
      csv_error(csv_error::invalid_header, labels->begin, labels->begin + 1,
                "the header's first line holds years, but the line below it holds no column headings (Nationalt, "
                "Region …): add them, so that each amount column says what it is");
      return false;
    }
  }
  std::size_t width = labels->fields.size();
  if (year_line) width = std::max(width, first.fields.size());
  while (width > 1 && cell_text(*labels, width - 1).empty() && (!year_line || cell_text(first, width - 1).empty())) {
    --width;
  }
  if (width < 2) {
    csv_error(csv_error::invalid_header, labels->begin, labels->begin + 1,
              "the header has no amount columns: after the row names, each column needs a heading");
    return false;
  }

  // Headings: label and year per amount column.
  struct raw_heading {
    std::string label;
    int year = 0;  // 0: none
    std::uint32_t at = 0, end = 0;
  };
  std::vector<raw_heading> raw;
  bool ok = true;
  int year_above = 0;
  for (std::size_t j = 1; j < width; ++j) {
    raw_heading h;
    const std::string_view label = cell_text(*labels, j);
    const csv_reader::field* f = j < labels->fields.size() ? &labels->fields[j] : nullptr;
    h.at = f ? f->begin : labels->begin;
    h.end = f ? std::max(f->end, f->begin + 1) : h.at + 1;
    if (year_line) {
      const std::string_view y = cell_text(first, j);
      if (!y.empty()) year_above = std::stoi(std::string(y));
      h.label = std::string(label);
      h.year = year_above;
      if (h.year == 0 && !label.empty()) {
        csv_error(csv_error::invalid_header, h.at, h.end,
                       "heading " + in_quotes(label) + " has no year above it (the years are on the header's first line)");
        ok = false;
        continue;
      }
    } else if (!split_year(label, h.label, h.year)) {
      h.label = std::string(label);
    }
    if (h.label.empty()) {
      csv_error(csv_error::unknown_heading, h.at, h.end,
                     "amount column " + std::to_string(j + 1) + " has no heading: every column after the row names "
                     "needs one (Nationalt, Region …)");
      ok = false;
      continue;
    }
    raw.push_back(std::move(h));
  }
  if (!ok) return false;

  // Years.
  const bool any_year = std::any_of(raw.begin(), raw.end(), [](const raw_heading& h) { return h.year != 0; });
  if (any_year) {
    for (const raw_heading& h : raw) {
      if (h.year == 0) {
        const auto with = std::find_if(raw.begin(), raw.end(), [](const raw_heading& x) { return x.year != 0; });
        csv_error(csv_error::invalid_header, h.at, h.end,
                       "heading " + in_quotes(h.label) + " has no year, but other headings do (" +
                           in_quotes(with->label + " " + std::to_string(with->year)) + ")");
        ok = false;
      }
    }
    if (!ok) return false;
    if (have_mapping_years_) {
      years_ = mapping_years_;
      for (const raw_heading& h : raw) {
        if (std::find(years_.begin(), years_.end(), h.year) == years_.end()) {
          std::string listed;
          for (std::int32_t y : years_) listed += (listed.empty() ? "" : ", ") + std::to_string(y);
          csv_error(csv_error::invalid_header, h.at, h.end,
                         "heading " + in_quotes(h.label) + " is for " + std::to_string(h.year) +
                             ", which is not one of the mapping's years (" + listed + ")");
          ok = false;
        }
      }
    } else {
      for (const raw_heading& h : raw) years_.push_back(h.year);
      std::sort(years_.begin(), years_.end());
      years_.erase(std::unique(years_.begin(), years_.end()), years_.end());
    }
  } else if (have_mapping_years_) {
    years_ = mapping_years_;
  } else {
    csv_error(csv_error::invalid_header, header_at_, header_at_ + 1,
              "the table does not say which year its amounts are for: put the year above the column headings, in "
              "each heading (\"Nationalt 2026\"), or in the mapping (\"years\": [2026])");
    return false;
  }
  if (!ok || years_.empty()) return false;

  // Columns.
  const bool from_mapping = !column_specs_.empty() || !mapping_columns_ok_;
  if (!mapping_columns_ok_) return false;  // already reported
  std::vector<std::uint32_t> first_heading_of_column;
  std::vector<bool> labelled(column_specs_.size(), false);  // a heading has given the label
  if (from_mapping) {
    for (const column_spec& s : column_specs_) columns_.push_back({s.id, s.label});
  }
  std::vector<std::string> mapping_labels;
  for (const column_spec& s : column_specs_) mapping_labels.push_back(s.label);
  for (const raw_heading& h : raw) {
    int column = -1;
    if (from_mapping) {
      const std::string folded = csv_text::fold_case(h.label);
      for (std::size_t c = 0; c < column_specs_.size() && column < 0; ++c) {
        if (column_specs_[c].label == h.label) column = static_cast<int>(c);
      }
      for (std::size_t c = 0; c < column_specs_.size() && column < 0; ++c) {
        if (csv_text::fold_case(column_specs_[c].label) == folded || column_specs_[c].id == h.label) {
          column = static_cast<int>(c);
        }
      }
      // A column declared by its id alone takes the headings the built-in rule gives it.
      for (std::size_t c = 0; c < column_specs_.size() && column < 0; ++c) {
        if (!column_specs_[c].has_label && column_specs_[c].id == default_column_id(h.label)) {
          column = static_cast<int>(c);
          if (!labelled[c]) columns_[c].label = h.label;
        }
      }
      if (column >= 0) labelled[static_cast<std::size_t>(column)] = true;
      if (column < 0) {
        const auto suggestion = closest(h.label, mapping_labels);
        csv_error(csv_error::unknown_heading, h.at, h.end,
                       "heading " + in_quotes(h.label) + " is not one of the mapping's columns (" + join(mapping_labels) + ")" +
                           (suggestion ? "; did you mean " + in_quotes(*suggestion) + "?" : std::string()));
        ok = false;
        continue;
      }
    } else {
      const std::string id = default_column_id(h.label);
      std::string_view clash;
      for (const record_def& rd : schema_.records) {
        if (rd.amounts_field() >= 0 && rd.field_index(id) >= 0) clash = rd.name;
      }
      if (id.empty() || (id[0] >= '0' && id[0] <= '9') || !clash.empty()) {
        csv_error(csv_error::unknown_heading, h.at, h.end,
                       "cannot make a column id from heading " + in_quotes(h.label) +
                           (clash.empty() ? std::string() : " (\"" + id + "\" is a field of " + std::string(clash) + ")") +
                           "; name the column in the mapping's \"columns\"");
        ok = false;
        continue;
      }
      for (std::size_t c = 0; c < columns_.size() && column < 0; ++c) {
        if (columns_[c].id == id) column = static_cast<int>(c);
      }
      if (column >= 0 && columns_[static_cast<std::size_t>(column)].label != h.label) {
        const raw_heading& other = raw[first_heading_of_column[static_cast<std::size_t>(column)]];
        csv_error(csv_error::invalid_header, h.at, h.end,
                       "headings " + in_quotes(other.label) + " and " + in_quotes(h.label) + " both give column " + in_quotes(id) +
                           "; name the columns in the mapping's \"columns\"",
                       {note(csv_, other.at, other.end, in_quotes(other.label) + " is here")});
        ok = false;
        continue;
      }
      if (column < 0) {
        column = static_cast<int>(columns_.size());
        columns_.push_back({id, h.label});
        first_heading_of_column.push_back(static_cast<std::uint32_t>(&h - raw.data()));
      }
    }
    heading out;
    out.label = h.label;
    out.column = static_cast<std::uint32_t>(column);
    out.year = any_year ? static_cast<std::uint32_t>(std::find(years_.begin(), years_.end(), h.year) - years_.begin()) : 0;
    out.at = h.at;
    out.end = h.end;
    for (const heading& earlier : headings_) {
      if (earlier.column == out.column && earlier.year == out.year) {
        csv_error(csv_error::invalid_header, out.at, out.end,
                       "heading " + in_quotes(out.label) + " gives column " + in_quotes(columns_[out.column].id) + " for " +
                           std::to_string(years_[out.year]) + " a second time",
                       {note(csv_, earlier.at, earlier.end, "first given here")});
        ok = false;
      }
    }
    headings_.push_back(std::move(out));
  }
  if (!ok) return false;
  read_rows(data);
  if (rows_.empty() && !stopped_ && errors_ == 0) {
    // A header and nothing below it: checking would pass without having checked anything.
    csv_error(csv_error::empty, header_at_, header_at_ + 1,
              "the table has a header but no rows, so there is nothing to check (was the export cut short?)");
    return false;
  }
  return true;
}

void csv_importer::read_rows(std::size_t first_record) {
  const std::size_t width = headings_.size() + 1;
  const std::size_t slots = columns_.size() * years_.size();
  std::unordered_map<std::string, int> seen_names;
  for (std::size_t k = first_record; k < records_.size() && !stopped_; ++k) {
    const csv_reader::record& rec = records_[k];
    if (rec.blank()) continue;
    if (rows_.size() >= limits_.max_records) {
      csv_error(input_error::too_many_records, rec.begin, rec.begin + 1,
                "more than " + std::to_string(limits_.max_records) + " rows (the limit)");
      return;
    }
    table_row row;
    const csv_reader::field& name_field = rec.fields[0];
    const std::size_t indent = csv_text::indent_of(name_field.text);
    row.name = std::string(csv_text::trim(name_field.text));
    row.indented = indent > 0 && !row.name.empty();
    row.at = name_field.quoted ? name_field.begin : name_field.begin + static_cast<std::uint32_t>(indent);
    row.end = std::max(row.at + 1, name_field.quoted ? name_field.end : row.at + static_cast<std::uint32_t>(row.name.size()));
    // An empty cell is an absent amount; like an absent JSON value it stands at its record.
    row.amounts.resize(slots);
    for (cell& c : row.amounts) c.offset = row.at;
    for (std::size_t j = 1; j < rec.fields.size(); ++j) {
      const csv_reader::field& f = rec.fields[j];
      const std::string_view text = csv_text::trim(f.text);
      if (text.empty()) continue;
      const auto at = f.quoted ? f.begin : f.begin + static_cast<std::uint32_t>(csv_text::indent_of(f.text));
      const auto end = f.quoted ? f.end : at + static_cast<std::uint32_t>(text.size());
      if (j >= width) {
        csv_error(csv_error::ragged_row, at, end,
                  "a value beyond the header's last column: the header has " + std::to_string(width) +
                      " columns, and this is column " + std::to_string(j + 1));
        break;
      }
      const heading& h = headings_[j - 1];
      std::string why;
      const auto d = csv_text::parse_danish_number(text, why);
      if (!d) {
        const std::string where = row.name.empty() ? std::string() : "row " + in_quotes(shorten(row.name)) + ", ";
        csv_error(csv_error::bad_number, at, end,
                  where + in_quotes(h.label) + ": cannot read " + in_quotes(shorten(text)) + " as an amount: " + why +
                      (why.starts_with("it has more digits") ? std::string()
                                                             : " (write amounts as 42,0, 1.234,5 or -3,1; leave the cell "
                                                               "empty for no amount)"));
        continue;
      }
      cell& c = row.amounts[h.column * years_.size() + h.year];
      c.kind = cell_kind::number;
      c.coefficient = d->coefficient();
      c.scale = static_cast<std::uint8_t>(d->scale());
      c.decimals = decimals_of(c.scale);
      c.offset = at;
      row.has_amounts = true;
    }
    if (row.name.empty()) {
      if (row.has_amounts) {
        csv_error(csv_error::unnamed_row, name_field.begin, name_field.begin + 1,
                  "this row has amounts but no name: the first column names the row");
      }
      continue;
    }
    row.occurrence = ++seen_names[row.name];
    rows_.push_back(std::move(row));
  }
}

// ---------------------------------------------------------------------------------------------
// Mapping entries, roles, structure

void csv_importer::match_entries() {
  std::unordered_map<std::string, std::vector<mapping_entry*>> by_name;
  for (mapping_entry& e : entries_) by_name[e.name].push_back(&e);
  for (table_row& r : rows_) {
    auto it = by_name.find(r.name);
    if (it == by_name.end()) continue;
    for (mapping_entry* e : it->second) {
      if (e->occurrence == r.occurrence) {
        r.entry = e;
        e->used = true;
      }
    }
  }
  std::vector<std::string> names;
  std::unordered_map<std::string, int> counts;
  for (const table_row& r : rows_) {
    if (counts[r.name]++ == 0) names.push_back(r.name);
  }
  for (const mapping_entry& e : entries_) {
    if (e.used) continue;
    const auto count = counts.find(e.name);
    if (count == counts.end()) {
      const auto suggestion = closest(e.name, names);
      map_error(csv_error::unmatched_mapping, e.at, e.at_end,
                e.path + ": the table has no row " + in_quotes(e.name) +
                    (suggestion ? "; did you mean " + in_quotes(*suggestion) + "?" : std::string()));
    } else {
      map_error(csv_error::unmatched_mapping, e.at, e.at_end,
                e.path + ": the table has " + std::to_string(count->second) + " row" + (count->second == 1 ? "" : "s") +
                    " " + in_quotes(e.name) + ", so there is no occurrence " + std::to_string(e.occurrence));
    }
  }
}

void csv_importer::classify() {
  const record_def& item_def = schema_.records[static_cast<std::size_t>(item_)];
  const record_def& total_def = schema_.records[static_cast<std::size_t>(total_)];
  for (table_row& r : rows_) {
    const std::string keyword = csv_text::keyword_of(r.name);
    bool role_given = false;
    if (r.entry) {
      if (const jt::node* role = r.entry->value->find("role")) {
        if (role->kind != jt::kind::string) {
          type_error(*role, r.entry->path + ".role", "a string");
        } else {
          const auto it = std::find(std::begin(role_names), std::end(role_names), role->text);
          if (it == std::end(role_names)) {
            std::vector<std::string> names(std::begin(role_names), std::end(role_names));
            const auto suggestion = closest(role->text, names);
            map_error(input_error::not_allowed, *role,
                      r.entry->path + ".role: " + in_quotes(role->text) + " is not one of " + join(names) +
                          (suggestion ? "; did you mean " + in_quotes(*suggestion) + "?" : std::string()));
          } else {
            r.role = static_cast<row_role>(it - std::begin(role_names));
            role_given = true;
          }
        }
      }
      if (!role_given) {
        const jt::node* kind = r.entry->value->find("kind");
        if (kind && kind->kind != jt::kind::null) {
          r.role = row_role::total;
          role_given = true;
        }
      }
    }
    if (!role_given) {
      if (keyword == "heraf") {
        r.role = row_role::heraf;
      } else if (keyword == "blok" || keyword == "direkte tilskud" || keyword == "i alt") {
        r.role = row_role::total;
      } else if (keyword == "allerede udmøntede midler" && !r.has_amounts) {
        r.role = row_role::section;
      } else {
        r.role = row_role::item;
      }
    }
    if (!r.entry) continue;
    // The keys an entry may have depend on what the row is.
    std::vector<std::string> allowed = {"occurrence", "role"};
    auto add_fields = [&](const record_def& def) {
      for (const field_def& f : def.fields) {
        if (f.name != "name" && f.type != field_type::amounts && f.type != field_type::records) allowed.emplace_back(f.name);
      }
    };
    std::string what;
    switch (r.role) {
      case row_role::item:
        add_fields(item_def);
        allowed.emplace_back("parent");
        what = "an item row";
        break;
      case row_role::total:
        add_fields(total_def);
        what = "a total row";
        break;
      case row_role::section:
        allowed.emplace_back("section");
        what = "a section heading";
        break;
      case row_role::heraf: what = "a heraf row"; break;
      case row_role::ignore: what = "an ignored row"; break;
    }
    for (const jt::member& m : r.entry->value->members) {
      if (std::find(allowed.begin(), allowed.end(), m.key) != allowed.end()) continue;
      std::vector<std::string> listed(allowed.begin() + 2, allowed.end());
      const auto suggestion = closest(m.key, allowed);
      map_error(input_error::unknown_field, m.key_offset, m.key_end,
                r.entry->path + "." + m.key + ": not a field of " + what +
                    (suggestion ? "; did you mean " + in_quotes(*suggestion) + "?"
                     : listed.empty() ? std::string(" (it takes only \"role\" and \"occurrence\")")
                                      : "; expected one of " + join(listed)));
    }
    if (r.role == row_role::section) {
      if (const jt::node* s = r.entry->value->find("section")) {
        const field_def& fd = item_def.fields[static_cast<std::size_t>(item_def.field_index("section"))];
        if (s->kind != jt::kind::string) {
          type_error(*s, r.entry->path + ".section", "a string");
        } else if (std::find(fd.allowed.begin(), fd.allowed.end(), s->text) == fd.allowed.end()) {
          const std::vector<std::string> values(fd.allowed.begin(), fd.allowed.end());
          map_error(input_error::not_allowed, *s, r.entry->path + ".section: " + describe(*s) + " is not one of " + join(values));
        }
      }
    }
    if (r.role == row_role::item) {
      const jt::node* channel = r.entry->value->find("channel");
      r.direct = channel && channel->kind == jt::kind::string && channel->text == "direct";
    }
  }
}

int csv_importer::depth_of(int row) const {
  int depth = 0;
  for (int p = rows_[static_cast<std::size_t>(row)].parent; p >= 0; p = rows_[static_cast<std::size_t>(p)].parent) ++depth;
  return depth;
}

// Whether row r still belongs to group g, judged by the numbers only: the group is complete
// when its counted sub-items add up to the parent within rounding in every column where the
// parent has an amount, and r does not fit when adding it would go beyond the parent by more
// than rounding explains. `reason` says why, for the warning.
bool csv_importer::judge(const group& g, const table_row& r, std::string& reason, bool& closes) const {
  const table_row& parent = rows_[static_cast<std::size_t>(g.parent)];
  std::vector<std::size_t> slots;
  for (std::size_t s = 0; s < parent.amounts.size(); ++s) {
    if (parent.amounts[s].present()) slots.push_back(s);
  }
  const std::size_t years = years_.size();
  auto slot_name = [&](std::size_t s) {
    std::string n = columns_[s / years].id;
    if (years > 1) n += " " + std::to_string(years_[s % years]);
    return n;
  };
  if (slots.empty() || g.overflow) {
    closes = false;
    reason = in_quotes(parent.name) + " has no amounts to add up to";
    return true;
  }
  bool complete = true;
  std::size_t short_slot = slots.front();
  for (std::size_t s : slots) {
    const cell& pc = parent.amounts[s];
    decimal diff, slack;
    if (!subtract(g.sum[s], pc.number(), diff) || !add(g.radius[s], half_unit(pc.decimals), slack) || diff.abs() > slack) {
      complete = false;
      short_slot = s;
      break;
    }
  }
  if (complete) {
    closes = true;
    reason = "the heraf rows above it already add up to " + in_quotes(parent.name) + " (" + group_sums(g) + ")";
    return true;
  }
  if (!r.direct) {
    for (std::size_t s : slots) {
      const cell& rc = r.amounts[s];
      if (!rc.present()) continue;
      const cell& pc = parent.amounts[s];
      decimal with, over, slack;
      if (add(g.sum[s], rc.number(), with) && subtract(with, pc.number(), over) &&
          add(g.radius[s], half_unit(pc.decimals), slack) && add(slack, half_unit(rc.decimals), slack) && over > slack) {
        closes = true;
        reason = "with it, the heraf rows of " + in_quotes(parent.name) + " would give " + slot_name(s) + " " + danish(with) +
                 ", more than " + danish(pc.number());
        return true;
      }
    }
  }
  closes = false;
  reason = "the heraf rows above it give " + slot_name(short_slot) + " " + danish(g.sum[short_slot]) + ", not yet " +
           danish(parent.amounts[short_slot].number());
  return true;
}

std::string csv_importer::group_sums(const group& g) const {
  const table_row& parent = rows_[static_cast<std::size_t>(g.parent)];
  const std::size_t years = years_.size();
  std::string out;
  for (std::size_t s = 0; s < parent.amounts.size(); ++s) {
    if (!parent.amounts[s].present()) continue;
    if (!out.empty()) out += ", ";
    out += columns_[s / years].id;
    if (years > 1) out.append(" ").append(std::to_string(years_[s % years]));
    // append, not an operator+ chain: GCC 12 reports a false -Wrestrict on the latter.
    out.append(" ").append(danish(g.sum[s])).append(" for ").append(danish(parent.amounts[s].number()));
  }
  return out;
}

void csv_importer::build_structure() {
  std::string section = "current";
  int sections = 1;
  bool section_closed = false;       // the section's "I alt" has been read
  bool after_section_total = false;  // the previous row was that "I alt"
  bool warned_reopen = false;
  std::vector<int> chain;    // the last item row at each depth: where a sub-item can attach
  std::vector<group> groups;  // open heraf groups, outermost first; each parent is on the chain
  int heraf = -1;             // a heraf marker waiting for its first sub-item
  int previous = -1;          // the previous row that is not ignored
  const std::size_t slots = columns_.size() * years_.size();
  auto open_group = [&](int parent, std::uint32_t at, std::uint32_t end) {
    group g;
    g.parent = parent;
    g.marker_at = at;
    g.marker_end = end;
    g.sum.assign(slots, decimal(0, 0));
    g.radius.assign(slots, decimal(0, 0));
    groups.push_back(std::move(g));
  };
  auto close_groups_below = [&](std::size_t depth) {
    // Keeps the groups whose parent is on the chain up to `depth` (inclusive).
    while (!groups.empty()) {
      const int p = groups.back().parent;
      const auto it = std::find(chain.begin(), chain.begin() + static_cast<std::ptrdiff_t>(std::min(depth + 1, chain.size())), p);
      if (it != chain.begin() + static_cast<std::ptrdiff_t>(std::min(depth + 1, chain.size()))) break;
      groups.pop_back();
    }
  };
  auto dangling_heraf = [&]() {
    if (heraf < 0) return;
    const table_row& h = rows_[static_cast<std::size_t>(heraf)];
    csv_error(csv_error::orphan_heraf, h.at, h.end, "no row follows this \"heraf\" that could be a sub-item");
    heraf = -1;
  };
  auto entry_text = [](const table_row& r, std::string_view key) -> const jt::node* {
    if (!r.entry) return nullptr;
    const jt::node* v = r.entry->value->find(key);
    return v && v->kind == jt::kind::string ? v : nullptr;
  };

  for (std::size_t i = 0; i < rows_.size() && !stopped_; ++i) {
    table_row& r = rows_[i];
    const int index = static_cast<int>(i);
    switch (r.role) {
      case row_role::ignore:
        continue;
      case row_role::heraf: {
        const bool above_is_item = previous >= 0 && rows_[static_cast<std::size_t>(previous)].role == row_role::item;
        if (r.has_amounts) {
          csv_error(csv_error::marker_amounts, r.at, r.end,
                    "a \"heraf\" row marks the rows below it as sub-items and holds no amounts; put the amounts on the "
                    "row above it");
        }
        if (heraf >= 0) {
          csv_error(csv_error::orphan_heraf, r.at, r.end, "\"heraf\" follows another \"heraf\": it has no row above it to belong to");
        } else if (!above_is_item) {
          const std::string above = previous < 0 ? std::string("it is the first row of the table")
                                                 : "the row above it, " + in_quotes(rows_[static_cast<std::size_t>(previous)].name) +
                                                       ", is " + (rows_[static_cast<std::size_t>(previous)].role == row_role::total
                                                                      ? "a total"
                                                                      : "a section heading");
          csv_error(csv_error::orphan_heraf, r.at, r.end, "\"heraf\" has no row above it to belong to: " + above);
        } else {
          heraf = index;
          close_groups_below(chain.size() - 1);
          open_group(chain.back(), r.at, r.end);
        }
        previous = index;
        after_section_total = false;
        continue;
      }
      case row_role::section: {
        dangling_heraf();
        const jt::node* s = entry_text(r, "section");
        const std::string next = s ? s->text : "already_allocated";
        if (next != section) ++sections;
        section = next;
        section_closed = false;
        warned_reopen = false;
        chain.clear();
        groups.clear();
        previous = index;
        after_section_total = false;
        continue;
      }
      case row_role::total: {
        dangling_heraf();
        chain.clear();
        groups.clear();
        const jt::node* kind = entry_text(r, "kind");
        const jt::node* given_section = entry_text(r, "section");
        const std::string keyword = csv_text::keyword_of(r.name);
        r.kind = kind ? kind->text
                 : keyword == "blok"            ? "block"
                 : keyword == "direkte tilskud" ? "direct"
                 : keyword == "i alt"           ? "total"
                                                : "";
        if (r.kind.empty()) {
          csv_error(csv_error::unclassified_total, r.at, r.end,
                    "cannot tell what the total " + in_quotes(r.name) + " sums: give its \"kind\" in the mapping (block, "
                    "direct, total or grand_total)");
        } else if (given_section) {
          r.section = given_section->text;
        } else if (r.kind == "grand_total") {
          r.section = "all";
        } else if (r.kind == "total" && section_closed) {
          if (after_section_total && sections >= 2) {
            r.kind = "grand_total";
            r.section = "all";
          } else {
            csv_error(csv_error::unclassified_total, r.at, r.end,
                      "cannot tell what this " + in_quotes(r.name) + " sums: its section (" + section +
                          ") already has its \"I alt\"" +
                          (sections < 2 ? " and the table has only one section" : std::string()) +
                          "; give its \"kind\" and \"section\" in the mapping");
          }
        } else if (section_closed) {
          csv_error(csv_error::unclassified_total, r.at, r.end,
                    "cannot tell which section the total " + in_quotes(r.name) + " belongs to: it comes after the \"I alt\" "
                    "of its section (" + section + "); give its \"section\" in the mapping, or add a section heading above it");
        } else {
          r.section = section;
        }
        const bool section_total = r.kind == "total" && r.section == section;
        if (section_total) section_closed = true;
        after_section_total = section_total;
        previous = index;
        continue;
      }
      case row_role::item:
        break;
    }

    // An item row: its section, then its parent.
    if (const jt::node* s = entry_text(r, "section")) {
      r.section = s->text;
    } else {
      if (section_closed && !warned_reopen) {
        warning(csv_error::guessed_section, r.at, r.end,
                in_quotes(r.name) + " comes after the \"I alt\" of its section and no section heading precedes it; taken as "
                "part of section " + section + " (give its \"section\" in the mapping, or add a heading such as "
                "\"Allerede udmøntede midler\")");
        warned_reopen = true;
      }
      r.section = section;
    }
    after_section_total = false;

    int parent = -1;
    bool decided = false;
    const jt::node* mapped_parent = r.entry ? r.entry->value->find("parent") : nullptr;
    if (mapped_parent && mapped_parent->kind != jt::kind::string && mapped_parent->kind != jt::kind::null) {
      type_error(*mapped_parent, r.entry->path + ".parent", "the name of the row above it that it belongs to, or null");
      mapped_parent = nullptr;
    }
    if (heraf >= 0) {
      // Directly below "heraf": a sub-item of the row above the marker, for certain.
      parent = groups.back().parent;
      const table_row& p = rows_[static_cast<std::size_t>(parent)];
      if (mapped_parent && (mapped_parent->kind == jt::kind::null || mapped_parent->text != p.name)) {
        map_error(csv_error::bad_parent, *mapped_parent,
                  r.entry->path + ".parent: " + in_quotes(r.name) + " is directly below \"heraf\", so it belongs to " +
                      in_quotes(p.name) + ", not " +
                      (mapped_parent->kind == jt::kind::null ? std::string("the top level") : in_quotes(mapped_parent->text)));
      }
      heraf = -1;
      decided = true;
    } else if (mapped_parent) {
      decided = true;
      if (mapped_parent->kind == jt::kind::null) {
        parent = -1;
      } else {
        int found = -1;
        for (std::size_t d = chain.size(); d-- > 0;) {
          if (rows_[static_cast<std::size_t>(chain[d])].name == mapped_parent->text) {
            found = chain[d];
            break;
          }
        }
        if (found < 0) {
          std::string open;
          for (int c : chain) open += (open.empty() ? "" : ", ") + in_quotes(rows_[static_cast<std::size_t>(c)].name);
          map_error(csv_error::bad_parent, *mapped_parent,
                    r.entry->path + ".parent: " + in_quotes(mapped_parent->text) + " is not a row above " + in_quotes(r.name) +
                        " that it can belong to (a sub-item comes right below its parent or the parent's other "
                        "sub-items; " +
                        (open.empty() ? std::string("no row above it can hold one") : "rows that can: " + open) + ")");
          parent = -1;
        } else {
          parent = found;
        }
      }
    } else if (r.indented && (!groups.empty() || !chain.empty())) {
      parent = groups.empty() ? chain.back() : groups.back().parent;
      decided = true;
    } else if (r.indented) {
      csv_error(csv_error::bad_parent, r.at, r.end,
                in_quotes(r.name) + " is indented as a sub-item, but no row above it can hold it");
      decided = true;
    }

    if (!decided && !groups.empty()) {
      // The guess: the numbers decide whether the heraf group goes on.
      // Innermost group first: a group that is complete (or that the row would overfill) ends,
      // and the next one out is asked.
      std::string reason;
      std::string closed_reason;
      std::uint32_t closed_at = 0, closed_end = 0;
      while (!groups.empty()) {
        bool closes = false;
        judge(groups.back(), r, reason, closes);
        if (!closes) {
          parent = groups.back().parent;
          break;
        }
        closed_reason = reason;
        closed_at = groups.back().marker_at;
        closed_end = groups.back().marker_end;
        groups.pop_back();
      }
      const std::string hint = "; give its \"parent\" in the mapping to confirm or correct this";
      if (parent >= 0) {
        const group& g = groups.back();
        warning(csv_error::guessed_group, r.at, r.end,
                in_quotes(r.name) + " taken as a sub-item of " + in_quotes(rows_[static_cast<std::size_t>(parent)].name) + ": " +
                    reason + hint,
                {note(csv_, g.marker_at, g.marker_end, "its heraf rows start here")});
      } else {
        warning(csv_error::guessed_group, r.at, r.end, in_quotes(r.name) + " taken as a top-level row: " + closed_reason + hint,
                {note(csv_, closed_at, closed_end, "the heraf rows it ends start here")});
      }
    }
    place_item(i, parent);
    if (parent >= 0) {
      // Keep the chain and the groups in step with the row's new place.
      const auto depth = static_cast<std::size_t>(depth_of(parent));
      close_groups_below(depth);
      if (groups.empty() || groups.back().parent != parent) open_group(parent, r.at, r.end);
      group& g = groups.back();
      if (!r.direct) {
        for (std::size_t s = 0; s < slots; ++s) {
          const cell& c = r.amounts[s];
          if (!c.present()) continue;
          if (!add(g.sum[s], c.number(), g.sum[s]) || !add(g.radius[s], half_unit(c.decimals), g.radius[s])) g.overflow = true;
        }
      }
      chain.resize(depth + 1);
      chain.push_back(index);
    } else {
      groups.clear();
      chain.assign(1, index);
    }
    previous = index;
  }
  dangling_heraf();
}

void csv_importer::place_item(std::size_t r, int parent) {
  table_row& row = rows_[r];
  row.parent = parent;
  if (parent >= 0 && !(row.entry && row.entry->value->find("section"))) {
    row.section = rows_[static_cast<std::size_t>(parent)].section;
  }
}

// ---------------------------------------------------------------------------------------------
// Building the proposal

std::uint32_t csv_importer::add_text(std::string_view text) {
  std::string& arena = proposal_->mutable_strings();
  const auto at = static_cast<std::uint32_t>(arena.size());
  arena.append(text);
  return at;
}

void csv_importer::set_text(int record, std::uint32_t row, std::string_view field, std::string_view text,
                            std::uint32_t offset) {
  table& t = proposal_->mutable_table(record);
  const int f = t.def().field_index(field);
  cell& c = t.at(row, static_cast<std::uint32_t>(f));
  c.kind = cell_kind::text;
  c.range = {add_text(text), static_cast<std::uint32_t>(text.size())};
  c.offset = offset;
}

bool csv_importer::set_field(int record, std::uint32_t row, int field, const jt::node& v, const std::string& path,
                             std::uint32_t anchor) {
  const field_def& fd = schema_.records[static_cast<std::size_t>(record)].fields[static_cast<std::size_t>(field)];
  if (v.kind == jt::kind::null && !fd.required) return true;
  table& t = proposal_->mutable_table(record);
  switch (fd.type) {
    case field_type::text: {
      if (v.kind != jt::kind::string) return type_error(v, path, "a string");
      if (!fd.allowed.empty() && std::find(fd.allowed.begin(), fd.allowed.end(), v.text) == fd.allowed.end()) {
        std::vector<std::string> allowed(fd.allowed.begin(), fd.allowed.end());
        const auto suggestion = closest(v.text, allowed);
        return map_error(input_error::not_allowed, v,
                         path + ": " + describe(v) + " is not one of " + join(allowed) +
                             (suggestion ? "; did you mean " + in_quotes(*suggestion) + "?" : std::string()));
      }
      cell& c = t.at(row, static_cast<std::uint32_t>(field));
      c.kind = cell_kind::text;
      c.range = {add_text(v.text), static_cast<std::uint32_t>(v.text.size())};
      c.offset = anchor;
      if (fd.name == "id") id_sources_[{record, row}] = {&v, path};
      return true;
    }
    case field_type::number: {
      if (v.kind != jt::kind::number) return type_error(v, path, "a number");
      const auto d = decimal::parse(v.text);
      if (!d) {
        return map_error(input_error::number_range, v,
                         path + ": " + shorten(v.text) +
                             " has more digits than an amount can hold (at most 18 significant digits and 18 decimals)");
      }
      cell& c = t.at(row, static_cast<std::uint32_t>(field));
      c.kind = cell_kind::number;
      c.coefficient = d->coefficient();
      c.scale = static_cast<std::uint8_t>(d->scale());
      c.decimals = fd.reported ? decimals_of(c.scale) : c.scale;
      c.offset = anchor;
      return true;
    }
    case field_type::boolean: {
      if (v.kind != jt::kind::boolean) return type_error(v, path, "true or false");
      cell& c = t.at(row, static_cast<std::uint32_t>(field));
      c.kind = cell_kind::boolean;
      c.coefficient = v.flag ? 1 : 0;
      c.offset = anchor;
      return true;
    }
    case field_type::amounts:
    case field_type::records:
      break;
  }
  return true;
}

void csv_importer::read_record(int record, int collection, const jt::node& v, std::uint32_t index, const std::string& path) {
  if (v.kind != jt::kind::object) {
    type_error(v, path, "an object");
    return;
  }
  const record_def& def = schema_.records[static_cast<std::size_t>(record)];
  // Recipients and transfers have no row in the table: the record and each of its values point
  // at where they are written in the mapping. Should the two files be too large for that, a
  // transfer from an item points at the item's row, and other records at the table's start.
  std::uint32_t anchor = 0;
  if (record == transfer_ && mapping_base_ == no_base) {
    if (const jt::node* from = v.find("from"); from && from->kind == jt::kind::string) {
      const auto id_field = static_cast<std::uint32_t>(schema_.records[static_cast<std::size_t>(item_)].field_index("id"));
      for (const table_row& r : rows_) {
        if (r.role != row_role::item) continue;
        const cell& id = proposal_->table_of(item_).at(r.model_row, id_field);
        if (id.kind == cell_kind::text && proposal_->text(id) == from->text) {
          anchor = r.at;
          break;
        }
      }
    }
  }
  table& t = proposal_->mutable_table(record);
  const std::uint32_t row = t.add_row({in_mapping(v, anchor), -1, collection, index});
  proposal_->mutable_collection(collection).push_back(row);
  check_duplicate_keys(v, path);
  std::vector<std::string> names;
  for (const field_def& f : def.fields) names.emplace_back(f.name);
  std::set<std::string, std::less<>> seen;
  for (const jt::member& m : v.members) {
    if (!seen.insert(m.key).second) continue;
    const int f = def.field_index(m.key);
    if (f < 0) {
      const auto suggestion = closest(m.key, names);
      map_error(input_error::unknown_field, m.key_offset, m.key_end,
                path + "." + m.key + ": unknown field; " +
                    (suggestion ? "did you mean " + in_quotes(*suggestion) + "?" : "expected one of " + join(names)));
      continue;
    }
    set_field(record, row, f, *m.value, path + "." + m.key, in_mapping(*m.value, anchor));
  }
  for (std::size_t f = 0; f < def.fields.size(); ++f) {
    if (def.fields[f].required && !seen.contains(std::string(def.fields[f].name))) {
      map_error(input_error::missing_field, v.offset, v.offset + 1,
                path + ": missing required field " + in_quotes(def.fields[f].name));
    }
  }
}

void csv_importer::build_proposal() {
  proposal_ = std::make_unique<proposal>(schema_, csv_);
  if (mapping_ && csv_->text().size() + 1 + mapping_->text().size() < std::size_t{no_base} - 64)
    mapping_base_ = proposal_->set_second_source(mapping_);
  proposal_->set_dimensions(columns_, years_);
  const record_def& root_def = schema_.records[0];

  // The document.
  {
    table& t = proposal_->mutable_table(0);
    const std::uint32_t row = t.add_row({0, -1, -1, 0});
    set_text(0, row, "format", schema_.format, 0);
    for (const auto& [key, node] : root_values_) {
      const int f = root_def.field_index(key);
      if (f >= 0) set_field(0, row, f, *node, key, in_mapping(*node, 0));
    }
    const int title = root_def.field_index("title");
    if (!t.at(row, static_cast<std::uint32_t>(title)).present()) {
      // No title in the mapping: the table's file name stands for it.
      const std::string& path = csv_->path();
      const std::size_t slash = path.find_last_of('/');
      set_text(0, row, "title", slash == std::string::npos ? path : path.substr(slash + 1), 0);
    }
  }

  // Ids: the mapping's first, then slugs of the names that avoid them.
  std::set<std::string, std::less<>> item_ids, total_ids;
  for (const table_row& r : rows_) {
    if (!r.entry || (r.role != row_role::item && r.role != row_role::total)) continue;
    const jt::node* id = r.entry->value->find("id");
    if (id && id->kind == jt::kind::string) (r.role == row_role::item ? item_ids : total_ids).insert(id->text);
  }
  auto make_id = [](const std::string& name, std::set<std::string, std::less<>>& taken) {
    std::string base = csv_text::slug(name, '-');
    if (base.empty()) base = "row";
    std::string id = base;
    for (int n = 2; taken.contains(id); ++n) id = base + "-" + std::to_string(n);
    taken.insert(id);
    return id;
  };

  std::vector<std::vector<std::uint32_t>> children;
  std::vector<std::uint32_t> top_items, top_totals;
  for (table_row& r : rows_) {
    if (r.role != row_role::item && r.role != row_role::total) continue;
    const bool is_item = r.role == row_role::item;
    const int record = is_item ? item_ : total_;
    table& t = proposal_->mutable_table(record);
    table::origin o;
    o.offset = r.at;
    if (is_item && r.parent >= 0) {
      const table_row& p = rows_[static_cast<std::size_t>(r.parent)];
      o.parent = static_cast<std::int32_t>(p.model_row);
      o.parent_field = t.def().field_index("subitems");
      o.index = static_cast<std::uint32_t>(children[p.model_row].size());
    } else {
      o.parent_field = is_item ? items_collection_ : totals_collection_;
      o.index = static_cast<std::uint32_t>((is_item ? top_items : top_totals).size());
    }
    const std::uint32_t row = t.add_row(o);
    r.model_row = row;
    if (is_item) {
      children.emplace_back();
      if (r.parent >= 0) {
        children[rows_[static_cast<std::size_t>(r.parent)].model_row].push_back(row);
      } else {
        top_items.push_back(row);
      }
    } else {
      top_totals.push_back(row);
    }
    set_text(record, row, "name", r.name, r.at);
    if (!r.section.empty()) set_text(record, row, "section", r.section, r.at);
    if (!is_item && !r.kind.empty()) set_text(record, row, "kind", r.kind, r.at);
    if (r.entry) {
      const record_def& def = t.def();
      for (const jt::member& m : r.entry->value->members) {
        if (m.key == "section" || m.key == "kind") continue;  // decided with the structure (validated below)
        const int f = def.field_index(m.key);
        if (f < 0) continue;  // occurrence, role, parent, or reported by classify()
        set_field(record, row, f, *m.value, r.entry->path + "." + m.key, in_mapping(*m.value, r.at));
      }
      // Validate the section and kind the structure used; a bad value is an error here.
      for (std::string_view key : {std::string_view("section"), std::string_view("kind")}) {
        const jt::node* v = r.entry->value->find(key);
        const int f = def.field_index(key);
        if (!v || f < 0) continue;
        if (v->kind != jt::kind::string) {
          type_error(*v, r.entry->path + "." + std::string(key), "a string");
          continue;
        }
        const field_def& fd = def.fields[static_cast<std::size_t>(f)];
        if (std::find(fd.allowed.begin(), fd.allowed.end(), v->text) == fd.allowed.end()) {
          std::vector<std::string> allowed(fd.allowed.begin(), fd.allowed.end());
          const auto suggestion = closest(v->text, allowed);
          map_error(input_error::not_allowed, *v,
                    r.entry->path + "." + std::string(key) + ": " + describe(*v) + " is not one of " + join(allowed) +
                        (suggestion ? "; did you mean " + in_quotes(*suggestion) + "?" : std::string()));
        }
      }
    }
    const int id_field = t.def().field_index("id");
    if (!t.at(row, static_cast<std::uint32_t>(id_field)).present()) {
      set_text(record, row, "id", make_id(r.name, is_item ? item_ids : total_ids), r.at);
    }
    for (std::size_t s = 0; s < r.amounts.size(); ++s) {
      t.at(row, t.first_amount_slot() + static_cast<std::uint32_t>(s)) = r.amounts[s];
    }
  }
  proposal_->mutable_collection(items_collection_) = top_items;
  proposal_->mutable_collection(totals_collection_) = top_totals;
  // Sub-item links: each parent's children contiguous.
  {
    table& t = proposal_->mutable_table(item_);
    const auto sub = static_cast<std::uint32_t>(t.def().field_index("subitems"));
    std::vector<std::uint32_t>& links = proposal_->mutable_links();
    for (std::uint32_t row = 0; row < children.size(); ++row) {
      if (children[row].empty()) continue;
      cell& c = t.at(row, sub);
      c.kind = cell_kind::records;
      c.range = {static_cast<std::uint32_t>(links.size()), static_cast<std::uint32_t>(children[row].size())};
      c.offset = proposal_->table_of(item_).at(children[row].front(), static_cast<std::uint32_t>(t.def().field_index("name"))).offset;
      links.insert(links.end(), children[row].begin(), children[row].end());
    }
  }

  // Recipients and transfers come from the mapping only.
  for (const auto& [key, collection, record] :
       {std::tuple{std::string_view("recipients"), recipients_collection_, recipient_},
        std::tuple{std::string_view("transfers"), transfers_collection_, transfer_}}) {
    const auto it = root_values_.find(key);
    if (it == root_values_.end()) continue;
    const jt::node& v = *it->second;
    if (v.kind == jt::kind::null) continue;
    if (v.kind != jt::kind::array) {
      type_error(v, std::string(key), "an array");
      continue;
    }
    if (rows_.size() + v.elements.size() + 1 > limits_.max_records) {
      map_error(input_error::too_many_records, v,
                std::string(key) + ": more than " + std::to_string(limits_.max_records) + " records (the limit)");
      continue;
    }
    for (std::size_t i = 0; i < v.elements.size(); ++i) {
      read_record(record, collection, v.elements[i], static_cast<std::uint32_t>(i),
                  std::string(key) + "[" + std::to_string(i) + "]");
    }
  }
  fill_defaults();
  check_ids();
}

// Absent fields with a default or an inherited value, as the JSON loader fills them.
void csv_importer::fill_defaults() {
  for (std::size_t r = 0; r < schema_.records.size(); ++r) {
    table& t = proposal_->mutable_table(static_cast<int>(r));
    const record_def& def = t.def();
    for (std::uint32_t row = 0; row < t.size(); ++row) {
      const std::int32_t parent = t.origin_of(row).parent;
      for (std::size_t f = 0; f < def.fields.size(); ++f) {
        const field_def& fd = def.fields[f];
        cell& c = t.at(row, static_cast<std::uint32_t>(f));
        if (c.present()) continue;
        if (fd.inherit && parent >= 0 && t.at(static_cast<std::uint32_t>(parent), static_cast<std::uint32_t>(f)).present()) {
          c = t.at(static_cast<std::uint32_t>(parent), static_cast<std::uint32_t>(f));
        } else if (!fd.default_text.empty()) {
          c.kind = cell_kind::text;
          c.range = {add_text(fd.default_text), static_cast<std::uint32_t>(fd.default_text.size())};
        }
      }
    }
  }
}

void csv_importer::check_ids() {
  for (std::size_t r = 1; r < schema_.records.size(); ++r) {
    const int record = static_cast<int>(r);
    const table& t = proposal_->table_of(record);
    const int f = t.def().field_index("id");
    if (f < 0) continue;
    std::unordered_map<std::string_view, std::uint32_t> first;
    for (std::uint32_t row = 0; row < t.size(); ++row) {
      const cell& c = t.at(row, static_cast<std::uint32_t>(f));
      if (c.kind != cell_kind::text) continue;
      const auto [it, inserted] = first.emplace(proposal_->text(c), row);
      if (inserted) continue;
      // Generated ids avoid every mapped one, so a duplicate is always the mapping's.
      const auto here = id_sources_.find({record, row});
      const auto there = id_sources_.find({record, it->second});
      if (here == id_sources_.end()) continue;
      const std::string first_path = there != id_sources_.end() ? there->second.second : proposal_->dotted_path(record, it->second, static_cast<std::uint32_t>(f));
      std::vector<dsl::diagnostic> notes;
      if (there != id_sources_.end()) notes.push_back(note(mapping_, there->second.first->offset, there->second.first->end, first_path + ": first used here"));
      map_error(input_error::duplicate_id, here->second.first->offset, here->second.first->end,
                here->second.second + ": duplicate id " + in_quotes(proposal_->text(c)) + " (first used at " + first_path + ")",
                std::move(notes));
    }
  }
}

load_result csv_importer::run() {
  load_result result;
  auto finish = [&] {
    result.diagnostics = std::move(diagnostics_);
    dsl::sort_diagnostics(result.diagnostics);
    if (errors_ == 0 && proposal_) result.value = std::move(proposal_);
    return std::move(result);
  };
  if (!decode()) return finish();
  if (mapping_ && !read_mapping()) return finish();
  if (!split_table() || !read_header() || stopped_) return finish();
  match_entries();
  classify();
  if (stopped_) return finish();
  build_structure();
  if (stopped_) return finish();
  build_proposal();
  return finish();
}

// Reads a whole file, or explains why not (E3002, E3003).
bool read_file(const std::filesystem::path& path, std::string_view what, const load_limits& limits, std::string& text,
               std::vector<dsl::diagnostic>& diagnostics) {
  auto fail = [&](std::string_view code, std::string message) {
    dsl::diagnostic d;
    d.code = std::string(code);
    d.message = std::move(message);
    diagnostics.push_back(std::move(d));
    return false;
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return fail(input_error::unreadable_file, "cannot read " + std::string(what) + " " + path.string() + ": is a directory");
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return fail(input_error::unreadable_file,
                "cannot read " + std::string(what) + " " + path.string() + ": " + std::generic_category().message(errno));
  }
  std::fseek(file, 0, SEEK_END);
  const long size = std::ftell(file);
  std::fseek(file, 0, SEEK_SET);
  if (size < 0) {
    std::fclose(file);
    return fail(input_error::unreadable_file, "cannot read " + std::string(what) + " " + path.string() + ": cannot determine its size");
  }
  if (static_cast<std::size_t>(size) > limits.max_bytes) {
    std::fclose(file);
    return fail(input_error::too_large, std::string(what) + " " + path.string() + " is " + std::to_string(size) +
                                            " bytes, more than the limit of " + std::to_string(limits.max_bytes) + " bytes");
  }
  text.resize(static_cast<std::size_t>(size));
  const std::size_t got = size == 0 ? 0 : std::fread(text.data(), 1, text.size(), file);
  const bool read_error = std::ferror(file) != 0;
  std::fclose(file);
  if (read_error || got != text.size()) {
    return fail(input_error::unreadable_file, "cannot read " + std::string(what) + " " + path.string() + ": read error");
  }
  return true;
}

}  // namespace

load_result load_proposal_csv(dsl::source_ptr csv, const dsl::source_ptr* mapping, const load_limits& limits) {
  if (!csv) return {};
  csv_importer importer(std::move(csv), mapping != nullptr && *mapping ? mapping : nullptr, limits);
  return importer.run();
}

std::filesystem::path mapping_path_for(const std::filesystem::path& csv) {
  std::filesystem::path p = csv;
  p.replace_extension(".mapping.json");
  return p;
}

bool is_csv_path(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  for (char& c : ext) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return ext == ".csv";
}

load_result load_proposal_csv_file(const std::filesystem::path& csv, const std::filesystem::path* mapping,
                                   const load_limits& limits) {
  load_result result;
  std::string text;
  if (!read_file(csv, "proposal", limits, text, result.diagnostics)) return result;
  const auto csv_source = std::make_shared<const dsl::source_file>(csv.string(), std::move(text));
  dsl::source_ptr mapping_source;
  std::filesystem::path mapping_file = mapping ? *mapping : mapping_path_for(csv);
  std::error_code ec;
  if (mapping != nullptr || std::filesystem::exists(mapping_file, ec)) {
    std::string mapping_text;
    if (!read_file(mapping_file, "mapping", limits, mapping_text, result.diagnostics)) return result;
    mapping_source = std::make_shared<const dsl::source_file>(mapping_file.string(), std::move(mapping_text));
  }
  return load_proposal_csv(csv_source, mapping_source ? &mapping_source : nullptr, limits);
}

}  // namespace fundcheck::engine
