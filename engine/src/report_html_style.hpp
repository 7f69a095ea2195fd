#pragma once
// The HTML report's look: one style sheet, inlined into every page (no external assets). Screen
// first, then an @media print section for A4: page breaks between proposals, the table header
// repeated on every page, no row split across pages. The highlight colours --err-bg and --note-bg
// are what tests/html/screenshot_test.py looks for in its screenshot: change both together.

#include <string_view>

namespace fundcheck::engine {

inline constexpr std::string_view html_style = R"css(
:root {
  --ink: #1b2129; --muted: #5a6470; --line: #d5dae0; --faint: #f4f6f8;
  --err: #b3261e; --err-bg: #f8d3ce;
  --warn: #8f5b00; --warn-bg: #fbe6b0;
  --note: #1f5c99; --note-bg: #d6e6f6;
  --ok: #2e6b34; --ok-bg: #dcefdc;
}
* { box-sizing: border-box; }
html { font-family: "Source Sans 3", "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans", sans-serif;
       font-size: 15px; line-height: 1.45; color: var(--ink); background: #fff; }
body { margin: 0 auto; max-width: 62rem; padding: 2rem 2.5rem 3rem; }
h1 { font-size: 1.55rem; margin: .15rem 0 .5rem; line-height: 1.2; }
h2 { font-size: 1.35rem; margin: .15rem 0 .3rem; line-height: 1.25; }
h3 { font-size: 1.05rem; margin: 1.9rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
h4 { font-size: .98rem; margin: 0 0 .25rem; }
p { margin: .3rem 0; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .84em; }
a { color: inherit; }
.kicker { text-transform: uppercase; letter-spacing: .07em; font-size: .74rem; color: var(--muted); margin: 0; }
.run-head { border-bottom: 2px solid var(--ink); padding-bottom: .8rem; margin-bottom: 1.6rem; }
.run-head .summary { font-size: 1rem; }
.toc { margin: .6rem 0 0; padding-left: 1.2rem; }
.toc li { margin: .15rem 0; }
.proposal { margin-bottom: 3rem; }
.proposal-head .file { color: var(--muted); margin: 0 0 .4rem; }
.status strong { display: inline-block; padding: .08rem .55rem; border-radius: 3px; margin-right: .5rem; }
.status-passed strong { background: var(--ok-bg); color: var(--ok); }
.status-failed strong { background: var(--err); color: #fff; }
.status-unreadable strong { background: var(--ink); color: #fff; }
.legend { font-size: .85rem; color: var(--muted); }
.legend .key { display: inline-block; padding: 0 .4rem; margin: 0 .15rem; color: var(--ink); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 1rem 0; font-size: .9rem; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
dl.meta dd.long { font-size: .85rem; }

table { border-collapse: collapse; }
table.amounts, table.records { width: 100%; font-variant-numeric: tabular-nums; }
table.amounts th, table.amounts td, table.records th, table.records td {
  padding: .24rem .6rem; border-bottom: 1px solid #e4e8ec; vertical-align: top; text-align: left; }
table.amounts thead th, table.records thead th { font-weight: 600; border-bottom: 1.5px solid var(--ink); vertical-align: bottom; }
table.amounts thead th.col { text-align: right; }
table.amounts thead th.year { text-align: center; border-bottom: 1px solid var(--line); }
table.amounts thead th.year + th.year { border-left: 1px solid #fff; }
table.amounts tbody th { font-weight: normal; }
td.num, table.amounts td.num, table.records td.num { text-align: right; white-space: nowrap; }
table.amounts td.num { width: 8.5rem; padding-right: 1.15rem; }
table.amounts thead th.col { padding-right: 1.15rem; }
table.amounts tr.row-totals > * { font-weight: 600; border-top: 1px solid var(--ink); }
table.amounts tr.row-totals + tr.row-totals > * { border-top-color: #e4e8ec; }
table.amounts tr.kind-grand_total > * { border-top: 3px double var(--ink); border-bottom: 1.5px solid var(--ink); }
table.amounts tr.row-total > * { font-weight: 600; border-top: 1px solid var(--ink); }
table.amounts tr.heraf td { font-style: italic; color: var(--muted); border-bottom: none; padding-top: .05rem; padding-bottom: 0; font-size: .88rem; }
table.amounts tr.section th { text-align: left; font-weight: 700; padding-top: 1.1rem; border-bottom: 1px solid var(--ink); }
table.amounts tr.sub th { color: #2c343d; }
.depth-1 { padding-left: 1.7rem !important; }
.depth-2 { padding-left: 2.9rem !important; }
.depth-3 { padding-left: 4.1rem !important; }
.depth-4, .depth-5, .depth-6 { padding-left: 5.3rem !important; }
table.records { font-size: .88rem; }
table.records tbody th { font-weight: normal; min-width: 14rem; }
table.records thead th { white-space: nowrap; }
table.records td { white-space: nowrap; }
table.records td.text { white-space: normal; }
table.records td.num { width: 6rem; padding-right: .95rem; }
table.checklist { width: auto; min-width: 50%; }
table.checklist td.mark { text-align: center; font-weight: 700; width: 6rem; }
table.checklist tr.unmarked th { color: var(--muted); }
.id { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .78em; color: var(--muted); }
.id.unresolved { color: var(--ink); }

.flagged { position: relative; }
.flagged.sev-error { background: var(--err-bg); box-shadow: inset 4px 0 0 var(--err); }
.flagged.sev-warning { background: var(--warn-bg); box-shadow: inset 4px 0 0 var(--warn); }
.flagged.sev-note { background: var(--note-bg); outline: 1.5px dashed var(--note); outline-offset: -3px; }
.key.sev-error { background: var(--err-bg); box-shadow: inset 4px 0 0 var(--err); }
.key.sev-warning { background: var(--warn-bg); box-shadow: inset 4px 0 0 var(--warn); }
.key.sev-note { background: var(--note-bg); outline: 1.5px dashed var(--note); outline-offset: -2px; }
sup.refs { font-size: .68em; font-weight: 700; margin-left: .3em; line-height: 0; }
/* In a column of amounts the reference sits in the cell's right padding, so the digits stay aligned. */
td.num.flagged > sup.refs { position: absolute; right: .4rem; top: .6rem; margin: 0; }
td.num.flagged.refs-2 { padding-right: 1.9rem; }
td.num.flagged.refs-3 { padding-right: 2.7rem; }
sup.refs a { text-decoration: none; }
.sev-error > sup.refs a { color: var(--err); }
.sev-warning > sup.refs a { color: var(--warn); }
.sev-note > sup.refs a { color: var(--note); }
.empty, .unanswered { color: var(--muted); font-style: italic; font-size: .85em; }

.form-field { margin: 1rem 0; }
.form-field h4 { color: var(--muted); font-weight: 600; font-size: .85rem; text-transform: uppercase; letter-spacing: .04em; }
.form-field .answer { padding: .1rem .6rem; border-left: 2px solid var(--line); }
.form-field .answer p { margin: .15rem 0 .45rem; max-width: 46rem; }
.form-field .answer.flagged { padding-left: .8rem; padding-right: 1.6rem; }
.form-field .answer.flagged > sup.refs { position: absolute; right: .45rem; top: .75rem; margin: 0; }

.findings .none { color: var(--ok); }
section.rule { margin: 1.2rem 0 1.6rem; padding-left: .9rem; border-left: 4px solid var(--line); }
.root-cause { margin: .8rem 0; padding: .4rem .9rem; border: 1px solid var(--err); }
section.rule.sev-error { border-left-color: var(--err); }
section.rule.sev-warning { border-left-color: var(--warn); }
section.rule.sev-note { border-left-color: var(--note); }
.rule-id { font-weight: 700; font-size: .86em; }
.explanation { color: #2c343d; max-width: 46rem; }
.rule-at, .place { font-size: .84rem; color: var(--muted); }
.loc { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .95em; }
ol.finding-list, ul.diag-list, ul.notes { list-style: none; padding: 0; margin: .5rem 0 0; }
li.finding, li.diag { margin: .7rem 0 .9rem; }
li.finding .msg { font-weight: 600; }
li.finding .fno { display: inline-block; min-width: 1.6rem; padding: 0 .35rem; margin-right: .45rem; text-align: center;
  border: 1.5px solid currentColor; border-radius: 1rem; font-size: .8rem; font-weight: 700; }
li.finding.sev-error .fno { color: var(--err); }
li.finding.sev-warning .fno { color: var(--warn); }
li.finding.sev-note .fno { color: var(--note); }
.badge { display: inline-block; font-size: .68rem; font-weight: 700; text-transform: uppercase; letter-spacing: .05em;
  padding: .05rem .4rem; border-radius: 3px; margin-right: .45rem; vertical-align: .12em; color: #fff; }
.badge.sev-error { background: var(--err); }
.badge.sev-warning { background: var(--warn); }
.badge.sev-note { background: var(--note); }
.kind { font-weight: normal; font-style: italic; }
table.values { font-size: .84rem; margin: .35rem 0 .25rem 2.1rem; }
table.values th { text-align: left; font-weight: 600; color: var(--muted); padding: .05rem 1rem .05rem 0; vertical-align: top; }
table.values td { padding: .05rem .8rem .05rem 0; vertical-align: top; }
table.values td.expr code { white-space: normal; word-break: break-word; }
table.values td.num { font-weight: 600; }
table.values td.interval { color: var(--muted); white-space: nowrap; }
table.values tr.difference td.num { color: var(--ink); }
li.finding .place { margin-left: 2.1rem; }
pre.snippet { background: var(--faint); padding: .5rem .7rem; overflow-x: auto; font-size: .8rem; border-radius: 3px; }
ul.notes { margin-left: 1.5rem; }

.provenance { font-size: .8rem; color: var(--muted); margin-top: 2rem; border-top: 1px solid var(--line); padding-top: .4rem; }
code.hash { word-break: break-all; }
.run-foot { margin-top: 3rem; border-top: 2px solid var(--ink); padding-top: .6rem; font-size: .85rem; }
.run-foot h2 { font-size: 1rem; }
.run-foot dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .4rem 0; }
.run-foot dt { color: var(--muted); }
.run-foot dd { margin: 0; }
.run-foot ul { margin: 0; padding: 0; list-style: none; }
:target { outline: 3px solid #e8a800; outline-offset: 2px; }

@page {
  size: A4;
  margin: 15mm 14mm 16mm 16mm;
  @bottom-left { content: "fundcheck – kontrolrapport"; font: 8pt sans-serif; color: #5a6470; }
  @bottom-right { content: "Side " counter(page) " af " counter(pages); font: 8pt sans-serif; color: #5a6470; }
}
@page landscape { size: A4 landscape; }
@media print {
  .proposal.wide { page: landscape; }
  html { font-size: 9.5pt; }
  body { max-width: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .proposal + .proposal { break-before: page; }
  .run-foot { break-before: auto; break-inside: avoid; }
  thead { display: table-header-group; }
  tr, li.finding, li.diag, .form-field h4, dl.meta > *, table.checklist { break-inside: avoid; }
  h2, h3, h4, .proposal-head, tr.section, tr.heraf { break-after: avoid; }
  a { text-decoration: none; }
  :target { outline: none; }
  table.amounts td.num { width: 7rem; }
}
)css";

}  // namespace fundcheck::engine
