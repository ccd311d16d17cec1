"""The public API is typed and says so (PEP 561): `py.typed` ships in the package, and every public
function annotates its parameters and its result."""

import inspect
import os
import re

import s2sad

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_py_typed_ships_in_the_package():
    assert os.path.isfile(os.path.join(os.path.dirname(s2sad.__file__), "py.typed"))
    with open(os.path.join(ROOT, "pyproject.toml"), encoding="utf-8") as fh:
        config = fh.read()  # (tomllib is Python 3.11+)
    assert re.search(r'\[tool\.setuptools\.package-data\]\s*\ns2sad = \["py\.typed"\]', config)


def test_every_public_function_is_annotated():
    for name in s2sad.__all__:
        obj = getattr(s2sad, name)
        if not inspect.isfunction(obj):
            continue
        sig = inspect.signature(obj)
        missing = [p for p, v in sig.parameters.items() if v.annotation is inspect.Parameter.empty
                   and v.kind not in (v.VAR_POSITIONAL, v.VAR_KEYWORD)]
        assert not missing, (name, missing)
        assert sig.return_annotation is not inspect.Signature.empty, name
