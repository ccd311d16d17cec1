"""Benchmarks: speed of generated gradients against f and a hand-written adjoint; generation time.

Run from the repository root:  python scripts/bench.py  [--quick] [--plot DIR]

Prints, per benchmark, the median time of f, of s2sad's generated
value-and-gradient and of a hand-written adjoint (all measured interleaved in
this one run), their ratios, and the op-count ratio of s2sad's certificate.
Where the hand-written adjoint rounds differently from f (`a * a` for
`a ** 2`), the column exact/hand times the same adjoint returning f's value
bit for bit, as s2sad's code does, and a reference line gives s2sad's ratios
against those.
Then the time to generate straight-line functions of 100, 1,000 and 10,000
ops on the runtime path (no black) and with black, and the start-up time of
`s2sad gen examples/lecture.py:f` (a new process, as a user runs it), each
against its target (PASS/MISS). Machines are shared and noisy: read the
ratios, not the absolute times; the timings are minima of several runs.

Then loops over lists (examples/loops.py): the same three times, and the peak
length of each tape the generated function fills (entries x values per entry).

With --plot DIR (needs matplotlib: pip install "s2sad[plot]"), the tables are also drawn, as
DIR/bench_ratios.svg (value-and-gradient time over f and over the hand-written adjoint, per
benchmark) and DIR/bench_generation.svg (generation time against ops, log axes).

Targets: op-count ratio <= 5; value_and_grad / hand <= 1.0 (median over
both tables) and <= 1.2 on every benchmark, value_and_grad / f <= 1.3
(median), each printed with PASS/MISS after the loops; generation on the runtime path
(`s2sad.grad(f)` of a fresh f) of 1,000 ops < 0.15 s and of 10,000 ops
< 1.5 s, with black < 3 s; start-up (`s2sad gen` of a small function)
< 0.25 s. Loops: value_and_grad / f <= 2.5 (median) and within 1.2x of the
hand-written adjoint; tapes linear in the trip count.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "scripts")]

import handwritten  # noqa: E402

import s2sad  # noqa: E402
from s2sad.api import derive_source  # noqa: E402
from s2sad.loading import load_spec  # noqa: E402


def _load(text: str, folder: str, name: str) -> dict:
    path = os.path.join(folder, f"{name}.py")
    with open(path, "w") as fh:
        fh.write(text)
    ns: dict = {}
    exec(compile(text, path, "exec"), ns)
    return ns


def _median_times(funcs: list, args: tuple, repeats: int) -> list[float]:
    """Median seconds per call of each function, measured interleaved."""
    timers = [timeit.Timer(lambda f=f: f(*args)) for f in funcs]
    number = max(1, timers[0].autorange()[0])
    samples: list[list[float]] = [[] for _ in funcs]
    for _ in range(repeats):
        for i, t in enumerate(timers):
            samples[i].append(t.timeit(number) / number)
    return [statistics.median(s) for s in samples]


def benchmarks(folder: str) -> list[tuple[str, str, str, object, tuple]]:
    """(label, spec of f, name of f, hand-written value_and_grad, point)."""
    chain_primal, chain_hand = handwritten.chain_source(200)
    net_primal, net_hand, n_params = handwritten.network_source(4, 8)
    _load(chain_primal, folder, "chain")
    _load(net_primal, folder, "network")
    chain_vg = _load(chain_hand, folder, "chain_hand")["chain_value_and_grad"]
    net_vg = _load(net_hand, folder, "network_hand")["network_value_and_grad"]
    rng = random.Random(7)
    net_point = tuple(rng.uniform(-0.5, 0.5) for _ in range(n_params))
    ex = os.path.join(ROOT, "examples")
    return [
        ("lecture example", f"{ex}/lecture.py:f", "f", handwritten.lecture_value_and_grad, (1.5, 0.5)),
        ("Rosenbrock 2-D", f"{ex}/optim.py:rosenbrock", "rosenbrock", handwritten.rosenbrock_value_and_grad,
         (-1.2, 1.0)),
        ("Wood", f"{ex}/optim.py:wood", "wood", handwritten.wood_value_and_grad, (-3.0, -1.0, -3.0, -1.0)),
        ("Powell", f"{ex}/optim.py:powell", "powell", handwritten.powell_value_and_grad, (3.0, -1.0, 0.0, 1.0)),
        ("chain of 200 unary", f"{folder}/chain.py:chain", "chain", chain_vg, (0.3,)),
        (f"4-8-1 tanh net ({n_params} p)", f"{folder}/network.py:network", "network", net_vg, net_point),
    ]


def exact_adjoint(hand):
    """The hand-written adjoint's version that returns f's value bit for bit (`*_exact` in
    scripts/handwritten.py), or hand itself where its value is f's already."""
    return getattr(handwritten, f"{hand.__name__}_exact", None) or hand


