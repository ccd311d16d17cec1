"""The command line, run as a user runs it: in a subprocess."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

LECTURE_TRACE = """\
input: w1, w2
z1 = w1/w2          # line 9
z2 = sin(2*pi*z1)   # line 10
z3 = exp(2*w2)      # line 11
z4 = 3*z1 - z3      # line 12
z5 = z2 + z4        # line 13
z6 = z4*z5          # line 14
return: z6
"""


def s2sad(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "s2sad", *args], cwd=cwd, capture_output=True, text=True)


def test_trace_prints_the_lecture_listing():
    run = s2sad("trace", "examples/lecture.py:f")
    assert run.returncode == 0, run.stderr
    assert run.stdout == LECTURE_TRACE


def test_gen_of_a_small_function_imports_only_what_it_needs(tmp_path):
    """Start-up is most of `s2sad gen` on a small function: it imports neither black (its text has no
    long line) nor numpy, mpmath, the checker or forward mode. A long line still goes through black."""
    heavy = ["black", "numpy", "mpmath", "s2sad.gradcheck", "s2sad.tangent", "s2sad.hessians", "s2sad.jacobians",
             "s2sad.graph", "s2sad.report", "difflib", "secrets"]
    long_line = tmp_path / "long.py"
    long_line.write_text("def f(" + ", ".join(f"x{i}" for i in range(30)) + "):\n    return "
                         + " + ".join(f"x{i} * x{i}" for i in range(30)) + "\n")
    code = ("import sys, s2sad.cli; s2sad.cli.main(sys.argv[1:]); "
            f"print(' '.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)")
    runs = [subprocess.run([sys.executable, "-c", code, "gen", spec], cwd=ROOT, capture_output=True, text=True)
            for spec in ("examples/lecture.py:f", f"{long_line}:f")]
    assert [run.returncode for run in runs] == [0, 0], [run.stderr for run in runs]
    assert runs[0].stderr.split() == []
    assert "black" in runs[1].stderr.split()
    assert "\n" + " " * 8 + "x0 * x0" in runs[1].stdout  # black split the long line


def test_formula_lowers_in_pythons_evaluation_order():
    """The single formula lowers op by op as Python evaluates it (so its value is f's, bit for bit):
    2*pi*w1/w2 is (2*pi*w1)/w2, and 3*w1/w2 - exp(2*w2) is not a part of sin(...) + 3*w1/w2 - exp(2*w2)."""
    run = s2sad("trace", "examples/lecture.py:f_formula")
    ops = [line for line in run.stdout.splitlines() if " = " in line]
    assert [line.split("#")[0].strip() for line in ops] == [
        "z1 = 2*pi*w1/w2", "z2 = sin(z1)", "z3 = 3*w1/w2", "z4 = exp(2*w2)", "z5 = z2 + z3 - z4", "z6 = z3 - z4",
        "z7 = z5*z6",
    ]


def test_gen_prints_the_golden_module():
    run = s2sad("gen", "examples/lecture.py:f")
    assert run.returncode == 0, run.stderr
    with open(os.path.join(ROOT, "tests", "golden", "lecture_f_grad.py")) as fh:
        assert run.stdout == fh.read()


def test_gen_by_module_name_from_the_current_directory(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("raise SystemExit('s2sad must not import this')\n")
    (tmp_path / "pkg" / "model.py").write_text("import math\n\ndef f(x):\n    return math.exp(2 * x)\n")
    run = s2sad("gen", "pkg.model.f", "--wrt", "x", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    ns = {}
    exec(run.stdout, ns)
    assert ns["f_grad"](0.5) == pytest.approx(2 * 2.718281828459045, rel=1e-15)


def test_gen_does_not_run_the_module(tmp_path):
    marker = tmp_path / "ran"
    (tmp_path / "m.py").write_text(f"open({str(marker)!r}, 'w').close()\n\ndef f(x):\n    return x * x\n")
    assert s2sad("gen", "m.py:f", cwd=tmp_path).returncode == 0
    assert s2sad("trace", "m.py:f", cwd=tmp_path).returncode == 0
    for command in (("kinks",), ("graph",), ("report", "--no-check"), ("gen", "-o", "g.py", "--check")):
        assert s2sad(command[0], "m.py:f", *command[1:], cwd=tmp_path).returncode in (0, 1)
    assert not marker.exists()
    assert s2sad("check", "m.py:f", "--at", "1.5", cwd=tmp_path).returncode == 0  # check says it runs it: it does
    assert marker.exists()


def test_wrt_by_position_equals_wrt_by_name():
    by_name = s2sad("gen", "examples/optim.py:wood", "--wrt", "x2,x4")
    by_position = s2sad("gen", "examples/optim.py:wood", "--wrt", "1,-1")
    assert by_name.returncode == 0 and by_name.stdout == by_position.stdout
    assert "with respect to x2, x4." in by_name.stdout


def test_output_file_and_wrt(tmp_path):
    out = tmp_path / "g.py"
    run = s2sad("gen", "examples/optim.py:rosenbrock", "-o", str(out), "--wrt", "y")
    assert run.returncode == 0 and run.stdout == ""
    ns = {}
    exec(out.read_text(), ns)
    assert ns["rosenbrock_grad"](-1.2, 1.0) == pytest.approx(200 * (1.0 - 1.44), rel=1e-14)


BAD = "import math\n\n\ndef f(x, y):\n    t = x % y\n    return t + foo(x)\n"


def test_user_error_is_reported_without_traceback(tmp_path):
    (tmp_path / "bad.py").write_text(BAD)
    run = s2sad("gen", "bad.py:f", cwd=tmp_path)
    assert run.returncode == 2
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert lines[0] == "bad.py:5:9: error: the % operator is not supported on floats"
    assert lines[1] == "        t = x % y"
    assert lines[2] == "            ^^^^^"
    assert "bad.py:6:16: error: s2sad has no derivative rule for foo" in run.stderr
    assert '__s2sad_rules__ = {"foo": "<d/dx in x>"}' in run.stderr


def test_failed_generation_writes_nothing(tmp_path):
    (tmp_path / "bad.py").write_text(BAD)
    assert s2sad("gen", "bad.py:f", "-o", "out.py", cwd=tmp_path).returncode == 2
    assert not (tmp_path / "out.py").exists()
    (tmp_path / "old.py").write_text("previous contents\n")
    assert s2sad("gen", "bad.py:f", "-o", "old.py", cwd=tmp_path).returncode == 2
    assert (tmp_path / "old.py").read_text() == "previous contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.py", "old.py"]


@pytest.mark.parametrize(
    "args,message",
    [
        (["gen", "nope.py:f"], "no such file: nope.py"),
        (["gen", "examples/lecture.py:g"], "no module-level function 'g'"),
        (["gen", "no_such_module.f"], "cannot find module 'no_such_module'"),
        (["gen", "examples/lecture.py:f", "--wrt", "q"], "f has no parameter 'q'"),
        (["trace", "justaname"], "write module.function or path/to/file.py:function"),
    ],
)
def test_bad_specs_exit_2(args, message):
    run = s2sad(*args)
    assert run.returncode == 2
    assert run.stderr.startswith("s2sad: error: ") and message in run.stderr
    assert "Traceback" not in run.stderr


def _snapshot(folder):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}


def test_check_of_a_fresh_module_exits_0_and_writes_nothing(tmp_path):
    out = tmp_path / "f_grad.py"
    assert s2sad("gen", "examples/optim.py:rosenbrock", "--wrt", "y", "-o", str(out)).returncode == 0
    before = _snapshot(tmp_path)
    run = s2sad("gen", "examples/optim.py:rosenbrock", "--wrt", "y", "-o", str(out), "--check")
    assert run.returncode == 0 and run.stdout == "" and "up to date" in run.stderr
    assert _snapshot(tmp_path) == before
    out.write_bytes(out.read_bytes().replace(b"\n", b"\r\n"))  # a checkout with CRLF line endings is fresh
    assert s2sad("gen", "examples/optim.py:rosenbrock", "--wrt", "y", "-o", str(out), "--check").returncode == 0


def test_check_of_a_stale_module_exits_1_with_a_diff(tmp_path):
    (tmp_path / "f.py").write_text("import math\n\n\ndef f(x):\n    return math.sin(x)\n")
    assert s2sad("gen", "f.py:f", "-o", "f_grad.py", cwd=tmp_path).returncode == 0
    fresh = (tmp_path / "f_grad.py").read_text()
    (tmp_path / "f.py").write_text("import math\n\n\ndef f(x):\n    return math.cos(x)\n")  # f changed
    before = _snapshot(tmp_path)
    run = s2sad("gen", "f.py:f", "-o", "f_grad.py", "--check", cwd=tmp_path)
    assert run.returncode == 1
    assert run.stdout.startswith("--- f_grad.py (as it is)\n+++ f_grad.py (as generated now)\n")
    assert "\n-    z1 = sin(x)  # line 5\n" in run.stdout and "\n+    z1 = cos(x)  # line 5\n" in run.stdout
    assert run.stderr == "f_grad.py: stale; regenerate it with: s2sad gen f.py:f -o f_grad.py\n"
    assert _snapshot(tmp_path) == before and (tmp_path / "f_grad.py").read_text() == fresh
    # the diff is the patch that makes the file fresh
    patched = subprocess.run(["patch", "-s", "-o", "-", "f_grad.py"], input=run.stdout, cwd=tmp_path,
                             capture_output=True, text=True)
    assert patched.returncode == 0, patched.stderr
    assert patched.stdout == s2sad("gen", "f.py:f", cwd=tmp_path).stdout


def test_check_of_a_missing_module_exits_1(tmp_path):
    run = s2sad("gen", "examples/lecture.py:f", "-o", str(tmp_path / "f_grad.py"), "--check")
    assert run.returncode == 1 and "missing; generate it with: s2sad gen" in run.stderr
    assert not (tmp_path / "f_grad.py").exists()


def test_check_needs_a_file_and_a_function_that_differentiates(tmp_path):
    run = s2sad("gen", "examples/lecture.py:f", "--check")
    assert run.returncode == 2 and "give it with -o FILE" in run.stderr
    (tmp_path / "bad.py").write_text(BAD)
    (tmp_path / "old.py").write_text("previous contents\n")
    run = s2sad("gen", "bad.py:f", "-o", "old.py", "--check", cwd=tmp_path)
    assert run.returncode == 2 and "error:" in run.stderr and "Traceback" not in run.stderr


def test_the_pre_commit_hook_runs_the_check(tmp_path):
    """.pre-commit-hooks.yaml's entry, with the arguments a user gives it, is `gen --check`."""
    text = open(os.path.join(ROOT, ".pre-commit-hooks.yaml")).read()
    fields = dict(line.strip().split(": ", 1) for line in text.splitlines()
                  if line.startswith(("- id:", "  ")) and ": " in line)
    assert fields["- id"] == "s2sad-check" and fields["pass_filenames"] == "false"
    program, *entry = fields["entry"].split()
    assert program == "s2sad" and entry == ["gen", "--check"]
    out = str(tmp_path / "f_grad.py")
    assert s2sad(*entry, "examples/lecture.py:f", "-o", out).returncode == 1  # missing
    assert s2sad("gen", "examples/lecture.py:f", "-o", out).returncode == 0
    assert s2sad(*entry, "examples/lecture.py:f", "-o", out).returncode == 0


def test_write_error_is_a_user_error(tmp_path):
    run = s2sad("gen", "examples/lecture.py:f", "-o", str(tmp_path / "missing" / "g.py"))
    assert run.returncode == 2 and "cannot write" in run.stderr


def test_help_and_version():
    from s2sad import __version__

    assert s2sad("--version").stdout.strip() == f"s2sad {__version__}"
    for command in ("gen", "trace"):
        run = s2sad(command, "--help")
        assert run.returncode == 0 and "example: s2sad " + command in run.stdout
    assert s2sad().returncode == 2  # a command is required


def test_console_script_entry_point():
    from importlib.metadata import PackageNotFoundError, entry_points

    try:
        scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    except PackageNotFoundError:  # pragma: no cover
        pytest.skip("s2sad is not installed")
    if "s2sad" not in scripts:
        pytest.skip("s2sad is not installed as a package")
    assert scripts["s2sad"] == "s2sad.cli:main"
