#pragma once
// A source text (rule file or proposal) with its path, and the mapping from byte offsets to
// 1-based lines and columns (columns count UTF-8 code points, as editors do).

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace fundcheck::dsl {

// A half-open byte range [begin, end) into one source text.
struct span {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  friend bool operator==(span, span) = default;
};

struct position {
  std::uint32_t line = 0;    // 1-based
  std::uint32_t column = 0;  // 1-based, in code points
};

// Immutable after construction; safe to share between threads.
class source_file {
 public:
  source_file(std::string path, std::string text);

  const std::string& path() const noexcept { return path_; }
  const std::string& text() const noexcept { return text_; }

  // Line and column of a byte offset; offsets past the end map to the end of the text.
  position locate(std::uint32_t offset) const noexcept;
  // The text of a 1-based line, without its line terminator.
  std::string_view line_text(std::uint32_t line) const noexcept;
  std::uint32_t line_count() const noexcept { return static_cast<std::uint32_t>(lines().size()); }

 private:
  // The line table is built on first use: a 40 MB proposal that checks clean never needs it.
  // Thread-safe, as sources are shared between concurrent checks.
  const std::vector<std::uint32_t>& lines() const noexcept;

  std::string path_;
  std::string text_;
  mutable std::once_flag lines_once_;
  mutable std::vector<std::uint32_t> line_starts_;
};

using source_ptr = std::shared_ptr<const source_file>;

// Counts UTF-8 code points in a byte range (invalid bytes count as one each).
std::uint32_t count_code_points(std::string_view text) noexcept;

}  // namespace fundcheck::dsl
