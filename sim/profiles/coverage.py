"""Coverage type and plan, consistent with age.

Defaults when a profile gives no coverage type (shares of the US population by age,
KFF analysis of the 2022 American Community Survey, rounded; plans: KFF Employer Health
Benefits Survey 2023 for commercial plan types, KFF 2023 for Medicare Advantage's share,
CMS 2023 Open Enrollment for metal levels, KFF for Medicaid managed care's share).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from sim.distributions import Sampler, create_distribution
from sim.distributions.discrete import ChoiceSampler
from sim.errors import SpecError
from sim.profiles.spec import CoverageSpec

__all__ = ["DEFAULT_PLANS", "CompiledCoverage", "compile_coverage"]

CHILD_MAX_AGE = 18
MEDICARE_AGE = 65

COVERAGE_BY_AGE = {
    "child": {"Commercial": 0.50, "Medicaid": 0.38, "Exchange": 0.06, "Uninsured": 0.06},
    "adult": {"Commercial": 0.62, "Exchange": 0.07, "Medicaid": 0.19, "Uninsured": 0.12},
}
DEFAULT_PLANS = {
    "Medicare": {"Medicare Advantage": 0.51, "Original Medicare": 0.49},
    "Commercial": {"PPO": 0.47, "HDHP": 0.29, "HMO": 0.13, "POS": 0.11},
    "Medicaid": {"Medicaid Managed Care": 0.74, "Medicaid Fee-for-Service": 0.26},
    "CHIP": {"CHIP": 1.0},
    "Exchange": {"Silver": 0.55, "Bronze": 0.30, "Gold": 0.13, "Platinum": 0.02},
    "Uninsured": {"None": 1.0},
}
DEFAULT_UNDER_65_REASONS = {"disability": 0.9, "esrd": 0.1}


@dataclass(frozen=True)
class CompiledCoverage:
    type_sampler: Sampler | None
    plan_sampler: Sampler | None
    reasons: Sampler | None
    path: tuple
    by_type_plans: dict[str, Sampler] = field(default_factory=dict)
    by_age: dict[str, Sampler] = field(default_factory=dict)

    def sample(
        self, rng: np.random.Generator, columns: Mapping[str, np.ndarray], n: int
    ) -> dict[str, np.ndarray]:
        ages = columns["age"]
        if self.type_sampler is None:
            types = np.where(
                ages >= MEDICARE_AGE,
                "Medicare",
                np.where(
                    ages <= CHILD_MAX_AGE,
                    self.by_age["child"].sample(rng, n),
                    self.by_age["adult"].sample(rng, n),
                ),
            ).astype(object)
        else:
            types = np.asarray(self.type_sampler.sample(rng, n, columns), dtype=object)
        types[types == "Medicare Advantage"] = "Medicare"
        under_65 = (types == "Medicare") & (ages < MEDICARE_AGE)
        if under_65.any() and self.reasons is None:
            raise SpecError(
                f"{int(under_65.sum())} persons under 65 were given Medicare",
                path=(*self.path, "type"),
                hint="add coverage.medicare_under_65_reasons (disability, esrd) or restrict ages",
            )
        chip_adults = (types == "CHIP") & (ages > CHILD_MAX_AGE)
        if chip_adults.any():
            raise SpecError(
                f"{int(chip_adults.sum())} persons over {CHILD_MAX_AGE} were given CHIP",
                path=(*self.path, "type"),
                hint="CHIP covers children: restrict ages or choose Medicaid",
            )
        reasons = np.full(n, None, dtype=object)
        reasons[(types == "Medicare") & ~under_65] = "age"
        if self.reasons is not None and under_65.any():
            reasons[under_65] = self.reasons.sample(rng, int(under_65.sum()))
        return {
            "coverage_type": types,
            "plan": self._plans(rng, types, n),
            "medicare_reason": reasons,
        }

    def _plans(self, rng: np.random.Generator, types: np.ndarray, n: int) -> np.ndarray:
        if self.plan_sampler is not None:
            return np.asarray(self.plan_sampler.sample(rng, n), dtype=object)
        plans = np.empty(n, dtype=object)
        for kind, sampler in self.by_type_plans.items():
            where = np.flatnonzero(types == kind)
            if where.size:
                plans[where] = sampler.sample(rng, where.size)
        return plans


def _choice(weights: Mapping[str, float]) -> ChoiceSampler:
    return ChoiceSampler(list(weights), list(weights.values()))


def compile_coverage(
    spec: CoverageSpec | None,
    *,
    age_support: tuple[float, float],
    known: set[str],
    path: tuple = ("coverage",),
) -> CompiledCoverage:
    spec = spec or CoverageSpec()
    reasons = _choice(spec.medicare_under_65_reasons) if spec.medicare_under_65_reasons else None
    fixed = spec.type if isinstance(spec.type, str) else None
    medicare = fixed in ("Medicare", "Medicare Advantage")
    if medicare and age_support[0] < MEDICARE_AGE and not reasons:
        raise SpecError(
            "coverage is Medicare but ages below 65 can be generated",
            path=(*path, "type"),
            hint="add medicare_under_65_reasons (disability, esrd) or set the age minimum to 65",
        )
    if fixed == "CHIP" and age_support[1] > CHILD_MAX_AGE:
        raise SpecError(
            "coverage is CHIP but adults can be generated",
            path=(*path, "type"),
            hint="CHIP covers children under 19",
        )
    if spec.plan_distribution is not None and fixed is None:
        raise SpecError(
            "plan_distribution needs a single coverage type", path=(*path, "plan_distribution")
        )
    plan_weights = spec.plan_distribution
    if plan_weights is None and fixed == "Medicare Advantage":
        plan_weights = {"Medicare Advantage": 1.0}
    if plan_weights is None and fixed is not None:
        plan_weights = DEFAULT_PLANS[fixed]
    type_sampler: Sampler | None = None
    if fixed is not None:
        type_sampler = create_distribution({"type": "fixed", "value": fixed})
    elif spec.type is not None:
        type_sampler = create_distribution(spec.type, attributes=known, path=(*path, "type"))
    return CompiledCoverage(
        type_sampler=type_sampler,
        plan_sampler=_choice(plan_weights) if plan_weights else None,
        reasons=reasons or (_choice(DEFAULT_UNDER_65_REASONS) if spec.type is None else None),
        path=path,
        by_type_plans={kind: _choice(w) for kind, w in DEFAULT_PLANS.items()},
        by_age={group: _choice(w) for group, w in COVERAGE_BY_AGE.items()},
    )
