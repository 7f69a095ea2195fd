// Writes a proposal model as the JSON of docs/proposal-format.md. The layout follows
// examples/kraeftplan-v-2026.json: one key per line for records, columns and amounts on one line.
// Numbers are written from their exact decimals (never through double); nlohmann escapes texts.
#include "fundcheck/engine/proposal_json.hpp"

#include <nlohmann/json.hpp>

#include "model/dimensions.hpp"

namespace fundcheck::engine {
namespace {

class writer {
 public:
  explicit writer(const proposal& p) : p_(p) {}

  std::string run() {
    const table& root = p_.table_of(0);
    out_ += '{';
    first_ = true;
    if (root.size() > 0) write_fields(0, 0, 1);
    key(1, dimensions::years_key);
    out_ += '[';
    for (std::size_t i = 0; i < p_.years().size(); ++i) {
      if (i != 0) out_ += ", ";
      out_ += std::to_string(p_.years()[i]);
    }
    out_ += ']';
    key(1, dimensions::columns_key);
    out_ += '[';
    for (std::size_t i = 0; i < p_.columns().size(); ++i) {
      out_ += i == 0 ? "\n" : ",\n";
      indent(2);
      out_.append("{\"id\": ").append(text(p_.columns()[i].id)).append(", \"label\": ").append(text(p_.columns()[i].label)).append("}");
    }
    if (!p_.columns().empty()) {
      out_ += '\n';
      indent(1);
    }
    out_ += ']';
    const schema& s = p_.schema_def();
    for (std::size_t c = 0; c < s.collections.size(); ++c) {
      key(1, s.collections[c].name);
      write_records(s.record_index(s.collections[c].record), p_.collection(static_cast<int>(c)), 1);
    }
    out_ += "\n}\n";
    return std::move(out_);
  }

 private:
  static std::string text(std::string_view s) {
    return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  void indent(int level) { out_.append(static_cast<std::size_t>(level) * 2, ' '); }
  // Starts the next key of the object being written at `level`.
  void key(int level, std::string_view name) {
    out_ += first_ ? "\n" : ",\n";
    first_ = false;
    indent(level);
    out_ += text(name);
    out_ += ": ";
  }

  void write_records(int record, std::span<const std::uint32_t> rows, int level) {
    if (rows.empty()) {
      out_ += "[]";
      return;
    }
    out_ += '[';
    for (std::size_t i = 0; i < rows.size(); ++i) {
      out_ += i == 0 ? "\n" : ",\n";
      indent(level + 1);
      out_ += '{';
      first_ = true;
      write_fields(record, rows[i], level + 2);
      out_ += '\n';
      indent(level + 1);
      out_ += '}';
    }
    out_ += '\n';
    indent(level);
    out_ += ']';
    first_ = false;
  }

  void write_fields(int record, std::uint32_t row, int level) {
    const table& t = p_.table_of(record);
    const record_def& def = t.def();
    for (std::size_t f = 0; f < def.fields.size(); ++f) {
      const field_def& fd = def.fields[f];
      const cell& c = t.at(row, static_cast<std::uint32_t>(f));
      switch (fd.type) {
        case field_type::amounts:
          key(level, fd.name);
          write_amounts(t, row);
          break;
        case field_type::records:
          if (c.kind != cell_kind::records) break;
          key(level, fd.name);
          write_records(p_.schema_def().record_index(fd.record), p_.records(c), level);
          break;
        default:
          if (!c.present()) break;
          key(level, fd.name);
          write_scalar(c);
          break;
      }
    }
  }

  void write_scalar(const cell& c) {
    switch (c.kind) {
      case cell_kind::text: out_ += text(p_.text(c)); break;
      case cell_kind::number: out_ += c.number().to_string(); break;
      case cell_kind::boolean: out_ += c.flag() ? "true" : "false"; break;
      default: out_ += "null"; break;
    }
  }

  void write_amounts(const table& t, std::uint32_t row) {
    const auto years = static_cast<std::uint32_t>(p_.years().size());
    out_ += '{';
    bool first_column = true;
    for (std::uint32_t col = 0; col < p_.columns().size(); ++col) {
      bool any = false;
      for (std::uint32_t y = 0; y < years; ++y) any = any || t.at(row, t.amount_slot(col, y)).present();
      if (!any) continue;
      if (!first_column) out_ += ", ";
      first_column = false;
      out_.append(text(p_.columns()[col].id)).append(": ");
      if (years == 1) {
        write_scalar(t.at(row, t.amount_slot(col, 0)));
        continue;
      }
      out_ += '{';
      bool first_year = true;
      for (std::uint32_t y = 0; y < years; ++y) {
        const cell& c = t.at(row, t.amount_slot(col, y));
        if (!c.present()) continue;
        if (!first_year) out_ += ", ";
        first_year = false;
        out_.append("\"").append(std::to_string(p_.years()[y])).append("\": ");  // no operator+ chain: GCC 12 -Wrestrict
        write_scalar(c);
      }
      out_ += '}';
    }
    out_ += '}';
  }

  const proposal& p_;
  std::string out_;
  bool first_ = true;
};

}  // namespace

std::string proposal_to_json(const proposal& p) { return writer(p).run(); }

}  // namespace fundcheck::engine
