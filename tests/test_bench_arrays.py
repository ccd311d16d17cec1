"""scripts/bench_arrays.py: its table runs, and its gradient check tells right from wrong.

The reference is the hand-written adjoint, itself checked against finite
differences in tests/test_handwritten_arrays.py. Once s2sad differentiates a
benchmark program, `test_table_at_tiny_sizes` requires its gradient to match.
"""

from __future__ import annotations

import io
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))

import bench_arrays  # noqa: E402
import handwritten_arrays  # noqa: E402


def test_table_at_tiny_sizes():
    out = io.StringIO()
    benchmarks = bench_arrays.cases("tiny")
    ratios = bench_arrays.run(benchmarks, repeats=1, min_sample=0.0, out=out)
    rows = out.getvalue().splitlines()
    assert len(rows) == len(benchmarks) + 4  # header, one per benchmark, median, targets, exact
    for case, row in zip(benchmarks, rows[1:]):
        assert row.startswith(case.label)
        status = row.split("  ")[-1]
        assert status.startswith(("unsupported: ", "matches hand (")), row  # never MISMATCH, error or fails
    assert len(ratios["hand/f"]) == len(benchmarks) and all(r > 0 for r in ratios["hand/f"])
    assert rows[-2].startswith("targets: ") and rows[-1].startswith("exact/hand ")
    assert len(ratios["exact/hand"]) == len(benchmarks) and all(r > 0 for r in ratios["exact/hand"])


def _hand(case):
    return getattr(handwritten_arrays, f"{case.name}_value_and_grad")


@pytest.mark.parametrize("case", bench_arrays.cases("tiny"), ids=lambda c: c.name)
def test_compare_accepts_the_right_gradient(case):
    value, grad = _hand(case)(*case.args)
    ok, why = bench_arrays.compare(case, _hand(case), value, bench_arrays._as_tuple(grad))
    assert ok and why == "matches hand (0e+00)"


@pytest.mark.parametrize("case", bench_arrays.cases("tiny"), ids=lambda c: c.name)
def test_compare_rejects_wrong_gradients(case):
    hand = _hand(case)
    value, grad = hand(*case.args)
    grad = bench_arrays._as_tuple(grad)

    def nudged(*args):  # one entry of the last gradient wrong by 1e-6 of the gradient's largest entry
        v, g = hand(*args)
        g = [np.array(a) for a in bench_arrays._as_tuple(g)]
        g[-1].flat[0] += 1e-6 * np.max(np.abs(g[-1]))
        return v, tuple(g) if len(g) > 1 else g[0]

    def transposed(*args):  # the right numbers in the wrong shape
        v, g = hand(*args)
        g = bench_arrays._as_tuple(g)
        return v, tuple(np.reshape(a, a.shape[::-1] if a.ndim > 1 else (1, -1)) for a in g)

    def as_lists(*args):  # the right numbers, not as float64 arrays
        v, g = hand(*args)
        g = bench_arrays._as_tuple(g)
        return v, tuple(a.tolist() for a in g) if len(g) > 1 else g[0].tolist()

    def off_value(*args):
        v, g = hand(*args)
        return v * (1 + 1e-8), g

    def raises(*args):
        raise TypeError("only length-1 arrays can be converted to Python scalars")

    for wrong, said in [(nudged, "MISMATCH ("), (transposed, "MISMATCH: gradient shapes"),
                        (as_lists, "MISMATCH: gradient types"),
                        (off_value, "MISMATCH: value"), (raises, "fails: TypeError: only length-1")]:
        ok, why = bench_arrays.compare(case, wrong, value, grad)
        assert not ok and why.startswith(said), (wrong.__name__, why)


def test_times_are_per_call():
    calls = []
    times = bench_arrays.best_times([lambda: calls.append(1)], (), repeats=2, min_sample=0.001)
    assert 0 < times[0] < 0.001 and len(calls) > 3


def test_flops_table_at_tiny_sizes():
    out = io.StringIO()
    rows = bench_arrays.flops_table(bench_arrays.cases("tiny"), out=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(rows) + 1 and all(line.endswith("holds") for line in lines[1:])
    assert all(1.0 < measured <= bound for measured, bound in rows)
