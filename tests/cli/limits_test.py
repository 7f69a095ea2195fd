#!/usr/bin/env python3
"""The limits of docs/limits.md, each at the limit and just past it (one ctest per limit).

  limits_test.py --fundcheck BIN --root REPO --work DIR CASE

Inputs are generated here into DIR (nothing big is kept in git). Every case asserts the exit
code and the exact diagnostic code and message of the fundcheck run, and that nothing crashed.
"""
import argparse
import json
import os
import resource
import subprocess
import sys

RULES = """columns national, region
rule L-1 error "amounts are not negative" {
  for i in items
  for y in years
  expect i.national[y] >= 0
}
"""


def proposal(n_items, pad=0, extra=""):
    items = ",\n".join(
        '    {"id": "i%d", "name": "Item %d", "channel": "block", "amounts": {"national": 1.0, "region": 0.3}}' % (k, k)
        for k in range(n_items))
    text = ('{\n  "format": "fundcheck/allocation@1",\n  "title": "limits",%s\n  "years": [2026],\n'
            '  "columns": ["national", "region"],\n  "items": [\n%s\n  ]\n}\n') % (extra, items)
    return text + " " * pad


class Case:
    def __init__(self, args):
        self.bin = args.fundcheck
        self.root = args.root
        self.work = args.work
        os.makedirs(self.work, exist_ok=True)
        self.failures = 0

    def write(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def run(self, *argv, max_memory=None):
        env = dict(os.environ, NO_COLOR="1", COLUMNS="100")
        limit = None
        # An address-space limit, except under AddressSanitizer (whose shadow memory reserves
        # terabytes of address space it never uses).
        if max_memory and "ASAN_OPTIONS" not in os.environ:
            limit = lambda: resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
        p = subprocess.run([self.bin, *argv], capture_output=True, text=True, env=env, timeout=120, preexec_fn=limit)
        return p.returncode, p.stdout, p.stderr

    def expect(self, what, argv, code, *needles, absent=(), max_memory=None):
        rc, out, err = self.run(*argv, max_memory=max_memory)
        text = out + err
        problems = []
        if rc != code:
            problems.append("exit code %d, expected %d" % (rc, code))
        for n in needles:
            if n not in text:
                problems.append("missing %r" % n)
        for n in tuple(absent) + ("internal error", "AddressSanitizer", "runtime error", "Segmentation"):
            if n in text:
                problems.append("unexpected %r" % n)
        if problems:
            self.failures += 1
            print("FAIL %s: %s\n--- stdout\n%s--- stderr\n%s" % (what, "; ".join(problems), out[-3000:], err[-3000:]))
        else:
            print("ok   %s" % what)
        return rc, out, err


def nested_rule(depth):
    return RULES + "let deep = " + "(" * (depth - 1) + "1" + ")" * (depth - 1) + "\n"


def case_rule_bytes(c):
    p = c.write("p.json", proposal(2))
    # The default (4 MiB): a file of exactly 4194304 bytes is read, one more byte is not.
    limit = 4 << 20
    body = RULES + "#"
    at = c.write("at.rules", body + "x" * (limit - len(body.encode()) - 1) + "\n")
    assert os.path.getsize(at) == limit
    c.expect("rule file of 4194304 bytes (default limit)", ["check", "--rules", at, p], 0, "passed")
    past = c.write("past.rules", body + "x" * (limit - len(body.encode())) + "\n")
    c.expect("rule file of 4194305 bytes", ["check", "--rules", past, p], 2, "error[E1006]",
             "is 4194305 bytes (the limit is 4194304)")
    # --max-rule-bytes N.
    small = c.write("small.rules", RULES)
    n = str(os.path.getsize(small))
    c.expect("--max-rule-bytes = size", ["check", "--max-rule-bytes", n, "--rules", small, p], 0, "passed")
    c.expect("--max-rule-bytes = size - 1", ["check", "--max-rule-bytes", str(int(n) - 1), "--rules", small, p], 2,
             "error[E1006]", "(the limit is %d)" % (int(n) - 1))
    c.expect("--max-rule-bytes 0", ["check", "--max-rule-bytes", "0", "--rules", small, p], 2,
             "--max-rule-bytes needs a whole number from 1 to 4294967295, got '0'")


def case_rule_depth(c):
    p = c.write("p.json", proposal(2))
    for depth, flags in ((256, []), (256, ["--max-rule-depth", "256"]), (10, ["--max-rule-depth", "10"])):
        at = c.write("at%d.rules" % depth, nested_rule(depth))
        c.expect("expression nested %d levels, limit %d" % (depth, depth), ["check", *flags, "--rules", at, p], 0, "passed")
        past = c.write("past%d.rules" % depth, nested_rule(depth + 1))
        c.expect("expression nested %d levels, limit %d" % (depth + 1, depth), ["check", *flags, "--rules", past, p], 2,
                 "error[E1005]", "expression nested too deeply (the limit is %d levels)" % depth)
    # 100,000 levels of parentheses, and a chain of 100,000 operators: an error, not a stack overflow.
    deep = c.write("deep.rules", nested_rule(100_000))
    c.expect("expression nested 100000 levels", ["check", "--rules", deep, p], 2, "error[E1005]")
    chain = c.write("chain.rules", RULES + "let long = " + " + ".join(["1"] * 100_000) + "\n")
    c.expect("chain of 100000 operators", ["check", "--rules", chain, p], 2, "error[E1005]", "expression too long")
    # The flag may lower the limit, not raise it: the parser's stack (under AddressSanitizer 384
    # levels overflow 8 MiB).
    c.expect("--max-rule-depth past the ceiling", ["check", "--max-rule-depth", "257", "--rules", deep, p], 2,
             "--max-rule-depth needs a whole number from 1 to 256, got '257'")


def case_proposal_bytes(c):
    rules = c.write("l.rules", RULES)
    p = c.write("p.json", proposal(2))
    n = os.path.getsize(p)
    c.expect("--max-proposal-bytes = size", ["check", "--max-proposal-bytes", str(n), "--rules", rules, p], 0, "passed")
    c.expect("--max-proposal-bytes = size - 1", ["check", "--max-proposal-bytes", str(n - 1), "--rules", rules, p], 2,
             "error[E3003]", "is %d bytes, more than the limit of %d bytes" % (n, n - 1))
    csv = c.write("t.csv", "Mio. kr;Nationalt 2026;Region Hovedstaden 2026\nA;1,0;0,3\n")
    n = os.path.getsize(csv)
    c.expect("CSV, --max-proposal-bytes = size", ["check", "--max-proposal-bytes", str(n), "--rules", rules, csv], 0, "passed")
    c.expect("CSV, --max-proposal-bytes = size - 1", ["check", "--max-proposal-bytes", str(n - 1), "--rules", rules, csv],
             2, "error[E3003]", "more than the limit of %d bytes" % (n - 1))


def nested_note(depth):
    # The title is a string: nesting it in arrays is a type error (E3010) once read, but the depth
    # check comes first and must name the place.
    return proposal(1, extra=' "note": %s"x"%s,' % ("[" * (depth - 1), "]" * (depth - 1)))


def case_depth(c):
    rules = c.write("l.rules", RULES)
    for depth, flags in ((64, []), (1024, ["--max-depth", "1024"]), (5, ["--max-depth", "5"])):
        at = c.write("at%d.json" % depth, nested_note(depth))
        rc, out, err = c.expect("JSON nested %d levels, limit %d" % (depth, depth), ["check", *flags, "--rules", rules, at],
                                2, absent=("E3004",))
        past = c.write("past%d.json" % depth, nested_note(depth + 1))
        c.expect("JSON nested %d levels, limit %d" % (depth + 1, depth), ["check", *flags, "--rules", rules, past], 2,
                 "error[E3004]", "nesting deeper than %d levels" % depth)
    deep = c.write("deep.json", "[" * 100_000 + "]" * 100_000)
    c.expect("JSON nested 100000 levels", ["check", "--rules", rules, deep], 2, "error[E3004]", "nesting deeper than 64 levels")
    c.expect("--max-depth past the ceiling", ["check", "--max-depth", "1025", "--rules", rules, deep], 2,
             "--max-depth needs a whole number from 1 to 1024, got '1025'")


def case_records(c):
    rules = c.write("l.rules", RULES)
    p = c.write("p.json", proposal(1000))
    # The document itself is a record, and so is every item.
    c.expect("1001 records, --max-records 1001", ["check", "--max-records", "1001", "--rules", rules, p], 0, "passed")
    c.expect("1001 records, --max-records 1000", ["check", "--max-records", "1000", "--rules", rules, p], 2,
             "error[E3005]", "more than 1000 records (the limit)")


QUADRATIC = RULES + """rule L-Q error "no two items share a name" {
  for a in all_items
  for b in all_items where a.id != b.id
  expect a.name != b.name
}
"""


def case_steps(c):
    rules = c.write("q.rules", QUADRATIC)
    small = c.write("small.json", proposal(30))

    def passes(steps):
        rc, out, err = c.run("check", "--max-steps", str(steps), "--rules", rules, small)
        return rc == 0
    # The least budget that evaluates everything: a budget one step smaller stops.
    lo, hi = 1, 1 << 40
    if not passes(hi):
        c.failures += 1
        print("FAIL the quadratic rule does not pass on 30 items")
        return
    while lo < hi:
        mid = (lo + hi) // 2
        if passes(mid):
            hi = mid
        else:
            lo = mid + 1
    c.expect("--max-steps %d (exactly enough)" % lo, ["check", "--max-steps", str(lo), "--rules", rules, small], 0, "passed")
    c.expect("--max-steps %d (one step short)" % (lo - 1), ["check", "--max-steps", str(lo - 1), "--rules", rules, small],
             1, "no two items share a name: not evaluated", "evaluation budget was exhausted")
    # Every item against every other of a 100,000-item proposal (10^10 pairs): stopped by the
    # budget, the rule named, within 1 GiB of address space (it took 4 GiB when the evaluator
    # built a chunk's bindings before looking at the budget).
    big = c.write("big.json", proposal(100_000))
    rc, out, err = c.expect("quadratic rule on 100000 items, --max-steps 1000000, in 1 GiB",
                            ["check", "--max-steps", "1000000", "--format", "json", "--rules", rules, big], 1,
                            max_memory=1 << 30)
    report = json.loads(out)
    findings = [f for p in report["proposals"] for f in p["findings"]]
    stopped = [f for f in findings if f.get("rule") == "L-Q"]
    if len(stopped) != 1 or "budget" not in json.dumps(stopped[0]):
        c.failures += 1
        print("FAIL the quadratic rule is not reported as stopped by the budget: %s" % json.dumps(stopped)[:2000])
    c.expect("--max-steps 0", ["check", "--max-steps", "0", "--rules", rules, small], 2,
             "--max-steps needs a whole number of at least 1, got '0'")


CASES = {"rule-bytes": case_rule_bytes, "rule-depth": case_rule_depth, "proposal-bytes": case_proposal_bytes,
         "depth": case_depth, "records": case_records, "steps": case_steps}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fundcheck", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("case", choices=sorted(CASES))
    args = ap.parse_args()
    args.work = os.path.join(args.work, args.case)
    c = Case(args)
    os.chdir(args.root)
    CASES[args.case](c)
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
