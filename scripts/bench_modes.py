"""Benchmarks of the modes: forward mode (jvp) and second derivatives (hvp, hessian).

Prints, measured interleaved in one run (ratios, as the machine is shared):
- jvp / f for the straight-line and loop benchmarks of scripts/bench.py, and
  jvp / hand for those with a hand-written tangent (scripts/handwritten_modes.py);
- for extended Rosenbrock (n = 100, a loop over a list), the same function written with
  NumPy (examples/arrays.py, second order by reverse over forward) and the 4-8-1 tanh network:
  hvp / value_and_grad, and for both Rosenbrocks hessian / the hand-written dense Hessian.
Each target of the issue with PASS or MISS:
  jvp / f <= 2 (median); jvp within 1.2x of the hand tangent on at least three benchmarks;
  hessian within 1.5x of hand-written Hessian code; hvp <= 4x value_and_grad.

Run: python scripts/bench_modes.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import handwritten_modes as hm  # noqa: E402
from bench import ROOT, _import, _median_times, benchmarks  # noqa: E402

import s2sad  # noqa: E402

HAND_JVP = {"lecture example": hm.lecture_jvp, "Rosenbrock 2-D": hm.rosenbrock_jvp, "Wood": hm.wood_jvp,
            "ext. Rosenbrock n=100": hm.extended_rosenbrock_jvp}


def _function(spec: str):
    path, _, name = spec.rpartition(":")
    return getattr(_import(path, os.path.splitext(os.path.basename(path))[0] + "_bench_modes"), name)


def _direction(point: tuple) -> tuple:
    rng = random.Random(5)
    return tuple([rng.uniform(-1, 1) for _ in a] if isinstance(a, list) else rng.uniform(-1, 1)
                 for a in point if not isinstance(a, int))


def forward_mode(repeats: int) -> list[tuple[str, float, float | None]]:
    rows = []
    rng = random.Random(3)
    loops = os.path.join(ROOT, "examples", "loops.py")
    print(f"{'forward mode':<28}{'f':>10}{'s2sad jvp':>12}{'hand jvp':>10}{'jvp/f':>8}{'jvp/hand':>10}"
          f"{'op ratio':>10}")
    with tempfile.TemporaryDirectory() as folder:
        cases = [(label, spec, point) for label, spec, _, _, point in benchmarks(folder)]
        cases += [("ext. Rosenbrock n=100", f"{loops}:extended_rosenbrock", ([rng.uniform(-1.5, 1.5)
                                                                             for _ in range(100)],)),
                  ("RK4 oscillator, 1000 steps", f"{loops}:oscillator", (2.0, 0.3, 1.0, 0.0, 1000)),
                  ("softmax CE, 100 logits", f"{loops}:softmax_cross_entropy",
                   ([rng.uniform(-3, 3) for _ in range(100)], 7))]
        for label, spec, point in cases:
            f = _function(spec)
            d = s2sad.derive(f)
            v = _direction(point)
            args = point + v
            jvp = d.jvp
            value, along = jvp(*args)
            assert value == f(*point), label
            hand = HAND_JVP.get(label)
            funcs = [lambda *a: f(*a[: len(point)]), jvp] + ([hand] if hand else [])
            if hand:
                hvalue, halong = hand(*args)
                assert abs(halong - along) <= 1e-9 * (1 + abs(halong)), (label, along, halong)
            times = _median_times(funcs, args, repeats)
            ratio = times[1] / times[0]
            vs_hand = times[1] / times[2] if hand else None
            from s2sad.tangent.emit import tangent_certificate

            cert = tangent_certificate(d.tangent)
            hand_text = f"{times[2] * 1e6:>8.2f}us" if hand else f"{'-':>10}"
            hand_ratio = f"{vs_hand:>10.2f}" if vs_hand is not None else f"{'-':>10}"
            print(f"{label:<28}{times[0] * 1e6:>8.2f}us{times[1] * 1e6:>10.2f}us{hand_text}{ratio:>8.2f}"
                  f"{hand_ratio}{cert.ratio:>10.2f}")
            rows.append((label, ratio, vs_hand))
    return rows


def second_order(repeats: int) -> list[tuple[str, str, float, float]]:
    """(what, target, measured, limit)."""
    out = []
    rng = random.Random(11)
    x = [rng.uniform(-1.5, 1.5) for _ in range(100)]
    v = [rng.uniform(-1, 1) for _ in range(100)]
    ext = _function(os.path.join(ROOT, "examples", "loops.py") + ":extended_rosenbrock")
    hvp, hessian, vg = s2sad.hvp(ext), s2sad.hessian(ext), s2sad.value_and_grad(ext)
    want = hm.extended_rosenbrock_hvp(x, v)
    got = hvp(x, v)
    assert all(abs(a - b) <= 1e-9 * (1 + abs(b)) for a, b in zip(got, want))
    h = hessian(x)
    hand_h = hm.extended_rosenbrock_hessian(x)
    assert all(abs(a - b) <= 1e-8 * (1 + abs(b)) for r, hr in zip(h, hand_h) for a, b in zip(r, hr))
    print(f"\n{'second order':<40}{'s2sad':>12}{'reference':>14}{'ratio':>8}")
    t_hvp, t_vg, t_hand_hvp = _median_times([hvp, lambda x, v: vg(x), hm.extended_rosenbrock_hvp], (x, v), repeats)
    print(f"{'ext. Rosenbrock n=100: hvp / vg':<40}{t_hvp * 1e6:>10.1f}us{t_vg * 1e6:>12.1f}us{t_hvp / t_vg:>8.2f}")
    print(f"{'ext. Rosenbrock n=100: hvp / hand hvp':<40}{t_hvp * 1e6:>10.1f}us{t_hand_hvp * 1e6:>12.1f}us"
          f"{t_hvp / t_hand_hvp:>8.2f}")
    out.append(("ext. Rosenbrock hvp / value_and_grad", "<= 4", t_hvp / t_vg, 4.0))
    t_h, t_hand = _median_times([hessian, hm.extended_rosenbrock_hessian], (x,), max(3, repeats // 3))
    print(f"{'ext. Rosenbrock n=100: hessian / hand':<40}{t_h * 1e3:>10.2f}ms{t_hand * 1e3:>12.2f}ms{t_h / t_hand:>8.2f}")
    out.append(("ext. Rosenbrock hessian / hand-written Hessian", "<= 1.5", t_h / t_hand, 1.5))
    import numpy as np  # the same function written with NumPy: reverse over forward

    xa, va = np.array(x), np.array(v)
    rosen = _function(os.path.join(ROOT, "examples", "arrays.py") + ":rosenbrock")
    hvp_a, hessian_a, vg_a = s2sad.hvp(rosen), s2sad.hessian(rosen), s2sad.value_and_grad(rosen)
    assert np.allclose(hvp_a(xa, va), hm.rosenbrock_numpy_hvp(xa, va), rtol=1e-12, atol=1e-9)
    assert np.allclose(hessian_a(xa), hm.rosenbrock_numpy_hessian(xa), rtol=1e-12, atol=1e-9)
    t_hvp, t_vg, t_hand_hvp = _median_times([hvp_a, lambda x, v: vg_a(x), hm.rosenbrock_numpy_hvp], (xa, va),
                                            repeats)
    print(f"{'NumPy Rosenbrock n=100: hvp / vg':<40}{t_hvp * 1e6:>10.1f}us{t_vg * 1e6:>12.1f}us{t_hvp / t_vg:>8.2f}")
    print(f"{'NumPy Rosenbrock n=100: hvp / hand hvp':<40}{t_hvp * 1e6:>10.1f}us{t_hand_hvp * 1e6:>12.1f}us"
          f"{t_hvp / t_hand_hvp:>8.2f}")
    out.append(("NumPy Rosenbrock hvp / value_and_grad", "<= 4", t_hvp / t_vg, 4.0))
    t_h, t_hand = _median_times([hessian_a, hm.rosenbrock_numpy_hessian], (xa,), max(3, repeats // 3))
    print(f"{'NumPy Rosenbrock n=100: hessian / hand':<40}{t_h * 1e3:>10.2f}ms{t_hand * 1e3:>12.2f}ms"
          f"{t_h / t_hand:>8.2f}")
    out.append(("NumPy Rosenbrock hessian / hand-written Hessian", "<= 1.5", t_h / t_hand, 1.5))
    with tempfile.TemporaryDirectory() as folder:
        label, spec, _, _, point = benchmarks(folder)[4]
        net = _function(spec)
        nv = _direction(point)
        hvp_n, vg_n = s2sad.hvp(net), s2sad.value_and_grad(net)
        t_hvp, t_vg = _median_times([hvp_n, lambda *a: vg_n(*a[: len(point)])], point + nv, repeats)
        print(f"{'4-8-1 net: hvp / vg':<40}{t_hvp * 1e6:>10.1f}us{t_vg * 1e6:>12.1f}us{t_hvp / t_vg:>8.2f}")
        out.append(("4-8-1 net hvp / value_and_grad", "<= 4", t_hvp / t_vg, 4.0))
        t_h, = _median_times([s2sad.hessian(net)], point, max(3, repeats // 3))
        print(f"{'4-8-1 net: hessian (49 x 49)':<40}{t_h * 1e3:>10.2f}ms{'(no hand-written Hessian)':>26}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    repeats = 5 if parser.parse_args().quick else 15
    rows = forward_mode(repeats)
    second = second_order(repeats)
    median = statistics.median(r for _, r, _ in rows)
    close = [label for label, _, h in rows if h is not None and h <= 1.2]
    print("\ntargets")
    print(f"  jvp / f median {median:.2f} (<= 2): {'PASS' if median <= 2 else 'MISS'}")
    print(f"  jvp within 1.2x of the hand tangent on {len(close)} benchmarks ({', '.join(close) or 'none'}; "
          f">= 3): {'PASS' if len(close) >= 3 else 'MISS'}")
    for what, target, value, limit in second:
        print(f"  {what} {value:.2f} ({target}): {'PASS' if value <= limit else 'MISS'}")


if __name__ == "__main__":
    main()
