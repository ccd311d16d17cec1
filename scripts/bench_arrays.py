"""Array benchmarks: s2sad's gradients of NumPy programs against f and an expert's adjoint.

Run from the repository root:  python scripts/bench_arrays.py  [--quick]

For each program of scripts/array_programs.py (logistic regression loss,
784-128-10 MLP with softmax cross-entropy, vectorised Rosenbrock at two sizes,
50-step RNN) prints the best time per call of f, of the hand-written
value-and-gradient (scripts/handwritten_arrays.py) and of s2sad's runtime
`value_and_grad(f)`, measured interleaved in this one run, and their ratios;
then the medians of the ratios. Where s2sad cannot differentiate a program
yet, its columns say `unsupported: <first line of the error>`. Where it can,
the last column says whether its value and gradient match the hand-written
ones (np.allclose, rtol 1e-8) and gives the largest difference relative to
the gradient's largest entry; `derive` is the time `value_and_grad(f)` took
(about 0 on a second row of the same program: s2sad caches it).

Timing: a warm-up call, then calls batched so that one sample lasts at least
50 ms (10 ms with --quick), the best of k samples (k = 11, 5 with --quick).
BLAS runs on one thread (unless OPENBLAS_NUM_THREADS and the like are set)
so that shared machines give stable ratios. Read the ratios, not the times.

Targets: s2sad/hand <= 1.2 (median) and <= 1.5 (each); s2sad/f <= 3 (median).

A second table counts flops as the programs run (scripts/flop_counter.py): f's, s2sad's
value_and_grad's, their ratio, and the bound the generated module's flop certificate states
(its ratio, plus the entries that the adjoints of reads of parts of the parameters add back).
"""

from __future__ import annotations

import os

if __name__ == "__main__":  # run as the script, not imported by a test: one BLAS thread, set before numpy loads
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import inspect  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any, Callable, Optional  # noqa: E402

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "scripts")]

import array_programs  # noqa: E402
import flop_counter  # noqa: E402
import handwritten_arrays  # noqa: E402

import s2sad  # noqa: E402

TARGET_MEDIAN_HAND, TARGET_EACH_HAND, TARGET_MEDIAN_F = 1.2, 1.5, 3.0


@dataclass
class Case:
    label: str
    name: str  # the program's name in array_programs
    args: tuple


def cases(size: str = "full") -> list[Case]:
    """The benchmarks at their stated sizes ("full"), or tiny ones ("tiny", for tests of this script)."""
    tiny = size == "tiny"
    rng = np.random.default_rng(0)
    out = []
    n, d = (50, 4) if tiny else (10_000, 100)
    X = rng.standard_normal((n, d))
    y = rng.choice([-1.0, 1.0], size=n)
    w = rng.standard_normal(d) / np.sqrt(d)
    out.append(Case(f"logistic loss {n}x{d}", "logistic_loss", (w, X, y, 1e-3)))
    n_in, n_hidden, n_out, batch = (6, 5, 3, 4) if tiny else (784, 128, 10, 64)
    W1 = rng.standard_normal((n_in, n_hidden)) / np.sqrt(n_in)
    b1 = np.zeros(n_hidden)
    W2 = rng.standard_normal((n_hidden, n_out)) / np.sqrt(n_hidden)
    b2 = np.zeros(n_out)
    Xb = rng.random((batch, n_in))
    Y = np.eye(n_out)[rng.integers(0, n_out, size=batch)]
    out.append(Case(f"MLP {n_in}-{n_hidden}-{n_out}, batch {batch}", "mlp_loss", (W1, b1, W2, b2, Xb, Y)))
    for n in (1000, 10) if tiny else (1_000_000, 100):
        x = rng.uniform(-1.5, 1.5, size=n)
        out.append(Case(f"Rosenbrock n={n:,}", "rosenbrock", (x,)))
    T, n_hidden, n_in = (5, 4, 3) if tiny else (50, 64, 32)
    W = 0.9 * rng.standard_normal((n_hidden, n_hidden)) / np.sqrt(n_hidden)
    U = rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in)
    b = np.zeros(n_hidden)
    xs = rng.standard_normal((T, n_in))
    out.append(Case(f"RNN {T} steps, hidden {n_hidden}", "rnn_loss", (W, U, b, xs)))
    return out


