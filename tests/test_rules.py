"""Every row of the rules table against the mpmath oracle, parametrized over the table itself."""

import math

import pytest
from oracle import assert_close, gradient, mp_namespace

import s2sad
from s2sad.rules import LINEAR, RULES

# Points inside each row's domain (a new row without points fails test_every_row_has_points).
DOMAIN = {
    "sin": [0.3, -2.0], "cos": [0.3, -2.0], "tan": [0.3, -1.2],
    "asin": [0.3, -0.8], "acos": [0.3, -0.8], "atan": [0.3, -4.0],
    "sinh": [0.3, -2.0], "cosh": [0.3, -2.0], "tanh": [0.3, -2.0],
    "asinh": [0.3, -2.0], "acosh": [1.3, 4.0], "atanh": [0.3, -0.8],
    "exp": [0.3, -2.0], "expm1": [1e-3, -2.0], "log": [0.3, 20.0], "log2": [0.3, 20.0],
    "log10": [0.3, 20.0], "log1p": [0.3, -0.5], "sqrt": [0.3, 20.0], "fabs": [0.3, -2.0],
    "abs": [0.3, -2.0], "erf": [0.3, -1.5], "erfc": [0.3, -1.5], "degrees": [0.3, -2.0],
    "radians": [30.0, -200.0],
    "atan2": [(0.3, 0.7), (-1.0, -0.4), (2.0, -0.1)], "hypot": [(0.3, 0.7), (-1.0, -0.4)],
    "pow": [(1.3, 0.7), (0.4, -2.5)], "copysign": [(0.3, 0.7), (-1.0, -0.4), (2.0, -0.1)],
}
ROWS = sorted(k for k in RULES if "." not in k) + sorted(LINEAR)


def test_every_row_has_points():
    assert sorted(DOMAIN) == sorted(ROWS)


def _call(name, args):
    fn = name if name in ("abs", "pow") else f"math.{name}"
    return f"{fn}({', '.join(args)})"


@pytest.mark.parametrize("name", ROWS)
def test_row_against_oracle(name, write_module, derive_text):
    arity = 1 if name in LINEAR else RULES[name].arity
    if arity == 1:
        # plain, and scaled (the lecture's h(a*x)) times y, so the chain rule is exercised
        body = f"{_call(name, ['x'])} + 3 * {_call(name, ['0.9 * x'])} * y"
        points = [(p, 0.75) for p in DOMAIN[name]]
    else:
        body = f"{_call(name, ['x', 'y'])} + 2 * {_call(name, ['0.5 * x', 'y'])} * x"
        points = DOMAIN[name]
    text = f"import math\n\ndef f(x, y):\n    return {body}\n"
    d = derive_text(text)
    oracle_f = mp_namespace(text)["f"]
    for point in points:
        assert_close(d.grad(*point), gradient(oracle_f, point), what=f"{name} at {point}")
        value, _ = d.value_and_grad(*point)
        assert value == pytest.approx(_run(text, point), rel=1e-12)


def _run(text, point):
    ns = {}
    exec(text, ns)
    return ns["f"](*point)


def test_templates_are_checked_at_registration():
    def g(x):
        return x

    with pytest.raises(ValueError, match="not a rule"):
        s2sad.register(g, "frob(x)")
    with pytest.raises(ValueError, match="unknown name"):
        s2sad.register(g, "w + 1")
    with pytest.raises(ValueError, match="not an expression"):
        s2sad.register(g, "1 +")
    with pytest.raises(ValueError, match="one partial per argument"):
        s2sad.register(g)


def test_registered_rule_is_used_end_to_end(write_module):
    from conftest import import_file

    path = write_module(
        """
        import math

        def softplus(x):
            return math.log1p(math.exp(x))

        def loss(a, b):
            return softplus(a * b) + 2 * softplus(a)
        """
    )
    module = import_file(path)
    s2sad.register(module.softplus, "1 / (1 + exp(-x))")
    value_and_grad = s2sad.value_and_grad(module.loss)
    a, b = 0.3, -1.2
    sig = lambda t: 1 / (1 + math.exp(-t))  # noqa: E731 - symbolic derivative of softplus
    value, (ga, gb) = value_and_grad(a, b)
    assert value == pytest.approx(module.loss(a, b), rel=1e-14)
    assert ga == pytest.approx(sig(a * b) * b + 2 * sig(a), rel=1e-13)
    assert gb == pytest.approx(sig(a * b) * a, rel=1e-13)
    text = s2sad.generate(module.loss)
    assert f"from {module.__name__} import softplus" in text
    assert "log1p" not in text  # the registered row is elementary: not inlined


RULES_MODULE = """\
import math
from math import exp
from helpers_mod import cube


def softplus(x):
    return math.log1p(exp(x))


def smooth_max(a, b):
    return math.log(exp(a) + exp(b))


__s2sad_rules__ = {
    "softplus": "1 / (1 + exp(-x))",
    "smooth_max": ("1 / (1 + exp(y - x))", "1 / (1 + exp(x - y))"),
    "cube": "3 * x**2",
}


def loss(a, b):
    return softplus(a * b) + 2 * smooth_max(a, b * b) + softplus(3.0) + cube(a)
"""


def test_rules_declared_in_the_source_work_from_the_command_line(tmp_path):
    """`s2sad gen` reads `__s2sad_rules__` statically; the generated module imports the functions."""
    import subprocess
    import sys

    (tmp_path / "mine.py").write_text(RULES_MODULE)
    (tmp_path / "helpers_mod.py").write_text("def cube(x):\n    return x * x * x\n")
    run = subprocess.run([sys.executable, "-m", "s2sad", "gen", "mine.py:loss", "-o", "loss_grad.py"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    text = (tmp_path / "loss_grad.py").read_text()
    assert "from mine import smooth_max, softplus" in text and "log1p" not in text
    assert "from helpers_mod import cube" in text
    run = subprocess.run(
        [sys.executable, "-c", "import loss_grad, mine; print(repr((loss_grad.loss_value_and_grad(0.3, -1.2), "
         "mine.loss(0.3, -1.2))))"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    )
    (value, (ga, gb)), primal = eval(run.stdout)
    assert value == pytest.approx(primal, rel=1e-14)
    a, b = 0.3, -1.2
    sig = lambda t: 1 / (1 + math.exp(-t))  # noqa: E731 - symbolic derivatives
    assert ga == pytest.approx(sig(a * b) * b + 2 * sig(a - b * b) + 3 * a * a, rel=1e-13)
    assert gb == pytest.approx(sig(a * b) * a + 2 * sig(b * b - a) * 2 * b, rel=1e-13)


@pytest.mark.parametrize(
    "declaration,message",
    [
        ('__s2sad_rules__ = {"softplus": "frob(x)"}', "calls frob, not a rule"),
        ('__s2sad_rules__ = {"softplus": ("1", "2")}', r"softplus takes 1 argument\(s\)"),
        ('__s2sad_rules__ = {"nothing": "1"}', "nothing is not a function defined or imported"),
        ('__s2sad_rules__ = {"softplus": 1.0}', "must be string literals"),
        ("__s2sad_rules__ = dict(softplus='1')", "must be a dict literal"),
    ],
)
def test_bad_rule_declarations(declaration, message, write_module):
    from s2sad import UnsupportedSyntaxError
    from s2sad.loading import load_spec

    path = write_module(f"import math\n\ndef softplus(x):\n    return x\n\n{declaration}\n\ndef f(x):\n    return x\n")
    with pytest.raises(UnsupportedSyntaxError, match=message) as info:
        load_spec(f"{path}:f")
    assert info.value.lineno == 6
