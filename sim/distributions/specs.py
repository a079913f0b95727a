"""Declarative distribution specs: frozen pydantic models discriminated by ``type``."""

from __future__ import annotations

import itertools
import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

__all__ = [
    "NUMBER",
    "AgeBandsSpec",
    "BetaSpec",
    "CategoricalSpec",
    "ConditionalRule",
    "ConditionalSpec",
    "DistributionSpec",
    "EmpiricalSpec",
    "ExplicitSpec",
    "ExplicitValue",
    "ExponentialSpec",
    "FixedSpec",
    "GammaSpec",
    "LogNormalSpec",
    "MixtureComponent",
    "MixtureSpec",
    "NegativeBinomialSpec",
    "NormalSpec",
    "PoissonSpec",
    "TriangularSpec",
    "UniformSpec",
    "WeibullSpec",
]

WEIGHT_TOLERANCE = 0.001


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number")
    return value


#: a value a distribution returns as it is (fixed, explicit): NaN and infinity are no values
Scalar = Annotated[str | int | float | bool, BeforeValidator(_finite)]


def _not_a_boolean(value: Any) -> Any:
    # YAML reads true/false, yes/no and on/off as booleans, which pydantic would take as 1 and 0
    if isinstance(value, bool):
        raise ValueError(f"expected a number, not {str(value).lower()}")
    return value


#: after a number field's constraints (it runs before them): a boolean is not a number
NUMBER = BeforeValidator(_not_a_boolean)
FiniteFloat = Annotated[float, Field(allow_inf_nan=False), NUMBER]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False), NUMBER]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False), NUMBER]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_weights(weights: list[float]) -> None:
    """Weights must sum to 1 within the tolerance (DESIGN.md); the caller names the field."""
    if not weights:
        raise ValueError("needs at least one weight")
    total = math.fsum(weights)
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise ValueError(f"weights sum to {total:g}, not 1 (tolerance {WEIGHT_TOLERANCE})")


class _Bounded(_Spec):
    """Optional ``min``/``max``: the distribution is truncated to them, never clamped."""

    min: FiniteFloat | None = Field(
        default=None, description="Lower bound: the distribution is truncated to it."
    )
    max: FiniteFloat | None = Field(
        default=None, description="Upper bound: the distribution is truncated to it."
    )

    @model_validator(mode="after")
    def _bounds_ordered(self) -> _Bounded:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        return self


class CategoricalSpec(_Spec):
    """Named categories with weights that sum to 1."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "categorical", "weights": {"F": 0.51, "M": 0.49}}]}
    )

    type: Literal["categorical"]
    weights: dict[str, NonNegativeFloat] = Field(
        min_length=1, description="Category -> weight; the weights sum to 1."
    )

    @field_validator("weights", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {str(k) if not isinstance(k, str) else k: v for k, v in value.items()}
        return value

    @field_validator("weights")
    @classmethod
    def _weights_sum_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        check_weights(list(value.values()))
        return value


class NormalSpec(_Bounded):
    """Gaussian; with bounds, the truncated normal."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"type": "normal", "mean": 72, "std_dev": 8, "min": 65, "max": 95}]
        }
    )

    type: Literal["normal"]
    mean: FiniteFloat = Field(description="Mean before truncation.")
    std_dev: NonNegativeFloat = Field(description="Standard deviation before truncation.")


class LogNormalSpec(_Bounded):
    """``mean``/``std_dev`` are the output's arithmetic moments; ``mu``/``sigma`` the log's."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "log_normal", "mean": 5000, "std_dev": 8000}]}
    )

    type: Literal["log_normal"]
    mean: PositiveFloat | None = Field(
        default=None, description="Arithmetic mean of the output (with `std_dev`)."
    )
    std_dev: PositiveFloat | None = Field(
        default=None, description="Arithmetic standard deviation of the output (with `mean`)."
    )
    mu: FiniteFloat | None = Field(
        default=None, description="Mean of the underlying normal, of log(x) (with `sigma`)."
    )
    sigma: PositiveFloat | None = Field(
        default=None,
        description="Standard deviation of the underlying normal, of log(x) (with `mu`).",
    )

    @model_validator(mode="after")
    def _one_parameterisation(self) -> LogNormalSpec:
        arithmetic = self.mean is not None or self.std_dev is not None
        log_scale = self.mu is not None or self.sigma is not None
        if arithmetic and log_scale:
            raise ValueError("give either mean/std_dev or mu/sigma, not a mix")
        if arithmetic and (self.mean is None or self.std_dev is None):
            raise ValueError("mean and std_dev go together")
        if log_scale and (self.mu is None or self.sigma is None):
            raise ValueError("mu and sigma go together")
        if not arithmetic and not log_scale:
            raise ValueError("needs mean/std_dev or mu/sigma")
        if self.min is not None and self.min < 0:
            raise ValueError("min of a log-normal cannot be negative")
        return self

    def log_parameters(self) -> tuple[float, float]:
        if self.mu is not None and self.sigma is not None:
            return self.mu, self.sigma
        assert self.mean is not None and self.std_dev is not None
        sigma_squared = math.log1p((self.std_dev / self.mean) ** 2)
        return math.log(self.mean) - sigma_squared / 2, math.sqrt(sigma_squared)


class UniformSpec(_Spec):
    """Every value between ``min`` and ``max`` equally likely."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "uniform", "min": 0, "max": 30}]}
    )

    type: Literal["uniform"]
    min: FiniteFloat = Field(description="Smallest value.")
    max: FiniteFloat = Field(description="Largest value.")

    @model_validator(mode="after")
    def _ordered(self) -> UniformSpec:
        if self.min > self.max:
            raise ValueError(f"min ({self.min:g}) is greater than max ({self.max:g})")
        return self


