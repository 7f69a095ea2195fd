#pragma once
// Compares two proposal models value by value (not their text, not the offsets): the same
// columns, years, records in the same order and nesting, and in every slot the same kind of cell
// with the same text, number (coefficient, scale, reported decimals) or flag.

#include <string>
#include <vector>

#include "fundcheck/engine/proposal.hpp"

namespace fundcheck::test {

inline std::string describe_cell(const engine::proposal& p, const engine::cell& c) {
  switch (c.kind) {
    case engine::cell_kind::absent: return "absent";
    // append, not operator+ chains: GCC 12 reports a false -Wrestrict on those.
    case engine::cell_kind::text: return std::string("\"").append(p.text(c)).append("\"");
    case engine::cell_kind::number:
      return c.number().to_string().append(" (decimals ").append(std::to_string(c.decimals)).append(")");
    case engine::cell_kind::boolean: return c.flag() ? "true" : "false";
    case engine::cell_kind::records: {
      std::string out = "records [";
      for (std::uint32_t r : p.records(c)) out.append(" ").append(std::to_string(r));
      return out + " ]";
    }
  }
  return "?";
}

// Every difference, as "path: a vs b"; empty when the models are equal.
inline std::vector<std::string> model_differences(const engine::proposal& a, const engine::proposal& b) {
  std::vector<std::string> out;
  if (a.columns().size() != b.columns().size()) {
    out.push_back("columns: " + std::to_string(a.columns().size()) + " vs " + std::to_string(b.columns().size()));
    return out;
  }
  for (std::size_t c = 0; c < a.columns().size(); ++c) {
    if (a.columns()[c].id != b.columns()[c].id || a.columns()[c].label != b.columns()[c].label) {
      out.push_back("columns[" + std::to_string(c) + "]: " + a.columns()[c].id + "/" + a.columns()[c].label + " vs " +
                    b.columns()[c].id + "/" + b.columns()[c].label);
    }
  }
  if (std::vector<std::int32_t>(a.years().begin(), a.years().end()) !=
      std::vector<std::int32_t>(b.years().begin(), b.years().end())) {
    out.push_back("years differ");
    return out;
  }
  for (std::size_t c = 0; c < a.schema_def().collections.size(); ++c) {
    const auto ca = a.collection(static_cast<int>(c));
    const auto cb = b.collection(static_cast<int>(c));
    if (!std::equal(ca.begin(), ca.end(), cb.begin(), cb.end())) {
      out.push_back(std::string(a.schema_def().collections[c].name) + ": different rows");
    }
  }
  for (std::size_t r = 0; r < a.tables().size(); ++r) {
    const int record = static_cast<int>(r);
    const engine::table& ta = a.table_of(record);
    const engine::table& tb = b.table_of(record);
    if (ta.size() != tb.size()) {
      out.push_back(std::string(ta.def().name) + ": " + std::to_string(ta.size()) + " vs " + std::to_string(tb.size()) +
                    " records");
      continue;
    }
    for (std::uint32_t row = 0; row < ta.size(); ++row) {
      const auto& oa = ta.origin_of(row);
      const auto& ob = tb.origin_of(row);
      if (oa.parent != ob.parent || oa.parent_field != ob.parent_field || oa.index != ob.index) {
        out.push_back(a.dotted_path(record, row) + ": placed differently");
      }
      for (std::uint32_t slot = 0; slot < ta.slots(); ++slot) {
        const engine::cell& x = ta.at(row, slot);
        const engine::cell& y = tb.at(row, slot);
        const std::string dx = describe_cell(a, x);
        const std::string dy = describe_cell(b, y);
        const bool same_number = x.kind != engine::cell_kind::number ||
                                 (x.coefficient == y.coefficient && x.scale == y.scale && x.decimals == y.decimals);
        if (dx != dy || !same_number) {
          out.push_back(a.dotted_path(record, row, slot) + ": " + dx + " vs " + dy);
        }
      }
    }
  }
  return out;
}

}  // namespace fundcheck::test
