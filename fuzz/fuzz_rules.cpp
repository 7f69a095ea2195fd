// libFuzzer target: one rule file through the parser, and, when it parses, through the compiler
// (name resolution, type checking, the dependency graph). Any input must give diagnostics, never
// a crash, a sanitizer report, a leak or a hang.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fundcheck/dsl/parse.hpp"
#include "fundcheck/engine/rule_set.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fundcheck;
  auto source = std::make_shared<const dsl::source_file>(
      "fuzz.rules", std::string(reinterpret_cast<const char*>(data), size));
  auto parsed = dsl::parse_rules(source);
  if (!parsed.ok()) return 0;
  dsl::rule_set_sources sources;
  sources.files.push_back({source, std::move(parsed.file)});
  auto compiled = engine::compile_rule_set(sources);
  (void)compiled;
  return 0;
}
