"""Differential random-program testing of array programs: generate, check against the oracle, shrink.

    python scripts/fuzz_arrays.py --count 2000 --seed 1 [--jobs 1] [--out DIR] [--no-shrink]
                                  [--size 6] [--aliasing] [--avoid FEATURE ...]

Program `seed + k` for k < count (tests/array_progen.py) is checked at its own
arguments (tests/array_differential.py). Each failure is shrunk to a minimal
program with the same failure class; one minimal program per class is printed
(and written to DIR as `<class>.py` with its `# args:` line when --out is
given), ready to become a regression file in tests/regressions_arrays/.
Rejections of documented limits are counted apart. Exit status 1 when
anything failed.
"""

from __future__ import annotations

import argparse
import collections
import functools
import multiprocessing
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))

import array_differential as differential  # noqa: E402
import array_progen as progen  # noqa: E402
from differential import limit_memory  # noqa: E402


def _program(opts, seed: int) -> tuple[str, tuple]:
    return progen.program(seed, opts.size, aliasing=opts.aliasing, avoid=frozenset(opts.avoid))


def _check(opts, seed: int) -> tuple:
    text, args = _program(opts, seed)
    status, failure = differential.run_one(text, args, formatted=seed % 25 == 0, wrt_one=seed,
                                           aliasing=opts.aliasing, second_order=opts.second_order)
    return seed, status, failure


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, default=6, help="statements at the top of f")
    parser.add_argument("--aliasing", action="store_true", help="also views read after their base changed")
    parser.add_argument("--avoid", nargs="*", default=[], choices=sorted(progen.FEATURES),
                        help="constructs to leave out (known failure classes)")
    parser.add_argument("--second-order", action="store_true",
                        help="also check hvp and hessian (reverse over forward) against nested differences")
    parser.add_argument("--no-shrink", action="store_true")
    parser.add_argument("--shrink-budget", type=float, default=240.0, help="seconds per shrink")
    parser.add_argument("--out", help="folder for one minimal program per failure class")
    parser.add_argument("--jobs", type=int, default=1, help="processes checking programs side by side")
    parser.add_argument("--memory", type=float, default=4.0,
                        help="GB of address space each process may use (default 4): beyond, MemoryError")
    opts = parser.parse_args()
    stats: collections.Counter = collections.Counter()
    found: dict[str, tuple[str, tuple, differential.Failure, int]] = {}
    start = time.time()
    seeds = range(opts.seed, opts.seed + opts.count)
    check = functools.partial(_check, opts)
    limit_memory(opts.memory)  # the workers inherit it
    if opts.jobs > 1:
        # a fresh worker every 1,000 programs: what each check leaves behind (linecache keeps every
        # generated text) does not pile up over a long run
        pool = multiprocessing.Pool(opts.jobs, maxtasksperchild=100)
        results = pool.imap(check, seeds, chunksize=10)
    else:
        results = map(check, seeds)
    for k, (seed, status, failure) in enumerate(results):
        stats[status if status.startswith("rejected") else status.split(":")[0]] += 1
        if failure is not None:
            stats["fail: " + failure.key] += 1
            if failure.key in found:
                print(f"seed {seed}: {failure.key} (again)", flush=True)
            else:
                text, args = _program(opts, seed)
                print(f"seed {seed}: {failure.key}: {failure.detail[:300]}", flush=True)
                small = text if opts.no_shrink else differential.shrink(
                    text, args, failure, budget=opts.shrink_budget, wrt_one=seed, aliasing=opts.aliasing,
                    second_order=opts.second_order)
                found[failure.key] = (small, args, failure, seed)
                print(f"# args: {differential.args_text(args)}\n{small}\n", flush=True)
        if (k + 1) % 250 == 0:
            print(f"{k + 1} programs, {time.time() - start:.0f} s: {dict(stats)}", file=sys.stderr, flush=True)
    print(f"{opts.count} programs (seeds {opts.seed}..{opts.seed + opts.count - 1}) in {time.time() - start:.0f} s")
    for key, count in sorted(stats.items()):
        print(f"  {count:6d}  {key}")
    if opts.out:
        os.makedirs(opts.out, exist_ok=True)
        for key, (small, args, failure, seed) in found.items():
            name = re.sub(r"\W+", "_", key).strip("_").lower()[:60]
            with open(os.path.join(opts.out, name + ".py"), "w") as fh:
                fh.write(f"# {key} (seed {seed})\n# args: {differential.args_text(args)}\n{small}\n")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
