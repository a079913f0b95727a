"""``write_report``: an HTML page about a run's output, figures embedded (one file to share).

It reads the output (a DuckDB file or a Parquet folder): the persons' age and sex, the
profile's targets against what was generated (for a scenario drawn from a profile), events
over time, the time from diagnosis to first fill, claim costs, and the tables' sizes.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from sim.errors import SpecError
from sim.report import figures

__all__ = ["write_report"]


def _connect(output: Path) -> duckdb.DuckDBPyConnection:
    if output.is_file():
        return duckdb.connect(str(output), read_only=True)
    if output.is_dir():
        connection = duckdb.connect()
        for folder in sorted(p for p in output.iterdir() if p.is_dir()):
            connection.sql(
                f'create view "{folder.name}" as select * from '
                f"read_parquet('{folder.as_posix()}/*.parquet')"
            )
        return connection
    raise SpecError(f"no run output at '{output}'", hint="a .duckdb file or a Parquet folder")


def _table(connection: duckdb.DuckDBPyConnection, sql: str) -> pa.Table:
    return connection.sql(sql).to_arrow_table()


def _scalar(connection: duckdb.DuckDBPyConnection, sql: str) -> object:
    return connection.sql(sql).fetchall()[0][0]


def _image(title: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img alt="{html.escape(title)}" src="data:image/png;base64,{data}"></figure>'


def _rows(table: pa.Table, columns: list[str]) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
    body = []
    for row in table.select(columns).to_pylist():
        cells = []
        for column in columns:
            value = row[column]
            text = f"{value:.4g}" if isinstance(value, float) else str(value)
            cells.append(f"<td>{html.escape(text)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def write_report(output: str | Path, destination: str | Path) -> Path:
    """Writes the report of the run at ``output`` to ``destination`` (an .html file)."""
    output, destination = Path(output), Path(destination)
    with _connect(output) as connection:
        names = {row[0] for row in connection.sql("show tables").fetchall()}
        for required in ("persons", "events", "run_manifest"):
            if required not in names:
                raise SpecError(f"'{output}' has no {required} table: is it a run's output?")
        manifest = _table(connection, "select * from run_manifest").to_pylist()[0]
        sizes = pa.Table.from_pylist(
            [
                {
                    "table": name,
                    "rows": _scalar(connection, f'select count(*) from "{name}"'),
                }
                for name in sorted(names)
            ]
        )
        persons = _table(connection, "select * from persons")
        events = _table(connection, "select product, event_date from events")
        sections = [
            "<h2>Tables</h2>" + _rows(sizes, ["table", "rows"]),
            "<h2>Persons</h2>" + _image("age pyramid", figures.age_pyramid(persons)),
        ]
        sections += _validation(manifest, persons)
        sections.append(
            "<h2>Events</h2>" + _image("events over time", figures.events_over_time(events))
        )
        days = connection.sql(
            """
            with dx as (select person_id, min(time_days) t from events
                        where event_type = 'diagnosis' group by person_id)
            select min(e.time_days) - dx.t from events e join dx using (person_id)
            where e.event_type = 'fill' and e.time_days >= dx.t group by e.person_id, dx.t
            """
        ).fetchall()
        if days:
            png = figures.diagnosis_to_fill(np.array([d[0] for d in days]))
            sections.append("<h2>Diagnosis to first fill</h2>" + _image("diagnosis to fill", png))
        if "claims" in names:
            allowed = _table(connection, "select allowed_usd from claims")["allowed_usd"]
            if len(allowed):
                png = figures.claim_costs(allowed.to_numpy(zero_copy_only=False))
                sections.append("<h2>Claims</h2>" + _image("claim costs", png))
    title = f"HealthSim run: {manifest['scenario']}"
    facts = (
        f"scenario <b>{html.escape(str(manifest['scenario']))}</b>, {manifest['count']:,} "
        f"(persons or household copies), seed {manifest['seed']}, from "
        f"{manifest['start_date']} for {manifest['horizon_days']:g} days; version "
        f"{html.escape(str(manifest['package_version']))}; scenario hash "
        f"<code>{str(manifest['scenario_hash'])[:16]}</code>"
    )
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1.5rem; }}
td, th {{ border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: right; }}
th {{ background: #f2f2f2; }} img {{ max-width: 100%; }} .fail {{ color: #b00; }}
</style></head><body>
<h1>{html.escape(title)}</h1><p>{facts}</p>
{"".join(sections)}
</body></html>
"""
    destination.parent.mkdir(parents=True, exist_ok=True)
    destination.write_text(page, encoding="utf-8")
    return destination


def _validation(manifest: dict, persons: pa.Table) -> list[str]:
    """The profile's targets against the persons, when the scenario is known and has one."""
    from sim.scenario import load_scenario

    try:
        scenario = load_scenario(str(manifest["scenario"]))
    except SpecError:
        return ["<p>The scenario is not a shipped one: no validation against targets.</p>"]
    if scenario.profile is None or scenario.content_hash() != manifest["scenario_hash"]:
        return ["<p>No profile targets to compare (households, or a changed scenario).</p>"]
    from sim.profiles.validation import validate_population

    report = validate_population(scenario.profile, persons)
    metrics = report.to_arrow()
    passed = sum(1 for m in report.metrics if m.passed)
    columns = ["name", "kind", "target", "actual", "low", "high", "n", "passed"]
    return [
        f"<h2>Profile targets</h2><p>{passed} of {len(report.metrics)} targets met "
        f"(family-wise confidence {report.confidence:.0%}).</p>",
        _image("prevalence against targets", figures.prevalence_against_targets(metrics)),
        _rows(metrics, columns),
    ]
