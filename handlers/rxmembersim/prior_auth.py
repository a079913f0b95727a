"""Prior authorization: the first claim of a drug that needs it is rejected; the pharmacy
rebills it once the plan approves, after a delay; the approval covers the drug for a while."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from handlers.base import HandlerContext
from handlers.rxmembersim.config import PriorAuthorization
from handlers.rxmembersim.streams import PRIOR_AUTHORIZATION_STREAM, PRODUCT

__all__ = ["approval_delays"]


def approval_delays(
    rule: PriorAuthorization,
    *,
    person_index: Sequence[int],
    rxnorm: Sequence[str],
    time_days: Sequence[float],
    context: HandlerContext,
) -> tuple[np.ndarray, np.ndarray]:
    """For claims that need prior authorization, sorted by person and time: the days until each
    one is paid (0 once approved) and whether it is rejected first.

    A claim with no approval in force is rejected and rebilled after a delay drawn from the
    person's own stream, in time order; the approval then covers the drug from the rebill for
    ``approval_days``. A claim between a rejection and its approval waits for the approval.
    """
    n = len(person_index)
    delay = np.zeros(n)
    rejected = np.zeros(n, dtype=bool)
    approvals: dict[str, tuple[float, float]] = {}  # rxnorm -> (approved at, until)
    current_person = None
    person_rng = None
    for i in range(n):
        if person_index[i] != current_person:
            current_person = person_index[i]
            person_rng = context.rng(PRODUCT, PRIOR_AUTHORIZATION_STREAM, current_person)
            approvals.clear()
        approved_at, until = approvals.get(rxnorm[i], (0.0, -np.inf))
        t = time_days[i]
        if t < until:
            delay[i] = max(0.0, approved_at - t)
            continue
        wait = float(rule.delay_sampler.sample_one(person_rng))
        approvals[rxnorm[i]] = (t + wait, t + wait + rule.approval_days)
        delay[i] = wait
        rejected[i] = True
    return delay, rejected
