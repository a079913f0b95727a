"""Institutional claims (837I-like) from ``claim_institutional`` events: an inpatient stay from
the admission to the discharge that caused the claim, grouped to an MS-DRG and billed on
revenue-code lines."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right

import pyarrow as pa
import pyarrow.compute as pc

from handlers.base import events_of
from handlers.membersim.diagnoses import DiagnosisHistory
from handlers.membersim.drafts import draft_table
from handlers.membersim.drg import EMERGENCY_ROOM, DrgGroup, DrgTable
from handlers.membersim.parameters import parameter_columns
from sim.errors import SpecError

__all__ = ["ADMISSION_TYPE_CODES", "DISCHARGE_STATUS_CODES", "institutional_drafts"]

#: UB-04 priority (type) of admission; 9: information not available
ADMISSION_TYPE_CODES = {
    "emergency": "1",
    "urgent": "2",
    "elective": "3",
    "newborn": "4",
    "trauma": "5",
}
#: NUBC patient discharge status codes for the journeys' dispositions
DISCHARGE_STATUS_CODES = {
    "home": "01",
    "short_term_hospital": "02",
    "transfer": "02",
    "snf": "03",
    "skilled_nursing": "03",
    "home_with_services": "06",
    "left_against_medical_advice": "07",
    "expired": "20",
    "hospice_home": "50",
    "hospice_facility": "51",
    "rehab": "62",
    "inpatient_rehab": "62",
    "long_term_care_hospital": "63",
}


class _Stays:
    """Admissions and procedures by (person, journey), in time order."""

    def __init__(self, events: pa.Table) -> None:
        self.admissions: dict[tuple[int, str], list[tuple[float, dict]]] = {}
        admissions = events_of(events, "patientsim", "admission")
        values = parameter_columns(admissions, ["icd10", "admission_type"])
        for key, time, date, definition, icd10, kind in zip(
            zip(
                admissions["person_index"].to_pylist(),
                admissions["journey_id"].to_pylist(),
                strict=True,
            ),
            admissions["time_days"].to_pylist(),
            admissions["event_date"].to_pylist(),
            admissions["definition_id"].to_pylist(),
            values["icd10"].to_pylist(),
            values["admission_type"].to_pylist(),
            strict=True,
        ):
            row = {
                "date": date,
                "definition_id": definition,
                "icd10": icd10,
                "admission_type": kind,
            }
            self.admissions.setdefault(key, []).append((time, row))
        self.procedures: dict[tuple[int, str], list[tuple[float, str]]] = {}
        procedures = events_of(events, "patientsim", "procedure")
        cpts = parameter_columns(procedures, ["cpt"])["cpt"].to_pylist()
        for person, journey, time, cpt in zip(
            procedures["person_index"].to_pylist(),
            procedures["journey_id"].to_pylist(),
            procedures["time_days"].to_pylist(),
            cpts,
            strict=True,
        ):
            if cpt:
                self.procedures.setdefault((person, journey), []).append((time, cpt))
        for listing in (*self.admissions.values(), *self.procedures.values()):
            listing.sort(key=lambda item: item[0])

    def admission(self, key: tuple[int, str], discharge_time: float) -> tuple[float, dict] | None:
        listing = self.admissions.get(key, [])
        i = bisect_right([t for t, _ in listing], discharge_time)
        return listing[i - 1] if i else None

    def procedures_between(self, key: tuple[int, str], start: float, end: float) -> list[str]:
        return [cpt for t, cpt in self.procedures.get(key, []) if start <= t <= end]


def institutional_drafts(
    claims: pa.Table,
    causes: pa.Table,
    events: pa.Table,
    drgs: DrgTable,
    history: DiagnosisHistory,
) -> pa.Table:
    """Drafts of the inpatient claims in ``claims``; ``causes`` holds each claim's discharge."""
    values = {
        k: v.to_pylist()
        for k, v in parameter_columns(claims, ["discharge_disposition", "type_of_bill"]).items()
    }
    stays = _Stays(events)
    # checks and DRG groups claim by claim, so that the first bad claim is the one reported;
    # the DRG's severity level waits for the diagnoses, found for all claims at once
    found: list[tuple[dict, DrgGroup, dt.date, str, str]] = []
    groups: dict[tuple, DrgGroup] = {}
    rows = zip(
        claims["definition_id"].to_pylist(),
        causes["person_index"].to_pylist(),
        causes["journey_id"].to_pylist(),
        causes["time_days"].to_pylist(),
        causes["event_date"].to_pylist(),
        causes["event_type"].to_pylist(),
        values["discharge_disposition"],
        values["type_of_bill"],
        strict=True,
    )
    for definition, person, journey, time, date, cause_type, disposition, bill in rows:
        where = ("events", definition, "parameters")
        if cause_type != "discharge":
            raise SpecError(
                f"an institutional claim is caused by a discharge, not a {cause_type}",
                path=("events", definition),
            )
        if not bill or not bill.startswith("011"):
            raise SpecError(
                f"type of bill '{bill}': only inpatient hospital bills (011x) are modelled",
                path=(*where, "type_of_bill"),
            )
        status = DISCHARGE_STATUS_CODES.get(disposition or "")
        if status is None:
            raise SpecError(
                f"unknown discharge disposition '{disposition}'",
                path=(*where, "discharge_disposition"),
                hint=f"known: {', '.join(DISCHARGE_STATUS_CODES)}",
            )
        stay = stays.admission((person, journey), time)
        if stay is None:
            raise SpecError(
                f"discharge on {date} has no earlier admission in journey '{journey}'",
                path=("events", definition),
            )
        admitted_at, admission = stay
        # stays repeat a few diagnoses and procedures: each grouped once
        key = (
            admission["icd10"] or "",
            tuple(stays.procedures_between((person, journey), admitted_at, time)),
            ("events", admission["definition_id"], "parameters", "icd10"),
        )
        group = groups.get(key)
        if group is None:
            group = groups[key] = drgs.choose_group(key[0], key[1], path=key[2])
        found.append((admission, group, date, status, bill))
    principal = pa.array([admission["icd10"] for admission, *_ in found], pa.string())
    diagnoses = history.claim_codes(
        causes["person_index"].to_numpy(), causes["time_days"].to_numpy(), principal
    )
    code_count = pc.list_value_length(diagnoses).to_numpy().tolist()
    out: dict[str, list] = {name: [] for name in _COLUMNS}
    for (admission, group, date, status, bill), codes in zip(found, code_count, strict=True):
        principal_code = admission["icd10"]
        grouping = drgs.grouping(group, codes - 1 if principal_code else codes)
        kind = admission["admission_type"]
        shares = dict(drgs.revenue_lines[grouping.kind])
        if kind not in ("emergency", "urgent"):
            shares.pop(EMERGENCY_ROOM, None)
        revenue = sorted(shares)
        _append(
            out,
            service_date=admission["date"],
            service_end_date=date,
            type_of_bill=bill,
            drg=grouping.drg,
            drg_weight=grouping.weight,
            fee_usd=grouping.weight * drgs.base_rate_usd,
            admission_type_code=ADMISSION_TYPE_CODES.get(kind or "", "9"),
            discharge_status_code=status,
            length_of_stay_days=max(1, (date - admission["date"]).days),
            principal_diagnosis=principal_code,
            revenue_codes=revenue,
            revenue_shares=[shares[code] for code in revenue],
            rendering_role="Surgery" if grouping.kind == "surgical" else "Hospital Medicine",
        )
    n = claims.num_rows
    return draft_table(
        n,
        claim_type=["institutional"] * n,
        service_category=["inpatient_admission"] * n,
        place_of_service=["21"] * n,
        min_units=[1] * n,
        max_units=[1] * n,
        diagnosis_codes=diagnoses,
        **out,
    )


_COLUMNS = (
    "service_date",
    "service_end_date",
    "type_of_bill",
    "drg",
    "drg_weight",
    "fee_usd",
    "admission_type_code",
    "discharge_status_code",
    "length_of_stay_days",
    "principal_diagnosis",
    "revenue_codes",
    "revenue_shares",
    "rendering_role",
)


def _append(out: dict[str, list], **row: object) -> None:
    for name, value in row.items():
        out[name].append(value)
