"""What the form of the generated code costs, on the benchmark furthest from its hand-written adjoint.

Run from the repository root:  python scripts/bench_forms.py  [--repeats N]

The 4-8-1 tanh network written with two loops (examples/loops.py: tanh_network)
unrolls to straight-line code that does the hand-written adjoint's arithmetic
(scripts/handwritten.py: tanh_network_source). This script takes the hand-written
adjoint toward the generated code's form one step at a time
(handwritten.tanh_network_steps_source) and times each step, all interleaved in one run:

  hand                      the expert's adjoint: forward expressions nested, list adjoints as displays;
  + statements as generated each load, call and accumulation its own statement (`a = a + w * x`);
  + SSA names               each new value of a variable under a name of its own (`a0_1 = a0 + ...`);
  + item stores             each list's adjoint zero-filled to the list's length, then stored item by
                            item, as s2sad writes it for a list of any length;
  generated                 s2sad's generated function itself (what `s2sad gen` writes);
  s2sad.value_and_grad      the runtime API's function: the generated one called through the wrapper
                            that gives an ndarray gradient for an ndarray argument.

Each row prints its median time, its ratio to hand and to the row above. Every form is first
checked to compute hand's value and gradient. Machines are shared and noisy: read the ratios, and
run it more than once.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from typing import Callable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "scripts")]

import handwritten  # noqa: E402
from bench import _median_times, flat_gradient, tanh_network_point  # noqa: E402

from s2sad.api import derive_source  # noqa: E402
from s2sad.emit import runtime_text  # noqa: E402
from s2sad.loading import load_spec  # noqa: E402


def forms() -> list[tuple[str, Callable[..., tuple]]]:
    """(label, value-and-gradient function) per form, the hand-written adjoint first."""
    spec = os.path.join(ROOT, "examples", "loops.py") + ":tanh_network"
    derived = derive_source(load_spec(spec))
    name = "tanh_network_value_and_grad"
    steps = handwritten.tanh_network_steps_source
    return [
        ("hand", handwritten.tanh_network_value_and_grad),
        ("+ statements as generated", handwritten.defined(steps(), name)),
        ("+ SSA names", handwritten.defined(steps(ssa=True), name)),
        ("+ item stores", handwritten.defined(steps(ssa=True, item_stores=True), name)),
        ("generated", handwritten.defined(runtime_text(derived.gradient, "value_and_grad"), name)),
        ("s2sad.value_and_grad", derived.value_and_grad),
    ]


def network_point() -> tuple:
    """A point of the network's arguments, from a fixed seed (bench.py draws its own from another state)."""
    return tanh_network_point(random.Random(3))


def mismatches(rows: list[tuple[str, Callable[..., tuple]]], point: tuple) -> list[str]:
    """The forms whose value is not hand's, or whose gradient differs from hand's by more than the
    order of x's sums (generated code adds them in another order)."""
    value, grads = rows[0][1](*point)
    want = flat_gradient(grads)
    out = []
    for label, fn in rows:
        got_value, got = fn(*point)
        got = flat_gradient(got)
        if got_value != value or len(got) != len(want) or any(abs(a - b) > 1e-12 * abs(b) for a, b in zip(got, want)):
            out.append(label)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=15, help="interleaved samples per form (default 15)")
    args = p.parse_args()
    point = network_point()
    rows = forms()
    wrong = mismatches(rows, point)
    if wrong:
        sys.exit(f"these forms do not compute hand's value and gradient: {', '.join(wrong)}")
    times = _median_times([fn for _, fn in rows], point, args.repeats)
    print(f"{'4-8-1 tanh net, two loops':<28}{'median':>10}{'/ hand':>9}{'/ row above':>13}")
    for k, ((label, _), t) in enumerate(zip(rows, times)):
        step = f"{t / times[k - 1]:>13.2f}" if k else f"{'':>13}"
        print(f"{label:<28}{t * 1e6:>8.2f}us{t / times[0]:>9.2f}{step}")


if __name__ == "__main__":
    main()
