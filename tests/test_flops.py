"""The flop certificate of array programs holds when measured.

`scripts/flop_counter.py` runs a function on arrays that count the flops done with them
(ufuncs, reductions, products, LAPACK calls), independently of s2sad. For every program of the
array catalogue and the array benchmarks, at each of its argument sets, the flops of the generated
value_and_grad must be at most the certificate's `ratio` times f's measured flops, plus the entries
its reads of parts of the parameters add back (measured as f runs).
"""

from __future__ import annotations

import inspect
import os
import sys

import catalogue_arrays
import numpy as np
import pytest

import s2sad

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import array_programs  # noqa: E402
import bench_arrays  # noqa: E402
import flop_counter  # noqa: E402
import handwritten_arrays  # noqa: E402


def _check(f, args, wrt_names=None):
    params = list(inspect.signature(f).parameters)
    wrt = [i for i, a in enumerate(args) if isinstance(a, (float, np.ndarray)) and not isinstance(a, bool)]
    if wrt_names is not None:
        wrt = [params.index(n) for n in wrt_names]
    derived = s2sad.derive(f, tuple(params[i] for i in wrt))
    bound = derived.certificate.flops
    assert bound is not None, "an array program carries a flop certificate"
    f_flops, reads = flop_counter.count(f, args, wrt)
    vg_flops, _ = flop_counter.count(derived.value_and_grad, args, wrt)
    allowed = bound.ratio * f_flops + reads
    assert vg_flops <= allowed + 1e-9, (
        f"{f.__name__}: value_and_grad did {vg_flops:g} flops, the certificate allows "
        f"{bound.ratio:.2f} x {f_flops:g} + {reads:g}")
    return f_flops, vg_flops


def _array_program(name: str) -> bool:
    """Whether s2sad reads the catalogue's function as an array program (else as scalar code on items)."""
    return s2sad.derive(getattr(catalogue_arrays, name)).certificate.arrays


ARRAY_PROGRAMS = [(name, k) for name, cases in catalogue_arrays.CASES.items() if _array_program(name)
                  for k in range(len(cases)) if any(isinstance(a, np.ndarray) for a in cases[k])]


def test_most_of_the_catalogue_is_checked():
    assert len({name for name, _ in ARRAY_PROGRAMS}) >= 60


@pytest.mark.parametrize("name,k", ARRAY_PROGRAMS)
def test_catalogue_within_the_flop_bound(name, k):
    _check(getattr(catalogue_arrays, name), catalogue_arrays.CASES[name][k])


@pytest.mark.parametrize("case", bench_arrays.cases("tiny"), ids=lambda c: c.name)
def test_benchmarks_within_the_flop_bound(case):
    f = getattr(array_programs, case.name)
    f_flops, vg_flops = _check(f, case.args, handwritten_arrays.WRT[case.name])
    assert f_flops > 0 and vg_flops > f_flops  # the counter sees the work


def test_counter_counts_what_it_says():
    """The counter against hand counts: elementwise, reductions, products, reads of parts."""
    x, W = np.arange(6.0), np.ones((3, 6))

    def f(x, W):
        return np.sum(np.sin(x) * x) + np.sum(W @ x) + np.sum(x[1:])

    flops, reads = flop_counter.count(f, (x, W), (0,))
    # sin 6, * 6, sum 6; W @ x 2*3*6 = 36, sum 3; x[1:] read (5 + 6), its sum 5
    assert flops == 6 + 6 + 6 + 36 + 3 + 5
    assert reads == 5 + 6


SUMS_AND_TRACES = '''\
import numpy as np


def list_of_arrays(x):
    ys = [x, x * 2.0, x * 3.0, x, x, x]
    return np.sum(sum(ys))


def trace_of_a_product(X):
    return np.trace(X * 2.0) + np.sum(X)
'''


@pytest.mark.parametrize("name,args", [("list_of_arrays", (np.linspace(0.0, 1.0, 1000),)),
                                       ("trace_of_a_product", (np.ones((30, 30)),))])
def test_sums_of_lists_and_traces_within_the_bound(tmp_path, name, args):
    from conftest import import_file

    path = tmp_path / "sums_traces.py"
    path.write_text(SUMS_AND_TRACES)
    f = getattr(import_file(str(path)), name)
    f_flops, vg_flops = _check(f, args)
    assert f_flops >= args[0].size  # the list's additions and the diagonal's are counted
    header = s2sad.generate(f)
    assert ("[sum(ys)]" if name == "list_of_arrays" else "[np.trace(z1)]") in header
