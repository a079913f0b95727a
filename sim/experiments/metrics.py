"""Metrics: one number per run, computed with DuckDB SQL over the run's Arrow tables.

Built-ins are named SQL queries; a metric that needs a table the run does not have (e.g.
``claims`` without membersim) is an error naming it.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping

import duckdb
import pyarrow as pa

from sim.errors import SpecError, did_you_mean
from sim.experiments.spec import MetricSpec

__all__ = ["BUILTINS", "evaluate_metric"]

#: name -> (SQL over the run's tables, unit, what it measures)
BUILTINS: dict[str, tuple[str, str, str]] = {
    "days_diagnosis_to_first_fill": (
        """
        with dx as (select person_id, min(time_days) t from events
                    where event_type = 'diagnosis' group by person_id),
             fill as (select e.person_id, min(e.time_days) t from events e join dx using (person_id)
                      where e.event_type = 'fill' and e.time_days >= dx.t group by e.person_id)
        select avg(fill.t - dx.t) from dx join fill using (person_id)
        """,
        "days",
        "mean days from a person's first diagnosis to their first fill after it",
    ),
    "days_to_follow_up": (
        """
        with visits as (select person_id, time_days,
                          row_number() over (partition by person_id order by time_days) n
                        from events where event_type = 'encounter')
        select avg(b.time_days - a.time_days) from visits a join visits b
          on a.person_id = b.person_id and a.n = 1 and b.n = 2
        """,
        "days",
        "mean days from a person's first visit to their second",
    ),
    "resource_wait_days": (
        """
        select avg(cast(json_extract(parameters, '$.wait_days') as double)) from events
        where json_extract(parameters, '$.wait_days') is not null
        """,
        "days",
        "mean wait for a shared resource (events that waited for one)",
    ),
    "share_with_care_gap": (
        """
        select count(distinct e.person_id) filter (where e.event_type = 'gap_identified')
               / (select count(*) from persons)::double
        from events e
        """,
        "share",
        "share of persons with a gap in care flagged",
    ),
    "mean_pdc": (
        "select avg(pdc) from adherence",
        "share",
        "mean proportion of days covered over members and drug classes (rxmembersim)",
    ),
    "share_non_adherent": (
        "select avg(case when adherent then 0 else 1 end) from adherence",
        "share",
        "share of member-drug classes with PDC below 0.8 (rxmembersim)",
    ),
    "claim_lag_days": (
        "select avg(paid_date - service_date) from claims where status = 'paid'",
        "days",
        "mean days from service to payment of paid medical claims (membersim)",
    ),
    "cost_pmpm": (
        """
        select sum(allowed_usd) / (select sum(end_date - start_date + 1) / 30.4375
                                   from enrollments)
        from claims
        """,
        "USD",
        "allowed medical cost per member per month (membersim)",
    ),
    "events_per_person": (
        "select (select count(*) from events) / (select count(*) from persons)::double",
        "events",
        "events per person",
    ),
}


def evaluate_metric(name: str, metric: MetricSpec, tables: Mapping[str, pa.Table]) -> float:
    if metric.python is not None:
        value = _python(metric.python, name)(tables)
    else:
        sql = metric.sql
        if metric.builtin is not None:
            if metric.builtin not in BUILTINS:
                raise SpecError(
                    f"unknown built-in metric '{metric.builtin}'",
                    path=("metrics", name, "builtin"),
                    hint=did_you_mean(metric.builtin, BUILTINS) or ", ".join(BUILTINS),
                )
            sql = BUILTINS[metric.builtin][0]
        value = _sql(str(sql), tables, name)
    return math.nan if value is None else float(value)


def _sql(sql: str, tables: Mapping[str, pa.Table], name: str) -> object:
    # one thread: a parallel float sum depends on how rows split between threads, and a
    # metric must be the same number for the same run
    with duckdb.connect(config={"threads": 1}) as connection:
        for table_name, table in tables.items():
            connection.register(table_name, table)
        try:
            row = connection.execute(sql).fetchone()
        except duckdb.Error as error:
            raise SpecError(
                f"the query failed: {str(error).splitlines()[0]}",
                path=("metrics", name),
                hint=f"tables: {', '.join(tables)}",
            ) from None
    return None if row is None else row[0]


def _python(reference: str, name: str) -> Callable[[Mapping[str, pa.Table]], float]:
    module_name, _, function_name = reference.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), function_name)
    except (ImportError, AttributeError, ValueError):
        raise SpecError(
            f"cannot import '{reference}' (write module:function)", path=("metrics", name)
        ) from None
    return function