def _exact_column(exact, hand, ratio: float) -> str:
    """exact/hand: the cost of returning f's value bit for bit, for an expert ("same": hand is exact)."""
    return f"{ratio:>12.2f}" if exact is not hand else f"{'same':>12}"


def speed(repeats: int) -> list[tuple[str, float, float, float]]:
    """The straight-line benchmarks; returns (label, vg/f, vg/hand, exact hand/hand) per benchmark."""
    rows = []
    print(f"{'benchmark':<26}{'f':>10}{'s2sad vg':>11}{'hand vg':>10}{'vg/f':>7}{'vg/hand':>9}{'op ratio':>10}"
          f"{'exact/hand':>12}")
    with tempfile.TemporaryDirectory() as folder:
        for label, spec, name, hand, point in benchmarks(folder):
            d = derive_source(load_spec(spec))
            f = _load(open(spec.rpartition(":")[0]).read(), folder, name + "_primal")[name]
            vg = d.value_and_grad
            value, grad = vg(*point)
            hvalue, hgrad = hand(*point)
            hgrad = hgrad if isinstance(hgrad, tuple) else (hgrad,)
            grad = grad if isinstance(grad, tuple) else (grad,)
            assert abs(value - hvalue) <= 1e-9 * (1 + abs(hvalue)), (label, value, hvalue)
            assert all(abs(a - b) <= 1e-8 * (1 + abs(b)) for a, b in zip(grad, hgrad)), label
            exact = exact_adjoint(hand)
            tf, tvg, th, te = _median_times([f, vg, hand, exact], point, repeats)
            print(f"{label:<26}{tf * 1e6:>8.2f}us{tvg * 1e6:>9.2f}us{th * 1e6:>8.2f}us"
                  f"{tvg / tf:>7.2f}{tvg / th:>9.2f}{d.certificate.ratio:>10.2f}{_exact_column(exact, hand, te / th)}")
            rows.append((label, tvg / tf, tvg / th, te / th if exact is not hand else 1.0))
    return rows


class _Tape(list):
    """A list that remembers its peak length (swapped in for the generated code's tapes)."""

    peak = 0

    def append(self, value):
        super().append(value)
        if len(self) > self.peak:
            self.peak = len(self)
            self.width = len(value) if isinstance(value, tuple) else 1


def _with_tapes(d, kind: str = "value_and_grad"):
    """The generated function, run with instrumented tapes; and the tapes it made, per call."""
    import re

    from s2sad.emit import runtime_text

    text = runtime_text(d.gradient, kind)
    made: list[_Tape] = []
    tapes = set(d.gradient.names.tapes.values())
    text = re.sub(r"^(\s*)(\w+) = \[\]", lambda m: f"{m.group(1)}{m.group(2)} = _new_tape()"
                  if m.group(2) in tapes else m.group(0), text, flags=re.M)
    ns: dict = {"_new_tape": lambda: made.append(_Tape()) or made[-1]}
    exec(compile(text, "<instrumented>", "exec"), ns)
    return ns[f"{d.trace.name}_{kind}"], made


def tanh_network_point(rng: random.Random) -> tuple:
    """Arguments of examples/loops.py's tanh_network: weights, biases, output weights, output bias, input."""
    return ([rng.uniform(-0.5, 0.5) for _ in range(32)], [rng.uniform(-0.5, 0.5) for _ in range(8)],
            [rng.uniform(-0.5, 0.5) for _ in range(8)], 0.1, [0.5, -1.25, 0.75, 2.0])


def flat_gradient(grad: object) -> list[float]:
    """A gradient (a float, a list, or a tuple of them) as one list of floats."""
    return [v for x in (grad if isinstance(grad, tuple) else (grad,)) for v in (x if isinstance(x, list) else [x])]


