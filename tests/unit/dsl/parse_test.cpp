#define BOOST_TEST_MODULE parse
#include "fundcheck/dsl/parse.hpp"

#include <string>

#include <boost/test/unit_test.hpp>

namespace dsl = fundcheck::dsl;
namespace ast = fundcheck::dsl::ast;

namespace {

dsl::source_ptr make_source(std::string text, std::string path = "test.rules") {
  return std::make_shared<const dsl::source_file>(std::move(path), std::move(text));
}

struct parsed {
  dsl::source_ptr source;
  dsl::parse_result result;

  std::string slice(dsl::span s) const { return source->text().substr(s.begin, s.end - s.begin); }
  std::string rendered() const { return dsl::render_text(result.diagnostics); }
  const ast::declaration& decl(std::size_t i) const {
    BOOST_REQUIRE_LT(i, result.file.declarations.size());
    return result.file.declarations[i];
  }
  template <typename T>
  const T& get(std::size_t i) const {
    const T* d = std::get_if<T>(&decl(i));
    BOOST_REQUIRE(d != nullptr);
    return *d;
  }
};

parsed parse(std::string text, const dsl::parse_limits& limits = {}) {
  auto source = make_source(std::move(text));
  auto result = dsl::parse_rules(source, limits);
  return {source, std::move(result)};
}

// Parses text that must be free of errors.
parsed parse_ok(std::string text) {
  parsed p = parse(std::move(text));
  BOOST_TEST_REQUIRE(p.result.ok(), p.rendered());
  BOOST_TEST_REQUIRE(p.result.diagnostics.empty(), p.rendered());
  return p;
}

// ----- an S-expression form of expressions, to state the tree shape compactly -----

const char* op_name(ast::binary_op op) {
  using b = ast::binary_op;
  switch (op) {
    case b::add: return "+";
    case b::subtract: return "-";
    case b::multiply: return "*";
    case b::divide: return "/";
    case b::equal: return "==";
    case b::not_equal: return "!=";
    case b::less: return "<";
    case b::less_equal: return "<=";
    case b::greater: return ">";
    case b::greater_equal: return ">=";
    case b::approx_equal: return "~=";
    case b::in: return "in";
    case b::not_in: return "not-in";
    case b::logical_and: return "and";
    case b::logical_or: return "or";
    case b::implies: return "implies";
  }
  return "?";
}

std::string sexpr(const ast::expression& e);
std::string sexpr(const ast::expr_ptr& e) { return e ? sexpr(*e) : "null"; }

// Concatenation by appending: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
template <typename... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  (out.append(std::string_view(parts)), ...);
  return out;
}

struct sexpr_visitor {
  std::string operator()(const ast::number_literal& n) const { return n.text; }
  std::string operator()(const ast::string_literal& s) const { return cat("\"", s.value, "\""); }
  std::string operator()(const ast::bool_literal& b) const { return b.value ? "true" : "false"; }
  std::string operator()(const ast::none_literal&) const { return "none"; }
  std::string operator()(const ast::name_ref& n) const { return n.name; }
  std::string operator()(const ast::field_access& f) const {
    return cat("(. ", sexpr(f.object), " ", f.field, ")");
  }
  std::string operator()(const ast::index_access& i) const {
    return cat("([] ", sexpr(i.object), " ", sexpr(i.index), ")");
  }
  std::string operator()(const ast::unary& u) const {
    return cat(u.op == ast::unary_op::negate ? "(neg " : "(not ", sexpr(u.operand), ")");
  }
  std::string operator()(const ast::binary& b) const {
    std::string s = cat("(", op_name(b.op), " ", sexpr(b.lhs), " ", sexpr(b.rhs));
    if (b.tolerance) s += cat(" within ", sexpr(b.tolerance));
    return s + ")";
  }
  std::string operator()(const ast::conditional& c) const {
    return cat("(if ", sexpr(c.condition), " ", sexpr(c.then_branch), " ", sexpr(c.else_branch),
               ")");
  }
  std::string operator()(const ast::list_literal& l) const {
    std::string s = "[";
    for (std::size_t i = 0; i < l.elements.size(); ++i) {
      if (i > 0) s += ' ';
      s += sexpr(l.elements[i]);
    }
    return s + "]";
  }
  std::string operator()(const ast::comprehension& c) const {
    std::string s = cat("(for ", sexpr(c.element), " ", c.var, " ", sexpr(c.source));
    if (c.filter) s += cat(" where ", sexpr(c.filter));
    return s + ")";
  }
  std::string operator()(const ast::call& c) const {
    std::string s = cat("(call ", c.function);
    for (const auto& a : c.args) s += cat(" ", sexpr(a));
    return s + ")";
  }
};

std::string sexpr(const ast::expression& e) { return std::visit(sexpr_visitor{}, e.node); }

// The tree of `let x = <text>`.
std::string expr(const std::string& text) {
  const parsed p = parse_ok("let x = " + text + "\n");
  return sexpr(p.get<ast::let_decl>(0).value);
}

// The diagnostics of a text, one "line:column code message" per entry.
std::vector<std::string> errors(std::string text, const dsl::parse_limits& limits = {}) {
  const parsed p = parse(std::move(text), limits);
  std::vector<std::string> out;
  for (const auto& d : p.result.diagnostics) {
    const auto pos = p.source->locate(d.where.begin);
    out.push_back(std::to_string(pos.line) + ":" + std::to_string(pos.column) + " " + d.code + " " +
                  d.message);
  }
  return out;
}

std::vector<std::string> one(std::string s) { return {std::move(s)}; }

template <typename T>
const T& node(const ast::expression& e) {
  const T* n = std::get_if<T>(&e.node);
  BOOST_REQUIRE(n != nullptr);
  return *n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parse_rules)

// ----------------------------------------------------------------- files and declarations

BOOST_AUTO_TEST_CASE(empty_file_is_fine) {
  for (const char* text :
       {"", "\n\n", "   # only a comment\n## and a doc line\n", "\xEF\xBB\xBF"}) {
    const parsed p = parse(text);
    BOOST_TEST(p.result.ok());
    BOOST_TEST(p.result.diagnostics.empty());
    BOOST_TEST(p.result.file.declarations.empty());
  }
}

