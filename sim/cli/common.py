"""What every command shares: the consoles and the way to fail."""

from __future__ import annotations

import sys
from typing import NoReturn

from rich.console import Console

__all__ = ["console", "err_console", "fail"]

console = Console()
err_console = Console(stderr=True)


def fail(message: str, *, code: int) -> NoReturn:
    err_console.print(f"[bold red]error:[/bold red] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)
