"""``adjudicate``: what the plan pays and what the member owes, claim by claim.

Claims of one family are applied in (service_date, claim_id) order against accumulators kept per
family, plan and plan year. Money is integer cents inside, so that for every claim that is not
denied ``allowed == paid + member_cost_share`` holds exactly in cents.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.membersim.benefits import SERVICE_CATEGORIES, BenefitPlan
from sim.errors import did_you_mean

__all__ = ["CLAIM_COLUMNS", "RESULT_COLUMNS", "adjudicate"]

CLAIM_COLUMNS: tuple[str, ...] = (
    "claim_id",
    "member_id",
    "family_id",
    "plan_id",
    "service_date",
    "service_category",
    "allowed",
    "denied",
)
RESULT_COLUMNS: tuple[str, ...] = (
    "deductible_usd",
    "copay_usd",
    "coinsurance_usd",
    "member_cost_share_usd",
    "paid_usd",
    "member_deductible_to_date",
    "family_deductible_to_date",
    "member_oop_to_date",
    "family_oop_to_date",
)
_STRING_COLUMNS = ("claim_id", "member_id", "family_id", "plan_id", "service_category")
# A limit nobody reaches: self-only plans have no family limit.
_UNLIMITED_CENTS = 2**62


@dataclass(frozen=True, slots=True)
class _Terms:
    """A plan's cost sharing in cents, indexed by service category code, for the hot loop."""

    deductible_cents: int
    family_deductible_cents: int
    oop_cents: int
    family_oop_cents: int
    embedded: bool
    coinsurance: float
    copay_cents: tuple[int, ...]
    copay_only: tuple[bool, ...]

    @classmethod
    def of(cls, plan: BenefitPlan) -> _Terms:
        oop = plan.out_of_pocket_max
        return cls(
            deductible_cents=_cents(plan.deductible.individual),
            family_deductible_cents=_cents(plan.deductible.family),
            oop_cents=_cents(oop.individual if oop else None),
            family_oop_cents=_cents(oop.family if oop else None),
            embedded=plan.family_deductible == "embedded",
            coinsurance=plan.coinsurance,
            copay_cents=tuple(
                round((getattr(plan.copays, c) or 0) * 100) for c in SERVICE_CATEGORIES
            ),
            copay_only=tuple(plan.pays_copay_only(c) for c in SERVICE_CATEGORIES),
        )


def _cents(usd: float | None) -> int:
    """A limit in cents; None (no family amount, no out-of-pocket maximum) is no limit."""
    return _UNLIMITED_CENTS if usd is None else round(usd * 100)


