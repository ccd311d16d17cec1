"""Hostile inputs: odd files, odd names, odd specs, odd options.

Each case runs through the command line (`s2sad.cli.main`, as the console
script runs it): a user error exits with 2, prints `file:line:col` (or
`s2sad: error:`) and no traceback, and leaves no output file; a success
prints a module that parses. Where a case names a function, it also runs
through the API (`derive_source` on the spec, and `s2sad.grad` when the module
can be imported): `S2sadError` or a result, nothing else.
"""

from __future__ import annotations

import ast
import copy
import math
import os
import stat
import sys
import unicodedata
from dataclasses import dataclass, field

import pytest
from conftest import import_file
from oracle import assert_gradient, gradient_of, mp_namespace

import s2sad
from s2sad import S2sadError, UnsupportedSyntaxError
from s2sad.api import derive_source
from s2sad.cli import main
from s2sad.errors import printable
from s2sad.loading import load_spec


@dataclass
class Case:
    name: str
    files: dict = field(default_factory=dict)  # file name (str or bytes) -> content (str or bytes)
    args: tuple = ()
    rc: int = 2
    where: str | None = None  # stderr starts with this (file:line:col: error: ...)
    says: tuple = ()  # substrings of stderr
    errors: int | None = None  # number of `error:` lines expected
    importable: bool = False  # the module can be imported: try s2sad.grad on it
    point: tuple = ()  # where to check the gradient against the oracle when it succeeds
    setup: object = None  # a function of the folder, run after writing the files
    xfail: str = ""


def m(text, **kw) -> dict:
    return {"m.py": text}


SQUARE = "def f(x):\n    return x * x\n"
BAD_LINE2 = "def f(x):\n    return x % 2.0\n"


def _fifo(folder):
    os.mkfifo(os.path.join(folder, "pipe.py"))


def _unreadable(folder):
    os.chmod(os.path.join(folder, "m.py"), 0)


def _symlink(folder):
    os.symlink("m.py", os.path.join(folder, "link.py"))


def _hardlink(folder):
    os.link(os.path.join(folder, "m.py"), os.path.join(folder, "hard.py"))


def _subdir(folder):
    os.mkdir(os.path.join(folder, "d.py"))


