// The formatter behind `fundcheck fmt`: prints a parsed rule file in the canonical layout
// (docs/language.md, "Layout"), puts every comment back where it was, and checks the result.
//
// Comments are not in the syntax tree: they are found in the source text (a `#` outside every
// string token) and printed by position. Every token the printer emits carries the byte offset
// it came from, and a comment is printed just before the first token that followed it in the
// source. Comments between declarations and between a rule's clauses are printed as their own
// lines, with the blank lines around them kept (at most one).
//
// Parentheses are not in the tree either: the printer finds the ones the author wrote around each
// expression in the source text and keeps one pair of them; precedence never needs more than
// the author wrote, since the tree came from the author's text.
#include "fundcheck/dsl/format.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "codes.hpp"
#include "format_doc.hpp"
#include "fundcheck/dsl/parse.hpp"

namespace fundcheck::dsl {

namespace {

namespace fd = format_doc;
using fd::doc;

template <typename... F>
struct overloaded : F... {
  using F::operator()...;
};
template <typename... F>
overloaded(F...) -> overloaded<F...>;

constexpr std::string_view byte_order_mark = "\xEF\xBB\xBF";

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// ----- strings and comments in the source text -----

// The byte ranges of string tokens: string literals, rule titles, formats, import paths and
// whole messages (whose holes may hold strings of their own). No comment starts inside one.
void string_spans(const ast::expression& e, std::vector<span>& out) {
  std::visit(overloaded{
                 [&](const ast::string_literal&) { out.push_back(e.where); },
                 [&](const ast::field_access& n) { string_spans(*n.object, out); },
                 [&](const ast::index_access& n) {
                   string_spans(*n.object, out);
                   string_spans(*n.index, out);
                 },
                 [&](const ast::unary& n) { string_spans(*n.operand, out); },
                 [&](const ast::binary& n) {
                   string_spans(*n.lhs, out);
                   string_spans(*n.rhs, out);
                   if (n.tolerance) string_spans(*n.tolerance, out);
                 },
                 [&](const ast::conditional& n) {
                   string_spans(*n.condition, out);
                   string_spans(*n.then_branch, out);
                   string_spans(*n.else_branch, out);
                 },
                 [&](const ast::list_literal& n) {
                   for (const auto& element : n.elements) string_spans(element, out);
                 },
                 [&](const ast::comprehension& n) {
                   string_spans(*n.element, out);
                   string_spans(*n.source, out);
                   if (n.filter) string_spans(*n.filter, out);
                 },
                 [&](const ast::call& n) {
                   for (const auto& arg : n.args) string_spans(arg, out);
                 },
                 [](const auto&) {},
             },
             e.node);
}

std::vector<span> string_spans(const ast::rule_file& file) {
  std::vector<span> out;
  for (const auto& decl : file.declarations) {
    std::visit(overloaded{
                   [&](const ast::format_decl& d) { out.push_back(d.value_span); },
                   [&](const ast::import_decl& d) { out.push_back(d.path_span); },
                   [&](const ast::columns_decl&) {},
                   [&](const ast::param_decl& d) { string_spans(d.default_value, out); },
                   [&](const ast::let_decl& d) { string_spans(d.value, out); },
                   [&](const ast::rule_decl& d) {
                     out.push_back(d.title_span);
                     for (const auto& loop : d.loops) {
                       string_spans(loop.source, out);
                       if (loop.filter) string_spans(*loop.filter, out);
                     }
                     if (d.when) string_spans(*d.when, out);
                     string_spans(d.expect, out);
                     if (d.message) out.push_back(d.message->where);
                   },
               },
               decl);
  }
  std::sort(out.begin(), out.end(), [](span a, span b) { return a.begin < b.begin; });
  return out;
}

struct comment {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;  // end of the text: trailing whitespace is not part of it
  bool own_line = false;  // nothing but whitespace before it on its line
  std::string_view text;
};

std::vector<comment> find_comments(std::string_view text, const ast::rule_file& file) {
  const std::vector<span> strings = string_spans(file);
  const std::size_t start = text.starts_with(byte_order_mark) ? byte_order_mark.size() : 0;
  std::vector<comment> out;
  std::size_t next_string = 0;
  for (std::size_t i = start; i < text.size();) {
    while (next_string < strings.size() && strings[next_string].end <= i) ++next_string;
    if (next_string < strings.size() && strings[next_string].begin <= i) {
      i = strings[next_string].end;
      continue;
    }
    if (text[i] != '#') {
      ++i;
      continue;
    }
    std::size_t line_end = text.find('\n', i);
    if (line_end == std::string_view::npos) line_end = text.size();
    std::size_t end = line_end;
    while (end > i && is_space(text[end - 1])) --end;
    std::size_t line_begin = i;
    while (line_begin > start && text[line_begin - 1] != '\n') --line_begin;
    const bool own_line = std::all_of(text.begin() + static_cast<std::ptrdiff_t>(line_begin),
                                      text.begin() + static_cast<std::ptrdiff_t>(i), is_space);
    out.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(end), own_line,
                   text.substr(i, end - i)});
    i = line_end;
  }
  return out;
}

// ----- the printer -----

