"""Professional claims (837P-like) from ``claim_professional`` events: one line per claim,
the procedure code priced by the fee schedule, the visit's diagnosis first."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.membersim.diagnoses import DiagnosisHistory
from handlers.membersim.fee_schedule import FeeSchedule
from handlers.membersim.parameters import parameter_columns

__all__ = ["professional_drafts", "rendering_role", "service_category"]

_PARAMETERS = ("cpt", "diagnosis_code", "place_of_service", "encounter_type", "specialty")
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
    claims: pa.Table, causes: pa.Table, fees: FeeSchedule, history: DiagnosisHistory
) -> dict[str, list]:
    """Columns of the professional claims in ``claims`` (claim events); ``causes`` holds each
    claim's causing event (or the claim event itself when it has none), row for row."""
    values = {k: v.to_pylist() for k, v in parameter_columns(claims, _PARAMETERS).items()}
    definition = claims["definition_id"].to_pylist()
    codes = values["cpt"]
    by_code = fees.by_code
    for i in (i for i, code in enumerate(codes) if code not in by_code):
        fees.entry(codes[i] or "", path=("events", definition[i], "parameters", "cpt"))
    entries = [by_code[code] for code in codes]
    place = [p or "11" for p in values["place_of_service"]]
    category = [
        service_category(e.category, p, t)
        for e, p, t in zip(entries, place, values["encounter_type"], strict=True)
    ]
    person = claims["person_index"].to_pylist()
    cause_time = causes["time_days"].to_pylist()
    principal = values["diagnosis_code"]
    diagnoses = [
        [d, *history.secondary(p, t, d)] if d else history.secondary(p, t, None)
        for p, t, d in zip(person, cause_time, principal, strict=True)
    ]
    n = claims.num_rows
    return {
        "claim_type": ["professional"] * n,
        "service_date": causes["event_date"].to_pylist(),
        "service_end_date": causes["event_date"].to_pylist(),
        "service_category": category,
        "place_of_service": place,
        "type_of_bill": [None] * n,
        "drg": [None] * n,
        "drg_weight": [None] * n,
        "admission_type_code": [None] * n,
        "discharge_status_code": [None] * n,
        "length_of_stay_days": [None] * n,
        "principal_diagnosis": [d[0] if d else None for d in diagnoses],
        "diagnosis_codes": diagnoses,
        "rendering_role": [
            rendering_role(c, s) for c, s in zip(category, values["specialty"], strict=True)
        ],
        # lines: one per claim
        "procedure_code": codes,
        "description": [e.description for e in entries],
        "fee_usd": np.array([e.medicare_usd for e in entries], dtype=np.float64),
        "units_range": [e.units for e in entries],
    }


def cause_rows(claims: pa.Table, events: pa.Table) -> pa.Table:
    """For each claim event, its causing event (by ``caused_by``), or itself without one."""
    index = pc.index_in(claims["caused_by"], value_set=events["event_id"])
    own = pc.index_in(claims["event_id"], value_set=events["event_id"])
    return events.take(pc.coalesce(index, own))
