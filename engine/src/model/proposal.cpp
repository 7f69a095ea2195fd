// The proposal store: schema lookups, the column-oriented tables, and the paths (JSON pointer,
// dotted) that name a value in findings and input errors.
#include "fundcheck/engine/proposal.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace fundcheck::engine {

// ---------------------------------------------------------------------------------------------
// Schema

int record_def::field_index(std::string_view field_name) const noexcept {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == field_name) return static_cast<int>(i);
  }
  return -1;
}

int record_def::amounts_field() const noexcept {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].type == field_type::amounts) return static_cast<int>(i);
  }
  return -1;
}

const record_def* schema::find_record(std::string_view record_name) const noexcept {
  const int i = record_index(record_name);
  return i < 0 ? nullptr : &records[static_cast<std::size_t>(i)];
}

int schema::record_index(std::string_view record_name) const noexcept {
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].name == record_name) return static_cast<int>(i);
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Table


table::table(const record_def& def, std::uint32_t columns, std::uint32_t years)
    : def_(&def),
      first_amount_slot_(static_cast<std::uint32_t>(def.fields.size())),
      years_(years) {
  has_amounts_ = def.amounts_field() >= 0;
  slots_ = first_amount_slot_ + (has_amounts_ ? columns * years : 0);
  columns_.resize(slots_);
}

std::uint32_t table::add_row(const origin& o) {
  cell absent;
  absent.offset = o.offset;
  for (auto& column : columns_) column.push_back(absent);
  origins_.push_back(o);
  return rows_++;
}

void table::reserve(std::uint32_t rows) {
  for (auto& column : columns_) column.reserve(rows);
  origins_.reserve(rows);
}

// ---------------------------------------------------------------------------------------------
// Proposal

proposal::proposal(const schema& s, dsl::source_ptr source) : schema_(&s), source_(std::move(source)) {
  tables_.reserve(s.records.size());
  for (const record_def& r : s.records) tables_.emplace_back(r, 0, 0);
  collections_.resize(s.collections.size());
}

std::uint32_t proposal::set_second_source(dsl::source_ptr second) {
  second_source_ = std::move(second);
  // One byte past the end of the first file, so that no offset of it (end included) is taken.
  second_base_ = static_cast<std::uint32_t>(source_ ? source_->text().size() + 1 : 0);
  return second_base_;
}

proposal::place proposal::locate(std::uint32_t offset) const noexcept {
  if (second_source_ && offset >= second_base_) return {&second_source_, offset - second_base_};
  return {&source_, offset};
}

std::span<const std::uint32_t> proposal::collection(int collection_index) const noexcept {
  return collections_[static_cast<std::size_t>(collection_index)];
}

void proposal::set_dimensions(std::vector<column_info> columns, std::vector<std::int32_t> years) {
  columns_ = std::move(columns);
  years_ = std::move(years);
  tables_.clear();
  for (const record_def& r : schema_->records) {
    tables_.emplace_back(r, static_cast<std::uint32_t>(columns_.size()), static_cast<std::uint32_t>(years_.size()));
  }
}

