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
