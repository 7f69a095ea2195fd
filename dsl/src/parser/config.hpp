#pragma once
// The one place that spells the parser's iterator, skipper and context types. Every grammar
// module is instantiated with exactly these; a mismatch shows up as a link error.

#include <boost/spirit/home/x3.hpp>

#include "parser/state.hpp"

namespace fundcheck::dsl::parser {

namespace x3 = boost::spirit::x3;

// The parse state is reached with x3::get<state_tag>(context).
struct state_tag;

using iterator_type = const char*;

// Whitespace and `#` comments (to the end of the line; `##` doc comments included: they are
// read back from the source text after parsing). ASCII classification only, so bytes >= 0x80
// are never whitespace.
inline constexpr auto skipper = x3::ascii::space | (x3::lit('#') >> *(x3::char_ - x3::eol));
using skipper_type = std::remove_cv_t<decltype(skipper)>;

using phrase_context_type = x3::phrase_parse_context<skipper_type>::type;
using context_type = x3::context<state_tag, parse_state, phrase_context_type>;

}  // namespace fundcheck::dsl::parser
