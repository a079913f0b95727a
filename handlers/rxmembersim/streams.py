"""The random streams of RxMemberSim: ``context.rng(PRODUCT, <stream>, <index>)``, under the
run's ``handlers`` stream, so draws depend only on the seed and the person (or block)."""

from __future__ import annotations

__all__ = ["ASSIGNMENT_STREAM", "PRIOR_AUTHORIZATION_STREAM", "PRODUCT"]

PRODUCT = "rxmembersim"
#: (ASSIGNMENT_STREAM, block): pharmacies (by household) and prescribers, per block of indices
ASSIGNMENT_STREAM = 0
#: (PRIOR_AUTHORIZATION_STREAM, person_index): the person's approval delays, in time order
PRIOR_AUTHORIZATION_STREAM = 1