CASES = [
    # --- files that are not what they seem
    Case("empty file", m(""), ("gen", "m.py:f"), says=("no module-level function 'f' (functions there: none)",)),
    Case("comments only", m("# nothing here\n\n"), ("gen", "m.py:f"), says=("no module-level function 'f'",)),
    Case("missing file", {}, ("gen", "nope.py:f"), says=("s2sad: error: no such file: nope.py",)),
    Case("directory as SPEC", {}, ("gen", ".:f"), says=("is a directory",)),
    Case("directory named .py", {}, ("trace", "d.py:f"), setup=_subdir, says=("d.py is a directory",)),
    Case("fifo as SPEC (must not hang)", {}, ("gen", "pipe.py:f"), setup=_fifo, says=("is not a regular file",)),
    Case("unreadable file", m(SQUARE), ("gen", "m.py:f"), setup=_unreadable, says=("cannot read m.py",)),
    Case("binary garbage", m(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe"), ("gen", "m.py:f"), where="m.py:1:1: error: "),
    # --- encodings and line ends
    Case("NUL byte", m(b"def f(x):\n    return x\x00 + 1\n"), ("gen", "m.py:f"),
         where="m.py:2:13: error: a NUL character in the source"),
    Case("non-UTF-8 byte in a comment", m(b"def f(x):\n    # caf\xe9\n    return x\n"), ("gen", "m.py:f"),
         where="m.py:2:10: error: byte 0xe9 is not valid UTF-8"),
    Case("non-UTF-8 byte on line 1", m(b"# \xff\ndef f(x):\n    return x\n"), ("gen", "m.py:f"),
         where="m.py:1:3: error: byte 0xff is not valid UTF-8"),
    Case("latin-1 declared", m(b"# -*- coding: latin-1 -*-\ndef f(x):\n    # caf\xe9\n    return x * x\n"),
         ("gen", "m.py:f"), rc=0, importable=True, point=(1.5,)),
    Case("unknown encoding", m(b"# -*- coding: klingon -*-\ndef f(x):\n    return x\n"), ("gen", "m.py:f"),
         where="m.py:1:1: error: unknown encoding: klingon"),
    Case("byte outside the declared encoding", m(b"# coding: ascii\ndef f(x):\n    return x * 2  # \xe9\n"),
         ("gen", "m.py:f"), where="m.py:3:21: error: byte 0xe9 is not valid ASCII"),
    Case("UTF-16 declared", m(b"# coding: utf-16\ndef f(x):\n    return x\n"), ("gen", "m.py:f"),
         where="m.py:1:1: error: encoding problem: utf-16 is not ASCII-compatible"),
    Case("BOM and another encoding declared", m(b"\xef\xbb\xbf# coding: latin-1\ndef f(x):\n    return x\n"),
         ("gen", "m.py:f"), where="m.py:1:1: error: the file starts with a UTF-8 byte order mark",
         says=("\n    # coding: latin-1\n",)),
    Case("UTF-16 file", m("def f(x):\n    return x\n".encode("utf-16")), ("gen", "m.py:f"),
         where="m.py:1:1: error: byte 0xff is not valid UTF-8"),
    Case("BOM", m(b"\xef\xbb\xbfdef f(x):\n    return x * x\n"), ("gen", "m.py:f"), rc=0, importable=True,
         point=(0.5,)),
    Case("BOM and an error", m(b"\xef\xbb\xbfdef f(x):\n    return x % 2.0\n"), ("gen", "m.py:f"),
         where="m.py:2:12: error: the % operator"),
    Case("CRLF line ends", m(b"import math\r\n\r\ndef f(x):\r\n    return math.sin(x) * x\r\n"), ("gen", "m.py:f"),
         rc=0, importable=True, point=(0.7,)),
    Case("CRLF and an error", m(b"def f(x):\r\n    y = x\r\n    return y % 2.0\r\n"), ("gen", "m.py:f"),
         where="m.py:3:12: error: ", says=("\n        return y % 2.0\n",)),
    Case("CR line ends", m(b"def f(x):\r    return x * x * x\r"), ("gen", "m.py:f"), rc=0, point=(1.5,)),
    Case("U+2028 and form feed in comments", m("def f(x):\n    # a\u2028b\x0cc\n    return x % 2.0\n"),
         ("gen", "m.py:f"), where="m.py:3:12: error: ", says=("\n        return x % 2.0\n",)),
    Case("tab indentation: caret keeps the tab", m("def f(x):\n\treturn x % 2.0\n"), ("gen", "m.py:f"),
         where="m.py:2:9: error: ", says=("\n    \treturn x % 2.0\n    \t       ^^^^^^^\n",)),
    Case("wide characters before the error", m('def f(x):\n    y = "\u4e2d\u6587"; return x % 2.0\n'),
         ("gen", "m.py:f"), says=("\n" + " " * (4 + 9 + 4 + 10) + "^^^^^^^\n",)),
    Case("escape character in the line", m('def f(x):\n    return x * "\x1b[2J"\n'), ("gen", "m.py:f"),
         where="m.py:2:16: error: the constant", says=("\u241b[2J",)),
    Case("line separators in the error line", m('def f(x):\n    return x * "\u2028\x85"\n'), ("gen", "m.py:f"),
         where="m.py:2:16: error: the constant", says=('\n        return x * "\ufffd\ufffd"\n',)),
    Case("mixed tabs and spaces", m("def f(x):\n\tif x > 0:\n        return x\n\treturn x\n"), ("gen", "m.py:f"),
         where="m.py:3:"),
    # --- syntax errors and limits
    Case("syntax error", m("def f(x):\n    return x +\n"), ("gen", "m.py:f"), where="m.py:2:"),
    Case("unterminated string", m("def f(x):\n    return 'x\n"), ("trace", "m.py:f"), where="m.py:2:"),
    Case("too many nested parentheses", m("def f(x):\n    return " + "(" * 250 + "x" + ")" * 250 + "\n"),
         ("gen", "m.py:f"), where="m.py:2:"),
    Case("a huge comment line", m("def f(x):\n    # " + "z" * 200_000 + "\n    return x % 2.0\n"),
         ("gen", "m.py:f"), where="m.py:3:12: error: "),
    Case("a long line of code", m("def f(x):\n    return " + " + ".join(["x * 1.5"] * 300) + "\n"),
         ("gen", "m.py:f"), rc=0, point=(0.3,)),
    # --- names
    Case("unicode identifiers", m("import math\n\ndef \u00e9t\u00e9(\u03b1, \u03b2):\n"
                                  "    return math.exp(\u03b1) * \u03b2\n"),
         ("gen", "m.py:\u00e9t\u00e9"), rc=0, importable=True, point=(0.5, 2.0)),
    Case("NFKC spelling of the name", m("def \ufb01(x):\n    return x * x\n"), ("gen", "m.py:\ufb01"), rc=0),
    Case("helper shadowing a builtin", m("def abs(x):\n    return x * x\n\n\ndef f(x):\n    return abs(x) + x\n"),
         ("gen", "m.py:f"), rc=0, importable=True, point=(-1.5,)),
    Case("helper named like a math function", m("import math\n\n\ndef sin(x):\n    return x * x\n\n\n"
                                                "def f(x):\n    return sin(x) + math.sin(x)\n"),
         ("gen", "m.py:f"), rc=0, importable=True, point=(0.5,)),
    Case("parameter named like a builtin the code calls",
         m("def f(len, range, x):\n    return len * range * x\n"),
         ("gen", "m.py:f"), rc=0, importable=True, point=(2.0, 3.0, 0.5)),
    Case("parameter named reversed in a loop", m("def f(x, reversed, n):\n    for i in range(n):\n"
                                                  "        x = x * reversed + x * x\n    return x\n"),
         ("gen", "m.py:f"), rc=0, importable=True, point=(0.3, 0.5, 3)),
    Case("parameter named len with a list", m("def f(xs, len):\n    s = 0.0\n    for v in xs:\n"
                                              "        s = s + v * len\n    return s\n"),
         ("gen", "m.py:f"), rc=0, importable=True, point=([1.0, 2.0], 3.0)),
    Case("keyword-only parameter", m("def f(x, *, k=1.0):\n    return x * k\n"), ("gen", "m.py:f"),
         where="m.py:1:13: error: keyword-only parameters"),
    Case("defaults kept", m("def f(x, y=2.0):\n    return x ** y\n"), ("gen", "m.py:f"), rc=0, importable=True,
         point=(1.5, 2.0)),
    Case("infinite defaults", m("def f(x, y=1e309, z=-1e309):\n    return x * 2\n"), ("gen", "m.py:f"), rc=0,
         importable=True, point=(1.5, 2.0, 3.0)),
    Case("identity", m("def f(x):\n    return x\n"), ("gen", "m.py:f"), rc=0, importable=True, point=(3.0,)),
    Case("star import", m("from numpy import *\n\n\ndef f(x):\n    return sin(x)\n"), ("gen", "m.py:f"),
         where="m.py:5:12: error: sin is not defined here; `from numpy import *` (line 1) may define it"),
    Case("file name that is not UTF-8", {b"lat\xe9.py": SQUARE}, ("gen", os.fsdecode(b"lat\xe9.py") + ":f"), rc=0),
    Case("file name of 250 bytes", {"n" * 247 + ".py": SQUARE}, ("gen", "n" * 247 + ".py:f"), rc=0),
    Case("function named like its generated result", m("def f_grad(x):\n    return x * x\n\n\n"
                                                       "def f(x):\n    return f_grad(x) * 2\n"),
         ("gen", "m.py:f"), rc=0, importable=True, point=(1.5,)),
    Case("file name with a newline", {"a\nraise SystemExit(3)\n.py": SQUARE},
         ("gen", "a\nraise SystemExit(3)\n.py:f"), rc=0),
    Case("file name with an escape character", {"e\x1b[2J.py": BAD_LINE2}, ("gen", "e\x1b[2J.py:f"),
         where="e\\x1b[2J.py:2:12: error: "),
    Case("file name starting with a dash", {"-m.py": SQUARE}, ("gen", "--", "-m.py:f"), rc=0),
    Case("dash file name without --", {"-m.py": SQUARE}, ("gen", "-m.py:f"), says=("usage:",)),
    Case("colon in a folder name", {}, ("gen", "a:b/m.py:f"), rc=0,
         setup=lambda d: (os.mkdir(os.path.join(d, "a:b")), open(os.path.join(d, "a:b", "m.py"), "w").write(SQUARE))),
    # --- specs
    Case("spec without a function", m(SQUARE), ("gen", "m.py"), says=("name the function: m.py:function",)),
    Case("spec with an empty function", m(SQUARE), ("gen", "m.py:"), says=("name the function after the colon",)),
    Case("spec with a dotted function", m(SQUARE), ("gen", "m.py:f.g"), says=("'f.g' is not a function name",)),
    Case("spec of a module that is not there", {}, ("gen", "nowhere.f"), says=("cannot find module 'nowhere'",)),
    Case("async def", m("async def f(x):\n    return x\n"), ("gen", "m.py:f"),
         where="m.py:1:1: error: f is an async function"),
    Case("a class", m("class f:\n    pass\n"), ("trace", "m.py:f"), where="m.py:1:1: error: f is a class"),
    Case("a lambda", m("f = lambda x: x * x\n"), ("gen", "m.py:f"), where="m.py:1:1: error: f is bound by"),
    Case("def inside an if", m("if True:\n    def f(x):\n        return x\n"), ("gen", "m.py:f"),
         where="m.py:2:5: error: f is a def nested in the statement at line 1"),
    Case("generator function", m("def f(x):\n    yield x\n"), ("gen", "m.py:f"), where="m.py:2:"),
    Case("decorated function", m("import functools\n\n\n@functools.cache\ndef f(x):\n    return x\n"),
         ("gen", "m.py:f"), where="m.py:4:2: error: decorated functions are not supported"),
    Case("recursion", m("def f(x):\n    return f(x) * x\n"), ("gen", "m.py:f"), where="m.py:2:12: error: recursive"),
    Case("no parameters", m("def f():\n    return 1.0\n"), ("gen", "m.py:f"), rc=0),
    Case("module that exits on import", m("raise SystemExit('never import me')\n\n\n" + SQUARE),
         ("gen", "m.py:f"), rc=0),
    # --- errors that must say something true
    Case("numpy names", m("import numpy as np\nfrom numpy import arange\n\n\ndef f(x):\n"
                          "    return np.atleast_2d(x) + arange(x)\n"), ("gen", "m.py:f"),
         where="m.py:6:12: error: np.atleast_2d is not supported", errors=1),
    Case("numpy outside the subset", m("import numpy as np\n\n\ndef f(x):\n    return np.fft.fft(x) * np.euler(x)\n"),
         ("gen", "m.py:f"), where="m.py:5:12: error: np.fft.fft is not supported",
         says=("hint: numpy.fft has no derivative rules", "np.euler is not supported"), errors=2),
    Case("math function s2sad lacks", m("from math import prod\n\n\ndef f(x):\n    return prod(x)\n"),
         ("gen", "m.py:f"), where="m.py:5:12: error: s2sad does not support math.prod",
         says=("hint: multiply in a loop",)),
    Case("unknown two-argument function", m("def f(x, y):\n    return foo(x, y)\n"), ("gen", "m.py:f"),
         says=('"foo": ("<d/dx in x, y>", "<d/dy in x, y>")',)),
    Case("one error for an unpacking, none for its names", m("def f(xs):\n    a, b = xs\n    return a * b\n"),
         ("gen", "m.py:f"), where="m.py:2:5: error: unpacking assignment", errors=1),
    Case("one error for a with, none for its names", m("def f(x):\n    with x as y:\n        z = y\n"
                                                       "    return z * y\n"), ("gen", "m.py:f"), errors=1),
    Case("one error for an import in the function, none for its uses",
         m("def f(x):\n    import os\n    from math import sin as s\n    return os.sep * s(x)\n"), ("gen", "m.py:f"),
         where="m.py:2:5: error: imports inside the function", errors=2),
    Case("one error for a nested def, none for its calls", m("def f(x):\n    def h(y):\n        return y\n"
                                                             "    return h(x) * h(x)\n"), ("gen", "m.py:f"),
         where="m.py:2:5: error: nested functions are not supported", errors=1),
    Case("match statement", m("def f(x):\n    match x:\n        case 1:\n            y = 2.0\n"
                              "        case _:\n            y = 1.0\n    return x * y\n"), ("gen", "m.py:f"),
         where="m.py:2:5: error: match statements are not supported", errors=1),
    Case("try with its except name", m("def f(x):\n    try:\n        y = 1 / x\n    except ZeroDivisionError as e:\n"
                                       "        y = e\n    return x * y\n"), ("gen", "m.py:f"), errors=1),
    Case("every type error reported", m("import math\n\n\ndef f(x):\n    a = sum(x**2)\n    b = sum(math.cos(x))\n"
                                        "    return a + b\n"), ("gen", "m.py:f"), where="m.py:5:13: error: sum needs",
         says=("m.py:6:13: error: sum needs",), errors=2),
    Case("the follow-on of a type error is not reported", m("def f(x):\n    a = sum(x + 1)\n    b = a[0]\n"
                                                            "    return b\n"), ("gen", "m.py:f"), errors=1),
    Case("rules in a file that is not a module name", {"my-m.py": "def g(x):\n    return x\n\n\ndef f(x):\n"
                                                                  "    return g(x)\n\n\n__s2sad_rules__ = {'g': '1'}\n"},
         ("gen", "my-m.py:f"), where="my-m.py:9:20: error: generated code imports g"),
    # --- options
    Case("--wrt with a superscript digit", m(SQUARE), ("gen", "m.py:f", "--wrt", "\u00b2"),
         says=("f has no parameter '\u00b2'",)),
    Case("--wrt empty", m(SQUARE), ("gen", "m.py:f", "--wrt", ""), says=("wrt names no parameter",)),
    Case("--wrt twice the same", m(SQUARE), ("gen", "m.py:f", "--wrt", "x,0"), says=("named twice",)),
    Case("--wrt a float", m(SQUARE), ("gen", "m.py:f", "--wrt", "0.0"), says=("no parameter '0.0'",)),
    Case("--wrt in another spelling of the name", m("def f(\ufb01, y):\n    return \ufb01 * y\n"),
         ("gen", "m.py:f", "--wrt", "\ufb01"), rc=0),
    Case("--wrt with spaces and a sign", m(SQUARE), ("gen", "m.py:f", "--wrt", " -1 "), rc=0),
    Case("-o the input", m(SQUARE), ("gen", "m.py:f", "-o", "m.py"), says=("it is the input file",)),
    Case("-o a symlink to the input", m(SQUARE), ("gen", "m.py:f", "-o", "link.py"), setup=_symlink,
         says=("it is the input file",)),
    Case("-o a hard link to the input", m(SQUARE), ("gen", "m.py:f", "-o", "hard.py"), setup=_hardlink,
         says=("it is the input file",)),
    Case("-o a directory", m(SQUARE), ("gen", "m.py:f", "-o", "."), says=("is a directory",)),
    Case("-o empty", m(SQUARE), ("gen", "m.py:f", "-o", ""), says=("cannot write",)),
    Case("-o in a missing folder", m(SQUARE), ("gen", "m.py:f", "-o", "no/out.py"), says=("cannot write no/out.py",)),
    Case("-o after a failure", m(BAD_LINE2), ("gen", "m.py:f", "-o", "out.py"), where="m.py:2:12: error: "),
]


def _write(folder, case: Case) -> None:
    for name, content in case.files.items():
        path = os.path.join(os.fsencode(folder), os.fsencode(name))
        with open(path, "wb") as fh:
            fh.write(content.encode() if isinstance(content, str) else content)
    if case.setup is not None:
        case.setup(str(folder))


def _snapshot(folder) -> dict:
    out = {}
    for root, dirs, files in os.walk(folder):
        for n in files:
            p = os.path.join(root, n)
            st = os.lstat(p)
            if stat.S_ISREG(st.st_mode) and st.st_mode & stat.S_IRUSR:
                with open(p, "rb") as fh:
                    out[p] = fh.read()
            else:
                out[p] = st.st_mode
    return out


def _params(cases):
    return [pytest.param(c, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)] if c.xfail else [])
            for c in cases]


