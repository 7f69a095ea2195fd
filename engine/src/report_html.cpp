// The HTML report: one self-contained page per run, for reading on screen and printing on A4.
//
// Findings find their cell by JSON pointer: describe() gives each finding the pointer of the value
// it is about, and the page computes the pointer of every cell it draws with the same
// proposal::json_pointer, so the two meet without the renderer knowing any rule.

#include "fundcheck/engine/report_html.hpp"

#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "fundcheck/dsl/format.hpp"
#include "fundcheck/engine/sha256.hpp"
#include "report_html_style.hpp"

namespace fundcheck::engine {

namespace {

// ---------------------------------------------------------------------------------------------
// Escaping

constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD

// Appends `s` escaped for HTML text and (quoted) attribute values. Invalid UTF-8 and control
// characters other than tab and line breaks become U+FFFD, so the page stays well-formed
// whatever a file name or a proposal's text holds.
void escape(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        case '\t':
        case '\n':
        case '\r': out += static_cast<char>(c); break;
        default:
          if (c < 0x20 || c == 0x7f) out += replacement;
          else out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    const std::size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    bool ok = n != 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (ok) {
      const auto c1 = static_cast<unsigned char>(s[i + 1]);
      if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 >= 0xA0) || (c == 0xF0 && c1 < 0x90) ||
          (c == 0xF4 && c1 >= 0x90) || (c == 0xC2 && c1 < 0xA0))  // overlong, surrogate, > U+10FFFF, C1 control
        ok = false;
    }
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += replacement;
      ++i;
    }
  }
}

std::string esc(std::string_view s) {
  std::string out;
  escape(out, s);
  return out;
}