// A comment printed after the code on its line. (Built by appending: GCC 12 warns falsely with
// -Wrestrict on " " + string.)
doc trailing(std::string_view text) {
  std::string s(" ");
  s += text;
  return fd::line_suffix(std::move(s));
}

int precedence(const ast::expression& e) {
  using op = ast::binary_op;
  return std::visit(overloaded{
                        [](const ast::conditional&) { return 0; },
                        [](const ast::binary& b) {
                          switch (b.op) {
                            case op::implies: return 1;
                            case op::logical_or: return 2;
                            case op::logical_and: return 3;
                            case op::add:
                            case op::subtract: return 6;
                            case op::multiply:
                            case op::divide: return 7;
                            default: return 5;  // comparisons and membership
                          }
                        },
                        [](const ast::unary& u) { return u.op == ast::unary_op::logical_not ? 4 : 8; },
                        [](const ast::field_access&) { return 9; },
                        [](const ast::index_access&) { return 9; },
                        [](const auto&) { return 10; },
                    },
                    e.node);
}

constexpr int comparison_level = 5;

std::string_view operator_text(ast::binary_op o) {
  using op = ast::binary_op;
  switch (o) {
    case op::add: return "+";
    case op::subtract: return "-";
    case op::multiply: return "*";
    case op::divide: return "/";
    case op::equal: return "==";
    case op::not_equal: return "!=";
    case op::less: return "<";
    case op::less_equal: return "<=";
    case op::greater: return ">";
    case op::greater_equal: return ">=";
    case op::approx_equal: return "~=";
    case op::in: return "in";
    case op::not_in: return "not in";
    case op::logical_and: return "and";
    case op::logical_or: return "or";
    case op::implies: return "implies";
  }
  return "?";
}

std::string_view severity_text(ast::severity s) {
  switch (s) {
    case ast::severity::error: return "error";
    case ast::severity::warning: return "warning";
    case ast::severity::note: return "note";
  }
  return "error";
}

span declaration_span(const ast::declaration& decl) {
  return std::visit([](const auto& d) { return d.where; }, decl);
}

class printer {
 public:
  printer(std::string_view text, std::vector<comment> comments)
      : text_(text), comments_(std::move(comments)), trivia_(text.size(), 0) {
    for (std::size_t i = 0; i < text.size(); ++i) trivia_[i] = is_space(text[i]) ? 1 : 0;
    for (const comment& c : comments_) {
      std::size_t end = text.find('\n', c.begin);
      if (end == std::string_view::npos) end = text.size();
      std::fill(trivia_.begin() + c.begin, trivia_.begin() + static_cast<std::ptrdiff_t>(end), 1);
    }
  }

  doc file(const ast::rule_file& f) {
    std::vector<doc> out;
    enum class item : std::uint8_t { none, comment, declaration, rule };
    item previous = item::none;
    std::uint32_t previous_end = 0;
    const auto comments_until = [&](std::uint32_t until) {
      while (next_comment_ < comments_.size() && comments_[next_comment_].begin < until) {
        const comment& c = comments_[next_comment_++];
        if (previous != item::none && !c.own_line) {
          out.push_back(trailing(c.text));
        } else {
          if (previous != item::none) {
            out.push_back(fd::hardline());
            if (previous == item::rule || blank_line_between(previous_end, c.begin))
              out.push_back(fd::hardline());
          }
          out.push_back(fd::text(std::string(c.text)));
          previous = item::comment;
        }
        previous_end = c.end;
      }
    };
    for (const ast::declaration& decl : f.declarations) {
      const span where = declaration_span(decl);
      const bool is_rule = std::holds_alternative<ast::rule_decl>(decl);
      comments_until(where.begin);
      if (previous != item::none) {
        out.push_back(fd::hardline());
        const bool blank = previous == item::comment
                               ? blank_line_between(previous_end, where.begin)
                               : previous == item::rule || is_rule ||
                                     blank_line_between(previous_end, where.begin);
        if (blank) out.push_back(fd::hardline());
      }
      out.push_back(declaration(decl));
      previous = is_rule ? item::rule : item::declaration;
      previous_end = where.end;
    }
    comments_until(static_cast<std::uint32_t>(text_.size()));
    if (previous != item::none) out.push_back(fd::hardline());
    return fd::concat(std::move(out));
  }

  bool all_comments_printed() const { return next_comment_ == comments_.size(); }

 private:
  // ----- source positions -----

  std::string slice(span s) const { return std::string(text_.substr(s.begin, s.end - s.begin)); }

  // The first byte at or after `from` that is not whitespace or comment.
  std::uint32_t next_token(std::uint32_t from) const {
    while (from < text_.size() && trivia_[from] != 0) ++from;
    return from;
  }

  // Whether there are at least two line breaks between two offsets (a blank line).
  bool blank_line_between(std::uint32_t from, std::uint32_t to) const {
    if (to <= from) return false;
    return std::count(text_.begin() + from, text_.begin() + to, '\n') >= 2;
  }

  bool comment_within(span s) const {
    const auto it = std::lower_bound(comments_.begin(), comments_.end(), s.begin,
                                     [](const comment& c, std::uint32_t at) { return c.begin < at; });
    return it != comments_.end() && it->begin < s.end;
  }

