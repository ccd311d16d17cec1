"""Branches, loops and lists end to end: runtime API and generated module, against the mpmath oracle."""

import os

import catalogue_flow
import pytest
from conftest import import_file
from oracle import assert_gradient, gradient_of, mp_namespace

import s2sad

ORACLE = mp_namespace(open(os.path.join(os.path.dirname(__file__), "catalogue_flow.py")).read())
CASES = [(name, k) for name, points in catalogue_flow.CASES.items() for k in range(len(points))]


def copy(point):
    return [list(a) if isinstance(a, list) else a for a in point]


def test_catalogue_is_large_enough():
    assert len(catalogue_flow.CASES) >= 30
    assert all(len(points) >= 2 for points in catalogue_flow.CASES.values())


@pytest.mark.parametrize("name,k", CASES)
def test_runtime_api(name, k):
    point = catalogue_flow.CASES[name][k]
    f = getattr(catalogue_flow, name)
    want = gradient_of(ORACLE[name], point)
    args = copy(point)
    value, got = s2sad.value_and_grad(f)(*args)
    assert args == point, "the arguments are not changed"
    assert value == pytest.approx(f(*copy(point)), rel=1e-13, abs=1e-15)
    assert_gradient(got, want, name)
    assert s2sad.grad(f)(*copy(point)) == got


@pytest.fixture(scope="module")
def generated_modules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated_flow")
    modules = {}
    for name in catalogue_flow.CASES:
        path = folder / f"{name}_grad.py"
        path.write_text(s2sad.generate(getattr(catalogue_flow, name)))
        modules[name] = import_file(str(path))
    return modules


@pytest.mark.parametrize("name,k", CASES)
def test_generated_module(name, k, generated_modules):
    point = catalogue_flow.CASES[name][k]
    module = generated_modules[name]
    want = gradient_of(ORACLE[name], point)
    assert_gradient(getattr(module, f"{name}_grad")(*copy(point)), want, name)
    value, got = getattr(module, f"{name}_value_and_grad")(*copy(point))
    assert value == pytest.approx(getattr(catalogue_flow, name)(*copy(point)), rel=1e-13, abs=1e-15)
    assert_gradient(got, want, name)


@pytest.mark.parametrize("name", sorted(catalogue_flow.CASES))
def test_generated_module_imports_only_math(name, generated_modules):
    text = s2sad.generate(getattr(catalogue_flow, name))
    imports = [line for line in text.splitlines() if line.startswith(("import ", "from "))]
    assert all(line.startswith("from math import ") for line in imports), imports


def test_trace_prints_blocks_under_their_loop_or_branch():
    from conftest import EXAMPLES

    from s2sad.api import trace_source
    from s2sad.loading import load_spec

    text = str(trace_source(load_spec(f"{EXAMPLES}/loops.py:halvings")))
    lines = text.splitlines()
    assert lines[0] == "input: x"
    assert lines[1].startswith("while True:") and lines[1].endswith("# line 65")
    assert "    x_1 = carried(x, next)" in lines and "        break: x_1, n" in lines
    assert any(line.startswith("        x_2 = 0.5*x_1") and line.endswith("# line 66") for line in lines)
    assert lines[-1] == "return: z5"


def test_certificate_counts_each_loop_per_iteration_and_its_tape():
    text = s2sad.generate(catalogue_flow.product)
    header = [line for line in text.splitlines() if line.startswith("#")]
    assert "loops per iteration" in header[2]
    loop = next(line for line in header if "loop at line" in line)
    cert = s2sad.derive(catalogue_flow.product).certificate
    part = next(p for p in cert.parts if p.label.startswith("loop"))
    assert f"forward {part.forward}, reverse {part.reverse}" in loop and "tape 1 value per iteration" in loop
    assert header[-1].startswith(f"#   whole function: ratio at most {cert.ratio:.2f} for any trip counts")
    assert cert.ratio == max(p.ratio for p in cert.parts) <= 5


def _tapes(nodes):
    """(pops, pushes): the names each `... = tape.pop()` restores, each `tape.append(...)` records."""
    from s2sad.program import Stmt, walk

    pops, pushes = [], []
    for n in walk(nodes):
        if isinstance(n, Stmt) and n.tape and n.target:
            pops.append(n)
        elif isinstance(n, Stmt) and n.tape:
            pushes.append(n)
    return pops, pushes


