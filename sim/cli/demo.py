"""``healthsim demo``: the medicare-diabetic scenario into the embedded DuckDB file."""

from __future__ import annotations

from pathlib import Path

import typer

from sim.cli import app
from sim.cli.common import console
from sim.cli.run import summary_table
from sim.scenario import run


@app.command()
def demo(
    count: int = typer.Option(1000, "-n", "--count", help="Persons."),
    seed: int = typer.Option(42, "--seed", help="Master seed."),
    out: Path = typer.Option(Path("out/demo.duckdb"), "--out", "-o", help="DuckDB file."),
) -> None:
    """Runs the shipped medicare-diabetic scenario for one year and prints a summary."""
    result = run("medicare-diabetic", count, seed, out=out, overwrite=True)
    console.print(summary_table(result))
    console.print(f"wrote {out}: open it with duckdb, e.g. select * from events limit 10")
