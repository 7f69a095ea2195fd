// libFuzzer target: one proposal through the JSON loader (simdjson On-Demand and the fallback
// parser for messages). Any input must give a proposal or diagnostics, never a crash.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fundcheck/engine/proposal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fundcheck;
  auto source = std::make_shared<const dsl::source_file>(
      "fuzz.json", std::string(reinterpret_cast<const char*>(data), size));
  engine::load_limits limits;
  limits.max_records = 100'000;
  auto loaded = engine::load_proposal_json(source, limits);
  (void)loaded;
  return 0;
}
