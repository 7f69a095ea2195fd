// The JSON proposal loader. Fast path: simdjson On-Demand over the whole document, numbers taken
// from their raw text (exact decimals, never double), strings copied once into the proposal's
// arena, every value's byte offset kept. Semantic errors are collected (up to a cap); a JSON
// syntax error abandons the fast path and json_fallback explains it.
#include "fundcheck/engine/proposal.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <system_error>

#if defined(__linux__)
#endif

#include <simdjson.h>

#include "fundcheck/engine/csv_import.hpp"
#include "model/dimensions.hpp"
#include "model/input_errors.hpp"
#include "model/json_fallback.hpp"

namespace fundcheck::engine {
namespace {

namespace od = simdjson::ondemand;

constexpr std::size_t error_cap = 50;
// Recursion depth of the walk is bounded by max_depth; this bounds max_depth itself so that a
// generous limit cannot exhaust a thread's stack.
constexpr std::size_t depth_ceiling = 1024;

enum class json_kind : std::uint8_t { object, array, string, number, boolean, null, invalid };

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_right(std::string_view s) noexcept {
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Kind of a value from its raw token (already right-trimmed). Literals are checked exactly;
// numbers are checked by their caller.
json_kind kind_of(std::string_view token) noexcept {
  if (token.empty()) return json_kind::invalid;
  switch (token.front()) {
    case '{': return json_kind::object;
    case '[': return json_kind::array;
    case '"': return json_kind::string;
    case 't': return token == "true" ? json_kind::boolean : json_kind::invalid;
    case 'f': return token == "false" ? json_kind::boolean : json_kind::invalid;
    case 'n': return token == "null" ? json_kind::null : json_kind::invalid;
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return json_kind::number;
    default: return json_kind::invalid;
  }
}

// Strict JSON number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) noexcept {
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto digit = [&](std::size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
  if (i < n && s[i] == '-') ++i;
  if (!digit(i)) return false;
  if (s[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == n;
}

// For messages: the value as written, shortened; or what kind of thing it is.
std::string describe(std::string_view token, json_kind kind) {
  switch (kind) {
    case json_kind::object: return "an object";
    case json_kind::array: return "an array";
    default: break;
  }
  constexpr std::size_t max_len = 40;
  if (token.size() <= max_len) return std::string(token);
  std::size_t cut = max_len;
  while (cut > 0 && (static_cast<unsigned char>(token[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 boundary
  return std::string(token.substr(0, cut)) + "...";
}

std::string_view expected_for(field_type t) noexcept {
  switch (t) {
    case field_type::text: return "a string";
    case field_type::number: return "a number";
    case field_type::boolean: return "true or false";
    case field_type::amounts: return "an object of amounts per column";
    case field_type::records: return "an array";
  }
  return "a value";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const char x = static_cast<char>(a[i - 1] | 0x20);  // ASCII case-insensitive
      const char y = static_cast<char>(b[j - 1] | 0x20);
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x == y ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The closest candidate within a small edit distance, or empty.
std::string_view closest(std::string_view key, const std::vector<std::string_view>& candidates) {
  std::string_view best;
  std::size_t best_distance = key.size() <= 3 ? 1 : 2;
  for (std::string_view c : candidates) {
    const std::size_t d = edit_distance(key, c);
    if (d <= best_distance && d < std::max(key.size(), c.size()) && (best.empty() || d < best_distance)) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string join(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i != 0) out += ", ";
    out += names[i];
  }
  return out;
}

std::uint64_t hash_text(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, then murmur's finalizer for the low bits
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

// The values of one unique text field of one table, checked after the walk: (hash, row) pairs
// are appended in document order, then sorted by hash (a stable radix sort, so rows stay in
// order within a hash) and equal neighbours compared. Sequential memory access throughout; a
// hash table probed per record was dominated by cache misses on large proposals.
struct unique_values {
  int record = 0;
  int field = 0;
  std::vector<std::uint64_t> entries;  // hash << 32 | row

  void sort() {
    // Rows are added in increasing order, so sorting whole entries orders them by hash and keeps
    // the rows of one hash in document order, as the radix passes do. For a small proposal the
    // radix passes' 64 Ki counters would cost far more than the entries (a batch of 1,000
    // Kræftplan-size files spent 83 % of its time here).
    if (entries.size() < 4096) {
      std::sort(entries.begin(), entries.end());
      return;
    }
    std::vector<std::uint64_t> scratch(entries.size());
    std::vector<std::uint32_t> counts(1u << 16);
    for (unsigned shift : {32u, 48u}) {
      std::fill(counts.begin(), counts.end(), 0);
      for (std::uint64_t e : entries) ++counts[(e >> shift) & 0xFFFF];
      std::uint32_t total = 0;
      for (std::uint32_t& c : counts) {
        const std::uint32_t n = c;
        c = total;
        total += n;
      }
      for (std::uint64_t e : entries) scratch[counts[(e >> shift) & 0xFFFF]++] = e;
      entries.swap(scratch);
    }
  }
};

// Key -> field index of one record type, by a small hash of the key's length and end letters
// (a linear scan of the field names only where two names share a hash).
class field_lookup {
 public:
  explicit field_lookup(const record_def& def) {
    slots_.fill(-1);
    for (std::size_t i = 0; i < def.fields.size(); ++i) {
      std::int8_t& s = slots_[hash(def.fields[i].name)];
      s = s == -1 ? static_cast<std::int8_t>(i) : std::int8_t{-2};
    }
  }
  int find(const record_def& def, std::string_view key) const noexcept {
    if (key.empty()) return -1;
    const int s = slots_[hash(key)];
    if (s >= 0) return def.fields[static_cast<std::size_t>(s)].name == key ? s : -1;
    if (s == -1) return -1;
    return def.field_index(key);
  }

 private:
  static std::size_t hash(std::string_view k) noexcept {
    return (k.size() * 37u + static_cast<unsigned char>(k.front()) * 5u + static_cast<unsigned char>(k.back())) & 255u;
  }
  std::array<std::int8_t, 256> slots_{};
};

// One segment of the path to the value being read: a key or an array index.
struct path_segment {
  std::string_view key;
  std::int64_t index = -1;
};

// The path to the value being read, for messages. A fixed array: it is pushed and popped for
// every field, and its depth is bounded by the nesting limit (segments beyond it are counted but
// not stored, so push and pop stay balanced whatever happens).
class path_stack {
 public:
  static constexpr std::size_t capacity = depth_ceiling + 16;
  void push_back(path_segment s) noexcept {
    if (size_ < capacity) segments_[size_] = s;
    ++size_;
  }
  void pop_back() noexcept { --size_; }
  bool empty() const noexcept { return size_ == 0; }
  const path_segment* begin() const noexcept { return segments_.data(); }
  const path_segment* end() const noexcept { return segments_.data() + std::min(size_, capacity); }

 private:
  std::array<path_segment, capacity> segments_{};
  std::size_t size_ = 0;
};

// The root object's keys that are not fields of the root record.
using dimensions::years_key;
using dimensions::columns_key;

class json_loader {
 public:
  json_loader(dsl::source_ptr source, const load_limits& limits, std::size_t bom)
      : source_(std::move(source)),
        limits_(limits),
        max_depth_(std::min(limits.max_depth, depth_ceiling)),
        bom_(bom) {
    use_schema(allocation_schema());
  }

  // Sets the schema the walk reads with (the proposal's "format" decides it, before any row is
  // read): the empty proposal and the per-record field lookups.
  void use_schema(const schema& s) {
    schema_ = &s;
    proposal_ = std::make_unique<proposal>(s, source_);
    lookups_.clear();
    filled_fields_.clear();
    for (const record_def& r : s.records) {
      lookups_.emplace_back(r);
      std::vector<std::uint32_t> fields;
      for (std::size_t f = 0; f < r.fields.size(); ++f) {
        if (r.fields[f].inherit || !r.fields[f].default_text.empty()) fields.push_back(static_cast<std::uint32_t>(f));
      }
      filled_fields_.push_back(std::move(fields));
    }
  }

  load_result run();

 private:
  // --- error reporting ---
  std::uint32_t offset_of(const char* p) const noexcept {
    return static_cast<std::uint32_t>(p - buffer_) + static_cast<std::uint32_t>(bom_);
  }
  std::string path_text() const;
  std::string path_with(std::string_view key) const;
  // Adds an error; returns false when the error cap is reached (the walk stops).
  bool error(std::string_view code, std::uint32_t begin, std::uint32_t end, std::string message,
             std::vector<dsl::diagnostic> notes = {});
  dsl::diagnostic note(std::uint32_t begin, std::uint32_t end, std::string message) const;
  // A JSON syntax problem: the walk stops and the slow path reports it.
  bool syntax(simdjson::error_code code, const char* where = nullptr) noexcept {
    syntax_ = true;
    syntax_code_ = code;
    if (where != nullptr && syntax_at_ == nullptr) syntax_at_ = where;
    return false;
  }
  bool fatal(std::string_view code, std::uint32_t begin, std::string message) {
    error(code, begin, begin + 1, std::move(message));
    stopped_ = true;
    return false;
  }

  // --- walking ---
  std::string_view token_of(od::value& v) noexcept { return trim_right(v.raw_json_token()); }
  bool key_of(od::field& f, std::string_view& key, const char*& raw);
  bool consume(od::value v, std::size_t depth);
  // Marks a string value as read without decoding it. Every string must be read: simdjson skips
  // an unread string followed by ':' as if it were a key, which would let '["a": 1]' through.
  bool consume_string(od::value& v, std::string_view token) {
    od::raw_json_string raw;
    if (auto e = v.get_raw_json_string().get(raw)) return syntax(e, token.data());
    return true;
  }
  bool check_depth(std::size_t depth, const char* at) {
    if (depth <= max_depth_) return true;
    return fatal(input_error::too_deep, offset_of(at), "nesting deeper than " + std::to_string(max_depth_) + " levels");
  }
  bool type_error(od::value& v, std::string_view token, json_kind kind, std::string_view expected,
                  std::size_t depth);
  bool read_number(std::string_view token, decimal& out, bool& ok);

  bool prepass(od::object root);
  bool read_years(od::value v, std::uint32_t key_offset);
  bool read_columns(od::value v, std::uint32_t key_offset);
  bool read_root(od::object root, std::uint32_t offset);
  bool read_collection(int collection, od::value v);
  bool read_record(int record, od::value v, const table::origin& origin, std::size_t depth);
  bool read_field(int record, std::uint32_t row, int field, od::value v, std::size_t depth);
  bool read_amounts(int record, std::uint32_t row, od::value v, std::size_t depth);
  bool read_amount(int record, std::uint32_t row, std::uint32_t column, std::uint32_t year, od::value& v,
                   std::string_view token, json_kind kind, std::size_t depth);
  void note_unique(int record, std::uint32_t row, int field, std::string_view text);
  bool check_unique();
  bool add_record(int record, const table::origin& origin, std::uint32_t& row);

  void fill_defaults(int record, std::uint32_t row);
  std::uint32_t intern(std::string_view text);
  std::uint8_t reported_decimals(const field_def* fd, std::uint8_t scale) const noexcept {
    return decimals_ >= 0 && (fd == nullptr || fd->reported) ? static_cast<std::uint8_t>(decimals_) : scale;
  }
  void finish();  // late inherited values, the proposal's "decimals" when read late
  load_result fail_with_fallback(std::string_view json);

  const schema* schema_ = nullptr;
  dsl::source_ptr source_;
  load_limits limits_;
  std::size_t max_depth_;
  std::size_t bom_;
  const char* buffer_ = nullptr;  // start of the parsed text (after the BOM)
  std::unique_ptr<proposal> proposal_;
  std::vector<dsl::diagnostic> diagnostics_;
  std::size_t errors_ = 0;
  bool stopped_ = false;
  bool syntax_ = false;
  simdjson::error_code syntax_code_ = simdjson::SUCCESS;
  const char* syntax_at_ = nullptr;

  path_stack path_;
  std::vector<std::uint32_t> child_rows_;  // stack of nested rows while their parent is read
  std::vector<unique_values> unique_;
  std::size_t records_ = 0;

  // Dimensions, from the pre-pass.
  bool have_years_ = false;
  bool have_columns_ = false;
  bool dimensions_ok_ = true;
  std::vector<column_info> columns_;
  std::vector<std::string_view> column_ids_;  // views of columns_[i].id, for the amounts lookup
  std::vector<std::int32_t> years_;
  std::vector<std::string> year_keys_;
  std::vector<std::uint32_t> column_stamp_;
  std::vector<std::uint32_t> year_stamp_;
  std::uint32_t stamp_ = 0;

  // The proposal's "decimals" when the pre-pass saw it (-1: not known yet).
  int decimals_ = -1;
  bool decimals_from_prepass_ = false;
  std::vector<field_lookup> lookups_;  // per record type
  // Per record: the fields that get a default or their parent's value when absent.
  std::vector<std::vector<std::uint32_t>> filled_fields_;
  std::vector<std::pair<std::string_view, std::uint32_t>> interned_;  // default text -> arena offset
  // Absent inherited values whose parent had no value yet when the record ended (its key may
  // come after its sub-items): a bitmap of rows per (record, field), settled in row order.
  struct pending_inherit {
    int record;
    std::uint32_t field;
    std::vector<std::uint64_t> rows;
  };
  std::vector<pending_inherit> pending_;
};

// ---------------------------------------------------------------------------------------------
// Errors

std::string json_loader::path_text() const {
  std::string out;
  for (const path_segment& s : path_) {
    if (s.index >= 0) {
      out += '[';
      out += std::to_string(s.index);
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      out += s.key;
    }
  }
  return out.empty() ? std::string("(root)") : out;
}

std::string json_loader::path_with(std::string_view key) const {
  std::string out = path_.empty() ? std::string() : path_text();
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

bool json_loader::error(std::string_view code, std::uint32_t begin, std::uint32_t end, std::string message,
                        std::vector<dsl::diagnostic> notes) {
  auto d = dsl::make_diagnostic(dsl::level::error, std::string(code), source_, {begin, end}, std::move(message),
                                std::move(notes));
  if (++errors_ >= error_cap) {
    d.notes.push_back(note(begin, begin, "stopped reading the proposal after " + std::to_string(error_cap) + " errors"));
    diagnostics_.push_back(std::move(d));
    stopped_ = true;
    return false;
  }
  diagnostics_.push_back(std::move(d));
  return true;
}

dsl::diagnostic json_loader::note(std::uint32_t begin, std::uint32_t end, std::string message) const {
  return dsl::make_note(source_, {begin, end}, std::move(message));
}

// ---------------------------------------------------------------------------------------------
// Generic values

// The key of a field without copying it when it has no escapes; raw points at its opening quote.
bool json_loader::key_of(od::field& f, std::string_view& key, const char*& raw) {
  const char* start = f.key().raw();  // just after the opening quote
  raw = start - 1;
  const char* quote = static_cast<const char*>(std::memchr(start, '"', static_cast<std::size_t>(-1) >> 1));
  if (std::memchr(start, '\\', static_cast<std::size_t>(quote - start)) == nullptr) {
    key = std::string_view(start, static_cast<std::size_t>(quote - start));
    return true;
  }
  if (auto e = f.unescaped_key().get(key)) return syntax(e, raw);
  return true;
}

// Reads and validates a value that is not stored (unknown fields, values of the wrong type),
// so that malformed JSON anywhere in the document is found.
bool json_loader::consume(od::value v, std::size_t depth) {
  const std::string_view token = token_of(v);
  switch (kind_of(token)) {
    case json_kind::object: {
      if (!check_depth(depth, token.data())) return false;
      od::object obj;
      if (auto e = v.get_object().get(obj)) return syntax(e, token.data());
      for (auto field_result : obj) {
        od::field f;
        if (auto e = std::move(field_result).get(f)) return syntax(e);
        std::string_view key;
        const char* raw = nullptr;
        if (!key_of(f, key, raw)) return false;
        if (!consume(f.value(), depth + 1)) return false;
      }
      return true;
    }
    case json_kind::array: {
      if (!check_depth(depth, token.data())) return false;
      od::array arr;
      if (auto e = v.get_array().get(arr)) return syntax(e, token.data());
      for (auto element_result : arr) {
        od::value element;
        if (auto e = std::move(element_result).get(element)) return syntax(e);
        if (!consume(element, depth + 1)) return false;
      }
      return true;
    }
    case json_kind::string: {
      if (token.find('\\') == std::string_view::npos) return consume_string(v, token);
      std::string_view s;
      if (auto e = v.get_string().get(s)) return syntax(e, token.data());
      return true;
    }
    case json_kind::number:
      return is_json_number(token) ? true : syntax(simdjson::NUMBER_ERROR, token.data());
    case json_kind::boolean:
    case json_kind::null:
      return true;
    case json_kind::invalid:
      break;
  }
  return syntax(simdjson::TAPE_ERROR, token.data());
}

bool json_loader::type_error(od::value& v, std::string_view token, json_kind kind, std::string_view expected,
                             std::size_t depth) {
  const std::uint32_t begin = offset_of(token.data());
  const bool compound = kind == json_kind::object || kind == json_kind::array;
  const auto end = begin + static_cast<std::uint32_t>(compound ? 1 : token.size());
  if (kind == json_kind::invalid || (kind == json_kind::number && !is_json_number(token))) {
    return syntax(simdjson::TAPE_ERROR, token.data());
  }
  if (!error(input_error::wrong_type, begin, end, path_text() + ": expected " + std::string(expected) + ", got " +
                                                      describe(token, kind))) {
    return false;
  }
  return consume(v, depth);
}

// Parses a number token exactly. ok is false (with an error reported) when it does not fit.
bool json_loader::read_number(std::string_view token, decimal& out, bool& ok) {
  if (const auto d = decimal::parse(token); d && token.front() != '+') {
    out = *d;
    ok = true;
    return true;
  }
  ok = false;
  if (!is_json_number(token)) return syntax(simdjson::NUMBER_ERROR, token.data());
  const std::uint32_t begin = offset_of(token.data());
  return error(input_error::number_range, begin, begin + static_cast<std::uint32_t>(token.size()),
               path_text() + ": " + describe(token, json_kind::number) +
                   " has more digits than an amount can hold (at most 18 significant digits and 18 decimals)");
}

// ---------------------------------------------------------------------------------------------
// Dimensions: "years" and "columns" (read before anything else, wherever they stand)

bool json_loader::prepass(od::object root) {
  for (auto field_result : root) {
    od::field f;
    if (auto e = std::move(field_result).get(f)) return syntax(e);
    std::string_view key;
    const char* raw = nullptr;
    if (!key_of(f, key, raw)) return false;
    if (key == "decimals" && decimals_ < 0 && !decimals_from_prepass_) {
      // Only a valid value is used here; read_root reports a bad one.
      od::value v = f.value();
      const std::string_view t = token_of(v);
      const auto d = decimal::parse(t);
      decimals_from_prepass_ = true;
      if (kind_of(t) == json_kind::number && d && d->significant_scale() == 0 && !d->is_negative() &&
          *d <= decimal::from_int(decimal::max_scale)) {
        decimal whole;
        (void)d->round(0, rounding::toward_zero, whole);
        decimals_ = static_cast<int>(whole.coefficient());
      }
    } else if (key == years_key && !have_years_) {
      have_years_ = true;
      path_.push_back({years_key});
      const bool go_on = read_years(f.value(), offset_of(raw));
      path_.pop_back();
      if (!go_on) return false;
    } else if (key == columns_key && !have_columns_) {
      have_columns_ = true;
      path_.push_back({columns_key});
      const bool go_on = read_columns(f.value(), offset_of(raw));
      path_.pop_back();
      if (!go_on) return false;
    }
    if (have_years_ && have_columns_) break;
  }
  return true;
}

bool json_loader::read_years(od::value v, std::uint32_t key_offset) {
  const std::string_view token = token_of(v);
  const json_kind kind = kind_of(token);
  if (kind != json_kind::array) {
    dimensions_ok_ = false;
    return type_error(v, token, kind, "an array of years", 2);
  }
  od::array arr;
  if (auto e = v.get_array().get(arr)) return syntax(e, token.data());
  std::int64_t index = 0;
  for (auto element_result : arr) {
    od::value element;
    if (auto e = std::move(element_result).get(element)) return syntax(e);
    path_.push_back({{}, index++});
    const std::string_view t = token_of(element);
    const json_kind k = kind_of(t);
    bool go_on = true;
    if (k != json_kind::number) {
      dimensions_ok_ = false;
      go_on = type_error(element, t, k, "a year (a whole number)", 3);
    } else {
      decimal d;
      bool ok = false;
      go_on = read_number(t, d, ok);
      const std::uint32_t begin = offset_of(t.data());
      const auto end = begin + static_cast<std::uint32_t>(t.size());
      if (go_on && ok) {
        if (d.scale() != 0 || d.coefficient() < 1 || d.coefficient() > 9999) {
          dimensions_ok_ = false;
          go_on = error(input_error::invalid_years, begin, end,
                        path_text() + ": " + std::string(t) + " is not a year (a whole number from 1 to 9999)");
        } else if (!years_.empty() && d.coefficient() <= years_.back()) {
          dimensions_ok_ = false;
          go_on = error(input_error::invalid_years, begin, end,
                        path_text() + ": " + std::string(t) + " does not come after " + std::to_string(years_.back()) +
                            " (years must be strictly increasing)");
        } else {
          years_.push_back(static_cast<std::int32_t>(d.coefficient()));
        }
      } else if (go_on) {
        dimensions_ok_ = false;
      }
    }
    path_.pop_back();
    if (!go_on) return false;
  }
  if (index == 0) {
    dimensions_ok_ = false;
    return error(input_error::invalid_years, key_offset, offset_of(token.data()) + 1,
                 "years: at least one year is required");
  }
  return true;
}

bool json_loader::read_columns(od::value v, std::uint32_t key_offset) {
  const std::string_view token = token_of(v);
  const json_kind kind = kind_of(token);
  if (kind != json_kind::array) {
    dimensions_ok_ = false;
    return type_error(v, token, kind, "an array of columns", 2);
  }
  od::array arr;
  if (auto e = v.get_array().get(arr)) return syntax(e, token.data());
  std::vector<std::uint32_t> id_offsets;
  std::int64_t index = 0;
  for (auto element_result : arr) {
    od::value element;
    if (auto e = std::move(element_result).get(element)) return syntax(e);
    path_.push_back({{}, index++});
    const std::string_view t = token_of(element);
    const json_kind k = kind_of(t);
    column_info column;
    std::uint32_t id_begin = 0;
    std::uint32_t id_end = 0;
    bool have_id = false;  // an id string was read into column.id
    bool go_on = true;
    if (k == json_kind::string) {
      std::string_view s;
      if (auto e = element.get_string().get(s)) return syntax(e, t.data());
      column.id = std::string(s);
      id_begin = offset_of(t.data());
      id_end = id_begin + static_cast<std::uint32_t>(t.size());
      have_id = true;
    } else if (k == json_kind::object) {
      od::object obj;
      if (auto e = element.get_object().get(obj)) return syntax(e, t.data());
      bool seen_id = false;
      bool seen_label = false;
      for (auto field_result : obj) {
        od::field f;
        if (auto e = std::move(field_result).get(f)) return syntax(e);
        std::string_view key;
        const char* raw = nullptr;
        if (!key_of(f, key, raw)) return false;
        od::value value = f.value();
        const std::string_view vt = token_of(value);
        const json_kind vk = kind_of(vt);
        const bool is_id = key == "id";
        if (is_id || key == "label") {
          path_.push_back({is_id ? std::string_view("id") : std::string_view("label")});
          bool& seen = is_id ? seen_id : seen_label;
          if (seen) {
            const std::uint32_t kb = offset_of(raw);
            go_on = error(input_error::duplicate_key, kb, kb + static_cast<std::uint32_t>(key.size()) + 2,
                          path_text() + ": duplicate key \"" + std::string(key) + "\"") &&
                    consume(value, 4);
          } else if (vk != json_kind::string) {
            seen = true;
            if (is_id) dimensions_ok_ = false;
            go_on = type_error(value, vt, vk, "a string", 4);
          } else {
            seen = true;
            std::string_view s;
            if (auto e = value.get_string().get(s)) return syntax(e, vt.data());
            if (is_id) {
              column.id = std::string(s);
              id_begin = offset_of(vt.data());
              id_end = id_begin + static_cast<std::uint32_t>(vt.size());
              have_id = true;
            } else {
              column.label = std::string(s);
            }
          }
          path_.pop_back();
        } else {
          const std::uint32_t kb = offset_of(raw);
          std::string message = path_with(key) + ": unknown field; ";
          const std::string_view suggestion = closest(key, {"id", "label"});
          message += suggestion.empty() ? std::string("a column has only \"id\" and \"label\"")
                                        : "did you mean \"" + std::string(suggestion) + "\"?";
          go_on = error(input_error::unknown_field, kb, kb + static_cast<std::uint32_t>(key.size()) + 2,
                        std::move(message)) &&
                  consume(value, 4);
        }
        if (!go_on) return false;
      }
      if (!seen_id) {
        dimensions_ok_ = false;
        const std::uint32_t b = offset_of(t.data());
        go_on = error(input_error::missing_field, b, b + 1, path_text() + ": missing required field \"id\"");
      }
    } else {
      dimensions_ok_ = false;
      go_on = type_error(element, t, k, "a column (a string or an object with \"id\" and \"label\")", 3);
    }
    if (go_on && have_id) {
      // A column id is a name in rules (item.region), so it must be one, and must not hide a field.
      const std::string& id = column.id;
      bool name_ok = !id.empty() && !(id[0] >= '0' && id[0] <= '9');
      for (char c : id) {
        const auto u = static_cast<unsigned char>(c);
        if (!(u >= 0x80 || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
          name_ok = false;
        }
      }
      std::string_view clash;
      for (const record_def& r : schema_->records) {
        if (r.amounts_field() >= 0 && r.field_index(id) >= 0) clash = r.name;
      }
      const std::string where = k == json_kind::object ? path_with("id") : path_text();
      if (!name_ok) {
        dimensions_ok_ = false;
        go_on = error(input_error::invalid_columns, id_begin, id_end,
                      where + ": \"" + id + "\" is not a valid column id (letters, digits and _, not starting with a digit)");
      } else if (!clash.empty()) {
        dimensions_ok_ = false;
        go_on = error(input_error::invalid_columns, id_begin, id_end,
                      where + ": column id \"" + id + "\" is already a field of " + std::string(clash));
      } else {
        const auto dup = std::find_if(columns_.begin(), columns_.end(), [&](const column_info& c) { return c.id == id; });
        if (dup != columns_.end()) {
          dimensions_ok_ = false;
          const auto first = id_offsets[static_cast<std::size_t>(dup - columns_.begin())];
          go_on = error(input_error::invalid_columns, id_begin, id_end, where + ": duplicate column id \"" + id + "\"",
                        {note(first, first + static_cast<std::uint32_t>(id.size()) + 2, "first declared here")});
        } else {
          if (column.label.empty()) column.label = column.id;
          columns_.push_back(std::move(column));
          id_offsets.push_back(id_begin);
        }
      }
    }
    path_.pop_back();
    if (!go_on) return false;
  }
  if (index == 0) {
    dimensions_ok_ = false;
    return error(input_error::invalid_columns, key_offset, offset_of(token.data()) + 1,
                 "columns: at least one column is required");
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Records

bool json_loader::add_record(int record, const table::origin& origin, std::uint32_t& row) {
  if (++records_ > limits_.max_records) {
    return fatal(input_error::too_many_records, origin.offset,
                 path_text() + ": more than " + std::to_string(limits_.max_records) + " records (the limit)");
  }
  table& t = proposal_->mutable_table(record);
  row = t.add_row(origin);
  return true;
}

bool json_loader::read_root(od::object root, std::uint32_t offset) {
  const record_def& def = schema_->records[0];
  std::uint32_t row = 0;
  if (!add_record(0, {offset, -1, -1, 0}, row)) return false;
  // Seen keys: the root's fields, then "years", "columns", then the collections.
  const std::size_t nf = def.fields.size();
  std::vector<std::uint32_t> seen_at(nf + 2 + schema_->collections.size(), 0);
  std::vector<std::string_view> known;
  for (const field_def& f : def.fields) known.push_back(f.name);
  known.push_back(years_key);
  known.push_back(columns_key);
  for (const collection_def& c : schema_->collections) known.push_back(c.name);

  for (auto field_result : root) {
    od::field f;
    if (auto e = std::move(field_result).get(f)) return syntax(e);
    std::string_view key;
    const char* raw = nullptr;
    if (!key_of(f, key, raw)) return false;
    const std::uint32_t kb = offset_of(raw);
    const std::uint32_t ke = kb + static_cast<std::uint32_t>(key.size()) + 2;
    const auto it = std::find(known.begin(), known.end(), key);
    if (it == known.end()) {
      const std::string_view suggestion = closest(key, known);
      std::string message = std::string(key) + ": unknown field; ";
      message += suggestion.empty() ? "expected one of " + join(known) : "did you mean \"" + std::string(suggestion) + "\"?";
      if (!error(input_error::unknown_field, kb, ke, std::move(message)) || !consume(f.value(), 2)) return false;
      continue;
    }
    const auto k = static_cast<std::size_t>(it - known.begin());
    if (seen_at[k] != 0) {
      const std::uint32_t first = seen_at[k] - 1;
      if (!error(input_error::duplicate_key, kb, ke, std::string(key) + ": duplicate key \"" + std::string(key) + "\"",
                 {note(first, first + static_cast<std::uint32_t>(key.size()) + 2, "first given here")}) ||
          !consume(f.value(), 2)) {
        return false;
      }
      continue;
    }
    seen_at[k] = kb + 1;
    if (k < nf) {
      path_.push_back({def.fields[k].name});
      const bool go_on = read_field(0, row, static_cast<int>(k), f.value(), 2);
      path_.pop_back();
      if (!go_on) return false;
    } else if (k < nf + 2) {
      // years / columns: read by the pre-pass; the values are skipped here.
    } else {
      if (!read_collection(static_cast<int>(k - nf - 2), f.value())) return false;
    }
  }

  fill_defaults(0, row);
  auto missing = [&](std::string_view name) {
    return error(input_error::missing_field, offset, offset + 1, "(root): missing required field \"" + std::string(name) + "\"");
  };
  for (std::size_t k = 0; k < nf; ++k) {
    if (def.fields[k].required && seen_at[k] == 0 && !missing(def.fields[k].name)) return false;
  }
  if (!have_years_ && !missing(years_key)) return false;
  if (!have_columns_ && !missing(columns_key)) return false;
  for (std::size_t c = 0; c < schema_->collections.size(); ++c) {
    if (schema_->collections[c].required && seen_at[nf + 2 + c] == 0 && !missing(schema_->collections[c].name)) return false;
  }
  return true;
}

bool json_loader::read_collection(int collection, od::value v) {
  const collection_def& c = schema_->collections[static_cast<std::size_t>(collection)];
  const int record = schema_->record_index(c.record);
  path_.push_back({c.name});
  const std::string_view token = token_of(v);
  const json_kind kind = kind_of(token);
  bool go_on = true;
  if (kind == json_kind::array) {
    od::array arr;
    if (auto e = v.get_array().get(arr)) return syntax(e, token.data());
    std::vector<std::uint32_t>& rows = proposal_->mutable_collection(collection);
    std::uint32_t index = 0;
    for (auto element_result : arr) {
      od::value element;
      if (auto e = std::move(element_result).get(element)) return syntax(e);
      path_.push_back({{}, index});
      const std::string_view t = token_of(element);
      const json_kind k = kind_of(t);
      if (k == json_kind::object) {
        rows.push_back(proposal_->table_of(record).size());
        go_on = read_record(record, element, {offset_of(t.data()), -1, collection, index}, 3);
      } else {
        go_on = type_error(element, t, k, "an object", 3);
      }
      path_.pop_back();
      if (!go_on) return false;
      ++index;
    }
  } else {
    go_on = type_error(v, token, kind, "an array", 2);
  }
  path_.pop_back();
  return go_on;
}

bool json_loader::read_record(int record, od::value v, const table::origin& origin, std::size_t depth) {
  const char* at = buffer_ + (origin.offset - bom_);
  if (!check_depth(depth, at)) return false;
  const record_def& def = schema_->records[static_cast<std::size_t>(record)];
  od::object obj;
  if (auto e = v.get_object().get(obj)) return syntax(e, at);
  std::uint32_t row = 0;
  if (!add_record(record, origin, row)) return false;
  std::uint64_t seen = 0;
  static_assert(sizeof(seen) * 8 >= 64, "at most 64 fields per record");
  for (auto field_result : obj) {
    od::field f;
    if (auto e = std::move(field_result).get(f)) return syntax(e);
    std::string_view key;
    const char* raw = nullptr;
    if (!key_of(f, key, raw)) return false;
    const int field = lookups_[static_cast<std::size_t>(record)].find(def, key);
    if (field < 0) {
      const std::uint32_t kb = offset_of(raw);
      std::vector<std::string_view> names;
      for (const field_def& fd : def.fields) names.push_back(fd.name);
      const std::string_view suggestion = closest(key, names);
      std::string message = path_with(key) + ": unknown field; ";
      message += suggestion.empty() ? "expected one of " + join(names) : "did you mean \"" + std::string(suggestion) + "\"?";
      if (!error(input_error::unknown_field, kb, kb + static_cast<std::uint32_t>(key.size()) + 2, std::move(message)) ||
          !consume(f.value(), depth + 1)) {
        return false;
      }
      continue;
    }
    const std::uint64_t bit = std::uint64_t{1} << field;
    path_.push_back({def.fields[static_cast<std::size_t>(field)].name});
    bool go_on = true;
    if ((seen & bit) != 0) {
      const std::uint32_t kb = offset_of(raw);
      const cell& first = proposal_->table_of(record).at(row, static_cast<std::uint32_t>(field));
      std::vector<dsl::diagnostic> notes;
      if (first.present()) notes.push_back(note(first.offset, first.offset + 1, "first given here"));
      go_on = error(input_error::duplicate_key, kb, kb + static_cast<std::uint32_t>(key.size()) + 2,
                    path_text() + ": duplicate key \"" + std::string(key) + "\"", std::move(notes)) &&
              consume(f.value(), depth + 1);
    } else {
      seen |= bit;
      go_on = read_field(record, row, field, f.value(), depth + 1);
    }
    path_.pop_back();
    if (!go_on) return false;
  }
  fill_defaults(record, row);
  for (std::size_t i = 0; i < def.fields.size(); ++i) {
    if (def.fields[i].required && (seen & (std::uint64_t{1} << i)) == 0) {
      if (!error(input_error::missing_field, origin.offset, origin.offset + 1,
                 path_text() + ": missing required field \"" + std::string(def.fields[i].name) + "\"")) {
        return false;
      }
    }
  }
  return true;
}

void json_loader::note_unique(int record, std::uint32_t row, int field, std::string_view text) {
  auto it = std::find_if(unique_.begin(), unique_.end(),
                         [&](const unique_values& u) { return u.record == record && u.field == field; });
  if (it == unique_.end()) {
    unique_.push_back({record, field, {}});
    it = unique_.end() - 1;
  }
  it->entries.push_back((hash_text(text) >> 32 << 32) | row);
}

// Reports every value used a second time, with a note at its first use.
bool json_loader::check_unique() {
  for (unique_values& u : unique_) {
    u.sort();
    const auto field = static_cast<std::uint32_t>(u.field);
    const table& t = proposal_->table_of(u.record);
    const std::string_view name = t.def().fields[field].name;
    std::vector<std::uint32_t> dups;  // rows of one hash run, then those whose text repeats
    for (std::size_t i = 0; i < u.entries.size();) {
      std::size_t j = i + 1;
      while (j < u.entries.size() && (u.entries[j] >> 32) == (u.entries[i] >> 32)) ++j;
      // Rows i..j share a hash (almost always a single row); compare each with the earlier ones.
      for (std::size_t k = i + 1; k < j; ++k) {
        const auto row = static_cast<std::uint32_t>(u.entries[k]);
        const std::string_view text = proposal_->text(t.at(row, field));
        for (std::size_t m = i; m < k; ++m) {
          const auto first = static_cast<std::uint32_t>(u.entries[m]);
          if (proposal_->text(t.at(first, field)) != text) continue;
          const cell& c = t.at(row, field);
          const cell& fc = t.at(first, field);
          const std::string first_path = proposal_->dotted_path(u.record, first, field);
          const auto width = static_cast<std::uint32_t>(text.size()) + 2;
          if (!error(input_error::duplicate_id, c.offset, c.offset + width,
                     proposal_->dotted_path(u.record, row, field) + ": duplicate " + std::string(name) + " \"" +
                         std::string(text) + "\" (first used at " + first_path + ")",
                     {note(fc.offset, fc.offset + width, first_path + ": first used here")})) {
            return false;
          }
          break;
        }
      }
      i = j;
    }
  }
  return true;
}

bool json_loader::read_field(int record, std::uint32_t row, int field, od::value v, std::size_t depth) {
  const field_def& fd = schema_->records[static_cast<std::size_t>(record)].fields[static_cast<std::size_t>(field)];
  table& t = proposal_->mutable_table(record);
  const std::string_view token = token_of(v);
  const json_kind kind = kind_of(token);
  if (kind == json_kind::null && !fd.required) {
    // null: absent, but a finding about the value points at the null that was written.
    t.at(row, static_cast<std::uint32_t>(field)).offset = offset_of(token.data());
    return true;
  }
  const std::uint32_t begin = offset_of(token.data());
  const auto end = begin + static_cast<std::uint32_t>(token.size());
  cell& c = t.at(row, static_cast<std::uint32_t>(field));
  switch (fd.type) {
    case field_type::text: {
      if (kind != json_kind::string) return type_error(v, token, kind, expected_for(fd.type), depth);
      std::string& arena = proposal_->mutable_strings();
      const std::size_t at = arena.size();
      const std::string_view inner = token.substr(1, token.size() - 2);
      std::string_view s = inner;
      if (inner.find('\\') != std::string_view::npos) {
        if (auto e = v.get_string().get(s)) return syntax(e, token.data());
      } else if (!consume_string(v, token)) {
        return false;
      }
      arena.append(s);
      // c stays valid: no rows are added while a text is read.
      c.kind = cell_kind::text;
      c.range = {static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(s.size())};
      c.offset = begin;
      if (!fd.allowed.empty() && std::find(fd.allowed.begin(), fd.allowed.end(), s) == fd.allowed.end()) {
        std::vector<std::string_view> allowed(fd.allowed.begin(), fd.allowed.end());
        const std::string_view suggestion = closest(s, allowed);
        std::string message = path_text() + ": " + describe(token, kind) + " is not one of " + join(allowed);
        if (!suggestion.empty()) message += "; did you mean \"" + std::string(suggestion) + "\"?";
        c.kind = cell_kind::absent;
        return error(input_error::not_allowed, begin, end, std::move(message));
      }
      if (fd.unique) note_unique(record, row, field, s);
      return true;
    }
    case field_type::number: {
      if (kind != json_kind::number) return type_error(v, token, kind, expected_for(fd.type), depth);
      decimal d;
      bool ok = false;
      if (!read_number(token, d, ok)) return false;
      if (ok) {
        c.kind = cell_kind::number;
        c.coefficient = d.coefficient();
        c.scale = static_cast<std::uint8_t>(d.scale());
        c.decimals = reported_decimals(&fd, c.scale);
        c.offset = begin;
      }
      return true;
    }
    case field_type::boolean: {
      if (kind != json_kind::boolean) return type_error(v, token, kind, expected_for(fd.type), depth);
      c.kind = cell_kind::boolean;
      c.coefficient = token.front() == 't' ? 1 : 0;
      c.offset = begin;
      return true;
    }
    case field_type::amounts: {
      if (kind != json_kind::object) return type_error(v, token, kind, expected_for(fd.type), depth);
      c.offset = begin;  // the amounts field's own slot is unused; keep where it stood
      return read_amounts(record, row, v, depth);
    }
    case field_type::records: {
      if (kind != json_kind::array) return type_error(v, token, kind, expected_for(fd.type), depth);
      if (!check_depth(depth, token.data())) return false;
      const int nested = schema_->record_index(fd.record);
      od::array arr;
      if (auto e = v.get_array().get(arr)) return syntax(e, token.data());
      const std::size_t first_child = child_rows_.size();
      std::uint32_t index = 0;
      for (auto element_result : arr) {
        od::value element;
        if (auto e = std::move(element_result).get(element)) return syntax(e);
        path_.push_back({{}, index});
        const std::string_view et = token_of(element);
        const json_kind ek = kind_of(et);
        bool go_on = true;
        if (ek == json_kind::object) {
          child_rows_.push_back(proposal_->table_of(nested).size());
          go_on = read_record(nested, element,
                              {offset_of(et.data()), static_cast<std::int32_t>(row), static_cast<std::int32_t>(field), index},
                              depth + 1);
        } else {
          go_on = type_error(element, et, ek, "an object", depth + 1);
        }
        path_.pop_back();
        if (!go_on) return false;
        ++index;
      }
      // The children's own sub-records were linked while they were read; this record's links
      // are appended now so that they are contiguous.
      std::vector<std::uint32_t>& links = proposal_->mutable_links();
      cell& rc = proposal_->mutable_table(record).at(row, static_cast<std::uint32_t>(field));
      rc.kind = cell_kind::records;
      rc.range = {static_cast<std::uint32_t>(links.size()),
                  static_cast<std::uint32_t>(child_rows_.size() - first_child)};
      rc.offset = begin;
      links.insert(links.end(), child_rows_.begin() + static_cast<std::ptrdiff_t>(first_child), child_rows_.end());
      child_rows_.resize(first_child);
      return true;
    }
  }
  return true;
}

bool json_loader::read_amount(int record, std::uint32_t row, std::uint32_t column, std::uint32_t year, od::value& v,
                              std::string_view token, json_kind kind, std::size_t depth) {
  if (kind == json_kind::null) {
    // Absent, but a finding about this cell points at the null that was written.
    table& t = proposal_->mutable_table(record);
    t.at(row, t.amount_slot(column, year)).offset = offset_of(token.data());
    return true;
  }
  if (kind != json_kind::number) return type_error(v, token, kind, "a number", depth);
  decimal d;
  bool ok = false;
  if (!read_number(token, d, ok)) return false;
  if (!ok) return true;
  table& t = proposal_->mutable_table(record);
  cell& c = t.at(row, t.amount_slot(column, year));
  c.kind = cell_kind::number;
  c.coefficient = d.coefficient();
  c.scale = static_cast<std::uint8_t>(d.scale());
  c.decimals = reported_decimals(nullptr, c.scale);
  c.offset = offset_of(token.data());
  return true;
}

bool json_loader::read_amounts(int record, std::uint32_t row, od::value v, std::size_t depth) {
  if (!check_depth(depth, v.raw_json_token().data())) return false;
  if (!dimensions_ok_) return consume(v, depth);  // already reported; nothing to store into
  od::object obj;
  if (auto e = v.get_object().get(obj)) return syntax(e);
  const std::uint32_t column_generation = ++stamp_;
  for (auto field_result : obj) {
    od::field f;
    if (auto e = std::move(field_result).get(f)) return syntax(e);
    std::string_view key;
    const char* raw = nullptr;
    if (!key_of(f, key, raw)) return false;
    const std::uint32_t kb = offset_of(raw);
    const std::uint32_t ke = kb + static_cast<std::uint32_t>(key.size()) + 2;
    std::uint32_t column = 0;
    while (column < column_ids_.size() && column_ids_[column] != key) ++column;
    if (column == columns_.size()) {
      std::vector<std::string_view> ids;
      for (const column_info& ci : columns_) ids.push_back(ci.id);
      const std::string_view suggestion = closest(key, ids);
      std::string message = path_with(key) + ": unknown column \"" + std::string(key) + "\"; ";
      message += suggestion.empty() ? "the proposal's columns are " + join(ids)
                                    : "did you mean \"" + std::string(suggestion) + "\"?";
      if (!error(input_error::unknown_column, kb, ke, std::move(message)) || !consume(f.value(), depth + 1)) return false;
      continue;
    }
    path_.push_back({columns_[column].id});
    bool go_on = true;
    od::value value = f.value();
    const std::string_view token = token_of(value);
    const json_kind kind = kind_of(token);
    if (column_stamp_[column] == column_generation) {
      go_on = error(input_error::duplicate_key, kb, ke, path_text() + ": duplicate key \"" + std::string(key) + "\"") &&
              consume(value, depth + 1);
    } else if (kind == json_kind::object) {
      column_stamp_[column] = column_generation;
      // Per year: {"2026": 5.0, "2027": 5.0}.
      od::object years;
      if (auto e = value.get_object().get(years)) return syntax(e, token.data());
      if (!check_depth(depth + 1, token.data())) return false;
      const std::uint32_t year_generation = ++stamp_;
      for (auto year_result : years) {
        od::field yf;
        if (auto e = std::move(year_result).get(yf)) return syntax(e);
        std::string_view ykey;
        const char* yraw = nullptr;
        if (!key_of(yf, ykey, yraw)) return false;
        const std::uint32_t yb = offset_of(yraw);
        const std::uint32_t ye = yb + static_cast<std::uint32_t>(ykey.size()) + 2;
        std::uint32_t year = 0;
        while (year < year_keys_.size() && year_keys_[year] != ykey) ++year;
        od::value yv = yf.value();
        if (year == year_keys_.size()) {
          std::string listed;
          for (std::size_t i = 0; i < year_keys_.size(); ++i) listed += (i ? ", " : "") + year_keys_[i];
          go_on = error(input_error::unknown_year, yb, ye,
                        path_with(ykey) + ": unknown year \"" + std::string(ykey) + "\"; the proposal's years are " + listed) &&
                  consume(yv, depth + 2);
        } else {
          path_.push_back({year_keys_[year]});
          if (year_stamp_[year] == year_generation) {
            go_on = error(input_error::duplicate_key, yb, ye, path_text() + ": duplicate key \"" + std::string(ykey) + "\"") &&
                    consume(yv, depth + 2);
          } else {
            year_stamp_[year] = year_generation;
            const std::string_view yt = token_of(yv);
            go_on = read_amount(record, row, column, year, yv, yt, kind_of(yt), depth + 2);
          }
          path_.pop_back();
        }
        if (!go_on) break;
      }
    } else {
      column_stamp_[column] = column_generation;
      go_on = read_amount(record, row, column, 0, value, token, kind, depth + 1);
    }
    path_.pop_back();
    if (!go_on) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// After the walk

std::uint32_t json_loader::intern(std::string_view text) {
  for (const auto& [t, at] : interned_) {
    if (t.data() == text.data()) return at;
  }
  std::string& arena = proposal_->mutable_strings();
  const auto at = static_cast<std::uint32_t>(arena.size());
  arena.append(text);
  interned_.emplace_back(text, at);
  return at;
}

// At the end of a record: absent fields with a default or an inherited value. A parent's value
// may still be missing (its key can come after its sub-items); those are settled in finish().
void json_loader::fill_defaults(int record, std::uint32_t row) {
  table& t = proposal_->mutable_table(record);
  const record_def& def = t.def();
  const std::int32_t parent = t.origin_of(row).parent;
  for (std::uint32_t f : filled_fields_[static_cast<std::size_t>(record)]) {
    cell& c = t.at(row, f);
    if (c.present()) continue;
    const field_def& fd = def.fields[f];
    if (fd.inherit && parent >= 0) {
      const cell& pc = t.at(static_cast<std::uint32_t>(parent), f);
      if (pc.present()) {
        c = pc;
      } else {
        auto it = std::find_if(pending_.begin(), pending_.end(),
                               [&](const pending_inherit& pi) { return pi.record == record && pi.field == f; });
        if (it == pending_.end()) {
          pending_.push_back({record, f, {}});
          it = pending_.end() - 1;
        }
        if (it->rows.size() <= row / 64) it->rows.resize(row / 64 + 1024, 0);
        it->rows[row / 64] |= std::uint64_t{1} << (row % 64);
      }
      continue;
    }
    if (!fd.default_text.empty()) {
      c.kind = cell_kind::text;
      c.range = {static_cast<std::uint32_t>(intern(fd.default_text)),
                 static_cast<std::uint32_t>(fd.default_text.size())};
    }
  }
}

void json_loader::finish() {
  proposal& p = *proposal_;
  // Late inherited values, parents first (rows are in pre-order, so in increasing row order).
  for (const pending_inherit& pi : pending_) {
    table& t = p.mutable_table(pi.record);
    const field_def& fd = t.def().fields[pi.field];
    for (std::size_t w = 0; w < pi.rows.size(); ++w) {
      for (std::uint64_t bits = pi.rows[w]; bits != 0; bits &= bits - 1) {
        const auto row = static_cast<std::uint32_t>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)));
        cell& c = t.at(row, pi.field);
        const cell& pc = t.at(static_cast<std::uint32_t>(t.origin_of(row).parent), pi.field);
        if (pc.present()) {
          c = pc;
        } else if (!fd.default_text.empty()) {
          c.kind = cell_kind::text;
          c.range = {static_cast<std::uint32_t>(intern(fd.default_text)),
                     static_cast<std::uint32_t>(fd.default_text.size())};
        }
      }
    }
  }

  // The proposal's "decimals": the reported precision of every amount.
  const record_def& root_def = schema_->records[0];
  const int df = root_def.field_index("decimals");
  if (df < 0 || p.table_of(0).size() == 0) return;
  const cell& dc = p.table_of(0).at(0, static_cast<std::uint32_t>(df));
  if (!dc.present()) return;
  const decimal d = dc.number();
  if (d.significant_scale() != 0 || d.is_negative() || d > decimal::from_int(decimal::max_scale)) {
    const std::string token = d.to_string();
    error(input_error::invalid_decimals, dc.offset, dc.offset + static_cast<std::uint32_t>(token.size()),
          "decimals: must be a whole number from 0 to 18, got " + token);
    return;
  }
  if (decimals_ >= 0) return;  // known from the pre-pass and applied while reading
  decimal whole;
  (void)d.round(0, rounding::toward_zero, whole);
  const auto decimals = static_cast<std::uint8_t>(whole.coefficient());
  for (std::size_t r = 0; r < schema_->records.size(); ++r) {
    table& t = p.mutable_table(static_cast<int>(r));
    const record_def& def = schema_->records[r];
    for (std::uint32_t row = 0; row < t.size(); ++row) {
      for (std::size_t f = 0; f < def.fields.size(); ++f) {
        cell& c = t.at(row, static_cast<std::uint32_t>(f));
        if (def.fields[f].reported && c.kind == cell_kind::number) c.decimals = decimals;
      }
      for (std::uint32_t s = t.first_amount_slot(); s < t.slots(); ++s) {
        cell& c = t.at(row, s);
        if (c.kind == cell_kind::number) c.decimals = decimals;
      }
    }
  }
}

load_result json_loader::fail_with_fallback(std::string_view json) {
  load_result result;
  if (auto err = json_fallback::find_syntax_error(json, max_depth_)) {
    dsl::diagnostic d;
    d.code = std::string(err->code);
    d.message = std::move(err->message);
    d.source = source_;
    const auto at = err->offset + static_cast<std::uint32_t>(bom_);
    d.where = {at, at < source_->text().size() ? at + 1 : at};
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  // simdjson and nlohmann disagree (should not happen): report simdjson's reason.
  dsl::diagnostic d;
  d.code = std::string(input_error::invalid_json);
  d.message = std::string("invalid JSON: ") + simdjson::error_message(syntax_code_);
  d.source = source_;
  const std::uint32_t at = syntax_at_ != nullptr ? offset_of(syntax_at_) : 0;
  d.where = {at, at};
  result.diagnostics.push_back(std::move(d));
  return result;
}

load_result json_loader::run() {
  const std::string& text = source_->text();
  const std::string_view json = std::string_view(text).substr(bom_);

  // simdjson needs SIMDJSON_PADDING readable bytes after the text; a source read by
  // load_proposal_file has them already, anything else is copied once.
  simdjson::padded_string copy;
  simdjson::padded_string_view view;
  if (text.capacity() >= text.size() + simdjson::SIMDJSON_PADDING) {
    view = simdjson::padded_string_view(json.data(), json.size(), json.size() + (text.capacity() - text.size()));
  } else {
    copy = simdjson::padded_string(json);
    view = simdjson::padded_string_view(copy.data(), copy.size(), copy.size() + simdjson::SIMDJSON_PADDING);
  }
  buffer_ = view.data();

  od::parser parser;
  od::document doc;
  if (auto e = parser.iterate(view).get(doc)) {
    syntax(e);
    return fail_with_fallback(json);
  }
  std::string_view root_token;
  if (auto e = doc.raw_json_token().get(root_token)) {
    syntax(e);
    return fail_with_fallback(json);
  }
  root_token = trim_right(root_token);
  if (root_token.empty() || root_token.front() != '{') {
    // Not an object: a syntax error if it is not JSON at all, else a type error.
    if (json_fallback::find_syntax_error(json, max_depth_)) return fail_with_fallback(json);
    const std::uint32_t at = offset_of(root_token.data());
    error(input_error::wrong_type, at, at + 1, "(root): expected an object, got " + describe(root_token, kind_of(root_token)));
    load_result r;
    r.diagnostics = std::move(diagnostics_);
    return r;
  }

  const std::uint32_t root_offset = offset_of(root_token.data());
  // The "format" value decides which records and fields the walk expects. A missing or unknown
  // one keeps the default schema, whose own check of "format" then reports it.
  {
    std::string_view format;
    const auto e = doc.find_field_unordered("format").get_string().get(format);
    if (e == simdjson::SUCCESS) {
      if (const schema* s = find_schema(format); s != nullptr && s != schema_) use_schema(*s);
    } else if (e != simdjson::NO_SUCH_FIELD && e != simdjson::INCORRECT_TYPE) {
      // Malformed JSON on the way: the document is not usable any more; report the syntax error.
      syntax(e);
      return fail_with_fallback(json);
    }
    doc.rewind();
  }
  bool go_on = true;
  {
    od::object root;
    if (auto e = doc.get_object().get(root)) {
      syntax(e);
      return fail_with_fallback(json);
    }
    go_on = prepass(root);
  }
  if (syntax_) return fail_with_fallback(json);
  if (dimensions_ok_ && have_years_ && have_columns_) {
    for (std::int32_t y : years_) year_keys_.push_back(std::to_string(y));
    column_stamp_.assign(columns_.size(), 0);
    for (const column_info& c : columns_) column_ids_.push_back(c.id);
    year_stamp_.assign(years_.size(), 0);
    proposal_->set_dimensions(columns_, years_);
  } else {
    dimensions_ok_ = false;
  }
  // Rows: a generous guess from the size (an item takes about 100 bytes) saves regrowing; pages
  // that are reserved but not used cost address space only.
  proposal_->mutable_table(schema_->record_index(schema_->collections.front().record))
      .reserve(static_cast<std::uint32_t>(
          std::min<std::size_t>({json.size() / 64, limits_.max_records, std::size_t{1} << 22})));
  proposal_->mutable_strings().reserve(json.size() / 4);

  if (go_on) {
    doc.rewind();
    od::object root;
    if (auto e = doc.get_object().get(root)) {
      syntax(e);
      return fail_with_fallback(json);
    }
    go_on = read_root(root, root_offset);
    if (syntax_) return fail_with_fallback(json);
    if (go_on) {
      // Anything after the root object is not JSON.
      const char* trailing = nullptr;
      if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
        syntax(simdjson::TRAILING_CONTENT, trailing);
        return fail_with_fallback(json);
      }
    }
  }
  if (!stopped_ && check_unique()) finish();
  // A document with input errors may also be malformed where the walk stopped looking or where
  // simdjson is lenient: then only the syntax error is reported, as for any malformed document.
  if (!diagnostics_.empty() && json_fallback::find_syntax_error(json, max_depth_)) return fail_with_fallback(json);

  load_result result;
  result.diagnostics = std::move(diagnostics_);
  dsl::sort_diagnostics(result.diagnostics);
  if (!dsl::has_errors(result.diagnostics)) result.value = std::move(proposal_);
  return result;
}

}  // namespace

load_result load_proposal_json(dsl::source_ptr source, const load_limits& limits) {
  load_result result;
  if (!source) return result;
  const std::string& text = source->text();
  if (text.size() > limits.max_bytes || text.size() > std::numeric_limits<std::uint32_t>::max() - 64) {
    dsl::diagnostic d;
    d.code = std::string(input_error::too_large);
    // No location: showing line 1 of a file this large helps nobody.
    d.message = "proposal " + source->path() + " is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                std::to_string(limits.max_bytes) + " bytes";
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  const std::size_t bom = text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
                                  static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF
                              ? 3
                              : 0;
  json_loader loader(std::move(source), limits, bom);
  return loader.run();
}

load_result load_proposal_file(const std::filesystem::path& path, const load_limits& limits) {
  if (is_csv_path(path)) return load_proposal_csv_file(path, nullptr, limits);  // with its mapping, if any
  load_result result;
  auto unreadable = [&](const std::string& why) {
    dsl::diagnostic d;
    d.code = std::string(input_error::unreadable_file);
    d.message = "cannot read proposal " + path.string() + ": " + why;
    result.diagnostics.push_back(std::move(d));
    return std::move(result);
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return unreadable("is a directory");
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return unreadable(std::generic_category().message(errno));
  std::string text;
  std::fseek(file, 0, SEEK_END);
  const long size = std::ftell(file);
  std::fseek(file, 0, SEEK_SET);
  if (size < 0) {
    std::fclose(file);
    return unreadable("cannot determine its size");
  }
  if (static_cast<std::size_t>(size) > limits.max_bytes) {
    std::fclose(file);
    dsl::diagnostic d;
    d.code = std::string(input_error::too_large);
    d.message = "proposal " + path.string() + " is " + std::to_string(size) + " bytes, more than the limit of " +
                std::to_string(limits.max_bytes) + " bytes";
    result.diagnostics.push_back(std::move(d));
    return result;
  }
  // Room for simdjson's padding, so that the text is parsed in place.
  text.reserve(static_cast<std::size_t>(size) + simdjson::SIMDJSON_PADDING);
  text.resize(static_cast<std::size_t>(size));
  const std::size_t got = size == 0 ? 0 : std::fread(text.data(), 1, text.size(), file);
  const bool read_error = std::ferror(file) != 0;
  std::fclose(file);
  if (read_error || got != text.size()) return unreadable("read error");
  return load_proposal_json(std::make_shared<const dsl::source_file>(path.string(), std::move(text)), limits);
}

}  // namespace fundcheck::engine
