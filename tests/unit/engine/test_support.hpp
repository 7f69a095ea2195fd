#pragma once
// Helpers for engine tests: compile rule text, load proposal text, evaluate, and summarise.

#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fundcheck/dsl/parse.hpp"
#include "fundcheck/engine/compile.hpp"
#include "fundcheck/engine/evaluate.hpp"
#include "fundcheck/engine/proposal.hpp"

// Printable enums for Boost.Test messages.
namespace fundcheck::dsl {
inline std::ostream& operator<<(std::ostream& o, level l) { return o << to_string(l); }
}  // namespace fundcheck::dsl
namespace fundcheck::engine {
inline std::ostream& operator<<(std::ostream& o, finding_kind k) { return o << to_string(k); }
}  // namespace fundcheck::engine

namespace fundcheck::test {

inline engine::compile_result compile_text(const std::string& text, const std::string& path = "test.rules") {
  auto src = std::make_shared<const dsl::source_file>(path, text);
  auto parsed = dsl::parse_rules(src);
  dsl::rule_set_sources set;
  set.diagnostics = parsed.diagnostics;
  if (!parsed.ok()) {
    engine::compile_result r;
    r.diagnostics = parsed.diagnostics;
    return r;
  }
  set.files.push_back({src, std::move(parsed.file)});
  return engine::compile(set, engine::allocation_schema());
}

inline std::unique_ptr<engine::proposal> load_text(const std::string& json, const std::string& path = "p.json") {
  auto src = std::make_shared<const dsl::source_file>(path, json);
  auto r = engine::load_proposal_json(src);
  if (!r.ok()) {
    std::string all;
    for (const auto& d : r.diagnostics) all += d.message + "\n";
    throw std::runtime_error("test proposal did not load:\n" + all);
  }
  return std::move(r.value);
}

inline std::string codes(const std::vector<dsl::diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += (out.empty() ? "" : " ") + d.code;
  return out;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// "RULE:kind" for every finding, in report order.
inline std::vector<std::string> finding_keys(const std::vector<engine::finding_details>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.rule + ":" + std::string(engine::to_string(f.kind)));
  return out;
}

// A minimal allocation proposal with the given items and extra root members.
inline std::string proposal_json(const std::string& items, const std::string& extra = "",
                                 const std::string& years = "[2026]") {
  return R"({"format": "fundcheck/allocation@1", "title": "t", "decimals": 1, "years": )" + years +
         R"(, "columns": ["national", "region"], "items": [)" + items + "]" + (extra.empty() ? "" : ", " + extra) + "}";
}

}  // namespace fundcheck::test
