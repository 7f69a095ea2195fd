#pragma once
// Grammar of rule files (docs/language.md, "Declarations"), with error recovery at declaration
// boundaries. Only rule_file.cpp includes this file.

#include "parser/annotation.hpp"
#include "parser/ast_adapted.hpp"
#include "parser/config.hpp"
#include "parser/expression.hpp"
#include "parser/lexical.hpp"
#include "parser/rule_file.hpp"
#include "parser/syntax_error.hpp"

namespace fundcheck::dsl::parser::rule_file_grammar {

// A failed declaration becomes a diagnostic; parsing then resumes at the next line that starts
// with a declaration keyword (retry), or stops at the end of the text. The attribute of the
// failed attempt is discarded, so the declaration is left out of the tree.
struct declaration_class {
  template <typename Iterator, typename Exception, typename Context>
  x3::error_handler_result on_error(Iterator& first, const Iterator& /*last*/,
                                    const Exception& failure, const Context& context) const {
    parse_state& state = x3::get<state_tag>(context);
    const std::uint32_t resume = report_syntax_error(
        state, state.declaration_begin, state.offset_of(failure.where()), failure.which());
    first = state.text.data() + resume;
    return x3::error_handler_result::retry;
  }
};

inline constexpr auto mark_declaration_begin = [](auto& ctx) {
  parse_state& state = x3::get<state_tag>(ctx);
  state.declaration_begin = state.offset_of(x3::_where(ctx).begin());
};
inline constexpr auto set_format_value = [](auto& ctx) {
  x3::_val(ctx).value = std::move(x3::_attr(ctx));
};
inline constexpr auto set_import_path = [](auto& ctx) {
  x3::_val(ctx).path = std::move(x3::_attr(ctx));
};
inline constexpr auto set_column_names = [](auto& ctx) {
  x3::_val(ctx).names = std::move(x3::_attr(ctx));
};
inline constexpr auto set_message_parts = [](auto& ctx) {
  x3::_val(ctx).parts = std::move(x3::_attr(ctx));
};
inline constexpr auto set_hole = [](auto& ctx) { x3::_val(ctx).value = std::move(x3::_attr(ctx)); };
inline constexpr auto set_severity = [](auto& ctx) {
  auto& node = x3::_val(ctx);
  const auto& range = x3::_attr(ctx);
  const std::string_view text(range.begin(), range.size());
  node.level = text == "error"     ? ast::severity::error
               : text == "warning" ? ast::severity::warning
                                   : ast::severity::note;
  tag_from_range(node, ctx, range);
};

struct rule_file_class {};
struct declaration_start_class {};
struct any_declaration_class {};
struct format_decl_class : annotate_position {};
struct format_value_class {};
struct format_string_class : annotate_position {};
struct import_decl_class : annotate_position {};
struct import_value_class {};
struct import_path_class : annotate_position {};
struct columns_decl_class : annotate_position {};
struct columns_value_class {};
struct column_names_class {};
struct column_name_class : annotate_position {};
struct param_decl_class : annotate_position {};
struct let_decl_class : annotate_position {};
struct declared_name_class : annotate_position {};
struct equals_class {};
struct rule_decl_class : annotate_position {};
struct rule_id_class {};
struct severity_class {};
struct title_class : annotate_position {};
struct open_brace_class {};
struct for_clause_class : annotate_position {};
struct filter_class {};
struct variable_name_class : annotate_position {};
struct in_keyword_class {};
struct when_clause_class {};
struct expect_clause_class {};
struct message_clause_class {};
struct message_template_class : annotate_position {};
struct message_value_class {};
struct message_parts_class {};
struct message_text_class {};
struct hole_class {};
struct hole_close_class {};
struct message_close_class {};
struct rule_close_class {};

const rule_file_type rule_file = "rule file";
const x3::rule<declaration_class, syntax::declaration> declaration = "declaration";
const x3::rule<declaration_start_class> declaration_start = "declaration";
const x3::rule<any_declaration_class, syntax::declaration> any_declaration =
    "declaration ('format', 'import', 'columns', 'param', 'let' or 'rule')";
const x3::rule<format_decl_class, syntax::format_decl> format_decl = "format";
const x3::rule<format_value_class, syntax::format_decl> format_value = "format";
const x3::rule<format_string_class, syntax::string_token> format_string =
    "proposal format (a string, e.g. \"fundcheck/allocation@1\")";
const x3::rule<import_decl_class, syntax::import_decl> import_decl = "import";
const x3::rule<import_value_class, syntax::import_decl> import_value = "import";
const x3::rule<import_path_class, syntax::string_token> import_path = "file path (a string)";
const x3::rule<columns_decl_class, syntax::columns_decl> columns_decl = "columns";
const x3::rule<columns_value_class, syntax::columns_decl> columns_value = "columns";
const x3::rule<column_names_class, std::vector<syntax::identifier>> column_names = "column name";
const x3::rule<column_name_class, syntax::identifier> column_name = "column name";
const x3::rule<param_decl_class, syntax::param_decl> param_decl = "param";
const x3::rule<let_decl_class, syntax::let_decl> let_decl = "let";
const x3::rule<declared_name_class, syntax::identifier> declared_name = "name";
const x3::rule<equals_class> equals = "'='";
const x3::rule<rule_decl_class, syntax::rule_decl> rule_decl = "rule";
const x3::rule<rule_id_class, syntax::identifier> rule_id = "rule id";
const x3::rule<severity_class, syntax::severity_token> severity =
    "severity ('error', 'warning' or 'note')";
const x3::rule<title_class, syntax::string_token> title = "rule title (a string)";
const x3::rule<open_brace_class> open_brace = "'{'";
const x3::rule<for_clause_class, syntax::binding> for_clause = "'for'";
const x3::rule<filter_class, syntax::expr> filter = "'where'";
const x3::rule<variable_name_class, syntax::identifier> variable_name = "variable name";
const x3::rule<in_keyword_class> in_keyword = "'in'";
const x3::rule<when_clause_class, syntax::expr> when_clause = "'when'";
const x3::rule<expect_clause_class, syntax::expr> expect_clause = "'expect'";
const x3::rule<message_clause_class, syntax::message_template> message_clause = "'message'";
const x3::rule<message_template_class, syntax::message_template> message_template =
    "message (a string)";
const x3::rule<message_value_class, syntax::message_template> message_value = "message";
const x3::rule<message_parts_class, std::vector<syntax::message_part>> message_parts =
    "message (a string)";
const x3::rule<message_text_class, std::string> message_text = "message text";
const x3::rule<hole_class, syntax::hole> hole = "'{'";
const x3::rule<hole_close_class> hole_close = "'}' after the interpolated expression";
const x3::rule<message_close_class> message_close = "closing quote";
const x3::rule<rule_close_class> rule_close = "'}' to close the rule";

const auto& expr = parser::expression();

const auto rule_file_def = *declaration >> x3::eoi;
// The start is marked in a rule of its own: a semantic action directly in declaration_def would
// stop X3 from propagating the declaration's attribute.
const auto declaration_def = !x3::eoi >> declaration_start >> x3::expect[any_declaration];
const auto declaration_start_def = x3::eps[mark_declaration_begin];
const auto any_declaration_def = format_decl | import_decl | columns_decl | param_decl | let_decl | rule_decl;

// `format` is a keyword only here, at the start of a declaration, so `proposal.format` stays a
// field like any other.
const auto format_decl_def = format_value;
const auto format_value_def = (kw("format") > format_string)[set_format_value];
const auto format_string_def = string_literal;

const auto import_decl_def = import_value;
const auto import_value_def = (kw("import") > import_path)[set_import_path];
const auto import_path_def = string_literal;

const auto columns_decl_def = columns_value;
const auto columns_value_def = (kw("columns") > column_names)[set_column_names];
const auto column_names_def = column_name >> *(x3::lit(',') > column_name);
const auto column_name_def = identifier;

const auto param_decl_def = kw("param") > declared_name > equals > expr;
const auto let_decl_def = kw("let") > declared_name > equals > expr;
const auto declared_name_def = identifier;
const auto equals_def = x3::lit('=');

// rule ID SEVERITY "title" { for* when? expect message? }
// `>` binds looser than `>>`: every operand of `>` here is a single named rule (or one that
// cannot fail), so expectation failures name it.
const auto rule_decl_def = kw("rule") > rule_id > severity > title > open_brace > *for_clause >
                           -when_clause > expect_clause > -message_clause > rule_close;
const auto rule_id_def = x3::raw[x3::lexeme[rule_id_start >> *rule_id_char]][set_identifier];
const auto severity_def = x3::raw[kw("error") | kw("warning") | kw("note")][set_severity];
const auto title_def = string_literal;
const auto open_brace_def = x3::lit('{');
const auto for_clause_def = kw("for") > variable_name > in_keyword > expr > -filter;
const auto filter_def = kw("where") > expr;
const auto variable_name_def = identifier;
const auto in_keyword_def = kw("in");
const auto when_clause_def = kw("when") > expr;
const auto expect_clause_def = kw("expect") > expr;
const auto message_clause_def = kw("message") > message_template;
const auto rule_close_def = x3::lit('}');

// "text {expr} text": the text is taken verbatim (no_skip), the holes are expressions with the
// usual skipping inside the braces.
const auto message_template_def = message_value;
const auto message_value_def = message_parts[set_message_parts];
const auto message_parts_def = x3::lexeme[x3::lit('"')] >> *(message_text | hole) > message_close;
const auto message_text_def = x3::no_skip[+(escape | message_char)];
const auto hole_def = (x3::no_skip[x3::lit('{')] > expr > hole_close)[set_hole];
const auto hole_close_def = x3::lit('}');
const auto message_close_def = x3::no_skip[x3::lit('"')];

BOOST_SPIRIT_DEFINE(rule_file, declaration, declaration_start, any_declaration, format_decl,
                    format_value, format_string, import_decl,
                    import_value, import_path, columns_decl, columns_value, column_names,
                    column_name, param_decl, let_decl, declared_name, equals, rule_decl, rule_id,
                    severity, title, open_brace, for_clause, filter, variable_name, in_keyword,
                    when_clause, expect_clause, message_clause, message_template, message_value,
                    message_parts, message_text, hole, hole_close, message_close, rule_close)

}  // namespace fundcheck::dsl::parser::rule_file_grammar

namespace fundcheck::dsl::parser {

const rule_file_grammar::rule_file_type& rule_file() { return rule_file_grammar::rule_file; }

}  // namespace fundcheck::dsl::parser