BOOST_AUTO_TEST_CASE(null_source_gives_an_empty_result) {
  const auto result = dsl::parse_rules(nullptr);
  BOOST_TEST(result.ok());
  BOOST_TEST(result.file.declarations.empty());
}

BOOST_AUTO_TEST_CASE(import_declaration) {
  const parsed p = parse_ok("import \"common/base.rules\"  # shared\n");
  const auto& d = p.get<ast::import_decl>(0);
  BOOST_TEST(d.path == "common/base.rules");
  BOOST_TEST(p.slice(d.where) == "import \"common/base.rules\"");
  BOOST_TEST(p.slice(d.path_span) == "\"common/base.rules\"");
}

BOOST_AUTO_TEST_CASE(columns_declaration) {
  const parsed p = parse_ok("columns national, region,kommune\n");
  const auto& d = p.get<ast::columns_decl>(0);
  BOOST_TEST_REQUIRE(d.names.size() == 3u);
  BOOST_TEST(d.names[0].name == "national");
  BOOST_TEST(d.names[1].name == "region");
  BOOST_TEST(d.names[2].name == "kommune");
  BOOST_TEST(p.slice(d.names[1].where) == "region");
  BOOST_TEST(p.slice(d.where) == "columns national, region,kommune");
}

BOOST_AUTO_TEST_CASE(param_declaration) {
  const parsed p = parse_ok("param key = 0.3117\n");
  const auto& d = p.get<ast::param_decl>(0);
  BOOST_TEST(d.name.name == "key");
  BOOST_TEST(p.slice(d.name.where) == "key");
  BOOST_TEST(sexpr(d.default_value) == "0.3117");
  BOOST_TEST(p.slice(d.default_value.where) == "0.3117");
  BOOST_TEST(p.slice(d.where) == "param key = 0.3117");
  BOOST_TEST(d.doc.empty());
}

BOOST_AUTO_TEST_CASE(let_declaration) {
  const parsed p = parse_ok("let blok_rows = [r for r in items where r.channel == \"block\"]\n");
  const auto& d = p.get<ast::let_decl>(0);
  BOOST_TEST(d.name.name == "blok_rows");
  BOOST_TEST(sexpr(d.value) == "(for r r items where (== (. r channel) \"block\"))");
  BOOST_TEST(p.slice(d.value.where) == "[r for r in items where r.channel == \"block\"]");
}

const std::string example_rule =
    "## Sub-items add up to their item, per column. Only block-grant sub-items count:\n"
    "## Telepalliation is listed under Palliation but is a direct subsidy.\n"
    "rule KPV-SUM-01 error \"heraf-rækker summer til rækken\" {\n"
    "  for item in all_items where count(item.subitems) > 0\n"
    "  for col in columns\n"
    "  expect sum(s[col] for s in item.subitems where s.channel == \"block\") ~= item[col]\n"
    "  message \"{item.name} ({col}): heraf-rækkerne giver {lhs}, rækken siger {rhs}\"\n"
    "}\n";

BOOST_AUTO_TEST_CASE(rule_declaration_from_the_language_reference) {
  const parsed p = parse_ok(example_rule);
  const auto& r = p.get<ast::rule_decl>(0);
  BOOST_TEST(r.id.name == "KPV-SUM-01");
  BOOST_TEST(p.slice(r.id.where) == "KPV-SUM-01");
  BOOST_TEST((r.level == ast::severity::error));
  BOOST_TEST(p.slice(r.level_span) == "error");
  BOOST_TEST(r.title == "heraf-rækker summer til rækken");
  BOOST_TEST(p.slice(r.title_span) == "\"heraf-rækker summer til rækken\"");
  BOOST_TEST(r.doc ==
             "Sub-items add up to their item, per column. Only block-grant sub-items count:\n"
             "Telepalliation is listed under Palliation but is a direct subsidy.");
  BOOST_TEST(p.slice(r.where).starts_with("rule KPV-SUM-01"));
  BOOST_TEST(p.slice(r.where).ends_with("rækken siger {rhs}\"\n}"));

  BOOST_TEST_REQUIRE(r.loops.size() == 2u);
  BOOST_TEST(r.loops[0].var.name == "item");
  BOOST_TEST(p.slice(r.loops[0].var.where) == "item");
  BOOST_TEST(sexpr(r.loops[0].source) == "all_items");
  BOOST_TEST_REQUIRE(r.loops[0].filter.has_value());
  BOOST_TEST(sexpr(*r.loops[0].filter) == "(> (call count (. item subitems)) 0)");
  BOOST_TEST(p.slice(r.loops[0].where) == "for item in all_items where count(item.subitems) > 0");
  BOOST_TEST(r.loops[1].var.name == "col");
  BOOST_TEST(sexpr(r.loops[1].source) == "columns");
  BOOST_TEST(!r.loops[1].filter.has_value());

  BOOST_TEST(!r.when.has_value());
  BOOST_TEST(sexpr(r.expect) ==
             "(~= (call sum (for ([] s col) s (. item subitems) where (== (. s channel) "
             "\"block\"))) ([] item col))");

  BOOST_TEST_REQUIRE(r.message.has_value());
  const auto& m = *r.message;
  BOOST_TEST(p.slice(m.where) ==
             "\"{item.name} ({col}): heraf-rækkerne giver {lhs}, rækken siger {rhs}\"");
  BOOST_TEST_REQUIRE(m.parts.size() == 7u);
  BOOST_TEST(sexpr(*m.parts[0].hole) == "(. item name)");
  BOOST_TEST(p.slice(m.parts[0].hole->where) == "item.name");
  BOOST_TEST(m.parts[1].text == " (");
  BOOST_TEST(!m.parts[1].hole.has_value());
  BOOST_TEST(sexpr(*m.parts[2].hole) == "col");
  BOOST_TEST(m.parts[3].text == "): heraf-rækkerne giver ");
  BOOST_TEST(sexpr(*m.parts[4].hole) == "lhs");
  BOOST_TEST(m.parts[5].text == ", rækken siger ");
  BOOST_TEST(sexpr(*m.parts[6].hole) == "rhs");
  BOOST_TEST(p.slice(m.parts[6].hole->where) == "rhs");
}

