#pragma once
// Source positions for syntax tree nodes: the on_success hook every node-producing rule ID
// derives from, and the helper semantic actions use when they build a node from a raw range.

#include <type_traits>

#include "parser/config.hpp"
#include "parser/syntax.hpp"

namespace fundcheck::dsl::parser {

// Stores [begin, end) of what the rule matched, as byte offsets. X3 has already skipped the
// leading whitespace when it calls the hook. Rules whose attribute is not a node (a variant,
// or `unused` for rules that build their node in a semantic action) are left alone.
struct annotate_position {
  template <typename Iterator, typename Attribute, typename Context>
  void on_success(const Iterator& first, const Iterator& last, Attribute& attr,
                  const Context& context) const {
    if constexpr (std::is_base_of_v<syntax::tagged, Attribute>) {
      const parse_state& state = x3::get<state_tag>(context);
      attr.begin = state.offset_of(first);
      attr.end = state.offset_of(last);
    }
  }
};

// For semantic actions on x3::raw[...]: node.begin/end from the matched range.
template <typename Context, typename Range>
void tag_from_range(syntax::tagged& node, const Context& context, const Range& range) {
  const parse_state& state = x3::get<state_tag>(context);
  node.begin = state.offset_of(range.begin());
  node.end = state.offset_of(range.end());
}

}  // namespace fundcheck::dsl::parser