int proposal::column_index(std::string_view id) const noexcept {
  for (std::size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

int proposal::year_index(std::int32_t year) const noexcept {
  const auto it = std::lower_bound(years_.begin(), years_.end(), year);
  if (it == years_.end() || *it != year) return -1;
  return static_cast<int>(it - years_.begin());
}

namespace {

enum class path_style { pointer, dotted };

void append_key(std::string& out, std::string_view key, path_style style) {
  if (style == path_style::dotted) {
    if (!out.empty()) out.push_back('.');
    out += key;
    return;
  }
  out.push_back('/');
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
}

void append_index(std::string& out, std::uint32_t index, path_style style) {
  char buf[16];
  const auto r = std::to_chars(buf, buf + sizeof buf, index);
  if (style == path_style::dotted) {
    out.push_back('[');
    out.append(buf, r.ptr);
    out.push_back(']');
  } else {
    out.push_back('/');
    out.append(buf, r.ptr);
  }
}

// Was this first-year amount written as the column's value ("region": 2.8) rather than under
// its year ("region": {"2026": 2.8})? Looks at the key in front of the value in the source.
bool written_under_year(std::string_view text, std::uint32_t offset, std::int32_t year) {
  std::size_t i = std::min<std::size_t>(offset, text.size());
  auto skip_space = [&] {
    while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n' || text[i - 1] == '\r')) --i;
  };
  skip_space();
  if (i == 0 || text[i - 1] != ':') return false;
  --i;
  skip_space();
  if (i == 0 || text[i - 1] != '"') return false;
  --i;
  char buf[16];
  const auto r = std::to_chars(buf, buf + sizeof buf, year);
  const std::string_view digits(buf, static_cast<std::size_t>(r.ptr - buf));
  if (i < digits.size() + 1) return false;
  return text.substr(i - digits.size(), digits.size()) == digits && text[i - digits.size() - 1] == '"';
}


std::string record_path(const proposal& p, int record_index, std::uint32_t row, bool dotted) {
  const path_style style = dotted ? path_style::dotted : path_style::pointer;
  std::string out;
  if (record_index <= 0) return out;  // the root record
  const table& t = p.table_of(record_index);
  const schema& s = p.schema_def();
  // Collect the chain of rows up to the top-level one, then write it top-down.
  std::uint32_t chain[64];
  std::vector<std::uint32_t> long_chain;
  std::size_t depth = 0;
  for (std::int64_t r = row; r >= 0; r = t.origin_of(static_cast<std::uint32_t>(r)).parent) {
    if (depth < 64) {
      chain[depth] = static_cast<std::uint32_t>(r);
    } else {
      if (long_chain.empty()) long_chain.assign(chain, chain + 64);
      long_chain.push_back(static_cast<std::uint32_t>(r));
    }
    ++depth;
  }
  auto at = [&](std::size_t k) { return long_chain.empty() ? chain[k] : long_chain[k]; };
  const table::origin& top = t.origin_of(at(depth - 1));
  std::string_view collection_name;
  if (top.parent_field >= 0 && static_cast<std::size_t>(top.parent_field) < s.collections.size() &&
      s.collections[static_cast<std::size_t>(top.parent_field)].record == t.def().name) {
    collection_name = s.collections[static_cast<std::size_t>(top.parent_field)].name;
  } else {
    for (const collection_def& c : s.collections) {
      if (c.record == t.def().name) {
        collection_name = c.name;
        break;
      }
    }
  }
  append_key(out, collection_name, style);
  append_index(out, top.index, style);
  for (std::size_t k = depth - 1; k-- > 0;) {
    const table::origin& o = t.origin_of(at(k));
    append_key(out, t.def().fields[static_cast<std::size_t>(o.parent_field)].name, style);
    append_index(out, o.index, style);
  }
  return out;
}

std::string slot_path(const proposal& p, int record_index, std::uint32_t row, std::uint32_t slot, bool dotted) {
  const path_style style = dotted ? path_style::dotted : path_style::pointer;
  std::string out = record_path(p, record_index, row, dotted);
  const table& t = p.table_of(record_index);
  const record_def& def = t.def();
  if (slot < t.first_amount_slot()) {
    append_key(out, def.fields[slot].name, style);
    return out;
  }
  const auto years = static_cast<std::uint32_t>(p.years().size());
  if (years == 0 || slot >= t.slots()) return out;
  const std::uint32_t k = slot - t.first_amount_slot();
  const std::uint32_t column = k / years;
  const std::uint32_t year = k % years;
  append_key(out, def.fields[static_cast<std::size_t>(def.amounts_field())].name, style);
  append_key(out, p.columns()[column].id, style);
  bool with_year = years > 1;
  if (with_year && year == 0) {
    const cell& c = t.at(row, slot);
    if (c.present() && p.source() && !written_under_year(p.source()->text(), c.offset, p.years()[0])) {
      with_year = false;
    }
  }
  if (with_year) {
    char buf[16];
    const auto r = std::to_chars(buf, buf + sizeof buf, p.years()[year]);
    append_key(out, std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)), style);
  }
  return out;
}

}  // namespace

std::string proposal::json_pointer(int record_index, std::uint32_t row) const {
  return record_path(*this, record_index, row, false);
}

std::string proposal::json_pointer(int record_index, std::uint32_t row, std::uint32_t slot) const {
  return slot_path(*this, record_index, row, slot, false);
}

std::string proposal::dotted_path(int record_index, std::uint32_t row) const {
  return record_path(*this, record_index, row, true);
}

std::string proposal::dotted_path(int record_index, std::uint32_t row, std::uint32_t slot) const {
  return slot_path(*this, record_index, row, slot, true);
}

}  // namespace fundcheck::engine
