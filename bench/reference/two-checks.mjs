// The reference the issue compares against: a hand-written loop doing two checks on a proposal
// (sub-items sum to their item within 0.1; region = 0.312 × national within 0.1), with
// JSON.parse and binary floating point. Usage: node two-checks.mjs PROPOSAL.json
import { readFileSync } from "node:fs";

const start = process.hrtime.bigint();
const doc = JSON.parse(readFileSync(process.argv[2], "utf8"));
const parsed = process.hrtime.bigint();
let checks = 0, failures = 0;
const visit = (item) => {
  const a = item.amounts || {};
  if (item.subitems && item.subitems.length > 0) {
    let sum = 0;
    for (const s of item.subitems) sum += (s.amounts && s.amounts.national) || 0;
    checks++;
    if (Math.abs(sum - a.national) > 0.1) failures++;
  }
  if (a.national !== undefined && a.region !== undefined) {
    checks++;
    if (Math.abs(a.region - 0.312 * a.national) > 0.1) failures++;
  }
  for (const s of item.subitems || []) visit(s);
};
for (const item of doc.items) visit(item);
const done = process.hrtime.bigint();
console.log(`parse ${Number(parsed - start) / 1e6} ms, checks ${Number(done - parsed) / 1e6} ms, ` +
            `total ${Number(done - start) / 1e6} ms; ${checks} checks, ${failures} failures`);
