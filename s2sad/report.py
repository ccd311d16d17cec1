"""The evidence report: one self-contained HTML page for a reviewer.

Guarantees: `report_html(...)` is one page with no network access and no external asset (its style,
script and picture are inline): the function's source and the generated module side by side, each
generated line that names source lines (`# line 12`, `# from lines 35, 37`) linked to them (hovering
either side highlights both; a click pins the highlight and scrolls the other side to it), the graph
picture (inline SVG when Graphviz is installed, else the DOT text), the certificate, the kink report
and the gradient-check table (when given).

Before: `def f(w1, w2): ...` and its generated module.
After:  `<td class="gen" data-src="9">    z1 = w1 / w2  # line 9</td>` beside `<td id="src-9">`.
"""

from __future__ import annotations

import html
import re

from . import __version__
from .unroll import without_iterations

_LINES = re.compile(r"#\s*(?:from\s+)?lines?\s+([0-9][0-9, ]*)\s*$")

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
pre, td.code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
.side { display: flex; gap: 1em; align-items: flex-start; }
.side > div { flex: 1; overflow: auto; max-height: 80vh; border: 1px solid #ccc; }
.side > div:first-child { position: sticky; top: 0; }
table.code { border-collapse: collapse; width: 100%; }
td.code { white-space: pre; padding: 0 0.5em; }
td.num { color: #999; text-align: right; padding: 0 0.4em; user-select: none; font-size: 11px; }
tr.linked { cursor: pointer; }
tr.hl { background: #fff3b0; } tr.pinned { background: #ffd966; }
table.check { border-collapse: collapse; } table.check td, table.check th { padding: 2px 10px; }
.bad { color: #b00; font-weight: bold; } .ok { color: #070; }
.graph svg { max-width: 100%; height: auto; }
"""

_SCRIPT = """
(function () {
  function rows(sel) { return Array.prototype.slice.call(document.querySelectorAll(sel)); }
  var gen = rows('tr[data-src]');
  var src = rows('tr[id^="src-"]');
  function linkedTo(n) { return gen.filter(function (r) { return r.dataset.src.split(' ').indexOf(n) >= 0; }); }
  function sourceOf(r) {
    return r.dataset.src.split(' ').map(function (n) { return document.getElementById('src-' + n); })
      .filter(function (x) { return x; });
  }
  function mark(list, cls, on) { list.forEach(function (r) { r.classList.toggle(cls, on); }); }
  function clearPins() { mark(rows('tr.pinned'), 'pinned', false); }
  gen.forEach(function (r) {
    var both = function () { return [r].concat(sourceOf(r)); };
    r.addEventListener('mouseenter', function () { mark(both(), 'hl', true); });
    r.addEventListener('mouseleave', function () { mark(both(), 'hl', false); });
    r.addEventListener('click', function () {
      clearPins(); mark(both(), 'pinned', true);
      var first = sourceOf(r)[0]; if (first) { first.scrollIntoView({block: 'center'}); }
    });
  });
  src.forEach(function (r) {
    var n = r.id.slice(4);
    var both = function () { return [r].concat(linkedTo(n)); };
    r.addEventListener('mouseenter', function () { mark(both(), 'hl', true); });
    r.addEventListener('mouseleave', function () { mark(both(), 'hl', false); });
    r.addEventListener('click', function () {
      clearPins(); mark(both(), 'pinned', true);
      var first = linkedTo(n)[0]; if (first) { first.scrollIntoView({block: 'center'}); }
    });
  });
})();
"""


def source_lines_of(generated_line: str) -> list[int]:
    """The source lines a generated line's comment names (`# line 9`, `# from lines 35, 37`)."""
    m = _LINES.search(without_iterations(generated_line))
    return [int(n) for n in re.findall(r"[0-9]+", m.group(1))] if m else []


def report_html(name: str, filename: str, source: list[str], first: int, last: int, generated: str,
                kinks: str, graph: str, check: str | None) -> str:
    """The page. `source`: the file's lines (the function's are first..last); `graph`: inline SVG or
    DOT text; `check`: the gradient-check table, or None where it was not run."""
    e = html.escape
    left = "".join(f'<tr id="src-{n}"><td class="num">{n}</td><td class="code">{e(source[n - 1])}</td></tr>'
                   for n in range(first, min(last, len(source)) + 1))
    right = []
    for k, line in enumerate(generated.splitlines(), 1):
        linked = [n for n in source_lines_of(line) if first <= n <= last]
        attrs = f' class="linked" data-src="{" ".join(map(str, linked))}"' if linked else ""
        right.append(f'<tr{attrs}><td class="num">{k}</td><td class="code">{e(line)}</td></tr>')
    header = "\n".join(line[2:] for line in generated.splitlines() if line.startswith("# "))
    picture = f'<div class="graph">{graph}</div>' if graph.lstrip().startswith("<") else \
        ("<p>Install Graphviz (<code>apt install graphviz</code>) to see the picture; its DOT text:</p>"
         f"<pre>{e(graph)}</pre>")
    checked = "<p>Not run (the report was made without running the function).</p>" if check is None else \
        _check_table(check)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>s2sad report: {e(name)} ({e(filename)})</title>
<style>{_STYLE}</style>
</head>
<body>
<h1>s2sad report: <code>{e(name)}</code> in <code>{e(filename)}</code></h1>
<p>Generated by s2sad {e(__version__)}. Hover a line to see where it comes from or what it became; click to pin it.</p>
<h2>Source and generated code</h2>
<div class="side">
<div><table class="code" id="source">{left}</table></div>
<div><table class="code" id="generated">{"".join(right)}</table></div>
</div>
<h2>Certificate</h2>
<pre id="certificate">{e(header)}</pre>
<h2>Where the derivative is only piecewise</h2>
<pre id="kinks">{e(kinks)}</pre>
<h2>Gradient check</h2>
<div id="check">{checked}</div>
<h2>Computational graph</h2>
{picture}
<script>{_SCRIPT}</script>
</body>
</html>
"""


def _check_table(text: str) -> str:
    """The check's text table as an HTML table (its last line, the verdict, below it)."""
    e = html.escape
    lines = text.rstrip("\n").splitlines()
    if len(lines) < 2 or not lines[0].startswith("point"):
        return f"<pre>{e(text)}</pre>"
    starts = [m.start() for m in re.finditer(r"(?:^|(?<=  ))\S", lines[0])]
    cells = [[line[a:b].strip() for a, b in zip(starts, starts[1:] + [None])] for line in lines[:-1]]
    head = "".join(f"<th>{e(c)}</th>" for c in cells[0])
    body = "".join("<tr>" + "".join(f'<td class="{"bad" if "DISAGREES" in c else ""}">{e(c)}</td>' for c in row)
                   + "</tr>" for row in cells[1:])
    verdict = lines[-1]
    cls = "bad" if "DISAGREE" in verdict else "ok"
    return f'<table class="check"><tr>{head}</tr>{body}</table><p class="{cls}">{e(verdict)}</p>'