BOOST_AUTO_TEST_CASE(rule_with_when_and_severities) {
  const parsed p = parse_ok(
      "rule a.b_c-1 warning \"w\" { when x > 1 expect y }\n"
      "rule N note \"n\" {\n  expect true\n}\n");
  const auto& w = p.get<ast::rule_decl>(0);
  BOOST_TEST(w.id.name == "a.b_c-1");
  BOOST_TEST((w.level == ast::severity::warning));
  BOOST_TEST(w.loops.empty());
  BOOST_TEST_REQUIRE(w.when.has_value());
  BOOST_TEST(sexpr(*w.when) == "(> x 1)");
  BOOST_TEST(sexpr(w.expect) == "y");
  BOOST_TEST(!w.message.has_value());
  const auto& n = p.get<ast::rule_decl>(1);
  BOOST_TEST((n.level == ast::severity::note));
  BOOST_TEST(p.slice(n.level_span) == "note");
}

BOOST_AUTO_TEST_CASE(declarations_keep_their_order) {
  const parsed p = parse_ok(
      "import \"a.rules\"\ncolumns c\nparam p = 1\nlet l = 2\nrule R error \"t\" { expect l }\n"
      "let after = 3 let same_line = 4\n");
  BOOST_TEST_REQUIRE(p.result.file.declarations.size() == 7u);
  BOOST_TEST(p.decl(0).index() == 0u);
  BOOST_TEST(p.decl(1).index() == 1u);
  BOOST_TEST(p.decl(2).index() == 2u);
  BOOST_TEST(p.decl(3).index() == 3u);
  BOOST_TEST(p.decl(4).index() == 4u);
  BOOST_TEST(p.get<ast::let_decl>(6).name.name == "same_line");
}

BOOST_AUTO_TEST_CASE(crlf_line_endings) {
  const parsed p = parse_ok("let a = 1\r\nrule R error \"t\" {\r\n  expect a == 1\r\n}\r\n");
  BOOST_TEST(p.result.file.declarations.size() == 2u);
}

// ----------------------------------------------------------------------- doc comments

BOOST_AUTO_TEST_CASE(doc_comments) {
  const parsed p = parse_ok(
      "## Parameter doc.\n"
      "param k = 1\n"
      "\n"
      "## Not attached: a blank line follows.\n"
      "\n"
      "let a = 1\n"
      "# an ordinary comment\n"
      "## First line.\n"
      "##\n"
      "##   indented text\n"
      "  ##no space\n"
      "let b = 2\n"
      "## Import docs are ignored.\n"
      "import \"x.rules\"\n"
      "## Rule doc.\n"
      "rule R error \"t\" { expect b }\n");
  BOOST_TEST(p.get<ast::param_decl>(0).doc == "Parameter doc.");
  BOOST_TEST(p.get<ast::let_decl>(1).doc == "");
  BOOST_TEST(p.get<ast::let_decl>(2).doc == "First line.\n\n  indented text\nno space");
  BOOST_TEST(p.get<ast::rule_decl>(4).doc == "Rule doc.");
}

BOOST_AUTO_TEST_CASE(doc_comment_needs_the_declaration_to_start_its_line) {
  const parsed p = parse_ok("## Doc of a.\nlet a = 1 let b = 2\n");
  BOOST_TEST(p.get<ast::let_decl>(0).doc == "Doc of a.");
  BOOST_TEST(p.get<ast::let_decl>(1).doc == "");
}

// --------------------------------------------------------------------------- expressions

BOOST_AUTO_TEST_CASE(literals) {
  BOOST_TEST(expr("42") == "42");
  BOOST_TEST(expr("0.3117") == "0.3117");
  BOOST_TEST(expr("2.80") == "2.80");
  BOOST_TEST(expr("-1.5") == "(neg 1.5)");
  BOOST_TEST(expr("true") == "true");
  BOOST_TEST(expr("false") == "false");
  BOOST_TEST(expr("none") == "none");
  BOOST_TEST(expr("\"plain\"") == "\"plain\"");
  BOOST_TEST(expr("\"\"") == "\"\"");
}

BOOST_AUTO_TEST_CASE(string_escapes) {
  const parsed p = parse_ok(R"(let s = "q\" b\\ n\n t\t {\{ \}}")");
  const auto& s = node<ast::string_literal>(p.get<ast::let_decl>(0).value);
  BOOST_TEST(s.value == "q\" b\\ n\n t\t {{ }}");
}

BOOST_AUTO_TEST_CASE(danish_names_and_strings) {
  const parsed p = parse_ok("let beløb_år = \"Kræftplan — æøå ÆØÅ\" + _tæller2\n");
  const auto& d = p.get<ast::let_decl>(0);
  BOOST_TEST(d.name.name == "beløb_år");
  BOOST_TEST(p.slice(d.name.where) == "beløb_år");
  BOOST_TEST(sexpr(d.value) == "(+ \"Kræftplan — æøå ÆØÅ\" _tæller2)");
  const auto& b = node<ast::binary>(d.value);
  BOOST_TEST(p.slice(b.rhs->where) == "_tæller2");
  BOOST_TEST(p.slice(b.op_span) == "+");
}

BOOST_AUTO_TEST_CASE(names_may_start_with_a_keyword) {
  BOOST_TEST(expr("index + iffy + nothing + orders + android + truely + none_left") ==
             "(+ (+ (+ (+ (+ (+ index iffy) nothing) orders) android) truely) none_left)");
  BOOST_TEST(expr("columns") == "columns");
}

BOOST_AUTO_TEST_CASE(postfix_forms) {
  BOOST_TEST(expr("item.region") == "(. item region)");
  BOOST_TEST(expr("item[col]") == "([] item col)");
  BOOST_TEST(expr("item.region[2027]") == "([] (. item region) 2027)");
  BOOST_TEST(expr("a.b[c].d") == "(. ([] (. a b) c) d)");
  BOOST_TEST(expr("f()") == "(call f)");
  BOOST_TEST(expr("round(x, 2)") == "(call round x 2)");
  BOOST_TEST(expr("f(a).b") == "(. (call f a) b)");
  BOOST_TEST(expr("coalesce(x.a, 0)[1]") == "([] (call coalesce (. x a) 0) 1)");
}

