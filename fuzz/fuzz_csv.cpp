// libFuzzer target: one CSV table (without a mapping) through the importer.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "fundcheck/engine/csv_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fundcheck;
  auto csv = std::make_shared<const dsl::source_file>(
      "fuzz.csv", std::string(reinterpret_cast<const char*>(data), size));
  engine::load_limits limits;
  limits.max_records = 100'000;
  auto loaded = engine::load_proposal_csv(csv, nullptr, limits);
  (void)loaded;
  return 0;
}
