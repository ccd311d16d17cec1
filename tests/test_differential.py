"""The differential random-program checker: regressions it found, and a few hundred fresh programs.

Every program is checked four ways (API grad and value_and_grad, the generated
module's f_grad and f_value_and_grad) against f's value and the 50-digit oracle
(`differential.check`). Locally, run thousands with `python scripts/fuzz.py`;
S2SAD_FUZZ_SEED and S2SAD_FUZZ_COUNT choose the programs run here.
"""

import ast
import os

import pytest

import differential
import progen

REGRESSIONS = os.path.join(os.path.dirname(__file__), "regressions")
SEED = int(os.environ.get("S2SAD_FUZZ_SEED", "700000"))
COUNT = int(os.environ.get("S2SAD_FUZZ_COUNT", "300"))


def _regressions():
    return sorted(f for f in os.listdir(REGRESSIONS) if f.endswith(".py"))


def _args(text: str) -> tuple:
    line = next(line for line in text.splitlines() if line.startswith("# args:"))
    return ast.literal_eval(line.split(":", 1)[1].strip())


@pytest.mark.parametrize("name", _regressions())
def test_regression(name):
    with open(os.path.join(REGRESSIONS, name)) as fh:
        text = fh.read()
    second = text.startswith(("# second order", "# hessian"))  # found by --second-order: checked so again
    status, failure = differential.run_one(text, _args(text), formatted=True, second_order=second)
    assert failure is None, f"{name}: {failure.key}: {failure.detail}"
    assert status == "ok", f"{name} checks nothing at its point: {status}"  # a regression that skips cannot fail


def test_random_programs():
    failures, checked = [], 0
    for seed in range(SEED, SEED + COUNT):
        status, failure = differential.run_one(progen.program(seed), progen.point(seed), formatted=seed % 50 == 0)
        checked += status == "ok"
        if failure is not None:
            failures.append(f"seed {seed}: {failure.key}: {failure.detail[:200]}")
    assert not failures, "\n".join(failures) + "\n(shrink with: python scripts/fuzz.py --seed N --count 1)"
    assert checked >= COUNT // 2, f"only {checked} of {COUNT} programs were checked (the rest skipped)"


def test_the_checker_finds_a_wrong_gradient(monkeypatch):
    """The checker is not blind: a program s2sad gets wrong on purpose is reported."""
    import s2sad.partials as partials

    real = partials.partial

    def wrong(op, i, names, numpy=False):
        d = real(op, i, names, numpy)
        return None if d is None else d * partials.Term(2)

    monkeypatch.setattr(partials, "partial", wrong)
    import s2sad.reverse.items as items
    monkeypatch.setattr(items, "partial", wrong)
    text = "import math\n\n\ndef f(a, b, xs, n):\n    return math.sin(a) * b + xs[0]\n"
    status, failure = differential.run_one(text, (0.3, 0.4, [0.5], 1))
    assert failure is not None and "wrong gradient" in failure.key


def test_shrinking_keeps_the_failure_and_cuts_the_rest(monkeypatch):
    text = progen.program(3)
    keep = ast.unparse(ast.parse(text).body[-1].body[0])  # the first statement of f stands for the failure
    fake = differential.Failure("k", "")

    def fails_while_kept(candidate, args, **_):
        return ("fail", fake) if keep in candidate else ("ok", None)

    monkeypatch.setattr(differential, "run_one", fails_while_kept)
    small = differential.shrink(text, progen.point(3), fake)
    assert keep in small and len(small) < len(text) / 2


CHAOTIC = """import math

def f(a, b, xs, n):
    s = 0.5 * a
    for v3 in xs:
        for i in range(len(xs)):
            s = math.pow(1.5 + math.sin(s), 2.5)
    return s
"""
CHAOTIC_POINT = (-0.8644888817294589, -0.8813080682362315,
                 [0.09185208699461678, 1.2919041507933862, 0.6763061272616347, 1.4917652811938251], 1)


def test_ill_conditioning_is_told_from_a_wrong_formula():
    """A chaotic loop amplifies float64 rounding past the checker's tolerance: the generated code run
    at 50 digits gives the oracle's gradient, so the point is skipped; the same code with one partial
    doubled differs at 50 digits too, so it still fails."""
    status, failure = differential.run_one(CHAOTIC, CHAOTIC_POINT)
    assert failure is None and status.startswith("skip: ill-conditioned")
    value, want = differential.oracle(CHAOTIC, CHAOTIC_POINT)
    import importlib.util
    import tempfile

    import s2sad

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "chaotic.py")
        with open(path, "w") as fh:
            fh.write(CHAOTIC)
        spec = importlib.util.spec_from_file_location("chaotic_program", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        text = s2sad.derive(module.f, differential.WRT).text
    assert differential._formula_exact(text, CHAOTIC_POINT, want)
    wrong = text.replace("2.5 * s_2_bar", "5.0 * s_2_bar")
    assert wrong != text and not differential._formula_exact(wrong, CHAOTIC_POINT, want)


CANCELLING = """\
import math

def h0(p):
    r = p = (p * p) ** 3
    r, p = (math.pow(1.25, r), 2)
    return r

def f(a, b, xs, n):
    s = b
    u = a
    for v1 in xs:
        v1 = s = u - (u or v1)
        s = s * h0(sum(xs))
    return s + u
"""
CANCELLING_POINT = (-0.937089106054291, -0.9169838589312432,
                    [1.0404162393338037, 1.0080857091086497, 1.001650692895963], 3)


def test_adjoints_that_cancel_past_50_digits_are_ill_conditioning():
    """a's adjoint is 1 + 1e77 - 1e77, added in that order: 0 in floats, and at 50 digits too; at 1,000
    digits the generated code gives the oracle's 1, so the point says nothing about the formula."""
    value, want = differential.oracle(CANCELLING, CANCELLING_POINT)
    assert want[0] == 1
    status, failure = differential.run_one(CANCELLING, CANCELLING_POINT)
    assert failure is None and status.startswith("skip: ill-conditioned"), (status, failure)


AMPLIFIED_CONSTANT = """\
import math
TWO_PI = 2 * math.pi


def f(a, b, xs, n):
    s = (3.0 - TWO_PI) ** 8 * 1.5
    return math.sin(s * s) * a
"""


def test_points_where_fs_rounding_shows_at_the_gradient_tolerance_are_skipped():
    """f rounds 3 - 2*pi once and sin(s*s) amplifies that by about 4e8: f's value is 1e-7 off the exact
    one, and so is the derivative in a (sin(s*s) itself), 20 times the gradient tolerance. The point
    says nothing about the formula, which the generated code gets right in f's own arithmetic."""
    point = (0.68, -1.2, [0.5], 0)
    ns: dict = {}
    exec(AMPLIFIED_CONSTANT, ns)
    value = ns["f"](*point)
    want_value, want = differential.oracle(AMPLIFIED_CONSTANT, point)
    assert 1e-9 < abs(want_value - value) < 1e-6
    status, failure = differential.run_one(AMPLIFIED_CONSTANT, point)
    assert failure is None and status == "skip: f's rounding shows at the gradient tolerance", (status, failure)
