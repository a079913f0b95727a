"""The processes of a run: whether one still lives, and workers that end with their parent.

A run's temporary outputs are named by its process id, so the next run can tell a killed
run's leftovers (``sim.output.sinks``); the worker processes of a killed run must stop too, or
they would go on writing parts into a folder the next run is removing.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

__all__ = ["alive", "die_with_parent"]

#: prctl(2) option: the signal a process gets when its parent ends (Linux)
PR_SET_PDEATHSIG = 1


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists (one of another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def die_with_parent() -> None:
    """This process is killed when its parent ends (on Linux; elsewhere nothing changes, and
    a worker stops at its next part, see ``sim.output.parts``)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