  struct paren_pair {
    std::uint32_t open;
    std::uint32_t close;
  };

  // The parentheses around `e` in the source, innermost first, less the `owned` outermost
  // pairs that belong to the enclosing construct (a call's parentheses around its argument).
  std::vector<paren_pair> parentheses(const ast::expression& e, int owned = 0) const {
    std::vector<paren_pair> pairs;
    std::uint32_t begin = e.where.begin;
    std::uint32_t end = e.where.end;
    for (;;) {
      std::uint32_t before = begin;
      while (before > 0 && trivia_[before - 1] != 0) --before;
      const std::uint32_t after = next_token(end);
      if (before == 0 || after >= text_.size() || text_[before - 1] != '(' || text_[after] != ')') break;
      pairs.push_back({before - 1, after});
      begin = before - 1;
      end = after + 1;
    }
    for (int i = 0; i < owned && !pairs.empty(); ++i) pairs.pop_back();
    return pairs;
  }

  // The source range of `e` with its parentheses.
  span extent(const ast::expression& e, int owned = 0) const {
    const auto pairs = parentheses(e, owned);
    return pairs.empty() ? e.where : span{pairs.back().open, pairs.back().close + 1};
  }

  // ----- tokens, breaks and comments -----

  // Prints the comments that come before source offset `before`. When a line break follows
  // (line_follows), it ends the comment's line; otherwise the comment ends with its own.
  void flush_comments(std::vector<doc>& out, std::uint32_t before, bool line_follows) {
    while (next_comment_ < comments_.size() && comments_[next_comment_].begin < before) {
      const comment& c = comments_[next_comment_++];
      if (c.own_line) {
        out.push_back(fd::make(fd::kind::fresh_line));
        out.push_back(fd::text(std::string(c.text)));
      } else {
        out.push_back(trailing(c.text));
      }
      out.push_back(line_follows ? fd::make(fd::kind::break_parent) : fd::hardline());
    }
  }

  doc tok(std::string_view s, std::uint32_t at) {
    std::vector<doc> parts;
    flush_comments(parts, at, false);
    if (parts.empty()) return fd::text(std::string(s));
    parts.push_back(fd::text(std::string(s)));
    return fd::concat(std::move(parts));
  }

  // A line break opportunity (fd::kind::line or softline) before the token at `next`.
  doc brk(fd::kind k, std::uint32_t next) {
    std::vector<doc> parts;
    flush_comments(parts, next, true);
    parts.push_back(fd::make(k));
    return parts.size() == 1 ? std::move(parts.front()) : fd::concat(std::move(parts));
  }

  doc source_token(span s) { return tok(slice(s), s.begin); }

  // ----- declarations -----

  doc declaration(const ast::declaration& decl) {
    return std::visit(overloaded{
                          [&](const ast::format_decl& d) {
                            return fd::concat({tok("format", d.where.begin), fd::text(" "),
                                               source_token(d.value_span)});
                          },
                          [&](const ast::import_decl& d) {
                            return fd::concat({tok("import", d.where.begin), fd::text(" "),
                                               source_token(d.path_span)});
                          },
                          [&](const ast::columns_decl& d) { return columns(d); },
                          [&](const ast::param_decl& d) {
                            return definition("param", d.where, d.name, d.default_value);
                          },
                          [&](const ast::let_decl& d) { return definition("let", d.where, d.name, d.value); },
                          [&](const ast::rule_decl& d) { return rule(d); },
                      },
                      decl);
  }

  doc columns(const ast::columns_decl& d) {
    std::vector<doc> parts{tok("columns", d.where.begin), fd::text(" ")};
    std::vector<doc> names;
    const bool plain = !comment_within(d.where);
    for (std::size_t i = 0; i < d.names.size(); ++i) {
      const span name = d.names[i].where;
      if (i + 1 < d.names.size()) {
        const std::uint32_t comma = next_token(name.end);
        names.push_back(fd::concat({source_token(name), tok(",", comma)}));
        names.push_back(brk(fd::kind::line, next_token(comma + 1)));
      } else {
        names.push_back(source_token(name));
      }
    }
    parts.push_back(fd::nest(2, plain ? fd::fill(std::move(names)) : fd::group(fd::concat(std::move(names)))));
    return fd::concat(std::move(parts));
  }

  doc definition(std::string_view keyword, span where, const ast::identifier& name,
                 const ast::expression& value) {
    const std::uint32_t equals = next_token(name.where.end);
    const std::uint32_t value_at = next_token(equals + 1);
    std::vector<doc> parts{tok(keyword, where.begin), fd::text(" "), source_token(name.where),
                           fd::text(" "), tok("=", equals)};
    if (comment_within({equals, value_at})) {
      doc rhs = fd::concat({brk(fd::kind::line, value_at), operand(value, 0)});
      parts.push_back(fd::group(fd::nest(2, std::move(rhs))));
      return fd::concat(std::move(parts));
    }
    // On one line if it fits; else the value on the next line if it fits there; else the value
    // after the '=', broken inside its brackets or before its operators.
    doc rhs = operand(value, 0);
    doc next_line = fd::nest(2, fd::concat({fd::line(), rhs}));
    doc same_line = fd::concat({fd::text(" "), std::move(rhs)});
    parts.push_back(fd::choice(std::move(next_line), std::move(same_line)));
    return fd::concat(std::move(parts));
  }

