"""``healthsim population``: the persons table of a profile and its validation report."""

from __future__ import annotations

import time
from pathlib import Path

import typer
import yaml

from sim.cli import app
from sim.cli.common import console
from sim.cli.render import validation_table
from sim.output import write_tables
from sim.profiles import compile_profile, generate_population, load_profile


@app.command()
def population(
    profile: str = typer.Argument(..., help="A profile file (YAML/JSON) or a shipped name."),
    count: int | None = typer.Option(None, "-n", "--count", help="Persons (default: profile)."),
    seed: int | None = typer.Option(None, "--seed", help="Master seed (default: the profile's)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the persons table: .duckdb (default kind), .parquet, .csv."
    ),
    format: str | None = typer.Option(None, "--format", help="duckdb, parquet or csv."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing output."),
    names: bool = typer.Option(True, "--names/--no-names", help="Generate names and addresses."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only errors."),
    show_profile: bool = typer.Option(
        False, "--show-profile", help="Print the profile as run (reference data merged) as YAML."
    ),
) -> None:
    """Generates persons from PROFILE, prints the validation report, optionally writes them."""
    if show_profile:
        merged = compile_profile(load_profile(profile)).spec
        data = merged.model_dump(mode="json", by_alias=True, exclude_none=True)
        # category order is part of a spec (it maps draws to values): keep it
        typer.echo(yaml.safe_dump(data, sort_keys=False), nl=False)  # raw: no wrapping
        return
    started = time.perf_counter()
    result = generate_population(profile, count, seed, names=names)
    elapsed = time.perf_counter() - started
    if out is not None:
        write_tables({"persons": result.table}, out, format=format, overwrite=overwrite)
    if quiet:
        return
    rows = result.table.num_rows
    console.print(
        f"[bold]{result.profile.spec.id}[/bold]: {rows:,} persons, seed {result.seed}, "
        f"{elapsed:.2f} s ({rows / max(elapsed, 1e-9):,.0f} persons/s)"
        + (f" -> {out}" if out else "")
    )
    console.print(validation_table(result.validation_report()))