def best_times(funcs: list[Callable], args: tuple, repeats: int, min_sample: float) -> list[float]:
    """Best seconds per call of each function: batches of at least min_sample s, interleaved."""
    numbers = []
    for f in funcs:
        f(*args)  # warm-up
        number = 1
        while True:
            t0 = time.perf_counter()
            for _ in range(number):
                f(*args)
            elapsed = time.perf_counter() - t0
            if elapsed >= min_sample:
                break
            number = max(2 * number, int(number * 1.2 * min_sample / max(elapsed, 1e-9)))
        numbers.append(number)
    best = [float("inf")] * len(funcs)
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            for i, (f, number) in enumerate(zip(funcs, numbers)):
                t0 = time.perf_counter()
                for _ in range(number):
                    f(*args)
                best[i] = min(best[i], (time.perf_counter() - t0) / number)
    finally:
        if enabled:
            gc.enable()
    return best


def _as_tuple(grad: Any) -> tuple:
    return grad if isinstance(grad, tuple) else (grad,)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def s2sad_function(case: Case) -> tuple[Optional[Callable], str, float]:
    """s2sad's value_and_grad of the case's program, or None and why not; and the time deriving took."""
    f = getattr(array_programs, case.name)
    t0 = time.perf_counter()
    try:
        vg = s2sad.value_and_grad(f, wrt=handwritten_arrays.WRT[case.name])
    except s2sad.S2sadError as exc:
        return None, f"unsupported: {_first_line(exc)}", 0.0
    except Exception as exc:  # a bug in s2sad, not a limit: say so
        return None, f"error: {type(exc).__name__}: {_first_line(exc)}", 0.0
    return vg, "", time.perf_counter() - t0


def compare(case: Case, vg: Callable, hand_value: float, hand_grad: tuple) -> tuple[bool, str]:
    """Whether s2sad's (value, gradient) matches the hand-written one, and the largest difference."""
    try:
        value, grad = vg(*case.args)
    except Exception as exc:
        return False, f"fails: {type(exc).__name__}: {_first_line(exc)}"
    grad = _as_tuple(grad)
    if len(grad) != len(hand_grad) or any(np.shape(g) != np.shape(h) for g, h in zip(grad, hand_grad)):
        return False, f"MISMATCH: gradient shapes {[np.shape(g) for g in grad]}"
    if any(np.ndim(h) and not (isinstance(g, np.ndarray) and g.dtype == np.float64) for g, h in zip(grad, hand_grad)):
        return False, f"MISMATCH: gradient types {[getattr(g, 'dtype', type(g).__name__) for g in grad]}"
    if not np.isclose(value, hand_value, rtol=1e-10, atol=0.0):
        return False, f"MISMATCH: value {value!r}, hand-written {hand_value!r}"
    worst = 0.0
    ok = True
    for g, h in zip(grad, hand_grad):
        scale = float(np.max(np.abs(h))) or 1.0
        ok = ok and np.allclose(g, h, rtol=1e-8, atol=1e-10 * scale)
        worst = max(worst, float(np.max(np.abs(np.asarray(g) - h), initial=0.0)) / scale)
    return ok, f"{'matches hand' if ok else 'MISMATCH'} ({worst:.0e})"


def _time(seconds: float) -> str:
    return f"{seconds * 1e3:.2f}ms" if seconds >= 1e-3 else f"{seconds * 1e6:.1f}us"


def run(benchmarks: list[Case], repeats: int, min_sample: float, out=sys.stdout) -> dict[str, list[float]]:
    """Print the table; return the ratio columns (for the medians and for tests)."""
    print(f"{'array benchmark':<28}{'f':>10}{'hand vg':>10}{'hand/f':>8}{'exact/hand':>11}{'s2sad vg':>10}"
          f"{'s2sad/hand':>11}{'s2sad/f':>9}{'derive':>9}  s2sad gradient", file=out)
    ratios: dict[str, list[float]] = {"hand/f": [], "exact/hand": [], "s2sad/hand": [], "s2sad/f": []}
    for case in benchmarks:
        f = getattr(array_programs, case.name)
        hand = getattr(handwritten_arrays, f"{case.name}_value_and_grad")
        exact = getattr(handwritten_arrays, f"{case.name}_value_and_grad_exact")
        hand_value, hand_grad = hand(*case.args)
        f_value = f(*case.args)
        assert np.isclose(hand_value, f_value, rtol=1e-10, atol=0.0), (case.label, hand_value, f_value)
        assert exact(*case.args)[0] == f_value, (case.label, "the exact adjoint's value is not f's")
        vg, why, derive_time = s2sad_function(case)
        if vg is not None:
            ok, why = compare(case, vg, hand_value, _as_tuple(hand_grad))
            if not ok:
                vg = None  # a wrong gradient is not timed
        funcs = [f, hand, exact] + ([vg] if vg is not None else [])
        times = best_times(funcs, case.args, repeats, min_sample)
        tf, th, te = times[0], times[1], times[2]
        ratios["hand/f"].append(th / tf)
        ratios["exact/hand"].append(te / th)
        row = f"{case.label:<28}{_time(tf):>10}{_time(th):>10}{th / tf:>8.2f}{te / th:>11.2f}"
        if vg is not None:
            ts = times[3]
            ratios["s2sad/hand"].append(ts / th)
            ratios["s2sad/f"].append(ts / tf)
            row += f"{_time(ts):>10}{ts / th:>11.2f}{ts / tf:>9.2f}{derive_time:>8.2f}s  {why}"
        else:
            row += f"{'-':>10}{'-':>11}{'-':>9}{'-':>9}  {why}"
        print(row, file=out)
    medians = {k: statistics.median(v) if v else None for k, v in ratios.items()}
    shown = "".join(f"{'-' if m is None else f'{m:.2f}':>{w}}" for m, w in
                    ((medians["hand/f"], 8), (medians["exact/hand"], 11), (None, 10), (medians["s2sad/hand"], 11),
                     (medians["s2sad/f"], 9)))
    print(f"{'median':<28}{'':>20}{shown}", file=out)
    print(verdict(ratios, len(benchmarks)), file=out)
    print(exact_verdict(ratios), file=out)
    return ratios