@pytest.mark.parametrize("name", sorted(catalogue_flow.CASES))
def test_tapes_record_only_what_the_reverse_sweep_reads(name):
    from s2sad.program import Block, Stmt, walk

    g = s2sad.derive(getattr(catalogue_flow, name)).gradient

    def check(nodes):
        for k, n in enumerate(nodes):
            if isinstance(n, Stmt) and n.tape and n.target:  # a pop: every name is read after it
                later = [r for m in walk(nodes[k + 1:]) if isinstance(m, (Stmt, Block)) for r in m.reads]
                for restored in n.defines:
                    assert restored in later, f"{name}: {restored} is recorded but never read"
            elif isinstance(n, Block):
                check(n.body)
                check(n.orelse)

    check(g.reverse)
    pops, pushes = _tapes(g.reverse)[0], _tapes(g.forward)[1]
    recorded = {p.value.func.value.id for p in pushes}
    assert recorded == {p.value.func.value.id for p in pops}, "every tape is pushed and popped"


def _instrumented(d):
    """The generated value_and_grad with each tape a list that remembers its peak length."""
    import re

    from s2sad.emit import runtime_text

    class Tape(list):
        peak = 0

        def append(self, value):
            super().append(value)
            self.peak = max(self.peak, len(self))

    made = []
    tapes = set(d.gradient.names.tapes.values())
    text = re.sub(r"^(\s*)(\w+) = \[\]", lambda m: f"{m.group(1)}{m.group(2)} = new_tape()"
                  if m.group(2) in tapes else m.group(0), runtime_text(d.gradient, "value_and_grad"), flags=re.M)
    ns = {"new_tape": lambda: made.append(Tape()) or made[-1]}
    exec(compile(text, "<instrumented>", "exec"), ns)
    return ns[f"{d.trace.name}_value_and_grad"], made


def test_tape_grows_linearly_with_the_trip_count_and_is_emptied():
    d = s2sad.derive(catalogue_flow.rk4_oscillator)
    peaks = []
    for n in (10, 20, 40):
        vg, tapes = _instrumented(d)
        vg(1.3, 1.0, 0.0, n)
        assert all(len(t) == 0 for t in tapes), "the reverse sweep pops all it pushed"
        peaks.append(sum(t.peak for t in tapes))
    assert peaks == [10, 20, 40]


def test_a_loop_over_a_range_is_reversed_without_recording_its_trip_count():
    text = s2sad.generate(catalogue_flow.norm2)
    code = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    assert "for i in reversed(range(z1)):" in code and "trips" not in code and "tape" not in code


def test_integer_parameters_have_no_gradient():
    f = catalogue_flow.newton_sqrt
    assert s2sad.grad(f)(2.0, 5) == pytest.approx(0.5 / 2**0.5, rel=1e-12)
    with pytest.raises(s2sad.S2sadError, match="steps of newton_sqrt is an integer"):
        s2sad.grad(f, wrt="steps")


def test_list_gradients_are_lists_of_the_same_length():
    x, y = [1.0, 2.0, 3.0], [0.5, -1.0, 2.0]
    gx, gy = s2sad.grad(catalogue_flow.dot)(x, y)
    assert gx == y and gy == x
    assert s2sad.grad(catalogue_flow.dot, wrt="y")(x, y) == x


def test_generated_code_is_the_same_every_time():
    for name in ("softmax_cross_entropy", "append_list", "while_break"):
        f = getattr(catalogue_flow, name)
        assert s2sad.derive(f).text == s2sad.derive(f, wrt=None).text  # cached
        from s2sad.api import derive_source
        from s2sad.loading import load_function

        assert derive_source(load_function(f)).text == s2sad.derive(f).text


def test_formatting_equals_black_on_the_whole_module():
    import black

    from s2sad.emit import LINE_LENGTH, format_source

    mode = black.Mode(line_length=LINE_LENGTH)
    for name in catalogue_flow.CASES:
        text = s2sad.derive(getattr(catalogue_flow, name)).text
        assert format_source(text) == black.format_str(text, mode=mode), name


@pytest.mark.parametrize("name", sorted(catalogue_flow.CASES))
def test_every_generated_statement_names_its_source_line(name):
    import ast

    text = s2sad.generate(getattr(catalogue_flow, name))
    lines = text.splitlines()
    for fn in (n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef)):
        for stmt in ast.walk(fn):
            if not isinstance(stmt, (ast.Assign, ast.AugAssign, ast.For, ast.While, ast.If)) or \
                    isinstance(stmt, ast.Expr):
                continue
            first, above = lines[stmt.lineno - 1], lines[stmt.lineno - 2].strip()
            last = lines[(stmt.end_lineno if not hasattr(stmt, "body") else stmt.lineno) - 1]
            tagged = "# line" in first or "# from line" in first or "# line" in last or "# from line" in last \
                or above.startswith(("# line", "# from line"))
            assert tagged, f"{name}: no source line on: {first}"


