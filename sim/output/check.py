"""``check_output``: integrity rules over a run's output (``healthsim check OUT``).

Every rule is one SQL query that gives each checked item a verdict (``ok``) and a text naming
it (``example``); the report keeps, per rule, how many items were checked, how many failed and
the first failures in order. A rule whose tables the output lacks (a run without MemberSim has
no claims) is skipped, except the manifest, which every run writes. Queries run in DuckDB on
the output itself, so a large output is checked without loading it into memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from sim.errors import SpecError
from sim.output.sinks import bounded_duckdb, duckdb_interrupts

__all__ = ["CheckReport", "RuleResult", "check_output", "check_tables", "format_report"]

EXAMPLES = 5


@dataclass(frozen=True)
class RuleResult:
    """One rule's outcome: the items it ``checked`` and how many ``failures``."""

    rule: str
    checked: int
    failures: int
    #: the first failures (up to ``EXAMPLES``), sorted
    examples: tuple[str, ...]


@dataclass(frozen=True)
class CheckReport:
    """The outcome of every rule that applies to an output (``results``), and the rules
    ``skipped`` because the output lacks their tables."""

    results: tuple[RuleResult, ...]
    #: rules not applicable to this output, with the tables they need
    skipped: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    @property
    def passed(self) -> bool:
        return all(result.failures == 0 for result in self.results)

    def result(self, rule: str) -> RuleResult:
        """The outcome of the rule named ``rule``."""
        return next(result for result in self.results if result.rule == rule)

    @property
    def summary(self) -> str:
        """One line: ``49/49 rules passed``, or the failed rules with their failure counts."""
        failed = [result for result in self.results if result.failures]
        line = f"{len(self.results) - len(failed)}/{len(self.results)} rules passed"
        if failed:
            line += "; failed: " + ", ".join(f"{r.rule} ({r.failures:,})" for r in failed)
        return line


@dataclass(frozen=True)
class _Rule:
    name: str
    tables: tuple[str, ...]
    #: a query with columns ``ok`` (BOOLEAN) and ``example`` (VARCHAR), a row per item
    sql: str


def _reference(table: str, column: str, target: str, item: str, item_id: str, noun: str) -> _Rule:
    """The rule that every row's ``column`` is one of ``target``'s (a claim's member is a
    member): each failure reads ``<item> <id>: <noun> <value> not in <target>``."""
    return _Rule(
        f"{table}.{column} in {target}",
        (table, target),
        f"""SELECT t.{column} IS NOT NULL,
                   '{item} ' || s.{item_id} || ': {noun} ' || s.{column} || ' not in {target}'
            FROM {table} s LEFT JOIN (SELECT DISTINCT {column} FROM {target}) t
              ON t.{column} = s.{column}""",
    )


_RULES = (
    _reference("claims", "member_id", "members", "claim", "claim_id", "member"),
    _reference("fills", "rx_member_id", "rx_members", "fill", "fill_id", "rx member"),
    _reference("pharmacy_claims", "fill_id", "fills", "pharmacy claim", "claim_id", "fill"),
    _Rule(
        # a first fill is caused by the prescription (a medication order event); refills are
        # the journeys' own events and name no order
        "a prescribed fill matches its medication order",
        ("fills", "events", "medication_orders"),
        """SELECT m.person_id IS NOT DISTINCT FROM f.person_id AND m.rxnorm = f.rxnorm,
                  'fill ' || f.fill_id || ' (' || f.person_id || ', RxNorm ' || f.rxnorm
                  || '): ' || coalesce('order ' || m.order_id || ' is ' || m.person_id
                                       || ', RxNorm ' || m.rxnorm,
                                       'no medication order for ' || f.caused_by)
           FROM fills f
           JOIN events o ON o.event_id = f.caused_by AND o.event_type = 'medication_order'
           LEFT JOIN medication_orders m ON m.event_id = f.caused_by""",
    ),
    _reference("events", "person_id", "persons", "event", "event_id", "person"),
    _Rule(
        "caused_by is an event of the same person",
        ("events",),
        """SELECT c.person_id IS NOT DISTINCT FROM e.person_id,
                  'event ' || e.event_id || ' of ' || e.person_id || ': caused_by '
                  || e.caused_by || coalesce(' is an event of ' || c.person_id,
                                             ' is no event')
           FROM events e LEFT JOIN events c ON c.event_id = e.caused_by
           WHERE e.caused_by IS NOT NULL""",
    ),
    _Rule(
        "no event before the person's birth date",
        ("events", "persons"),
        """SELECT e.event_date >= p.birth_date,
                  'event ' || e.event_id || ' on ' || e.event_date || ': ' || p.person_id
                  || ' born ' || p.birth_date
           FROM events e JOIN persons p ON p.person_id = e.person_id""",
    ),
    _Rule(
        # death is a grade 5 adverse event of a trial: the subject's study ends that day
        "no event after a trial subject's death",
        ("events", "trial_subjects"),
        """SELECT e.event_date <= s.end_of_study_date,
                  'event ' || e.event_id || ' on ' || e.event_date || ': ' || e.person_id
                  || ' died ' || s.end_of_study_date
           FROM events e JOIN trial_subjects s ON s.person_id = e.person_id
           WHERE s.status = 'died'""",
    ),
    _Rule(
        "no observation effective before its order",
        ("observations",),
        """SELECT effective_datetime >= ordered_datetime,
                  'observation ' || observation_id || ': effective ' || effective_datetime
                  || ', ordered ' || ordered_datetime
           FROM observations WHERE ordered_datetime IS NOT NULL""",
    ),
    _Rule(
        "claim service dates inside the member's spans of its plan",
        ("claims", "enrollments"),
        """SELECT (c.status = 'denied' AND c.denial_code IN ('PR-26', 'PR-27'))
                  OR EXISTS (SELECT 1 FROM enrollments s
                             WHERE s.member_id = c.member_id AND s.plan_id = c.plan_id
                               AND c.service_date BETWEEN s.start_date AND s.end_date),
                  'claim ' || c.claim_id || ': service ' || c.service_date || ' ('
                  || c.status || ') outside the spans of ' || c.member_id || ' on '
                  || c.plan_id
           FROM claims c""",
    ),
    _Rule(
        "trial visits inside their windows",
        ("trial_visits",),
        """SELECT abs(actual_day - planned_day) <= window_days,
                  'visit ' || subject_id || ' ' || visit_name || ': day ' || actual_day
                  || ', planned ' || planned_day || ' +- ' || window_days
           FROM trial_visits
           WHERE actual_day IS NOT NULL AND planned_day IS NOT NULL
             AND window_days IS NOT NULL""",
    ),
    _Rule(
        "allowed = paid + member cost share (cents)",
        ("claims",),
        """SELECT round(allowed_usd * 100) = round(paid_usd * 100)
                                             + round(member_cost_share_usd * 100),
                  'claim ' || claim_id || ': allowed ' || allowed_usd || ', paid '
                  || paid_usd || ' + member ' || member_cost_share_usd
           FROM claims""",
    ),
    _Rule(
        "run_manifest: one row with seed and scenario hash",
        ("run_manifest",),
        """SELECT count(*) = 1 AND count(seed) = count(*)
                  AND count(nullif(scenario_hash, '')) = count(*),
                  'run_manifest: ' || count(*) || ' rows, ' || count(seed) || ' seeds, '
                  || count(nullif(scenario_hash, '')) || ' scenario hashes'
           FROM run_manifest""",
    ),
)
_ALWAYS = {"run_manifest"}


