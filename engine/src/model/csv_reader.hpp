#pragma once
// The CSV tokenizer of the importer: splits a decoded (UTF-8) table into records of fields,
// keeping each field's byte range so that every cell can be located. Spreadsheet dialect: one
// separator (';', ',' or tab, detected from the header line outside quotes, or named by a first
// line "sep=;"), fields quoted with '"' and '""' inside, quoted separators and line breaks, lines
// ending in "\n" or "\r\n".

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fundcheck::engine::csv_reader {

struct field {
  std::string text;          // unquoted and unescaped; "\r\n" inside quotes becomes "\n"
  std::uint32_t begin = 0;   // byte offset of the field's first character (its opening quote)
  std::uint32_t end = 0;     // just after its last character (its closing quote)
  bool quoted = false;
};

struct record {
  std::vector<field> fields;
  std::uint32_t begin = 0;  // offset of the line start
  bool blank() const noexcept;  // every field empty
};

struct failure {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::string message;
};

struct table_text {
  char separator = ';';
  std::uint32_t separator_line_end = 0;  // after a "sep=X" line, else the start offset
  std::vector<record> records;
};

// Detects the separator from the first line that is not blank (outside quotes): the most
// frequent of ';', tab and ','. Fails when two are equally frequent, or the line has none
// (a table needs a name column and at least one amount column).
std::optional<failure> detect_separator(std::string_view text, std::size_t start, char& separator,
                                        std::size_t& data_start);

// Splits text[start..] into records. Stops at the first quoting error.
std::optional<failure> split(std::string_view text, std::size_t start, char separator, std::size_t max_records,
                             std::vector<record>& out);

}  // namespace fundcheck::engine::csv_reader
