"""Checkpointed loops: peak memory and time of value_and_grad, binomial checkpointing against the plain tape.

Run from the repository root:  python scripts/bench_checkpoint.py  [--quick] [--snapshots S]

For the RK4 oscillator of examples/loops.py at 10^4, 10^5 and 10^6 steps (--quick: up to 10^5), prints
the peak memory (tracemalloc, in a run of its own) and the time (best of a few runs, without tracemalloc)
of s2sad's value_and_grad with a tape of every iteration and with `checkpoint=S` snapshots (default
1000), their ratios, and checks that both give the same value and gradient. Targets at 10^6 steps:
peak memory at most 1/100 of the plain tape's, time at most 3x.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "examples")]

import loops  # noqa: E402

import s2sad  # noqa: E402


def _peak(fn, args) -> int:
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _time(fn, args, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="up to 10^5 steps")
    parser.add_argument("--snapshots", type=int, default=1000, help="snapshots per loop (default 1000)")
    args = parser.parse_args()
    plain = s2sad.derive(loops.oscillator).value_and_grad
    saved = s2sad.derive(loops.oscillator, checkpoint=args.snapshots).value_and_grad
    print(f"RK4 oscillator, value_and_grad in k, c, y0, v0; binomial checkpointing with {args.snapshots} snapshots")
    print(f"{'steps':>9}{'tape peak':>13}{'checkpointed':>14}{'memory ratio':>14}{'tape time':>12}"
          f"{'checkpointed':>14}{'time ratio':>12}")
    sizes = [10**4, 10**5] if args.quick else [10**4, 10**5, 10**6]
    last = None
    for n in sizes:
        point = (2.0, 0.3, 1.0, 0.0, n)
        assert plain(*point) == saved(*point), "checkpointing changed the result"
        m_plain, m_saved = _peak(plain, point), _peak(saved, point)
        repeats = 3 if n < 10**6 else 1
        t_plain, t_saved = _time(plain, point, repeats), _time(saved, point, repeats)
        print(f"{n:>9}{m_plain / 1e6:>11.2f}MB{m_saved / 1e6:>12.3f}MB{m_saved / m_plain:>14.4f}"
              f"{t_plain:>11.3f}s{t_saved:>13.3f}s{t_saved / t_plain:>12.2f}")
        last = (n, m_saved / m_plain, t_saved / t_plain)
    n, memory, slower = last  # type: ignore[misc]
    print(f"targets at {n} steps: memory <= 1/100 of the tape: {memory:.4f} "
          f"{'PASS' if memory <= 0.01 else 'MISS'}; time <= 3x: {slower:.2f} {'PASS' if slower <= 3 else 'MISS'}"
          + ("" if n == 10**6 else " (measured below 10^6 steps: run without --quick)"))


if __name__ == "__main__":
    main()
