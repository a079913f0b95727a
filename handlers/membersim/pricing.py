"""Amounts in cents: allowed (the Medicare amount times the plan's multiple), billed (times
the chargemaster markup), and their split over a claim's lines."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from handlers.membersim.benefits import BenefitPlan
from handlers.membersim.chargemaster import MARKUPS

__all__ = ["allocate_cents", "allowed_cents", "billed_cents"]


def allowed_cents(
    medicare_usd: np.ndarray,
    claim_type: np.ndarray,
    plan_id: np.ndarray,
    plans: Mapping[str, BenefitPlan],
) -> np.ndarray:
    multiple = np.array(
        [
            getattr(plans[p].price_to_medicare, kind)
            for p, kind in zip(plan_id.tolist(), claim_type.tolist(), strict=True)
        ],
        dtype=np.float64,
    )
    return np.round(medicare_usd * multiple * 100).astype(np.int64)


def billed_cents(medicare_usd: np.ndarray, claim_type: np.ndarray, u: np.ndarray) -> np.ndarray:
    markup = np.empty(medicare_usd.size)
    for kind, distribution in MARKUPS.items():
        rows = claim_type == kind
        markup[rows] = distribution.draw(u[rows])
    return np.round(medicare_usd * markup * 100).astype(np.int64)


def allocate_cents(total: int, weights: np.ndarray) -> np.ndarray:
    """``total`` cents split in proportion to ``weights`` (largest remainders get the odd
    cents), so the parts add up exactly and none passes its proportional share rounded up."""
    weights = np.asarray(weights, dtype=np.float64)
    if total == 0 or weights.sum() <= 0:
        return np.zeros(weights.size, dtype=np.int64)
    exact = total * weights / weights.sum()
    parts = np.floor(exact).astype(np.int64)
    short = total - int(parts.sum())
    if short:
        parts[np.argsort(parts - exact, kind="stable")[:short]] += 1
    return parts
