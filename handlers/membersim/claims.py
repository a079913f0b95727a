"""``claims`` and ``claim_lines``: claim events priced, checked against coverage, denied at the
plan's rates, adjudicated with family accumulators and paid after a lag."""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.base import HandlerContext, events_of
from handlers.membersim.adjudication import adjudicate
from handlers.membersim.benefits import BenefitPlan
from handlers.membersim.denials import draw_denials
from handlers.membersim.diagnoses import DiagnosisHistory
from handlers.membersim.draws import person_uniforms, row_uniforms
from handlers.membersim.drg import MAX_REVENUE_LINES, REVENUE_CODES, ROOM_AND_BOARD, load_drgs
from handlers.membersim.fee_schedule import load_fee_schedule
from handlers.membersim.institutional import institutional_drafts
from handlers.membersim.members import Roster
from handlers.membersim.pricing import allocate_cents, allowed_cents, billed_cents
from handlers.membersim.professional import professional_drafts
from handlers.membersim.providers import PER_VISIT_ROLES, provider_npis
from handlers.membersim.schemas import CLAIM_LINE_SCHEMA, CLAIM_SCHEMA
from handlers.membersim.timing import remittance_days

__all__ = ["CLAIM_STREAM", "PROVIDER_STREAM", "claims_tables"]

#: context.rng("membersim", CLAIM_STREAM, person_index): one row of uniforms per claim
CLAIM_STREAM = 2
#: context.rng("membersim", PROVIDER_STREAM, block): one uniform per person (their providers)
PROVIDER_STREAM = 3
# the claim's uniform columns: markup, denial, resubmission, four for the lag, units, a
# provider for the visit, then one per revenue line
_MARKUP, _DENIAL, _RESUBMIT, _LAGS, _UNITS, _VISIT_PROVIDER, _LINES = 0, 1, 2, 3, 7, 8, 9
_CLAIM_TYPES = {"claim_professional": "professional", "claim_institutional": "institutional"}


def claims_tables(
    events: pa.Table,
    roster: Roster,
    enrollments: pa.Table,
    plans: Mapping[str, BenefitPlan],
    context: HandlerContext,
) -> tuple[pa.Table, pa.Table]:
    """The claims and their lines, for the claim events of the roster's members."""
    claim_events = _claim_events(events, roster)
    if claim_events.num_rows == 0:
        return CLAIM_SCHEMA.empty_table(), CLAIM_LINE_SCHEMA.empty_table()
    drafts = _drafts(claim_events, events, roster.persons)
    person = claim_events["person_index"].to_numpy()
    u = row_uniforms(context, CLAIM_STREAM, person, _LINES + MAX_REVENUE_LINES)
    row_of_person = dict(zip(roster.person_index.tolist(), range(roster.size), strict=True))
    member_row = np.array([row_of_person[p] for p in person.tolist()], dtype=np.int64)
    service = pa.array(drafts["service_date"], pa.date32())
    plan_id, coverage = _coverage(member_row, service, enrollments, roster)
    claim_type = np.array(drafts["claim_type"], dtype=object)

    units = _units(drafts, u[:, _UNITS])
    medicare_usd = drafts["fee_usd"] * units
    allowed = allowed_cents(medicare_usd, claim_type, plan_id, plans)
    billed = billed_cents(medicare_usd, claim_type, u[:, _MARKUP])
    initial, resubmitted, final = draw_denials(
        claim_type, plan_id, coverage, plans, u[:, _DENIAL], u[:, _RESUBMIT]
    )
    denied = np.array([code is not None for code in final], dtype=bool)
    allowed = np.where(denied, 0, allowed)

    member = pa.array(roster.member_id, pa.string()).take(pa.array(member_row))
    subscriber = pa.array(roster.member_id, pa.string()).take(
        pa.array(roster.subscriber_row[member_row])
    )
    claim_id = pc.binary_join_element_wise(pa.scalar("CL-"), claim_events["event_id"], "")
    adjudicated = adjudicate(
        pa.table(
            {
                "claim_id": claim_id,
                "member_id": member,
                "family_id": subscriber,
                "plan_id": pa.array(plan_id.tolist(), pa.string()),
                "service_date": service,
                "service_category": pa.array(drafts["service_category"], pa.string()),
                "allowed": pa.array(allowed / 100),
                "denied": pa.array(denied),
            }
        ),
        plans,
    )
    medicare_ffs = np.array(
        [plans[p].plan_type == "Original Medicare" for p in plan_id.tolist()], dtype=bool
    )
    received = claim_events["event_date"]
    days = remittance_days(claim_type, medicare_ffs, denied, resubmitted, u[:, _LAGS : _LAGS + 4])
    paid_date = _add_days(received, days)
    rendering, billing = _providers(drafts, member_row, roster, u[:, _VISIT_PROVIDER], context)
    claims = pa.table(
        {
            "claim_id": claim_id,
            "claim_type": pa.array(claim_type.tolist(), pa.string()),
            "member_id": member,
            "person_id": claim_events["person_id"],
            "subscriber_id": subscriber,
            "plan_id": adjudicated["plan_id"],
            "service_date": service,
            "service_end_date": pa.array(drafts["service_end_date"], pa.date32()),
            "received_date": received,
            "paid_date": paid_date,
            "lag_days": pc.subtract(paid_date.cast(pa.int32()), service.cast(pa.int32())),
            "status": pa.array(np.where(denied, "denied", "paid").tolist(), pa.string()),
            "denial_code": pa.array(final.tolist(), pa.string()),
            "initial_denial_code": pa.array(initial.tolist(), pa.string()),
            "coverage": pa.array(coverage.tolist(), pa.string()),
            "service_category": adjudicated["service_category"],
            "billed_usd": pa.array(billed / 100),
            "allowed_usd": adjudicated["allowed"],
            **{name: adjudicated[name] for name in _ADJUDICATED},
            "rendering_npi": pa.array(rendering, pa.string()),
            "rendering_role": pa.array(drafts["rendering_role"], pa.string()),
            "billing_npi": pa.array(billing, pa.string()),
            **{name: pa.array(drafts[name]) for name in _DETAIL},
            "caused_by": claim_events["caused_by"],
            "event_id": claim_events["event_id"],
        }
    )
    claims = pa.table({f.name: claims[f.name].cast(f.type) for f in CLAIM_SCHEMA}, CLAIM_SCHEMA)
    return claims, _lines(claims, drafts, units, u[:, _LINES:])


