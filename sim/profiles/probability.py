"""Per-person probabilities: a constant, or rules on the person's attributes."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np

from sim.expressions import Expression, compile_condition
from sim.profiles.spec import ReferencePrevalence, RuledProbability

__all__ = ["ProbabilityModel", "ReferenceProbability", "compile_probability"]


@dataclass(frozen=True)
class ProbabilityModel:
    constant: float | None
    conditions: tuple[Expression, ...] = ()
    values: tuple[float, ...] = ()
    default: float = 0.0

    @property
    def names(self) -> frozenset[str]:
        return frozenset().union(*(c.names for c in self.conditions))

    def probabilities(self, columns: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        if self.constant is not None:
            return np.full(n, self.constant)
        result = np.full(n, np.nan)
        for condition, value in zip(self.conditions, self.values, strict=True):
            unassigned = np.isnan(result)
            result[unassigned & condition.evaluate_columns(columns, n)] = value
        result[np.isnan(result)] = self.default
        return result


@dataclass(frozen=True)
class ReferenceProbability:
    """The person's county's PLACES prevalence of ``measure``, graded by age."""

    measure: str
    names: frozenset[str] = frozenset({"age", "county_fips"})

    def probabilities(self, columns: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        from sim.reference import county_condition_probability

        return county_condition_probability(self.measure, columns["age"], columns["county_fips"])


def compile_probability(
    spec: float | RuledProbability | ReferencePrevalence, known: Collection[str], path: tuple
) -> ProbabilityModel | ReferenceProbability:
    if isinstance(spec, ReferencePrevalence):
        return ReferenceProbability(spec.reference)
    if not isinstance(spec, RuledProbability):
        return ProbabilityModel(constant=float(spec))
    conditions = []
    for i, rule in enumerate(spec.rules):
        rule_path = (*path, "rules", i, "if")
        condition = compile_condition(rule.condition, path=rule_path)
        condition.check_names(known, path=rule_path)
        conditions.append(condition)
    return ProbabilityModel(
        constant=None,
        conditions=tuple(conditions),
        values=tuple(rule.value for rule in spec.rules),
        default=spec.default,
    )
