#!/usr/bin/env python3
"""fundcheck serve end to end (ctest server.serve): starts the server on an ephemeral loopback
port and checks every endpoint against docs/openapi.yaml, bad input and limits, SIGHUP reloads
with a broken rule file, --watch, graceful shutdown on SIGTERM, kill -9 durability of the
decision log, and `fundcheck decisions verify`.

Exit 0: passed; 1: failed.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

import yaml

failures = []


def check(cond, message):
    if not cond:
        failures.append(message)
        print("FAIL: " + message, flush=True)
    return cond


def wait_for(condition, what, timeout=30):
    """Polls condition() until it is true or the deadline passes; on timeout the failure says what
    was expected. No fixed sleeps: under load (ctest -j2, other builds) anything may take long."""
    deadline = time.time() + timeout
    while True:
        try:
            if condition():
                return True
        except (OSError, http.client.HTTPException, ValueError):
            pass  # e.g. refused at the connection cap while closed connections are being noticed
        if time.time() > deadline:
            return check(False, "timed out after %d s waiting for: %s" % (timeout, what))
        time.sleep(0.02)


class server:
    def __init__(self, fundcheck, work, *extra, name="s", threads=2):
        self.port_file = os.path.join(work, name + ".port")
        self.log_path = os.path.join(work, name + ".log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [fundcheck, "serve", "--listen", "127.0.0.1:0", "--port-file", self.port_file, "--log-format", "json",
             "--threads", str(threads), *extra],
            stdout=subprocess.PIPE, stderr=self.log)
        deadline = time.time() + 30
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("the server did not start: " + open(self.log_path).read())
            time.sleep(0.02)
        self.port = int(open(self.port_file).read())

    def request(self, method, path, body=None, headers=None, timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict(r.getheaders()), data

    def open_connections(self):
        """The server's own count of open connections (this request's included), from /metrics."""
        st, _, b = self.request("GET", "/metrics")
        if st != 200:
            return None
        m = re.search(rb"^fundcheck_open_connections (\d+)$", b, re.M)
        return int(m.group(1)) if m else None

    def events(self):
        self.log.flush()
        out = []
        for line in open(self.log_path):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out


# ---- a small OpenAPI checker: operations, statuses and JSON schemas (type, required, enum, items)

class spec:
    def __init__(self, path):
        self.doc = yaml.safe_load(open(path))

    def ref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            target = self.doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def validate(self, schema, value, where):
        schema = self.ref(schema)
        t = schema.get("type")
        types = {"object": dict, "array": list, "string": str, "boolean": bool}
        if t == "integer":
            check(isinstance(value, int) and not isinstance(value, bool), "%s: not an integer" % where)
        elif t in types:
            if not check(isinstance(value, types[t]), "%s: not a %s: %r" % (where, t, value)):
                return
        if "enum" in schema:
            check(value in schema["enum"], "%s: %r not in %r" % (where, value, schema["enum"]))
        if t == "object":
            for k in schema.get("required", []):
                check(k in value, "%s: missing %r" % (where, k))
            for k, sub in schema.get("properties", {}).items():
                if k in value:
                    self.validate(sub, value[k], where + "." + k)
        if t == "array" and "items" in schema:
            for i, v in enumerate(value):
                self.validate(schema["items"], v, "%s[%d]" % (where, i))

    def conform(self, method, path, status, headers, body):
        """The observed answer is declared for the operation, and a JSON body matches its schema."""
        template = None
        for p in self.doc["paths"]:
            if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", p), path.split("?")[0]):
                template = p
        if not check(template is not None, "%s %s: path not in openapi.yaml" % (method, path)):
            return
        if status == 405:  # a method the path does not answer: an Error body and an Allow header
            check("Allow" in headers, "%s %s: 405 without Allow" % (method, template))
            self.validate({"$ref": "#/components/schemas/Error"}, json.loads(body), "%s %s 405" % (method, template))
            return
        op = self.doc["paths"][template].get(method.lower())
        if not check(op is not None, "%s %s: method not in openapi.yaml" % (method, template)):
            return
        resp = op["responses"].get(str(status))
        if not check(resp is not None, "%s %s: status %d not in openapi.yaml" % (method, template, status)):
            return
        resp = self.ref(resp)
        ctype = headers.get("Content-Type", "").split(";")[0]
        content = resp.get("content", {})
        if not check(ctype in content, "%s %s %d: content type %s not declared" % (method, template, status, ctype)):
            return
        if ctype == "application/json" and "schema" in content[ctype]:
            self.validate(content[ctype]["schema"], json.loads(body), "%s %s %d" % (method, template, status))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fundcheck", required=True)
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    root = args.root
    api = spec(os.path.join(root, "docs/openapi.yaml"))
    work = tempfile.mkdtemp(prefix="fundcheck-serve-test-")
    rules_dir = os.path.join(work, "rules")
    os.makedirs(rules_dir)
    rule_file = os.path.join(rules_dir, "kraeftplan-v.rules")
    shutil.copy(os.path.join(root, "rules/kraeftplan-v.rules"), rule_file)
    rules_text = open(rule_file).read()
    db = os.path.join(work, "decisions.db")
    good = open(os.path.join(root, "examples/kraeftplan-v-2026.json"), "rb").read()
    broken_path = os.path.join(root, "examples/broken/subitem-sum.json")
    broken = open(broken_path, "rb").read()
    csv = open(os.path.join(root, "examples/kraeftplan-v-2026.csv"), "rb").read()
    JSON = {"Content-Type": "application/json"}

    s = server(args.fundcheck, work, "--rules", rules_dir, "--decisions", db, "--max-body", "200000",
               "--max-connections", "6")

    def call(method, path, body=None, headers=None):
        st, h, b = s.request(method, path, body, headers)
        api.conform(method, path, st, h, b)
        return st, h, b

    try:
        # --- every endpoint
        st, _, b = call("GET", "/healthz")
        check(st == 200, "healthz")
        st, _, b = call("GET", "/readyz")
        check(st == 200, "readyz")
        st, h, b = call("GET", "/")
        check(st == 200 and b"<form" in b, "the page")
        st, _, b = call("GET", "/v1/rulesets")
        sets = json.loads(b)
        check(st == 200 and sets["rulesets"][0]["name"] == "allocation", "rulesets")
        hash1 = sets["rulesets"][0]["sha256"]
        st, h, b = call("POST", "/v1/check?ruleset=allocation", broken, JSON)
        report = json.loads(b)
        check(st == 200 and report["proposals"][0]["status"] == "failed", "check broken")
        check(h.get("Fundcheck-Decision") == report["decision"]["id"], "decision header")
        # The same report as the CLI gives for the file, but for the file name and the decision.
        cli = subprocess.run([args.fundcheck, "check", "--rules", rules_dir, "--format", "json", broken_path],
                             stdout=subprocess.PIPE)
        cli_report = json.loads(cli.stdout)
        server_findings = json.dumps(report["proposals"][0]["findings"]).replace("request.json", "F")
        cli_findings = json.dumps(cli_report["proposals"][0]["findings"]).replace(broken_path, "F")
        check(server_findings == cli_findings, "server and CLI findings differ")
        check(report["summary"] == cli_report["summary"], "server and CLI summaries differ")
        decision_id = report["decision"]["id"]
        st, _, b = call("GET", "/v1/decisions/" + decision_id)
        check(st == 200 and json.loads(b)["result"] == "failed", "decision lookup")
        st, _, b = call("POST", "/v1/check?param.key=0.3117", good, JSON)
        good_id = json.loads(b)["decision"]["id"]
        check(st == 200 and json.loads(b)["proposals"][0]["status"] == "passed", "check good")
        st, _, b = call("POST", "/v1/check", csv, {"Content-Type": "text/csv"})
        check(st == 200, "check csv")
        st, h, b = call("POST", "/v1/check?format=html", broken, JSON)
        check(st == 200 and b"KPV-SUM-01" in b, "check html")
        st, _, b = call("GET", "/metrics")
        check(st == 200 and b"fundcheck_findings_total{ruleset=\"allocation\",rule=\"KPV-SUM-01\",severity=\"error\"}" in b,
              "metrics findings")

        # --- bad input: 4xx with a JSON error body saying what and where
        for method, path, body, headers, status, code in [
            ("POST", "/v1/check", b"{\"format\": ", JSON, 400, "E3001"),
            ("POST", "/v1/check", b"[" * 100000, JSON, 400, "E3004"),
            ("POST", "/v1/check?ruleset=nope", good, JSON, 404, "E5003"),
            ("POST", "/v1/check?param.kye=1", good, JSON, 400, "E2101"),
            ("POST", "/v1/check?param.key=abc", good, JSON, 400, "E2102"),
            ("POST", "/v1/check", good, {"Content-Type": "application/xml"}, 415, "E5005"),
            ("POST", "/v1/check", b"x" * 300000, JSON, 413, "E5006"),
            ("GET", "/v1/check", None, None, 405, "E5002"),
            ("GET", "/v1/decisions/nothex", None, None, 400, "E5011"),
            ("GET", "/v1/decisions/" + "0" * 32, None, None, 404, "E5012"),
        ]:
            st, h, b = call(method, path, body, headers)
            ok = check(st == status, "%s %s: %d, expected %d" % (method, path, st, status))
            if ok:
                e = json.loads(b)["error"]
                check(e["code"] == code and e["message"], "%s %s: code %s, expected %s" % (method, path, e["code"], code))
                check("location" in e, "%s %s: no location" % (method, path))

        # Malformed HTTP and oversized headers
        def raw(data, wait=60):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=wait)
            c.sendall(data)
            out = b""
            try:
                while True:
                    chunk = c.recv(65536)
                    if not chunk:
                        break
                    out += chunk
            except socket.timeout:
                pass
            c.close()
            return out
        check(raw(b"BLAH\r\n\r\n").startswith(b"HTTP/1.1 400"), "malformed request line: 400")
        check(raw(b"GET /healthz HTTP/1.1\r\nX: " + b"a" * 40000 + b"\r\n\r\n").startswith(b"HTTP/1.1 431"),
              "huge header: 431")

        # A slow client holds no worker and is cut off after the header timeout. A server of its own
        # with one worker: were the worker held, /healthz would be answered only after the cut.
        # Asserted by order of events, not by time: /healthz answered while the slow connection is
        # still open, then the server closes it.
        t = server(args.fundcheck, work, "--rules", rules_dir, "--no-decisions", "--header-timeout", "3",
                   name="timeouts", threads=1)
        try:
            slow = socket.create_connection(("127.0.0.1", t.port))
            slow.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\n")
            t0 = time.time()
            st, _, _ = t.request("GET", "/healthz")
            check(st == 200, "healthz next to a slow client: %d" % st)
            slow.setblocking(False)
            try:
                still_open = slow.recv(100) != b""  # data would be a bug too; b"" is a close
            except BlockingIOError:
                still_open = True  # nothing to read: the server has not closed it yet
            check(still_open, "a slow client holds the only worker: /healthz was answered only after the "
                              "slow connection was closed")
            slow.setblocking(True)
            slow.settimeout(60)
            check(slow.recv(100) == b"", "a slow client was not disconnected by the header timeout")
            # A lower bound only: the cut is the configured timeout, not an early close.
            check(time.time() - t0 > 1, "the 3 s header timeout closed the connection after %.1f s" % (time.time() - t0))
            slow.close()
        finally:
            t.proc.kill()
            t.proc.wait()

        # The connection cap: idle connections up to the limit, then 503. The connections of the
        # requests above must be gone first: a client's close reaches the server a little later, and
        # a connection still counted would take one of the six places.
        wait_for(lambda: s.open_connections() == 1, "the server to count only the /metrics connection as open")
        idle = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(6)]
        over = raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        check(over.startswith(b"HTTP/1.1 503") and b"E5015" in over,
              "connection cap: the 7th connection with 6 idle ones open, expected 503 E5015, got %r" % over[:40])
        for c in idle:
            c.close()
        wait_for(lambda: s.open_connections() == 1, "the closed idle connections to be released by the server")

        # --- SIGHUP with a broken rule file: rejected, logged, the old rules keep serving
        with open(rule_file, "w") as f:
            f.write(rules_text + "\nrule BROKEN error \"x\" { expect (1 + }\n")
        s.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: [e for e in s.events() if e.get("event") == "rules" and e.get("level") == "error"],
                 "the log event of the rejected reload (event rules, level error)")
        st, _, b = call("GET", "/v1/rulesets")
        check(json.loads(b)["rulesets"][0]["sha256"] == hash1 and json.loads(b)["generation"] == 1,
              "a broken rule file replaced the rules")
        st, _, b = call("POST", "/v1/check", broken, JSON)
        check(st == 200 and json.loads(b)["decision"]["ruleset_sha256"] == hash1, "checks after a failed reload")
        errors = [e for e in s.events() if e.get("event") == "rules" and e.get("level") == "error"]
        check(errors and any(d.get("code", "").startswith("E1") for d in errors[-1].get("diagnostics", [])),
              "the failed reload's diagnostics are not in the log")
        with open(rule_file, "w") as f:
            f.write(rules_text + "\n# reloaded\n")
        s.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: json.loads(call("GET", "/v1/rulesets")[2])["generation"] == 2,
                 "generation 2 in /v1/rulesets after SIGHUP with good rules")
        st, _, b = call("GET", "/v1/rulesets")
        hash2 = json.loads(b)["rulesets"][0]["sha256"]
        check(hash2 != hash1 and json.loads(b)["generation"] == 2, "SIGHUP did not reload good rules")
        st, _, b = call("POST", "/v1/check", broken, JSON)
        reloaded_id = json.loads(b)["decision"]["id"]
        st, _, b = call("POST", "/v1/check?param.key=0.3117", good, JSON)
        good_id = json.loads(b)["decision"]["id"]
        check(json.loads(b)["decision"]["ruleset_sha256"] == hash2, "checks after a reload use the new rules")

        # --- graceful shutdown: a request in flight finishes. "Expect: 100-continue" makes the server
        # say when it has read the headers: from then on the request is in flight, not an idle
        # connection (which the shutdown would close).
        c = socket.create_connection(("127.0.0.1", s.port))
        c.settimeout(60)
        c.sendall(b"POST /v1/check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                  b"Expect: 100-continue\r\n\r\n" % len(good))
        interim = b""
        while b"\r\n\r\n" not in interim:
            chunk = c.recv(1)
            if not chunk:
                break
            interim += chunk
        check(interim.startswith(b"HTTP/1.1 100"), "expected '100 Continue' after the headers, got %r" % interim)
        c.sendall(good[:100])
        s.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: [e for e in s.events() if e.get("event") == "shutdown"], "the shutdown event after SIGTERM")
        check(s.proc.poll() is None, "the server stopped with a request in flight")
        c.sendall(good[100:])
        answer = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            answer += chunk
        check(answer.startswith(b"HTTP/1.1 200"), "the request in flight was not answered: %r" % answer[:60])
        check(s.proc.wait(timeout=10) == 0, "exit code after SIGTERM")
        last_id = re.search(rb'"id": "([0-9a-f]{32})"', answer)

        # --- decisions verify
        def verify(did, path, *extra):
            return subprocess.run([args.fundcheck, "decisions", "verify", "--decisions", db, "--rules", rules_dir, *extra,
                                   did, path], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        r = verify(reloaded_id, broken_path)
        check(r.returncode == 0 and b"VERIFIED" in r.stdout, "verify: %r %r" % (r.stdout, r.stderr))
        r = verify(reloaded_id, os.path.join(root, "examples/kraeftplan-v-2026.json"))
        check(r.returncode == 1 and b"NOT REPRODUCED" in r.stdout, "verify with another proposal")
        r = verify(good_id, os.path.join(root, "examples/kraeftplan-v-2026.json"), "--format", "json")
        check(r.returncode == 0 and json.loads(r.stdout)["verified"] and json.loads(r.stdout)["params"] == {"key": "0.3117"},
              "verify with params (json): %r %r" % (r.stdout, r.stderr))
        r = verify(decision_id, broken_path)  # made with the rules before the reload
        check(r.returncode == 2 and b"E5031" in r.stderr, "verify against other rules: %r" % r.stderr)
        r = verify("f" * 32, broken_path)
        check(r.returncode == 2 and b"E5012" in r.stderr, "verify unknown id")

        # --- kill -9: nothing answered is lost
        s2 = server(args.fundcheck, work, "--rules", rules_dir, "--decisions", db, "--watch", "--no-access-log",
                    name="s2")
        ids = []
        for i in range(50):
            st, _, b = s2.request("POST", "/v1/check", broken if i % 2 else good, JSON)
            ids.append(json.loads(b)["decision"]["id"])
        # --watch: a changed rule file is picked up without a signal
        with open(rule_file, "w") as f:
            f.write(rules_text + "\n# watched\n")
        wait_for(lambda: json.loads(s2.request("GET", "/v1/rulesets")[2])["generation"] == 2,
                 "--watch to reload the changed rule file (generation 2 in /v1/rulesets)")
        s2.proc.send_signal(signal.SIGKILL)
        s2.proc.wait()
        con = sqlite3.connect(db)
        stored = {row[0] for row in con.execute("SELECT id FROM decisions")}
        con.close()
        check(all(i in stored for i in ids), "decisions lost by kill -9: %d of %d" % (len(set(ids) - stored), len(ids)))
        if last_id:
            check(last_id.group(1).decode() in stored, "the decision answered during shutdown is not recorded")
    finally:
        for srv in [s] + ([s2] if "s2" in locals() else []):
            if srv.proc.poll() is None:
                srv.proc.kill()
                srv.proc.wait()
        shutil.rmtree(work, ignore_errors=True)

    if failures:
        print("%d failures" % len(failures))
        return 1
    print("serve: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
