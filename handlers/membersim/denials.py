"""Which claims a plan denies, with which reason code, and which denials are corrected and paid.

A claim whose service date is outside every enrollment span of the member is denied for
eligibility (PR-26 before the coverage began, PR-27 after it ended) and never resubmitted.
Every other claim draws one uniform against the plan's rates for its claim type (codes in
sorted order, each taking its share of [0, 1)), and a denied claim a second uniform against the
share of its code that is resubmitted and then paid.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from handlers.membersim.benefits import BenefitPlan
from handlers.membersim.carc import ELIGIBILITY_CODES

__all__ = ["draw_denials"]


def draw_denials(
    claim_type: np.ndarray,
    plan: np.ndarray,
    coverage: np.ndarray,
    benefits: Sequence[BenefitPlan],
    u_denial: np.ndarray,
    u_resubmit: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per claim: the initial denial code (None: not denied), whether the denial was corrected
    and paid, and the final denial code. ``plan`` indexes ``benefits``; ``coverage`` is
    "covered", "before" or "after"."""
    n = claim_type.size
    initial = np.full(n, None, dtype=object)
    resubmitted = np.zeros(n, dtype=bool)
    covered = coverage == "covered"
    of_kind = {kind: covered & (claim_type == kind) for kind in ("professional", "institutional")}
    for index, benefit in enumerate(benefits):
        denials = benefit.denials
        of_plan = plan == index
        for kind, of_this_kind in of_kind.items():
            rows = np.flatnonzero(of_plan & of_this_kind)
            rates = getattr(denials, kind)
            if not rows.size or not rates:
                continue
            codes = sorted(rates)
            edges = np.cumsum([rates[c] for c in codes])
            pick = np.searchsorted(edges, u_denial[rows], side="right")
            denied = pick < len(codes)
            chosen = np.array([*codes, None], dtype=object)[pick]
            initial[rows] = chosen
            share = np.array([denials.resubmitted.get(c, 0.0) for c in codes] + [0.0])[pick]
            resubmitted[rows] = denied & (u_resubmit[rows] < share)
    for where, code in ELIGIBILITY_CODES.items():
        initial[coverage == where] = code
    final = np.where(resubmitted, None, initial)
    return initial, resubmitted, final
