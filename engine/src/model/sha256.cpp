// SHA-256 through OpenSSL's EVP interface.
#include "fundcheck/engine/sha256.hpp"

#include <new>

#include <openssl/evp.h>

namespace fundcheck::engine {

struct sha256::context {
  EVP_MD_CTX* md = nullptr;
};

sha256::sha256() : ctx_(std::make_unique<context>()) {
  ctx_->md = EVP_MD_CTX_new();
  if (ctx_->md == nullptr || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_->md);
    throw std::bad_alloc();
  }
}

sha256::~sha256() { EVP_MD_CTX_free(ctx_->md); }

void sha256::update(std::string_view data) noexcept {
  // EVP_DigestUpdate of an initialised SHA-256 context does not fail.
  EVP_DigestUpdate(ctx_->md, data.data(), data.size());
}

std::array<std::uint8_t, 32> sha256::digest() noexcept {
  std::array<std::uint8_t, 32> out{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx_->md, out.data(), &size);
  return out;
}

std::string sha256::hex_digest() {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (const auto b : digest()) {
    out.push_back(hex[b >> 4]);
    out.push_back(hex[b & 15]);
  }
  return out;
}

}  // namespace fundcheck::engine
