#!/usr/bin/env python3
"""The HTML report as a browser shows and prints it (ctest html.screenshot).

Renders `fundcheck check --format html` for examples/broken/block-total.json (two errors on the
"Blok" total row, one rounding note on "Uspecifikke symptomer") and, in headless Chromium:

1. the DOM Chromium builds has the class "flagged" on exactly the three expected cells, with the
   right severity, each linked to its findings and back;
2. a screenshot has the highlight colour of its severity over each flagged cell, and neither
   highlight colour over any other cell of the table (the PNG is decoded here, with zlib);
3. printed to PDF, the pages are A4; a second proposal starts on a new page; when the table runs
   over a page break, its header row is repeated.

The page itself has no JavaScript (checked); to learn where the cells are drawn, a copy of it
gets a script that writes their boxes into the DOM, which --dump-dom then returns.

Exit 0: passed; 1: failed; 77: skipped because Chromium is not installed (ctest SKIP_RETURN_CODE).
Artifacts (report.html, screenshot.png, report.pdf) are left in --out for people to look at.
"""

import argparse
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

SKIP = 77

# The proposal and the cells its findings point at, with their severity.
PROPOSAL = "examples/broken/block-total.json"
SECOND_PROPOSAL = "examples/broken/key.json"
RULES = "rules/kraeftplan-v.rules"
EXPECTED_FLAGS = {
    "/totals/0/amounts/national": "sev-error",
    "/totals/0/amounts/region": "sev-error",
    "/items/6/amounts/national": "sev-note",
}
# Background colours of flagged cells, as the page's CSS defines them (--err-bg, --note-bg).
HIGHLIGHT = {"sev-error": (0xF8, 0xD3, 0xCE), "sev-note": (0xD6, 0xE6, 0xF6)}
TOLERANCE = 6      # per channel
MIN_COVER = 0.5    # share of a flagged cell's inner pixels in its colour
WIDTH = 1000

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def find_chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(binary, *args, timeout=120):
    """Runs headless Chromium with a throwaway profile and no network chatter."""
    profile = tempfile.mkdtemp(prefix="fundcheck-chromium-")
    try:
        cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
               "--user-data-dir=" + profile, *args]
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        if r.returncode != 0:
            sys.stderr.write(r.stderr.decode(errors="replace"))
            raise RuntimeError("chromium exited with %d: %s" % (r.returncode, " ".join(args)))
        return r.stdout.decode("utf-8")
    finally:
        shutil.rmtree(profile, ignore_errors=True)


# --- PNG ---------------------------------------------------------------------------------------

def read_png(path):
    """Decodes an 8-bit RGB or RGBA, non-interlaced PNG: (width, height, rows of RGB tuples)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(path + ": not a PNG")
    pos, idat = 8, bytearray()
    width = height = channels = None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or interlace != 0 or color_type not in (2, 6):
                raise ValueError("%s: unsupported PNG (depth %d, colour type %d, interlace %d)"
                                 % (path, depth, color_type, interlace))
            channels = 3 if color_type == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(bytes(idat))
    stride = width * channels
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        kind = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        if kind == 1:
            for x in range(channels, stride):
                line[x] = (line[x] + line[x - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif kind == 3:
            for x in range(stride):
                left = line[x - channels] if x >= channels else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 0xFF
        elif kind == 4:
            for x in range(stride):
                a = line[x - channels] if x >= channels else 0
                b = prev[x]
                c = prev[x - channels] if x >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        elif kind != 0:
            raise ValueError("%s: bad filter %d" % (path, kind))
        rows.append(bytes(line))
        prev = line
    pixels = [[tuple(r[x * channels:x * channels + 3]) for x in range(width)] for r in rows]
    return width, height, pixels


def near(pixel, colour):
    return all(abs(p - c) <= TOLERANCE for p, c in zip(pixel, colour))


def cover(pixels, box, colour):
    """Share of the pixels inside `box` (shrunk by 4 px against borders and outlines) in `colour`."""
    x0, y0 = int(box["x"]) + 4, int(box["y"]) + 4
    x1, y1 = int(box["x"] + box["w"]) - 4, int(box["y"] + box["h"]) - 4
    total = hits = 0
    for y in range(max(y0, 0), min(y1, len(pixels))):
        row = pixels[y]
        for x in range(max(x0, 0), min(x1, len(row))):
            total += 1
            hits += near(row[x], colour)
    return hits / total if total else 0.0, hits


# --- DOM ---------------------------------------------------------------------------------------

class Cells(html.parser.HTMLParser):
    """Collects flagged elements, ids, links, and the probe's JSON."""

    def __init__(self):
        super().__init__()
        self.flagged = []        # (tag, classes, data-pointer, id)
        self.ids = set()
        self.links = {}          # element id -> hrefs inside it (flagged cells, findings)
        self.stack = []          # open flagged cells and findings: [tag, id, nested same tags]
        self.scripts = 0
        self.probe = None
        self._in_probe = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if tag == "script":
            self.scripts += 1
        if "id" in a:
            self.ids.add(a["id"])
        if a.get("id") == "fundcheck-probe":
            self._in_probe = True
            self.probe = ""
        if "flagged" in classes:
            self.flagged.append((tag, classes, a.get("data-pointer", ""), a.get("id", "")))
        if "flagged" in classes or "finding" in classes:
            self.stack.append([tag, a.get("id", ""), 0])
            self.links.setdefault(a.get("id", ""), [])
            return
        if self.stack:
            if tag == self.stack[-1][0]:
                self.stack[-1][2] += 1  # the same element nested inside: not its end yet
            if tag == "a" and a.get("href", "").startswith("#"):
                self.links[self.stack[-1][1]].append(a["href"][1:])

    def handle_endtag(self, tag):
        if tag == "pre" and self._in_probe:
            self._in_probe = False
        if self.stack and self.stack[-1][0] == tag:
            if self.stack[-1][2]:
                self.stack[-1][2] -= 1
            else:
                self.stack.pop()

    def handle_data(self, data):
        if self._in_probe:
            self.probe += data


