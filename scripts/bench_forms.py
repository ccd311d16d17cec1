"""What the form of the generated code costs, on the benchmark furthest from its hand-written adjoint.

Run from the repository root:  python scripts/bench_forms.py  [--repeats N]

The 4-8-1 tanh network written with two loops (examples/loops.py: tanh_network)
unrolls to straight-line code whose arithmetic is the hand-written adjoint's
(scripts/handwritten.py: tanh_network_source). What remains between them is
form, and this script prices each part of it on the hand-written adjoint
itself, all timed interleaved in one run:

  hand                 the expert's adjoint: forward expressions nested, list adjoints as displays;
  + one op a line      the same, one operation per statement, as s2sad's annotated code has it;
  + item stores        and each list adjoint zero-filled to the list's length, then stored item by
                       item, as s2sad writes it for a list of any length;
  generated            s2sad's generated function itself (the module `s2sad gen` writes);
  s2sad.value_and_grad the runtime API's function: the generated one behind the check that
                       returns an ndarray gradient for an ndarray argument.

Each row prints its median time and its ratio to hand. Machines are shared and noisy: read the
ratios, and run it twice.
"""

from __future__ import annotations

import argparse
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "scripts")]

import handwritten  # noqa: E402
from bench import _median_times  # noqa: E402

from s2sad.api import derive_source  # noqa: E402
from s2sad.emit import runtime_text  # noqa: E402
from s2sad.loading import load_spec  # noqa: E402


def _function(text: str, name: str = "tanh_network_value_and_grad"):
    namespace: dict = {}
    exec(compile(text, f"<{name}>", "exec"), namespace)
    return namespace[name]


def forms() -> list[tuple[str, object]]:
    """(label, value-and-gradient function) per form, the hand-written adjoint first."""
    spec = os.path.join(ROOT, "examples", "loops.py") + ":tanh_network"
    derived = derive_source(load_spec(spec))
    return [
        ("hand", handwritten.tanh_network_value_and_grad),
        ("+ one op a line", _function(handwritten.tanh_network_steps_source())),
        ("+ item stores", _function(handwritten.tanh_network_steps_source(item_stores=True))),
        ("generated", _function(runtime_text(derived.gradient, "value_and_grad"))),
        ("s2sad.value_and_grad", derived.value_and_grad),
    ]


def network_point() -> tuple:
    """The point bench.py times the network at."""
    rng = random.Random(3)
    return ([rng.uniform(-0.5, 0.5) for _ in range(32)], [rng.uniform(-0.5, 0.5) for _ in range(8)],
            [rng.uniform(-0.5, 0.5) for _ in range(8)], 0.1, [0.5, -1.25, 0.75, 2.0])


def mismatches(rows: list[tuple[str, object]], point: tuple) -> list[str]:
    """The forms whose value is not hand's, or whose gradient differs from hand's by more than the
    order of x's sums (generated code adds them in another order)."""
    def flat(grads: tuple) -> list[float]:
        return [g for grad in grads for g in (grad if isinstance(grad, list) else [grad])]

    value, grads = rows[0][1](*point)  # type: ignore[operator]
    out = []
    for label, fn in rows:
        got_value, got = fn(*point)  # type: ignore[operator]
        if got_value != value or len(flat(got)) != len(flat(grads)) or \
                any(abs(a - b) > 1e-12 * abs(b) for a, b in zip(flat(got), flat(grads))):
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
    print(f"{'4-8-1 tanh net, two loops':<26}{'median':>10}{'/ hand':>9}{'/ row above':>13}")
    for k, ((label, _), t) in enumerate(zip(rows, times)):
        step = f"{t / times[k - 1]:>13.2f}" if k else f"{'':>13}"
        print(f"{label:<26}{t * 1e6:>8.2f}us{t / times[0]:>9.2f}{step}")


if __name__ == "__main__":
    main()