def test_a_sum_of_independent_terms_is_differentiated_inside_its_loop():
    """s = s + term(i) with a constant adjoint for s: each iteration's adjoint code runs in the loop."""
    text = s2sad.generate(catalogue_flow.dot)
    fn = text[text.index("def dot_value_and_grad"):text.index("def dot_grad")]
    assert "reversed" not in fn and "tape" not in fn and "# reverse sweep" not in fn
    assert "        y_bar[i] += z2  # from line 28" in fn


@pytest.mark.parametrize("name,b_bar", [("log_partition", "b_bar = s_bar * s"),
                                         ("rms_of_line", "b_bar = b_bar_sum * s_bar")])
def test_a_sum_whose_adjoint_comes_later_is_summed_in_its_loop_and_scaled_once(name, b_bar):
    """s = s + term(i) read later (log(s), sqrt(s)): the loop sums the unscaled terms; no reverse loop.
    In log(sum of exp(w * i + b)), b's terms are the terms of s itself: b_bar is s_bar * s, no sum of its own."""
    text = s2sad.generate(getattr(catalogue_flow, name))
    fn = text[text.index(f"def {name}_value_and_grad"):text.index(f"def {name}_grad")]
    assert "reversed" not in fn and "tape" not in fn
    assert "its terms are scaled by s_bar after the loop" in fn
    reverse = fn[fn.index("# reverse sweep"):]
    assert "for " not in reverse and b_bar in reverse
    assert ("b_bar_sum" in fn) == (name == "rms_of_line")


def test_the_shift_of_a_sum_of_exponentials_receives_one_term_after_the_loop():
    """s += exp(v - m): m's adjoint from the loop is -s_bar * s (s is the sum of the terms), not a term per item;
    the logits' adjoints are then one comprehension over the tape, and the other contributions follow it."""
    text = s2sad.generate(catalogue_flow.softmax_cross_entropy)
    fn = text[text.index("def softmax_cross_entropy_value_and_grad"):text.index("def softmax_cross_entropy_grad")]
    reverse = fn[fn.index("# reverse sweep"):].splitlines()
    assert reverse[1:5] == ["    s_bar = 1 / s  # from line 61", "    m_bar = 1 - s_bar * s  # from lines 59, 60, 61",
                            "    z_bar = [s_bar * z7 for z7 in tape_1]  # from lines 59, 60",
                            "    z_bar[label] -= 1  # from line 61"], reverse
    assert reverse[5].startswith("    for k in reversed(range(z2)):  # line 55")  # the running maximum's loop


def test_a_list_receiving_a_later_scaled_adjoint_keeps_its_reverse_loop():
    """Scaling a list's terms would be a loop over its items again: norm2's loop is reversed as before."""
    text = s2sad.generate(catalogue_flow.norm2)
    assert "unscaled" not in text and "scaled by" not in text and "reversed(range(" in text


def test_loops_that_add_to_the_same_list_are_fused_in_order():
    x = [0.5, -1.25, 2.0]
    got = s2sad.grad(catalogue_flow.two_sums)(x)
    assert got == pytest.approx([2 * v + 3 * v * v for v in x], rel=1e-14)


SECOND = [  # (module, function, wrt, point): gradients with loops, differentiated again
    ("examples", "newton_sqrt", None, (2.0, 5)),
    ("examples", "halvings", None, (10.0,)),
    ("examples", "oscillator", "k", (2.0, 0.3, 1.0, 0.0, 30)),
    ("examples", "huber", "r", (2.5, 1.0)),
    ("catalogue", "power_series", None, (0.7, 5)),
    ("catalogue", "newton_cubic", None, (2.0,)),
    ("catalogue", "while_break", None, (3.0,)),
    ("catalogue", "bisect_like", None, (2.2,)),
]


@pytest.mark.parametrize("where,name,wrt,point", SECOND)
def test_generated_code_with_loops_differentiates_again(where, name, wrt, point, tmp_path):
    """Tapes, reversed ranges and fused loops stay in the subset: second derivatives against the oracle."""
    from conftest import EXAMPLES
    from mpmath import mp

    source = os.path.join(EXAMPLES, "loops.py") if where == "examples" else catalogue_flow.__file__
    module = import_file(source)
    path = tmp_path / f"{name}_grad.py"
    path.write_text(s2sad.generate(getattr(module, name), wrt=wrt))
    generated = import_file(str(path))
    f = mp_namespace(open(source).read())[name]
    params = list(s2sad.trace(getattr(module, name)).params)
    i = 0 if wrt is None else [p.hint for p in params].index(wrt)
    second = s2sad.grad(getattr(generated, f"{name}_grad"), wrt=i)(*point)

    def along(t):
        args = [mp.mpf(a) if isinstance(a, float) else a for a in point]
        args[i] = t
        return f(*args)

    want = mp.diff(along, mp.mpf(point[i]), 2)
    assert second == pytest.approx(float(want), rel=1e-8, abs=1e-10)
