"""The sampler interface every compiled distribution implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = ["Attributes", "Sampler", "rejection_sample"]

Attributes = Mapping[str, Any]


class Sampler(ABC):
    """A compiled distribution: vectorised ``sample`` plus a cheap scalar ``sample_one``.

    ``attributes`` are the entities' columns (``sample``) or one entity's values
    (``sample_one``); only conditional distributions read them.
    """

    #: attribute names the sampler reads (conditional distributions)
    names: frozenset[str] = frozenset()

    @abstractmethod
    def sample(
        self, rng: np.random.Generator, n: int, attributes: Attributes | None = None
    ) -> np.ndarray:
        """``n`` values drawn from ``rng``, as a numpy array."""

    def sample_one(self, rng: np.random.Generator, attributes: Attributes | None = None) -> Any:
        """One value (a Python scalar) drawn from ``rng``."""
        one = None if attributes is None else {k: np.asarray([v]) for k, v in attributes.items()}
        return self.sample(rng, 1, one)[0].item()

    def expected_mean(self) -> float | None:
        """The analytic mean where it is known (validation targets), else None."""
        return None

    def expected_shares(self) -> dict[Any, float] | None:
        """Category shares for discrete choices, else None."""
        return None

    def support(self) -> tuple[float, float]:
        """Smallest and largest value the sampler can return."""
        return (-np.inf, np.inf)


def rejection_sample(
    rng: np.random.Generator,
    n: int,
    propose: Callable[[np.random.Generator, int], np.ndarray],
    accept: Callable[[np.random.Generator, np.ndarray], np.ndarray],
    acceptance: float,
) -> np.ndarray:
    """Vectorised rejection: proposals in batches sized from the expected acceptance rate.

    The batches depend only on ``n`` and the generator's state, so results are reproducible.
    """
    out = np.empty(n, dtype=float)
    filled = 0
    while filled < n:
        need = n - filled
        batch = int(need / max(acceptance, 1e-3) * 1.1) + 8
        proposals = propose(rng, batch)
        kept = proposals[accept(rng, proposals)]
        take = min(kept.size, need)
        out[filled : filled + take] = kept[:take]
        filled += take
    return out
