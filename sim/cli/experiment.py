"""``healthsim experiment``: run a what-if experiment and print its comparison."""

from __future__ import annotations

import math
import time
from pathlib import Path

import typer
from rich.table import Table

from sim.cli import app
from sim.cli.common import console
from sim.experiments import ExperimentResult, load_experiment, run_experiment
from sim.scenario.executors import default_workers


def _number(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:,.4g}"


def summary_table(result: ExperimentResult) -> Table:
    spec = result.spec
    table = Table(
        title=f"{spec.id}: {spec.replications} replications of {spec.count:,} persons, "
        f"seed {spec.seed}"
    )
    for column in ("metric", "variant", "mean", "95% CI", "difference to base", "95% CI"):
        table.add_column(column, justify="left" if column in ("metric", "variant") else "right")
    for row in sorted(result.summary.to_pylist(), key=lambda r: r["metric"]):
        unit = f" {row['unit']}" if row["unit"] else ""
        table.add_row(
            row["metric"],
            row["variant"],
            _number(row["mean"]) + unit,
            f"{_number(row['ci_low'])} .. {_number(row['ci_high'])}",
            _number(row["difference"]),
            f"{_number(row['difference_low'])} .. {_number(row['difference_high'])}",
        )
    return table


@app.command("experiment")
def experiment(
    source: str = typer.Argument(..., help="An experiment file or a shipped name."),
    out: Path = typer.Option(
        Path("out/experiment"), "--out", "-o", help="Folder for results.duckdb and summary.png."
    ),
    workers: int = typer.Option(
        None, "--workers", "-w", help="Worker processes (default: the machine's cores)."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace existing results."),
) -> None:
    """Runs every variant of an experiment for every replication, in parallel, and compares
    each metric to the base with 95% confidence intervals."""
    started = time.perf_counter()
    loaded = load_experiment(source)
    result = run_experiment(loaded, workers=default_workers() if workers is None else workers)
    console.print(summary_table(result))
    result.write(out, overwrite=overwrite)
    seconds = time.perf_counter() - started
    console.print(f"wrote {out}/results.duckdb and {out}/summary.png in {seconds:.1f} s")
