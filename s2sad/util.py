"""Small helpers shared by the stages."""

from __future__ import annotations

import gc
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, Generic, Iterator, TypeVar, overload

T = TypeVar("T")


class cached(Generic[T]):
    """functools.cached_property without its lock (Python 3.11 takes one on every first read).

    The generated statements are read tens of thousands of times each
    generation, from one thread: the lock cost more than some properties.
    Racing threads at worst compute a value twice, and the values are equal.
    """

    def __init__(self, fn: Callable[[Any], T]) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> cached[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object, owner: type | None = None) -> T | cached[T]:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)  # next time the instance's dict answers
        return value

# The collector's switch is process-wide: concurrent pauses share one count, and
# the last one out restores what the first one in found.
_lock = threading.RLock()
_pauses = 0
_was_enabled = False
_garbage = False  # a pause of this window leaves cyclic garbage: its objects stay young


@contextmanager
def collector_paused(garbage: bool = False) -> Iterator[None]:
    """Generation allocates many small objects and few cycles: the cyclic GC only slows it.

    Measured: 10,000-op generation takes about 1.5x as long with the collector on.
    Safe from several threads and nested: the collector is on again after the
    last pause ends if (and only if) it was on when the first began.

    What a derivation keeps (its trace and gradient, cached as long as the
    function lives) would otherwise sit in the youngest generation, and the
    first allocation after the pause would walk all of it (0.2 s at 10,000
    ops), then the middle generation walk it again. The last pause out moves
    the surviving objects to the oldest generation at once (`gc.freeze` then
    `gc.unfreeze`, constant time), where only full collections look at them,
    as they would once old. Not where a pause says it leaves much cyclic
    garbage (`garbage`: black's trees): a young collection frees that soon;
    nor where the program froze objects itself, whose freeze this must keep.
    The move takes every object the collector tracks, the program's own too:
    cyclic garbage the program dropped just before a derivation is freed at the
    next full collection rather than the next young one (once per derivation,
    and derivations are cached per function).
    """
    global _pauses, _was_enabled, _garbage
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
        _garbage |= garbage
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0:
                if _was_enabled and not _garbage and gc.get_freeze_count() == 0:
                    gc.freeze()
                    gc.unfreeze()
                _garbage = False
                if _was_enabled:
                    gc.enable()


# --- room for deep recursion --------------------------------------------------------------
#
# The stages walk the function's tree recursively; a long elif chain or a long operator chain
# is as deep as Python's parser allows (about 3,000 levels), more than the default recursion
# limit leaves. The limit is raised for the duration of a derivation that needs it, and put
# back by the last derivation that leaves, unless someone else changed it meanwhile.

_room_lock = threading.Lock()
_room_users = 0
_room_saved: int | None = None  # the limit before the first raise
_room_set: int | None = None  # the limit as last raised here

FRAMES_PER_LEVEL = 12  # stack frames a stage spends per level of the tree, with a margin


@contextmanager
def recursion_room(levels: int) -> Iterator[None]:
    """Let the code inside recurse `levels` levels of the function's tree deep."""
    global _room_users, _room_saved, _room_set
    want = _depth() + 200 + FRAMES_PER_LEVEL * levels
    with _room_lock:
        _room_users += 1
        current = sys.getrecursionlimit()
        if want > current:
            if _room_saved is None:
                _room_saved = current
            sys.setrecursionlimit(want)
            _room_set = want
    try:
        yield
    finally:
        with _room_lock:
            _room_users -= 1
            if _room_users == 0 and _room_saved is not None:
                if sys.getrecursionlimit() == _room_set:
                    sys.setrecursionlimit(_room_saved)
                _room_saved = _room_set = None


def _depth() -> int:
    frame, n = sys._getframe(), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n


# --- a thread stack to match ---------------------------------------------------------------
#
# Raising the recursion limit alone is not enough: Python frames (all of them on 3.10, C-level
# ones on every version, and black's compiled code) use the C stack, which overflows (a crash,
# not an exception) long before 12 frames a level times thousands of levels. A derivation that
# needs more room than the limit gives runs in a thread of its own with a stack of matching size.

STACK_PER_LEVEL = 16 * 1024  # bytes of C stack a level of the tree may take, with a wide margin
_stack_lock = threading.Lock()


def needs_big_stack(levels: int) -> bool:
    return _depth() + 200 + FRAMES_PER_LEVEL * levels > sys.getrecursionlimit()


def on_big_stack(levels: int, run: Callable[[], T]) -> T:
    """run(), in a thread whose stack has room for `levels` levels; its result or its exception."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = run()
        except BaseException as e:  # noqa: BLE001 - handed to the caller as it is
            box["error"] = e

    size = min(max(levels * STACK_PER_LEVEL, 1 << 23), 1 << 30)
    with _stack_lock:  # the stack size of new threads is process-wide: set it, start, put it back
        before = threading.stack_size()
        threading.stack_size(size)
        try:
            worker = threading.Thread(target=target, name="s2sad-deep")
            worker.start()
        finally:
            threading.stack_size(before)
    worker.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
