"""``enrollments``: coverage spans, from the member's plan and the MemberSim enrollment events.

Without enrollment events a member is covered for the whole horizon on the plan of the
persons table (coverage already in force when the run starts). The events that change coverage,
in time order (docs/membersim.md has the rules):

- ``new_enrollment``: a member not covered starts a span that day (the first event being a
  new enrollment means the person joins during the run); ``enrollment_type: COBRA`` after a
  termination continues the terminated plan from the day after it ended (COBRA coverage is
  retroactive, 29 U.S.C. 1162) for at most 18 months; for a covered member it makes a pending
  plan change effective.
- ``plan_change``: the member moves to ``parameters.plan_id``, or to another plan of the same
  market (Medicare, employer, Marketplace), drawn per event; it takes effect at the next
  ``new_enrollment`` (the effective date) if one follows, otherwise that day.
- ``termination``: the span ends that day (the last covered day).

A subscriber's events apply to the dependents of the household too; a dependent's own events
only to the dependent. ``eligibility``, ``cobra_notice`` and ``auto_renewal`` leave spans as
they are.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.base import HandlerContext, events_of
from handlers.membersim.benefits import BenefitPlan
from handlers.membersim.coverage import choose, load_plan, market_of
from handlers.membersim.draws import row_uniforms
from handlers.membersim.members import Roster

__all__ = ["COBRA_MAX_MONTHS", "ENROLLMENT_SCHEMA", "ENROLLMENT_STREAM", "enrollments"]

#: context.rng("membersim", ENROLLMENT_STREAM, block): plan choices at plan changes
ENROLLMENT_STREAM = 1
#: COBRA continuation after a termination of employment (29 U.S.C. 1162(2)(A)(i))
COBRA_MAX_MONTHS = 18
_COVERAGE_EVENTS = ("new_enrollment", "plan_change", "termination")

ENROLLMENT_SCHEMA = pa.schema(
    [
        ("enrollment_id", pa.string()),
        ("member_id", pa.string()),
        ("person_id", pa.string()),
        ("subscriber_id", pa.string()),
        ("plan_id", pa.string()),
        ("plan_type", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("reason", pa.string()),
        ("reason_detail", pa.string()),
        ("end_reason", pa.string()),
        ("end_reason_detail", pa.string()),
        ("start_event_id", pa.string()),
        ("end_event_id", pa.string()),
    ]
)


@dataclass
class _Span:
    plan_id: str
    start: dt.date
    reason: str
    reason_detail: str | None = None
    start_event_id: str | None = None
    end: dt.date | None = None
    end_reason: str = "horizon_end"
    end_reason_detail: str | None = None
    end_event_id: str | None = None


@dataclass(frozen=True)
class _Event:
    event_id: str
    definition_id: str
    event_type: str
    date: dt.date
    parameters: dict
    #: the plan-change draw (row uniform of the event's owner)
    u: float


@dataclass
class _Member:
    """One member's coverage while their events are applied in order."""

    plan_id: str
    spans: list[_Span] = field(default_factory=list)
    current: _Span | None = None
    pending: tuple[str, str | None, str] | None = None  # plan, change reason, event id
    terminated: _Span | None = None

    def open(self, span: _Span) -> None:
        self.current, self.plan_id, self.pending = span, span.plan_id, None
        self.spans.append(span)

    def close(self, last_day: dt.date, reason: str, detail: str | None, event_id: str) -> None:
        span = self.current
        assert span is not None
        if last_day < span.start:  # replaced on its first day: no span at all
            self.spans.remove(span)
        else:
            span.end, span.end_reason = last_day, reason
            span.end_reason_detail, span.end_event_id = detail, event_id
        self.current = None

    def switch(self, plan_id: str, day: dt.date, detail: str | None, event_id: str) -> None:
        self.close(day - dt.timedelta(days=1), "plan_change", detail, event_id)
        self.open(_Span(plan_id, day, "plan_change", detail, event_id))


