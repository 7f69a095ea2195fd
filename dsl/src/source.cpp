// Source texts: line table and offset -> (line, column) mapping.
#include "fundcheck/dsl/source.hpp"

#include <algorithm>

#include "utf8.hpp"

namespace fundcheck::dsl {

source_file::source_file(std::string path, std::string text)
    : path_(std::move(path)), text_(std::move(text)) {
  // Lines end at '\n'; a '\r' before it belongs to the terminator (see line_text). A text that
  // ends with '\n' has an empty last line, where an "end of file" position lands.
  line_starts_.push_back(0);
  for (std::size_t i = 0; i < text_.size(); ++i) {
    if (text_[i] == '\n') line_starts_.push_back(static_cast<std::uint32_t>(i + 1));
  }
}

position source_file::locate(std::uint32_t offset) const noexcept {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const auto line_index = static_cast<std::size_t>(it - line_starts_.begin()) - 1;
  const std::uint32_t start = line_starts_[line_index];
  const std::string_view before(text_.data() + start, offset - start);
  return {static_cast<std::uint32_t>(line_index + 1), count_code_points(before) + 1};
}

std::string_view source_file::line_text(std::uint32_t line) const noexcept {
  if (line == 0 || line > line_starts_.size()) return {};
  const std::size_t start = line_starts_[line - 1];
  std::size_t end = line < line_starts_.size() ? line_starts_[line] - 1 : text_.size();
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
