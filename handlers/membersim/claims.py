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
from handlers.membersim.distinct import fixed_width_text, per_distinct
from handlers.membersim.drafts import CLAIM_DETAIL
from handlers.membersim.draws import person_uniforms, row_uniforms
from handlers.membersim.drg import MAX_REVENUE_LINES, REVENUE_CODES, ROOM_AND_BOARD, load_drgs
from handlers.membersim.fee_schedule import load_fee_schedule
from handlers.membersim.institutional import institutional_drafts
from handlers.membersim.members import Roster
from handlers.membersim.parameters import parameter_columns
from handlers.membersim.pricing import allocate_cents, allowed_cents, billed_cents
from handlers.membersim.professional import PROFESSIONAL_PARAMETERS, professional_drafts
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
    own_events: pa.Table,
    roster: Roster,
    enrollments: pa.Table,
    plans: Mapping[str, BenefitPlan],
    context: HandlerContext,
) -> tuple[pa.Table, pa.Table]:
    """The claims and their lines, for the claim events of the roster's members. ``events``
    are the run's, ``own_events`` the MemberSim ones among them."""
    claim_events, events_order = _claim_events(own_events, roster)
    if claim_events.num_rows == 0:
        return CLAIM_SCHEMA.empty_table(), CLAIM_LINE_SCHEMA.empty_table()
    drafts = _drafts(claim_events, events_order, events, roster.persons)
    person = claim_events["person_index"].to_numpy()
    u = row_uniforms(context, CLAIM_STREAM, person, _LINES + MAX_REVENUE_LINES)
    member_row = pc.index_in(claim_events["person_index"], value_set=pa.array(roster.person_index))
    member_row = member_row.to_numpy().astype(np.int64)
    service = drafts["service_date"]
    plan, plan_ids, coverage_code = _coverage(member_row, service, enrollments, roster)
    coverage = np.array(_COVERAGE)[coverage_code]
    benefits = [plans[p] for p in plan_ids]
    claim_type = fixed_width_text(drafts["claim_type"])

    units = _units(drafts, u[:, _UNITS])
    medicare_usd = drafts["fee_usd"].to_numpy() * units
    allowed = allowed_cents(medicare_usd, claim_type, plan, benefits)
    billed = billed_cents(medicare_usd, claim_type, u[:, _MARKUP])
    initial, resubmitted, final = draw_denials(
        claim_type, plan, coverage, benefits, u[:, _DENIAL], u[:, _RESUBMIT]
    )
    denied = np.not_equal(final, None)
    allowed = np.where(denied, 0, allowed)

    member_ids = pa.array(roster.member_id, pa.string())
    member = member_ids.take(pa.array(member_row))
    subscriber = member_ids.take(pa.array(roster.subscriber_row[member_row]))
    claim_id = pc.binary_join_element_wise(pa.scalar("CL-"), claim_events["event_id"], "")
    adjudicated = adjudicate(
        pa.table(
            {
                "claim_id": claim_id,
                "member_id": member,
                "family_id": subscriber,
                "plan_id": pa.array(plan_ids, pa.string()).take(pa.array(plan)),
                "service_date": service,
                "service_category": drafts["service_category"],
                "allowed": pa.array(allowed / 100),
                "denied": pa.array(denied),
            }
        ),
        plans,
    )
    medicare_ffs = np.array([b.plan_type == "Original Medicare" for b in benefits], bool)[plan]
    received = claim_events["event_date"]
    days = remittance_days(claim_type, medicare_ffs, denied, resubmitted, u[:, _LAGS : _LAGS + 4])
    paid_date = _add_days(received, days)
    rendering, billing = _providers(
        drafts, claim_type, member_row, roster, u[:, _VISIT_PROVIDER], context
    )
    claims = pa.table(
        {
            "claim_id": claim_id,
            "claim_type": drafts["claim_type"],
            "member_id": member,
            "person_id": claim_events["person_id"],
            "subscriber_id": subscriber,
            "plan_id": adjudicated["plan_id"],
            "service_date": service,
            "service_end_date": drafts["service_end_date"],
            "received_date": received,
            "paid_date": paid_date,
            "lag_days": pc.subtract(paid_date.cast(pa.int32()), service.cast(pa.int32())),
            "status": pc.if_else(pa.array(denied), "denied", "paid"),
            "denial_code": pa.array(final, pa.string()),
            "initial_denial_code": pa.array(initial, pa.string()),
            "coverage": pa.array(_COVERAGE).take(pa.array(coverage_code)),
            "service_category": adjudicated["service_category"],
            "billed_usd": pa.array(billed / 100),
            "allowed_usd": adjudicated["allowed"],
            **{name: adjudicated[name] for name in _ADJUDICATED},
            "rendering_npi": rendering,
            "rendering_role": drafts["rendering_role"],
            "billing_npi": billing,
            **{name: drafts[name] for name in CLAIM_DETAIL},
            "caused_by": claim_events["caused_by"],
            "event_id": claim_events["event_id"],
        }
    )
    claims = pa.table({f.name: claims[f.name].cast(f.type) for f in CLAIM_SCHEMA}, CLAIM_SCHEMA)
    return claims, _lines(claims, drafts, claim_type, units, u[:, _LINES:])


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
_COVERAGE = ("covered", "before", "after")
#: the columns of a claim's cause that drafts read
_CAUSE_COLUMNS = ["event_id", "person_index", "journey_id", "time_days", "event_date", "event_type"]


