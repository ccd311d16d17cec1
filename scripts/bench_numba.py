"""Benchmark of `s2sad gen --numba`: compiled gradients against f compiled the same way.

Run from the repository root:  python scripts/bench_numba.py  [--quick]
(needs numba: pip install "s2sad[numba]")

For the RK4 oscillator (examples/loops.py:oscillator, 1000 steps) and the
extended Rosenbrock function (n = 1000) it prints the median time per call of
f in Python, f compiled with `numba.njit(f)`, the plain generated
value_and_grad and the --numba one, all measured interleaved in this one run
after a warm-up call; the compile times (the first calls) are printed apart.
The Python functions take the list, the compiled ones a float64 array (the
--numba module also takes the list, converting it: that time is printed too).

Targets: numba value_and_grad / numba f <= 3, and plain value_and_grad /
numba value_and_grad >= 20 (medians), each printed with PASS or MISS.
Machines are shared and noisy: read the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
import timeit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from s2sad.api import derive_source  # noqa: E402
from s2sad.emit import format_source  # noqa: E402
from s2sad.loading import load_spec  # noqa: E402
from s2sad.numba_code import numba_module_text, require_numba  # noqa: E402

EXAMPLES = os.path.join(ROOT, "examples", "loops.py")
NUMBA_OVER_F = 3.0  # numba value_and_grad / numba f, at most
PLAIN_OVER_NUMBA = 20.0  # plain value_and_grad / numba value_and_grad, at least


def _import(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[name] = module  # under one name: Numba's cache records it
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _modules(func: str, folder: str):
    """(plain module, --numba module) of examples/loops.py:func, written to folder and imported."""
    derived = derive_source(load_spec(f"{EXAMPLES}:{func}"))
    texts = {"plain": derived.module("reverse"), "numba": format_source(numba_module_text(derived))}
    out = []
    for kind, text in texts.items():
        path = os.path.join(folder, f"{func}_{kind}.py")
        with open(path, "w") as fh:
            fh.write(text)
        out.append(_import(path, f"bench_{func}_{kind}"))
    return out


def _first_call(f, args: tuple) -> float:
    start = time.perf_counter()
    f(*args)
    return time.perf_counter() - start


def _median_times(calls: list[tuple], repeats: int) -> list[float]:
    """Median seconds per call of each (function, args), measured interleaved."""
    timers = [timeit.Timer(lambda f=f, a=a: f(*a)) for f, a in calls]
    numbers = [max(1, t.autorange()[0]) for t in timers]
    samples: list[list[float]] = [[] for _ in calls]
    for _ in range(repeats):
        for i, t in enumerate(timers):
            samples[i].append(t.timeit(numbers[i]) / numbers[i])
    return [statistics.median(s) for s in samples]


def _time(seconds: float) -> str:
    return f"{seconds * 1e6:10.1f} us"


def run(repeats: int) -> bool:
    import numba
    import numpy as np

    loops = _import(EXAMPLES, "bench_loops")
    cases = [
        ("RK4 oscillator, 1000 steps", "oscillator", (2.0, 0.3, 1.0, 0.0, 1000), None),
        ("extended Rosenbrock, n = 1000", "extended_rosenbrock", None, [0.5 + 0.001 * i for i in range(1000)]),
    ]
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        for label, func, scalars, xs in cases:
            plain, compiled = _modules(func, folder)
            py_args = scalars if xs is None else (xs,)
            nb_args = scalars if xs is None else (np.asarray(xs, dtype=np.float64),)
            f, f_nb = getattr(loops, func), numba.njit(getattr(loops, func))
            vg, vg_nb = getattr(plain, f"{func}_value_and_grad"), getattr(compiled, f"{func}_value_and_grad")
            compile_f, compile_vg = _first_call(f_nb, nb_args), _first_call(vg_nb, nb_args)
            calls = [(f, py_args), (f_nb, nb_args), (vg, py_args), (vg_nb, nb_args)]
            if xs is not None:
                calls.append((vg_nb, py_args))
            times = _median_times(calls, repeats)
            t_f, t_f_nb, t_vg, t_vg_nb = times[:4]
            print(f"{label}")
            print(f"  f, Python                         {_time(t_f)}")
            print(f"  f, numba.njit                     {_time(t_f_nb)}   (compile {compile_f:.2f} s)")
            print(f"  value_and_grad, plain generated   {_time(t_vg)}")
            print(f"  value_and_grad, --numba           {_time(t_vg_nb)}   (compile {compile_vg:.2f} s)")
            if xs is not None:
                print(f"  value_and_grad, --numba, a list   {_time(times[4])}   (converted to an array per call)")
            over_f, speedup = t_vg_nb / t_f_nb, t_vg / t_vg_nb
            met_f, met_speed = over_f <= NUMBA_OVER_F, speedup >= PLAIN_OVER_NUMBA
            ok &= met_f and met_speed
            print(f"  numba value_and_grad / numba f:   {over_f:6.2f}   target <= {NUMBA_OVER_F:g}: "
                  f"{'PASS' if met_f else 'MISS'}")
            print(f"  plain / numba value_and_grad:     {speedup:6.1f}   target >= {PLAIN_OVER_NUMBA:g}: "
                  f"{'PASS' if met_speed else 'MISS'}")
            want, got = vg(*py_args), vg_nb(*nb_args)
            same = abs(want[0] - got[0]) <= 1e-12 * abs(want[0]) and np.allclose(want[1], got[1], rtol=1e-12)
            print(f"  compiled result equals the plain one: {'yes' if same else 'NO'}")
            ok &= same
    return ok


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run)")
    args = p.parse_args()
    require_numba()
    import numba

    print(f"numba {numba.__version__}, Python {sys.version.split()[0]}; medians of interleaved timings\n")
    sys.exit(0 if run(5 if args.quick else 21) else 1)


if __name__ == "__main__":
    main()
