"""``healthsim run``: simulate a scenario into DuckDB (default), Parquet or CSV."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from sim.cli import app
from sim.cli.common import console
from sim.scenario import RunResult, run


def summary_table(result: RunResult) -> Table:
    persons = result.tables["persons"].num_rows
    table = Table(title=f"{result.scenario.id}: {persons:,} persons, seed {result.seed}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in result.tables.items():
        table.add_row(name, f"{rows.num_rows:,}")
    events = result.tables["events"]
    if events.num_rows:
        kinds = events.group_by("event_type").aggregate([("event_id", "count")])
        for row in sorted(kinds.to_pylist(), key=lambda r: -r["event_id_count"])[:12]:
            table.add_row(f"  events: {row['event_type']}", f"{row['event_id_count']:,}")
        triggered = events.num_rows - events["caused_by"].null_count
        table.add_row("  triggered (caused_by set)", f"{triggered:,}")
    return table


@app.command("run")
def run_command(
    scenario: str = typer.Argument(..., help="A scenario file or a shipped name."),
    count: int | None = typer.Option(
        None, "-n", "--count", help="Persons (for a scenario of households: copies of them)."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Master seed."),
    out: Path = typer.Option(
        Path("out/healthsim.duckdb"),
        "--out",
        "-o",
        help="A .duckdb file (default) or a folder for --format parquet.",
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing output."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors."),
) -> None:
    """Simulates SCENARIO for N persons and writes persons, events and run_manifest."""
    started = time.perf_counter()
    result = run(scenario, count, seed, out=out, overwrite=overwrite)
    if not quiet:
        console.print(summary_table(result))
        console.print(f"wrote {out} in {time.perf_counter() - started:.1f} s")
