"""Professional claims (837P-like) from ``claim_professional`` events: one line per claim,
the procedure code priced by the fee schedule, the visit's diagnosis first."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.membersim.diagnoses import DiagnosisHistory
from handlers.membersim.distinct import per_distinct
from handlers.membersim.drafts import DRAFT_SCHEMA, draft_table
from handlers.membersim.fee_schedule import FeeSchedule

__all__ = [
    "PROFESSIONAL_PARAMETERS",
    "professional_drafts",
    "rendering_role",
    "service_category",
]

#: what a ``claim_professional`` event's parameters say about its claim
PROFESSIONAL_PARAMETERS = (
    "cpt",
    "diagnosis_code",
    "place_of_service",
    "encounter_type",
    "specialty",
)
_ROLE_OF_CATEGORY = {
    "office_visit": "Primary Care",
    "preventive": "Primary Care",
    "specialist": "Specialist",
    "urgent_care": "Urgent Care",
    "emergency": "Emergency Medicine",
    "lab": "Clinical Laboratory",
    "imaging": "Radiology",
    "procedure": "Surgery",
}


def service_category(fee_category: str, place_of_service: str, encounter_type: str | None) -> str:
    """The benefit category of a line: the code's own, moved for visits by where they happen
    (23 emergency department, 20 urgent care) and by who sees the member."""
    if fee_category not in ("office_visit", "specialist"):
        return fee_category
    if place_of_service == "23":
        return "emergency"
    if place_of_service == "20" or encounter_type == "urgent_care":
        return "urgent_care"
    if encounter_type in ("specialist", "therapy"):
        return "specialist"
    return fee_category


def rendering_role(category: str, specialty: str | None) -> str:
    if category in ("urgent_care", "emergency"):
        return _ROLE_OF_CATEGORY[category]
    return specialty or _ROLE_OF_CATEGORY[category]


def professional_drafts(
    claims: pa.Table,
    causes: pa.Table,
    values: Mapping[str, pa.Array],
    fees: FeeSchedule,
    history: DiagnosisHistory,
) -> pa.Table:
    """Drafts of the professional claims in ``claims`` (claim events); ``causes`` holds each
    claim's causing event (or the claim event itself when it has none), and ``values`` the
    ``PROFESSIONAL_PARAMETERS`` of its event, row for row."""
    code = values["cpt"]
    unknown = pc.invert(pc.is_in(code, value_set=pa.array(list(fees.by_code), pa.string())))
    if pc.any(unknown).as_py():
        first = pc.index(unknown, True).as_py()
        definition = claims["definition_id"][first].as_py()
        fees.entry(code[first].as_py() or "", path=("events", definition, "parameters", "cpt"))

    def line(cpt: str, place: str | None, encounter: str | None, specialty: str | None) -> tuple:
        entry = fees.by_code[cpt]
        place = place or "11"
        category = service_category(entry.category, place, encounter)
        return (
            category,
            rendering_role(category, specialty),
            place,
            entry.description,
            entry.medicare_usd,
            *entry.units,
        )

    lines, index = per_distinct(
        line, code, values["place_of_service"], values["encounter_type"], values["specialty"]
    )
    take = pa.array(index)
    by_line = {
        name: pa.array([row[i] for row in lines], DRAFT_SCHEMA.field(name).type).take(take)
        for i, name in enumerate(_LINE_COLUMNS)
    }
    principal = values["diagnosis_code"]
    # an empty diagnosis code is no principal diagnosis
    no_principal = pc.fill_null(pc.equal(principal, ""), True)
    diagnoses = history.claim_codes(
        claims["person_index"].to_numpy(),
        causes["time_days"].to_numpy(),
        pc.if_else(no_principal, pa.scalar(None, pa.string()), principal),
    )
    n = claims.num_rows
    return draft_table(
        n,
        claim_type=["professional"] * n,
        service_date=causes["event_date"],
        service_end_date=causes["event_date"],
        procedure_code=code,
        principal_diagnosis=_first_codes(diagnoses),
        diagnosis_codes=diagnoses,
        **by_line,
    )


#: what a claim's line determines, in the order ``professional_drafts`` computes it
_LINE_COLUMNS = (
    "service_category",
    "rendering_role",
    "place_of_service",
    "description",
    "fee_usd",
    "min_units",
    "max_units",
)


def _first_codes(codes: pa.ListArray) -> pa.Array:
    """Each claim's first code, null for a claim without codes."""
    offsets = codes.offsets.to_numpy()
    listed = offsets[1:] > offsets[:-1]
    first = codes.values.take(pa.array(offsets[:-1][listed]))
    return first.take(pa.array(np.cumsum(listed) - 1, mask=~listed))
