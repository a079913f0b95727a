"""The roster (who is a member, on which plan, in which family) and the ``members`` table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.membersim.benefits import BenefitPlan
from handlers.membersim.coverage import resolve_plans
from handlers.membersim.distinct import per_distinct

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
    has_id = pc.is_valid(persons["member_id"])
    labels = _column(persons, "plan").filter(has_id)
    if "age" in persons.column_names:
        ages = persons["age"].filter(has_id)
    else:
        ages = pa.array(np.full(len(labels), 99))
    # the plan follows from the label and the age: resolved once per pair
    pairs, pair_of = per_distinct(lambda label, age: (label, age), labels, ages)
    pair_plans, plans = resolve_plans([label for label, _ in pairs], [age for _, age in pairs])
    plan_ids = [pair_plans[pair] for pair in pair_of.tolist()]
    insured = np.array([p is not None for p in plan_ids], dtype=bool)
    keep = np.zeros(persons.num_rows, dtype=bool)
    keep[np.flatnonzero(has_id.to_numpy(zero_copy_only=False))] = insured
    persons = persons.filter(pa.array(keep))
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
    member_ids = pa.array(roster.member_id, pa.string())
    first, last, last_span = _span_extent(enrollments, member_ids)
    spans = last_span >= 0
    last_plan = enrollments["plan_id"].to_numpy(zero_copy_only=False)[last_span[spans]]
    plan_id = np.array(roster.plan_id, dtype=object)
    plan_id[spans] = last_plan
    held = [plans[p] for p in plan_id.tolist()]
    columns = {
        "member_id": member_ids,
        "person_id": persons["person_id"],
        "person_index": persons["person_index"],
        "subscriber_id": member_ids.take(pa.array(roster.subscriber_row)),
        "household_id": _column(persons, "household_id"),
        "relationship_code": _column(persons, "relationship_code"),
        "plan_label": _column(persons, "plan"),
        "plan_id": pa.array(plan_id, pa.string()),
        "plan_name": pa.array([p.name for p in held], pa.string()),
        "plan_type": pa.array([p.plan_type for p in held], pa.string()),
        "coverage_type": _column(persons, "coverage_type"),
        "coverage_start_date": first,
        "coverage_end_date": last,
    }
    return pa.table(
        {f.name: columns[f.name].cast(f.type) for f in MEMBER_SCHEMA}, schema=MEMBER_SCHEMA
    )


def _span_extent(
    enrollments: pa.Table, member_ids: pa.Array
) -> tuple[pa.Array, pa.Array, np.ndarray]:
    """Per member: the first covered day, the last, and the row of the span that starts last
    (of those starting the same day, the last in ``enrollments``); null and -1 without spans."""
    member = pc.index_in(enrollments["member_id"], value_set=member_ids)
    row = np.flatnonzero(pc.is_valid(member).to_numpy(zero_copy_only=False))
    member = member.to_numpy(zero_copy_only=False)[row].astype(np.int64)
    start = enrollments["start_date"].to_numpy()[row]
    end = enrollments["end_date"].to_numpy()[row]
    order = np.lexsort((start, member))
    member, row, start, end = member[order], row[order], start[order], end[order]
    is_first = np.ones(member.size, dtype=bool)
    is_first[1:] = member[1:] != member[:-1]
    firsts = np.flatnonzero(is_first)
    lasts = np.r_[firsts[1:], member.size] - 1
    covered = np.zeros(len(member_ids), dtype=bool)
    covered[member[firsts]] = True
    first_day = np.zeros(len(member_ids), dtype="datetime64[D]")
    last_day = np.zeros(len(member_ids), dtype="datetime64[D]")
    last_span = np.full(len(member_ids), -1, dtype=np.int64)
    first_day[member[firsts]] = start[firsts]
    if firsts.size:
        last_day[member[firsts]] = np.maximum.reduceat(end, firsts)
    last_span[member[firsts]] = row[lasts]
    return (
        pa.array(first_day, pa.date32(), mask=~covered),
        pa.array(last_day, pa.date32(), mask=~covered),
        last_span,
    )