  doc rule(const ast::rule_decl& d) {
    const std::uint32_t open_brace = next_token(d.title_span.end);
    const std::uint32_t close_brace = d.where.end - 1;
    std::vector<doc> parts{tok("rule", d.where.begin), fd::text(" "), source_token(d.id.where),
                           fd::text(" "),
                           tok(severity_text(d.level), d.level_span.begin),
                           fd::text(" "),
                           source_token(d.title_span),
                           fd::text(" "),
                           tok("{", open_brace)};

    // The body: clauses and the comments between them, one per line.
    std::vector<doc> body;
    bool after_brace = true;
    std::uint32_t previous_end = open_brace + 1;
    const auto comments_until = [&](std::uint32_t until) {
      while (next_comment_ < comments_.size() && comments_[next_comment_].begin < until) {
        const comment& c = comments_[next_comment_++];
        if (!c.own_line) {
          body.push_back(trailing(c.text));
        } else {
          body.push_back(fd::hardline());
          if (!after_brace && blank_line_between(previous_end, c.begin)) body.push_back(fd::hardline());
          body.push_back(fd::text(std::string(c.text)));
          after_brace = false;
        }
        previous_end = c.end;
      }
    };
    const auto clause = [&](std::uint32_t begin, std::uint32_t end, auto&& print) {
      comments_until(begin);
      body.push_back(fd::hardline());
      if (!after_brace && blank_line_between(previous_end, begin)) body.push_back(fd::hardline());
      body.push_back(print());
      after_brace = false;
      previous_end = end;
    };

    for (const ast::for_clause& loop : d.loops) {
      clause(loop.where.begin, loop.where.end, [&] { return for_clause(loop); });
    }
    if (d.when) {
      const std::uint32_t keyword = next_token(previous_end);
      clause(keyword, extent(*d.when).end, [&] { return keyword_clause("when", keyword, *d.when); });
    }
    {
      const std::uint32_t keyword = next_token(previous_end);
      clause(keyword, extent(d.expect).end, [&] { return keyword_clause("expect", keyword, d.expect); });
    }
    if (d.message) {
      const std::uint32_t keyword = next_token(previous_end);
      clause(keyword, d.message->where.end, [&] {
        // As written; only a hole spread over several lines gets its line ends as '\n' (the
        // text of a message cannot hold a line break, so this changes nothing but layout).
        std::string message = slice(d.message->where);
        for (std::size_t at = message.find("\r\n"); at != std::string::npos; at = message.find("\r\n", at))
          message.erase(at, 1);
        return fd::concat({tok("message", keyword), fd::text(" "), tok(message, d.message->where.begin)});
      });
    }
    comments_until(close_brace);

    parts.push_back(fd::nest(2, fd::concat(std::move(body))));
    parts.push_back(fd::hardline());
    parts.push_back(tok("}", close_brace));
    return fd::concat(std::move(parts));
  }

  // `when EXPR`, `expect EXPR`. A comment between the keyword and the expression puts the
  // expression on the next lines, indented.
  doc keyword_clause(std::string_view keyword, std::uint32_t at, const ast::expression& e) {
    doc head = tok(keyword, at);
    if (comment_within({at, extent(e).begin})) {
      return fd::concat({std::move(head), fd::nest(2, fd::concat({fd::text(" "), operand(e, 0)}))});
    }
    return fd::concat({std::move(head), fd::text(" "), operand(e, 0)});
  }

  doc for_clause(const ast::for_clause& loop) {
    const std::uint32_t in = next_token(loop.var.where.end);
    std::vector<doc> parts{tok("for", loop.where.begin), fd::text(" "), source_token(loop.var.where),
                           fd::text(" "), tok("in", in), fd::text(" "), operand(loop.source, 0)};
    if (loop.filter) {
      const std::uint32_t where = next_token(extent(loop.source).end);
      parts.push_back(fd::nest(2, fd::concat({brk(fd::kind::line, where), tok("where", where),
                                              fd::text(" "), operand(*loop.filter, 0)})));
    }
    return fd::group(fd::concat(std::move(parts)));
  }

  // ----- expressions -----

  // `e` where the grammar accepts an expression of precedence `min_precedence` or higher: in
  // parentheses when it has a lower one or when the author wrote them.
  doc operand(const ast::expression& e, int min_precedence, int owned = 0) {
    // Comments before the expression go before its group, so they do not break it.
    std::vector<doc> leading;
    flush_comments(leading, extent(e, owned).begin, false);
    if (leading.empty()) return unparenthesized_operand(e, min_precedence, owned);
    leading.push_back(unparenthesized_operand(e, min_precedence, owned));
    return fd::concat(std::move(leading));
  }