def verdict(ratios: dict[str, list[float]], total: int) -> str:
    """One line: the targets, and whether this run met them."""
    measured = len(ratios["s2sad/hand"])
    targets = (f"targets: s2sad/hand <= {TARGET_MEDIAN_HAND} median and <= {TARGET_EACH_HAND} each; "
               f"s2sad/f <= {TARGET_MEDIAN_F} median")
    if not measured:
        return f"{targets}: not measured (s2sad differentiates none of the {total} yet)"
    met = (statistics.median(ratios["s2sad/hand"]) <= TARGET_MEDIAN_HAND
           and max(ratios["s2sad/hand"]) <= TARGET_EACH_HAND
           and statistics.median(ratios["s2sad/f"]) <= TARGET_MEDIAN_F)
    return f"{targets}: {'met' if met else 'NOT met'} on the {measured} of {total} s2sad differentiates"


def exact_verdict(ratios: dict[str, list[float]]) -> str:
    """One line: whether the targets are within reach of any code that returns f's value bit for bit
    (the `*_exact` expert adjoints, which keep only that guarantee of s2sad's)."""
    median, worst = statistics.median(ratios["exact/hand"]), max(ratios["exact/hand"])
    reachable = median <= TARGET_MEDIAN_HAND and worst <= TARGET_EACH_HAND
    reach = "within reach of" if reachable else "beyond"
    return (f"exact/hand (an expert's adjoint returning f's value bit for bit, as s2sad does): median "
            f"{median:.2f}, at most {worst:.2f}: the s2sad/hand targets are {reach} such code in this run")


def flops_table(benchmarks: list[Case], out=sys.stdout) -> list[tuple[float, float]]:
    """Flops of f and of s2sad's value_and_grad, counted as they run (scripts/flop_counter.py), against
    the bound the generated module's certificate states; returns (measured ratio, bound) per case."""
    print(f"{'flops (counted)':<28}{'f':>12}{'s2sad vg':>12}{'vg/f':>7}{'bound':>7}  certificate", file=out)
    rows = []
    for case in benchmarks:
        f = getattr(array_programs, case.name)
        wrt = handwritten_arrays.WRT[case.name]
        params = list(inspect.signature(f).parameters)
        derived = s2sad.derive(f, wrt)
        bound = derived.certificate.flops
        index = [params.index(w) for w in wrt]
        f_flops, reads = flop_counter.count(f, case.args, index)
        vg_flops, _ = flop_counter.count(derived.value_and_grad, case.args, index)
        allowed = (bound.ratio * f_flops + reads) / f_flops
        rows.append((vg_flops / f_flops, allowed))
        extra = f" + {reads / f_flops:.2f} (reads of parts)" if reads else ""
        print(f"{case.label:<28}{f_flops:>12.3g}{vg_flops:>12.3g}{vg_flops / f_flops:>7.2f}{allowed:>7.2f}  "
              f"vg <= {bound.ratio:.2f} f{extra}: {'holds' if vg_flops <= allowed * f_flops else 'FAILS'}",
              file=out)
    return rows


def main(argv: Optional[list[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter samples (same sizes)")
    args = parser.parse_args(argv)
    run(cases(), repeats=5 if args.quick else 11, min_sample=0.01 if args.quick else 0.05)
    print()
    flops_table(cases())


if __name__ == "__main__":
    main()