def check_output(source: str | Path | Mapping[str, pa.Table]) -> CheckReport:
    """Checks a run's output: a DuckDB file, a Parquet folder (a dataset per table) or
    in-memory tables (``result.tables``)."""
    with tempfile.TemporaryDirectory(prefix="healthsim-check-") as spill:
        connection, names = _open(source, Path(spill))
        try:
            return check_tables(connection, names)
        finally:
            connection.close()


def check_tables(connection: duckdb.DuckDBPyConnection, names: Iterable[str]) -> CheckReport:
    """The rules over the tables ``names`` that ``connection`` can query (a run checks its
    output this way before moving it into place)."""
    names = set(names)
    results = []
    skipped = []
    with duckdb_interrupts():
        for rule in _RULES:
            missing = [table for table in rule.tables if table not in names]
            if missing and not set(missing) & _ALWAYS:
                skipped.append((rule.name, rule.tables))
            elif missing:
                results.append(RuleResult(rule.name, 0, 1, (f"table {missing[0]} missing",)))
            else:
                results.append(_apply(connection, rule))
    return CheckReport(tuple(results), tuple(skipped))


def _apply(connection: duckdb.DuckDBPyConnection, rule: _Rule) -> RuleResult:
    [(checked, failures, examples)] = connection.sql(
        f"""SELECT count(*), count(*) FILTER (WHERE NOT coalesce(ok, false)),
                   list(example ORDER BY example) FILTER (WHERE NOT coalesce(ok, false))
            FROM (SELECT * FROM ({rule.sql}) AS verdicts(ok, example))"""
    ).fetchall()
    return RuleResult(rule.name, checked, failures, tuple((examples or [])[:EXAMPLES]))


def _open(
    source: str | Path | Mapping[str, pa.Table], spill: Path
) -> tuple[duckdb.DuckDBPyConnection, set[str]]:
    if isinstance(source, Mapping):
        connection = duckdb.connect()
        for name, table in source.items():
            connection.register(name, table)
        return connection, set(source)
    path = Path(source)
    if path.is_file():
        try:
            connection = bounded_duckdb(str(path), spill, read_only=True)
        except duckdb.Error as error:
            raise SpecError(f"'{path}' is not a DuckDB file ({error})", path=("out",)) from None
        names = {row[0] for row in connection.execute("SHOW TABLES").fetchall()}
        return connection, names
    if path.is_dir():
        datasets = sorted(p for p in path.iterdir() if p.is_dir() and any(p.glob("*.parquet")))
        if not datasets:
            raise SpecError(
                f"'{path}' has no Parquet datasets",
                path=("out",),
                hint="check a DuckDB file or a Parquet folder; CSV outputs are not checked",
            )
        connection = bounded_duckdb(":memory:", spill)
        for dataset in datasets:
            pattern = str(dataset / "*.parquet").replace("'", "''")
            connection.execute(
                f"CREATE VIEW \"{dataset.name}\" AS SELECT * FROM read_parquet('{pattern}')"
            )
        return connection, {dataset.name for dataset in datasets}
    raise SpecError(f"'{path}' does not exist", path=("out",))


def format_report(report: CheckReport) -> str:
    """The report as text, a line per rule and its examples below it."""
    lines = []
    for result in report.results:
        verdict = "ok" if result.failures == 0 else f"{result.failures:,} FAILED"
        lines.append(f"{verdict:>12}  {result.rule} ({result.checked:,} checked)")
        lines += [f"{'':14}{example}" for example in result.examples]
    lines += [
        f"{'skipped':>12}  {rule} (needs {', '.join(tables)})" for rule, tables in report.skipped
    ]
    lines.append(report.summary.split(";")[0])
    return "\n".join(lines)