BOOST_AUTO_TEST_CASE(postfix_spans) {
  const parsed p = parse_ok("let x = item.region[2027]\n");
  const auto& index = node<ast::index_access>(p.get<ast::let_decl>(0).value);
  BOOST_TEST(p.slice(p.get<ast::let_decl>(0).value.where) == "item.region[2027]");
  const auto& field = node<ast::field_access>(*index.object);
  BOOST_TEST(p.slice(index.object->where) == "item.region");
  BOOST_TEST(p.slice(field.field_span) == "region");
  BOOST_TEST(p.slice(index.index->where) == "2027");
}

BOOST_AUTO_TEST_CASE(lists_and_comprehensions) {
  BOOST_TEST(expr("[]") == "[]");
  BOOST_TEST(expr("[1]") == "[1]");
  BOOST_TEST(expr("[a, b, \"c\"]") == "[a b \"c\"]");
  BOOST_TEST(expr("[[1, 2], []]") == "[[1 2] []]");
  BOOST_TEST(expr("[x.a for x in items]") == "(for (. x a) x items)");
  BOOST_TEST(expr("[x for x in items where x.depth == 0]") ==
             "(for x x items where (== (. x depth) 0))");
}

BOOST_AUTO_TEST_CASE(comprehension_as_call_argument) {
  const parsed p =
      parse_ok("let x = sum(s.region for s in item.subitems where s.channel == \"block\")\n");
  const auto& value = p.get<ast::let_decl>(0).value;
  BOOST_TEST(
      sexpr(value) ==
      "(call sum (for (. s region) s (. item subitems) where (== (. s channel) \"block\")))");
  const auto& c = node<ast::call>(value);
  BOOST_TEST(c.function == "sum");
  BOOST_TEST(p.slice(c.name_span) == "sum");
  BOOST_TEST(p.slice(value.where) ==
             "sum(s.region for s in item.subitems where s.channel == \"block\")");
  BOOST_TEST_REQUIRE(c.args.size() == 1u);
  const auto& comp = node<ast::comprehension>(c.args[0]);
  BOOST_TEST(p.slice(c.args[0].where) ==
             "s.region for s in item.subitems where s.channel == \"block\"");
  BOOST_TEST(comp.var == "s");
  BOOST_TEST(p.slice(comp.var_span) == "s");
  BOOST_TEST(p.slice(comp.source->where) == "item.subitems");
  BOOST_TEST(p.slice(comp.filter->where) == "s.channel == \"block\"");
  BOOST_TEST(expr("all(t.to in recipient_ids for t in transfers)") ==
             "(call all (for (in (. t to) recipient_ids) t transfers))");
  BOOST_TEST(expr("count(recipients)") == "(call count recipients)");
}

BOOST_AUTO_TEST_CASE(unary_operators) {
  BOOST_TEST(expr("-a") == "(neg a)");
  BOOST_TEST(expr("- - a") == "(neg (neg a))");
  BOOST_TEST(expr("-a.b") == "(neg (. a b))");
  BOOST_TEST(expr("not a") == "(not a)");
  BOOST_TEST(expr("not not a") == "(not (not a))");
  BOOST_TEST(expr("not a == b") == "(not (== a b))");
  BOOST_TEST(expr("-a * b") == "(* (neg a) b)");
}

BOOST_AUTO_TEST_CASE(binary_operators) {
  BOOST_TEST(expr("a + b") == "(+ a b)");
  BOOST_TEST(expr("a - b") == "(- a b)");
  BOOST_TEST(expr("a * b") == "(* a b)");
  BOOST_TEST(expr("a / b") == "(/ a b)");
  BOOST_TEST(expr("a == b") == "(== a b)");
  BOOST_TEST(expr("a != b") == "(!= a b)");
  BOOST_TEST(expr("a < b") == "(< a b)");
  BOOST_TEST(expr("a <= b") == "(<= a b)");
  BOOST_TEST(expr("a > b") == "(> a b)");
  BOOST_TEST(expr("a >= b") == "(>= a b)");
  BOOST_TEST(expr("a ~= b") == "(~= a b)");
  BOOST_TEST(expr("a in b") == "(in a b)");
  BOOST_TEST(expr("a not in [1, 2]") == "(not-in a [1 2])");
  BOOST_TEST(expr("a and b") == "(and a b)");
  BOOST_TEST(expr("a or b") == "(or a b)");
  BOOST_TEST(expr("a implies b") == "(implies a b)");
  BOOST_TEST(expr("a == b within 0.01") == "(== a b within 0.01)");
  BOOST_TEST(expr("a+b*c-d/e") == "(- (+ a (* b c)) (/ d e))");
}

BOOST_AUTO_TEST_CASE(precedence_and_associativity) {
  BOOST_TEST(expr("a - b - c") == "(- (- a b) c)");
  BOOST_TEST(expr("a / b / c") == "(/ (/ a b) c)");
  BOOST_TEST(expr("a - (b - c)") == "(- a (- b c))");
  BOOST_TEST(expr("a implies b implies c") == "(implies a (implies b c))");
  BOOST_TEST(expr("a or b implies c or d") == "(implies (or a b) (or c d))");
  BOOST_TEST(expr("a or b and c") == "(or a (and b c))");
  BOOST_TEST(expr("a and b or c") == "(or (and a b) c)");
  BOOST_TEST(expr("not a and b") == "(and (not a) b)");
  BOOST_TEST(expr("a + 1 == b * 2") == "(== (+ a 1) (* b 2))");
  BOOST_TEST(expr("a == b + c within d - e") == "(== a (+ b c) within (- d e))");
  BOOST_TEST(expr("x in items or y") == "(or (in x items) y)");
  BOOST_TEST(expr("if a then b else c") == "(if a b c)");
  BOOST_TEST(expr("if a or b then c + 1 else if d then e else f") ==
             "(if (or a b) (+ c 1) (if d e f))");
  BOOST_TEST(expr("if a then b else c implies d") == "(if a b (implies c d))");
  BOOST_TEST(expr("(if a then b else c) + 1") == "(+ (if a b c) 1)");
  BOOST_TEST(expr("-(a + b)") == "(neg (+ a b))");
}

