"""What every command shares: the consoles and the way to fail."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from typing import NoReturn

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

__all__ = ["INTERRUPTED", "console", "err_console", "fail", "shard_progress"]

#: the exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it)
INTERRUPTED = 130

console = Console()
err_console = Console(stderr=True)


def fail(message: str, *, code: int) -> NoReturn:
    if code == INTERRUPTED:
        # the exit is under way: DuckDB may raise the SIGINT it took for an interrupted query
        # again, which would end the process by the signal instead of with this status
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    err_console.print(f"[bold red]error:[/bold red] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


@contextlib.contextmanager
def shard_progress(*, enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar over shards on a terminal (none when output is redirected)."""
    if not enabled or not err_console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as bar:
        task = bar.add_task("shards", total=None)

        def update(done: int, total: int) -> None:
            # after the last shard the output is completed and checked, which takes a while
            # for a large run: the bar says so
            label = "writing and checking the output" if done == total else "shards"
            bar.update(task, completed=done, total=total, description=label)

        yield update
