// The allocation-table schema "fundcheck/allocation@1" (seed 000): records, fields and their
// one-line docs. docs/proposal-format.md explains it for people; docs/proposal.schema.json is
// generated from it (see proposal_schema.cpp).
#include "fundcheck/engine/proposal.hpp"

namespace fundcheck::engine {
namespace {

field_def text(std::string_view name, std::string_view doc) {
  field_def f;
  f.name = name;
  f.type = field_type::text;
  f.doc = doc;
  return f;
}

field_def required_text(std::string_view name, std::string_view doc) {
  field_def f = text(name, doc);
  f.required = true;
  return f;
}

field_def unique_id(std::string_view doc) {
  field_def f = required_text("id", doc);
  f.unique = true;
  return f;
}

field_def choice(std::string_view name, std::vector<std::string_view> allowed, std::string_view default_text,
                 std::string_view doc) {
  field_def f = text(name, doc);
  f.allowed = std::move(allowed);
  f.default_text = default_text;
  return f;
}

field_def number(std::string_view name, std::string_view doc) {
  field_def f;
  f.name = name;
  f.type = field_type::number;
  f.doc = doc;
  return f;
}

field_def reported_number(std::string_view name, std::string_view doc) {
  field_def f = number(name, doc);
  f.reported = true;
  return f;
}

field_def boolean(std::string_view name, std::string_view doc) {
  field_def f;
  f.name = name;
  f.type = field_type::boolean;
  f.doc = doc;
  return f;
}

field_def amounts(std::string_view doc) {
  field_def f;
  f.name = "amounts";
  f.type = field_type::amounts;
  f.doc = doc;
  return f;
}

field_def records(std::string_view name, std::string_view record, std::string_view doc) {
  field_def f;
  f.name = name;
  f.type = field_type::records;
  f.record = record;
  f.doc = doc;
  return f;
}

schema make_allocation_schema() {
  schema s;
  s.format = "fundcheck/allocation@1";

  {
    record_def r;
    r.name = "proposal";
    r.doc = "The document: what is allocated, in which unit, and its tables";
    field_def format = required_text("format", "The proposal format and version: \"fundcheck/allocation@1\"");
    format.allowed = {"fundcheck/allocation@1"};
    r.fields = {
        format,
        required_text("title", "Title of the proposal, e.g. the case or appendix it belongs to"),
        text("source", "Where the figures come from (document, case number, URL)"),
        text("unit", "Unit of all amounts, e.g. \"mio. kr.\""),
        text("price_level", "Price and wage level of the amounts, e.g. \"2025 pl\""),
        number("decimals", "Number of decimals the amounts are reported with (0..18); sets the rounding interval of every amount"),
        text("locale", "Language of the texts and number formatting of messages, e.g. \"da\""),
        text("note", "Free-text note, e.g. the table's footnote"),
    };
    s.records.push_back(std::move(r));
  }
  {
    record_def r;
    r.name = "item";
    r.doc = "A row of the allocation table: an initiative, or a sub-item (\"heraf\") of one";
    field_def section = choice("section", {"current", "already_allocated"}, "current",
                               "Part of the table: this allocation (current) or funds allocated earlier (already_allocated); sub-items inherit their parent's");
    section.inherit = true;
    r.fields = {
        unique_id("Identifier, unique among all items including sub-items"),
        required_text("name", "Name of the initiative as written in the table"),
        section,
        choice("channel", {"block", "direct"}, {}, "How the money is paid: block grant (block) or direct subsidy to a named recipient (direct)"),
        text("recipient", "Recipient id of a direct subsidy"),
        text("earmark", "Recipient id this money must be transferred to in full"),
        choice("duration", {"one-off", "permanent", "unspecified"}, "unspecified",
               "Whether the money is granted once (one-off) or every year (permanent)"),
        number("from", "First year of the money"),
        number("reduced_from", "Year from which a declared reduction applies"),
        text("note", "Free-text note"),
        amounts("Amounts per column (and year)"),
        records("subitems", "item", "Sub-items (\"heraf\"): the rows listed under this one"),
    };
    s.records.push_back(std::move(r));
  }
  {
    record_def r;
    r.name = "total";
    r.doc = "A total row of the table (Blok, Direkte tilskud, I alt)";
    r.fields = {
        unique_id("Identifier, unique among totals"),
        required_text("name", "Name of the row as written in the table"),
        choice("section", {"current", "already_allocated", "all"}, "current",
               "Which part of the table the total sums: current, already_allocated, or all (the grand total)"),
        [] {
          field_def k = choice("kind", {"block", "direct", "total", "grand_total"}, {},
                               "What is summed: block-grant rows, direct subsidies, all rows of the section (total), or every section (grand_total)");
          k.required = true;
          return k;
        }(),
        boolean("itemized", "False when the rows making up this total are not listed in the table"),
        text("note", "Free-text note"),
        amounts("Amounts per column (and year)"),
    };
    s.records.push_back(std::move(r));
  }
  {
    record_def r;
    r.name = "recipient";
    r.doc = "A body, region, hospital, department, pool or purpose that receives money";
    r.fields = {
        unique_id("Identifier, unique among recipients; items and transfers refer to it"),
        required_text("name", "Name of the recipient"),
        choice("kind", {"body", "region", "hospital", "department", "pool", "purpose", "other"}, {},
               "What the recipient is"),
        reported_number("amount", "Declared size of a pool, in the proposal's unit"),
        text("note", "Free-text note"),
    };
    s.records.push_back(std::move(r));
  }
  {
    record_def r;
    r.name = "transfer";
    r.doc = "Money moved from an item or recipient to a recipient: an earmark, a split or a pool contribution";
    field_def id = text("id", "Identifier, unique among transfers when given");
    id.unique = true;
    r.fields = {
        id,
        required_text("from", "Item id or recipient id the money comes from"),
        required_text("to", "Recipient id the money goes to"),
        reported_number("amount", "Amount transferred, in the proposal's unit"),
        number("share", "Share of the source's amount, in percent (0..100)"),
        choice("column", {}, "region", "Amount column of the source the transfer draws on"),
        number("year", "Year of the transfer (default: the first year)"),
        text("note", "Free-text note"),
    };
    s.records.push_back(std::move(r));
  }

  s.collections = {
      {"items", "item", "The table's rows in order, with their sub-items", true},
      {"totals", "total", "The table's total rows"},
      {"recipients", "recipient", "Recipients named in the proposal"},
      {"transfers", "transfer", "Earmarked transfers, splits and pool contributions"},
  };
  return s;
}

schema make_budget_form_schema() {
  schema s;
  s.format = "fundcheck/budget-form@1";
  {
    record_def r;
    r.name = "proposal";
    r.doc = "A budget proposal form (Budget/finansieringsinitiativer): who proposes what, its consequences per year, and who pays";
    field_def format = required_text("format", "The proposal format and version: \"fundcheck/budget-form@1\"");
    format.allowed = {"fundcheck/budget-form@1"};
    field_def consequences = amounts(
        "The consequences table (Forslagets konsekvenser): per column (salaries, other_operating, establishment, fte, total) and year");
    consequences.name = "consequences";
    r.fields = {
        format,
        required_text("title", "Title of the initiative"),
        text("form", "Kind of form, e.g. \"Budget/finansieringsinitiativer\""),
        text("proposer", "Who proposes it (Fremsat af), e.g. a party"),
        text("purpose", "Purpose and content (Formål og indhold)"),
        text("administration_remarks", "The administration's remarks (Administrationens bemærkninger)"),
        choice("project_type", {"ongoing", "one-year", "pool"}, {},
               "Ongoing operation, a one-year project, or a pool-like scheme (puljelignende karakter)"),
        text("scalability", "Whether the project's scope can be scaled up or down (required for one-year and pool-like projects)"),
        text("commitment_budgeting", "Whether the proposal can be budgeted as commitments (tilsagnsbudgetteres; required for regional development)"),
        text("elaboration", "Further description (Evt. uddybende beskrivelse)"),
        text("qualification_note", "A note that the proposal will be quantified later, e.g. \"Punktet kvalificeres yderligere senere i budgetprocessen.\""),
        text("agreement_text", "First draft of the text for the budget agreement"),
        text("un_goals_text", "How the initiative supports the UN Sustainable Development Goals, as written"),
        text("unit", "Unit of all amounts, e.g. \"mio. kr.\""),
        number("decimals", "Number of decimals the amounts are written with (the form asks for 1)"),
        text("locale", "Language of the texts and number formatting of messages, e.g. \"da\""),
        text("source", "Where the form comes from"),
        text("note", "Free-text note"),
        consequences,
    };
    s.records.push_back(std::move(r));
  }
  {
    record_def r;
    r.name = "funding";
    r.doc = "A funding pot that pays for the proposal, with its share when several do";
    field_def pot = choice("pot", {"health", "regional_development", "social"}, {},
                           "Sundhedskassen (health), Den regionale udviklingskasse (regional_development), Det sociale område (social)");
    pot.required = true;
    r.fields = {
        pot,
        number("share", "Share of the cost this pot pays, in percent (required when several pots pay)"),
        text("note", "Free-text note"),
    };
    s.records.push_back(std::move(r));
  }
  {
    record_def r;
    r.name = "un_goal";
    r.doc = "A UN Sustainable Development Goal the initiative supports";
    field_def goal = number("goal", "Goal number, 1 to 17");
    goal.required = true;
    r.fields = {
        goal,
        text("name", "Name of the goal, e.g. \"Sundhed og trivsel\""),
        text("contribution", "How the initiative contributes"),
    };
    s.records.push_back(std::move(r));
  }
  s.collections = {
      {"funding", "funding", "The funding pots (Anfør, hvilket område forslaget vedrører)", false},
      {"un_goals", "un_goal", "The UN goals the initiative supports"},
  };
  return s;
}

}  // namespace

const schema& allocation_schema() {
  static const schema s = make_allocation_schema();
  return s;
}

const schema& budget_form_schema() {
  static const schema s = make_budget_form_schema();
  return s;
}

std::span<const schema* const> all_schemas() {
  static const schema* const schemas[] = {&allocation_schema(), &budget_form_schema()};
  return schemas;
}

const schema* find_schema(std::string_view format) {
  for (const schema* s : all_schemas())
    if (s->format == format) return s;
  return nullptr;
}

}  // namespace fundcheck::engine