def loops(repeats: int) -> list[tuple[str, float, float, float]]:
    """Loops over lists: f, generated value-and-gradient, hand-written adjoint, and the tapes;
    returns (label, vg/f, vg/hand, exact hand/hand) per benchmark."""
    rows = []
    ex = os.path.join(ROOT, "examples", "loops.py")
    rng = random.Random(3)
    cases = []
    for n in (10, 100, 1000):
        cases.append((f"ext. Rosenbrock n={n}", "extended_rosenbrock", handwritten.extended_rosenbrock_value_and_grad,
                      ([rng.uniform(-1.5, 1.5) for _ in range(n)],)))
    cases.append(("RK4 oscillator, 1000 steps", "oscillator", handwritten.oscillator_value_and_grad,
                  (2.0, 0.3, 1.0, 0.0, 1000)))
    cases.append(("4-8-1 tanh net, two loops", "tanh_network", handwritten.tanh_network_value_and_grad,
                  tanh_network_point(rng)))
    cases.append(("softmax CE, 100 logits", "softmax_cross_entropy",
                  handwritten.softmax_cross_entropy_value_and_grad, ([rng.uniform(-3, 3) for _ in range(100)], 7)))
    print(f"\n{'loops':<28}{'f':>10}{'s2sad vg':>11}{'hand vg':>10}{'vg/f':>7}{'vg/hand':>9}{'op ratio':>10}"
          f"{'tape peak':>22}{'exact/hand':>12}")
    with tempfile.TemporaryDirectory() as folder:
        primal = _load(open(ex).read(), folder, "loops_primal")
        for label, name, hand, point in cases:
            d = derive_source(load_spec(f"{ex}:{name}"))
            f, vg = primal[name], d.value_and_grad
            value, grad = vg(*point)
            hvalue, hgrad = hand(*point)
            assert abs(value - hvalue) <= 1e-9 * (1 + abs(hvalue)), (label, value, hvalue)
            assert all(abs(a - b) <= 1e-8 * (1 + abs(b))
                       for a, b in zip(flat_gradient(grad), flat_gradient(hgrad))), label
            instrumented, tapes = _with_tapes(d)
            instrumented(*point)
            peak = ", ".join(f"{t.peak} x {t.width}" for t in tapes if t.peak) or "none"
            exact = exact_adjoint(hand)
            tf, tvg, th, te = _median_times([f, vg, hand, exact], point, repeats)
            print(f"{label:<28}{tf * 1e6:>8.1f}us{tvg * 1e6:>9.1f}us{th * 1e6:>8.1f}us"
                  f"{tvg / tf:>7.2f}{tvg / th:>9.2f}{d.certificate.ratio:>10.2f}{peak:>22}"
                  f"{_exact_column(exact, hand, te / th)}")
            rows.append((label, tvg / tf, tvg / th, te / th if exact is not hand else 1.0))
    return rows


def straight_line_source(n_ops: int, seed: int = 1) -> str:
    """A straight-line function of n_ops elementary ops: one per line, a deterministic random mix."""
    rng = random.Random(seed)
    lines = ["import math", "", "", "def f(x0, x1, x2, x3):"]
    names = ["x0", "x1", "x2", "x3"]
    forms = ["{a} + {b}", "{a} * {b}", "{a} - 0.5 * {b}", "math.sin({a})", "math.tanh(0.5 * {a})",
             "{a} / {b}", "math.exp(-{a})", "math.atan2({a}, {b})"]
    for k in range(n_ops - 1):
        a, b = names[-1], rng.choice(names[-50:-1] or names)  # every value reaches the result
        lines.append(f"    v{k} = " + rng.choice(forms).format(a=a, b=b))
        names.append(f"v{k}")
    lines.append(f"    return {names[-1]} * x0")
    return "\n".join(lines) + "\n"


# (ops asked for, "grad(f)" or "with black", seconds): the generation targets
GENERATION_TARGETS = [(1000, "grad(f)", 0.15), (10000, "grad(f)", 1.5), (10000, "with black", 3.0)]
STARTUP_TARGET = 0.25  # seconds, `s2sad gen examples/lecture.py:f` in a new process


def verdict(seconds: float, target: float) -> str:
    return "PASS" if seconds < target else "MISS"


def speed_targets(ratios: list[tuple[str, float, float, float]]) -> None:
    """The speed targets over both tables, (benchmark, vg/f, vg/hand, exact/hand) per row, with PASS/MISS;
    then the same ratios against the hand-written adjoints that keep f's value bit for bit."""
    by_f, by_hand = [r[1] for r in ratios], [r[2] for r in ratios]
    worst = max(ratios, key=lambda r: r[2])
    print()
    for what, value, target in (("median value_and_grad / hand", statistics.median(by_hand), 1.0),
                                (f"every value_and_grad / hand (worst: {worst[0].strip()})", worst[2], 1.2),
                                ("median value_and_grad / f", statistics.median(by_f), 1.3)):
        print(f"target: {what} <= {target}: {value:.2f}  {'PASS' if value <= target else 'MISS'}")
    # the same ratio for the hand-written adjoints: what an expert's reverse sweep costs over f here
    print(f"reference: median hand-written value_and_grad / f: "
          f"{statistics.median(r[1] / r[2] for r in ratios):.2f}")
    # s2sad returns f's value bit for bit; against experts who keep that too (hand itself where it does)
    by_exact = [(r[0].strip(), r[2] / r[3]) for r in ratios]
    worst_exact = max(by_exact, key=lambda r: r[1])
    costly = max(ratios, key=lambda r: r[3])
    print(f"reference: value_and_grad / hand-written adjoint returning f's value bit for bit: median "
          f"{statistics.median(r[1] for r in by_exact):.2f}, worst {worst_exact[1]:.2f} ({worst_exact[0]}); "
          f"keeping f's bits costs the expert up to {costly[3]:.2f}x ({costly[0].strip()})")