def enrollments(
    events: pa.Table, roster: Roster, context: HandlerContext
) -> tuple[pa.Table, dict[str, BenefitPlan]]:
    """The spans of every member, and the plans they use (the roster's plus any changed to)."""
    horizon_end = context.start_date + dt.timedelta(days=math.ceil(context.horizon_days) - 1)
    plans = dict(roster.plans)
    own = _events_by_owner(events, roster, context)
    # members with no coverage event, their own or their subscriber's: one span, built at once
    changed = np.zeros(roster.size, dtype=bool)
    changed[list(own)] = True
    changed |= changed[roster.subscriber_row]
    rows: list[tuple[int, _Span]] = []
    for row in np.flatnonzero(changed).tolist():
        applied = own.get(row, [])
        subscriber = int(roster.subscriber_row[row])
        if subscriber != row:
            applied = sorted(own.get(subscriber, []) + applied, key=lambda e: e.date)
        member = _Member(roster.plan_id[row])
        if not applied or not _joins_during_run(applied[0]):
            member.open(_Span(roster.plan_id[row], context.start_date, "in_force"))
        for i, event in enumerate(applied):
            _apply(member, event, applied[i + 1 :], plans)
        if member.current is not None:
            _end_at_horizon(member.current, horizon_end)
        rows.extend((row, span) for span in member.spans)
    unchanged = np.flatnonzero(~changed)
    table = pa.concat_tables(
        [
            _in_force_table(unchanged, roster, plans, context.start_date, horizon_end),
            _table(rows, roster, plans),
        ]
    )
    rank = pc.index_in(table["member_id"], value_set=pa.array(roster.member_id, pa.string()))
    rank = rank.to_numpy()
    start = table["start_date"].cast(pa.int32()).to_numpy()
    return table.take(pa.array(np.lexsort((start, rank)))), plans


def _joins_during_run(first: _Event) -> bool:
    kind = first.parameters.get("enrollment_type")
    return first.event_type == "new_enrollment" and kind not in ("renewal", "COBRA")


def _apply(member: _Member, event: _Event, later: list[_Event], plans: dict) -> None:
    day = event.date
    if event.event_type == "new_enrollment":
        kind = event.parameters.get("enrollment_type")
        if member.current is None:
            if kind == "COBRA" and member.terminated is not None:
                ended = member.terminated
                start = ended.end + dt.timedelta(days=1)  # type: ignore[operator]
                member.open(_Span(ended.plan_id, start, "cobra", kind, event.event_id))
            else:
                plan_id = member.pending[0] if member.pending else member.plan_id
                member.open(_Span(plan_id, day, "new_enrollment", kind, event.event_id))
        elif member.pending is not None:
            plan_id, detail, _ = member.pending
            member.switch(plan_id, day, detail, event.event_id)
    elif event.event_type == "plan_change":
        detail = event.parameters.get("change_reason")
        plan_id = _new_plan(member.plan_id, event, plans)
        effective_later = bool(later) and later[0].event_type == "new_enrollment"
        if member.current is None or effective_later:
            member.pending = (plan_id, detail, event.event_id)
        else:
            member.switch(plan_id, day, detail, event.event_id)
    elif member.current is not None:  # termination
        span = member.current
        member.close(day, "termination", event.parameters.get("reason"), event.event_id)
        member.terminated, member.pending = span, None


def _new_plan(current: str, event: _Event, plans: dict[str, BenefitPlan]) -> str:
    named = event.parameters.get("plan_id")
    if named is not None:
        path = ("events", event.definition_id, "parameters", "plan_id")
        plan = load_plan(str(named), path=path)
        plans.setdefault(plan.id, plan)
        return plan.id
    options = market_of(current)
    if not options:
        return current
    chosen = choose(options, event.u)
    plans.setdefault(chosen, load_plan(chosen, path=("plans",)))
    return chosen


