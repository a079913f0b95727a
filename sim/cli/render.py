"""Rich renderings shared by commands."""

from __future__ import annotations

from rich.table import Table

from sim.profiles.validation import ValidationReport

__all__ = ["validation_table"]


def _number(value: float, kind: str) -> str:
    return f"{value:.2%}" if kind == "share" else f"{value:,.3f}"


def validation_table(report: ValidationReport) -> Table:
    passed = sum(m.passed for m in report.metrics)
    table = Table(
        title=f"Validation: {passed}/{len(report.metrics)} targets met "
        f"(family-wise confidence {report.confidence:.0%})"
    )
    for column in ("metric", "target", "actual", "acceptance interval", "n", "result"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for m in report.metrics:
        table.add_row(
            m.name,
            _number(m.target, m.kind),
            _number(m.actual, m.kind),
            f"{_number(m.low, m.kind)} .. {_number(m.high, m.kind)}",
            f"{m.n:,}",
            "[green]pass[/green]" if m.passed else "[red]FAIL[/red]",
        )
    return table