  doc unparenthesized_operand(const ast::expression& e, int min_precedence, int owned) {
    const auto pairs = parentheses(e, owned);
    if (pairs.empty() && precedence(e) >= min_precedence) return bare(e, true);
    // One pair, however many the author wrote: the outermost.
    const std::uint32_t open = pairs.empty() ? e.where.begin : pairs.back().open;
    const std::uint32_t close = pairs.empty() ? e.where.end : pairs.back().close;
    std::vector<doc> parts{tok("(", open)};
    doc inner = fd::concat({brk(fd::kind::softline, e.where.begin), bare(e, false)});
    parts.push_back(fd::nest(2, std::move(inner)));
    parts.push_back(brk(fd::kind::softline, close));
    parts.push_back(tok(")", close));
    return fd::group(fd::concat(std::move(parts)));
  }

  // `e` without parentheses of its own. `hang`: continuation lines are indented (not when `e`
  // is alone in parentheses, whose own lines set it apart).
  doc bare(const ast::expression& e, bool hang) {
    return std::visit(
        overloaded{
            [&](const ast::field_access& n) {
              return fd::concat({operand(*n.object, 9), tok(".", next_token(extent(*n.object).end)),
                                 source_token(n.field_span)});
            },
            [&](const ast::index_access& n) {
              return fd::concat({operand(*n.object, 9), tok("[", next_token(extent(*n.object).end)),
                                 fd::nest(2, operand(*n.index, 0)), tok("]", e.where.end - 1)});
            },
            [&](const ast::unary& n) {
              if (n.op == ast::unary_op::negate)
                return fd::concat({tok("-", e.where.begin), operand(*n.operand, 8)});
              return fd::concat({tok("not", e.where.begin), fd::text(" "), operand(*n.operand, 4)});
            },
            [&](const ast::binary&) { return chain(e, hang); },
            [&](const ast::conditional&) { return conditional(e, hang); },
            [&](const ast::list_literal& n) { return list(e, n); },
            [&](const ast::comprehension& n) {
              return bracketed("[", e.where.begin, [&] { return comprehension(n); }, "]", e.where.end - 1);
            },
            [&](const ast::call& n) { return call(e, n); },
            [&](const auto&) { return source_token(e.where); },  // literals and names, as written
        },
        e.node);
  }

  // open inner close, the inner part on lines of its own when it does not fit. `inner` prints
  // it: called after the opening bracket, as tokens are printed in source order.
  template <typename Inner>
  doc bracketed(std::string_view open, std::uint32_t open_at, Inner&& inner, std::string_view close,
                std::uint32_t close_at) {
    std::vector<doc> parts{tok(open, open_at)};
    doc first_break = brk(fd::kind::softline, next_token(open_at + 1));
    parts.push_back(fd::nest(2, fd::concat({std::move(first_break), inner()})));
    parts.push_back(brk(fd::kind::softline, close_at));
    parts.push_back(tok(close, close_at));
    return fd::group(fd::concat(std::move(parts)));
  }

