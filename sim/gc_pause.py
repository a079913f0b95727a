"""``gc_paused``: no cyclic garbage collection while a shard is simulated and recorded."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside. A shard makes millions of small containers (SimPy
    events, records as dicts and tuples), and each collection they set off scans every live
    object again: 6 to 10 % of a shard's time. The few cycles SimPy leaves are collected when
    the shard is done."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
