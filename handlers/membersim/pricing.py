"""Amounts in cents: allowed (the Medicare amount times the plan's multiple), billed (times
the chargemaster markup), and their split over a claim's lines."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from handlers.membersim.benefits import BenefitPlan
from handlers.membersim.chargemaster import MARKUPS

__all__ = ["allocate_cents", "allowed_cents", "billed_cents"]


def allowed_cents(
    medicare_usd: np.ndarray,
    claim_type: np.ndarray,
    plan: np.ndarray,
    benefits: Sequence[BenefitPlan],
) -> np.ndarray:
    """The Medicare amount times the plan's multiple for the claim type; ``plan`` indexes
    ``benefits``."""
    multiple = np.array(
        [[getattr(b.price_to_medicare, kind) for kind in MARKUPS] for b in benefits],
        dtype=np.float64,
    ).reshape(-1, len(MARKUPS))
    kind = np.zeros(claim_type.size, dtype=np.int64)
    for i, name in enumerate(MARKUPS):
        kind[claim_type == name] = i
    return np.round(medicare_usd * multiple[plan, kind] * 100).astype(np.int64)


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
