"""The ``healthsim`` command line (typer). Each command group lives in its own module."""

from __future__ import annotations

import typer

from sim.cli.common import fail
from sim.errors import SpecError

__all__ = ["app", "main"]

app = typer.Typer(
    name="healthsim",
    help="Synthetic, longitudinal, linked healthcare data by discrete-event simulation.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """Synthetic, longitudinal, linked healthcare data by discrete-event simulation."""


def _register() -> None:
    # Each module registers its commands on ``app`` when imported.
    from sim.cli import (
        demo,  # noqa: F401
        experiment,  # noqa: F401
        journey,  # noqa: F401
        outputs,  # noqa: F401
        population,  # noqa: F401
        reference,  # noqa: F401
        report,  # noqa: F401
        run,  # noqa: F401
        specs,  # noqa: F401
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point: bad input exits 2 with the located message, never a traceback.

    Usage errors (exit 2) and interrupts (exit 1, "Aborted!") are handled by typer itself.
    """
    _register()
    try:
        app(args=argv)
    except SpecError as error:
        fail(str(error), code=2)
    except Exception as error:
        fail(f"{type(error).__name__}: {error}", code=1)
