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
    """One rule of a ruled probability: the value when the condition holds."""

    condition: str | dict[str, Any] = Field(
        alias="if",
        description="A condition on attributes drawn earlier (text or structured).",
        examples=["severity == 'uncontrolled' and age >= 75"],
    )
    value: Probability = Field(description="The probability when it holds.")


class ReferencePrevalence(_Model):
    """The adult PLACES prevalence of the ``reference`` measure in the person's own county,
    graded by age (children: pediatric rates); see the reference data guide."""

    reference: str = Field(
        description="A PLACES measure: diabetes, obesity, hypertension, high_cholesterol, "
        "asthma, copd, chd, stroke, ckd, depression, cancer, arthritis or smoking.",
        examples=["diabetes"],
    )

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

    rules: list[ProbabilityRule] = Field(
        min_length=1, description="Rules in order; the first that holds gives the probability."
    )
    default: Probability = Field(description="The probability when no rule holds.")


class GenerationSpec(_Model):
    """Defaults of a generation: how many, which seed, which products, ages on which date."""

    count: Annotated[int, Field(ge=1, le=MAX_PERSONS), NUMBER] = Field(
        default=1000, description="Persons when no count is given."
    )
    seed: Annotated[int, Field(ge=0, le=2**63 - 1), NUMBER] = Field(
        default=42, description="Master seed when no seed is given; 0 is a seed like any other."
    )
    products: list[Product] = Field(
        default_factory=lambda: ["patientsim"],
        description="The products the persons take part in.",
    )
    reference_date: SupportedDate = Field(
        default=DEFAULT_REFERENCE_DATE,
        description="Ages are exact on this date (never the wall clock).",
    )
    names: bool = Field(default=True, description="Generate names and street addresses.")
    validation: Literal["strict", "lenient"] = Field(
        default="strict", description="Accepted for compatibility; generation does not read it."
    )


class GeographySpec(_Model):
    """Where people live: one county, a state, a list of counties, or the nation."""

    county: str | None = Field(
        default=None,
        description="A county: 5-digit FIPS or a name with its state.",
        examples=["48201", "Harris County, TX"],
    )
    state: str | None = Field(
        default=None, description="A state: abbreviation, name or FIPS.", examples=["TX"]
    )
    counties: list[str] | None = Field(
        default=None, description="Several counties (FIPS codes or names with their state)."
    )
    national: bool = Field(default=False, description="Every county of the nation.")
    use_reference: bool = Field(
        default=True,
        description="Take age, sex, race/ethnicity and adult prevalences from the reference "
        "data where the profile does not give them.",
    )

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
    """Age, sex and race/ethnicity: distributions, or the reference data's when omitted."""

    age: DistributionSpec | None = Field(
        default=None, description="Age in whole years on the reference date."
    )
    sex: DistributionSpec | None = Field(default=None, description="Sex: `M` or `F`.")
    race_ethnicity: DistributionSpec | None = Field(
        default=None, description="Race and ethnicity categories."
    )
    min_age: Annotated[int, Field(ge=0, le=120), NUMBER] | None = Field(
        default=None,
        description='Younger ages are not generated (hybrid profiles: "Harris County, but 65+ '
        'only").',
    )
    max_age: Annotated[int, Field(ge=0, le=120), NUMBER] | None = Field(
        default=None, description="Older ages are not generated."
    )

    @model_validator(mode="after")
    def _age_range(self) -> DemographicsSpec:
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValueError(f"min_age ({self.min_age}) is greater than max_age ({self.max_age})")
        return self