_BAND = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)|(\+))\s*$")


def parse_band(label: str) -> tuple[int, int | None]:
    """``"18-64"`` -> (18, 64); ``"65+"`` -> (65, None)."""
    match = _BAND.match(label)
    if not match:
        raise ValueError(f"age band '{label}' is not like '18-64' or '65+'")
    low = int(match.group(1))
    high = None if match.group(3) else int(match.group(2))
    if high is not None and high < low:
        raise ValueError(f"age band '{label}' ends before it starts")
    return low, high


class AgeBandsSpec(_Spec):
    """Census-style bands with weights; an integer age is uniform within its band."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"type": "age_bands", "bands": {"0-17": 0.22, "18-64": 0.61, "65+": 0.17}}]
        }
    )

    type: Literal["age_bands"]
    bands: dict[str, NonNegativeFloat] = Field(
        min_length=1,
        description='Band label ("18-64", both ends included, or "65+") -> weight; bands do '
        "not overlap and the weights sum to 1.",
    )
    open_band_max: Annotated[int, Field(ge=0, le=120), NUMBER] = Field(
        default=90, description='Oldest age of an open band ("65+").'
    )

    @field_validator("bands")
    @classmethod
    def _valid_bands(cls, value: dict[str, float]) -> dict[str, float]:
        # An open band ("65+") sorts after a closed one starting at the same age.
        spans = sorted(
            (parse_band(label) for label in value),
            key=lambda span: (span[0], math.inf if span[1] is None else span[1]),
        )
        for (_low_a, high_a), (low_b, _) in itertools.pairwise(spans):
            if high_a is None or high_a >= low_b:
                raise ValueError(f"age bands overlap at {low_b}")
        check_weights(list(value.values()))
        return value

    @model_validator(mode="after")
    def _open_band_fits(self) -> AgeBandsSpec:
        for label in self.bands:
            low, high = parse_band(label)
            if high is None and low > self.open_band_max:
                raise ValueError(f"band '{label}' starts above open_band_max {self.open_band_max}")
        return self

    def spans(self) -> list[tuple[int, int]]:
        return [
            (low, high if high is not None else self.open_band_max)
            for low, high in map(parse_band, self.bands)
        ]


class ExplicitValue(_Spec):
    """One value of an ``explicit`` distribution, with its weight."""

    value: Scalar = Field(description="The value (a number, a text or a boolean).")
    weight: NonNegativeFloat | None = Field(
        default=None, description="Its weight; every value has one, or none has."
    )


class ExplicitSpec(_Spec):
    """A list of values, equally likely, or each with a weight (weights then sum to 1)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "explicit", "values": ["E11.9", "E11.65"]}]}
    )

    type: Literal["explicit"]
    values: list[Scalar | ExplicitValue] = Field(
        min_length=1, description="Plain values (equally likely), or values with a weight."
    )

    @field_validator("values")
    @classmethod
    def _weights_all_or_none(cls, values: list[Any]) -> list[Any]:
        weighted = [isinstance(v, ExplicitValue) and v.weight is not None for v in values]
        if any(weighted) and not all(weighted):
            raise ValueError("either every value has a weight or none has")
        if all(weighted):
            check_weights([v.weight for v in values])
        return values

    def items(self) -> tuple[list[Any], list[float] | None]:
        plain = [v.value if isinstance(v, ExplicitValue) else v for v in self.values]
        weights = [v.weight for v in self.values if isinstance(v, ExplicitValue)]
        return plain, (weights if len(weights) == len(plain) and None not in weights else None)


