"""scripts/bench.py --plot: the figures are drawn from the tables' numbers (matplotlib, an optional
extra: without it this test says it is skipped, and the script says what to install)."""

import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))


def test_figures(tmp_path):
    pytest.importorskip("matplotlib", reason="matplotlib is not installed (pip install 's2sad[plot]')")
    import bench

    ratios = [("Rosenbrock 2-D", 1.7, 1.2), ("ext. Rosenbrock n=100", 2.1, 1.05)]
    gen = [(100, 0.01, 0.2), (1000, 0.1, 1.5), (10000, 1.2, 14.0)]
    paths = bench.plot(str(tmp_path), ratios, gen)
    assert [os.path.basename(p) for p in paths] == ["bench_ratios.svg", "bench_generation.svg"]
    ratios_svg, gen_svg = (open(p, encoding="utf-8").read() for p in paths)
    assert ratios_svg.startswith("<?xml") and "<svg" in gen_svg
    for label in ("Rosenbrock 2-D", "ext. Rosenbrock n=100", "value_and_grad / hand-written"):
        assert label in ratios_svg
    assert "ops in the trace" in gen_svg and "seconds" in gen_svg
    assert len(re.findall(r"<path", ratios_svg)) >= 4  # the four bars at least
    again = bench.plot(str(tmp_path / "again"), ratios, gen)
    assert open(again[0], encoding="utf-8").read() == ratios_svg  # deterministic


def test_the_readme_shows_them():
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    for name in ("docs/bench_ratios.svg", "docs/bench_generation.svg"):
        assert name in readme and os.path.isfile(os.path.join(ROOT, name))


def test_without_matplotlib_the_script_says_what_to_install(tmp_path):
    code = ("import sys, runpy; sys.modules['matplotlib'] = None; sys.argv = ['bench.py', '--plot', 'x']; "
            f"runpy.run_path({os.path.join(ROOT, 'scripts', 'bench.py')!r}, run_name='__main__')")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode != 0 and "pip install" in run.stderr and not (tmp_path / "x").exists()
