#pragma once
// Which files a check covers: the proposals named on the command line, every *.json and *.csv
// below a directory, the files a glob pattern matches, less those an --exclude pattern matches,
// in a stable order; and the I-th of N stable slices of them (--shard I/N).
// The rules are in docs/ci.md ("Choosing the files").

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "fundcheck/dsl/diagnostic.hpp"

namespace fundcheck::engine {

// True when `arg` holds a glob metacharacter: *, ? or [.
bool is_glob(std::string_view arg) noexcept;

// Matches one path component (no '/') against a pattern component: '*' any run of characters,
// '?' one character (a UTF-8 code point), "[abc]", "[a-z]" and "[!abc]" one of (not one of) a
// set; a '\' makes the next character literal.
bool glob_match_name(std::string_view pattern, std::string_view name) noexcept;

// Matches a whole '/'-separated path: components as glob_match_name, and a component "**"
// matches any number of directories, none included.
bool glob_match_path(std::string_view pattern, std::string_view path) noexcept;

// True when an --exclude pattern excludes `path`: a pattern without '/' matches any file or
// directory name in the path; a pattern with '/' matches the path, or one of its leading
// directories, from its start. "./" at the start of either is ignored.
bool excluded_by(std::string_view pattern, std::string_view path) noexcept;

// True for a proposal file found in a directory or by a pattern: *.json (but not a table's
// *.mapping.json) and *.csv, in any case.
bool is_proposal_name(std::string_view file_name) noexcept;

struct file_selection {
  std::vector<std::string> files;            // in the order below, each once
  std::vector<dsl::diagnostic> diagnostics;  // E3002: a directory or pattern that gives no proposal
  std::size_t excluded = 0;                  // files left out by --exclude
};

// Expands the command line's proposal arguments, in their order: a directory gives its proposal
// files (recursively, sorted by path), a pattern that names no existing file gives the proposal
// files it matches (sorted; a matching directory gives its files), a file is kept as given (a
// missing one is reported when it is read). A file given twice is checked once, where it first
// appears. Then every file an exclude pattern matches is left out.
file_selection select_proposal_files(const std::vector<std::string>& args, const std::vector<std::string>& excludes);

// The I-th (1-based) of N slices: file k (0-based, in order) goes to slice k mod N + 1, so the
// slices differ in size by at most one and a file's slice depends only on the list.
std::vector<std::string> shard_slice(const std::vector<std::string>& files, std::size_t index, std::size_t count);

}  // namespace fundcheck::engine
