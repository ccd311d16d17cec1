"""Binomial checkpointing of long loops: the schedule reverses every step from valid snapshots within its
recomputation bound; checkpointed gradients equal the tape's bit for bit and the 50-digit oracle; memory
stays O(snapshots)."""

import copy
import math
import os
import tracemalloc

import catalogue_flow as cat
import pytest
from conftest import EXAMPLES, import_file
from oracle import assert_gradient, gradient_of, mp_namespace

import s2sad
from s2sad.checkpoint import REVOLVE
from s2sad.cli import main


def _revolve():
    namespace: dict = {}
    exec(REVOLVE, namespace)
    return namespace["_revolve"]


@pytest.mark.parametrize("snapshots", [1, 2, 3, 4, 7])
def test_the_schedule_reverses_every_step_from_valid_snapshots(snapshots):
    revolve = _revolve()
    for n in list(range(0, 40)) + [100, 257, 1000]:
        state, slots, turns, steps = 0, {}, [], 0
        for do, a, b in revolve(n, snapshots):
            if do == 0:
                assert state == a and a < b
                steps, state = steps + b - a, b
            elif do == 1:
                assert state == a and 0 <= b < snapshots
                slots[b] = a
            elif do == 2:
                assert slots[b] == a
                state = a
            else:
                assert do == 3 and state == a
                turns.append(a)
                steps, state = steps + 1, None
        assert turns == list(range(n - 1, -1, -1))
        free, r = snapshots - 1, 0  # each step runs forward at most r + 1 times, C(free + r, free) >= n
        if not free:  # one snapshot: each step from the first
            assert steps <= n * (n + 1) // 2
            continue
        while math.comb(free + r, free) < n:
            r += 1
        assert steps <= (r + 1) * n


LOOPED = ["rk4_oscillator", "euler_decay", "newton_sqrt", "horner", "fibonacci_like", "recurrence_list",
          "loop_with_branch", "nested_sum", "power_series", "popped_then_scaled", "carried_int_and_float",
          "stride_range", "continue_loop", "break_loop", "while_break", "list_changed_in_loop",
          "branch_in_a_long_loop", "two_long_loops"]


@pytest.mark.parametrize("name,loops", [("branch_in_a_long_loop", 1), ("two_long_loops", 2), ("euler_decay", 1)])
def test_loops_are_checkpointed_where_expected(name, loops):
    """A value both arms of a branch assign is no snapshot; two loops in a row are both checkpointed."""
    text = s2sad.generate(getattr(cat, name), checkpoint=2)
    fn = text[text.index(f"def {name}_value_and_grad"):text.index(f"def {name}_grad")]
    assert fn.count("binomial checkpointing") == loops
    if name == "branch_in_a_long_loop":
        assert "at most 2 snapshots of t," in fn


@pytest.mark.parametrize("name", LOOPED)
@pytest.mark.parametrize("snapshots", [1, 3])
def test_checkpointed_gradients_equal_the_tape_and_the_oracle(name, snapshots):
    f = getattr(cat, name)
    for point in cat.CASES[name]:
        d = s2sad.derive(f)
        taped = d.value_and_grad(*copy.deepcopy(point))
        d_saved = s2sad.derive(f, checkpoint=snapshots)
        assert d_saved.value_and_grad(*copy.deepcopy(point)) == taped  # the same operations, in the same order
        grad = d_saved.grad(*copy.deepcopy(point))
        assert grad == d.grad(*copy.deepcopy(point))
    oracle_f = mp_namespace(open(cat.__file__).read())[name]
    wrt = [k for k, p in enumerate(d.trace.params) if p in d.wrt]
    point = cat.CASES[name][0]
    want = gradient_of(lambda *a: oracle_f(*[a[wrt.index(k)] if k in wrt else point[k] for k in range(len(point))]),
                       [point[k] for k in wrt])
    value, got = d_saved.value_and_grad(*copy.deepcopy(point))
    assert_gradient(got if len(wrt) > 1 else (got,), want, what=f"{name} checkpointed")


def test_the_module_says_so_runs_standalone_and_keeps_memory_flat(tmp_path, capsys):
    path = os.path.join(EXAMPLES, "loops.py")
    assert main(["gen", f"{path}:oscillator", "--checkpoint", "10"]) == 0
    text = capsys.readouterr().out
    assert "binomial checkpointing" in text and "def _revolve(" in text and "import s2sad" not in text
    namespace: dict = {}
    exec(compile(text, "oscillator_grad.py", "exec"), namespace)
    f = import_file(path).oscillator
    point = (2.0, 0.3, 1.0, 0.0, 20000)
    saved = namespace["oscillator_value_and_grad"]
    taped = s2sad.value_and_grad(f)
    assert saved(*point) == taped(*point)
    peaks = []
    for fn in (taped, saved):
        tracemalloc.start()
        fn(*point)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < peaks[0] / 50  # 10 snapshots of (y, v) against 20,000 records of 8 values


def test_bad_snapshot_counts_are_refused(capsys):
    with pytest.raises(s2sad.S2sadError, match="checkpoint"):
        s2sad.grad(cat.euler_decay, checkpoint=-1)
    with pytest.raises(SystemExit):
        main(["gen", os.path.join(EXAMPLES, "loops.py") + ":oscillator", "--checkpoint", "x"])