_ADJUDICATED = (
    "paid_usd",
    "member_cost_share_usd",
    "copay_usd",
    "deductible_usd",
    "coinsurance_usd",
    "member_deductible_to_date",
    "family_deductible_to_date",
    "member_oop_to_date",
    "family_oop_to_date",
)
_DETAIL = (
    "place_of_service",
    "type_of_bill",
    "drg",
    "drg_weight",
    "admission_type_code",
    "discharge_status_code",
    "length_of_stay_days",
    "principal_diagnosis",
    "diagnosis_codes",
)


def _claim_events(events: pa.Table, roster: Roster) -> pa.Table:
    """The roster's claim events, sorted by person, time and id (the order of their draws)."""
    table = events_of(events, "membersim", *_CLAIM_TYPES)
    members = pa.array(roster.person_index, pa.int64())
    table = table.filter(pc.is_in(table["person_index"], value_set=members))
    order = pc.sort_indices(
        table,
        [("person_index", "ascending"), ("time_days", "ascending"), ("event_id", "ascending")],
    )
    return table.take(order)


def _drafts(claim_events: pa.Table, events: pa.Table, persons: pa.Table) -> dict:
    """Columns of every claim (professional and institutional), in ``claim_events`` order."""
    # each claim's cause, or the claim event itself when it has none
    wanted = pa.concat_arrays(
        [claim_events["caused_by"].combine_chunks(), claim_events["event_id"].combine_chunks()]
    ).drop_null()
    candidates = events.filter(pc.is_in(events["event_id"], value_set=wanted))
    ids = candidates["event_id"].combine_chunks()
    caused = pc.index_in(claim_events["caused_by"], value_set=ids)
    own = pc.index_in(claim_events["event_id"], value_set=ids)
    causes = candidates.take(pc.coalesce(caused, own))
    history = DiagnosisHistory(events, persons)
    kinds = claim_events["event_type"].to_numpy(zero_copy_only=False)
    parts = []
    for event_type in _CLAIM_TYPES:
        rows = pa.array(np.flatnonzero(kinds == event_type))
        if not len(rows):
            continue
        subset, subset_causes = claim_events.take(rows), causes.take(rows)
        if event_type == "claim_professional":
            part = professional_drafts(subset, subset_causes, load_fee_schedule(), history)
        else:
            part = institutional_drafts(subset, subset_causes, events, load_drgs(), history)
        parts.append((rows.to_numpy(), part))
    n = claim_events.num_rows
    merged = {name: np.full(n, None, dtype=object) for name in _DRAFT_COLUMNS}
    for rows, part in parts:
        for name, values in part.items():
            merged[name][rows] = _object_array(values)
    fee_usd = merged.pop("fee_usd").astype(np.float64)
    return {"fee_usd": fee_usd, **{name: v.tolist() for name, v in merged.items()}}