class FixedSpec(_Spec):
    """Always the same value."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"type": "fixed", "value": 30}]})

    type: Literal["fixed"]
    value: Scalar = Field(description="The value (a number, a text or a boolean).")


class ExponentialSpec(_Bounded):
    """Waiting times: ``mean`` (or ``rate`` = 1/mean), optionally truncated."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "exponential", "mean": 14, "max": 90}]}
    )

    type: Literal["exponential"]
    mean: PositiveFloat | None = Field(
        default=None, description="Mean before truncation (or give `rate`)."
    )
    rate: PositiveFloat | None = Field(default=None, description="1 / mean (or give `mean`).")

    @model_validator(mode="after")
    def _mean_or_rate(self) -> ExponentialSpec:
        if (self.mean is None) == (self.rate is None):
            raise ValueError("give exactly one of mean or rate")
        return self

    @property
    def scale(self) -> float:
        return self.mean if self.mean is not None else 1.0 / self.rate  # type: ignore[operator]


class GammaSpec(_Bounded):
    """``shape``/``scale``, or the output's ``mean``/``std_dev``."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "gamma", "mean": 4.5, "std_dev": 2.5, "min": 1}]}
    )

    type: Literal["gamma"]
    shape: PositiveFloat | None = Field(default=None, description="Shape k (with `scale`).")
    scale: PositiveFloat | None = Field(default=None, description="Scale theta (with `shape`).")
    mean: PositiveFloat | None = Field(
        default=None, description="Mean before truncation (with `std_dev`)."
    )
    std_dev: PositiveFloat | None = Field(
        default=None, description="Standard deviation before truncation (with `mean`)."
    )

    @model_validator(mode="after")
    def _one_parameterisation(self) -> GammaSpec:
        natural = self.shape is not None and self.scale is not None
        moments = self.mean is not None and self.std_dev is not None
        given = [x is not None for x in (self.shape, self.scale, self.mean, self.std_dev)]
        if natural == moments or sum(given) != 2:
            raise ValueError("give either shape/scale or mean/std_dev")
        return self

    def natural(self) -> tuple[float, float]:
        if self.shape is not None and self.scale is not None:
            return self.shape, self.scale
        assert self.mean is not None and self.std_dev is not None
        return (self.mean / self.std_dev) ** 2, self.std_dev**2 / self.mean


class WeibullSpec(_Bounded):
    """Times to failure or discontinuation: ``shape`` and ``scale``, optionally truncated."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "weibull", "shape": 1.5, "scale": 200}]}
    )

    type: Literal["weibull"]
    shape: PositiveFloat = Field(
        description="Below 1 the hazard falls with time, above 1 it rises."
    )
    scale: PositiveFloat = Field(default=1.0, description="Scale (characteristic life).")


class TriangularSpec(_Spec):
    """An expert's estimate: shortest, usual and longest."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "triangular", "min": 3, "mode": 7, "max": 28}]}
    )

    type: Literal["triangular"]
    min: FiniteFloat = Field(description="Smallest value.")
    mode: FiniteFloat = Field(description="Most likely value, between `min` and `max`.")
    max: FiniteFloat = Field(description="Largest value.")

    @model_validator(mode="after")
    def _ordered(self) -> TriangularSpec:
        if not self.min <= self.mode <= self.max:
            raise ValueError("needs min <= mode <= max")
        if self.min == self.max:
            raise ValueError("min and max must differ")
        return self


class PoissonSpec(_Spec):
    """Counts of independent events."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"type": "poisson", "mean": 3.2}]})

    type: Literal["poisson"]
    mean: NonNegativeFloat = Field(description="Mean count (also the variance).")


class NegativeBinomialSpec(_Spec):
    """Over-dispersed counts: ``mean`` and ``dispersion`` (k; variance = mean + mean^2/k),
    or numpy's ``n``/``p``."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"type": "negative_binomial", "mean": 1.4, "dispersion": 0.8}]
        }
    )

    type: Literal["negative_binomial"]
    mean: NonNegativeFloat | None = Field(
        default=None, description="Mean count (with `dispersion`)."
    )
    dispersion: PositiveFloat | None = Field(
        default=None, description="k: variance = mean + mean^2 / k (with `mean`)."
    )
    n: PositiveFloat | None = Field(default=None, description="numpy's n (with `p`).")
    p: Annotated[float, Field(gt=0, le=1), NUMBER] | None = Field(
        default=None, description="numpy's p (with `n`)."
    )

    @model_validator(mode="after")
    def _one_parameterisation(self) -> NegativeBinomialSpec:
        moments = self.mean is not None and self.dispersion is not None
        natural = self.n is not None and self.p is not None
        given = [x is not None for x in (self.mean, self.dispersion, self.n, self.p)]
        if moments == natural or sum(given) != 2:
            raise ValueError("give either mean/dispersion or n/p")
        return self

    def natural(self) -> tuple[float, float]:
        if self.n is not None and self.p is not None:
            return self.n, self.p
        assert self.mean is not None and self.dispersion is not None
        return self.dispersion, self.dispersion / (self.dispersion + self.mean)


class BetaSpec(_Spec):
    """Proportions in [0, 1] (adherence, shares)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "beta", "alpha": 8, "beta": 2}]}
    )

    type: Literal["beta"]
    alpha: PositiveFloat = Field(description="alpha; the mean is alpha / (alpha + beta).")
    beta: PositiveFloat = Field(description="beta.")


