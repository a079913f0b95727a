"""``BenefitPlan``: what a health plan makes the member pay, what it pays providers (relative to
Medicare) and how often it denies claims. Frozen; unknown keys are errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from handlers.membersim.carc import ELIGIBILITY_CODES, check_carc
from handlers.membersim.chargemaster import MARKUPS
from sim.errors import SpecError, from_validation_error
from sim.specio import load_spec

__all__ = [
    "SERVICE_CATEGORIES",
    "BenefitPlan",
    "Copays",
    "Denials",
    "IndividualFamily",
    "PlanType",
    "PriceToMedicare",
    "ServiceCategory",
    "load_plan_benefits",
    "parse_plan_benefits",
]

PlanType = Literal[
    "PPO",
    "HMO",
    "EPO",
    "POS",
    "HDHP",
    "Medicare Advantage",
    "Original Medicare",
    "Medicaid",
    "CHIP",
]
ServiceCategory = Literal[
    "office_visit",
    "specialist",
    "urgent_care",
    "emergency",
    "inpatient_admission",
    "lab",
    "imaging",
    "procedure",
    "preventive",
    "rx_tier1",
    "rx_tier2",
    "rx_tier3",
    "rx_tier4",
]
SERVICE_CATEGORIES: tuple[str, ...] = get_args(ServiceCategory)

Usd = Annotated[float, Field(ge=0, le=10_000_000, allow_inf_nan=False)]


def _usd(amount: float) -> str:
    return f"${amount:,.2f}".removesuffix(".00")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IndividualFamily(_Model):
    """A limit per member and per family, in USD. ``family`` is omitted on self-only plans
    (Medicare, Medicaid): there every member has only the individual limit."""

    individual: Usd = Field(description="The limit of one member, USD per plan year.")
    family: Usd | None = Field(
        default=None, description="The limit of the whole family, USD per plan year."
    )

    @field_validator("family")
    @classmethod
    def _covers_an_individual(cls, family: float | None, info: ValidationInfo) -> float | None:
        individual = info.data.get("individual")
        if family is not None and individual is not None and family < individual:
            raise ValueError(f"{_usd(family)} is below the individual amount {_usd(individual)}")
        return family


class Copays(_Model):
    """Fixed amounts per service, in USD; a category left out has no copay."""

    office_visit: Usd | None = Field(default=None, description="Primary care visit.")
    specialist: Usd | None = Field(default=None, description="Specialist visit.")
    urgent_care: Usd | None = Field(default=None, description="Urgent care visit.")
    emergency: Usd | None = Field(default=None, description="Emergency room visit.")
    inpatient_admission: Usd | None = Field(default=None, description="Hospital admission.")
    lab: Usd | None = Field(default=None, description="Laboratory test.")
    imaging: Usd | None = Field(default=None, description="Imaging.")
    procedure: Usd | None = Field(
        default=None,
        description="Surgery, infusions, hospital visits and other professional services.",
    )
    preventive: Usd = Field(
        default=0, description="Preventive care: always 0 (ACA preventive services)."
    )
    rx_tier1: Usd | None = Field(default=None, description="Drug fill, formulary tier 1.")
    rx_tier2: Usd | None = Field(default=None, description="Drug fill, formulary tier 2.")
    rx_tier3: Usd | None = Field(default=None, description="Drug fill, formulary tier 3.")
    rx_tier4: Usd | None = Field(default=None, description="Drug fill, formulary tier 4.")

    @field_validator("preventive")
    @classmethod
    def _free_by_law(cls, copay: float) -> float:
        if copay != 0:
            raise ValueError("must be 0: ACA preventive services have no cost sharing")
        return copay


Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class PriceToMedicare(_Model):
    """What the plan allows, as a multiple of the Medicare amount (fee schedule or DRG payment)."""

    professional: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        default=1.0,
        description="Multiple of the Medicare fee schedule amount; at most the lowest "
        "professional chargemaster markup.",
    )
    institutional: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        default=1.0,
        description="Multiple of the Medicare DRG payment; at most the lowest institutional "
        "chargemaster markup.",
    )

    @field_validator("professional", "institutional")
    @classmethod
    def _below_the_charges(cls, multiple: float, info: ValidationInfo) -> float:
        lowest = MARKUPS[str(info.field_name)].low
        if multiple > lowest:
            raise ValueError(
                f"{multiple} is above {lowest}, the lowest markup of billed charges over "
                "Medicare: the plan would allow more than providers bill"
            )
        return multiple


class Denials(_Model):
    """Initial denial rates by claim adjustment reason code (``CO-16``), per claim type, and
    the share of each code's denials that are corrected, resubmitted and then paid."""

    professional: dict[str, Probability] = Field(
        default={
            "CO-16": 0.04,
            "CO-97": 0.01,
            "CO-50": 0.008,
            "PR-204": 0.006,
            "CO-18": 0.005,
            "CO-197": 0.004,
        },
        description="Code -> share of professional claims first denied with it.",
    )
    institutional: dict[str, Probability] = Field(
        default={
            "CO-16": 0.04,
            "CO-197": 0.03,
            "CO-50": 0.02,
            "CO-97": 0.005,
        },
        description="Code -> share of institutional claims first denied with it.",
    )
    resubmitted: dict[str, Probability] = Field(
        default={"CO-16": 0.7, "CO-197": 0.5, "CO-50": 0.4},
        description="Code -> share of its denials corrected, resubmitted and then paid.",
    )

    @field_validator("professional", "institutional", "resubmitted")
    @classmethod
    def _known_codes(cls, rates: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        for code in rates:
            check_carc(code, path=(code,))
            if code in ELIGIBILITY_CODES.values():
                raise ValueError(f"{code} comes from the enrollment spans, not from a rate")
        if info.field_name != "resubmitted" and sum(rates.values()) > 1:
            raise ValueError(f"the rates add up to {sum(rates.values()):g}, more than 1")
        return rates


class BenefitPlan(_Model):
    """Cost sharing of one plan for one plan year: deductibles, out-of-pocket limits,
    coinsurance and copays, what it allows relative to Medicare, and its denial rates."""

    id: Annotated[str, Field(min_length=1, max_length=100)] = Field(
        description="What claims refer to (`plan_id`).", examples=["commercial-ppo"]
    )
    name: Annotated[str, Field(min_length=1)] = Field(description="A display name.")
    plan_type: PlanType = Field(description="The kind of plan.")
    plan_year_start: Annotated[str, Field(pattern=r"^\d\d-\d\d$")] = Field(
        default="01-01",
        description='Month-day the accumulators reset on ("07-01" for a fiscal-year plan; '
        "quote it in YAML).",
    )
    deductible: IndividualFamily = Field(description="USD per plan year.")
    out_of_pocket_max: IndividualFamily | None = Field(
        description="USD per plan year; caps everything the member pays. Required; null means "
        "no limit (Original Medicare has none)."
    )
    family_deductible: Literal["embedded", "aggregate"] = Field(
        default="embedded",
        description="embedded: a member also stops at the individual deductible; aggregate: "
        "only the family one counts.",
    )
    coinsurance: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)] = Field(
        description="The member's share of what remains after the copay and the deductible."
    )
    copays: Copays = Field(
        default=Copays(), description="USD per service category; a category left out has none."
    )
    copay_only: tuple[ServiceCategory, ...] = Field(
        default=(),
        description="Categories that skip the deductible and the coinsurance: the copay is "
        "the whole share (preventive care always is).",
    )
    premium_pmpm: Usd | None = Field(
        default=None,
        description="Premium per member per month, USD (the premiums table has rows only for "
        "plans that set it).",
    )
    price_to_medicare: PriceToMedicare = Field(
        default=PriceToMedicare(),
        description="What the plan allows, as a multiple of Medicare's amount.",
    )
    denials: Denials = Field(
        default=Denials(), description="Initial denial and resubmission rates."
    )

    @field_validator("plan_year_start")
    @classmethod
    def _real_day(cls, month_day: str) -> str:
        try:
            dt.date(2025, int(month_day[:2]), int(month_day[3:]))  # 2025: no February 29
        except ValueError:
            raise ValueError(f"'{month_day}' is not a month-day every year has") from None
        return month_day

    @field_validator("out_of_pocket_max")
    @classmethod
    def _at_least_the_deductible(
        cls, oop: IndividualFamily | None, info: ValidationInfo
    ) -> IndividualFamily | None:
        deductible = info.data.get("deductible")
        if deductible is None or oop is None:
            return oop
        if oop.individual < deductible.individual:
            raise ValueError(
                f"individual {_usd(oop.individual)} is below the individual deductible "
                f"{_usd(deductible.individual)}"
            )
        if (oop.family is None) != (deductible.family is None):
            raise ValueError("give a family amount for both the deductible and this, or neither")
        if oop.family is not None and oop.family < deductible.family:
            raise ValueError(
                f"family {_usd(oop.family)} is below the family deductible "
                f"{_usd(deductible.family)}"
            )
        return oop

    @field_validator("family_deductible")
    @classmethod
    def _aggregate_needs_a_family_amount(cls, kind: str, info: ValidationInfo) -> str:
        deductible = info.data.get("deductible")
        if kind == "aggregate" and deductible is not None and deductible.family is None:
            raise ValueError("an aggregate deductible needs deductible.family")
        return kind

    @field_validator("copay_only")
    @classmethod
    def _copays_given(cls, categories: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if info.data.get("plan_type") == "HDHP" and set(categories) - {"preventive"}:
            raise ValueError("an HDHP pays for nothing but preventive care before the deductible")
        copays = info.data.get("copays")
        if copays is not None:
            for category in categories:
                if getattr(copays, category) is None:
                    raise ValueError(
                        f"'{category}' has no copay (set copays.{category}; 0 for free)"
                    )
        return categories

    @property
    def plan_year_start_month_day(self) -> tuple[int, int]:
        return int(self.plan_year_start[:2]), int(self.plan_year_start[3:])

    def pays_copay_only(self, category: str) -> bool:
        return category == "preventive" or category in self.copay_only


def parse_plan_benefits(data: Any, *, source: str | None = None) -> BenefitPlan:
    """Validates a mapping into a BenefitPlan; errors are SpecErrors naming the field."""
    if isinstance(data, BenefitPlan):
        return data
    if not isinstance(data, dict):
        raise SpecError("a plan is a mapping of fields", source=source)
    try:
        return BenefitPlan.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error, data=data, source=source, model=BenefitPlan) from None


def load_plan_benefits(source: str | Path | dict[str, Any] | BenefitPlan) -> BenefitPlan:
    """From a path (YAML or JSON), a shipped name (``commercial-ppo``), or a mapping."""
    if isinstance(source, BenefitPlan | dict):
        return parse_plan_benefits(source)
    return load_spec(source, "plans", parse_plan_benefits)
