"""`s2sad report`: one self-contained page (no network, no external asset) whose generated lines are
linked to the source lines they come from; in a real headless browser (Chromium, when installed) the
page loads without errors and hovering or clicking a line highlights both ends of every link."""

import html
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def report(tmp_path, spec: str, *options: str) -> str:
    out = tmp_path / "report.html"
    run = subprocess.run([sys.executable, "-m", "s2sad", "report", spec, "-o", str(out), *options], cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out.read_text(encoding="utf-8")


def test_self_contained_and_complete(tmp_path):
    page = report(tmp_path, "examples/loops.py:huber", "--at", "0.5,1.0", "--at", "2.0,1.0")
    assert not re.search(r"<script[^>]+src=|<link|<img|<iframe|@import|url\(", page)  # nothing to fetch
    assert not re.search(r"""(?:src|href)=["']?(?:https?:|//)""", page)
    generated = subprocess.run([sys.executable, "-m", "s2sad", "gen", "examples/loops.py:huber"], cwd=ROOT,
                               capture_output=True, text=True).stdout
    cells = [html.unescape(c) for c in re.findall(r'<td class="code">(.*?)</td></tr>', page.split('id="generated"')[1])]
    assert cells[:len(generated.splitlines())] == generated.splitlines()  # the module, line for line
    assert "line 49: abs: switches where r == 0" in html.unescape(page)  # the kink report
    assert "ratio" in page.split('id="certificate"')[1].split("</pre>")[0]
    assert re.search(r"<td[^>]*>\(0\.5, 1\)</td><td[^>]*>r</td>", page) and "agree</p>" in page  # the check table
    assert "<svg" in page or "Install Graphviz" in page


def test_every_commented_line_is_linked_to_existing_source_rows(tmp_path):
    page = report(tmp_path, "examples/loops.py:oscillator", "--no-check")
    sources = set(re.findall(r'<tr id="src-(\d+)">', page))
    links = re.findall(r'<tr class="linked" data-src="([\d ]+)">', page)
    commented = [line for line in subprocess.run([sys.executable, "-m", "s2sad", "gen", "examples/loops.py:oscillator"],
                                                 cwd=ROOT, capture_output=True, text=True).stdout.splitlines()
                 if re.search(r"#\s*(from )?lines? \d", line)]
    assert len(links) == len(commented) > 10
    assert all(set(link.split()) <= sources for link in links)
    assert "Not run" in page


# Installed before the page's own script: records errors from the first line on.
CATCH = """<script>window.__errors = [];
window.addEventListener('error', function (e) { window.__errors.push(String(e.message)); });
var __error = console.error; console.error = function () { window.__errors.push([].join.call(arguments, ' '));
  __error.apply(console, arguments); };</script>"""

# After it: plays every link, both ways, and writes what it saw into the page.
PLAY = """<script>(function () {
  var out = {errors: window.__errors, generated: 0, source: 0, failures: []};
  function has(el, cls) { return el && el.classList.contains(cls); }
  function lit() { return document.querySelectorAll('tr.hl').length; }
  document.querySelectorAll('tr[data-src]').forEach(function (r) {
    var ns = r.dataset.src.split(' ');
    r.dispatchEvent(new MouseEvent('mouseenter'));
    ns.forEach(function (n) { if (!has(document.getElementById('src-' + n), 'hl')) out.failures.push('hover ' + n); });
    if (!has(r, 'hl')) out.failures.push('hover: the line itself');
    r.dispatchEvent(new MouseEvent('mouseleave'));
    if (lit()) out.failures.push('leave: still lit');
    r.click();
    ns.forEach(function (n) { if (!has(document.getElementById('src-' + n), 'pinned')) out.failures.push('pin ' + n); });
    out.generated++;
  });
  document.querySelectorAll('tr[id^="src-"]').forEach(function (s) {
    var n = s.id.slice(4);
    var linked = Array.prototype.filter.call(document.querySelectorAll('tr[data-src]'),
      function (r) { return r.dataset.src.split(' ').indexOf(n) >= 0; });
    s.dispatchEvent(new MouseEvent('mouseenter'));
    linked.forEach(function (r) { if (!has(r, 'hl')) out.failures.push('source hover ' + n); });
    s.dispatchEvent(new MouseEvent('mouseleave'));
    if (linked.length) out.source++;
  });
  var pre = document.createElement('pre'); pre.id = 'played'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium to load the page in (apt install chromium)")
def test_in_a_headless_browser(tmp_path):
    page = report(tmp_path, "examples/loops.py:huber", "--at", "0.5,1.0")
    played = page.replace("<head>", "<head>\n" + CATCH, 1).replace("</body>", PLAY + "\n</body>", 1)
    path = tmp_path / "played.html"
    path.write_text(played, encoding="utf-8")
    run = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=3000", "--dump-dom", path.as_uri()],
        capture_output=True, text=True, timeout=120)
    found = re.search(r'<pre id="played">(.*?)</pre>', run.stdout, re.S)
    assert found, run.stderr[-2000:]
    out = json.loads(html.unescape(found.group(1)))
    assert out["errors"] == [] and out["failures"] == []
    assert out["generated"] == page.count('class="linked"') > 10 and out["source"] == 4  # huber: lines 50, 52-54 (51 is the docstring)
