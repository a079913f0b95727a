"""RxMemberSim: pharmacy members, fills, pharmacy claims, adherence.

``records(events, persons, context)`` turns the run's ``rxmembersim`` events into the tables
``rx_members``, ``fills``, ``pharmacy_claims`` and ``adherence`` (docs/rxmembersim.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from handlers.base import HandlerContext
from handlers.rxmembersim.adherence import ADHERENCE_SCHEMA, ADHERENT_PDC, adherence
from handlers.rxmembersim.billing import NOT_COVERED_REJECT_CODE
from handlers.rxmembersim.claims import pharmacy_claims
from handlers.rxmembersim.config import (
    PharmacyBenefit,
    PriorAuthorization,
    Processor,
    load_pharmacy_benefit,
)
from handlers.rxmembersim.dates import dates
from handlers.rxmembersim.events import events_by_type
from handlers.rxmembersim.fills import dispensings
from handlers.rxmembersim.identifiers import is_valid_npi
from handlers.rxmembersim.members import RX_MEMBER_SCHEMA, rx_members
from handlers.rxmembersim.transactions import CLAIM_SCHEMA

__all__ = [
    "ADHERENCE_SCHEMA",
    "ADHERENT_PDC",
    "CLAIM_SCHEMA",
    "FILL_SCHEMA",
    "NOT_COVERED_REJECT_CODE",
    "RX_MEMBER_SCHEMA",
    "PharmacyBenefit",
    "PriorAuthorization",
    "Processor",
    "adherence",
    "is_valid_npi",
    "load_pharmacy_benefit",
    "records",
]

FILL_SCHEMA = pa.schema(
    [
        ("fill_id", pa.string()),
        ("rx_member_id", pa.string()),
        ("person_id", pa.string()),
        ("event_id", pa.string()),
        ("caused_by", pa.string()),
        ("journey_id", pa.string()),
        ("rxnorm", pa.string()),
        ("ndc", pa.string()),
        ("drug_name", pa.string()),
        ("ingredient", pa.string()),
        ("drug_class", pa.string()),
        ("formulary_tier", pa.int8()),
        ("maintenance", pa.bool_()),
        ("fill_date", pa.date32()),
        ("quantity", pa.float64()),
        ("days_supply", pa.int32()),
        ("refill_number", pa.int32()),
        ("pharmacy_ncpdp_id", pa.string()),
        ("prescriber_npi", pa.string()),
        ("status", pa.string()),
    ]
)


def records(
    events: pa.Table,
    persons: pa.Table,
    context: HandlerContext,
    *,
    pharmacy_benefit: str | Path | dict[str, Any] | PharmacyBenefit | None = None,
) -> dict[str, pa.Table]:
    """The RxMemberSim tables of a run; ``pharmacy_benefit`` replaces the shipped
    ``handlers/rxmembersim/pharmacy-benefit.yaml`` (a path, a mapping or a loaded one)."""
    config = load_pharmacy_benefit(pharmacy_benefit)
    members = rx_members(persons, config, context)
    of_type = events_by_type(events, members)
    dispensed = dispensings(of_type["fill"], of_type["refill"], members)
    claims, outcome = pharmacy_claims(
        of_type["pharmacy_claim"],
        of_type["pharmacy_claim_reversal"],
        dispensed,
        members,
        config,
        context,
    )
    at = dispensed["time_days"].to_numpy() + outcome.delay_days
    fills = dispensed.append_column("fill_date", dates(at, context.start_date))
    fills = fills.append_column("status", outcome.status)
    return {
        "rx_members": members,
        "fills": fills.select(FILL_SCHEMA.names).cast(FILL_SCHEMA),
        "pharmacy_claims": claims,
        "adherence": adherence(fills, context.start_date, context.horizon_days),
    }
