import ast
import importlib.util
import itertools
import os
import sys
import textwrap

import pytest

HERE = os.path.dirname(__file__)
sys.path.insert(0, HERE)  # tests import catalogue and oracle as plain modules

from s2sad.api import derive_source  # noqa: E402
from s2sad.loading import load_spec  # noqa: E402

_serial = itertools.count()
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")


def example_functions() -> list[tuple[str, str]]:
    """(file, function) for every public module-level function of examples/."""
    found = []
    for file in sorted(os.listdir(EXAMPLES)):
        if file.endswith(".py"):
            with open(os.path.join(EXAMPLES, file)) as fh:
                tree = ast.parse(fh.read())
            found += [(file, d.name) for d in tree.body if isinstance(d, ast.FunctionDef) and d.name[0] != "_"]
    return found


def import_file(path: str):
    """Import a Python file as a fresh module (used for generated modules and samples)."""
    name = f"s2sad_test_module_{next(_serial)}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def write_module(tmp_path):
    """write_module(text) -> path of a new module file holding the dedented text."""

    def write(text: str, name: str = "sample") -> str:
        path = tmp_path / f"{name}_{next(_serial)}.py"
        path.write_text(textwrap.dedent(text))
        return str(path)

    return write


@pytest.fixture
def derive_text(write_module):
    """derive_text(module_text, func, wrt=None) -> Derivative, through the static frontend."""

    def derive(text: str, func: str = "f", wrt=None):
        return derive_source(load_spec(f"{write_module(text)}:{func}"), wrt)

    return derive


ARRAYS_SUPPORTED = True  # s2sad differentiates array programs: tests/test_arrays.py holds them to it
ARRAYS_PENDING = pytest.mark.xfail(not ARRAYS_SUPPORTED, reason="array support not merged yet", strict=False)