class EmpiricalSpec(_Spec):
    """A histogram: ``edges`` (n+1, increasing) and ``weights`` (n); uniform within a bin."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"type": "empirical", "edges": [1, 3, 8, 30], "weights": [0.5, 0.4, 0.1]}]
        }
    )

    type: Literal["empirical"]
    edges: list[FiniteFloat] = Field(
        min_length=2, description="Bin edges, increasing: one more than the weights."
    )
    weights: list[NonNegativeFloat] = Field(
        min_length=1, description="One weight per bin; they sum to 1."
    )

    @field_validator("edges")
    @classmethod
    def _increasing(cls, edges: list[float]) -> list[float]:
        if any(b <= a for a, b in itertools.pairwise(edges)):
            raise ValueError("edges must increase")
        return edges

    @field_validator("weights")
    @classmethod
    def _weights_sum_to_one(cls, weights: list[float]) -> list[float]:
        check_weights(weights)
        return weights

    @model_validator(mode="after")
    def _one_weight_per_bin(self) -> EmpiricalSpec:
        if len(self.weights) != len(self.edges) - 1:
            raise ValueError(
                f"{len(self.edges) - 1} bins need {len(self.edges) - 1} weights, "
                f"got {len(self.weights)}"
            )
        return self


class MixtureComponent(_Spec):
    """One component of a ``mixture``."""

    weight: NonNegativeFloat = Field(description="Share of the values drawn from it.")
    distribution: DistributionSpec = Field(description="The component's distribution.")


class MixtureSpec(_Spec):
    """Each value comes from one component, chosen by weight."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "mixture",
                    "components": [
                        {"weight": 0.3, "distribution": {"type": "fixed", "value": 0}},
                        {
                            "weight": 0.7,
                            "distribution": {"type": "log_normal", "mean": 900, "std_dev": 1500},
                        },
                    ],
                }
            ]
        }
    )

    type: Literal["mixture"]
    components: list[MixtureComponent] = Field(
        min_length=1, description="The components; their weights sum to 1."
    )

    @field_validator("components")
    @classmethod
    def _weights_sum_to_one(cls, components: list[MixtureComponent]) -> list[MixtureComponent]:
        check_weights([c.weight for c in components])
        return components


Condition = str | dict[str, Any]


class ConditionalRule(_Spec):
    """``if``: a text expression or a structured condition; the first matching rule wins."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    condition: Condition = Field(
        alias="if",
        description="A text expression or a structured condition on the person's attributes.",
        examples=["severity == 'uncontrolled' and age >= 65"],
    )
    distribution: DistributionSpec = Field(description="The distribution when it holds.")


class ConditionalSpec(_Spec):
    """A distribution chosen by rules on the person's attributes: the first that holds."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "conditional",
                    "rules": [
                        {
                            "if": "severity == 'uncontrolled'",
                            "distribution": {"type": "normal", "mean": 9.5, "std_dev": 1},
                        }
                    ],
                    "default": {"type": "normal", "mean": 6.8, "std_dev": 0.5},
                }
            ]
        }
    )

    type: Literal["conditional"]
    rules: list[ConditionalRule] = Field(
        min_length=1, description="Rules in order; the first whose `if` holds is used."
    )
    default: DistributionSpec | None = Field(
        default=None,
        description="For persons no rule matches (without it, such a person is an error).",
    )


DistributionSpec = Annotated[
    CategoricalSpec
    | NormalSpec
    | LogNormalSpec
    | UniformSpec
    | AgeBandsSpec
    | ExplicitSpec
    | ConditionalSpec
    | FixedSpec
    | ExponentialSpec
    | GammaSpec
    | WeibullSpec
    | TriangularSpec
    | PoissonSpec
    | NegativeBinomialSpec
    | BetaSpec
    | EmpiricalSpec
    | MixtureSpec,
    Field(discriminator="type"),
]

MixtureComponent.model_rebuild()
ConditionalRule.model_rebuild()
