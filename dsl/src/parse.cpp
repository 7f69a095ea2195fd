// parse_rules: the one phrase_parse call, then the conversion from the parser's syntax tree
// (parser/syntax.hpp) to the public AST, and the doc comments.
#include "fundcheck/dsl/parse.hpp"

#include <cstdio>
#include <limits>
#include <optional>
#include <string>

#include "codes.hpp"
#include "parser/config.hpp"
#include "parser/rule_file.hpp"
#include "parser/syntax.hpp"
#include "parser/syntax_error.hpp"
#include "utf8.hpp"

namespace fundcheck::dsl {

namespace {

namespace syntax = parser::syntax;

span span_of(const syntax::tagged& node) { return {node.begin, node.end}; }

// Converts one declaration at a time. A declaration with an error found here (nesting deeper
// than the limit, a comprehension beside other elements, a misplaced `within`) is dropped.
class converter {
 public:
  converter(const source_ptr& source, const parse_limits& limits,
            std::vector<diagnostic>& diagnostics)
      : source_(source), limits_(limits), diagnostics_(diagnostics) {}

  std::optional<ast::declaration> declaration(const syntax::declaration& decl) {
    failed_ = false;
    auto result = boost::apply_visitor(
        [&](const auto& d) -> ast::declaration { return convert(d); }, decl.get());
    if (failed_) return std::nullopt;
    return result;
  }

 private:
  void error(const char* code, std::string message, span where) {
    failed_ = true;
    if (limits_.max_errors != 0 && diagnostics_.size() >= limits_.max_errors) return;
    diagnostic d;
    d.code = code;
    d.message = std::move(message);
    d.source = source_;
    d.where = where;
    diagnostics_.push_back(std::move(d));
  }

  static ast::identifier identifier(const syntax::identifier& id) { return {id.name, span_of(id)}; }

  ast::declaration convert(const syntax::format_decl& d) {
    return ast::format_decl{span_of(d), d.value.value, span_of(d.value)};
  }
  ast::declaration convert(const syntax::import_decl& d) {
    return ast::import_decl{span_of(d), d.path.value, span_of(d.path)};
  }
  ast::declaration convert(const syntax::columns_decl& d) {
    ast::columns_decl out;
    out.where = span_of(d);
    for (const auto& name : d.names) out.names.push_back(identifier(name));
    return out;
  }
  ast::declaration convert(const syntax::param_decl& d) {
    return ast::param_decl{span_of(d), identifier(d.name), expression(d.value, 1), {}};
  }
  ast::declaration convert(const syntax::let_decl& d) {
    return ast::let_decl{span_of(d), identifier(d.name), expression(d.value, 1), {}};
  }
  ast::declaration convert(const syntax::rule_decl& d) {
    ast::rule_decl out;
    out.where = span_of(d);
    out.id = identifier(d.id);
    out.level = d.level.level;
    out.level_span = span_of(d.level);
    out.title = d.title.value;
    out.title_span = span_of(d.title);
    for (const auto& loop : d.loops) {
      ast::for_clause clause;
      clause.where = span_of(loop);
      clause.var = identifier(loop.var);
      clause.source = expression(loop.source, 1);
      if (loop.filter) clause.filter = expression(*loop.filter, 1);
      out.loops.push_back(std::move(clause));
    }
    if (d.when) out.when = expression(*d.when, 1);
    out.expect = expression(d.expect, 1);
    if (d.message) {
      ast::message_template message;
      message.where = span_of(*d.message);
      for (const auto& part : d.message->parts) {
        if (const auto* text = boost::get<std::string>(&part.get())) {
          if (!message.parts.empty() && !message.parts.back().hole) {
            message.parts.back().text += *text;
          } else {
            message.parts.push_back({*text, std::nullopt});
          }
        } else {
          message.parts.push_back({{}, expression(boost::get<syntax::hole>(part.get()).value, 1)});
        }
      }
      out.message = std::move(message);
    }
    return out;
  }

  // Expressions. `depth` is the nesting of the node being built; every node that becomes a
  // child adds one, so the public tree never gets deeper than limits.max_nesting (later
  // passes recurse over it).
  static ast::expr_ptr boxed(ast::expression e) {
    return std::make_unique<ast::expression>(std::move(e));
  }

