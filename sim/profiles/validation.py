"""The validation report: every target of a profile against what was generated.

Each metric has an acceptance interval around its target at a family-wise confidence
(Bonferroni over the report's metrics, 99% by default): if the generator is right, all
metrics pass together with that probability.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from statistics import NormalDist

import numpy as np
import pyarrow as pa

from sim.distributions import Sampler
from sim.distributions.composite import ConditionalSampler
from sim.distributions.discrete import AgeBandsSampler
from sim.profiles.compiled import CompiledProfile

__all__ = ["Metric", "ValidationReport", "validate_population"]


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str  # "share" or "mean"
    target: float
    actual: float
    n: int
    standard_error: float
    low: float = math.nan
    high: float = math.nan
    passed: bool = False


@dataclass(frozen=True)
class ValidationReport:
    metrics: tuple[Metric, ...]
    confidence: float

    @property
    def passed(self) -> bool:
        return all(m.passed for m in self.metrics)

    def failures(self) -> list[Metric]:
        return [m for m in self.metrics if not m.passed]

    def to_arrow(self) -> pa.Table:
        return pa.Table.from_pylist([asdict(m) for m in self.metrics])

    def __iter__(self) -> Iterator[Metric]:
        return iter(self.metrics)


def _columns(table: pa.Table) -> dict[str, np.ndarray]:
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_list(column.type):
            continue
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            columns[name] = np.asarray(column.to_pylist(), dtype=object)
        else:
            columns[name] = column.to_numpy(zero_copy_only=False)
    return columns


class _Collector:
    def __init__(self) -> None:
        self.raw: list[tuple[str, str, float, float, int, float]] = []

    def share(self, name: str, target: float, hits: np.ndarray, p: np.ndarray | None = None):
        n = hits.size
        if n == 0:
            return
        if p is None:
            p = np.full(n, target)
        # Poisson-binomial: persons may each have their own probability.
        se = math.sqrt(float(np.sum(p * (1 - p)))) / n
        self.raw.append((name, "share", target, float(hits.mean()), n, se))

    def mean(self, name: str, target: float | None, values: np.ndarray):
        values = values[~np.isnan(values)] if values.dtype.kind == "f" else values
        if target is None or values.size < 2:
            return
        se = float(values.std(ddof=1)) / math.sqrt(values.size)
        self.raw.append((name, "mean", target, float(values.mean()), values.size, se))

    def categories(self, name: str, sampler: Sampler, values: np.ndarray):
        shares = sampler.expected_shares()
        if shares and len(shares) > 1:
            for category, target in shares.items():
                self.share(f"{name} = {category}", target, values == category)


def validate_population(
    profile: CompiledProfile, table: pa.Table, confidence: float = 0.99
) -> ValidationReport:
    """Compares the profile's targets with the generated persons ``table``."""
    columns = _columns(table)
    n = table.num_rows
    out = _Collector()
    out.categories("sex", profile.sex, columns["sex"])
    out.mean("age (mean)", profile.age.expected_mean(), columns["age"].astype(float))
    _age_bands(out, profile.age, columns, n)
    out.categories("race_ethnicity", profile.race_ethnicity, columns["race_ethnicity"])
    _counties(out, profile, columns["county_fips"])
    for name, sampler in profile.attributes:
        out.categories(name, sampler, columns[name])
    for i, condition in enumerate(profile.conditions):
        p = condition.prevalence.probabilities(columns, n)
        out.share(
            f"{condition.code} prevalence",
            float(p.mean()) if n else 0.0,
            columns[condition.flag],
            p,
        )
        if condition.severity is not None:
            name = "severity" if i == 0 else f"severity_{condition.flag[4:]}"
            has = columns[condition.flag].astype(bool)
            out.categories(f"{condition.code} {name}", condition.severity, columns[name][has])
    for name, sampler in profile.labs:
        _lab(out, name, sampler, columns, n)
    for medication in profile.medications:
        p = medication.prevalence.probabilities(columns, n)
        out.share(
            f"{medication.drug} use", float(p.mean()) if n else 0.0, columns[medication.flag], p
        )
    coverage = profile.coverage
    if coverage is not None:
        if coverage.type_sampler is not None:
            out.categories("coverage_type", coverage.type_sampler, columns["coverage_type"])
        if coverage.plan_sampler is not None:
            out.categories("plan", coverage.plan_sampler, columns["plan"])
    return _judge(out.raw, confidence)


def _age_bands(out: _Collector, sampler: Sampler, columns: dict, n: int) -> None:
    """Band shares of age-band samplers, also per branch of a conditional (age by sex)."""
    ages = columns["age"]
    branches: list[tuple[str, Sampler, np.ndarray]] = [("", sampler, np.ones(n, dtype=bool))]
    if isinstance(sampler, ConditionalSampler):
        branches, taken = [], np.zeros(n, dtype=bool)
        for condition, branch in zip(sampler.conditions, sampler.branches, strict=False):
            where = condition.evaluate_columns(columns, n) & ~taken
            taken |= where
            branches.append((f" where {condition.text}", branch, where))
        if sampler.has_default:
            branches.append((" otherwise", sampler.branches[-1], ~taken))
    for suffix, branch, where in branches:
        if not isinstance(branch, AgeBandsSampler):
            continue
        for low, width, weight in zip(branch.low, branch.width, branch.bands.weights, strict=True):
            high = low + width - 1
            in_band = (ages[where] >= low) & (ages[where] <= high)
            out.share(f"age {low}-{high}{suffix}", float(weight), in_band)


def _counties(out: _Collector, profile: CompiledProfile, fips: np.ndarray) -> None:
    """The shares of the (up to ten) most populous counties of a multi-county place."""
    geography = profile.geography
    if len(geography.county_fips) < 2:
        return
    weights = geography.county_weights
    for row in np.argsort(-weights, kind="stable")[:10]:
        county = geography.county_fips[row]
        out.share(f"county {county}", float(weights[row]), fips == county)


def _lab(out: _Collector, name: str, sampler: Sampler, columns: dict, n: int) -> None:
    values = columns[name].astype(float)
    if not isinstance(sampler, ConditionalSampler):
        out.mean(f"{name} (mean)", sampler.expected_mean(), values)
        return
    taken = np.zeros(n, dtype=bool)
    for condition, branch in zip(sampler.conditions, sampler.branches, strict=False):
        where = condition.evaluate_columns(columns, n) & ~taken
        taken |= where
        out.mean(f"{name} (mean) where {condition.text}", branch.expected_mean(), values[where])
    if sampler.has_default:
        out.mean(f"{name} (mean) otherwise", sampler.branches[-1].expected_mean(), values[~taken])


def _judge(raw: list, confidence: float) -> ValidationReport:
    alpha = (1 - confidence) / max(len(raw), 1)
    z = NormalDist().inv_cdf(1 - alpha / 2)
    metrics = []
    for name, kind, target, actual, n, se in raw:
        # A target of exactly 0 or 1 has no sampling error: it must hold exactly.
        margin = z * se
        low, high = target - margin, target + margin
        passed = low - 1e-12 <= actual <= high + 1e-12
        metrics.append(Metric(name, kind, target, actual, n, se, low, high, passed))
    return ValidationReport(tuple(metrics), confidence)
