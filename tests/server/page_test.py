#!/usr/bin/env python3
"""The page at GET / in headless Chromium, end to end (ctest server.page).

Starts `fundcheck serve` on an ephemeral port and drives Chromium over the DevTools protocol on
a pipe (--remote-debugging-pipe: file descriptors 3 and 4, NUL-separated JSON messages), so no
websocket client and no package beyond python3 is needed. Like a person it

1. opens the page, waits for the rule sets to be listed, sets the file input to
   examples/broken/block-total.json (DOM.setFileInputFiles), chooses the rule set "allocation",
   presses Check, and then asserts that the report drawn in the page's frame has the class
   "flagged" on exactly the three expected cells with their severities (as
   tests/html/screenshot_test.py asserts for the CLI's HTML report) and that the page shows the
   decision id, which the server has recorded;
2. uploads the CSV table examples/kraeftplan-v-2026.csv. The page sends a CSV table without a
   mapping file (docs/server.md): the report says so with W3201 warnings, and the funding forms
   the mapping would give are missing, so the table fails with KPV-FRM-01. Asserted: the warnings
   are in the report, and its flagged cells are exactly the cells the API's JSON answer for the
   same bytes has findings on.

Every wait polls a condition with a deadline and fails saying what it waited for.
Exit 0: passed; 1: failed; 77: skipped because Chromium is not installed (ctest SKIP_RETURN_CODE).
"""

import argparse
import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77

BLOCK_TOTAL = "examples/broken/block-total.json"
EXPECTED_FLAGS = {  # as in tests/html/screenshot_test.py
    "/totals/0/amounts/national": "sev-error",
    "/totals/0/amounts/region": "sev-error",
    "/items/6/amounts/national": "sev-note",
}
CSV = "examples/kraeftplan-v-2026.csv"

failures = []


def check(cond, message):
    if not cond:
        failures.append(message)
        print("FAIL: " + message, flush=True)
    return cond


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


