"""The catalogue end to end: runtime API and generated module, against the mpmath oracle."""

import os

import catalogue
import pytest
from conftest import import_file
from oracle import assert_close, gradient, mp_namespace

import s2sad

ORACLE = mp_namespace(open(os.path.join(os.path.dirname(__file__), "catalogue.py")).read())
CASES = [(name, point) for name, points in catalogue.CASES.items() for point in points]


def test_catalogue_is_large_enough():
    assert len(catalogue.CASES) >= 40
    assert all(len(points) >= 2 for points in catalogue.CASES.values())


@pytest.mark.parametrize("name,point", CASES)
def test_runtime_api(name, point):
    f = getattr(catalogue, name)
    want = gradient(ORACLE[name], point)
    got = s2sad.grad(f)(*point)
    assert_close(got, want, what=name)
    value, got2 = s2sad.value_and_grad(f)(*point)
    assert value == pytest.approx(f(*point), rel=1e-13, abs=1e-15)
    assert got2 == got


@pytest.fixture(scope="module")
def generated_modules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    modules = {}
    for name in catalogue.CASES:
        path = folder / f"{name}_grad.py"
        path.write_text(s2sad.generate(getattr(catalogue, name)))
        modules[name] = import_file(str(path))
    return modules


@pytest.mark.parametrize("name,point", CASES)
def test_generated_module(name, point, generated_modules):
    module = generated_modules[name]
    want = gradient(ORACLE[name], point)
    assert_close(getattr(module, f"{name}_grad")(*point), want, what=name)
    value, got = getattr(module, f"{name}_value_and_grad")(*point)
    assert value == pytest.approx(getattr(catalogue, name)(*point), rel=1e-13, abs=1e-15)
    assert_close(got, want, what=name)


@pytest.mark.parametrize("name", sorted(catalogue.CASES))
def test_wrt_each_parameter(name):
    f = getattr(catalogue, name)
    point = catalogue.CASES[name][0]
    full = s2sad.grad(f)(*point)
    full = full if isinstance(full, tuple) else (full,)
    for i in range(len(point)):
        want = gradient(ORACLE[name], point, wrt=[i])
        one = s2sad.grad(f, wrt=i)(*point)
        assert_close(one, want, what=f"{name} wrt {i}")
        assert one == pytest.approx(full[i], rel=1e-14, abs=1e-300)