  ast::expression too_deep(span where, std::string message) {
    error(codes::nesting_too_deep, std::move(message), where);
    return {where, ast::none_literal{}};
  }

  bool within_limit(std::size_t depth) const noexcept {
    return limits_.max_nesting == 0 || depth <= limits_.max_nesting;
  }

  ast::expression expression(const syntax::expr& e, std::size_t depth) {
    return boost::apply_visitor(
        [&](const auto& node) -> ast::expression { return convert(node, depth); }, e.get());
  }

  template <typename T>
  ast::expression convert(const boost::spirit::x3::forward_ast<T>& node, std::size_t depth) {
    return convert(node.get(), depth);
  }

  ast::expression convert(const syntax::nil&, std::size_t) { return {}; }
  ast::expression convert(const syntax::number& n, std::size_t) {
    return {span_of(n), ast::number_literal{n.text}};
  }
  ast::expression convert(const syntax::string_token& s, std::size_t) {
    return {span_of(s), ast::string_literal{s.value}};
  }
  ast::expression convert(const syntax::keyword_literal& k, std::size_t) {
    if (k.kind == syntax::literal_kind::none) return {span_of(k), ast::none_literal{}};
    return {span_of(k), ast::bool_literal{k.kind == syntax::literal_kind::true_value}};
  }

  ast::expression convert(const syntax::name_or_call& n, std::size_t depth) {
    if (!n.arguments) return {span_of(n.name), ast::name_ref{n.name.name}};
    ast::call call;
    call.function = n.name.name;
    call.name_span = span_of(n.name);
    const syntax::bracketed& args = *n.arguments;
    if (args.comprehension) {
      if (args.elements.size() != 1) {
        error(codes::comprehension_arity,
              "a comprehension must be the only argument of '" + n.name.name + "'", span_of(args));
        return {span_of(n), ast::none_literal{}};
      }
      // From the first token after '(' to the end of the tail.
      const span where{parser::token_at(source_->text(), args.begin + 1).where.begin,
                       args.comprehension->end};
      call.args.push_back(
          comprehension(args.elements.front(), *args.comprehension, where, depth + 1));
    } else {
      for (const auto& arg : args.elements) call.args.push_back(expression(arg, depth + 1));
    }
    return {span_of(n), std::move(call)};
  }

  ast::expression convert(const syntax::bracketed& list, std::size_t depth) {
    if (list.comprehension) {
      if (list.elements.size() != 1) {
        error(codes::comprehension_arity,
              "a list comprehension has exactly one element expression before 'for'",
              span_of(list));
        return {span_of(list), ast::none_literal{}};
      }
      return comprehension(list.elements.front(), *list.comprehension, span_of(list), depth);
    }
    ast::list_literal out;
    for (const auto& element : list.elements)
      out.elements.push_back(expression(element, depth + 1));
    return {span_of(list), std::move(out)};
  }

  ast::expression comprehension(const syntax::expr& element, const syntax::binding& tail,
                                span where, std::size_t depth) {
    if (!within_limit(depth)) {
      return too_deep(where, nesting_message());
    }
    ast::comprehension out;
    out.element = boxed(expression(element, depth + 1));
    out.var = tail.var.name;
    out.var_span = span_of(tail.var);
    out.source = boxed(expression(tail.source, depth + 1));
    if (tail.filter) out.filter = boxed(expression(*tail.filter, depth + 1));
    return {where, std::move(out)};
  }

  ast::expression convert(const syntax::unary_expr& u, std::size_t depth) {
    if (!within_limit(depth)) return too_deep(span_of(u), nesting_message());
    return {span_of(u), ast::unary{u.op.op, boxed(expression(u.operand, depth + 1))}};
  }

