"""The roster (who is a member, on which plan, in which family) and the ``members`` table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.membersim.benefits import BenefitPlan
from handlers.membersim.coverage import resolve_plans

__all__ = ["MEMBER_SCHEMA", "Roster", "members_table", "roster_of"]

MEMBER_SCHEMA = pa.schema(
    [
        ("member_id", pa.string()),
        ("person_id", pa.string()),
        ("person_index", pa.int64()),
        ("subscriber_id", pa.string()),
        ("household_id", pa.string()),
        ("relationship_code", pa.string()),
        ("plan_label", pa.string()),
        ("plan_id", pa.string()),
        ("plan_name", pa.string()),
        ("plan_type", pa.string()),
        ("coverage_type", pa.string()),
        ("coverage_start_date", pa.date32()),
        ("coverage_end_date", pa.date32()),
    ]
)


@dataclass(frozen=True)
class Roster:
    """The insured persons with a ``member_id``, in persons order; arrays align by row."""

    persons: pa.Table
    person_index: np.ndarray
    member_id: list[str]
    #: the row of each member's subscriber (a member of the same household)
    subscriber_row: np.ndarray
    #: the plan at the start of the run
    plan_id: list[str]
    plans: dict[str, BenefitPlan]

    @property
    def size(self) -> int:
        return len(self.member_id)

    def row_of(self) -> dict[str, int]:
        return {member: row for row, member in enumerate(self.member_id)}


def _column(persons: pa.Table, name: str) -> pa.Array:
    if name in persons.column_names:
        return persons[name].combine_chunks()
    return pa.nulls(persons.num_rows, pa.string())


def roster_of(persons: pa.Table) -> Roster:
    """Persons with a member id and coverage (the uninsured, plan ``None``, are left out)."""
    if "member_id" not in persons.column_names:
        persons = persons.slice(0, 0).append_column("member_id", pa.array([], pa.string()))
    persons = persons.filter(pc.is_valid(persons["member_id"]))
    ages = persons["age"].to_pylist() if "age" in persons.column_names else [99] * len(persons)
    plan_ids, plans = resolve_plans(_column(persons, "plan").to_pylist(), ages)
    insured = np.array([p is not None for p in plan_ids], dtype=bool)
    persons = persons.filter(pa.array(insured))
    member_id = persons["member_id"].to_pylist()
    row = {member: i for i, member in enumerate(member_id)}
    subscribers = _column(persons, "subscriber_id").to_pylist()
    # a subscriber who is not an insured member of the run: the member is their own subscriber
    subscriber_row = np.array(
        [row.get(s, i) if s else i for i, s in enumerate(subscribers)], dtype=np.int64
    )
    return Roster(
        persons=persons,
        person_index=persons["person_index"].to_numpy(),
        member_id=member_id,
        subscriber_row=subscriber_row,
        plan_id=[p for p in plan_ids if p is not None],
        plans=plans,
    )


def members_table(
    roster: Roster, enrollments: pa.Table, plans: Mapping[str, BenefitPlan]
) -> pa.Table:
    """One row per member: identities, the plan held at the end of the run (its last span),
    and the first and last covered days."""
    persons = roster.persons
    by_member = enrollments.group_by("member_id").aggregate(
        [("start_date", "min"), ("end_date", "max")]
    )
    last = _last_plan(enrollments)
    index = pc.index_in(pa.array(roster.member_id, pa.string()), by_member["member_id"])
    plan_id = [last.get(m, p) for m, p in zip(roster.member_id, roster.plan_id, strict=True)]
    held = [plans[p] for p in plan_id]
    columns = {
        "member_id": pa.array(roster.member_id, pa.string()),
        "person_id": persons["person_id"],
        "person_index": persons["person_index"],
        "subscriber_id": pa.array([roster.member_id[r] for r in roster.subscriber_row]),
        "household_id": _column(persons, "household_id"),
        "relationship_code": _column(persons, "relationship_code"),
        "plan_label": _column(persons, "plan"),
        "plan_id": pa.array(plan_id, pa.string()),
        "plan_name": pa.array([p.name for p in held], pa.string()),
        "plan_type": pa.array([p.plan_type for p in held], pa.string()),
        "coverage_type": _column(persons, "coverage_type"),
        "coverage_start_date": pc.take(by_member["start_date_min"], index),
        "coverage_end_date": pc.take(by_member["end_date_max"], index),
    }
    return pa.table(
        {f.name: columns[f.name].cast(f.type) for f in MEMBER_SCHEMA}, schema=MEMBER_SCHEMA
    )


def _last_plan(enrollments: pa.Table) -> dict[str, str]:
    """Each member's plan on their latest span."""
    order = pc.sort_indices(enrollments, [("member_id", "ascending"), ("start_date", "ascending")])
    ordered = enrollments.take(order)
    return dict(zip(ordered["member_id"].to_pylist(), ordered["plan_id"].to_pylist(), strict=True))
