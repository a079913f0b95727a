"""``healthsim check`` and ``healthsim export``: verify a run's output, export it to X12 837P
or FHIR R4 NDJSON."""

from __future__ import annotations

from pathlib import Path

import typer

from sim.cli import app
from sim.cli.common import console, fail
from sim.output import check_output, format_report, output_tables, read_tables, write_837p

export_app = typer.Typer(help="Export a run's output to other formats.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@app.command("check")
def check(
    output: Path = typer.Argument(Path("out/healthsim.duckdb"), help="A run's output."),
) -> None:
    """Verifies an output: links between tables, dates in order, claims that reconcile, the
    manifest. Exits 1 when a rule fails."""
    report = check_output(output)
    console.print(format_report(report), highlight=False, markup=False)
    if not report.passed:
        fail(f"{output} failed the integrity check", code=1)


@export_app.command("x12")
def export_x12(
    output: Path = typer.Argument(Path("out/healthsim.duckdb"), help="A run's output."),
    to: Path = typer.Option(Path("out/837p"), "--to", help="Folder for the 837P files."),
    batch_size: int = typer.Option(5000, "--batch-size", help="Claims per file."),
) -> None:
    """Writes the professional claims as X12 837P (005010X222A1) files."""
    tables = read_tables(output, ["claims", "claim_lines", "members", "persons"])
    files = write_837p(tables, to, batch_size=batch_size)
    console.print(f"wrote {len(files)} file(s) to {to}")


@export_app.command("fhir")
def export_fhir_command(
    output: Path = typer.Argument(Path("out/healthsim.duckdb"), help="A run's output."),
    to: Path = typer.Option(Path("out/fhir"), "--to", help="Folder for the NDJSON files."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an existing folder."),
) -> None:
    """Writes FHIR R4 Bulk Data NDJSON, one file per resource type."""
    from sim.output.fhir import export_fhir

    tables = read_tables(output, output_tables(output))
    counts = export_fhir(tables, to, overwrite=overwrite)
    for resource, count in counts.items():
        console.print(f"{resource:>22}: {count:,}", highlight=False)
    console.print(f"wrote {to}")