  ast::expression convert(const syntax::postfix_expr& p, std::size_t depth) {
    if (p.suffixes.empty()) return expression(p.base, depth);
    // The suffixes nest to the left: a.b[c].d is ((a.b)[c]).d.
    const std::size_t n = p.suffixes.size();
    if (!within_limit(depth + n)) return too_deep(span_of(p), chain_message(n));
    ast::expression result = expression(p.base, depth + n);
    for (const auto& suffix : p.suffixes) {
      if (const auto* field = boost::get<syntax::identifier>(&suffix.get())) {
        const span where{p.begin, field->end};
        result = {where, ast::field_access{boxed(std::move(result)), field->name, span_of(*field)}};
      } else {
        const auto& index = boost::get<syntax::index_suffix>(suffix.get());
        const span where{p.begin, index.end};
        result = {where, ast::index_access{boxed(std::move(result)),
                                           boxed(expression(index.index, depth + n))}};
      }
    }
    return result;
  }

  // A parenthesised operand's node excludes its parentheses, so the spans of the folded nodes
  // come from the chain and its operations, which include them.
  ast::expression convert(const syntax::chain& c, std::size_t depth) {
    if (c.rest.empty()) return expression(c.first, depth);
    const std::size_t n = c.rest.size();
    if (!within_limit(depth + n)) return too_deep(span_of(c), chain_message(n));
    const auto make = [](span where, ast::expression lhs, const syntax::binary_token& op,
                         ast::expression rhs) {
      return ast::expression{where, ast::binary{op.op, boxed(std::move(lhs)), boxed(std::move(rhs)),
                                                span_of(op), nullptr}};
    };
    if (c.rest.front().op.op == ast::binary_op::implies) {
      // Right-associative: a implies b implies c is a implies (b implies c).
      ast::expression result = expression(c.rest.back().rhs, depth + n);
      for (std::size_t i = n; i-- > 0;) {
        const bool first = i == 0;
        const std::uint32_t begin = first ? c.begin : operand_begin(c.rest[i - 1].op);
        ast::expression lhs = expression(first ? c.first : c.rest[i - 1].rhs, depth + n);
        result = make({begin, c.end}, std::move(lhs), c.rest[i].op, std::move(result));
      }
      return result;
    }
    ast::expression result = expression(c.first, depth + n);
    for (const auto& operation : c.rest) {
      result = make({c.begin, operation.end}, std::move(result), operation.op,
                    expression(operation.rhs, depth + n));
    }
    return result;
  }

  // Where the operand after an operator starts (its '(' included).
  std::uint32_t operand_begin(const syntax::binary_token& op) const {
    return parser::token_at(source_->text(), op.end).where.begin;
  }

  ast::expression convert(const syntax::comparison& c, std::size_t depth) {
    if (!c.tail) return expression(c.lhs, depth);
    if (!within_limit(depth)) return too_deep(span_of(c), nesting_message());
    const syntax::comparison_tail& tail = *c.tail;
    ast::binary out{tail.op.op, boxed(expression(c.lhs, depth + 1)),
                    boxed(expression(tail.rhs, depth + 1)), span_of(tail.op), nullptr};
    if (tail.tolerance) {
      if (tail.op.op != ast::binary_op::equal) {
        error(codes::misplaced_within, "'within' applies only to '=='", span_of(tail.op));
      }
      out.tolerance = boxed(expression(*tail.tolerance, depth + 1));
    }
    return {span_of(c), std::move(out)};
  }

  ast::expression convert(const syntax::if_expr& e, std::size_t depth) {
    if (!within_limit(depth)) return too_deep(span_of(e), nesting_message());
    return {span_of(e), ast::conditional{boxed(expression(e.condition, depth + 1)),
                                         boxed(expression(e.then_branch, depth + 1)),
                                         boxed(expression(e.else_branch, depth + 1))}};
  }

  std::string nesting_message() const {
    return "expression nested too deeply (the limit is " + std::to_string(limits_.max_nesting) +
           " levels)";
  }
  std::string chain_message(std::size_t n) const {
    return "expression too long: " + std::to_string(n) +
           " operators in a row nest too deeply (the limit is " +
           std::to_string(limits_.max_nesting) + " levels)";
  }