  // Elements separated by ", ", each break after a comma.
  doc elements(const std::vector<ast::expression>& items, int owned, bool packed) {
    std::vector<doc> parts;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (i + 1 < items.size()) {
        const std::uint32_t comma = next_token(extent(items[i], owned).end);
        parts.push_back(fd::concat({operand(items[i], 0, owned), tok(",", comma)}));
        parts.push_back(brk(fd::kind::line, next_token(comma + 1)));
      } else {
        parts.push_back(operand(items[i], 0, owned));
      }
    }
    return packed ? fd::fill(std::move(parts)) : fd::concat(std::move(parts));
  }

  doc list(const ast::expression& e, const ast::list_literal& n) {
    // A list of numbers is packed, as many to a line as fit; other lists put each element on a
    // line of its own when they do not fit on one.
    const bool numbers = !n.elements.empty() && !comment_within(e.where) &&
                         std::all_of(n.elements.begin(), n.elements.end(), [&](const ast::expression& x) {
                           return std::holds_alternative<ast::number_literal>(x.node) ||
                                  (std::holds_alternative<ast::unary>(x.node) &&
                                   std::holds_alternative<ast::number_literal>(
                                       std::get<ast::unary>(x.node).operand->node));
                         });
    if (n.elements.empty()) {
      return fd::concat({tok("[", e.where.begin), tok("]", e.where.end - 1)});
    }
    return bracketed("[", e.where.begin, [&] { return elements(n.elements, 0, numbers); }, "]", e.where.end - 1);
  }

  doc call(const ast::expression& e, const ast::call& n) {
    const std::uint32_t open = next_token(n.name_span.end);
    const std::uint32_t close = e.where.end - 1;
    doc name = source_token(n.name_span);
    if (n.args.empty()) return fd::concat({std::move(name), tok("(", open), tok(")", close)});
    const auto* only = n.args.size() == 1 ? std::get_if<ast::comprehension>(&n.args.front().node) : nullptr;
    // `sum(x for x in l)` (a comprehension in the call's parentheses) or `sum([x for x in l])`.
    const bool bare_comprehension = only != nullptr && extent(*only->element).begin == n.args.front().where.begin;
    doc arguments = bracketed("(", open, [&] {
      return bare_comprehension ? comprehension(*only) : elements(n.args, n.args.size() == 1 ? 1 : 0, false);
    }, ")", close);
    return fd::concat({std::move(name), std::move(arguments)});
  }

  doc comprehension(const ast::comprehension& n) {
    const std::uint32_t for_at = next_token(extent(*n.element).end);
    const std::uint32_t in_at = next_token(n.var_span.end);
    std::vector<doc> parts{operand(*n.element, 0),
                           brk(fd::kind::line, for_at),
                           tok("for", for_at),
                           fd::text(" "),
                           source_token(n.var_span),
                           fd::text(" "),
                           tok("in", in_at),
                           fd::text(" "),
                           operand(*n.source, 0)};
    if (n.filter) {
      const std::uint32_t where = next_token(extent(*n.source).end);
      parts.push_back(brk(fd::kind::line, where));
      parts.push_back(tok("where", where));
      parts.push_back(fd::text(" "));
      parts.push_back(operand(*n.filter, 0));
    }
    return fd::group(fd::concat(std::move(parts)));
  }

  // An operator chain at one precedence level (`a and b and c`), broken before every operator
  // when it does not fit on one line; a comparison (with its `within`) likewise.
  doc chain(const ast::expression& e, bool hang) {
    const auto& top = std::get<ast::binary>(e.node);
    const int level = precedence(e);
    struct link {
      const ast::binary* op;
      const ast::expression* operand;
      int min_precedence;
    };
    const ast::expression* first = nullptr;
    int first_min = level;
    std::vector<link> links;
    if (level == comparison_level) {
      first = top.lhs.get();
      first_min = comparison_level + 1;
      links.push_back({&top, top.rhs.get(), comparison_level + 1});
    } else if (top.op == ast::binary_op::implies) {
      // Right-associative: a implies (b implies c) prints as a implies b implies c.
      first = top.lhs.get();
      first_min = level + 1;
      const ast::expression* node = &e;
      for (;;) {
        const auto& b = std::get<ast::binary>(node->node);
        const ast::expression* rhs = b.rhs.get();
        const auto* next = std::get_if<ast::binary>(&rhs->node);
        if (next != nullptr && next->op == ast::binary_op::implies && parentheses(*rhs).empty()) {
          links.push_back({&b, next->lhs.get(), level + 1});
          node = rhs;
        } else {
          links.push_back({&b, rhs, level});
          break;
        }
      }
    } else {
      // Left-associative: ((a + b) - c) prints as a + b - c.
      const ast::expression* node = &e;
      for (;;) {
        const auto& b = std::get<ast::binary>(node->node);
        links.push_back({&b, b.rhs.get(), level + 1});
        const ast::expression* lhs = b.lhs.get();
        if (precedence(*lhs) == level && std::holds_alternative<ast::binary>(lhs->node) &&
            parentheses(*lhs).empty()) {
          node = lhs;
        } else {
          first = lhs;
          break;
        }
      }
      std::reverse(links.begin(), links.end());
    }

    // Both layouts below share the operands' documents; the separators differ. With a comment
    // among the tokens only the broken layout is made, as brk() puts comments into separators.
    // A comparison may hug brackets: those its left side ends in, or (when the left side is no
    // chain) those of its right side.
    const bool hug = level == comparison_level && !comment_within(extent(e)) &&
                     (ends_in_brackets(*first) ||
                      (!is_bare_chain(*first) && ends_in_brackets(*links.back().operand) &&
                       !links.back().op->tolerance));
    const doc head = operand(*first, first_min);
    std::vector<doc> broken_rest;
    std::vector<doc> hugged_rest;
    const auto separator = [&](std::uint32_t at) {
      broken_rest.push_back(brk(fd::kind::line, at));
      hugged_rest.push_back(fd::text(" "));
    };
    const auto both = [&](doc d) {
      broken_rest.push_back(d);
      hugged_rest.push_back(std::move(d));
    };
    for (const link& l : links) {
      const span op = l.op->op_span;
      separator(op.begin);
      both(tok(operator_text(l.op->op), op.begin));
      both(fd::text(" "));
      both(operand(*l.operand, l.min_precedence));
      if (l.op->tolerance) {
        const std::uint32_t within = next_token(extent(*l.operand).end);
        separator(within);
        both(tok("within", within));
        both(fd::text(" "));
        both(operand(*l.op->tolerance, comparison_level + 1));
      }
    }
    // Broken: every operator starts a line, indented. A chain as first operand gets its own
    // continuation lines indented once more, to stand apart from this chain's.
    const bool head_chain = is_bare_chain(*first);
    doc tail = fd::concat(std::move(broken_rest));
    doc broken = fd::concat({head_chain ? fd::nest(2, head) : head, hang ? fd::nest(2, std::move(tail)) : std::move(tail)});
    if (!hug) return fd::group(std::move(broken));
    // Hugged: the brackets break inside, and the operator stays beside them,
    // `sum(\n  ...\n) ~= total` or `goal in [\n  1, 2, ...\n]`. Chosen when the broken layout
    // does not fit with its operands each on one line.
    hugged_rest.insert(hugged_rest.begin(), head);
    return fd::choice(std::move(broken), fd::concat(std::move(hugged_rest)));
  }

  bool is_bare_chain(const ast::expression& e) const {
    return std::holds_alternative<ast::binary>(e.node) && parentheses(e).empty();
  }

  // Whether `e` ends in brackets that can hold a line break: a call, a list, parentheses.
  bool ends_in_brackets(const ast::expression& e) const {
    if (!parentheses(e).empty()) return true;
    if (const auto* c = std::get_if<ast::call>(&e.node)) return !c->args.empty();
    if (const auto* l = std::get_if<ast::list_literal>(&e.node)) return !l->elements.empty();
    return std::holds_alternative<ast::comprehension>(e.node);
  }

  // if c then a else b; an `else if` continues the chain on a line of its own.
  doc conditional(const ast::expression& e, bool hang) {
    const auto* n = &std::get<ast::conditional>(e.node);
    std::vector<doc> head{tok("if", e.where.begin), fd::text(" "), operand(*n->condition, 0), fd::text(" "),
                          tok("then", next_token(extent(*n->condition).end)), fd::text(" "),
                          operand(*n->then_branch, 0)};
    std::vector<doc> rest;
    for (;;) {
      const std::uint32_t else_at = next_token(extent(*n->then_branch).end);
      rest.push_back(brk(fd::kind::line, else_at));
      rest.push_back(tok("else", else_at));
      rest.push_back(fd::text(" "));
      const ast::expression& otherwise = *n->else_branch;
      const auto* next = std::get_if<ast::conditional>(&otherwise.node);
      if (next == nullptr || !parentheses(otherwise).empty()) {
        rest.push_back(operand(otherwise, 0));
        break;
      }
      n = next;
      rest.push_back(tok("if", otherwise.where.begin));
      rest.push_back(fd::text(" "));
      rest.push_back(operand(*n->condition, 0));
      rest.push_back(fd::text(" "));
      rest.push_back(tok("then", next_token(extent(*n->condition).end)));
      rest.push_back(fd::text(" "));
      rest.push_back(operand(*n->then_branch, 0));
    }
    head.insert(head.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
    doc all = fd::concat(std::move(head));
    return fd::group(hang ? fd::nest(2, std::move(all)) : std::move(all));
  }

  std::string_view text_;
  std::vector<comment> comments_;
  std::size_t next_comment_ = 0;
  std::vector<char> trivia_;  // 1 for whitespace and comment bytes
};