BOOST_AUTO_TEST_CASE(binary_spans) {
  const parsed p = parse_ok("let x = (a + b) * c ~= d\n");
  const auto& value = p.get<ast::let_decl>(0).value;
  const auto& approx = node<ast::binary>(value);
  BOOST_TEST(p.slice(value.where) == "(a + b) * c ~= d");
  BOOST_TEST(p.slice(approx.op_span) == "~=");
  const auto& product = node<ast::binary>(*approx.lhs);
  BOOST_TEST(p.slice(approx.lhs->where) == "(a + b) * c");
  BOOST_TEST(p.slice(product.op_span) == "*");
  BOOST_TEST(p.slice(product.lhs->where) == "a + b");  // parentheses are not part of the node
}

BOOST_AUTO_TEST_CASE(other_spans) {
  const parsed p = parse_ok(
      "let x = if a then -b else not c\n"
      "let y = x == 1 within 0.5\n"
      "let z = [1, 2] + f(a)\n"
      "let w = y not in z\n");
  const auto& cond = p.get<ast::let_decl>(0).value;
  BOOST_TEST(p.slice(cond.where) == "if a then -b else not c");
  const auto& c = node<ast::conditional>(cond);
  BOOST_TEST(p.slice(c.then_branch->where) == "-b");
  BOOST_TEST(p.slice(c.else_branch->where) == "not c");
  const auto& within = node<ast::binary>(p.get<ast::let_decl>(1).value);
  BOOST_TEST(p.slice(within.tolerance->where) == "0.5");
  BOOST_TEST(p.slice(p.get<ast::let_decl>(1).value.where) == "x == 1 within 0.5");
  const auto& sum = node<ast::binary>(p.get<ast::let_decl>(2).value);
  BOOST_TEST(p.slice(sum.lhs->where) == "[1, 2]");
  BOOST_TEST(p.slice(sum.rhs->where) == "f(a)");
  const auto& not_in = node<ast::binary>(p.get<ast::let_decl>(3).value);
  BOOST_TEST(p.slice(not_in.op_span) == "not in");
}

BOOST_AUTO_TEST_CASE(literal_and_name_spans) {
  const parsed p = parse_ok("let x = [\"æ\\n\", 0.5, none, true, beløb, f(y)]\n");
  const auto& list = node<ast::list_literal>(p.get<ast::let_decl>(0).value);
  BOOST_TEST_REQUIRE(list.elements.size() == 6u);
  BOOST_TEST(p.slice(list.elements[0].where) == "\"æ\\n\"");
  BOOST_TEST(p.slice(list.elements[1].where) == "0.5");
  BOOST_TEST(p.slice(list.elements[2].where) == "none");
  BOOST_TEST(p.slice(list.elements[3].where) == "true");
  BOOST_TEST(p.slice(list.elements[4].where) == "beløb");
  BOOST_TEST(p.slice(list.elements[5].where) == "f(y)");
  BOOST_TEST(p.slice(node<ast::call>(list.elements[5]).args[0].where) == "y");
}

BOOST_AUTO_TEST_CASE(spans_of_folded_chains_include_parentheses) {
  const parsed p = parse_ok(
      "let x = (a) - b - (c)\n"
      "let y = (a) implies (b) implies c\n"
      "let z = (a).b[0]\n"
      "let w = sum((e) for e in l)\n");
  const auto& left = node<ast::binary>(p.get<ast::let_decl>(0).value);
  BOOST_TEST(p.slice(p.get<ast::let_decl>(0).value.where) == "(a) - b - (c)");
  BOOST_TEST(p.slice(left.lhs->where) == "(a) - b");
  BOOST_TEST(p.slice(left.rhs->where) == "c");
  const auto& right = node<ast::binary>(p.get<ast::let_decl>(1).value);
  BOOST_TEST(p.slice(p.get<ast::let_decl>(1).value.where) == "(a) implies (b) implies c");
  BOOST_TEST(p.slice(right.rhs->where) == "(b) implies c");
  BOOST_TEST(p.slice(right.op_span) == "implies");
  const auto& index = node<ast::index_access>(p.get<ast::let_decl>(2).value);
  BOOST_TEST(p.slice(p.get<ast::let_decl>(2).value.where) == "(a).b[0]");
  BOOST_TEST(p.slice(index.object->where) == "(a).b");
  const auto& call = node<ast::call>(p.get<ast::let_decl>(3).value);
  BOOST_TEST(p.slice(call.args[0].where) == "(e) for e in l");
}

BOOST_AUTO_TEST_CASE(whitespace_and_comments_inside_expressions) {
  BOOST_TEST(expr("a +   # comment\n  b") == "(+ a b)");
  BOOST_TEST(expr("f(\n  a,\n  b\n)") == "(call f a b)");
  BOOST_TEST(expr("a not   in b") == "(not-in a b)");
}

// -------------------------------------------------------------------------------- messages

BOOST_AUTO_TEST_CASE(message_holes_and_escapes) {
  const parsed p = parse_ok(
      "rule R error \"t\" {\n"
      "  expect x\n"
      "  message \"a \\{literal\\} {x}{ y + 1 } \\\"q\\\" {f(z)[0]}\"\n"
      "}\n");
  const auto& m = *p.get<ast::rule_decl>(0).message;
  BOOST_TEST_REQUIRE(m.parts.size() == 5u);
  BOOST_TEST(m.parts[0].text == "a {literal} ");
  BOOST_TEST(sexpr(*m.parts[1].hole) == "x");
  BOOST_TEST(sexpr(*m.parts[2].hole) == "(+ y 1)");
  BOOST_TEST(p.slice(m.parts[2].hole->where) == "y + 1");
  BOOST_TEST(m.parts[3].text == " \"q\" ");
  BOOST_TEST(sexpr(*m.parts[4].hole) == "([] (call f z) 0)");
  BOOST_TEST(p.slice(m.parts[4].hole->where) == "f(z)[0]");
}

