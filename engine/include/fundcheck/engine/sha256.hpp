#pragma once
// SHA-256 (FIPS 180-4), for content hashes of rule sets and proposals in reports.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace fundcheck::engine {

class sha256 {
 public:
  sha256() noexcept;
  void update(std::string_view data) noexcept;
  std::array<std::uint8_t, 32> digest() noexcept;  // finishes the hash; call once
  std::string hex_digest();                         // lowercase hex of digest()

 private:
  void block(const std::uint8_t* p) noexcept;
  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::uint64_t length_ = 0;  // bytes
  std::size_t used_ = 0;
};

inline std::string sha256_hex(std::string_view data) {
  sha256 h;
  h.update(data);
  return h.hex_digest();
}

}  // namespace fundcheck::engine