PROBE = """<pre id="fundcheck-probe"></pre><script>
const boxes = [];
for (const td of document.querySelectorAll("table.amounts td")) {
  const r = td.getBoundingClientRect();
  boxes.push({x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height,
              flagged: td.classList.contains("flagged"), pointer: td.dataset.pointer || "",
              severity: [...td.classList].find(c => c.startsWith("sev-")) || ""});
}
document.getElementById("fundcheck-probe").textContent =
  JSON.stringify({boxes: boxes, height: document.documentElement.scrollHeight});
</script>"""


def page_size_ok(pdf_path):
    """Every page is A4 (595.28 x 841.89 pt, either way round), by pdfinfo or the /MediaBox entries."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", pdf_path], stdout=subprocess.PIPE,
                             check=True).stdout.decode(errors="replace")
        sizes = re.findall(r"Page\s+\d+\s+size:\s+([\d.]+) x ([\d.]+) pts", out)
        pages = int(re.search(r"Pages:\s+(\d+)", out).group(1))
    else:
        data = open(pdf_path, "rb").read()
        boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", data)
        sizes = [(float(c) - float(a), float(d) - float(b)) for a, b, c, d in boxes]
        pages = len(sizes)
    if not sizes:
        fail(pdf_path + ": no page sizes found")
        return 0
    wrong = [sorted((float(w), float(h))) for w, h in sizes]
    wrong = [(w, h) for w, h in wrong if abs(w - 595.28) > 2 or abs(h - 841.89) > 2]
    if wrong:
        fail("%s: %d of %d pages are not A4 (595.3 x 841.9 pt), e.g. %.1f x %.1f pt"
             % (pdf_path, len(wrong), len(sizes), *wrong[0]))
    return pages


def pdf_pages_text(pdf_path):
    if not shutil.which("pdftotext"):
        return None
    out = subprocess.run(["pdftotext", "-layout", pdf_path, "-"], stdout=subprocess.PIPE, check=True).stdout
    return out.decode("utf-8", errors="replace").split("\f")


def first_page(pages, text, after=-1):
    for i, page in enumerate(pages):
        if i > after and text in page:
            return i
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fundcheck", required=True)
    ap.add_argument("--root", required=True, help="repository root (the examples and rules)")
    ap.add_argument("--out", required=True, help="directory for the artifacts")
    args = ap.parse_args()

    browser = find_chromium()
    if not browser:
        print("SKIP: chromium is not installed (scripts/setup.sh installs Debian's chromium package)")
        return SKIP
    os.makedirs(args.out, exist_ok=True)
    out = os.path.abspath(args.out)

    run = subprocess.run([args.fundcheck, "check", "--format", "html", "--rules", RULES, PROPOSAL],
                         cwd=args.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    if run.returncode != 1:
        fail("fundcheck exited with %d, expected 1 (rule errors): %s" % (run.returncode, run.stderr.decode()))
        return 1
    page = run.stdout.decode("utf-8")
    report = os.path.join(out, "report.html")
    with open(report, "w", encoding="utf-8") as f:
        f.write(page)
    url = "file://" + report

    # 1. The DOM as Chromium parsed it.
    dom = Cells()
    dom.feed(chromium(browser, "--dump-dom", url))
    if dom.scripts:
        fail("the report contains %d <script> elements; it must be readable without JavaScript" % dom.scripts)
    got = {}
    for tag, classes, pointer, element_id in dom.flagged:
        severity = next((c for c in classes if c.startswith("sev-")), "")
        for p in pointer.split():
            got[p] = severity
        if tag not in ("td", "th"):
            fail("flagged element <%s data-pointer=%r> is not a table cell" % (tag, pointer))
        hrefs = dom.links.get(element_id, [])
        if not hrefs:
            fail("flagged cell %r links to no finding" % pointer)
        for h in hrefs:
            if h not in dom.ids:
                fail("flagged cell %r links to #%s, which does not exist" % (pointer, h))
            elif element_id not in dom.links.get(h, []):
                fail("finding #%s does not link back to its cell #%s" % (h, element_id))
    if got != EXPECTED_FLAGS:
        fail("flagged cells: expected %s, got %s" % (EXPECTED_FLAGS, got))
    else:
        print("ok: the DOM marks exactly the %d expected cells" % len(got))

    # 2. Where the cells are drawn, then the screenshot.
    probe_path = os.path.join(out, "probe.html")
    with open(probe_path, "w", encoding="utf-8") as f:
        f.write(page.replace("</body>", PROBE + "</body>"))
    probed = Cells()
    probed.feed(chromium(browser, "--dump-dom", "--window-size=%d,1200" % WIDTH, "file://" + probe_path))
    os.remove(probe_path)
    layout = json.loads(probed.probe or "{}")
    boxes = layout.get("boxes", [])
    if not boxes:
        fail("the probe found no cells in table.amounts")
        return 1
    height = int(max(b["y"] + b["h"] for b in boxes)) + 40
    shot = os.path.join(out, "screenshot.png")
    chromium(browser, "--window-size=%d,%d" % (WIDTH, height), "--screenshot=" + shot, url)
    width, png_height, pixels = read_png(shot)
    if width != WIDTH or png_height != height:
        fail("screenshot is %dx%d, expected %dx%d" % (width, png_height, WIDTH, height))
    flagged_boxes = [b for b in boxes if b["flagged"]]
    if {b["pointer"] for b in flagged_boxes} != set(EXPECTED_FLAGS):
        fail("probe: flagged cells %s" % sorted(b["pointer"] for b in flagged_boxes))
    for b in flagged_boxes:
        share, _ = cover(pixels, b, HIGHLIGHT[b["severity"]])
        if share < MIN_COVER:
            fail("cell %s (%s): only %.0f%% of it has the highlight colour #%02x%02x%02x"
                 % (b["pointer"], b["severity"], share * 100, *HIGHLIGHT[b["severity"]]))
        else:
            print("ok: cell %s is highlighted (%s, %.0f%% of its pixels)" % (b["pointer"], b["severity"], share * 100))
    others = [b for b in boxes if not b["flagged"]]
    for b in others:
        for severity, colour in HIGHLIGHT.items():
            _, hits = cover(pixels, b, colour)
            if hits:
                fail("unflagged cell at (%d, %d) has %d pixels of the %s highlight" % (b["x"], b["y"], hits, severity))
    print("ok: none of the other %d cells of the table is highlighted" % len(others))

    # 3. Printing.
    pdf = os.path.join(out, "report.pdf")
    chromium(browser, "--no-pdf-header-footer", "--print-to-pdf=" + pdf, url)
    pages = page_size_ok(pdf)
    print("ok: %d A4 pages" % pages if pages else "no pages")
    texts = pdf_pages_text(pdf)
    if texts is None:
        print("note: pdftotext is not installed; the page-break checks are left out")
    else:
        first_row, last_row = first_page(texts, "Mobile kølehætter"), first_page(texts, "469,4")
        if first_row is None or last_row is None:
            fail("the printed table's first or last row is missing from the PDF text")
        elif last_row > first_row:
            if "Mio. kr. (2025 pl)" not in texts[last_row]:
                fail("the table continues on page %d without its header row" % (last_row + 1))
            else:
                print("ok: the table runs over pages %d-%d with its header repeated" % (first_row + 1, last_row + 1))
        two = subprocess.run([args.fundcheck, "check", "--format", "html", "--rules", RULES, PROPOSAL, SECOND_PROPOSAL],
                             cwd=args.root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        two_html = os.path.join(out, "two.html")
        with open(two_html, "wb") as f:
            f.write(two.stdout)
        two_pdf = os.path.join(out, "two.pdf")
        chromium(browser, "--no-pdf-header-footer", "--print-to-pdf=" + two_pdf, "file://" + two_html)
        page_size_ok(two_pdf)
        two_texts = pdf_pages_text(two_pdf)
        end_of_first = first_page(two_texts, "Inddata " + PROPOSAL)
        title = "Kræftplan V: udmøntning af midler i 2026"
        first_title = first_page(two_texts, title)
        second_title = first_page(two_texts, title, first_title if first_title is not None else -1)
        if end_of_first is None or second_title is None:
            fail("two proposals: could not find the end of the first or the start of the second in the PDF")
        elif second_title <= end_of_first:
            fail("two proposals: the second starts on page %d, the page where the first ends" % (second_title + 1))
        else:
            print("ok: the second proposal starts on a new page (%d)" % (second_title + 1))

    if failures:
        print("%d check(s) failed; artifacts in %s" % (len(failures), out))
        return 1
    print("passed; artifacts in " + out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