BOOST_AUTO_TEST_CASE(message_without_holes_and_empty_message) {
  const parsed p = parse_ok(
      "rule R error \"t\" { expect x message \"plain # not a comment\" }\n"
      "rule S error \"t\" { expect x message \"\" }\n");
  const auto& m = *p.get<ast::rule_decl>(0).message;
  BOOST_TEST_REQUIRE(m.parts.size() == 1u);
  BOOST_TEST(m.parts[0].text == "plain # not a comment");
  BOOST_TEST(p.get<ast::rule_decl>(1).message->parts.empty());
}

BOOST_AUTO_TEST_CASE(braces_are_plain_text_in_other_strings) {
  const parsed p = parse_ok("rule R error \"a {b} }\" { expect \"{x}\" == y }\n");
  BOOST_TEST(p.get<ast::rule_decl>(0).title == "a {b} }");
}

// ------------------------------------------------------------------------------ errors

BOOST_AUTO_TEST_CASE(expected_expression) {
  BOOST_TEST(errors("let x = )\n") == one("1:9 E1001 expected expression, found ')'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x =") == one("1:8 E1001 expected expression, found end of file"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = 1 +\n") == one("1:12 E1001 expected expression, found end of file"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = f(a, )\n") == one("1:14 E1001 expected expression, found ')'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = 12abc\n") == one("1:9 E1001 expected expression, found '12abc'"),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(expected_closing_delimiter_with_note) {
  const parsed p = parse("let a = (1 + 2\nlet b = 3\n");
  BOOST_TEST(p.rendered() ==
             "test.rules:2:1: error[E1001]: expected ')', found 'let'\n"
             "    2 | let b = 3\n"
             "      | ^~~\n"
             "test.rules:1:9: note: to match this '('\n"
             "    1 | let a = (1 + 2\n"
             "      |         ^\n"
             "1 error generated.\n");
  BOOST_TEST(p.result.file.declarations.size() == 1u);  // `let b` is parsed after recovery
}

BOOST_AUTO_TEST_CASE(missing_closing_brace_of_a_rule) {
  const parsed p = parse(
      "rule R error \"t\" {\n"
      "  expect a\n"
      "\n"
      "rule S error \"u\" { expect b }\n");
  BOOST_TEST(p.rendered() ==
             "test.rules:4:1: error[E1001]: expected '}' to close the rule, found 'rule'\n"
             "    4 | rule S error \"u\" { expect b }\n"
             "      | ^~~~\n"
             "test.rules:1:18: note: to match this '{'\n"
             "    1 | rule R error \"t\" {\n"
             "      |                  ^\n"
             "1 error generated.\n");
  BOOST_TEST_REQUIRE(p.result.file.declarations.size() == 1u);
  BOOST_TEST(p.get<ast::rule_decl>(0).id.name == "S");
}

BOOST_AUTO_TEST_CASE(rule_structure_errors) {
  BOOST_TEST(errors("rule R error \"t\" { }") == one("1:20 E1001 expected 'expect', found '}'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("rule R fatal \"t\" { expect a }") ==
                 one("1:8 E1001 expected severity ('error', 'warning' or 'note'), found 'fatal'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("rule R error { expect a }") ==
                 one("1:14 E1001 expected rule title (a string), found '{'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("rule \"t\" error { expect a }") ==
                 one("1:6 E1001 expected rule id, found string \"t\""),
             boost::test_tools::per_element());
  BOOST_TEST(
      errors("rule R error \"t\" expect a }") == one("1:18 E1001 expected '{', found 'expect'"),
      boost::test_tools::per_element());
  BOOST_TEST(errors("rule R error \"t\" { expect a when b }") ==
                 one("1:29 E1001 expected '}' to close the rule, found 'when'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("rule R error \"t\" { for x items expect a }") ==
                 one("1:26 E1001 expected 'in', found 'items'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("rule R error \"t\" { expect a message b }") ==
                 one("1:37 E1001 expected message (a string), found 'b'"),
             boost::test_tools::per_element());
  BOOST_TEST(
      errors("let x = if a then b\n") == one("1:20 E1001 expected 'else', found end of file"),
      boost::test_tools::per_element());
  BOOST_TEST(
      errors("import common\n") == one("1:8 E1001 expected file path (a string), found 'common'"),
      boost::test_tools::per_element());
  BOOST_TEST(errors("columns a,\n") == one("1:11 E1001 expected column name, found end of file"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x 1\n") == one("1:7 E1001 expected '=', found '1'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("x = 1\n") ==
                 one("1:1 E1001 expected declaration ('format', 'import', 'columns', 'param', 'let' "
                     "or 'rule'), found 'x'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = a.\n") == one("1:11 E1001 expected field name, found end of file"),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(single_equals_gets_a_hint) {
  BOOST_TEST(errors("rule R error \"t\" { expect a = b }") ==
                 one("1:29 E1001 expected '}' to close the rule, found '=' (use '==' to "
                     "compare)"),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(keywords_are_reserved) {
  BOOST_TEST(
      errors("let in = 1\n") == one("1:5 E1009 'in' is a keyword and cannot be used as a name"),
      boost::test_tools::per_element());
  BOOST_TEST(errors("param rule = 1\n") ==
                 one("1:7 E1009 'rule' is a keyword and cannot be used as a name"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = a.where\n") ==
                 one("1:11 E1009 'where' is a keyword and cannot be used as a field name"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("rule R error \"t\" { for then in x expect a }") ==
                 one("1:24 E1009 'then' is a keyword and cannot be used as a variable name"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("columns a, note\n") ==
                 one("1:12 E1009 'note' is a keyword and cannot be used as a column name"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = message\n") == one("1:9 E1001 expected expression, found 'message'"),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(comparisons_do_not_chain) {
  BOOST_TEST(
      errors("let x = a < b < c\n") ==
          one("1:15 E1008 comparison operators do not chain; combine comparisons with 'and'"),
      boost::test_tools::per_element());
  BOOST_TEST(
      errors("let x = a == b == c\n") ==
          one("1:16 E1008 comparison operators do not chain; combine comparisons with 'and'"),
      boost::test_tools::per_element());
  BOOST_TEST(
      errors("let x = a in b not in c\n") ==
          one("1:16 E1008 comparison operators do not chain; combine comparisons with 'and'"),
      boost::test_tools::per_element());
  BOOST_TEST(
      errors("let x = a == b within 1 < 2\n") ==
          one("1:25 E1008 comparison operators do not chain; combine comparisons with 'and'"),
      boost::test_tools::per_element());
  BOOST_TEST(errors("let x = a < b and b < c\n").empty());
}

BOOST_AUTO_TEST_CASE(within_only_after_equality) {
  BOOST_TEST(errors("let x = a <= b within 1\n") == one("1:11 E1015 'within' applies only to '=='"),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(comprehension_must_stand_alone) {
  BOOST_TEST(errors("let x = sum(a, b for b in c)\n") ==
                 one("1:12 E1014 a comprehension must be the only argument of 'sum'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = [a, b for b in c]\n") ==
                 one("1:9 E1014 a list comprehension has exactly one element expression before "
                     "'for'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = [for b in c]\n") ==
                 one("1:9 E1014 a list comprehension has exactly one element expression before "
                     "'for'"),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(string_errors) {
  BOOST_TEST(errors("let s = \"abc\n") == one("1:9 E1002 unterminated string"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let s = \"abc") == one("1:9 E1002 unterminated string"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let s = \"a\\qb\"\n") ==
                 one("1:11 E1003 invalid escape sequence '\\q' (valid are \\\" \\\\ \\n \\t \\{ "
                     "\\})"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let s = \"a\\øb\"\n") ==
                 one("1:11 E1003 invalid escape sequence '\\ø' (valid are \\\" \\\\ \\n \\t \\{ "
                     "\\})"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let s = \"a\\\nlet t = 1\n") ==
                 one("1:11 E1003 incomplete escape sequence at the end of the line"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("rule R error \"t\" { expect a message \"x {a} } y\" }\n") ==
                 one("1:44 E1013 unmatched '}' in message; write '\\}' for a literal brace"),
             boost::test_tools::per_element());
  BOOST_TEST(
      errors("rule R error \"t\" { expect a message \"x {a\" }\n") ==
          one("1:42 E1001 expected '}' after the interpolated expression, found string \" }"),
      boost::test_tools::per_element());
  BOOST_TEST(errors("rule R error \"t\" { expect a message \"x {} y\" }\n") ==
                 one("1:41 E1001 expected expression, found '}'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("rule R error \"t\" { expect a message \"x {a\n}\n") ==
                 one("1:37 E1002 unterminated string"),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(unterminated_string_is_underlined_to_the_end_of_the_line) {
  const parsed p = parse("let s = \"Kræftplan\n");
  BOOST_TEST(p.rendered() ==
             "test.rules:1:9: error[E1002]: unterminated string\n"
             "    1 | let s = \"Kræftplan\n"
             "      |         ^~~~~~~~~~\n"
             "1 error generated.\n");
}

BOOST_AUTO_TEST_CASE(unexpected_characters) {
  BOOST_TEST(errors("let x = 1;\n") == one("1:10 E1004 unexpected character ';'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = a && b\n") == one("1:11 E1004 unexpected character '&' (use 'and')"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = a || b\n") == one("1:11 E1004 unexpected character '|' (use 'or')"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = !a\n") ==
                 one("1:9 E1004 unexpected character '!' (use 'not', or '!=' to compare)"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = $\n") == one("1:9 E1004 unexpected character '$'"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let x = \x01\n") == one("1:9 E1004 unexpected character U+0001"),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(columns_in_diagnostics_count_code_points) {
  const parsed p = parse("let æøå = \"ÆØÅ\" + ;\n");
  BOOST_TEST(p.rendered() ==
             "test.rules:1:19: error[E1004]: unexpected character ';'\n"
             "    1 | let æøå = \"ÆØÅ\" + ;\n"
             "      |                   ^\n"
             "1 error generated.\n");
}

BOOST_AUTO_TEST_CASE(several_errors_in_one_file) {
  const parsed p = parse(
      "columns national, region\n"
      "let a = (1 + 2\n"
      "let b = a * 2\n"
      "rule R1 error \"missing expect\" {\n"
      "  for x in items\n"
      "  when x > 1\n"
      "}\n"
      "rule R2 warning \"fine\" { expect b > 0 }\n"
      "let c = a < b < 3\n"
      "param d = \"unterminated\n"
      "let e = 1\n");
  BOOST_TEST(p.rendered() ==
             "test.rules:3:1: error[E1001]: expected ')', found 'let'\n"
             "    3 | let b = a * 2\n"
             "      | ^~~\n"
             "test.rules:2:9: note: to match this '('\n"
             "    2 | let a = (1 + 2\n"
             "      |         ^\n"
             "test.rules:7:1: error[E1001]: expected 'expect', found '}'\n"
             "    7 | }\n"
             "      | ^\n"
             "test.rules:9:15: error[E1008]: comparison operators do not chain; combine "
             "comparisons with 'and'\n"
             "    9 | let c = a < b < 3\n"
             "      |               ^\n"
             "test.rules:10:11: error[E1002]: unterminated string\n"
             "   10 | param d = \"unterminated\n"
             "      |           ^~~~~~~~~~~~~\n"
             "4 errors generated.\n");
  // columns, b, R2 and e survive.
  BOOST_TEST_REQUIRE(p.result.file.declarations.size() == 4u);
  BOOST_TEST(p.get<ast::let_decl>(1).name.name == "b");
  BOOST_TEST(p.get<ast::rule_decl>(2).id.name == "R2");
  BOOST_TEST(p.get<ast::let_decl>(3).name.name == "e");
  BOOST_TEST(!p.result.ok());
}

BOOST_AUTO_TEST_CASE(error_limit) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += "let x = )\n";
  dsl::parse_limits limits;
  limits.max_errors = 3;
  BOOST_TEST(errors(text, limits).size() == 3u);
  limits.max_errors = 0;  // no limit
  BOOST_TEST(errors(text, limits).size() == 10u);
  BOOST_TEST(errors(text).size() == 10u);
}

BOOST_AUTO_TEST_CASE(recovery_skips_to_a_declaration_keyword_at_a_line_start) {
  const parsed p = parse(
      "let a = ) let b = 1\n"  // `let b` is on the same line: skipped
      "   # comment\n"
      "  let c = 2\n");  // indented keyword lines count
  BOOST_TEST(p.result.diagnostics.size() == 1u);
  BOOST_TEST_REQUIRE(p.result.file.declarations.size() == 1u);
  BOOST_TEST(p.get<ast::let_decl>(0).name.name == "c");
}

// ----------------------------------------------------------------------------- limits

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

const std::string too_deep_256 = " E1005 expression nested too deeply (the limit is 256 levels)";

BOOST_AUTO_TEST_CASE(deep_parentheses_give_a_diagnostic) {
  const std::size_t n = 100000;
  const auto result = errors("let a = " + repeat("(", n) + "1" + repeat(")", n) + "\nlet b = 2\n");
  BOOST_TEST(result == one("1:265" + too_deep_256), boost::test_tools::per_element());
  const parsed p = parse("let a = " + repeat("(", n) + "1" + repeat(")", n) + "\nlet b = 2\n");
  BOOST_TEST_REQUIRE(p.result.file.declarations.size() == 1u);
  BOOST_TEST(p.get<ast::let_decl>(0).name.name == "b");
}

BOOST_AUTO_TEST_CASE(deep_prefix_operators_give_a_diagnostic) {
  const std::size_t n = 100000;
  BOOST_TEST(errors("let a = " + repeat("-", n) + "1\n") == one("1:265" + too_deep_256),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let a = " + repeat("not ", n) + "x\n") == one("1:1033" + too_deep_256),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let a = " + repeat("[", n) + "\n") == one("1:265" + too_deep_256),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let a = " + repeat("f(", n) + "\n") == one("1:521" + too_deep_256),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let a = " + repeat("if a then b else ", n) + "c\n").size() == 1u);
  BOOST_TEST(errors("let a = " + repeat("-(not [", 40000) + "\n").size() == 1u);
}

BOOST_AUTO_TEST_CASE(long_operator_chains_give_a_diagnostic) {
  const std::size_t n = 100000;
  const std::string chain_error =
      " E1005 expression too long: 100000 operators in a row nest too deeply (the limit is 256 "
      "levels)";
  BOOST_TEST(errors("let a = 1" + repeat(" + 1", n) + "\n") == one("1:9" + chain_error),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let a = x" + repeat(".f", n) + "\n") == one("1:9" + chain_error),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let a = x" + repeat(" implies x", n) + "\n") == one("1:9" + chain_error),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let a = 1" + repeat(" + 1", 200) + "\n").empty());
}

BOOST_AUTO_TEST_CASE(nesting_up_to_the_limit_is_fine) {
  // The whole expression is one level: 255 parentheses fit in 256.
  BOOST_TEST(errors("let a = " + repeat("(", 255) + "1" + repeat(")", 255) + "\n").empty());
  BOOST_TEST(errors("let a = " + repeat("(", 256) + "1" + repeat(")", 256) + "\n").size() == 1u);
  dsl::parse_limits limits;
  limits.max_nesting = 3;
  BOOST_TEST(errors("let a = ((1))\n", limits).empty());
  BOOST_TEST(errors("let a = (((1)))\n", limits) ==
                 one("1:12 E1005 expression nested too deeply (the limit is 3 levels)"),
             boost::test_tools::per_element());
  BOOST_TEST(errors("let a = - - -1\n", limits) ==
                 one("1:14 E1005 expression nested too deeply (the limit is 3 levels)"),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(file_size_limit) {
  dsl::parse_limits limits;
  limits.max_file_bytes = 10;
  BOOST_TEST(errors("let a = 1\n", limits).empty());
  BOOST_TEST(
      errors("let a = 12\n", limits) == one("1:1 E1006 file too large: 11 bytes (the limit is 10)"),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(invalid_utf8_gives_one_diagnostic) {
  const parsed p = parse("let a = 1\nlet b = \"x\xC3(\" + \xFF\n");
  BOOST_TEST(p.rendered() ==
             "test.rules:2:11: error[E1007]: invalid UTF-8 (byte 0xC3); rule files must be "
             "UTF-8 text\n"
             "    2 | let b = \"x\xEF\xBF\xBD(\" + \xEF\xBF\xBD\n"
             "      |           ^\n"
             "1 error generated.\n");
  BOOST_TEST(p.result.file.declarations.empty());
  BOOST_TEST(errors("# \xED\xA0\x80 surrogate in a comment\n") ==
                 one("1:3 E1007 invalid UTF-8 (byte 0xED); rule files must be UTF-8 text"),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(diagnostics_are_sorted_and_carry_the_source) {
  const parsed p = parse("let a = )\nlet b = sum(x, y for y in z)\nlet c = )\n");
  BOOST_TEST_REQUIRE(p.result.diagnostics.size() == 3u);
  BOOST_TEST(p.result.diagnostics[0].code == "E1001");
  BOOST_TEST(p.result.diagnostics[1].code == "E1014");
  BOOST_TEST(p.result.diagnostics[2].code == "E1001");
  for (const auto& d : p.result.diagnostics) BOOST_TEST(d.source == p.source);
}

BOOST_AUTO_TEST_CASE(a_format_declaration_names_the_proposals_a_file_checks) {
  const auto p = parse_ok("format \"fundcheck/budget-form@1\"\nlet f = proposal.format\n");
  const auto& f = p.get<ast::format_decl>(0);
  BOOST_TEST(f.value == "fundcheck/budget-form@1");
  BOOST_TEST(p.slice(f.value_span) == "\"fundcheck/budget-form@1\"");
  // `format` is a keyword only where a declaration starts: a field may still be called so.
  BOOST_TEST(std::holds_alternative<ast::let_decl>(p.decl(1)));
  BOOST_TEST(errors("format budget\n") ==
                 one("1:8 E1001 expected proposal format (a string, e.g. \"fundcheck/allocation@1\"), found 'budget'"),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()
