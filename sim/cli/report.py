"""``healthsim report``: an HTML report of a run's output."""

from __future__ import annotations

from pathlib import Path

import typer

from sim.cli import app
from sim.cli.common import console
from sim.report import write_report


@app.command("report")
def report(
    output: Path = typer.Argument(Path("out/healthsim.duckdb"), help="A run's output."),
    html: Path = typer.Option(None, "--html", help="The report file (default: beside OUTPUT)."),
) -> None:
    """Writes an HTML report (figures embedded) of a run's output."""
    destination = html or output.with_name(output.stem + "-report.html")
    write_report(output, destination)
    console.print(f"wrote {destination}")