_DRAFT_COLUMNS = (
    "claim_type",
    "service_date",
    "service_end_date",
    "service_category",
    "rendering_role",
    "fee_usd",
    "procedure_code",
    "description",
    "units_range",
    "revenue_shares",
    *_DETAIL,
)


def _object_array(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _units(drafts: dict, u: np.ndarray) -> np.ndarray:
    """Units of a professional line (drawn in its code's range), 1 for a stay."""
    ranges = [r if r is not None else (1, 1) for r in drafts["units_range"]]
    low = np.array([r[0] for r in ranges], dtype=np.int64)
    high = np.array([r[1] for r in ranges], dtype=np.int64)
    return low + np.floor(u * (high - low + 1)).astype(np.int64)


def _coverage(
    member_row: np.ndarray, service: pa.Array, enrollments: pa.Table, roster: Roster
) -> tuple[np.ndarray, np.ndarray]:
    """Per claim: the plan of the span covering its service date, or of the nearest span, and
    whether the date is covered, before the first span's start or after a span's end."""
    row_of = roster.row_of()
    span_row = np.array([row_of[m] for m in enrollments["member_id"].to_pylist()], np.int64)
    start = enrollments["start_date"].cast(pa.int32()).to_numpy().astype(np.int64)
    end = enrollments["end_date"].cast(pa.int32()).to_numpy().astype(np.int64)
    span_plan = np.array(enrollments["plan_id"].to_pylist(), dtype=object)
    order = np.lexsort((start, span_row))
    span_row, start, end, span_plan = span_row[order], start[order], end[order], span_plan[order]
    day = service.cast(pa.int32()).to_numpy().astype(np.int64)
    scale = np.int64(1 << 32)
    found = np.searchsorted(span_row * scale + start, member_row * scale + day, "right") - 1
    has_before = (found >= 0) & (span_row[np.maximum(found, 0)] == member_row)
    covered = has_before & (day <= end[np.maximum(found, 0)])
    first = np.searchsorted(span_row, member_row, "left")
    nearest = np.where(has_before, found, first)
    coverage = np.where(covered, "covered", np.where(has_before, "after", "before"))
    return span_plan[nearest], coverage.astype(object)


def _add_days(dates: pa.ChunkedArray, days: np.ndarray) -> pa.Array:
    base = dates.cast(pa.int32()).to_numpy().astype(np.int64)
    return pa.array((base + days).astype(np.int32)).cast(pa.date32())


def _providers(
    drafts: dict,
    member_row: np.ndarray,
    roster: Roster,
    u_visit: np.ndarray,
    context: HandlerContext,
) -> tuple[list[str], list[str]]:
    """Rendering NPIs (the member's own provider of a role, or one per urgent or emergency
    visit) and billing NPIs (the practice; for a stay, the member's hospital)."""
    persons = roster.persons
    county_all = (
        persons["county_fips"].to_pylist()
        if "county_fips" in persons.column_names
        else [""] * roster.size
    )
    county = [county_all[r] or "" for r in member_row.tolist()]
    own = person_uniforms(context, PROVIDER_STREAM, roster.person_index[member_row], 1)[:, 0]
    roles = drafts["rendering_role"]
    u = np.array(
        [
            visit if role in PER_VISIT_ROLES else (mine + zlib.crc32(role.encode()) / 2**32) % 1
            for role, visit, mine in zip(roles, u_visit.tolist(), own.tolist(), strict=True)
        ]
    )
    rendering, billing = provider_npis(county, roles, u)
    stays = [i for i, kind in enumerate(drafts["claim_type"]) if kind == "institutional"]
    if stays:
        hospital, _ = provider_npis(
            [county[i] for i in stays],
            ["Hospital"] * len(stays),
            (own[stays] + zlib.crc32(b"Hospital") / 2**32) % 1,
        )
        for i, npi in zip(stays, hospital, strict=True):
            billing[i] = npi
    return rendering, billing


def _lines(claims: pa.Table, drafts: dict, units: np.ndarray, u: np.ndarray) -> pa.Table:
    """One line per professional claim, with the claim's amounts; for a stay, one line per
    revenue code, its charges spread by the code's share (varied per claim) and the claim's
    allowed and paid amounts split in proportion."""
    professional = np.flatnonzero(np.array(drafts["claim_type"], dtype=object) == "professional")
    take = pa.array(professional)
    parts = [
        (
            professional,
            {
                "claim_id": claims["claim_id"].take(take),
                "line_number": pa.array(np.ones(professional.size, dtype=np.int32)),
                "member_id": claims["member_id"].take(take),
                "service_date": claims["service_date"].take(take),
                "procedure_code": pa.array(drafts["procedure_code"], pa.string()).take(take),
                "revenue_code": pa.nulls(professional.size, pa.string()),
                "description": pa.array(drafts["description"], pa.string()).take(take),
                "units": pa.array(units[professional].astype(np.int32)),
                "place_of_service": claims["place_of_service"].take(take),
                "rendering_npi": claims["rendering_npi"].take(take),
                **{
                    name: claims[name].take(take)
                    for name in ("billed_usd", "allowed_usd", "paid_usd", "member_cost_share_usd")
                },
            },
        )
    ]
    stays = np.flatnonzero(np.array(drafts["claim_type"], dtype=object) == "institutional")
    if stays.size:
        parts.append(_stay_lines(claims, drafts, stays, u))
    # lines in claim order: the claim's row, then the line number
    rows = np.concatenate([claim_rows for claim_rows, _ in parts])
    lines = pa.concat_tables([pa.table(p, schema=CLAIM_LINE_SCHEMA) for _, p in parts])
    order = np.lexsort((lines["line_number"].to_numpy(), rows))
    return lines.take(pa.array(order))


def _stay_lines(
    claims: pa.Table, drafts: dict, stays: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, dict[str, list]]:
    columns: dict[str, list] = {f.name: [] for f in CLAIM_LINE_SCHEMA}
    claim_rows: list[int] = []
    amounts = {
        name: np.round(claims[name].to_numpy() * 100).astype(np.int64)
        for name in ("billed_usd", "allowed_usd", "paid_usd")
    }
    for i in stays.tolist():
        shares = drafts["revenue_shares"][i]
        revenue = sorted(shares)
        stay_days = drafts["length_of_stay_days"][i]
        weights = np.array([shares[r] for r in revenue]) * (0.75 + 0.5 * u[i, : len(revenue)])
        billed = allocate_cents(int(amounts["billed_usd"][i]), weights)
        allowed = allocate_cents(int(amounts["allowed_usd"][i]), billed)
        paid = allocate_cents(int(amounts["paid_usd"][i]), allowed)
        for number, code in enumerate(revenue):
            claim_rows.append(i)
            row = {
                "claim_id": claims["claim_id"][i].as_py(),
                "line_number": number + 1,
                "member_id": claims["member_id"][i].as_py(),
                "service_date": claims["service_date"][i].as_py(),
                "procedure_code": None,
                "revenue_code": code,
                "description": REVENUE_CODES[code],
                "units": stay_days if code == ROOM_AND_BOARD else 1,
                "place_of_service": None,
                "rendering_npi": claims["rendering_npi"][i].as_py(),
                "billed_usd": billed[number] / 100,
                "allowed_usd": allowed[number] / 100,
                "paid_usd": paid[number] / 100,
                "member_cost_share_usd": (allowed[number] - paid[number]) / 100,
            }
            for name, value in row.items():
                columns[name].append(value)
    return np.array(claim_rows, dtype=np.int64), columns