def generation(sizes: list[int]) -> list[tuple[int, float, float]]:
    """Time `s2sad.grad(f)` for a fresh f (the runtime path), and `s2sad gen`'s text with black;
    returns (ops, runtime path s, with black s) per size, and prints the targets it can judge."""
    rows = []
    measured: dict[tuple[int, str], float] = {}
    print(f"\n{'generation':<12}{'ops':>8}{'grad(f)':>10}{'per 1k ops':>12}{'gen text + black':>18}")
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            path = os.path.join(folder, f"line{n}.py")
            with open(path, "w") as fh:
                fh.write(straight_line_source(n))
            runs = []
            for i in range(5):
                f = _import(path, f"line{n}_{i}").f  # a new function object: nothing cached
                t0 = time.perf_counter()
                s2sad.grad(f)
                runs.append(time.perf_counter() - t0)
            t_runtime = min(runs)
            t0 = time.perf_counter()
            s2sad.generate(f)
            t_gen = time.perf_counter() - t0
            ops = len(s2sad.trace(f).ops)
            print(f"{'':<12}{ops:>8}{t_runtime:>9.3f}s{t_runtime / ops * 1000:>11.3f}s{t_gen:>17.2f}s")
            rows.append((ops, t_runtime, t_gen))
            measured[n, "grad(f)"], measured[n, "with black"] = t_runtime, t_gen
    for n, what, target in GENERATION_TARGETS:
        if (n, what) in measured:
            seconds = measured[n, what]
            print(f"target: {n:,} ops, {what} < {target} s: {seconds:.3f} s  {verdict(seconds, target)}")
    return rows


def startup(runs: int = 10) -> float:
    """Wall time of `s2sad gen examples/lecture.py:f` in a new process (this checkout's s2sad), the
    minimum of several runs after one that writes the bytecode cache, as an installed package has
    it; prints it against the target."""
    command = [sys.executable, "-m", "s2sad", "gen", "examples/lecture.py:f"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # else each run compiles
    times = []
    for _ in range(runs + 1):
        t0 = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    times = times[1:]
    best = min(times)
    print(f"\nstart-up: s2sad gen examples/lecture.py:f (min of {runs}) < {STARTUP_TARGET} s: {best:.3f} s  "
          f"{verdict(best, STARTUP_TARGET)}")
    return best


def plot(folder: str, ratios: list[tuple[str, float, float]], gen: list[tuple[int, float, float]]) -> list[str]:
    """Draw the tables: bench_ratios.svg and bench_generation.svg in folder; returns their paths."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.pyplot as plt

    os.makedirs(folder, exist_ok=True)
    paths = [os.path.join(folder, "bench_ratios.svg"), os.path.join(folder, "bench_generation.svg")]
    plt.rcParams["svg.hashsalt"] = "s2sad"  # the same figure for the same numbers
    labels = [r[0] for r in ratios]
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(labels) + 1.5))
    ys = range(len(labels))
    ax.barh([y - 0.2 for y in ys], [r[1] for r in ratios], height=0.4, label="value_and_grad / f")
    ax.barh([y + 0.2 for y in ys], [r[2] for r in ratios], height=0.4, label="value_and_grad / hand-written")
    ax.axvline(1.0, color="black", linewidth=0.8)
    ax.set_yticks(list(ys), labels)
    ax.invert_yaxis()
    ax.set_xlabel("time ratio (one run)")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    fig.tight_layout()
    fig.savefig(paths[0], metadata={"Date": None})
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(6, 4))
    ops = [g[0] for g in gen]
    ax.loglog(ops, [g[1] for g in gen], "o-", label="grad(f): runtime path")
    ax.loglog(ops, [g[2] for g in gen], "s-", label="generate(f): text with black")
    ax.set_xlabel("ops in the trace")
    ax.set_ylabel("seconds")
    ax.legend()
    fig.tight_layout()
    fig.savefig(paths[1], metadata={"Date": None})
    plt.close(fig)
    return paths


def _import(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, no 10,000-op generation")
    parser.add_argument("--plot", metavar="DIR", help="also draw the tables as SVG figures in DIR (needs matplotlib)")
    args = parser.parse_args()
    if args.plot:
        try:
            import matplotlib  # noqa: F401  (before the run: say so now, not after minutes)
        except ImportError:
            sys.exit('--plot needs matplotlib: pip install "s2sad[plot]" (or matplotlib)')
    ratios = speed(5 if args.quick else 15)
    ratios += loops(5 if args.quick else 11)
    speed_targets(ratios)
    gen = generation([100, 1000] if args.quick else [100, 1000, 10000])
    startup()
    if args.plot:
        print("\nfigures: " + ", ".join(plot(args.plot, ratios, gen)))


if __name__ == "__main__":
    main()