def adjudicate(claims: pa.Table, plans: Mapping[str, BenefitPlan]) -> pa.Table:
    """The claims with their cost sharing, payment and accumulators after each claim.

    Output rows are in input order; ``allowed`` comes back rounded to cents, and result columns
    already in ``claims`` are replaced. A denied claim pays 0, costs the member 0 and does not
    accumulate.
    """
    _check_columns(claims)
    claims = claims.drop_columns([c for c in RESULT_COLUMNS if c in claims.column_names])
    plan_ids = list(plans)
    plan_code = _codes(claims, "plan_id", plan_ids, "plan")
    category = _codes(claims, "service_category", SERVICE_CATEGORIES, "service category")
    allowed_cents = _allowed_cents(claims)
    dates = claims.column("service_date").to_numpy()
    plan_year = _plan_years(dates, plan_code, [plans[p] for p in plan_ids])
    family = _dictionary_codes(claims, "family_id")

    order = pc.sort_indices(
        pa.table(
            {
                "family": family,
                "plan": plan_code,
                "plan_year": plan_year,
                "service_date": claims.column("service_date"),
                "claim_id": claims.column("claim_id"),
            }
        ),
        sort_keys=[
            (key, "ascending")
            for key in ("family", "plan", "plan_year", "service_date", "claim_id")
        ],
    ).to_numpy()
    first_of_group = np.zeros(len(order), dtype=bool)
    first_of_group[:1] = True
    for key in (family[order], plan_code[order], plan_year[order]):
        first_of_group[1:] |= key[1:] != key[:-1]
    group = np.cumsum(first_of_group) - 1
    member = _dictionary_codes(claims, "member_id")[order]

    terms = [_Terms.of(plans[p]) for p in plan_ids]
    plan_sorted = plan_code[order]
    category_sorted = category[order]
    allowed_sorted = allowed_cents[order]
    denied_sorted = claims.column("denied").to_numpy(zero_copy_only=False)[order]
    copay_cents = np.array([t.copay_cents for t in terms], dtype=np.int64)
    copay_only = np.array([t.copay_only for t in terms], dtype=bool)
    deductible, copay, coinsurance = (
        np.array(cents, dtype=np.int64)
        for cents in _apply(
            terms=terms,
            group_starts=np.flatnonzero(first_of_group).tolist(),
            plan=plan_sorted.tolist(),
            member=member.tolist(),
            copay_cents=copay_cents[plan_sorted, category_sorted].tolist(),
            copay_only=copay_only[plan_sorted, category_sorted].tolist(),
            allowed=allowed_sorted.tolist(),
            denied=denied_sorted.tolist(),
        )
    )
    share = deductible + copay + coinsurance
    # the accumulators after each claim: running totals per member and per family
    of_member = group * (int(member.max(initial=0)) + 1) + member
    sorted_cents = {
        "deductible_usd": deductible,
        "copay_usd": copay,
        "coinsurance_usd": coinsurance,
        "member_cost_share_usd": share,
        "paid_usd": np.where(denied_sorted, 0, allowed_sorted - share),
        "member_deductible_to_date": _running_totals(deductible, of_member),
        "family_deductible_to_date": _running_totals(deductible, group),
        "member_oop_to_date": _running_totals(share, of_member),
        "family_oop_to_date": _running_totals(share, group),
    }
    result = claims.set_column(
        claims.column_names.index("allowed"), "allowed", pa.array(allowed_cents / 100)
    )
    for name in RESULT_COLUMNS:
        values = np.empty(len(order), dtype=np.int64)
        values[order] = sorted_cents[name]
        result = result.append_column(name, pa.array(values / 100))
    return result


def _apply(
    *,
    terms: list[_Terms],
    group_starts: list[int],
    plan: list[int],
    member: list[int],
    copay_cents: list[int],
    copay_only: list[bool],
    allowed: list[int],
    denied: list[bool],
) -> tuple[list[int], list[int], list[int]]:
    """The hot loop, over claims sorted by family, plan, plan year, date and id, each group of
    one family, plan and plan year starting at one of ``group_starts``: each claim's
    deductible, copay and coinsurance, in cents."""
    n = len(plan)
    deductible, copay, coinsurance = [0] * n, [0] * n, [0] * n
    for start, end in pairwise([*group_starts, n]):
        t = terms[plan[start]]
        oop_cents, family_oop_cents = t.oop_cents, t.family_oop_cents
        deductible_cents, family_deductible_cents = t.deductible_cents, t.family_deductible_cents
        embedded, rate = t.embedded, t.coinsurance
        deductible_of: dict[int, int] = {}
        oop_of: dict[int, int] = {}
        family_ded = family_spent = 0
        for i in range(start, end):
            if denied[i]:
                continue
            who = member[i]
            member_ded = deductible_of.get(who, 0)
            member_spent = oop_of.get(who, 0)
            # min() spelled out: this runs once per claim
            rest = allowed[i]
            room = oop_cents - member_spent
            if family_oop_cents - family_spent < room:
                room = family_oop_cents - family_spent
            copay_i = copay_cents[i]
            if rest < copay_i:
                copay_i = rest
            if room < copay_i:
                copay_i = room
            rest -= copay_i
            room -= copay_i
            if copay_only[i]:
                ded_i = coins_i = 0
            else:
                ded_i = family_deductible_cents - family_ded
                if embedded and deductible_cents - member_ded < ded_i:
                    ded_i = deductible_cents - member_ded
                if rest < ded_i:
                    ded_i = rest
                if room < ded_i:
                    ded_i = room
                rest -= ded_i
                coins_i = round(rest * rate)
                if room - ded_i < coins_i:
                    coins_i = room - ded_i
            family_ded += ded_i
            family_spent += copay_i + ded_i + coins_i
            deductible_of[who] = member_ded + ded_i
            oop_of[who] = member_spent + copay_i + ded_i + coins_i
            deductible[i] = ded_i
            copay[i] = copay_i
            coinsurance[i] = coins_i
    return deductible, copay, coinsurance


