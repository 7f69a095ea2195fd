// Layout of a format_doc document: the algorithm of Prettier's printDocToString, reduced to
// what the rule-file formatter uses.
#include "format_doc.hpp"

#include <string_view>

#include "fundcheck/dsl/source.hpp"

namespace fundcheck::dsl::format_doc {

doc make(kind k, std::string text, std::vector<doc> parts, int indent) {
  auto n = std::make_shared<node>();
  n->k = k;
  n->text = std::move(text);
  n->parts = std::move(parts);
  n->indent = indent;
  n->hard = k == kind::hardline || k == kind::fresh_line || k == kind::break_parent;
  for (const doc& part : n->parts) n->hard = n->hard || part->hard;
  return n;
}

namespace {

long width_of(std::string_view s) {
  const std::size_t newline = s.rfind('\n');
  if (newline != std::string_view::npos) s.remove_prefix(newline + 1);
  return static_cast<long>(count_code_points(s));
}

class renderer {
 public:
  explicit renderer(std::size_t width) : width_(static_cast<long>(width)) {}

  std::string run(const node& root) {
    stack_.push_back({0, false, &root, 0});
    while (!stack_.empty()) {
      const command c = stack_.back();
      stack_.pop_back();
      step(c);
    }
    trim_line_end();
    return std::move(out_);
  }

 private:
  struct command {
    int indent;
    bool flat;
    const node* d;
    std::size_t from;  // fill: the first part still to print
  };

  void step(const command& c) {
    const node& d = *c.d;
    switch (d.k) {
      case kind::text:
        out_ += d.text;
        if (d.text.find('\n') != std::string::npos) line_start_ = out_.rfind('\n') + 1;
        column_ = d.text.find('\n') != std::string::npos ? width_of(d.text) : column_ + width_of(d.text);
        break;
      case kind::line_suffix: {
        std::string_view s = d.text;
        trim_line_end();
        if (line_empty() && s.starts_with(' ')) s.remove_prefix(1);
        out_ += s;
        break;
      }
      case kind::line:
      case kind::softline:
        if (c.flat) {
          if (d.k == kind::line) {
            out_ += ' ';
            ++column_;
          }
        } else {
          newline(c.indent);
        }
        break;
      case kind::hardline:
        newline(c.indent);
        break;
      case kind::fresh_line:
        if (!line_empty()) newline(c.indent);
        break;
      case kind::break_parent:
        break;
      case kind::concat:
        for (std::size_t i = d.parts.size(); i-- > 0;) stack_.push_back({c.indent, c.flat, d.parts[i].get(), 0});
        break;
      case kind::nest:
        stack_.push_back({c.indent + d.indent, c.flat, d.parts.front().get(), 0});
        break;
      case kind::group: {
        const command inner{c.indent, true, d.parts.front().get(), 0};
        if (c.flat && !d.hard) {
          stack_.push_back(inner);
        } else if (!d.hard && fits(inner, width_ - column_, false)) {
          stack_.push_back(inner);
        } else {
          stack_.push_back({c.indent, false, d.parts.front().get(), 0});
        }
        break;
      }
      case kind::fill:
        step_fill(c);
        break;
      case kind::choice: {
        const node& preferred = *d.parts.front();
        const command flat{c.indent, true, &preferred, 0};
        if (!d.hard && (c.flat || fits(flat, width_ - column_, false))) {
          stack_.push_back(flat);
          break;
        }
        const bool lines_fit = !d.hard && fits_broken({c.indent, false, &preferred, 0});
        stack_.push_back({c.indent, false, lines_fit ? &preferred : d.parts[1].get(), 0});
        break;
      }
    }
  }

  // Prettier's fill: print a separator flat when the content after it fits on the line.
  void step_fill(const command& c) {
    const node& d = *c.d;
    const std::size_t n = d.parts.size();
    if (c.from >= n) return;
    const long rest = width_ - column_;
    const node& content = *d.parts[c.from];
    const command content_flat{c.indent, true, &content, 0};
    const command content_break{c.indent, false, &content, 0};
    long content_width = rest;
    const bool content_fits = fits_alone(content_flat, content_width, true);
    if (c.from + 1 >= n) {
      stack_.push_back(content_fits ? content_flat : content_break);
      return;
    }
    const node& separator = *d.parts[c.from + 1];
    const command separator_flat{c.indent, true, &separator, 0};
    const command separator_break{c.indent, false, &separator, 0};
    if (c.from + 2 >= n) {
      stack_.push_back(content_fits ? separator_flat : separator_break);
      stack_.push_back(content_fits ? content_flat : content_break);
      return;
    }
    const command remaining{c.indent, c.flat, c.d, c.from + 2};
    // [content, separator, next content] flat.
    const bool pair_fits = [&] {
      const node* three[3] = {&content, &separator, d.parts[c.from + 2].get()};
      long w = rest;
      for (const node* p : three) {
        if (!fits_alone({c.indent, true, p, 0}, w, true)) return false;
      }
      return true;
    }();
    stack_.push_back(remaining);
    if (pair_fits) {
      stack_.push_back(separator_flat);
      stack_.push_back(content_flat);
    } else if (content_fits) {
      stack_.push_back(separator_break);
      stack_.push_back(content_flat);
    } else {
      stack_.push_back(separator_break);
      stack_.push_back(content_break);
    }
  }

