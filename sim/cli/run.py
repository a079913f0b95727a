"""``healthsim run``: simulate a scenario into DuckDB (default), Parquet or CSV."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from sim.cli import app
from sim.cli.common import INTERRUPTED, console, fail, shard_progress
from sim.scenario import RunResult, run
from sim.scenario.executors import default_workers


def summary_table(result: RunResult) -> Table:
    persons = result.row_counts.get("persons", 0)
    table = Table(title=f"{result.scenario.id}: {persons:,} persons, seed {result.seed}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in result.row_counts.items():
        table.add_row(name, f"{rows:,}")
    for kind, rows in sorted(result.event_counts.items(), key=lambda item: -item[1])[:12]:
        table.add_row(f"  events: {kind}", f"{rows:,}")
    table.add_row("  triggered (caused_by set)", f"{result.triggered_events:,}")
    if result.row_counts.get("members") and result.format != "csv":  # CSV is not read back
        from handlers.membersim.utilisation import SUMMARY_COLUMNS, utilisation_summary

        claims = {name: result.table(name, columns) for name, columns in SUMMARY_COLUMNS.items()}
        for label, value in utilisation_summary(claims).rows():
            table.add_row(f"  membersim: {label}", value)
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
        help="A .duckdb file (default), or a folder for --format parquet or csv.",
    ),
    output_format: str | None = typer.Option(
        None, "--format", help="duckdb, parquet or csv (default: from --out's suffix)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing output."),
    workers: int = typer.Option(
        None, "--workers", "-w", help="Worker processes (default: the machine's cores)."
    ),
    executor: str = typer.Option("local", "--executor", help="local (processes) or dask."),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="A Dask scheduler address (default: a local cluster)."
    ),
    overrides: list[str] = typer.Option(
        [], "--set", help="Change a scenario value by dotted path: --set horizon_days=180."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors."),
    check: bool = typer.Option(
        True,
        "--check/--no-check",
        help="Run the integrity rules of `healthsim check` on the output before it is moved "
        "into place; the verdict goes into run_manifest.",
    ),
) -> None:
    """Simulates SCENARIO for N persons and writes persons, events, each product's records
    and run_manifest."""
    started = time.perf_counter()
    try:
        with shard_progress(enabled=not quiet) as progress:
            result = run(
                scenario,
                count,
                seed,
                out=out,
                format=output_format,
                overwrite=overwrite,
                workers=default_workers() if workers is None else workers,
                executor=executor,
                scheduler=scheduler,
                overrides=overrides,
                progress=progress,
                check=check,
            )
    except KeyboardInterrupt:
        fail(f"interrupted: {out} was not written (an existing one is unchanged)", code=INTERRUPTED)
    seconds = time.perf_counter() - started
    try:
        if not quiet:
            console.print(summary_table(result))
            persons = result.row_counts.get("persons", 0)
            console.print(f"wrote {out} in {seconds:.1f} s ({persons / seconds:,.0f} persons/s)")
            console.print(f"check: {result.check['check_summary']}", highlight=False)
    except KeyboardInterrupt:
        fail(f"interrupted: {out} was written in full", code=INTERRUPTED)
    if result.check["check_passed"] is False:
        fail(
            f"{out} was written, but integrity rules failed: {result.check['check_summary']}; "
            f"details: healthsim check {out}",
            code=1,
        )