def _end_at_horizon(span: _Span, horizon_end: dt.date) -> None:
    if span.reason == "cobra":
        limit = _add_months(span.start, COBRA_MAX_MONTHS) - dt.timedelta(days=1)
        if limit < horizon_end:
            span.end, span.end_reason = limit, "cobra_maximum"
            return
    span.end = horizon_end


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _events_by_owner(
    events: pa.Table, roster: Roster, context: HandlerContext
) -> dict[int, list[_Event]]:
    """Each member's own coverage events in time order, with one uniform per event."""
    table = events_of(events, "membersim", *_COVERAGE_EVENTS)
    row_of = roster.row_of()
    member_of_person = dict(
        zip(roster.persons["person_id"].to_pylist(), roster.member_id, strict=True)
    )
    keep = [member_of_person.get(p) is not None for p in table["person_id"].to_pylist()]
    table = table.filter(pa.array(keep, pa.bool_()))
    table = table.take(
        pc.sort_indices(
            table,
            [("person_index", "ascending"), ("time_days", "ascending"), ("event_id", "ascending")],
        )
    )
    uniforms = row_uniforms(context, ENROLLMENT_STREAM, table["person_index"].to_numpy(), 1)
    owned: dict[int, list[_Event]] = {}
    for i, event in enumerate(table.to_pylist()):
        row = row_of[member_of_person[event["person_id"]]]
        owned.setdefault(row, []).append(
            _Event(
                event["event_id"],
                event["definition_id"],
                event["event_type"],
                event["event_date"],
                json.loads(event["parameters"]),
                float(uniforms[i, 0]),
            )
        )
    return owned


def _table(rows: list[tuple[int, _Span]], roster: Roster, plans: dict) -> pa.Table:
    person_id = roster.persons["person_id"].to_pylist()
    sequence: dict[int, int] = {}
    records = []
    for row, span in rows:
        sequence[row] = sequence.get(row, 0) + 1
        member = roster.member_id[row]
        records.append(
            {
                "enrollment_id": f"{member}-{sequence[row]:02d}",
                "member_id": member,
                "person_id": person_id[row],
                "subscriber_id": roster.member_id[int(roster.subscriber_row[row])],
                "plan_id": span.plan_id,
                "plan_type": plans[span.plan_id].plan_type,
                "start_date": span.start,
                "end_date": span.end,
                "reason": span.reason,
                "reason_detail": span.reason_detail,
                "end_reason": span.end_reason,
                "end_reason_detail": span.end_reason_detail,
                "start_event_id": span.start_event_id,
                "end_event_id": span.end_event_id,
            }
        )
    return pa.Table.from_pylist(records, schema=ENROLLMENT_SCHEMA)


def _in_force_table(
    rows: np.ndarray, roster: Roster, plans: dict, start: dt.date, end: dt.date
) -> pa.Table:
    """One whole-horizon span for each of ``rows``."""
    n = rows.size
    member = pc.take(pa.array(roster.member_id, pa.string()), pa.array(rows, pa.int64()))
    plan_id = [roster.plan_id[r] for r in rows.tolist()]
    strings = pa.nulls(n, pa.string())
    columns = {
        "enrollment_id": pc.binary_join_element_wise(member, pa.scalar("01"), "-"),
        "member_id": member,
        "person_id": pc.take(roster.persons["person_id"], pa.array(rows, pa.int64())),
        "subscriber_id": pc.take(
            pa.array(roster.member_id, pa.string()),
            pa.array(roster.subscriber_row[rows], pa.int64()),
        ),
        "plan_id": pa.array(plan_id, pa.string()),
        "plan_type": pa.array([plans[p].plan_type for p in plan_id], pa.string()),
        "start_date": pa.array(np.full(n, np.datetime64(start, "D")), pa.date32()),
        "end_date": pa.array(np.full(n, np.datetime64(end, "D")), pa.date32()),
        "reason": pa.array(["in_force"] * n, pa.string()),
        "reason_detail": strings,
        "end_reason": pa.array(["horizon_end"] * n, pa.string()),
        "end_reason_detail": strings,
        "start_event_id": strings,
        "end_event_id": strings,
    }
    return pa.table(columns, schema=ENROLLMENT_SCHEMA)
