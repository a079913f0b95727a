"""Which benefit plan a person is on: persons' ``plan`` labels to shipped benefit plans.

Profiles label plans the way surveys do ("PPO", "Medicare Advantage", "Silver": the coverage
sections of scenarios/profiles and the default mix of sim/profiles/coverage.py); a household
names a benefit plan directly (``family-ppo``, a shipped name or a plan file). ``None`` is the
uninsured: no member, no claims.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import numpy as np

from handlers.membersim.benefits import BenefitPlan, load_plan_benefits
from sim.errors import SpecError, did_you_mean
from sim.specio import shipped_names

__all__ = [
    "CHILD_MAX_AGE",
    "PLAN_LABELS",
    "PLAN_MARKETS",
    "UNINSURED",
    "choose",
    "load_plan",
    "market_of",
    "resolve_plans",
]

UNINSURED = "None"
#: Medicaid exempts children (under 19) from cost sharing: they get ``medicaid-child``
CHILD_MAX_AGE = 18
_MEDICAID_LABELS = {"Medicaid", "Medicaid Managed Care", "Medicaid Fee-for-Service"}

PLAN_LABELS: dict[str, str] = {
    "Medicare Advantage": "medicare-advantage",
    "Original Medicare": "original-medicare",
    "PPO": "commercial-ppo",
    "HMO": "commercial-hmo",
    "HDHP": "commercial-hdhp",
    "POS": "commercial-pos",
    "Medicaid": "medicaid",
    "Medicaid Managed Care": "medicaid",
    "Medicaid Fee-for-Service": "medicaid",
    "CHIP": "chip",
    "Bronze": "exchange-bronze",
    "Silver": "exchange-silver",
    "Gold": "exchange-gold",
    "Platinum": "exchange-platinum",
}

#: plans a member can switch between at a plan change that names no plan
PLAN_MARKETS: tuple[tuple[str, ...], ...] = (
    ("medicare-advantage", "original-medicare"),
    ("commercial-ppo", "commercial-hmo", "commercial-hdhp", "commercial-pos"),
    ("exchange-bronze", "exchange-silver", "exchange-gold", "exchange-platinum"),
)


@cache
def _shipped_plan(name: str) -> BenefitPlan:
    return load_plan_benefits(name)


def load_plan(name: str, *, path: tuple[str | int, ...]) -> BenefitPlan:
    """A benefit plan by shipped name or file path; a SpecError at ``path`` if there is none."""
    if name in shipped_names("plans"):
        return _shipped_plan(name)
    if Path(name).is_file():
        return load_plan_benefits(name)
    raise SpecError(
        f"unknown plan '{name}'",
        path=path,
        hint=did_you_mean(name, [*PLAN_LABELS, *shipped_names("plans")])
        or "use a profile plan label, a shipped benefit plan or a plan file",
    )


def resolve_plans(
    labels: Iterable[str | None], ages: Iterable[int]
) -> tuple[list[str | None], dict[str, BenefitPlan]]:
    """Each person's benefit plan id (None for the uninsured), from the ``plan`` label and the
    age, and the plans by id. An unknown label is a SpecError that names it."""
    names: list[str | None] = []
    for label, age in zip(labels, ages, strict=True):
        if label is None or label == UNINSURED:
            names.append(None)
        elif label in _MEDICAID_LABELS and age <= CHILD_MAX_AGE:
            names.append("medicaid-child")
        else:
            names.append(PLAN_LABELS.get(label, label))
    loaded = {n: load_plan(n, path=("persons", "plan")) for n in dict.fromkeys(names) if n}
    plans = {plan.id: plan for plan in loaded.values()}
    return [loaded[n].id if n else None for n in names], plans


def market_of(plan_id: str) -> tuple[str, ...]:
    """The plans a member of ``plan_id`` can switch to (empty: no alternative)."""
    for market in PLAN_MARKETS:
        if plan_id in market:
            return tuple(p for p in market if p != plan_id)
    return ()


def choose(options: tuple[str, ...], u: float) -> str:
    """One of ``options`` for a uniform ``u`` in [0, 1)."""
    return options[int(np.floor(u * len(options)))]
