"""Generation time against the size of the function: it should grow about linearly.

Run from the repository root:  python scripts/bench_scale.py  [--quick]

For each shape (an if/elif chain, a conditional-expression chain, one long
sum, long straight-line code, a loop body of many statements) and each size,
prints the seconds to read, check and lower the function (`trace`), to
derive both sweeps and compile the runtime function (`grad`), and to write
the module text with black (`gen`), and the growth of `gen` time per size
doubling (2.0 is linear, 4.0 quadratic). Machines are shared and noisy: read
the growth, not the absolute times.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from s2sad.api import derive_source, trace_source  # noqa: E402
from s2sad.loading import load_spec  # noqa: E402


def elif_chain(n: int) -> str:
    out = ["import math", "", "", "def f(x, c):", "    if c < 0:", "        y = x"]
    for i in range(1, n):
        out += [f"    elif c < {i}:", f"        y = x * {i + 1} + math.sin(x)"]
    return "\n".join(out + ["    else:", "        y = x * x", "    return y * x", ""])


def conditional_chain(n: int) -> str:
    body = " ".join(f"{i} * x if c < {i} else" for i in range(n)) + " x * x"
    return f"def f(x, c):\n    return {body}\n"


def long_sum(n: int) -> str:
    return "import math\n\n\ndef f(x, y):\n    return " + " + ".join(
        f"{i % 7 + 1} * x * y" if i % 2 else f"math.sin({i % 5 + 1} * x)" for i in range(n)) + "\n"


def straight_line(n: int) -> str:
    body = "".join(f"    x{i + 1} = x{i} * y + {i % 9 + 1}\n" for i in range(n))
    return f"def f(x0, y):\n{body}    return x{n}\n"


def loop_body(n: int) -> str:
    body = "".join(f"        t = t * y + {i % 9 + 1} * x\n" for i in range(n))
    return f"def f(x, y, m):\n    t = 0.0\n    for i in range(m):\n{body}    return t\n"


SHAPES = {
    "elif chain (branches)": elif_chain,
    "a if c else ... (branches)": conditional_chain,
    "one sum (terms)": long_sum,
    "straight-line (statements)": straight_line,
    "loop body (statements)": loop_body,
}


def measure(text: str, folder: str) -> tuple[float, float, float]:
    path = os.path.join(folder, f"m{time.perf_counter_ns()}.py")
    with open(path, "w") as fh:
        fh.write(text)
    start = time.perf_counter()
    trace_source(load_spec(f"{path}:f"))
    traced = time.perf_counter()
    d = derive_source(load_spec(f"{path}:f"))
    d.grad
    derived = time.perf_counter()
    d.source
    return traced - start, derived - traced, time.perf_counter() - derived


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller sizes")
    args = p.parse_args()
    sizes = [50, 100, 200] if args.quick else [100, 200, 400, 800]
    print(f"{'shape':30} {'size':>6} {'trace':>8} {'grad':>8} {'gen':>8} {'growth':>7}")
    with tempfile.TemporaryDirectory() as folder:
        measure(elif_chain(10), folder)  # imports, black
        for label, make in SHAPES.items():
            previous = None
            for n in sizes:
                t, g, s = measure(make(n), folder)
                total = t + g + s
                growth = f"{total / previous:7.2f}" if previous else ""
                print(f"{label:30} {n:6d} {t:8.3f} {g:8.3f} {s:8.3f} {growth:>7}")
                previous = total


if __name__ == "__main__":
    main()
