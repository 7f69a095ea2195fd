#pragma once
// A hash map from text (views into the proposal or the program, which outlive it) to values, in
// one flat array with linear probing. The evaluator builds these for joins (`t.from == i.id`)
// and `in` lists over hundreds of thousands of rows; a node-based std::unordered_map spent
// most of its time allocating nodes and chasing pointers.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace fundcheck::engine {

template <class T>
class text_map {
 public:
  const T* find(std::string_view key) const noexcept {
    if (size_ == 0) return nullptr;
    const std::uint64_t h = hash(key);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      const slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.hash == h && s.key == key) return &s.value;
    }
  }

  // The value for key, inserted (value-initialised) if absent. References stay valid until the
  // next insertion.
  T& operator[](std::string_view key) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    const std::uint64_t h = hash(key);
    for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
      slot& s = slots_[i];
      if (!s.used) {
        s.used = true;
        s.hash = h;
        s.key = key;
        ++size_;
        return s.value;
      }
      if (s.hash == h && s.key == key) return s.value;
    }
  }

  std::size_t size() const noexcept { return size_; }

 private:
  struct slot {
    std::uint64_t hash = 0;
    std::string_view key;
    T value{};
    bool used = false;
  };

  static std::uint64_t hash(std::string_view key) noexcept {
    // std::hash mixes well; the slot keeps it so most mismatches cost no text comparison.
    return std::hash<std::string_view>{}(key);
  }

  void grow() {
    std::vector<slot> old = std::move(slots_);
    const std::size_t capacity = old.empty() ? 16 : old.size() * 2;
    slots_.assign(capacity, slot{});
    mask_ = capacity - 1;
    for (auto& s : old) {
      if (!s.used) continue;
      for (std::size_t i = s.hash & mask_;; i = (i + 1) & mask_) {
        if (!slots_[i].used) {
          slots_[i] = std::move(s);
          break;
        }
      }
    }
  }

  std::vector<slot> slots_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
};

}  // namespace fundcheck::engine