// ----- comparing trees -----

bool same(const ast::expression& a, const ast::expression& b);
bool same(const ast::message_template& a, const ast::message_template& b);

bool same(const ast::expr_ptr& a, const ast::expr_ptr& b) {
  if (!a || !b) return !a && !b;
  return same(*a, *b);
}

template <typename T>
bool same(const std::optional<T>& a, const std::optional<T>& b) {
  if (!a || !b) return !a && !b;
  return same(*a, *b);
}

bool same(const std::vector<ast::expression>& a, const std::vector<ast::expression>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const ast::expression& x, const ast::expression& y) { return same(x, y); });
}

bool same(const ast::expression& a, const ast::expression& b) {
  if (a.node.index() != b.node.index()) return false;
  return std::visit(
      [&](const auto& x) -> bool {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b.node);
        if constexpr (std::is_same_v<T, ast::number_literal>) return x.text == y.text;
        else if constexpr (std::is_same_v<T, ast::string_literal>) return x.value == y.value;
        else if constexpr (std::is_same_v<T, ast::bool_literal>) return x.value == y.value;
        else if constexpr (std::is_same_v<T, ast::none_literal>) return true;
        else if constexpr (std::is_same_v<T, ast::name_ref>) return x.name == y.name;
        else if constexpr (std::is_same_v<T, ast::field_access>) return x.field == y.field && same(x.object, y.object);
        else if constexpr (std::is_same_v<T, ast::index_access>) return same(x.object, y.object) && same(x.index, y.index);
        else if constexpr (std::is_same_v<T, ast::unary>) return x.op == y.op && same(x.operand, y.operand);
        else if constexpr (std::is_same_v<T, ast::binary>)
          return x.op == y.op && same(x.lhs, y.lhs) && same(x.rhs, y.rhs) && same(x.tolerance, y.tolerance);
        else if constexpr (std::is_same_v<T, ast::conditional>)
          return same(x.condition, y.condition) && same(x.then_branch, y.then_branch) &&
                 same(x.else_branch, y.else_branch);
        else if constexpr (std::is_same_v<T, ast::list_literal>) return same(x.elements, y.elements);
        else if constexpr (std::is_same_v<T, ast::comprehension>)
          return x.var == y.var && same(x.element, y.element) && same(x.source, y.source) && same(x.filter, y.filter);
        else if constexpr (std::is_same_v<T, ast::call>) return x.function == y.function && same(x.args, y.args);
        else return false;
      },
      a.node);
}

bool same(const ast::message_template& a, const ast::message_template& b) {
  return std::equal(a.parts.begin(), a.parts.end(), b.parts.begin(), b.parts.end(),
                    [](const ast::template_part& x, const ast::template_part& y) {
                      return x.text == y.text && same(x.hole, y.hole);
                    });
}