// Prose from a proposal: paragraphs at blank lines, line breaks kept.
std::string prose(std::string_view s) {
  std::string out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find("\n\n", start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view para = s.substr(start, end - start);
    while (!para.empty() && (para.front() == '\n' || para.front() == '\r')) para.remove_prefix(1);
    while (!para.empty() && (para.back() == '\n' || para.back() == '\r')) para.remove_suffix(1);
    if (!para.empty()) {
      out += "<p>";
      std::string text = esc(para);
      for (std::size_t at = 0; (at = text.find('\n', at)) != std::string::npos; at += 5) text.replace(at, 1, "<br>\n");
      out += text;
      out += "</p>";
    }
    start = end + 2;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Words: the page is for Danish budget officers, so its own texts are Danish.

std::string_view severity_word(dsl::level l) {
  switch (l) {
    case dsl::level::error: return "Fejl";
    case dsl::level::warning: return "Advarsel";
    case dsl::level::note: return "Note";
  }
  return "";
}

std::string_view severity_class(dsl::level l) {
  switch (l) {
    case dsl::level::error: return "sev-error";
    case dsl::level::warning: return "sev-warning";
    case dsl::level::note: return "sev-note";
  }
  return "";
}

std::string counted(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

struct label_entry {
  std::string_view key;  // "record.field" or "field"
  std::string_view label;
};

constexpr label_entry field_labels[] = {
    {"item.from", "Fra år"},
    {"transfer.from", "Fra"},
    {"transfer.amount", "Beløb"},
    {"transfer.year", "År"},
    {"total.kind", "Art"},
    {"title", "Titel"},
    {"source", "Kilde"},
    {"unit", "Enhed"},
    {"price_level", "Prisniveau"},
    {"decimals", "Decimaler"},
    {"locale", "Sprog"},
    {"note", "Note"},
    {"format", "Format"},
    {"id", "Id"},
    {"name", "Navn"},
    {"section", "Afsnit"},
    {"channel", "Kanal"},
    {"recipient", "Modtager"},
    {"earmark", "Øremærket til"},
    {"duration", "Varighed"},
    {"reduced_from", "Reduceres fra"},
    {"kind", "Art"},
    {"itemized", "Specificeret"},
    {"amount", "Beløb"},
    {"to", "Til"},
    {"share", "Andel (%)"},
    {"column", "Kolonne"},
    {"year", "År"},
    {"form", "Skema"},
    {"proposer", "Fremsat af"},
    {"purpose", "Formål og indhold"},
    {"administration_remarks", "Administrationens bemærkninger"},
    {"project_type", "Projekttype"},
    {"scalability", "Kan projektets omfang skaleres op eller ned?"},
    {"commitment_budgeting", "Kan forslaget tilsagnsbudgetteres?"},
    {"elaboration", "Evt. uddybende beskrivelse"},
    {"qualification_note", "Kvalificering"},
    {"agreement_text", "Første udkast til tekst til selve budgetaftalen"},
    {"un_goals_text", "Budgetinitiativets understøttelse af FN's verdensmål"},
    {"consequences", "Forslagets konsekvenser – økonomi, personale og tid"},
    {"pot", "Kasse"},
    {"goal", "Verdensmål"},
    {"contribution", "Bidrag"},
};

std::string field_label(std::string_view record, std::string_view field) {
  const std::string qualified = fmt::format("{}.{}", record, field);
  for (const auto& e : field_labels)
    if (e.key == qualified) return std::string(e.label);
  for (const auto& e : field_labels)
    if (e.key == field) return std::string(e.label);
  return std::string(field);
}

struct value_entry {
  std::string_view field, value, label;
};

constexpr value_entry value_labels[] = {
    {"channel", "block", "Blok"},
    {"channel", "direct", "Direkte tilskud"},
    {"section", "current", "Indeværende"},
    {"section", "already_allocated", "Allerede udmøntede midler"},
    {"section", "all", "Samlet"},
    {"duration", "one-off", "Etårig"},
    {"duration", "permanent", "Varig"},
    {"duration", "unspecified", "Ikke angivet"},
    {"kind", "block", "Blok"},
    {"kind", "direct", "Direkte tilskud"},
    {"kind", "total", "I alt"},
    {"kind", "grand_total", "I alt, samlet"},
    {"kind", "body", "Organisation"},
    {"kind", "region", "Region"},
    {"kind", "hospital", "Hospital"},
    {"kind", "department", "Afdeling"},
    {"kind", "pool", "Pulje"},
    {"kind", "purpose", "Formål"},
    {"kind", "other", "Andet"},
    {"project_type", "ongoing", "Løbende drift"},
    {"project_type", "one-year", "Etårigt projekt"},
    {"project_type", "pool", "Puljelignende"},
    {"pot", "health", "Sundhedskassen"},
    {"pot", "regional_development", "Den regionale udviklingskasse"},
    {"pot", "social", "Det sociale område"},
};

std::string value_label(std::string_view field, std::string_view value) {
  for (const auto& e : value_labels)
    if (e.field == field && e.value == value) return std::string(e.label);
  return std::string(value);
}

std::string collection_title(std::string_view name) {
  if (name == "items") return "Rækker";
  if (name == "totals") return "Totaler";
  if (name == "recipients") return "Modtagere";
  if (name == "transfers") return "Overførsler";
  if (name == "funding") return "Finansiering";
  if (name == "un_goals") return "FN's verdensmål";
  return std::string(name);
}

// One record of a collection, for naming a cell of a record without a name ("Overførsel 2").
std::string record_word(std::string_view collection) {
  if (collection == "items") return "Række";
  if (collection == "totals") return "Total";
  if (collection == "recipients") return "Modtager";
  if (collection == "transfers") return "Overførsel";
  if (collection == "funding") return "Kasse";
  if (collection == "un_goals") return "Verdensmål";
  return std::string(collection);
}

// Amounts as the seed table writes them: decimal comma, '.' between thousands; whole numbers
// (years, counts) without a separator, as the evaluator's messages do.
std::string da_number(const decimal& d) { return d.format(-1, ',', d.scale() > 0 ? '.' : 0); }

bool is_canonical_decimal(std::string_view s) {
  std::size_t i = s.starts_with('-') ? 1 : 0;
  const std::size_t digits_from = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  if (i == digits_from) return false;
  if (i == s.size()) return true;
  if (s[i] != '.') return false;
  const std::size_t frac = ++i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  return i == s.size() && i > frac;
}

// A value of a finding ("42.0", "\"dccc\"", "true", "absent") in the page's words.
std::string da_value(std::string_view canonical) {
  if (is_canonical_decimal(canonical))
    if (auto d = decimal::parse(canonical)) return da_number(*d);
  if (canonical == "absent") return "tom";
  if (canonical == "true") return "ja";
  if (canonical == "false") return "nej";
  return std::string(canonical);
}

std::string capitalised(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Counting, as the text and JSON reports do

struct counts {
  std::size_t errors = 0, warnings = 0, notes = 0;
};

counts count(const proposal_report& p) {
  counts c;
  auto add = [&](const std::vector<dsl::diagnostic>& diags) {
    for (const auto& d : diags) {
      if (d.severity == dsl::level::error) ++c.errors;
      else if (d.severity == dsl::level::warning) ++c.warnings;
      else ++c.notes;
    }
  };
  add(p.diagnostics);
  if (p.result) {
    c.errors += p.result->errors();
    c.warnings += p.result->warnings();
    c.notes += p.result->notes();
    for (const auto& d : p.result->diagnostics)
      if (d.severity == dsl::level::error) ++c.errors;
  }
  return c;
}

bool unreadable(const proposal_report& p) {
  return !p.result || dsl::has_errors(p.result->diagnostics) || dsl::has_errors(p.diagnostics);
}

std::string counts_text(const counts& c) {
  return fmt::format("{}, {}, {}", counted(c.errors, "fejl", "fejl"), counted(c.warnings, "advarsel", "advarsler"),
                     counted(c.notes, "note", "noter"));
}

// ---------------------------------------------------------------------------------------------
// One proposal on the page

struct cell_flag {
  std::vector<int> numbers;  // display numbers of the findings pointing here
  dsl::level worst = dsl::level::note;
};

struct rule_group {
  std::string rule;
  dsl::level worst = dsl::level::note;
  std::size_t order = 0;  // the rule's place in its program (source order)
  std::vector<const finding_details*> findings;
};

class proposal_page {
 public:
  proposal_page(std::size_t index, const proposal_report& p, const html_options& o)
      : index_(index), p_(p), doc_(p.model.get()), opts_(o) {
    group_findings();
    index_names();
  }

  void render(std::string& out);

 private:
  std::string id(std::string_view suffix) const { return fmt::format("p{}-{}", index_, suffix); }

  void group_findings();
  void index_names();
  bool touched(const std::string& record_pointer) const {
    return flags_.contains(record_pointer) || prefixes_.contains(record_pointer);
  }
  void put_cell(std::string& out, std::string_view tag, std::string_view cls, const std::vector<std::string>& pointers,
                std::string content, const std::string& place, std::string_view attrs = {});

  // Pieces of a proposal's drawing.
  std::string name_of(int record, std::uint32_t row) const;
  std::string field_html(int record, std::uint32_t row, int field) const;
  std::vector<std::uint32_t> preorder(int collection) const;
  void children(int record, std::uint32_t row, std::vector<std::uint32_t>& out) const;
  void render_header(std::string& out);
  void render_meta(std::string& out, const std::vector<std::string_view>& fields);
  void render_amounts_table(std::string& out, const std::map<std::string_view, std::string_view>& section_headings);
  void render_amount_rows(std::string& out, int record, std::uint32_t row, int depth, std::string_view collection);
  void render_root_amounts(std::string& out);
  void render_record_table(std::string& out, int collection, const std::string& title,
                           const std::vector<std::string_view>& shown, bool with_names);
  void render_form_field(std::string& out, std::string_view field, bool always);
  void render_checklist(std::string& out, int collection, std::string_view choice_field, const std::string& title);
  void render_allocation(std::string& out);
  void render_budget_form(std::string& out);
  void render_generic(std::string& out);
  void render_findings(std::string& out);
  void render_root_causes(std::string& out);
  void render_finding(std::string& out, const finding_details& f, int number);
  void render_diagnostics(std::string& out);
  void render_provenance(std::string& out);

  std::size_t index_;
  const proposal_report& p_;
  const proposal* doc_;
  const html_options& opts_;
  std::vector<rule_group> groups_;
  std::map<const finding_details*, int> numbers_;
  std::map<std::string, cell_flag, std::less<>> flags_;  // by JSON pointer
  std::set<std::string, std::less<>> prefixes_;          // record pointers above a flagged pointer
  std::map<std::string, std::string, std::less<>> anchors_;  // pointer -> id of the cell drawn for it
  std::map<std::string, std::string, std::less<>> places_;   // pointer -> the cell in words
  std::unordered_map<std::string_view, std::string_view> names_;  // record id -> its name
  std::set<std::string, std::less<>> used_ids_;             // cell ids given out
};

void proposal_page::group_findings() {
  std::map<std::string, std::size_t> by_rule;
  for (const auto& f : p_.findings) {
    auto [it, fresh] = by_rule.try_emplace(f.rule, groups_.size());
    if (fresh) {
      rule_group g;
      g.rule = f.rule;
      g.worst = f.severity;
      const int index = p_.rules ? p_.rules->rule_index(f.rule) : -1;
      g.order = index < 0 ? static_cast<std::size_t>(-1) : static_cast<std::size_t>(index);
      groups_.push_back(std::move(g));
    }
    auto& g = groups_[it->second];
    g.worst = std::min(g.worst, f.severity);  // error < warning < note
    g.findings.push_back(&f);
  }
  // Errors first, then warnings, then notes; within each, in the order the rules are written.
  std::stable_sort(groups_.begin(), groups_.end(), [](const rule_group& a, const rule_group& b) {
    return a.worst != b.worst ? a.worst < b.worst : a.order < b.order;
  });
  int n = 0;
  for (const auto& g : groups_) {
    for (const auto* f : g.findings) {
      numbers_[f] = ++n;
      if (f->where.pointer.empty()) continue;  // the whole document: no cell
      auto& flag = flags_[f->where.pointer];
      if (flag.numbers.empty()) flag.worst = f->severity;
      flag.worst = std::min(flag.worst, f->severity);
      flag.numbers.push_back(n);
      for (std::size_t at = f->where.pointer.find('/', 1); at != std::string::npos;
           at = f->where.pointer.find('/', at + 1))
        prefixes_.insert(f->where.pointer.substr(0, at));
      prefixes_.insert(std::string());
    }
  }
}

// Names of the records other records refer to by id (an earmark, a transfer's ends). Recipients
// first: where an item and a recipient share an id, a reference means the recipient.
void proposal_page::index_names() {
  if (!doc_) return;
  const schema& s = doc_->schema_def();
  std::vector<int> order;
  if (const int r = s.record_index("recipient"); r > 0) order.push_back(r);
  for (std::size_t r = 1; r < s.records.size(); ++r)
    if (static_cast<int>(r) != s.record_index("recipient")) order.push_back(static_cast<int>(r));
  for (const int r : order) {
    const table& t = doc_->table_of(r);
    const int id_field = t.def().field_index("id");
    const int name_field = t.def().field_index("name");
    if (id_field < 0 || name_field < 0) continue;
    for (std::uint32_t i = 0; i < t.size(); ++i) {
      const cell& id = t.at(i, static_cast<std::uint32_t>(id_field));
      const cell& name = t.at(i, static_cast<std::uint32_t>(name_field));
      if (id.kind == cell_kind::text && name.kind == cell_kind::text) names_.try_emplace(doc_->text(id), doc_->text(name));
    }
  }
}

void proposal_page::put_cell(std::string& out, std::string_view tag, std::string_view cls,
                             const std::vector<std::string>& pointers, std::string content, const std::string& place,
                             std::string_view attrs) {
  std::vector<int> numbers;
  std::vector<const std::string*> flagged;
  dsl::level worst = dsl::level::note;
  for (const auto& ptr : pointers) {
    const auto it = flags_.find(ptr);
    if (it == flags_.end()) continue;
    if (flagged.empty() || it->second.worst < worst) worst = it->second.worst;
    flagged.push_back(&ptr);
    numbers.insert(numbers.end(), it->second.numbers.begin(), it->second.numbers.end());
  }
  out += '<';
  out += tag;
  if (flagged.empty()) {
    if (!cls.empty()) out += fmt::format(" class=\"{}\"", cls);
    out += attrs;
    out += '>';
    out += content;
  } else {
    std::sort(numbers.begin(), numbers.end());
    numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
    // A value may be drawn twice (a row's name in the table and in its details): the findings
    // link to the first drawing; the second gets an id of its own.
    std::string anchor = id(fmt::format("c{}", numbers.front()));
    for (int copy = 2; used_ids_.contains(anchor); ++copy) anchor = id(fmt::format("c{}-{}", numbers.front(), copy));
    used_ids_.insert(anchor);
    std::string pointer_attr;
    for (const auto* ptr : flagged) {
      if (anchors_.try_emplace(*ptr, anchor).second) places_[*ptr] = place;
      if (!pointer_attr.empty()) pointer_attr += ' ';
      escape(pointer_attr, *ptr);
    }
    // Several references need more room than the cell's padding gives one.
    const std::string_view room = numbers.size() == 1 ? "" : numbers.size() == 2 ? " refs-2" : " refs-3";
    out += fmt::format(" id=\"{}\" class=\"{}{}flagged {}{}\" data-pointer=\"{}\"", anchor, cls, cls.empty() ? "" : " ",
                       severity_class(worst), room, pointer_attr);
    out += attrs;
    out += '>';
    out += content.empty() ? std::string("<span class=\"empty\">tom</span>") : content;
    out += "<sup class=\"refs\">";
    for (std::size_t i = 0; i < numbers.size(); ++i)
      out += fmt::format("{}<a href=\"#{}\">{}</a>", i ? "," : "", id(fmt::format("f{}", numbers[i])), numbers[i]);
    out += "</sup>";
  }
  out += "</";
  out += tag;
  out += '>';
}

std::string proposal_page::name_of(int record, std::uint32_t row) const {
  const table& t = doc_->table_of(record);
  for (const char* field : {"name", "id"}) {
    const int f = t.def().field_index(field);
    if (f < 0) continue;
    const cell& c = t.at(row, static_cast<std::uint32_t>(f));
    if (c.kind == cell_kind::text && !doc_->text(c).empty()) return std::string(doc_->text(c));
  }
  return fmt::format("{} {}", t.def().name, t.origin_of(row).index + 1);
}

// The display of one field (not amounts), escaped. References to other records by id (an
// earmark, a transfer's ends) show the record's name with the id beside it.
std::string proposal_page::field_html(int record, std::uint32_t row, int field) const {
  const table& t = doc_->table_of(record);
  const field_def& f = t.def().fields[static_cast<std::size_t>(field)];
  const cell& c = t.at(row, static_cast<std::uint32_t>(field));
  switch (c.kind) {
    case cell_kind::absent: return {};
    case cell_kind::number: return esc(f.reported ? da_number(c.number()) : c.number().format(-1, ',', 0));
    case cell_kind::boolean: return c.flag() ? "ja" : "nej";
    case cell_kind::records: return fmt::format("{}", doc_->records(c).size());
    case cell_kind::text: break;
  }
  const std::string_view text = doc_->text(c);
  if (!f.allowed.empty()) return esc(value_label(f.name, text));
  if (f.name == "column") {
    const int col = doc_->column_index(text);
    if (col >= 0) return esc(doc_->columns()[static_cast<std::size_t>(col)].label);
  }
  if (f.name == "recipient" || f.name == "earmark" || f.name == "from" || f.name == "to") {
    if (const auto name = names_.find(text); name != names_.end())
      return fmt::format("{} <span class=\"id\">{}</span>", esc(name->second), esc(text));
    return fmt::format("<span class=\"id unresolved\">{}</span>", esc(text));
  }
  return esc(text);
}

void proposal_page::children(int record, std::uint32_t row, std::vector<std::uint32_t>& out) const {
  const table& t = doc_->table_of(record);
  for (std::size_t f = 0; f < t.def().fields.size(); ++f) {
    const field_def& fd = t.def().fields[f];
    if (fd.type != field_type::records || fd.record != t.def().name) continue;
    const cell& c = t.at(row, static_cast<std::uint32_t>(f));
    if (c.kind != cell_kind::records) continue;
    for (const auto child : doc_->records(c)) {
      out.push_back(child);
      children(record, child, out);
    }
  }
}

// Every row of a collection, nested records right after their parent.
std::vector<std::uint32_t> proposal_page::preorder(int collection) const {
  const schema& s = doc_->schema_def();
  const int record = s.record_index(s.collections[static_cast<std::size_t>(collection)].record);
  std::vector<std::uint32_t> rows;
  for (const auto row : doc_->collection(collection)) {
    rows.push_back(row);
    children(record, row, rows);
  }
  return rows;
}

int depth_of(const table& t, std::uint32_t row) {
  int depth = 0;
  for (std::int32_t r = t.origin_of(row).parent; r >= 0; r = t.origin_of(static_cast<std::uint32_t>(r)).parent) ++depth;
  return depth;
}

std::string depth_class(int depth) { return depth <= 0 ? std::string() : fmt::format("depth-{}", std::min(depth, 6)); }

std::string css_token(std::string_view s) {
  std::string out;
  for (const char c : s)
    out += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ? c : '_';
  return out;
}

void proposal_page::render_meta(std::string& out, const std::vector<std::string_view>& fields) {
  const table& root = doc_->table_of(0);
  std::string items;
  for (const auto name : fields) {
    const int f = root.def().field_index(name);
    if (f < 0) continue;
    const std::string ptr = doc_->json_pointer(0, 0, static_cast<std::uint32_t>(f));
    const bool present = root.at(0, static_cast<std::uint32_t>(f)).present();
    if (!present && !flags_.contains(ptr)) continue;
    const std::string label = field_label(root.def().name, name);
    items += fmt::format("<dt>{}</dt>", esc(label));
    const bool long_text = name == "note" || name == "source";
    put_cell(items, "dd", long_text ? "long" : "", {ptr}, field_html(0, 0, f), label);
  }
  if (!items.empty()) out += fmt::format("<dl class=\"meta\">{}</dl>\n", items);
}

void proposal_page::render_amount_rows(std::string& out, int record, std::uint32_t row, int depth,
                                       std::string_view collection) {
  const table& t = doc_->table_of(record);
  const record_def& def = t.def();
  const auto columns = doc_->columns();
  const auto years = doc_->years();
  const std::string row_ptr = doc_->json_pointer(record, row);
  const bool hot = touched(row_ptr);
  const std::string name = name_of(record, row);

  std::string cls = fmt::format("row-{}", css_token(collection));
  const int kind = def.field_index("kind");
  if (kind >= 0) {
    const cell& k = t.at(row, static_cast<std::uint32_t>(kind));
    if (k.kind == cell_kind::text) cls += fmt::format(" kind-{}", css_token(doc_->text(k)));
  }
  if (depth > 0) cls += " sub";
  out += fmt::format("<tr class=\"{}\">", cls);
  std::vector<std::string> name_ptrs;
  if (hot) {
    name_ptrs.push_back(row_ptr);
    for (const char* field : {"name", "id"})
      if (const int f = def.field_index(field); f >= 0)
        name_ptrs.push_back(doc_->json_pointer(record, row, static_cast<std::uint32_t>(f)));
  }
  put_cell(out, "th", depth_class(depth), name_ptrs, esc(name), name, " scope=\"row\"");
  for (std::uint32_t y = 0; y < years.size(); ++y) {
    for (std::uint32_t c = 0; c < columns.size(); ++c) {
      const std::uint32_t slot = t.amount_slot(c, y);
      const cell& v = t.at(row, slot);
      std::string content;
      if (v.kind == cell_kind::number) content = esc(da_number(v.number()));
      std::vector<std::string> ptrs;
      if (hot) ptrs.push_back(doc_->json_pointer(record, row, slot));
      const std::string place = fmt::format("{}, {}, {}", name, columns[c].label, years[y]);
      put_cell(out, "td", "num", ptrs, content, place);
    }
  }
  out += "</tr>\n";

  for (std::size_t f = 0; f < def.fields.size(); ++f) {
    const field_def& fd = def.fields[f];
    if (fd.type != field_type::records || fd.record != def.name) continue;
    const cell& c = t.at(row, static_cast<std::uint32_t>(f));
    if (c.kind != cell_kind::records || doc_->records(c).empty()) continue;
    // The seed table's "heraf" marker: the rows below belong to the row above.
    out += fmt::format("<tr class=\"heraf\"><td class=\"{}\" colspan=\"{}\">heraf</td></tr>\n", depth_class(depth + 1),
                       1 + columns.size() * years.size());
    for (const auto child : doc_->records(c)) render_amount_rows(out, record, child, depth + 1, collection);
  }
}

// The table as printed: a row per item with its heraf rows, the totals of each section, and the
// sections in their order ("Allerede udmøntede midler" below this year's rows).
void proposal_page::render_amounts_table(std::string& out,
                                         const std::map<std::string_view, std::string_view>& section_headings) {
  const schema& s = doc_->schema_def();
  std::vector<int> collections;
  for (std::size_t ci = 0; ci < s.collections.size(); ++ci) {
    const int record = s.record_index(s.collections[ci].record);
    if (record > 0 && doc_->table_of(record).has_amounts()) collections.push_back(static_cast<int>(ci));
  }
  if (collections.empty()) return;
  const auto columns = doc_->columns();
  const auto years = doc_->years();
  const table& root = doc_->table_of(0);
  auto root_text = [&](const char* name) -> std::string {
    const int f = root.def().field_index(name);
    if (f < 0) return {};
    const cell& c = root.at(0, static_cast<std::uint32_t>(f));
    return c.kind == cell_kind::text ? std::string(doc_->text(c)) : std::string();
  };
  std::string unit = capitalised(root_text("unit"));
  if (const auto pl = root_text("price_level"); !pl.empty()) unit += unit.empty() ? pl : fmt::format(" ({})", pl);

  out += "<h3>Tabel</h3>\n<table class=\"amounts\">\n<thead>\n<tr>";
  out += fmt::format("<th class=\"unit\" rowspan=\"2\" scope=\"col\">{}</th>", esc(unit));
  for (const auto y : years) out += fmt::format("<th class=\"year\" colspan=\"{}\" scope=\"colgroup\">{}</th>", columns.size(), y);
  out += "</tr>\n<tr>";
  for (std::size_t y = 0; y < years.size(); ++y)
    for (const auto& c : columns) out += fmt::format("<th class=\"col\" scope=\"col\">{}</th>", esc(c.label));
  out += "</tr>\n</thead>\n";

  // Sections: the allowed values of a "section" field every amount record has, in order.
  std::vector<std::string_view> sections;
  bool sectioned = true;
  for (const int ci : collections) {
    const auto& def = doc_->table_of(s.record_index(s.collections[static_cast<std::size_t>(ci)].record)).def();
    const int f = def.field_index("section");
    if (f < 0 || def.fields[static_cast<std::size_t>(f)].allowed.empty()) {
      sectioned = false;
      break;
    }
    for (const auto v : def.fields[static_cast<std::size_t>(f)].allowed)
      if (std::find(sections.begin(), sections.end(), v) == sections.end()) sections.push_back(v);
  }
  if (!sectioned) sections = {std::string_view()};
  const std::size_t width = 1 + columns.size() * years.size();
  for (std::size_t si = 0; si < sections.size(); ++si) {
    std::string body;
    bool any = false;
    for (const int ci : collections) {
      const auto& coll = s.collections[static_cast<std::size_t>(ci)];
      const int record = s.record_index(coll.record);
      const table& t = doc_->table_of(record);
      const int sf = sectioned ? t.def().field_index("section") : -1;
      for (const auto row : doc_->collection(ci)) {
        if (sf >= 0) {
          const cell& c = t.at(row, static_cast<std::uint32_t>(sf));
          if (c.kind != cell_kind::text || doc_->text(c) != sections[si]) continue;
        }
        any = true;
        render_amount_rows(body, record, row, 0, coll.name);
      }
    }
    if (!any) continue;
    out += "<tbody>\n";
    if (const auto h = section_headings.find(sections[si]); si > 0 && h != section_headings.end())
      out += fmt::format("<tr class=\"section\"><th colspan=\"{}\" scope=\"rowgroup\">{}</th></tr>\n", width,
                         esc(h->second));
    out += body;
    out += "</tbody>\n";
  }
  out += "</table>\n";
}

// A record-amounts field of the root (the budget form's consequences): a row per column, a
// column per year, as the form prints it.
void proposal_page::render_root_amounts(std::string& out) {
  const table& root = doc_->table_of(0);
  if (!root.has_amounts()) return;
  const auto columns = doc_->columns();
  const auto years = doc_->years();
  const int amounts_field = root.def().amounts_field();
  const std::string title = field_label(root.def().name, root.def().fields[static_cast<std::size_t>(amounts_field)].name);
  std::string unit;
  if (const int f = root.def().field_index("unit"); f >= 0) {
    const cell& c = root.at(0, static_cast<std::uint32_t>(f));
    if (c.kind == cell_kind::text) unit = capitalised(doc_->text(c));
  }
  out += fmt::format("<h3>{}</h3>\n<table class=\"amounts form-table\">\n<thead>\n<tr><th class=\"unit\" scope=\"col\">{}</th>",
                     esc(title), esc(unit));
  for (const auto y : years) out += fmt::format("<th class=\"col\" scope=\"col\">{}</th>", y);
  out += "</tr>\n</thead>\n<tbody>\n";
  const bool hot = !flags_.empty();
  for (std::uint32_t c = 0; c < columns.size(); ++c) {
    out += fmt::format("<tr class=\"row-{}\">", css_token(columns[c].id));
    out += fmt::format("<th scope=\"row\">{}</th>", esc(columns[c].label));
    for (std::uint32_t y = 0; y < years.size(); ++y) {
      const std::uint32_t slot = root.amount_slot(c, y);
      const cell& v = root.at(0, slot);
      std::string content;
      if (v.kind == cell_kind::number) content = esc(da_number(v.number()));
      std::vector<std::string> ptrs;
      if (hot) ptrs.push_back(doc_->json_pointer(0, 0, slot));
      put_cell(out, "td", "num", ptrs, content, fmt::format("{}, {}", columns[c].label, years[y]));
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

// A collection as a table: a row per record (nested ones indented), a column per field shown.
// Fields outside `shown` get a column too when a finding points at one of their cells.
void proposal_page::render_record_table(std::string& out, int collection, const std::string& title,
                                        const std::vector<std::string_view>& shown, bool with_names) {
  const schema& s = doc_->schema_def();
  const int record = s.record_index(s.collections[static_cast<std::size_t>(collection)].record);
  const table& t = doc_->table_of(record);
  const record_def& def = t.def();
  const auto rows = preorder(collection);
  if (rows.empty()) return;
  std::vector<int> fields;
  for (std::size_t f = 0; f < def.fields.size(); ++f) {
    const field_def& fd = def.fields[f];
    if (fd.type == field_type::amounts || fd.type == field_type::records) continue;
    if (with_names && fd.name == "name") continue;
    const bool wanted = std::find(shown.begin(), shown.end(), fd.name) != shown.end();
    bool use = false;
    for (const auto row : rows) {
      const bool present = t.at(row, static_cast<std::uint32_t>(f)).present();
      if (wanted && present) use = true;
      else if (touched(doc_->json_pointer(record, row)) &&
               flags_.contains(doc_->json_pointer(record, row, static_cast<std::uint32_t>(f))))
        use = true;
      if (use) break;
    }
    if (use) fields.push_back(static_cast<int>(f));
  }
  if (fields.empty()) return;
  // Keep the order of `shown`, then the flagged extras in schema order.
  std::stable_sort(fields.begin(), fields.end(), [&](int a, int b) {
    auto rank = [&](int f) {
      const auto it = std::find(shown.begin(), shown.end(), def.fields[static_cast<std::size_t>(f)].name);
      return static_cast<std::size_t>(it - shown.begin());
    };
    return rank(a) < rank(b);
  });
  out += fmt::format("<h3>{}</h3>\n<table class=\"records records-{}\">\n<thead><tr>", esc(title),
                     css_token(s.collections[static_cast<std::size_t>(collection)].name));
  if (with_names) out += "<th scope=\"col\">Navn</th>";
  for (const int f : fields)
    out += fmt::format("<th scope=\"col\">{}</th>", esc(field_label(def.name, def.fields[static_cast<std::size_t>(f)].name)));
  out += "</tr></thead>\n<tbody>\n";
  for (const auto row : rows) {
    const std::string row_ptr = doc_->json_pointer(record, row);
    const bool hot = touched(row_ptr);
    const std::string name = name_of(record, row);
    out += "<tr>";
    if (with_names) {
      std::vector<std::string> ptrs;
      if (hot) {
        ptrs.push_back(row_ptr);
        if (const int nf = def.field_index("name"); nf >= 0)
          ptrs.push_back(doc_->json_pointer(record, row, static_cast<std::uint32_t>(nf)));
      }
      put_cell(out, "th", depth_class(depth_of(t, row)), ptrs, esc(name), name, " scope=\"row\"");
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const int f = fields[i];
      const field_def& fd = def.fields[static_cast<std::size_t>(f)];
      std::vector<std::string> ptrs;
      if (hot) {
        ptrs.push_back(doc_->json_pointer(record, row, static_cast<std::uint32_t>(f)));
        if (!with_names && i == 0) ptrs.push_back(row_ptr);  // a finding about the whole record
      }
      // Numbers right-aligned, choices and ids kept on one line, free text and names wrapped.
      const std::string_view cls = fd.type == field_type::number                         ? "num"
                                   : fd.type != field_type::text || !fd.allowed.empty() ? ""
                                   : fd.name == "id"                                     ? "id"
                                                                                         : "text";
      put_cell(out, "td", cls, ptrs, field_html(record, row, f),
               fmt::format("{}, {}", with_names ? name : fmt::format("{} {}", record_word(s.collections[static_cast<std::size_t>(collection)].name), t.origin_of(row).index + 1),
                           field_label(def.name, fd.name)));
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

// A question of the form and its answer; an unanswered question shows as such.
void proposal_page::render_form_field(std::string& out, std::string_view field, bool always) {
  const table& root = doc_->table_of(0);
  const int f = root.def().field_index(field);
  if (f < 0) return;
  const cell& c = root.at(0, static_cast<std::uint32_t>(f));
  const std::string ptr = doc_->json_pointer(0, 0, static_cast<std::uint32_t>(f));
  if (!c.present() && !always && !flags_.contains(ptr)) return;
  const std::string label = field_label(root.def().name, field);
  std::string content;
  if (c.kind == cell_kind::text && root.def().fields[static_cast<std::size_t>(f)].allowed.empty())
    content = prose(doc_->text(c));
  else if (c.present())
    content = fmt::format("<p>{}</p>", field_html(0, 0, f));
  else
    content = "<p class=\"unanswered\">ikke udfyldt</p>";
  out += fmt::format("<div class=\"form-field\"><h4>{}</h4>", esc(label));
  put_cell(out, "div", "answer", {ptr}, content, label);
  out += "</div>\n";
}

// A field with a fixed set of choices drawn as the form's tick list: every choice, an X where
// a record has it (the budget form's funding pots: "Sundhedskassen X").
void proposal_page::render_checklist(std::string& out, int collection, std::string_view choice_field,
                                     const std::string& title) {
  const schema& s = doc_->schema_def();
  const int record = s.record_index(s.collections[static_cast<std::size_t>(collection)].record);
  const table& t = doc_->table_of(record);
  const record_def& def = t.def();
  const int cf = def.field_index(choice_field);
  if (cf < 0) return;
  std::vector<int> extra;
  const auto rows = preorder(collection);
  for (std::size_t f = 0; f < def.fields.size(); ++f) {
    if (static_cast<int>(f) == cf || def.fields[f].type == field_type::records || def.fields[f].type == field_type::amounts)
      continue;
    // A column for a field some record fills in, or a finding points at.
    const bool used = std::any_of(rows.begin(), rows.end(), [&](std::uint32_t row) {
      return t.at(row, static_cast<std::uint32_t>(f)).present() ||
             flags_.contains(doc_->json_pointer(record, row, static_cast<std::uint32_t>(f)));
    });
    if (used) extra.push_back(static_cast<int>(f));
  }
  out += fmt::format("<h3>{}</h3>\n<table class=\"records checklist\">\n<thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"mark\">Markeret</th>",
                     esc(title), esc(field_label(def.name, choice_field)));
  for (const int f : extra)
    out += fmt::format("<th scope=\"col\">{}</th>", esc(field_label(def.name, def.fields[static_cast<std::size_t>(f)].name)));
  out += "</tr></thead>\n<tbody>\n";
  for (const auto choice : def.fields[static_cast<std::size_t>(cf)].allowed) {
    const std::string label = value_label(choice_field, choice);
    bool marked = false;
    for (const auto row : rows) {
      const cell& c = t.at(row, static_cast<std::uint32_t>(cf));
      if (c.kind != cell_kind::text || doc_->text(c) != choice) continue;
      marked = true;
      const std::string row_ptr = doc_->json_pointer(record, row);
      const bool hot = touched(row_ptr);
      out += "<tr class=\"marked\">";
      put_cell(out, "th", "", hot ? std::vector<std::string>{row_ptr} : std::vector<std::string>{}, esc(label), label,
               " scope=\"row\"");
      put_cell(out, "td", "mark",
               hot ? std::vector<std::string>{doc_->json_pointer(record, row, static_cast<std::uint32_t>(cf))}
                   : std::vector<std::string>{},
               "X", label);
      for (const int f : extra) {
        const bool number = def.fields[static_cast<std::size_t>(f)].type == field_type::number;
        put_cell(out, "td", number ? "num" : "",
                 hot ? std::vector<std::string>{doc_->json_pointer(record, row, static_cast<std::uint32_t>(f))}
                     : std::vector<std::string>{},
                 field_html(record, row, f),
                 fmt::format("{}, {}", label, field_label(def.name, def.fields[static_cast<std::size_t>(f)].name)));
      }
      out += "</tr>\n";
    }
    if (!marked) {
      out += fmt::format("<tr class=\"unmarked\"><th scope=\"row\">{}</th><td class=\"mark\"></td>", esc(label));
      for (std::size_t i = 0; i < extra.size(); ++i) out += "<td></td>";
      out += "</tr>\n";
    }
  }
  out += "</tbody>\n</table>\n";
}

int collection_index(const schema& s, std::string_view name) {
  for (std::size_t i = 0; i < s.collections.size(); ++i)
    if (s.collections[i].name == name) return static_cast<int>(i);
  return -1;
}

void proposal_page::render_allocation(std::string& out) {
  const schema& s = doc_->schema_def();
  render_meta(out, {"source", "unit", "price_level", "decimals", "note"});
  render_amounts_table(out, {{"already_allocated", "Allerede udmøntede midler"}});
  if (const int ci = collection_index(s, "items"); ci >= 0)
    render_record_table(out, ci, "Oplysninger om rækkerne", {"channel", "recipient", "earmark", "duration", "from", "reduced_from"},
                        true);
  if (const int ci = collection_index(s, "totals"); ci >= 0)
    render_record_table(out, ci, "Oplysninger om totalerne", {}, true);  // only what findings point at
  if (const int ci = collection_index(s, "recipients"); ci >= 0)
    render_record_table(out, ci, "Modtagere", {"id", "kind", "amount"}, true);
  if (const int ci = collection_index(s, "transfers"); ci >= 0)
    render_record_table(out, ci, "Overførsler", {"from", "to", "amount", "share", "column", "year"}, false);
}

void proposal_page::render_budget_form(std::string& out) {
  const schema& s = doc_->schema_def();
  // In the order of the paper form (seed 002).
  out += "<div class=\"form\">\n";
  render_form_field(out, "proposer", true);
  render_form_field(out, "purpose", true);
  render_form_field(out, "administration_remarks", true);
  out += "</div>\n";
  render_root_amounts(out);
  out += "<div class=\"form\">\n";
  render_form_field(out, "commitment_budgeting", false);
  render_form_field(out, "project_type", false);
  render_form_field(out, "scalability", false);
  render_form_field(out, "elaboration", false);
  render_form_field(out, "qualification_note", false);
  out += "</div>\n";
  if (const int ci = collection_index(s, "funding"); ci >= 0)
    render_checklist(out, ci, "pot", "Finansiering: hvilket område forslaget vedrører");
  out += "<div class=\"form\">\n";
  render_form_field(out, "agreement_text", true);
  render_form_field(out, "un_goals_text", true);
  out += "</div>\n";
  if (const int ci = collection_index(s, "un_goals"); ci >= 0)
    render_record_table(out, ci, "FN's verdensmål", {"goal", "name", "contribution"}, false);
  render_meta(out, {"form", "unit", "decimals", "source", "note"});
}

void proposal_page::render_generic(std::string& out) {
  const schema& s = doc_->schema_def();
  std::vector<std::string_view> meta;
  for (const auto& f : doc_->table_of(0).def().fields)
    if (f.type != field_type::amounts && f.type != field_type::records && f.name != "format" && f.name != "title")
      meta.push_back(f.name);
  render_meta(out, meta);
  render_root_amounts(out);
  render_amounts_table(out, {});
  for (std::size_t ci = 0; ci < s.collections.size(); ++ci) {
    const record_def* def = s.find_record(s.collections[ci].record);
    if (!def) continue;
    std::vector<std::string_view> all;
    bool has_name = def->field_index("name") >= 0;
    for (const auto& f : def->fields) all.push_back(f.name);
    render_record_table(out, static_cast<int>(ci), collection_title(s.collections[ci].name), all, has_name);
  }
}

void proposal_page::render_header(std::string& out) {
  std::string title;
  if (doc_) {
    const table& root = doc_->table_of(0);
    if (const int f = root.def().field_index("title"); f >= 0) {
      const cell& c = root.at(0, static_cast<std::uint32_t>(f));
      if (c.kind == cell_kind::text) title = doc_->text(c);
    }
  }
  const counts c = count(p_);
  std::string_view status_class = "passed", status = "Ingen fejl";
  if (unreadable(p_)) {
    status_class = "unreadable";
    status = "Kunne ikke kontrolleres";
  } else if (p_.failed(dsl::level::error)) {
    status_class = "failed";
    status = "Fejl fundet";
  }
  out += "<header class=\"proposal-head\">\n";
  if (doc_) {
    std::string_view kind = doc_->schema_def().format;
    if (const int f = doc_->table_of(0).def().field_index("form"); f >= 0) {
      const cell& fc = doc_->table_of(0).at(0, static_cast<std::uint32_t>(f));
      if (fc.kind == cell_kind::text) kind = doc_->text(fc);
    }
    out += fmt::format("<p class=\"kicker\">{}</p>\n", esc(kind));
  }
  out += fmt::format("<h2 id=\"{}\">{}</h2>\n", id("title"), esc(title.empty() ? p_.file : title));
  if (!title.empty()) out += fmt::format("<p class=\"file\"><code>{}</code></p>\n", esc(p_.file));
  out += fmt::format("<p class=\"status status-{}\"><strong>{}</strong> <span>{}", status_class, status, counts_text(c));
  if (p_.result && !unreadable(p_))
    out += fmt::format("; {}, {}", counted(p_.rules ? p_.rules->rules.size() : 0, "regel", "regler"),
                       counted(p_.result->checks, "kontrol", "kontroller"));
  out += "</span></p>\n";
  if (!flags_.empty()) {
    out += "<p class=\"legend\">Markerede celler: <span class=\"key sev-error\">fejl</span> "
           "<span class=\"key sev-warning\">advarsel</span> <span class=\"key sev-note\">note: holder kun inden for "
           "afrundingen</span>. Tallet ved cellen er fundets nummer.</p>\n";
  }
  out += "</header>\n";
}

void proposal_page::render_finding(std::string& out, const finding_details& f, int number) {
  out += fmt::format("<li class=\"finding {}\" id=\"{}\">\n", severity_class(f.severity), id(fmt::format("f{}", number)));
  out += fmt::format("<p class=\"msg\"><span class=\"fno\">{}</span><span class=\"badge {}\">{}</span> ", number,
                     severity_class(f.severity), severity_word(f.severity));
  if (f.kind == finding_kind::rounding) out += "<span class=\"kind\">Holder kun inden for afrundingen:</span> ";
  if (f.kind == finding_kind::not_evaluated) out += "<span class=\"kind\">Kunne ikke beregnes:</span> ";
  out += esc(f.message);
  out += "</p>\n";
  if (opts_.show_values && (!f.values.empty() || f.difference || !f.reason.empty())) {
    out += "<table class=\"values\">\n";
    for (const auto& v : f.values) {
      const std::string_view role = v.role == "reported" ? "Indberettet" : v.role == "constant" ? "Konstant" : "Beregnet";
      out += fmt::format("<tr><th scope=\"row\">{}</th><td class=\"expr\"><code>{}</code></td><td class=\"num\">{}</td><td class=\"interval\">",
                         role, esc(dsl::single_line(v.expression)), esc(da_value(v.value)));
      if (v.interval)
        out += fmt::format("afrundingsinterval {} til {}", esc(da_value(v.interval->first)), esc(da_value(v.interval->second)));
      out += "</td></tr>\n";
    }
    if (f.difference)
      out += fmt::format("<tr class=\"difference\"><th scope=\"row\">Forskel</th><td></td><td class=\"num\">{}</td><td></td></tr>\n",
                         esc(da_value(*f.difference)));
    if (!f.reason.empty())
      out += fmt::format("<tr><th scope=\"row\">Årsag</th><td colspan=\"3\">{}</td></tr>\n", esc(f.reason));
    out += "</table>\n";
  }
  out += "<p class=\"place\">";
  const auto& w = f.where;
  if (const auto a = anchors_.find(w.pointer); !w.pointer.empty() && a != anchors_.end())
    out += fmt::format("<a href=\"#{}\">{}</a> · ", a->second, esc(places_[w.pointer]));
  else if (w.pointer.empty())
    out += "Hele forslaget · ";
  out += fmt::format("<span class=\"loc\">{}", esc(p_.file));
  if (w.line) out += fmt::format(":{}:{}", w.line, w.column);
  out += "</span>";
  if (!w.path.empty()) out += fmt::format(" <code>{}</code>", esc(w.path));
  out += "</p>\n</li>\n";
}

// Rules kept from being evaluated by one cause (a failed definition, the budget): named once
// above the rules, as the text and JSON reports group them, when the cause stopped two or more.
void proposal_page::render_root_causes(std::string& out) {
  std::vector<std::pair<std::string, std::vector<std::size_t>>> causes;  // reason, rule groups
  for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
    for (const auto* f : groups_[gi].findings) {
      if (f->kind != finding_kind::not_evaluated || f->reason.empty()) continue;
      auto it = std::find_if(causes.begin(), causes.end(), [&](const auto& c) { return c.first == f->reason; });
      if (it == causes.end()) it = causes.insert(causes.end(), {f->reason, {}});
      if (std::find(it->second.begin(), it->second.end(), gi) == it->second.end()) it->second.push_back(gi);
      break;
    }
  }
  for (const auto& [reason, rules] : causes) {
    if (rules.size() < 2) continue;
    out += fmt::format("<div class=\"root-cause\"><p><span class=\"kind\">Fælles årsag:</span> {}</p>\n"
                       "<p>{} regler kunne derfor ikke beregnes:",
                       esc(reason), rules.size());
    for (const auto gi : rules)
      out += fmt::format(" <a href=\"#{}\">{}</a>", id(fmt::format("r{}", gi + 1)), esc(groups_[gi].rule));
    out += "</p></div>\n";
  }
}

void proposal_page::render_findings(std::string& out) {
  if (!p_.result) return;
  out += fmt::format("<section class=\"findings\" aria-labelledby=\"{0}\">\n<h3 id=\"{0}\">Fund efter regel</h3>\n",
                     id("findings"));
  if (groups_.empty()) {
    out += fmt::format("<p class=\"none\">Ingen fund: {} holder.</p>\n",
                       p_.result->checks == 1 ? std::string("kontrollen") : fmt::format("alle {} kontroller", p_.result->checks));
  }
  render_root_causes(out);
  for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
    const auto& g = groups_[gi];
    const finding_details& first = *g.findings.front();
    out += fmt::format("<section class=\"rule {}\" id=\"{}\">\n", severity_class(g.worst), id(fmt::format("r{}", gi + 1)));
    out += fmt::format("<h4><code class=\"rule-id\">{}</code> {}</h4>\n", esc(g.rule), esc(first.title));
    if (p_.rules && g.order < p_.rules->rules.size()) {
      const std::string& doc = p_.rules->rules[g.order].doc;
      if (!doc.empty()) {
        std::string joined = doc;
        std::replace(joined.begin(), joined.end(), '\n', ' ');
        out += fmt::format("<p class=\"explanation\">{}</p>\n", esc(joined));
      }
    }
    out += fmt::format("<p class=\"rule-at\">Regel: <span class=\"loc\">{}:{}:{}</span> · {}</p>\n", esc(first.rule_at.file),
                       first.rule_at.line, first.rule_at.column,
                       counted(g.findings.size(), "fund", "fund"));
    out += "<ol class=\"finding-list\">\n";
    for (const auto* f : g.findings) render_finding(out, *f, numbers_.at(f));
    out += "</ol>\n</section>\n";
  }
  out += "</section>\n";
}

void render_diagnostic(std::string& out, const dsl::diagnostic& d) {
  out += fmt::format("<li class=\"diag {}\"><p class=\"msg\"><span class=\"badge {}\">{}</span> ", severity_class(d.severity),
                     severity_class(d.severity), severity_word(d.severity));
  if (!d.code.empty()) out += fmt::format("<code class=\"rule-id\">{}</code> ", esc(d.code));
  out += esc(d.message);
  out += "</p>\n";
  if (d.source) {
    const auto pos = d.source->locate(d.where.begin);
    out += fmt::format("<p class=\"place\"><span class=\"loc\">{}:{}:{}</span></p>\n", esc(d.source->path()), pos.line,
                       pos.column);
    std::ostringstream snippet;
    dsl::render_snippet(snippet, *d.source, d.where, false);
    if (!snippet.str().empty()) out += fmt::format("<pre class=\"snippet\">{}</pre>\n", esc(snippet.str()));
  }
  if (!d.notes.empty()) {
    out += "<ul class=\"notes\">\n";
    for (const auto& n : d.notes) render_diagnostic(out, n);
    out += "</ul>\n";
  }
  out += "</li>\n";
}

void proposal_page::render_diagnostics(std::string& out) {
  std::vector<dsl::diagnostic> all = p_.diagnostics;
  if (p_.result) all.insert(all.end(), p_.result->diagnostics.begin(), p_.result->diagnostics.end());
  if (all.empty()) return;
  out += fmt::format("<section class=\"diagnostics\" aria-labelledby=\"{0}\">\n<h3 id=\"{0}\">{1}</h3>\n<ul class=\"diag-list\">\n",
                     id("diagnostics"), unreadable(p_) ? "Hvorfor forslaget ikke kunne kontrolleres" : "Meddelelser om inddata");
  for (const auto& d : all) render_diagnostic(out, d);
  out += "</ul>\n</section>\n";
}

std::string rule_set_hash(const program& prog) {
  if (!prog.hash.empty()) return prog.hash;
  sha256 h;
  for (const auto& s : prog.sources) h.update(s->text());
  return h.hex_digest();
}

void proposal_page::render_provenance(std::string& out) {
  out += "<p class=\"provenance\">";
  out += fmt::format("Inddata <code>{}</code>", esc(p_.file));
  if (!p_.sha256.empty()) out += fmt::format(", SHA-256 <code class=\"hash\">{}</code>", esc(p_.sha256));
  if (p_.rules)
    out += fmt::format("; regelsæt for <code>{}</code>, SHA-256 <code class=\"hash\">{}</code>",
                       esc(p_.rules->schema_def->format), esc(rule_set_hash(*p_.rules)));
  out += ".</p>\n";
}

void proposal_page::render(std::string& out) {
  // An amounts table with more than eight amount columns (a column per amount column and year)
  // is printed on landscape pages. A root amounts table (the budget form's) has a column per year.
  bool wide = false;
  if (doc_) {
    const std::size_t per_row = doc_->table_of(0).has_amounts() ? doc_->years().size()
                                                                 : doc_->columns().size() * doc_->years().size();
    wide = per_row > 8;
  }
  out += fmt::format("<section class=\"proposal{1}\" id=\"p{0}\" aria-labelledby=\"p{0}-title\">\n", index_,
                     wide ? " wide" : "");
  render_header(out);
  render_diagnostics(out);
  if (doc_) {
    const auto format = doc_->schema_def().format;
    if (format == allocation_schema().format) render_allocation(out);
    else if (format == budget_form_schema().format) render_budget_form(out);
    else render_generic(out);
  }
  render_findings(out);
  render_provenance(out);
  out += "</section>\n";
}

// ---------------------------------------------------------------------------------------------
// The page


void render_run_header(std::string& out, const run_report& r) {
  counts total;
  std::size_t passed = 0, failed = 0, broken = 0;
  for (const auto& p : r.proposals) {
    const counts c = count(p);
    total.errors += c.errors;
    total.warnings += c.warnings;
    total.notes += c.notes;
    if (unreadable(p)) ++broken;
    else if (p.failed(dsl::level::error)) ++failed;
    else ++passed;
  }
  out += "<header class=\"run-head\">\n<p class=\"kicker\">fundcheck · kontrolrapport</p>\n";
  out += fmt::format("<h1>Kontrol af {}</h1>\n", r.proposals.size() == 1 ? std::string("forslag")
                                                                           : fmt::format("{} forslag", r.proposals.size()));
  out += fmt::format("<p class=\"summary\">{}: {} uden fejl, {} med fejl", counted(r.proposals.size(), "forslag kontrolleret", "forslag kontrolleret"),
                     passed, failed);
  if (broken) out += fmt::format(", {} kunne ikke kontrolleres", broken);
  out += fmt::format(". I alt {}.</p>\n", counts_text(total));
  if (r.proposals.size() > 1) {
    out += "<ol class=\"toc\">\n";
    for (std::size_t i = 0; i < r.proposals.size(); ++i) {
      const auto& p = r.proposals[i];
      const std::string_view status = unreadable(p) ? "kunne ikke kontrolleres" : p.failed(dsl::level::error) ? "fejl fundet" : "ingen fejl";
      out += fmt::format("<li><a href=\"#p{}\"><code>{}</code></a>: {} ({})</li>\n", i + 1, esc(p.file), status,
                         counts_text(count(p)));
    }
    out += "</ol>\n";
  }
  out += "</header>\n";
}

void render_run_footer(std::string& out, const run_report& r) {
  out += "<footer class=\"run-foot\">\n<h2>Om kontrollen</h2>\n<dl>\n";
  out += fmt::format("<dt>Program</dt><dd>fundcheck {}</dd>\n", esc(r.version));
  out += "<dt>Regelsæt</dt><dd><ul>\n";
  if (r.rules) {
    for (const auto& prog : r.rules->programs) {
      std::string files;
      for (const auto& s : prog->sources) files += fmt::format("{}<code>{}</code>", files.empty() ? "" : ", ", esc(s->path()));
      out += fmt::format("<li><code>{}</code>: {} ({}), SHA-256 <code class=\"hash\">{}</code></li>\n",
                         esc(prog->schema_def->format), files, counted(prog->rules.size(), "regel", "regler"),
                         esc(rule_set_hash(*prog)));
    }
  }
  out += "</ul></dd>\n<dt>Parametre</dt><dd>";
  if (r.params.empty()) {
    out += "regelsættets standardværdier";
  } else {
    out += "ændret: ";
    for (std::size_t i = 0; i < r.params.size(); ++i)
      out += fmt::format("{}<code>{} = {}</code>", i ? ", " : "", esc(r.params[i].first), esc(r.params[i].second));
  }
  out += "</dd>\n<dt>Inddata</dt><dd><ul>\n";
  for (const auto& p : r.proposals) {
    out += fmt::format("<li><code>{}</code>", esc(p.file));
    if (!p.sha256.empty()) out += fmt::format(", SHA-256 <code class=\"hash\">{}</code>", esc(p.sha256));
    else out += ": kunne ikke læses";
    out += "</li>\n";
  }
  out += "</ul></dd>\n</dl>\n</footer>\n";
}

void page_open(std::string& page, std::string_view version, std::string_view title) {
  page.reserve(64 * 1024);
  page += "<!DOCTYPE html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  page += fmt::format("<meta name=\"generator\" content=\"fundcheck {}\">\n<title>{}</title>\n", esc(version), esc(title));
  page += "<style>";
  page += html_style;
  page += "</style>\n</head>\n<body>\n";
}

}  // namespace

void render_html(std::ostream& out, const run_report& r, const html_options& opts) {
  std::string page;
  page_open(page, r.version,
            r.proposals.size() == 1 ? fmt::format("fundcheck: {}", r.proposals.front().file) : "fundcheck: kontrolrapport");
  render_run_header(page, r);
  page += "<main>\n";
  for (std::size_t i = 0; i < r.proposals.size(); ++i) {
    proposal_page pp(i + 1, r.proposals[i], opts);
    pp.render(page);
  }
  page += "</main>\n";
  render_run_footer(page, r);
  page += "</body>\n</html>\n";
  out << page;
}

void render_html_rule_errors(std::ostream& out, std::string_view version, const std::vector<dsl::diagnostic>& diagnostics) {
  std::string page;
  page_open(page, version, "fundcheck: reglerne kunne ikke indlæses");
  page += "<header class=\"run-head\">\n<p class=\"kicker\">fundcheck · kontrolrapport</p>\n"
          "<h1>Reglerne kunne ikke indlæses</h1>\n"
          "<p class=\"summary\">Intet forslag er kontrolleret: reglerne har fejl, der skal rettes først.</p>\n</header>\n"
          "<main>\n<section class=\"diagnostics\">\n<ul class=\"diag-list\">\n";
  for (const auto& d : diagnostics) render_diagnostic(page, d);
  page += "</ul>\n</section>\n</main>\n";
  page += fmt::format("<footer class=\"run-foot\">\n<dl>\n<dt>Program</dt><dd>fundcheck {}</dd>\n</dl>\n</footer>\n", esc(version));
  page += "</body>\n</html>\n";
  out << page;
}

}  // namespace fundcheck::engine