  enum class measured : std::uint8_t { more, line_ends, too_wide };

  // Whether `next` printed flat, then the commands waiting on the stack up to the next line
  // break, fit in `width` columns.
  bool fits(const command& next, long width, bool must_be_flat) const {
    std::vector<command> todo{next};
    std::size_t rest = stack_.size();
    while (width >= 0) {
      if (todo.empty()) {
        if (rest == 0) return true;
        todo.push_back(stack_[--rest]);
        continue;
      }
      const command c = todo.back();
      todo.pop_back();
      const measured m = measure(c, todo, width, must_be_flat);
      if (m != measured::more) return m == measured::line_ends && width >= 0;
    }
    return false;
  }

  // Whether `next`, broken at its own line breaks but with every group inside it flat, and then
  // the commands waiting on the stack up to their next line break, fit line by line.
  bool fits_broken(const command& next) const {
    long width = width_ - column_;
    std::vector<command> todo{next};
    std::size_t rest = stack_.size();
    bool in_rest = false;
    while (width >= 0) {
      if (todo.empty()) {
        if (rest == 0) return true;
        todo.push_back(stack_[--rest]);
        in_rest = true;
        continue;
      }
      const command c = todo.back();
      todo.pop_back();
      const node& d = *c.d;
      if (!c.flat && (d.k == kind::line || d.k == kind::softline)) {
        if (in_rest) return true;
        width = width_ - c.indent;
        continue;
      }
      if (!in_rest && (d.k == kind::group || d.k == kind::choice || d.k == kind::fill)) {
        if (d.hard) return false;
        if (d.k == kind::fill) {
          for (std::size_t i = d.parts.size(); i-- > 0;) todo.push_back({c.indent, true, d.parts[i].get(), 0});
        } else {
          todo.push_back({c.indent, true, d.parts.front().get(), 0});
        }
        continue;
      }
      const measured m = measure(c, todo, width, false);
      if (m == measured::line_ends) return width >= 0 && in_rest;
      if (m == measured::too_wide) return false;
    }
    return false;
  }

  // The same for one command alone, subtracting what it uses from `width`.
  bool fits_alone(const command& next, long& width, bool must_be_flat) const {
    std::vector<command> todo{next};
    while (width >= 0 && !todo.empty()) {
      const command c = todo.back();
      todo.pop_back();
      const measured m = measure(c, todo, width, must_be_flat);
      if (m != measured::more) return m == measured::line_ends && width >= 0;
    }
    return width >= 0;
  }

  // One step of fits(): subtracts a text's width, or expands a container into `todo`.
  measured measure(const command& c, std::vector<command>& todo, long& width, bool must_be_flat) const {
    const node& d = *c.d;
    switch (d.k) {
      case kind::text:
        width -= width_of(d.text);
        return measured::more;
      case kind::line:
      case kind::softline:
        if (!c.flat) return measured::line_ends;
        if (d.k == kind::line) --width;
        return measured::more;
      case kind::hardline:
      case kind::fresh_line:
        return measured::line_ends;
      case kind::line_suffix:
      case kind::break_parent:
        return measured::more;
      case kind::concat:
      case kind::fill:
        for (std::size_t i = d.parts.size(); i-- > c.from;) todo.push_back({c.indent, c.flat, d.parts[i].get(), 0});
        return measured::more;
      case kind::nest:
        todo.push_back({c.indent + d.indent, c.flat, d.parts.front().get(), 0});
        return measured::more;
      case kind::group:
      case kind::choice:
        if (must_be_flat && d.hard) return measured::too_wide;
        todo.push_back({c.indent, d.hard ? false : c.flat, d.parts.front().get(), 0});
        return measured::more;
    }
    return measured::more;
  }

  bool line_empty() const {
    return out_.find_first_not_of(' ', line_start_) == std::string::npos;
  }

  void trim_line_end() {
    std::size_t keep = out_.size();
    while (keep > line_start_ && out_[keep - 1] == ' ') --keep;
    out_.resize(keep);
  }

  void newline(int indent) {
    trim_line_end();
    out_ += '\n';
    line_start_ = out_.size();
    out_.append(static_cast<std::size_t>(indent), ' ');
    column_ = indent;
  }

  long width_;
  std::string out_;
  std::size_t line_start_ = 0;
  long column_ = 0;
  std::vector<command> stack_;
};

}  // namespace

std::string render(const doc& root, std::size_t width) { return renderer(width).run(*root); }

}  // namespace fundcheck::dsl::format_doc
