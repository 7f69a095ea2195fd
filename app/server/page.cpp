// The page for people at GET /: choose or drop a proposal, choose the rule set, read the report
// as the HTML report draws it. Plain HTML and JavaScript, no build step, no external assets.

#include "service.hpp"

namespace fundcheck::app {

std::string_view index_page() {
  static constexpr std::string_view page = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fundcheck</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 0; color: #1b1b1b; }
header { background: #243447; color: #fff; padding: 10px 20px; }
header h1 { font-size: 18px; margin: 0; }
form { display: flex; flex-wrap: wrap; gap: 12px; align-items: end; padding: 14px 20px; border-bottom: 1px solid #ccc; }
label { display: flex; flex-direction: column; font-size: 13px; gap: 3px; }
#drop { border: 2px dashed #8aa; padding: 14px 18px; border-radius: 6px; min-width: 260px; }
#drop.over { background: #eef6ff; }
#status { padding: 8px 20px; }
#status.error { background: #f8d3ce; }
#report { width: 100%; height: calc(100vh - 170px); border: 0; }
</style>
</head>
<body>
<header><h1>fundcheck: check a proposal</h1></header>
<form id="form">
  <div id="drop">Drop a proposal here (JSON or CSV), or
    <input type="file" id="file" accept=".json,.csv,application/json,text/csv"></div>
  <label>Rule set <select id="ruleset"><option value="">by the proposal's format</option></select></label>
  <label>Parameters (NAME=VALUE, one per line) <textarea id="params" rows="2" cols="24"></textarea></label>
  <label>Token (if the server asks for one) <input type="password" id="token" size="16"></label>
  <button type="submit" id="check">Check</button>
</form>
<div id="status" role="status"></div>
<iframe id="report" title="report" sandbox=""></iframe>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
let chosen = null;
function auth() {
  const t = $("token").value.trim();
  return t ? { "Authorization": "Bearer " + t } : {};
}
function say(text, error) {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
}
async function loadRulesets() {
  try {
    const r = await fetch("v1/rulesets", { headers: auth() });
    const j = await r.json();
    if (!r.ok) { say(j.error.code + ": " + j.error.message, true); return; }
    const sel = $("ruleset");
    while (sel.options.length > 1) sel.remove(1);
    for (const s of j.rulesets) {
      const o = document.createElement("option");
      o.value = s.name;
      o.textContent = s.name + " (" + s.rules.length + " rules, " + s.sha256.slice(0, 12) + ")";
      sel.appendChild(o);
    }
  } catch (e) { say("cannot reach the server: " + e, true); }
}
function choose(file) {
  chosen = file;
  say(file ? "chosen: " + file.name : "");
}
$("file").addEventListener("change", () => choose($("file").files[0] || null));
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
});
$("token").addEventListener("change", loadRulesets);
$("form").addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!chosen) { say("choose a proposal file first", true); return; }
  const q = new URLSearchParams({ format: "html" });
  if ($("ruleset").value) q.set("ruleset", $("ruleset").value);
  for (const line of $("params").value.split("\n")) {
    const t = line.trim();
    if (!t) continue;
    const eq = t.indexOf("=");
    if (eq <= 0) { say("a parameter needs NAME=VALUE: " + t, true); return; }
    q.set("param." + t.slice(0, eq).trim(), t.slice(eq + 1).trim());
  }
  const csv = /\.csv$/i.test(chosen.name);
  say("checking " + chosen.name + " …");
  try {
    const r = await fetch("v1/check?" + q.toString(), {
      method: "POST",
      headers: Object.assign({ "Content-Type": csv ? "text/csv" : "application/json" }, auth()),
      body: await chosen.arrayBuffer(),
    });
    if (!r.ok) {
      const j = await r.json();
      const loc = j.error.location || {};
      const where = loc.line ? " (line " + loc.line + ", column " + loc.column + ")" : loc.name ? " (" + loc.in + " " + loc.name + ")" : "";
      say(j.error.code + ": " + j.error.message + where, true);
      $("report").srcdoc = "";
      return;
    }
    $("report").srcdoc = await r.text();
    say(chosen.name + ": decision " + r.headers.get("Fundcheck-Decision"));
    document.body.dataset.decision = r.headers.get("Fundcheck-Decision");
  } catch (e) { say("the check failed: " + e, true); }
});
loadRulesets();
</script>
</body>
</html>
)html";
  return page;
}

}  // namespace fundcheck::app