class ConditionSpec(_Model):
    """A diagnosis with its prevalence: a number, or rules on earlier attributes."""

    code: Annotated[str, Field(min_length=1, max_length=16)] = Field(
        description="ICD-10-CM code; the person's flag is `has_<code>`.", examples=["E78.5"]
    )
    description: str = Field(default="", description="The condition's name.")
    prevalence: Probability | RuledProbability | ReferencePrevalence = Field(
        description="Share of persons who have it: a number, rules, or the county's reference "
        "prevalence."
    )
    severity: DistributionSpec | None = Field(
        default=None,
        description="Severity of those who have it: column `severity` for the primary "
        "condition, `severity_<code>` for a comorbidity.",
    )

    @field_validator("code")
    @classmethod
    def _code_shape(cls, code: str) -> str:
        if not re.fullmatch(r"[A-Z][0-9A-Z]{1,2}(\.[0-9A-Z]{1,4})?", code):
            raise ValueError(f"'{code}' is not an ICD-10-CM code such as 'E11' or 'E78.5'")
        return code


class MedicationSpec(_Model):
    """A medication the person takes at the start; the flag is ``takes_<drug>``."""

    drug: str = Field(description="Drug name.", examples=["metformin"])
    drug_class: str | None = Field(
        default=None, alias="class", description="Therapeutic class.", examples=["biguanide"]
    )
    rxnorm: str | None = Field(default=None, description="RxNorm code.", examples=["860975"])
    prevalence: Probability | RuledProbability = Field(
        description="Share of persons who take it: a number or rules."
    )


class ClinicalSpec(_Model):
    """Conditions, lab values and medications at the start, drawn in that order."""

    primary_condition: ConditionSpec | None = Field(
        default=None, description="The condition the profile is about."
    )
    comorbidities: list[ConditionSpec] = Field(
        default_factory=list,
        description="Further conditions, drawn in order; rules may read earlier ones.",
    )
    labs: dict[str, DistributionSpec] = Field(
        default_factory=dict, description="Lab name -> distribution of its value: a column each."
    )
    medications: list[MedicationSpec] = Field(
        default_factory=list, description="Medications taken at the start."
    )

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

    type: CoverageType | DistributionSpec | None = Field(
        default=None,
        description="A coverage type, a distribution of them, or by age when omitted.",
    )
    plan_distribution: dict[str, Probability] | None = Field(
        default=None,
        description="Plan label -> share (needs a single coverage type); weights sum to 1.",
        examples=[{"Medicare Advantage": 0.55, "Original Medicare": 0.45}],
    )
    medicare_under_65_reasons: dict[str, Probability] | None = Field(
        default=None,
        description="Why someone under 65 has Medicare (disability, ESRD) -> share; required "
        "if that can happen.",
    )

    @field_validator("plan_distribution", "medicare_under_65_reasons")
    @classmethod
    def _weights(cls, weights: dict[str, float] | None) -> dict[str, float] | None:
        if weights is not None:
            check_weights(list(weights.values()))
        return weights


class ProfileSpecification(_Model):
    """Who is generated: demographics, geography, conditions, labs, medications, coverage."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)] = Field(
        default="profile", description="The profile's id.", examples=["medicare-diabetic"]
    )
    name: str = Field(default="", description="A readable name.")
    description: str = Field(default="", description="Who the profile describes.")
    generation: GenerationSpec = Field(
        default_factory=GenerationSpec, description="Count, seed, products, reference date."
    )
    demographics: DemographicsSpec = Field(
        default_factory=DemographicsSpec, description="Age, sex and race/ethnicity."
    )
    geography: GeographySpec | None = Field(
        default=None, description="Where people live (the nation when omitted)."
    )
    clinical: ClinicalSpec = Field(
        default_factory=ClinicalSpec, description="Conditions, labs and medications."
    )
    coverage: CoverageSpec | None = Field(
        default=None, description="Coverage type and plans (by age when omitted)."
    )
    attributes: dict[str, DistributionSpec] = Field(
        default_factory=dict,
        description="Further person attributes, in order, each a distribution (may read "
        "earlier attributes): a column each.",
    )

    @field_validator("attributes")
    @classmethod
    def _attribute_names(cls, attributes: dict[str, Any]) -> dict[str, Any]:
        for name in attributes:
            if not name.isidentifier():
                raise ValueError(f"attribute name '{name}' is not an identifier")
        return attributes
