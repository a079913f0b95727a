"""``ProfileSpecification``: who is generated. Frozen pydantic models; unknown keys are errors."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.distributions import DistributionSpec
from sim.distributions.specs import NUMBER, check_weights

__all__ = [
    "MAX_PERSONS",
    "ClinicalSpec",
    "ConditionSpec",
    "CoverageSpec",
    "DemographicsSpec",
    "GenerationSpec",
    "GeographySpec",
    "MedicationSpec",
    "ProbabilityRule",
    "ProfileSpecification",
    "ReferencePrevalence",
    "RuledProbability",
    "SupportedDate",
    "condition_flag",
]

MAX_PERSONS = 100_000_000
DEFAULT_REFERENCE_DATE = dt.date(2025, 1, 1)
#: reference and start dates runs support: every birth date (up to 120 years before) and event
#: date (up to a century after) stays a calendar date
SupportedDate = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2199, 12, 31))]
Product = Literal["patientsim", "membersim", "rxmembersim", "trialsim"]
CoverageType = Literal[
    "Medicare", "Medicare Advantage", "Medicaid", "CHIP", "Commercial", "Exchange", "Uninsured"
]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False), NUMBER]


def condition_flag(code: str) -> str:
    """The attribute that says a person has a condition: ``E78.5`` -> ``has_E78_5``."""
    return "has_" + re.sub(r"[^0-9A-Za-z]", "_", code)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ProbabilityRule(_Model):
    condition: str | dict[str, Any] = Field(alias="if")
    value: Probability


class ReferencePrevalence(_Model):
    """The adult PLACES prevalence of ``measure`` in the person's own county, graded by age
    (children: pediatric rates). See docs/reference-data.md."""

    reference: str

    @field_validator("reference")
    @classmethod
    def _known_measure(cls, measure: str) -> str:
        from sim.reference import MEASURES

        if measure not in MEASURES:
            raise ValueError(
                f"unknown reference measure '{measure}' (one of {', '.join(MEASURES)})"
            )
        return measure


class RuledProbability(_Model):
    """A probability that depends on the person: the first matching rule, else the default."""

    rules: list[ProbabilityRule] = Field(min_length=1)
    default: Probability


class GenerationSpec(_Model):
    count: Annotated[int, Field(ge=1, le=MAX_PERSONS), NUMBER] = 1000
    seed: Annotated[int, Field(ge=0, le=2**63 - 1), NUMBER] = 42
    products: list[Product] = Field(default_factory=lambda: ["patientsim"])
    reference_date: SupportedDate = DEFAULT_REFERENCE_DATE
    names: bool = True
    validation: Literal["strict", "lenient"] = "strict"


class GeographySpec(_Model):
    """Where people live: one county, a state, a list of counties, or the nation."""

    county: str | None = None
    state: str | None = None
    counties: list[str] | None = None
    national: bool = False
    #: take age, sex, race/ethnicity and adult prevalences from the reference data
    use_reference: bool = True

    @field_validator("county", mode="before")
    @classmethod
    def _fips_text(cls, value: Any) -> Any:
        return f"{value:05d}" if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("counties", mode="before")
    @classmethod
    def _fips_texts(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [
                f"{v:05d}" if isinstance(v, int) and not isinstance(v, bool) else v for v in value
            ]
        return value

    def as_reference(self) -> dict[str, Any] | None:
        """The mapping ``resolve_geography`` takes (None: the nation)."""
        for key in ("county", "state", "counties"):
            if getattr(self, key) is not None:
                return {key: getattr(self, key)}
        return None

    @model_validator(mode="after")
    def _exactly_one(self) -> GeographySpec:
        given = [
            self.county is not None,
            self.state is not None,
            self.counties is not None,
            self.national,
        ]
        if sum(given) != 1:
            raise ValueError("give exactly one of county, state, counties or national")
        return self


class DemographicsSpec(_Model):
    age: DistributionSpec | None = None
    sex: DistributionSpec | None = None
    race_ethnicity: DistributionSpec | None = None
    #: ages outside these are not generated (hybrid profiles: "Harris County, but 65+ only")
    min_age: Annotated[int, Field(ge=0, le=120), NUMBER] | None = None
    max_age: Annotated[int, Field(ge=0, le=120), NUMBER] | None = None

    @model_validator(mode="after")
    def _age_range(self) -> DemographicsSpec:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"min_age ({self.min_age}) is greater than max_age ({self.max_age})")
        return self


class ConditionSpec(_Model):
    """A diagnosis with its prevalence: a number, or rules on earlier attributes."""

    code: Annotated[str, Field(min_length=1, max_length=16)]
    description: str = ""
    prevalence: Probability | RuledProbability | ReferencePrevalence
    severity: DistributionSpec | None = None

    @field_validator("code")
    @classmethod
    def _code_shape(cls, code: str) -> str:
        if not re.fullmatch(r"[A-Z][0-9A-Z]{1,2}(\.[0-9A-Z]{1,4})?", code):
            raise ValueError(f"'{code}' is not an ICD-10-CM code such as 'E11' or 'E78.5'")
        return code


class MedicationSpec(_Model):
    drug: str
    drug_class: str | None = Field(default=None, alias="class")
    rxnorm: str | None = None
    prevalence: Probability | RuledProbability


class ClinicalSpec(_Model):
    primary_condition: ConditionSpec | None = None
    comorbidities: list[ConditionSpec] = Field(default_factory=list)
    labs: dict[str, DistributionSpec] = Field(default_factory=dict)
    medications: list[MedicationSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_codes(self) -> ClinicalSpec:
        codes = [c.code for c in self.conditions()]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"condition {duplicates[0]} is listed twice")
        return self

    def conditions(self) -> list[ConditionSpec]:
        primary = [self.primary_condition] if self.primary_condition else []
        return [*primary, *self.comorbidities]


class CoverageSpec(_Model):
    """Coverage type (fixed, a distribution, or by age when omitted) and the plan mix."""

    type: CoverageType | DistributionSpec | None = None
    plan_distribution: dict[str, Probability] | None = None
    #: why someone under 65 has Medicare (disability, ESRD); required if that can happen
    medicare_under_65_reasons: dict[str, Probability] | None = None

    @field_validator("plan_distribution", "medicare_under_65_reasons")
    @classmethod
    def _weights(cls, weights: dict[str, float] | None) -> dict[str, float] | None:
        if weights is not None:
            check_weights(list(weights.values()))
        return weights


class ProfileSpecification(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)] = "profile"
    name: str = ""
    description: str = ""
    generation: GenerationSpec = Field(default_factory=GenerationSpec)
    demographics: DemographicsSpec = Field(default_factory=DemographicsSpec)
    geography: GeographySpec | None = None
    clinical: ClinicalSpec = Field(default_factory=ClinicalSpec)
    coverage: CoverageSpec | None = None
    #: further person attributes, each a distribution (may read earlier attributes)
    attributes: dict[str, DistributionSpec] = Field(default_factory=dict)

    @field_validator("attributes")
    @classmethod
    def _attribute_names(cls, attributes: dict[str, Any]) -> dict[str, Any]:
        for name in attributes:
            if not name.isidentifier():
                raise ValueError(f"attribute name '{name}' is not an identifier")
        return attributes
