"""The output tables: descriptions from ``sim/output/columns.yaml`` (with the core comments of
``duckdb_schema``), types from small runs of every shipped scenario and of an experiment."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from docs_reference.markdown import GENERATED, code, escaped, table

if TYPE_CHECKING:
    from sim.scenario.loader import Scenario

#: persons per run: enough for every table of the shipped scenarios to have its columns
COUNT = 20
SEED = 1
PRODUCTS = {
    "core": ("Core tables", "Every run writes these."),
    "patientsim": ("PatientSim", "When the run has PatientSim ([guide](../patientsim.md))."),
    "membersim": ("MemberSim", "When the run has MemberSim ([guide](../membersim.md))."),
    "rxmembersim": (
        "RxMemberSim",
        "When the run has RxMemberSim ([guide](../rxmembersim.md)).",
    ),
    "trialsim": ("TrialSim", "When the run has a trial ([guide](../trialsim.md))."),
    "experiments": (
        "Experiment results",
        "`healthsim experiment` writes these to `results.duckdb` ([guide](../experiments.md)).",
    ),
}
#: a small experiment whose results have every column
EXPERIMENT = {
    "id": "reference",
    "scenario": "medicare-diabetic",
    "count": 5,
    "replications": 2,
    "seed": SEED,
    "variants": {"shorter": {"set": ["horizon_days=180"]}},
    "metrics": {"events": {"builtin": "events_per_person"}},
}


@dataclass
class Observed:
    """What the runs wrote: table -> column -> Arrow types, and the names a spec gave."""

    types: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    #: scenario -> persons columns its profile or households name (attributes, labs)
    spec_columns: dict[str, set[str]] = field(default_factory=dict)
    #: scenario -> its tables
    tables: dict[str, dict[str, pa.Table]] = field(default_factory=dict)

    def add(self, tables: Mapping[str, pa.Table]) -> None:
        for name, data in tables.items():
            columns = self.types.setdefault(name, {})
            for column in data.schema:
                columns.setdefault(column.name, set()).add(arrow_type(column.type))


def arrow_type(kind: pa.DataType) -> str:
    if pa.types.is_date32(kind):
        return "date"
    if pa.types.is_timestamp(kind):
        return "timestamp"
    if pa.types.is_list(kind):
        return f"list<{arrow_type(kind.value_type)}>"
    return str(kind)


def spec_column_names(scenario: Scenario) -> set[str]:
    """Persons columns a spec names freely: profile attributes and labs, member attributes."""
    names: set[str] = set()
    if scenario.profile is not None:
        spec = scenario.profile.spec
        names |= set(spec.attributes) | set(spec.clinical.labs)
    for household in scenario.spec.households or []:
        for member in household.members:
            names |= set(member.attributes)
    return names


@cache
def observe() -> Observed:
    """Runs every shipped scenario (and a small experiment) in memory."""
    import sim
    from sim.experiments import run_experiment
    from sim.specio import shipped_names

    observed = Observed()
    for name in shipped_names("scenarios"):
        result = sim.run(name, COUNT, seed=SEED, workers=1)
        observed.add(result.tables)
        observed.tables[name] = result.tables
        observed.spec_columns[name] = spec_column_names(sim.load_scenario(name))
    experiment = run_experiment(EXPERIMENT)
    observed.add({"experiment_raw": experiment.raw, "experiment_summary": experiment.summary})
    return observed


def undescribed(observed: Observed) -> list[str]:
    """``table.column`` of every column a run wrote that nothing describes."""
    from sim.output.columns import table_docs

    docs = table_docs()
    missing = []
    for name, columns in observed.types.items():
        doc = docs.get(name)
        for column in columns:
            entry = doc.column(column) if doc is not None else None
            free = name == "persons" and any(column in s for s in observed.spec_columns.values())
            if (entry is None or not entry.description) and not free:
                missing.append(f"{name}.{column}")
    return sorted(missing)


def _table_section(name: str, observed: Observed) -> str:
    from sim.output.columns import table_docs
    from sim.output.duckdb_schema import PRIMARY_KEYS

    doc = table_docs()[name]
    parts = [f"### {name}", _sentence(doc.description)]
    if name in PRIMARY_KEYS:
        parts.append(f"Primary key: {code(PRIMARY_KEYS[name])}.")
    types = observed.types.get(name, {})
    rows = []
    for column in doc.columns:
        kinds = [column.type] if column.type else sorted(types.get(column.name, ()))
        rows.append((code(column.name), ", ".join(map(code, kinds)), column.description))
    parts.append(table(("column", "type", "description"), rows))
    return "\n\n".join(parts)


def _sentence(text: str) -> str:
    return escaped(text if text.endswith(".") else f"{text}.")


def _view_sections(observed: Observed) -> list[str]:
    from sim.output.columns import view_docs
    from sim.output.duckdb_schema import VIEWS

    tables = observed.tables["medicare-diabetic"]
    connection = duckdb.connect()
    for name, data in tables.items():
        connection.register(name, data)
    sections = []
    for name, doc in view_docs().items():
        needs, sql = VIEWS[name]
        connection.execute(f'CREATE VIEW "{name}" AS {sql}')
        described = connection.sql(f'DESCRIBE "{name}"').fetchall()
        kinds = {row[0]: row[1].lower() for row in described}
        rows = [(code(c.name), code(kinds[c.name]), c.description) for c in doc.columns]
        sql_text = textwrap.dedent(sql).strip()
        parts = [
            f"### {name}",
            f"{_sentence(doc.description)} From {', '.join(code(n) for n in needs)}.",
            table(("column", "type", "description"), rows),
            f"```sql\n{sql_text}\n```",
        ]
        sections.append("\n\n".join(parts))
    connection.close()
    return sections


def tables_page() -> str:
    from sim.output.columns import table_docs

    observed = observe()
    header = [
        "# Output tables",
        GENERATED,
        "A run writes the tables of the products it has, to a DuckDB file (the default), a "
        "Parquet folder or a CSV folder ([running scenarios](../running.md)). Types are the "
        "Arrow types of the written data (Parquet keeps them; DuckDB maps them to its own). "
        "The DuckDB output also carries these descriptions as comments "
        "(`select table_name, column_name, comment from duckdb_columns()`), primary keys on "
        "the one-row-per-entity tables and the views at the end of this page.",
        "A column name in angle brackets is a family of columns that a spec names: "
        "`has_<code>` is one column per condition of the profile.",
    ]
    sections = []
    for product, (title, intro) in PRODUCTS.items():
        names = [name for name, doc in table_docs().items() if doc.product == product]
        sections.append(f"## {title}\n\n{intro}")
        sections += [_table_section(name, observed) for name in names]
    sections.append("## Views\n\nIn a DuckDB output, when the tables they read are there.")
    sections += _view_sections(observed)
    return "\n\n".join([*header, *sections]) + "\n"