class browser:
    """Headless Chromium with a throwaway profile, spoken to over --remote-debugging-pipe."""

    def __init__(self, binary, work):
        self.profile = tempfile.mkdtemp(prefix="fundcheck-chromium-", dir=work)
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--remote-debugging-pipe", "--user-data-dir=" + self.profile,
                 "about:blank"]
        # Chromium reads commands from fd 3 and writes answers to fd 4: a shell puts the pipes there.
        self.proc = subprocess.Popen(
            ["sh", "-c", 'exec "$0" "$@" 3<&%d 4>&%d' % (to_chrome_r, from_chrome_w), binary, *flags],
            pass_fds=(to_chrome_r, from_chrome_w), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None, timeout=60):
        """Sends a command and returns its result; events read meanwhile are kept in self.events."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while True:
            m = self.receive(deadline, "the answer to " + method)
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError("%s: %s" % (method, m["error"]))
                return m["result"]
            self.events.append(m)

    def receive(self, deadline, what):
        while b"\0" not in self.buffer:
            if time.time() > deadline:
                raise RuntimeError("Chromium did not send %s in time" % what)
            chunk = os.read(self.from_chrome, 65536)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe while we waited for %s: %s"
                                   % (what, self.proc.stderr.read().decode(errors="replace")[-2000:]))
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self):
        try:
            self.send("Browser.close", timeout=10)
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self.to_chrome)
        os.close(self.from_chrome)


class page:
    """One tab, attached with a flat session."""

    def __init__(self, b):
        self.b = b
        target = b.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = b.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable")
        self.send("Runtime.enable")
        # The report frame is sandboxed; Chromium may run it in a process of its own (an
        # out-of-process iframe, not reached by the page's DOM). Attach to such frames as they come.
        self.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": False, "flatten": True})

    def send(self, method, params=None):
        return self.b.send(method, params, self.session)

    def evaluate(self, expression):
        r = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait_for(self, expression, what, timeout=60):
        """Polls a JavaScript expression in the page until it is truthy; returns its value."""
        deadline = time.time() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.time() > deadline:
                raise RuntimeError("timed out after %d s waiting for %s (%s)" % (timeout, what, expression))
            time.sleep(0.05)

    def node(self, selector):
        root = self.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        found = self.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        if not found:
            raise RuntimeError("no element %s in the page" % selector)
        return found

    def frame_sessions(self):
        """Sessions of the out-of-process frames attached so far and not detached, newest last."""
        live = []
        for e in self.b.events:
            if e.get("method") == "Target.attachedToTarget" and e["params"]["targetInfo"]["type"] == "iframe":
                live.append(e["params"]["sessionId"])
            elif e.get("method") == "Target.detachedFromTarget" and e["params"].get("sessionId") in live:
                live.remove(e["params"]["sessionId"])
        return live

    def report_cells(self):
        """The flagged elements of the report frame: [(data-pointer, severity class)], and the
        frame's text. The frame is sandboxed (no scripts, an opaque origin), so the page's
        JavaScript cannot look into it; the DevTools DOM can: through the frame's own session when
        it runs out of process, else through the page's DOM (pierce)."""
        frame_doc = None
        for session in reversed(self.frame_sessions()):
            try:
                doc = self.b.send("DOM.getDocument", {"depth": -1, "pierce": True}, session)["root"]
            except RuntimeError:
                continue  # a frame gone meanwhile
            frame_doc = doc
            break
        root = self.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]

        def walk(n, inside):
            nonlocal frame_doc
            if n.get("nodeName") == "IFRAME" and dict(zip(n.get("attributes", [])[::2], n.get("attributes", [])[1::2])).get("id") == "report":
                frame_doc = n.get("contentDocument")
                return
            for c in n.get("children", []):
                walk(c, inside)
        if frame_doc is None:
            walk(root, False)
        if frame_doc is None:
            return None, ""
        flagged, text = [], []

        def collect(n):
            attrs = dict(zip(n.get("attributes", [])[::2], n.get("attributes", [])[1::2]))
            classes = attrs.get("class", "").split()
            if "flagged" in classes:
                sev = [c for c in classes if c.startswith("sev-")]
                flagged.append((attrs.get("data-pointer", ""), sev[0] if len(sev) == 1 else sev))
            if n.get("nodeType") == 3:
                text.append(n.get("nodeValue", ""))
            for c in n.get("children", []):
                collect(c)
        collect(frame_doc)
        return flagged, " ".join(text)


