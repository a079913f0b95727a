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

    individual: Usd
    family: Usd | None = None

    @field_validator("family")
    @classmethod
    def _covers_an_individual(cls, family: float | None, info: ValidationInfo) -> float | None:
        individual = info.data.get("individual")
        if family is not None and individual is not None and family < individual:
            raise ValueError(f"{_usd(family)} is below the individual amount {_usd(individual)}")
        return family


class Copays(_Model):
    """Fixed amounts per service, in USD; a category left out has no copay."""

    office_visit: Usd | None = None
    specialist: Usd | None = None
    urgent_care: Usd | None = None
    emergency: Usd | None = None
    inpatient_admission: Usd | None = None
    lab: Usd | None = None
    imaging: Usd | None = None
    procedure: Usd | None = None
    preventive: Usd = 0
    rx_tier1: Usd | None = None
    rx_tier2: Usd | None = None
    rx_tier3: Usd | None = None
    rx_tier4: Usd | None = None

    @field_validator("preventive")
    @classmethod
    def _free_by_law(cls, copay: float) -> float:
        if copay != 0:
            raise ValueError("must be 0: ACA preventive services have no cost sharing")
        return copay


Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class PriceToMedicare(_Model):
    """What the plan allows, as a multiple of the Medicare amount (fee schedule or DRG payment)."""

    professional: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0
    institutional: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 1.0

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

    professional: dict[str, Probability] = {
        "CO-16": 0.04,
        "CO-97": 0.01,
        "CO-50": 0.008,
        "PR-204": 0.006,
        "CO-18": 0.005,
        "CO-197": 0.004,
    }
    institutional: dict[str, Probability] = {
        "CO-16": 0.04,
        "CO-197": 0.03,
        "CO-50": 0.02,
        "CO-97": 0.005,
    }
    resubmitted: dict[str, Probability] = {"CO-16": 0.7, "CO-197": 0.5, "CO-50": 0.4}

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
    """Cost sharing of one plan for one plan year; see docs/plans-and-adjudication.md."""

    id: Annotated[str, Field(min_length=1, max_length=100)]
    name: Annotated[str, Field(min_length=1)]
    plan_type: PlanType
    #: month-day the accumulators reset on ("07-01" for a fiscal-year plan)
    plan_year_start: Annotated[str, Field(pattern=r"^\d\d-\d\d$")] = "01-01"
    deductible: IndividualFamily
    #: required; null means no limit (Original Medicare has none)
    out_of_pocket_max: IndividualFamily | None
    #: embedded: a member also stops at the individual deductible; aggregate: only the family one
    family_deductible: Literal["embedded", "aggregate"] = "embedded"
    #: the member's share of what remains after the copay and the deductible
    coinsurance: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
    copays: Copays = Copays()
    #: categories that skip the deductible and the coinsurance: the copay is the whole share
    #: (preventive care always is)
    copay_only: tuple[ServiceCategory, ...] = ()
    premium_pmpm: Usd | None = None
    price_to_medicare: PriceToMedicare = PriceToMedicare()
    denials: Denials = Denials()

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
