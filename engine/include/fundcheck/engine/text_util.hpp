#pragma once
// Small text helpers shared by the loaders and the compiler: "did you mean" suggestions and lists.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fundcheck::engine {

// Edit distance over bytes (optimal string alignment: a swap of neighbours costs one).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` if it is close enough to be a plausible typo
// (distance <= max(1, len/3)); ties go to the first candidate.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// "a, b, c"
std::string join(const std::vector<std::string>& parts, std::string_view separator = ", ");

}  // namespace fundcheck::engine
