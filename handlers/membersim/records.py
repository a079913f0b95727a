"""``records``: the MemberSim tables of a run (members, enrollments, claims, claim_lines,
premiums), for the persons with a ``member_id`` and coverage."""

from __future__ import annotations

import pyarrow as pa

from handlers.base import HandlerContext, events_of
from handlers.membersim.claims import claims_tables
from handlers.membersim.draws import PRODUCT
from handlers.membersim.enrollment import enrollments as enrollment_spans
from handlers.membersim.members import members_table, roster_of
from handlers.membersim.premiums import premiums

__all__ = ["records"]


def records(events: pa.Table, persons: pa.Table, context: HandlerContext) -> dict[str, pa.Table]:
    """The handler of MemberSim (see handlers.base): randomness from ``context.rng`` only."""
    roster = roster_of(persons)
    # MemberSim's own events (coverage changes, claims), picked out of the run's once
    own_events = events_of(events, PRODUCT)
    enrollments, plans = enrollment_spans(own_events, roster, context)
    claims, claim_lines = claims_tables(events, own_events, roster, enrollments, plans, context)
    return {
        "members": members_table(roster, enrollments, plans),
        "enrollments": enrollments,
        "claims": claims,
        "claim_lines": claim_lines,
        "premiums": premiums(enrollments, plans),
    }
