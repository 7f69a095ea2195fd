// Source texts: line table and offset -> (line, column) mapping.
#include "fundcheck/dsl/source.hpp"

#include <algorithm>
#include <cstring>

#include "utf8.hpp"

namespace fundcheck::dsl {

source_file::source_file(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {}

const std::vector<std::uint32_t>& source_file::lines() const noexcept {
  std::call_once(lines_once_, [this] {
    // Lines end at '\n'; a '\r' before it belongs to the terminator (see line_text). A text
    // that ends with '\n' has an empty last line, where an "end of file" position lands.
    line_starts_.push_back(0);
    const char* const begin = text_.data();
    const char* const end = begin + text_.size();
    for (const char* p = begin; p < end;) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
      if (nl == nullptr) break;
      p = static_cast<const char*>(nl) + 1;
      line_starts_.push_back(static_cast<std::uint32_t>(p - begin));
    }
  });
  return line_starts_;
}

position source_file::locate(std::uint32_t offset) const noexcept {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  const auto& starts = lines();
  const auto it = std::upper_bound(starts.begin(), starts.end(), offset);
  const auto line_index = static_cast<std::size_t>(it - starts.begin()) - 1;
  const std::uint32_t start = starts[line_index];
  const std::string_view before(text_.data() + start, offset - start);
  return {static_cast<std::uint32_t>(line_index + 1), count_code_points(before) + 1};
}

std::string_view source_file::line_text(std::uint32_t line) const noexcept {
  const auto& starts = lines();
  if (line == 0 || line > starts.size()) return {};
  const std::size_t start = starts[line - 1];
  std::size_t end = line < starts.size() ? starts[line] - 1 : text_.size();
  if (end > start && text_[end - 1] == '\r') --end;
  return std::string_view(text_).substr(start, end - start);
}

std::uint32_t count_code_points(std::string_view text) noexcept {
  std::uint32_t count = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t n = utf8::sequence_length(text, pos);
    pos += n == 0 ? 1 : n;
    ++count;
  }
  return count;
}

}  // namespace fundcheck::dsl
