"""What a DuckDB output gets beyond its tables: primary keys on the one-row-per-entity tables,
comments on the tables, views and columns (the core ones below, the others from
``columns.yaml``), and views for common questions.

Keys are added after the data (DuckDB checks them then: a duplicate id fails the run instead
of landing quietly). DuckDB cannot add foreign keys to existing tables; ``healthsim check``
verifies the references instead. Large event-level tables get no index, which would cost
memory in proportion to their size.
"""

from __future__ import annotations

import duckdb

from sim.output.columns import TableDoc, table_docs, view_docs

__all__ = ["COMMENTS", "PRIMARY_KEYS", "VIEWS", "finish_duckdb"]

PRIMARY_KEYS = {
    "persons": "person_id",
    "patients": "patient_id",
    "members": "member_id",
    "rx_members": "rx_member_id",
    "trial_subjects": "subject_id",
    "claims": "claim_id",
}

COMMENTS = {
    "persons": {
        None: "One row per simulated person, with the ids of every product the run enables",
        "person_id": "Stable id of the person (P + person index)",
        "person_index": "Index of the person in the run: person i is the same in any run size",
        "birth_date": "Drawn among the dates that give exactly the age on the reference date",
        "age": "Age in whole years on the scenario's reference date",
        "county_fips": "5-digit county FIPS code",
    },
    "events": {
        None: "Every event of the run: journey events and the events triggers caused",
        "event_id": "<person_id>-<sequence>: sequence is the order of the person's events",
        "time_days": "Days since the scenario's start date (simulation time)",
        "event_date": "start_date + floor(time_days)",
        "definition_id": "The journey event definition, or the trigger that caused the event",
        "caused_by": "The event_id of the event that caused this one (null for journey events)",
        "parameters": "The event's parameters as JSON text (keys sorted)",
    },
    "run_manifest": {
        None: "One row: scenario, its content hash, seed, count, version; created_at is the "
        "only wall-clock value of a run",
        "check_passed": "Whether every integrity rule of healthsim check passed on this output "
        "(null when the check did not run)",
        "check_summary": "Rules passed, and each failed rule with its failure count",
    },
}

# Views are read in row order and their sums must not depend on DuckDB's threads: every view
# has a full ORDER BY, and money is summed as exact decimals (amounts are whole cents).
VIEWS = {
    # member months: covered months per member and month, from the enrollment spans
    "member_months": (
        ("enrollments",),
        """
        select member_id, plan_id, month, count(*) as covered_days
        from (select member_id, plan_id,
                     date_trunc('month', unnest(generate_series(start_date, end_date,
                                                                interval 1 day))) as month
              from enrollments)
        group by all order by member_id, plan_id, month
        """,
    ),
    "claims_by_month": (
        ("claims",),
        """
        select date_trunc('month', service_date) as month, claim_type, status,
               count(*) as claims, sum(billed_usd::decimal(18, 2))::double as billed_usd,
               sum(allowed_usd::decimal(18, 2))::double as allowed_usd,
               sum(paid_usd::decimal(18, 2))::double as paid_usd
        from claims group by all order by month, claim_type, status
        """,
    ),
    "pmpm_cost": (
        ("claims", "enrollments"),
        """
        with months as (select sum(end_date - start_date + 1) / 30.4375 as member_months
                        from enrollments)
        select sum(allowed_usd::decimal(18, 2))::double / any_value(member_months)
                   as allowed_pmpm_usd,
               sum(paid_usd::decimal(18, 2))::double / any_value(member_months) as paid_pmpm_usd,
               any_value(member_months) as member_months
        from claims, months
        """,
    ),
}


def finish_duckdb(connection: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    for table, column in PRIMARY_KEYS.items():
        if table in tables:
            connection.execute(f'ALTER TABLE "{table}" ADD PRIMARY KEY ("{column}")')
    views = [view for view, (needs, _) in VIEWS.items() if set(needs) <= tables]
    for view in views:
        connection.execute(f'CREATE VIEW "{view}" AS {VIEWS[view][1]}')
    documented = [(table_docs().get(name), "TABLE", name) for name in sorted(tables)]
    documented += [(view_docs().get(name), "VIEW", name) for name in views]
    # one transaction: a statement each would commit (and sync the file) hundreds of times
    connection.execute("BEGIN TRANSACTION")
    for doc, kind, name in documented:
        if doc is not None:
            _comment(connection, doc, kind, name)
    connection.execute("COMMIT")


def _comment(connection: duckdb.DuckDBPyConnection, doc: TableDoc, kind: str, name: str) -> None:
    connection.execute(f'COMMENT ON {kind} "{name}" IS {_quoted(doc.description)}')
    for (column,) in connection.sql(f'SELECT column_name FROM (DESCRIBE "{name}")').fetchall():
        entry = doc.column(column)
        if entry is not None:
            text = _quoted(entry.description)
            connection.execute(f'COMMENT ON COLUMN "{name}"."{column}" IS {text}')


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