bool same(const ast::for_clause& a, const ast::for_clause& b) {
  return a.var.name == b.var.name && same(a.source, b.source) && same(a.filter, b.filter);
}

bool same(const ast::declaration& a, const ast::declaration& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&](const auto& x) -> bool {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b);
        if constexpr (std::is_same_v<T, ast::format_decl>) return x.value == y.value;
        else if constexpr (std::is_same_v<T, ast::import_decl>) return x.path == y.path;
        else if constexpr (std::is_same_v<T, ast::columns_decl>)
          return std::equal(x.names.begin(), x.names.end(), y.names.begin(), y.names.end(),
                            [](const ast::identifier& p, const ast::identifier& q) { return p.name == q.name; });
        else if constexpr (std::is_same_v<T, ast::param_decl>)
          return x.name.name == y.name.name && x.doc == y.doc && same(x.default_value, y.default_value);
        else if constexpr (std::is_same_v<T, ast::let_decl>)
          return x.name.name == y.name.name && x.doc == y.doc && same(x.value, y.value);
        else if constexpr (std::is_same_v<T, ast::rule_decl>)
          return x.id.name == y.id.name && x.level == y.level && x.title == y.title && x.doc == y.doc &&
                 std::equal(x.loops.begin(), x.loops.end(), y.loops.begin(), y.loops.end(),
                            [](const ast::for_clause& p, const ast::for_clause& q) { return same(p, q); }) &&
                 same(x.when, y.when) && same(x.expect, y.expect) && same(x.message, y.message);
        else return false;
      },
      a);
}

diagnostic not_equivalent(const source_ptr& source, span where, std::string what) {
  return make_diagnostic(level::error, codes::format_not_equivalent, source, where,
                         "fmt would change " + what +
                             "; the file is left as it is (a bug in fundcheck fmt: please report it with this file)");
}

}  // namespace

std::vector<std::string> comment_texts(const source_file& source, const ast::rule_file& file) {
  std::vector<std::string> out;
  for (const comment& c : find_comments(source.text(), file)) out.emplace_back(c.text);
  return out;
}

bool same_tree(const ast::rule_file& a, const ast::rule_file& b) {
  return std::equal(a.declarations.begin(), a.declarations.end(), b.declarations.begin(),
                    b.declarations.end(),
                    [](const ast::declaration& x, const ast::declaration& y) { return same(x, y); });
}

std::string single_line(std::string_view text) {
  std::string out;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
      continue;
    }
    if (c == '\n' || c == '\r') {
      while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
      while (i + 1 < text.size() && is_space(text[i + 1])) ++i;
      const char next = i + 1 < text.size() ? text[i + 1] : ')';
      if (!out.empty() && out.back() != '(' && out.back() != '[' && next != ')' && next != ']') out += ' ';
      continue;
    }
    in_string = c == '"';
    out += c;
  }
  return out;
}

format_result format_rules(const source_ptr& source, const format_options& options) {
  format_result result;
  if (!source) return result;
  parse_result parsed = parse_rules(source);
  if (!parsed.ok()) {
    result.status = format_status::syntax_error;
    result.diagnostics = std::move(parsed.diagnostics);
    return result;
  }
  const std::string& text = source->text();
  std::vector<comment> comments = find_comments(text, parsed.file);
  const std::size_t comment_count = comments.size();
  printer print(text, std::move(comments));
  doc document = print.file(parsed.file);
  std::string formatted = fd::render(document, options.width);
  if (text.starts_with(byte_order_mark)) formatted.insert(0, byte_order_mark);

  // The safety net: the result must parse to the same tree, with the same comments.
  const auto fail = [&](span where, std::string what) {
    result.status = format_status::not_equivalent;
    result.diagnostics.push_back(not_equivalent(source, where, std::move(what)));
    return result;
  };
  if (!print.all_comments_printed()) return fail({}, "the comments of this file");
  parse_limits limits;
  limits.max_file_bytes = std::max(limits.max_file_bytes, 2 * formatted.size());
  const auto again_source = std::make_shared<const source_file>(source->path(), formatted);
  const parse_result again = parse_rules(again_source, limits);
  if (!again.ok()) return fail({}, "this file into one that does not parse");
  const auto& before = parsed.file.declarations;
  const auto& after = again.file.declarations;
  for (std::size_t i = 0; i < before.size(); ++i) {
    if (i >= after.size() || !same(before[i], after[i])) {
      const span where = declaration_span(before[i]);
      return fail({where.begin, where.begin}, "what this declaration means");
    }
  }
  if (after.size() != before.size()) return fail({}, "the declarations of this file");
  const std::vector<comment> old_comments = find_comments(text, parsed.file);
  const std::vector<comment> new_comments = find_comments(formatted, again.file);
  for (std::size_t i = 0; i < old_comments.size(); ++i) {
    if (i >= new_comments.size() || old_comments[i].text != new_comments[i].text) {
      return fail({old_comments[i].begin, old_comments[i].begin}, "this comment");
    }
  }
  if (new_comments.size() != comment_count) return fail({}, "the comments of this file");
  result.text = std::move(formatted);
  return result;
}

}  // namespace fundcheck::dsl
