"""Samplers built from others: conditional (rules on attributes) and mixtures (weights)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.distributions.base import Attributes, Sampler
from sim.distributions.discrete import ChoiceSampler
from sim.errors import SpecError
from sim.expressions import Expression

__all__ = ["ConditionalSampler", "MixtureSampler"]


def _assemble(
    rng: np.random.Generator,
    n: int,
    branch_of: np.ndarray,
    branches: Sequence[Sampler],
    attributes: Attributes | None,
) -> np.ndarray:
    """Samples each branch for the entities assigned to it, in branch order."""
    parts: list[tuple[np.ndarray, np.ndarray]] = []
    for k, branch in enumerate(branches):
        where = np.flatnonzero(branch_of == k)
        if where.size == 0:
            continue
        subset = None
        if branch.names and attributes is not None:
            subset = {name: np.asarray(attributes[name])[where] for name in branch.names}
        parts.append((where, np.asarray(branch.sample(rng, where.size, subset))))
    if not parts:
        return np.empty(0)
    kinds = {values.dtype.kind for _, values in parts}
    dtype = np.result_type(*(v.dtype for _, v in parts)) if kinds <= set("iufb") else object
    if kinds <= {"U"}:
        dtype = np.result_type(*(v.dtype for _, v in parts))
    out = np.empty(n, dtype=dtype)
    for where, values in parts:
        out[where] = values
    return out


class ConditionalSampler(Sampler):
    """The first rule whose condition holds picks the distribution; else the default."""

    def __init__(
        self,
        conditions: Sequence[Expression],
        branches: Sequence[Sampler],
        default: Sampler | None,
        path: tuple = (),
    ) -> None:
        self.conditions = list(conditions)
        self.branches = [*branches, *([default] if default is not None else [])]
        self.has_default = default is not None
        self.path = path
        names: set[str] = set()
        for condition in self.conditions:
            names |= condition.names
        for branch in self.branches:
            names |= branch.names
        self.names = frozenset(names)

    def _no_match(self) -> SpecError:
        return SpecError(
            "no rule matched and there is no default", path=self.path, hint="add a 'default'"
        )

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        columns = attributes or {}
        branch_of = np.full(n, -1, dtype=np.int64)
        for k, condition in enumerate(self.conditions):
            unassigned = branch_of == -1
            branch_of[unassigned & condition.evaluate_columns(columns, n)] = k
        if self.has_default:
            branch_of[branch_of == -1] = len(self.conditions)
        elif n and (branch_of == -1).any():
            raise self._no_match()
        return _assemble(rng, n, branch_of, self.branches, attributes)

    def sample_one(self, rng: np.random.Generator, attributes: Attributes | None = None) -> Any:
        values = attributes or {}
        for condition, branch in zip(self.conditions, self.branches, strict=False):
            if condition.evaluate(values):
                return branch.sample_one(rng, attributes)
        if not self.has_default:
            raise self._no_match()
        return self.branches[-1].sample_one(rng, attributes)

    def support(self) -> tuple[float, float]:
        lows, highs = zip(*(b.support() for b in self.branches), strict=True)
        return (min(lows), max(highs))


class MixtureSampler(Sampler):
    """Each draw comes from one component, chosen by weight."""

    def __init__(self, weights: Sequence[float], components: Sequence[Sampler]) -> None:
        self.chooser = ChoiceSampler(list(range(len(components))), weights)
        self.components = list(components)
        self.names = frozenset().union(*(c.names for c in components))

    def sample(self, rng: np.random.Generator, n: int, attributes: Attributes | None = None):
        return _assemble(rng, n, self.chooser.sample(rng, n), self.components, attributes)

    def sample_one(self, rng: np.random.Generator, attributes: Attributes | None = None) -> Any:
        return self.components[self.chooser.sample_one(rng)].sample_one(rng, attributes)

    def expected_mean(self) -> float | None:
        means = [c.expected_mean() for c in self.components]
        if any(m is None for m in means):
            return None
        return float(np.dot(self.chooser.weights, means))

    def support(self) -> tuple[float, float]:
        lows, highs = zip(*(c.support() for c in self.components), strict=True)
        return (min(lows), max(highs))