def upload(p, path, ruleset):
    """Chooses the file and the rule set, presses Check, and waits for the decision id."""
    p.evaluate("delete document.body.dataset.decision; document.getElementById('report').srcdoc = ''; true")
    p.send("DOM.setFileInputFiles", {"files": [path], "nodeId": p.node("#file")})
    name = os.path.basename(path)
    p.wait_for("document.getElementById('status').textContent === %s" % json.dumps("chosen: " + name),
               "the page to take the file " + name)
    p.evaluate("document.getElementById('ruleset').value = %s; document.getElementById('ruleset').value" % json.dumps(ruleset))
    check(p.evaluate("document.getElementById('ruleset').value") == ruleset, "the rule set %s cannot be chosen" % ruleset)
    p.evaluate("document.getElementById('check').click(); true")
    decision = p.wait_for("document.body.dataset.decision", "the decision id after checking " + name)
    status = p.evaluate("document.getElementById('status').textContent")
    check(status == "%s: decision %s" % (name, decision), "the page says %r, expected the file and decision %s"
          % (status, decision))
    # The report arrives in the frame after the answer. It is this file's report (not the one
    # before) when it names the SHA-256 of these bytes, which the report's provenance line shows.
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    deadline = time.time() + 60
    while True:
        flagged, text = p.report_cells()
        if flagged is not None and digest in text:
            return decision, flagged, text
        if time.time() > deadline:
            raise RuntimeError("timed out waiting for the report of %s (SHA-256 %s) in the page's frame" % (name, digest))
        time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fundcheck", required=True)
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    chromium = find_chromium()
    if not chromium:
        print("SKIP: chromium is not installed")
        return SKIP
    root = os.path.abspath(args.root)
    work = tempfile.mkdtemp(prefix="fundcheck-page-test-")
    port_file = os.path.join(work, "port")
    log = open(os.path.join(work, "serve.log"), "w")
    server = subprocess.Popen(
        [args.fundcheck, "serve", "--rules", os.path.join(root, "rules/kraeftplan-v.rules"), "--listen", "127.0.0.1:0",
         "--port-file", port_file, "--decisions", os.path.join(work, "decisions.db"), "--threads", "2"],
        stdout=subprocess.DEVNULL, stderr=log)
    b = None
    try:
        deadline = time.time() + 60
        while not os.path.exists(port_file):
            if server.poll() is not None or time.time() > deadline:
                raise RuntimeError("the server did not start: " + open(log.name).read())
            time.sleep(0.02)
        port = int(open(port_file).read())

        def api(method, path, body=None, headers=None):
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            c.close()
            return r.status, data

        b = browser(chromium, work)
        p = page(b)
        p.send("Page.navigate", {"url": "http://127.0.0.1:%d/" % port})
        p.wait_for("document.readyState === 'complete' && document.getElementById('ruleset') !== null",
                   "the page to load")
        p.wait_for("[...document.getElementById('ruleset').options].some(o => o.value === 'allocation')",
                   "the rule set 'allocation' in the page's list (from /v1/rulesets)")

        # 1. A JSON proposal: exactly the three cells the findings point at, with their severity.
        decision, flagged, text = upload(p, os.path.join(root, BLOCK_TOTAL), "allocation")
        got = {}
        for pointer, sev in flagged:
            check(pointer not in got, "cell %s flagged twice" % pointer)
            got[pointer] = sev
        check(got == EXPECTED_FLAGS, "flagged cells of %s: %r, expected %r" % (BLOCK_TOTAL, got, EXPECTED_FLAGS))
        check("KPV-" in text, "the report frame names no rule")
        st, body = api("GET", "/v1/decisions/" + decision)
        check(st == 200 and json.loads(body)["result"] == "failed",
              "the decision %s the page shows is not recorded as failed: %d %r" % (decision, st, body[:200]))

        # 2. A CSV table, which the page sends without a mapping file.
        csv_path = os.path.join(root, CSV)
        decision2, flagged, text = upload(p, csv_path, "allocation")
        check(decision2 != decision, "the CSV check shows the decision of the JSON check")
        check("W3201" in text, "the report of a CSV table without its mapping has no W3201 warning")
        st, body = api("POST", "/v1/check?ruleset=allocation", open(csv_path, "rb").read(), {"Content-Type": "text/csv"})
        report = json.loads(body)
        want = {f["location"]["pointer"] for f in report["proposals"][0]["findings"] if f["location"]["pointer"]}
        got = {pointer for pointer, _ in flagged}
        check(st == 200 and report["proposals"][0]["status"] == "failed",
              "the API answer for the CSV table: %d %s" % (st, report.get("proposals", [{}])[0].get("status")))
        check(any(f["rule"] == "KPV-FRM-01" for f in report["proposals"][0]["findings"]),
              "without the mapping, the CSV table should fail KPV-FRM-01 (no funding forms)")
        check(got == want, "flagged cells of the CSV table: %d, the API's findings point at %d; only in the "
              "page: %s; only in the API: %s" % (len(got), len(want), sorted(got - want)[:5],
                                                 sorted(want - got)[:5]))
        check("/items/2/amounts/national" in got, "Palliation's national amount (KPV-SUM-01) is not flagged")
    finally:
        if b:
            b.close()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        shutil.rmtree(work, ignore_errors=True)

    if failures:
        print("%d failures" % len(failures))
        return 1
    print("page: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