@pytest.mark.parametrize("case", _params(CASES))
def test_cli(case: Case, tmp_path, monkeypatch, capsysbinary):
    if case.setup is _unreadable and os.geteuid() == 0:
        pytest.skip("root reads any file")
    _write(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    before = _snapshot(tmp_path)
    try:
        code = main(list(case.args))
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    out, err_bytes = capsysbinary.readouterr()
    err = err_bytes.decode("utf-8", "backslashreplace")
    assert code == case.rc, err
    assert "Traceback" not in err
    if case.rc == 0:
        if case.args[0] == "gen":
            text = out.decode("utf-8")
            ast.parse(text)
            if case.point:  # the printed module computes the oracle's gradient
                ns: dict = {}
                exec(compile(text, "<generated>", "exec"), ns)
                f = case.args[-1].rpartition(":")[2]
                assert_gradient(ns[f"{f}_grad"](*case.point), _oracle(tmp_path, case), case.name)
        return
    assert out == b""
    assert _snapshot(tmp_path) == before  # nothing written, nothing left behind
    if case.where is not None:
        assert err.startswith(case.where), err[:300]
    for text in case.says:
        assert text in err, err[:500]
    if case.errors is not None:
        assert sum(": error: " in line for line in err.splitlines()) == case.errors, err


API_CASES = [c for c in CASES if c.args and c.args[0] in ("gen", "trace") and ":" in c.args[-1] and "-o" not in c.args
             and "--wrt" not in c.args and not c.args[-1].startswith("-")]


@pytest.mark.parametrize("case", _params(API_CASES))
def test_api(case: Case, tmp_path, monkeypatch):
    if case.setup is _unreadable and os.geteuid() == 0:
        pytest.skip("root reads any file")
    _write(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    spec = case.args[-1]
    try:
        d = derive_source(load_spec(spec))
        d.source, d.grad, d.value_and_grad  # noqa: B018 (everything the API makes)
    except UnsupportedSyntaxError as exc:
        assert case.rc == 2, exc.format()
        if case.where and " error: " in case.where:
            v = exc.violations[0]
            assert case.where.startswith(f"{printable(v.filename)}:{v.line}:"), exc.format()
        return
    except S2sadError:
        assert case.rc == 2
        return
    assert case.rc == 0
    if case.importable:
        module = import_file(os.path.join(tmp_path, spec.rpartition(":")[0]))
        f = getattr(module, spec.rpartition(":")[2])
        got = s2sad.grad(f)(*case.point)
        value, got_vg = s2sad.value_and_grad(f)(*case.point)
        assert value == f(*case.point)
        want = _oracle(tmp_path, case)
        assert_gradient(got, want, case.name)
        assert_gradient(got_vg, want, case.name)


def _oracle(folder, case: Case) -> list:
    """The mpmath oracle's gradient of the case's function at its point, from the file's text."""
    import tokenize

    path, _, name = case.args[-1].rpartition(":")
    with tokenize.open(os.path.join(folder, path)) as fh:  # its encoding, BOM and line ends, as Python reads it
        text = fh.read()
    return gradient_of(mp_namespace(text)[unicodedata.normalize("NFKC", name)], list(case.point))


API_OBJECTS = [
    ("a builtin", abs),
    ("a lambda", lambda x: x),
    ("None", None),
    ("a number", 42),
    ("a string", "f"),
    ("a class", type("C", (), {})),
    ("a bound method", "".join),
    ("a partial", __import__("functools").partial(pow, 2)),
    ("a callable object", type("C", (), {"__call__": lambda self, x: x})()),
]


@pytest.mark.parametrize("what,obj", API_OBJECTS, ids=[w for w, _ in API_OBJECTS])
def test_api_objects_that_are_not_functions(what, obj):
    with pytest.raises(S2sadError):
        s2sad.grad(obj)
    with pytest.raises(S2sadError):
        s2sad.trace(obj)


def test_api_async_and_generator_functions(write_module):
    module = import_file(write_module("async def a(x):\n    return x\n\n\ndef g(x):\n    yield x\n"))
    with pytest.raises(UnsupportedSyntaxError, match="a is an async function") as info:
        s2sad.grad(module.a)
    assert info.value.violations[0].line == 1
    with pytest.raises(UnsupportedSyntaxError, match="yield") as info:
        s2sad.grad(module.g)
    assert info.value.violations[0].line == 6


def test_cli_in_a_deleted_directory(tmp_path, monkeypatch, capsysbinary):
    (tmp_path / "m.py").write_text(SQUARE)
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert main(["gen", f"{tmp_path}/m.py:f"]) == 0
    for args, says in [(["gen", "m.f"], "cannot find module 'm' from the current directory (deleted)"),
                       (["gen", f"{tmp_path}/m.py:f", "-o", "out.py"], "cannot write out.py: ")]:
        capsysbinary.readouterr()
        assert main(args) == 2
        err = capsysbinary.readouterr().err.decode()
        assert err.startswith("s2sad: error: ") and says in err


@pytest.mark.parametrize("name", [None, "my mod", "a.if"])
def test_api_rules_in_a_module_without_an_importable_name(name, tmp_path):
    path = tmp_path / "m.py"
    text = "def g(x):\n    return x\n\n\ndef f(x):\n    return g(x) * x\n\n\n__s2sad_rules__ = {'g': '1'}\n"
    path.write_text(text)
    ns = {} if name is None else {"__name__": name}
    exec(compile(text, str(path), "exec"), ns)
    with pytest.raises(UnsupportedSyntaxError, match="generated code imports g from this module") as info:
        s2sad.grad(ns["f"])
    assert info.value.violations[0].line == 9


def test_api_function_whose_file_is_gone(write_module):
    path = write_module(SQUARE)
    module = import_file(path)
    os.remove(path)
    import linecache

    linecache.checkcache(path)
    with pytest.raises(S2sadError):
        s2sad.grad(module.f)


if sys.platform == "win32":  # pragma: no cover
    pytestmark = pytest.mark.skip("POSIX file names and modes")


INFINITE = [  # f, a point where df/dx is infinite
    ("import math\n\n\ndef f(x):\n    return math.sqrt(x)\n", 0.0),
    ("def f(x):\n    return x ** 0.5\n", 0.0),
    ("import math\n\n\ndef f(x):\n    return math.asin(x)\n", 1.0),
    ("import math\n\n\ndef f(x):\n    return math.acos(x) * 2\n", -1.0),
    ("def f(x):\n    return x ** (1 / 3)\n", 0.0),
    ("import math\n\n\ndef f(x, y):\n    return math.hypot(x, y)\n", 0.0),
]


@pytest.mark.parametrize("text,at", INFINITE, ids=[t.splitlines()[-1].strip() for t, _ in INFINITE])
def test_infinite_derivatives_follow_floating_point(text, at, write_module):
    """Where the true derivative is infinite: inf, nan or ZeroDivisionError (as Python gives), never a finite number."""
    module = import_file(write_module(text))
    args = (at,) * module.f.__code__.co_argcount
    for make in (s2sad.grad, s2sad.value_and_grad):
        try:
            got = make(module.f)(*args)
        except ZeroDivisionError:
            continue
        got = got[1] if make is s2sad.value_and_grad else got
        parts = got if isinstance(got, tuple) else (got,)
        assert any(not math.isfinite(g) for g in parts), f"a finite derivative {got!r} where it is infinite"


def test_value_is_the_value_f_returns(write_module):
    module = import_file(write_module("def f(x):\n    return (x + 1e16) - 1e16\n"))
    value, _ = s2sad.value_and_grad(module.f)(1.0)
    assert value == module.f(1.0)


def _flow_functions():
    path = os.path.join(os.path.dirname(__file__), "catalogue_flow.py")
    with open(path) as fh:
        tree = ast.parse(fh.read())
    return tree, [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]


FLOW_TREE, FLOW_NAMES = _flow_functions()
BAD = "sum(3.0)"  # a type-level error only lowering finds


def _with_errors(name: str, edit) -> tuple[str, set[int]]:
    tree = copy.deepcopy(FLOW_TREE)
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
    edit(fn)
    text = ast.unparse(ast.fix_missing_locations(tree))
    return text, {i + 1 for i, line in enumerate(text.splitlines()) if BAD in line}


def _lowering_errors(text: str, name: str, write_module) -> set[int]:
    with pytest.raises(UnsupportedSyntaxError) as info:
        derive_source(load_spec(f"{write_module(text)}:{name}"))
    return {v.line for v in info.value.violations}


@pytest.mark.parametrize("name", FLOW_NAMES)
def test_an_error_in_every_block_is_reported_and_nothing_else(name, write_module):
    """One independent error at the start of every block (body, branch, loop) of a valid function: all are reported."""
    def edit(fn):
        blocks = [n.body for n in ast.walk(fn) if isinstance(n, (ast.FunctionDef, ast.If, ast.For, ast.While))]
        blocks += [n.orelse for n in ast.walk(fn) if isinstance(n, ast.If) and n.orelse]
        for i, block in enumerate(blocks):
            at = 1 if block is fn.body and isinstance(block[0], ast.Expr) else 0  # after a docstring
            block.insert(at, ast.parse(f"bad_{i} = {BAD}").body[0])

    text, lines = _with_errors(name, edit)
    assert _lowering_errors(text, name, write_module) == lines


@pytest.mark.parametrize("name", FLOW_NAMES)
def test_follow_on_errors_are_not_reported(name, write_module):
    """Every assignment's value made an error: the first is reported, and only injected lines at all."""
    def edit(fn):
        for n in ast.walk(fn):
            if isinstance(n, (ast.Assign, ast.AugAssign)):
                n.value = ast.parse(BAD, mode="eval").body

    text, lines = _with_errors(name, edit)
    if not lines:
        return
    got = _lowering_errors(text, name, write_module)
    assert min(lines) in got and got <= lines


def test_unreadable_file_is_a_clean_error_even_as_root(tmp_path, monkeypatch, capsysbinary):
    """The permission check root skips, simulated: reading fails with EACCES."""
    import s2sad.reading

    (tmp_path / "m.py").write_text(SQUARE)
    monkeypatch.chdir(tmp_path)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(s2sad.reading, "open", refuse, raising=False)
    assert main(["gen", "m.py:f"]) == 2
    assert capsysbinary.readouterr().err.decode() == "s2sad: error: cannot read m.py: Permission denied\n"