  source_ptr source_;
  const parse_limits& limits_;
  std::vector<diagnostic>& diagnostics_;
  bool failed_ = false;
};

bool only_space_before(std::string_view line, std::size_t length) {
  return line.substr(0, length).find_first_not_of(" \t") == std::string_view::npos;
}

// The `##` lines directly above the line where a declaration starts, when it starts that line.
std::string doc_comment(const source_file& source, std::uint32_t offset) {
  const position p = source.locate(offset);
  const std::string_view first_line = source.line_text(p.line);
  const std::size_t line_start = static_cast<std::size_t>(first_line.data() - source.text().data());
  if (!only_space_before(first_line, offset - line_start)) return {};
  std::vector<std::string_view> lines;
  for (std::uint32_t line = p.line; line-- > 1;) {
    std::string_view text = source.line_text(line);
    const std::size_t start = text.find_first_not_of(" \t");
    if (start == std::string_view::npos || text.substr(start, 2) != "##") break;
    text.remove_prefix(start + 2);
    if (text.starts_with(' ')) text.remove_prefix(1);
    lines.push_back(text);
  }
  std::string doc;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (it != lines.rbegin()) doc += '\n';
    doc += *it;
  }
  return doc;
}

void attach_doc(const source_file& source, ast::declaration& decl) {
  std::visit(
      [&](auto& d) {
        using decl_type = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<decl_type, ast::rule_decl> ||
                      std::is_same_v<decl_type, ast::let_decl> ||
                      std::is_same_v<decl_type, ast::param_decl>) {
          d.doc = doc_comment(source, d.where.begin);
        }
      },
      decl);
}

diagnostic file_error(const source_ptr& source, const char* code, std::string message, span where) {
  diagnostic d;
  d.code = code;
  d.message = std::move(message);
  d.source = source;
  d.where = where;
  return d;
}

}  // namespace

parse_result parse_rules(const source_ptr& source, const parse_limits& limits) {
  parse_result result;
  if (!source) return result;
  const std::string& text = source->text();

  if (text.size() > limits.max_file_bytes ||
      text.size() > std::numeric_limits<std::uint32_t>::max()) {
    result.diagnostics.push_back(file_error(source, codes::file_too_large,
                                            "file too large: " + std::to_string(text.size()) +
                                                " bytes (the limit is " +
                                                std::to_string(limits.max_file_bytes) + ")",
                                            {}));
    return result;
  }
  if (const std::size_t bad = utf8::find_invalid(text); bad != text.size()) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(text[bad])));
    const auto at = static_cast<std::uint32_t>(bad);
    result.diagnostics.push_back(
        file_error(source, codes::invalid_utf8,
                   std::string("invalid UTF-8 (byte ") + byte + "); rule files must be UTF-8 text",
                   {at, at + 1}));
    return result;
  }

  parser::parse_state state;
  state.source = source;
  state.text = text;
  state.limits = limits;

  syntax::rule_file tree;
  parser::iterator_type first = text.data();
  const parser::iterator_type last = text.data() + text.size();
  if (std::string_view(text).starts_with("\xEF\xBB\xBF")) first += 3;  // byte order mark
  try {
    namespace x3 = boost::spirit::x3;
    const auto grammar = x3::with<parser::state_tag>(state)[parser::rule_file()];
    const bool complete = x3::phrase_parse(first, last, grammar, parser::skipper, tree);
    if (!complete && state.diagnostics.empty()) {
      parser::report_syntax_error(state, state.offset_of(first), state.offset_of(first),
                                  "declaration ('import', 'columns', 'param', 'let' or 'rule')");
    }
  } catch (const boost::spirit::x3::expectation_failure<parser::iterator_type>& failure) {
    // Every failure inside a declaration is handled by its error handler; this is a safety net.
    parser::report_syntax_error(state, state.offset_of(first), state.offset_of(failure.where()),
                                failure.which());
  }

  result.diagnostics = std::move(state.diagnostics);
  converter convert(source, limits, result.diagnostics);
  for (const auto& decl : tree) {
    if (auto converted = convert.declaration(decl)) {
      attach_doc(*source, *converted);
      result.file.declarations.push_back(std::move(*converted));
    }
  }
  sort_diagnostics(result.diagnostics);
  return result;
}

}  // namespace fundcheck::dsl