def _claim_events(events: pa.Table, roster: Roster) -> tuple[pa.Table, np.ndarray]:
    """The roster's claim events, sorted by person, time and id (the order of their draws),
    and each one's place among them in events order."""
    table = events_of(events, "membersim", *_CLAIM_TYPES)
    members = pa.array(roster.person_index, pa.int64())
    table = table.filter(pc.is_in(table["person_index"], value_set=members))
    order = pc.sort_indices(
        table,
        [("person_index", "ascending"), ("time_days", "ascending"), ("event_id", "ascending")],
    )
    return table.take(order), order.to_numpy()


def _drafts(
    claim_events: pa.Table, events_order: np.ndarray, events: pa.Table, persons: pa.Table
) -> pa.Table:
    """The drafts (``DRAFT_SCHEMA``) of every claim, professional and institutional, in
    ``claim_events`` order; ``events_order`` is each claim's place in events order."""
    causes = _causes(claim_events, events)
    kinds = claim_events["event_type"].to_numpy(zero_copy_only=False)
    rows = {kind: np.flatnonzero(kinds == kind) for kind in _CLAIM_TYPES}
    professional = claim_events.take(pa.array(rows["claim_professional"]))
    parameters = parameter_columns(professional, PROFESSIONAL_PARAMETERS)
    # the history takes the claims' own diagnoses in events order, as it takes other events'
    claim_diagnoses = pa.table(
        {
            "person_index": professional["person_index"],
            "time_days": professional["time_days"],
            "code": parameters["diagnosis_code"],
        }
    ).take(pa.array(np.argsort(events_order[rows["claim_professional"]])))
    history = DiagnosisHistory(events, persons, claim_diagnoses)
    parts, positions = [], []
    for event_type, subset_rows in rows.items():
        if not subset_rows.size:
            continue
        take = pa.array(subset_rows)
        subset_causes = causes.take(take)
        if event_type == "claim_professional":
            parts.append(
                professional_drafts(
                    professional, subset_causes, parameters, load_fee_schedule(), history
                )
            )
        else:
            subset = claim_events.take(take)
            parts.append(institutional_drafts(subset, subset_causes, events, load_drgs(), history))
        positions.append(subset_rows)
    drafts = pa.concat_tables(parts)
    if len(parts) == 1:
        return drafts
    return drafts.take(pa.array(np.argsort(np.concatenate(positions))))


def _causes(claim_events: pa.Table, events: pa.Table) -> pa.Table:
    """Each claim's cause (``caused_by``), or the claim event itself when it has none."""
    caused_by = claim_events["caused_by"]
    wanted = pc.is_in(events["event_id"], value_set=caused_by.combine_chunks().drop_null())
    causes = events.select(_CAUSE_COLUMNS).filter(wanted)
    found = pc.index_in(caused_by, value_set=causes["event_id"].combine_chunks())
    itself = pa.array(np.arange(claim_events.num_rows) + causes.num_rows)
    candidates = pa.concat_tables([causes, claim_events.select(_CAUSE_COLUMNS)])
    return candidates.take(pc.coalesce(found, itself))


