// The rule catalogue in Markdown (catalogue.hpp).

#include "fundcheck/engine/catalogue.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "fundcheck/engine/rule_graph.hpp"

namespace fundcheck::engine {

namespace {

// Headings for the formats fundcheck knows; another format is shown by its name alone.
std::string format_heading(std::string_view format) {
  if (format == "fundcheck/allocation@1") return fmt::format("Allocation tables (`{}`)", format);
  if (format == "fundcheck/budget-form@1") return fmt::format("Budget proposal forms (`{}`)", format);
  return fmt::format("`{}`", format);
}

// GitHub's heading anchors: lower case, spaces as '-', other punctuation but '-' and '_' dropped.
std::string anchor(std::string_view id) {
  std::string out;
  for (char c : id) {
    if (c >= 'A' && c <= 'Z') out += static_cast<char>(c - 'A' + 'a');
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') out += c;
    else if (c == ' ') out += '-';
  }
  return out;
}

// A doc comment as Markdown paragraphs: lines joined with spaces, an empty `##` line a break.
std::string paragraphs(const std::string& doc) {
  std::string out, line;
  bool blank_pending = false;
  auto flush = [&](std::string_view l) {
    const auto start = l.find_first_not_of(' ');
    if (start == std::string_view::npos) {
      blank_pending = !out.empty();
      return;
    }
    if (blank_pending) out += "\n\n";
    else if (!out.empty()) out += ' ';
    blank_pending = false;
    out += l.substr(start);
  };
  std::size_t pos = 0;
  while (pos <= doc.size()) {
    const auto nl = doc.find('\n', pos);
    flush(std::string_view(doc).substr(pos, nl == std::string::npos ? std::string::npos : nl - pos));
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  return out;
}

// One line for a table cell: paragraphs joined, '|' escaped.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : paragraphs(text)) {
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

// A Markdown code span that survives backticks inside.
std::string code(std::string_view text) {
  std::size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(longest + 1, '`');
  const bool pad = !text.empty() && (text.front() == '`' || text.back() == '`');
  return fence + (pad ? " " : "") + std::string(text) + (pad ? " " : "") + fence;
}

std::string severity_word(dsl::ast::severity s) {
  switch (s) {
    case dsl::ast::severity::error: return "error";
    case dsl::ast::severity::warning: return "warning";
    case dsl::ast::severity::note: return "note";
  }
  return "error";
}

std::string default_text(const constant_value& v) {
  switch (v.t.kind) {
    case type_kind::number: return v.number.to_string();
    case type_kind::boolean: return v.flag ? "true" : "false";
    case type_kind::string: return "\"" + v.text + "\"";
    default: return "none";
  }
}

// The message template as written, holes and all; literal braces escaped as in the language.
std::string message_template(const program& p, const rule_def& r) {
  std::string out;
  for (const auto& part : r.message) {
    if (part.hole != no_node) {
      out += '{';
      out += p.text_of(part.hole);
      out += '}';
      continue;
    }
    for (char c : part.text) {
      if (c == '{' || c == '}') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
  }
  return out;
}

std::string place(const program& p, std::uint16_t file, dsl::span where) {
  const auto& src = p.sources[file];
  return fmt::format("{}:{}", src->path(), src->locate(where.begin).line);
}

// A rule's definitions and parameters, including those it reaches through definitions.
struct closure {
  std::set<std::uint32_t> definitions, params;
};

closure uses_closure(const direct_uses& start, const std::vector<direct_uses>& def_uses) {
  closure c;
  c.params.insert(start.params.begin(), start.params.end());
  std::vector<std::uint32_t> todo(start.definitions.begin(), start.definitions.end());
  while (!todo.empty()) {
    const auto d = todo.back();
    todo.pop_back();
    if (!c.definitions.insert(d).second) continue;
    c.params.insert(def_uses[d].params.begin(), def_uses[d].params.end());
    todo.insert(todo.end(), def_uses[d].definitions.begin(), def_uses[d].definitions.end());
  }
  return c;
}

void program_section(std::string& out, const program& p) {
  out += fmt::format("## {}\n\n", format_heading(p.schema_def->format));
  std::vector<std::string> files;
  for (const auto& s : p.sources) files.push_back(code(s->path()));
  out += fmt::format("Rule file{}: {}.", files.size() == 1 ? "" : "s", fmt::join(files, ", "));
  if (!p.columns.empty()) {
    std::vector<std::string> cols;
    for (const auto& c : p.columns) cols.push_back(code(c));
    out += fmt::format(" Amount columns: {}.", fmt::join(cols, ", "));
  }
  out += "\n\n";

  std::vector<direct_uses> def_uses;
  for (std::uint32_t i = 0; i < p.definitions.size(); ++i) def_uses.push_back(uses_of_definition(p, i));
  std::vector<direct_uses> rule_uses;
  std::vector<closure> rule_closure;
  for (std::uint32_t i = 0; i < p.rules.size(); ++i) {
    rule_uses.push_back(uses_of_rule(p, i));
    rule_closure.push_back(uses_closure(rule_uses.back(), def_uses));
  }
  auto users_of = [&](auto pred) {
    std::vector<std::string> ids;
    for (std::uint32_t r = 0; r < p.rules.size(); ++r)
      if (pred(rule_closure[r])) ids.push_back(fmt::format("[{}](#{})", p.rules[r].id, anchor(p.rules[r].id)));
    return ids.empty() ? std::string("no rule") : fmt::format("{}", fmt::join(ids, ", "));
  };

  if (p.rules.empty()) {
    out += "No rules.\n\n";
  } else {
    out += "| rule | severity | title |\n|---|---|---|\n";
    for (const auto& r : p.rules)
      out += fmt::format("| [{}](#{}) | {} | {} |\n", r.id, anchor(r.id), severity_word(r.severity), cell(r.title));
    out += '\n';
  }

  if (!p.params.empty()) {
    out += "### Parameters\n\nA parameter's default can be changed for one run: `fundcheck check --param NAME=VALUE`.\n\n";
    out += "| parameter | default | meaning | used by | defined in |\n|---|---|---|---|---|\n";
    for (std::uint32_t i = 0; i < p.params.size(); ++i) {
      const auto& q = p.params[i];
      out += fmt::format("| {} | {} | {} | {} | {} |\n", code(q.name), code(default_text(q.default_value)),
                         q.doc.empty() ? std::string("—") : cell(q.doc),
                         users_of([&](const closure& c) { return c.params.count(i) > 0; }),
                         code(place(p, q.file, q.where)));
    }
    out += '\n';
  }
  if (!p.definitions.empty()) {
    out += "### Definitions\n\nNamed values the rules compute once per proposal.\n\n";
    out += "| definition | meaning | used by | defined in |\n|---|---|---|---|\n";
    // In source order, as a reader of the rule file meets them (the program keeps evaluation order).
    std::vector<std::uint32_t> order(p.definitions.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](auto a, auto b) {
      const auto& x = p.definitions[a];
      const auto& y = p.definitions[b];
      return std::tie(x.file, x.where.begin) < std::tie(y.file, y.where.begin);
    });
    for (auto i : order) {
      const auto& d = p.definitions[i];
      out += fmt::format("| {} | {} | {} | {} |\n", code(d.name), d.doc.empty() ? std::string("—") : cell(d.doc),
                         users_of([&](const closure& c) { return c.definitions.count(i) > 0; }),
                         code(place(p, d.file, d.where)));
    }
    out += '\n';
  }

  for (std::uint32_t i = 0; i < p.rules.size(); ++i) {
    const auto& r = p.rules[i];
    out += fmt::format("### {}\n\n**{}**\n\n", r.id, r.title);
    if (r.doc.empty())
      out += "*No description: the rule file has no `##` comment above this rule.*\n\n";
    else
      out += paragraphs(r.doc) + "\n\n";
    out += fmt::format("- **Severity:** {}\n", severity_word(r.severity));
    if (r.message.empty())
      out += "- **Message:** the title (the rule has no message of its own)\n";
    else
      out += fmt::format("- **Message:** {}\n", code(message_template(p, r)));
    // What it reads itself and through its definitions: what a change of the proposal can affect.
    std::set<input_ref> inputs(rule_uses[i].inputs.begin(), rule_uses[i].inputs.end());
    for (auto d : rule_closure[i].definitions) inputs.insert(def_uses[d].inputs.begin(), def_uses[d].inputs.end());
    std::vector<std::string> reads;
    for (const auto& in : inputs) reads.push_back(code(input_label(p, in)));
    if (!reads.empty()) out += fmt::format("- **Reads:** {}\n", fmt::join(reads, ", "));
    std::vector<std::string> uses;
    for (auto q : rule_closure[i].params)
      uses.push_back(fmt::format("parameter {} (default {})", code(p.params[q].name),
                                 code(default_text(p.params[q].default_value))));
    std::vector<std::uint32_t> defs(rule_closure[i].definitions.begin(), rule_closure[i].definitions.end());
    for (auto d : defs) uses.push_back(fmt::format("definition {}", code(p.definitions[d].name)));
    if (!uses.empty()) out += fmt::format("- **Uses:** {}\n", fmt::join(uses, ", "));
    out += fmt::format("- **Defined in:** {}\n\n", code(place(p, r.file, r.where)));
  }
}

}  // namespace

std::string rule_catalogue_markdown(const rule_set& rules) {
  std::string out =
      "# Rule catalogue\n\n"
      "<!-- Generated by `fundcheck doc`; edit the rule files' `##` comments instead. -->\n\n"
      "What fundcheck checks, rule by rule: how serious a finding is (an **error** means the proposal is\n"
      "wrong, a **warning** that it should be looked at, a **note** is for information), what the rule\n"
      "checks in plain words, and the message a finding shows, where `{…}` is filled in from the\n"
      "proposal (`{lhs}` and `{rhs}` are the two sides the rule compared).\n\n";
  for (const auto& p : rules.programs) program_section(out, *p);
  while (out.ends_with("\n\n")) out.pop_back();
  return out;
}

}  // namespace fundcheck::engine
