#pragma once
// A small pretty-printing document algebra (Wadler's "prettier printer", as Prettier implements
// it): text, line breaks that are taken only when a group does not fit, nesting, and fills.
// The formatter builds one document per file; render() lays it out for a line width.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fundcheck::dsl::format_doc {

enum class kind : std::uint8_t {
  text,
  line,          // a space, or a line break when its group is broken
  softline,      // nothing, or a line break when its group is broken
  hardline,      // always a line break; breaks every enclosing group
  fresh_line,    // a line break unless the current line is still empty; breaks enclosing groups
  line_suffix,   // text that does not count towards the width (a trailing comment)
  break_parent,  // breaks every enclosing group, prints nothing
  concat,
  nest,          // its parts, with line breaks indented `indent` more
  group,         // its parts flat if they fit on the line, else broken
  fill,          // content, separator, content, ...: a separator breaks only where needed
  choice,        // [preferred, fallback]: preferred flat if it fits on the line; else preferred
                 // broken if each of its lines fits with the groups inside it flat; else fallback
                 // broken
};

// Documents are immutable and share their parts, so a choice between two layouts of the same
// expression costs no copy.
struct node;
using doc = std::shared_ptr<const node>;

struct node {
  kind k = kind::concat;
  bool hard = false;  // contains a forced break (hardline, fresh_line, break_parent)
  int indent = 0;     // nest
  std::string text;
  std::vector<doc> parts;
};

doc make(kind k, std::string text = {}, std::vector<doc> parts = {}, int indent = 0);

inline doc text(std::string s) { return make(kind::text, std::move(s)); }
inline doc line() { return make(kind::line); }
inline doc softline() { return make(kind::softline); }
inline doc hardline() { return make(kind::hardline); }
inline doc concat(std::vector<doc> parts) { return make(kind::concat, {}, std::move(parts)); }
inline doc nest(int n, doc inner) { return make(kind::nest, {}, {std::move(inner)}, n); }
inline doc group(doc inner) { return make(kind::group, {}, {std::move(inner)}); }
inline doc fill(std::vector<doc> parts) { return make(kind::fill, {}, std::move(parts)); }
inline doc line_suffix(std::string s) { return make(kind::line_suffix, std::move(s)); }
inline doc choice(doc preferred, doc fallback) {
  return make(kind::choice, {}, {std::move(preferred), std::move(fallback)});
}

// Lays out `root` for lines of `width` code points. Trailing spaces are never printed.
std::string render(const doc& root, std::size_t width);

}  // namespace fundcheck::dsl::format_doc