def _units(drafts: pa.Table, u: np.ndarray) -> np.ndarray:
    """Units of a professional line (drawn in its code's range), 1 for a stay."""
    low = drafts["min_units"].to_numpy()
    high = drafts["max_units"].to_numpy()
    return low + np.floor(u * (high - low + 1)).astype(np.int64)


def _coverage(
    member_row: np.ndarray, service: pa.ChunkedArray, enrollments: pa.Table, roster: Roster
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Per claim: the plan of the span covering its service date, or of the nearest span (its
    index in the plan ids returned), and whether the date is covered, before the first span's
    start or after a span's end (its index in ``_COVERAGE``)."""
    span_row = pc.index_in(enrollments["member_id"], value_set=pa.array(roster.member_id))
    span_row = span_row.to_numpy().astype(np.int64)
    start = enrollments["start_date"].cast(pa.int32()).to_numpy().astype(np.int64)
    end = enrollments["end_date"].cast(pa.int32()).to_numpy().astype(np.int64)
    plans = enrollments["plan_id"].combine_chunks().dictionary_encode()
    span_plan = plans.indices.to_numpy().astype(np.int64)
    order = np.lexsort((start, span_row))
    span_row, start, end, span_plan = span_row[order], start[order], end[order], span_plan[order]
    day = service.cast(pa.int32()).to_numpy().astype(np.int64)
    scale = np.int64(1 << 32)
    found = np.searchsorted(span_row * scale + start, member_row * scale + day, "right") - 1
    has_before = (found >= 0) & (span_row[np.maximum(found, 0)] == member_row)
    covered = has_before & (day <= end[np.maximum(found, 0)])
    first = np.searchsorted(span_row, member_row, "left")
    nearest = np.where(has_before, found, first)
    coverage = np.where(covered, 0, np.where(has_before, 2, 1))
    return span_plan[nearest], plans.dictionary.to_pylist(), coverage


def _add_days(dates: pa.ChunkedArray, days: np.ndarray) -> pa.Array:
    base = dates.cast(pa.int32()).to_numpy().astype(np.int64)
    return pa.array((base + days).astype(np.int32)).cast(pa.date32())


def _providers(
    drafts: pa.Table,
    claim_type: np.ndarray,
    member_row: np.ndarray,
    roster: Roster,
    u_visit: np.ndarray,
    context: HandlerContext,
) -> tuple[pa.Array, pa.Array]:
    """Rendering NPIs (the member's own provider of a role, or one per urgent or emergency
    visit) and billing NPIs (the practice; for a stay, the member's hospital)."""
    persons = roster.persons
    if "county_fips" in persons.column_names:
        county = pc.fill_null(persons["county_fips"].take(pa.array(member_row)), "")
        county = county.combine_chunks()
    else:
        county = pa.array([""] * member_row.size, pa.string())
    own = person_uniforms(context, PROVIDER_STREAM, roster.person_index[member_row], 1)[:, 0]
    roles = drafts["rendering_role"]
    kinds, kind = per_distinct(lambda role: (role in PER_VISIT_ROLES, _offset(role)), roles)
    per_visit = np.array([visit for visit, _ in kinds], dtype=bool)[kind]
    offset = np.array([shift for _, shift in kinds], dtype=np.float64)[kind]
    u = np.where(per_visit, u_visit, (own + offset) % 1)
    rendering, billing = provider_npis(county, roles, u)
    stays = claim_type == "institutional"
    if stays.any():
        hospital, _ = provider_npis(
            county.filter(pa.array(stays)),
            pa.array(["Hospital"] * int(stays.sum()), pa.string()),
            (own[stays] + _offset("Hospital")) % 1,
        )
        billing = pc.replace_with_mask(billing, pa.array(stays), hospital)
    return rendering, billing


def _offset(role: str) -> float:
    """The shift of a member's provider uniform for ``role``: their providers of different
    roles are picked apart."""
    return zlib.crc32(role.encode()) / 2**32


def _lines(
    claims: pa.Table, drafts: pa.Table, claim_type: np.ndarray, units: np.ndarray, u: np.ndarray
) -> pa.Table:
    """One line per professional claim, with the claim's amounts; for a stay, one line per
    revenue code, its charges spread by the code's share (varied per claim) and the claim's
    allowed and paid amounts split in proportion."""
    professional = np.flatnonzero(claim_type == "professional")
    take = pa.array(professional)
    parts = [
        (
            professional,
            {
                "claim_id": claims["claim_id"].take(take),
                "line_number": pa.array(np.ones(professional.size, dtype=np.int32)),
                "member_id": claims["member_id"].take(take),
                "service_date": claims["service_date"].take(take),
                "procedure_code": drafts["procedure_code"].take(take),
                "revenue_code": pa.nulls(professional.size, pa.string()),
                "description": drafts["description"].take(take),
                "units": pa.array(units[professional].astype(np.int32)),
                "place_of_service": claims["place_of_service"].take(take),
                "rendering_npi": claims["rendering_npi"].take(take),
                **{name: claims[name].take(take) for name in _LINE_AMOUNTS},
            },
        )
    ]
    stays = np.flatnonzero(claim_type == "institutional")
    if stays.size:
        parts.append(_stay_lines(claims, drafts, stays, u))
    # lines in claim order: the claim's row, then the line number
    rows = np.concatenate([claim_rows for claim_rows, _ in parts])
    lines = pa.concat_tables([pa.table(p, schema=CLAIM_LINE_SCHEMA) for _, p in parts])
    if len(parts) == 1:
        return lines
    order = np.lexsort((lines["line_number"].to_numpy(), rows))
    return lines.take(pa.array(order))


_LINE_AMOUNTS = ("billed_usd", "allowed_usd", "paid_usd", "member_cost_share_usd")


def _stay_lines(
    claims: pa.Table, drafts: pa.Table, stays: np.ndarray, u: np.ndarray
) -> tuple[np.ndarray, dict[str, pa.Array | np.ndarray | list]]:
    take = pa.array(stays)
    amounts = {
        name: np.round(claims[name].take(take).to_numpy() * 100).astype(np.int64).tolist()
        for name in ("billed_usd", "allowed_usd", "paid_usd")
    }
    claim_rows: list[int] = []
    number: list[int] = []
    revenue: list[str] = []
    units: list[int] = []
    cents: dict[str, list[np.ndarray]] = {"billed": [], "allowed": [], "paid": []}
    for i, (row, codes, shares, stay_days) in enumerate(
        zip(
            stays.tolist(),
            drafts["revenue_codes"].take(take).to_pylist(),
            drafts["revenue_shares"].take(take).to_pylist(),
            drafts["length_of_stay_days"].take(take).to_pylist(),
            strict=True,
        )
    ):
        weights = np.array(shares) * (0.75 + 0.5 * u[row, : len(codes)])
        billed = allocate_cents(amounts["billed_usd"][i], weights)
        allowed = allocate_cents(amounts["allowed_usd"][i], billed)
        cents["billed"].append(billed)
        cents["allowed"].append(allowed)
        cents["paid"].append(allocate_cents(amounts["paid_usd"][i], allowed))
        claim_rows.extend([row] * len(codes))
        number.extend(range(1, len(codes) + 1))
        revenue.extend(codes)
        units.extend(stay_days if code == ROOM_AND_BOARD else 1 for code in codes)
    billed, allowed, paid = (np.concatenate(cents[name]) for name in ("billed", "allowed", "paid"))
    lines = pa.array(claim_rows)
    return np.array(claim_rows, dtype=np.int64), {
        "claim_id": claims["claim_id"].take(lines),
        "line_number": number,
        "member_id": claims["member_id"].take(lines),
        "service_date": claims["service_date"].take(lines),
        "procedure_code": pa.nulls(len(lines), pa.string()),
        "revenue_code": revenue,
        "description": [REVENUE_CODES[code] for code in revenue],
        "units": units,
        "place_of_service": pa.nulls(len(lines), pa.string()),
        "rendering_npi": claims["rendering_npi"].take(lines),
        "billed_usd": billed / 100,
        "allowed_usd": allowed / 100,
        "paid_usd": paid / 100,
        "member_cost_share_usd": (allowed - paid) / 100,
    }
