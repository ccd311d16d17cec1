"""Small helpers shared by the stages."""

from __future__ import annotations

import gc
import sys
import threading
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def collector_paused() -> Iterator[None]:
    """Generation allocates many small objects and no cycles: the cyclic GC only slows it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
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