def _running_totals(values: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Each row's running total of ``values`` over the rows of its segment up to it."""
    order = np.argsort(segment, kind="stable")
    totals = np.cumsum(values[order])
    ordered = segment[order]
    is_start = np.ones(ordered.size, dtype=bool)
    is_start[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(is_start)
    before = (totals - values[order])[starts]
    out = np.empty_like(totals)
    out[order] = totals - np.repeat(before, np.diff(np.r_[starts, ordered.size]))
    return out


def _check_columns(claims: pa.Table) -> None:
    for name in CLAIM_COLUMNS:
        if name not in claims.column_names:
            raise ValueError(f"claims: missing column '{name}'")
        column = claims.column(name)
        if column.null_count:
            raise ValueError(f"claims.{name}: {column.null_count} null value(s)")
    expected = {name: "string" for name in _STRING_COLUMNS} | {
        "service_date": "date32",
        "allowed": "floating",
        "denied": "bool",
    }
    checks = {
        "string": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
        "date32": pa.types.is_date32,
        "floating": pa.types.is_floating,
        "bool": pa.types.is_boolean,
    }
    for name, kind in expected.items():
        actual = claims.schema.field(name).type
        if not checks[kind](actual):
            raise ValueError(f"claims.{name}: expected {kind}, got {actual}")


def _codes(
    claims: pa.Table, name: str, known: list[str] | tuple[str, ...], what: str
) -> np.ndarray:
    """Each value's index in ``known``; an unknown value is an error that names it."""
    column = claims.column(name)
    codes = pc.index_in(column, value_set=pa.array(known, column.type))
    if codes.null_count:
        unknown = column.filter(pc.is_null(codes))[0].as_py()
        hint = did_you_mean(unknown, known)
        raise ValueError(
            f"claims.{name}: unknown {what} '{unknown}'" + (f" ({hint})" if hint else "")
        )
    return codes.to_numpy().astype(np.int64)


def _dictionary_codes(claims: pa.Table, name: str) -> np.ndarray:
    encoded = claims.column(name).combine_chunks().dictionary_encode()
    return encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)


def _allowed_cents(claims: pa.Table) -> np.ndarray:
    allowed = claims.column("allowed").to_numpy().astype(np.float64)
    if not np.isfinite(allowed).all() or (allowed < 0).any():
        raise ValueError("claims.allowed: amounts must be finite and >= 0")
    return np.round(allowed * 100).astype(np.int64)


def _plan_years(dates: np.ndarray, plan_code: np.ndarray, plans: list[BenefitPlan]) -> np.ndarray:
    """The calendar year each claim's plan year began in (plan years may start mid-year)."""
    month = np.array([p.plan_year_start_month_day[0] for p in plans], dtype=np.int64)[plan_code]
    day = np.array([p.plan_year_start_month_day[1] for p in plans], dtype=np.int64)[plan_code]
    years = dates.astype("datetime64[Y]")
    starts = (years.astype("datetime64[M]") + (month - 1)).astype("datetime64[D]") + (day - 1)
    return years.astype(np.int64) + 1970 - (dates < starts)
