#pragma once
// SHA-256 (FIPS 180-4), for content hashes of rule sets and proposals in reports. Computed by
// OpenSSL's libcrypto, which uses the CPU's SHA extensions where there are some: hashing a 40 MB
// proposal takes milliseconds instead of most of the check.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace fundcheck::engine {

class sha256 {
 public:
  sha256();
  ~sha256();
  sha256(const sha256&) = delete;
  sha256& operator=(const sha256&) = delete;

  void update(std::string_view data) noexcept;
  std::array<std::uint8_t, 32> digest() noexcept;  // finishes the hash; call once
  std::string hex_digest();                         // lowercase hex of digest()

 private:
  struct context;
  std::unique_ptr<context> ctx_;
};

inline std::string sha256_hex(std::string_view data) {
  sha256 h;
  h.update(data);
  return h.hex_digest();
}

}  // namespace fundcheck::engine
