"""``PharmacyBenefit``: which benefit plan prices a member's drugs, how claims are routed and
paid, and which drugs need prior authorization. The shipped one is ``pharmacy-benefit.yaml``."""

from __future__ import annotations

import re
from functools import cache, cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from handlers.membersim import BenefitPlan, load_plan_benefits, parse_plan_benefits
from sim.codes import load_drugs
from sim.distributions import DistributionSpec, Sampler, create_distribution
from sim.errors import SpecError, did_you_mean, from_validation_error
from sim.specio import load_spec, shipped_names

__all__ = [
    "SHIPPED_CONFIG",
    "PharmacyBenefit",
    "PriorAuthorization",
    "Processor",
    "load_pharmacy_benefit",
]

SHIPPED_CONFIG = Path(__file__).with_name("pharmacy-benefit.yaml")
# NCPDP reject codes are up to three characters (Reject Code field 511-FB)
_REJECT_CODE = re.compile(r"^[0-9A-Z]{1,3}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Processor(_Model):
    """Where a benefit plan's claims go (BIN, PCN, group) and the fee the pharmacy is paid."""

    bin: Annotated[str, Field(pattern=r"^[0-9]{6}$")] = Field(
        description="Bank identification number: 6 digits.", examples=["019876"]
    )
    pcn: Annotated[str, Field(pattern=r"^[0-9A-Za-z]{1,10}$")] = Field(
        description="Processor control number."
    )
    group: Annotated[str, Field(pattern=r"^[0-9A-Za-z]{1,15}$")] = Field(
        description="Group id (the claims' `rx_group`)."
    )
    dispensing_fee_usd: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)] = Field(
        description="Fee paid to the pharmacy per fill, USD."
    )


class PriorAuthorization(_Model):
    """Drugs (by class or RxNorm code) whose first claim is rejected, then approved."""

    reject_code: str = Field(
        default="75",
        description="NCPDP reject code of the first claim (75: prior authorization required).",
    )
    drug_classes: tuple[str, ...] = Field(
        default=(), description="Drug classes of the drug table that need it."
    )
    rxnorm: tuple[str, ...] = Field(default=(), description="RxNorm codes that need it.")
    approval_delay_days: DistributionSpec = Field(
        description="Days from the rejection to the approved rebill."
    )
    approval_days: Annotated[float, Field(gt=0, le=36_600, allow_inf_nan=False)] = Field(
        default=365, description="Days an approval covers the drug for the member."
    )

    @field_validator("reject_code")
    @classmethod
    def _ncpdp_code(cls, code: str) -> str:
        if not _REJECT_CODE.match(code):
            raise ValueError(f"'{code}' is not an NCPDP reject code (1-3 letters or digits)")
        return code

    @field_validator("drug_classes")
    @classmethod
    def _known_classes(cls, classes: tuple[str, ...]) -> tuple[str, ...]:
        known = load_drugs().classes
        for drug_class in classes:
            if drug_class not in known:
                hint = did_you_mean(drug_class, known)
                raise ValueError(
                    f"no drug of class '{drug_class}' in the drug table"
                    + (f" ({hint})" if hint else "")
                )
        return classes

    @field_validator("rxnorm")
    @classmethod
    def _known_codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        drugs = load_drugs()
        for code in codes:
            drugs.by_rxnorm(code)
        return codes

    @cached_property
    def delay_sampler(self) -> Sampler:
        return create_distribution(self.approval_delay_days, path=("approval_delay_days",))

    def applies_to(self, rxnorm: str, drug_class: str) -> bool:
        return rxnorm in self.rxnorm or drug_class in self.drug_classes


class PharmacyBenefit(_Model):
    """Which benefit plan pays whose drugs, how claims are routed, which drugs need prior
    authorization."""

    coverage: dict[str, str | None] = Field(
        description="Persons' plan label -> benefit plan id; null: no drug coverage.",
        examples=[{"PPO": "commercial-ppo", "None": None}],
    )
    child_coverage: dict[str, str | None] = Field(
        default_factory=dict,
        description="Overrides of `coverage` for persons aged `child_max_age` or less.",
    )
    child_max_age: Annotated[int, Field(ge=0, le=120)] = Field(
        default=18, description="Oldest age `child_coverage` applies to."
    )
    drug_coverage_attribute: str | None = Field(
        default=None,
        description="A person whose boolean attribute of this name is false has no drug coverage.",
        examples=["part_d_enrolled"],
    )
    benefit_plans: tuple[dict[str, Any], ...] = Field(
        default=(),
        description="Benefit plans defined here (each a plan spec), besides the shipped ones "
        "(scenarios/plans).",
    )
    processors: dict[str, Processor] = Field(
        default_factory=dict,
        description="Benefit plan id -> its claim routing and dispensing fee.",
    )
    default_processor: Processor = Field(
        description="The routing and fee of any other benefit plan."
    )
    prior_authorization: PriorAuthorization | None = Field(
        default=None, description="Drugs whose first claim is rejected, then approved."
    )
    _loaded: dict[str, BenefitPlan] = PrivateAttr(default_factory=dict)

    @field_validator("prior_authorization")
    @classmethod
    def _delay_not_negative(cls, rule: PriorAuthorization | None) -> PriorAuthorization | None:
        if rule is not None and rule.delay_sampler.support()[0] < 0:
            raise ValueError("approval_delay_days: a delay cannot be negative (give min: 0)")
        return rule

    @cached_property
    def own_plans(self) -> dict[str, BenefitPlan]:
        """The benefit plans defined in this file, by id."""
        plans = {}
        for index, data in enumerate(self.benefit_plans):
            try:
                plan = parse_plan_benefits(data)
            except SpecError as error:
                raise error.located(prefix=("benefit_plans", index)) from None
            plans[plan.id] = plan
        return plans

    def benefit_plan_id(self, label: str, age: int | None = None) -> str | None:
        """The benefit plan that pays the drugs of a person with this ``plan`` label (and
        age); None: no drug coverage. A label may also be a benefit plan id or a plan file."""
        if age is not None and age <= self.child_max_age and label in self.child_coverage:
            return self.child_coverage[label]
        if label in self.coverage:
            return self.coverage[label]
        if label in self.own_plans or label in shipped_names("plans"):
            return label
        if Path(label).is_file():
            return self.plan(label).id
        known = [*self.coverage, *self.own_plans, *shipped_names("plans")]
        raise SpecError(
            f"plan '{label}' has no pharmacy benefit",
            path=("persons", "plan"),
            hint=did_you_mean(label, known)
            or "use a label of the pharmacy benefit's coverage, a benefit plan or a plan file",
        )

    def plan(self, name: str) -> BenefitPlan:
        """A benefit plan by id (defined here or shipped) or by file path."""
        if name not in self._loaded:
            plan = self.own_plans.get(name) or load_plan_benefits(name)
            self._loaded[name] = self._loaded[plan.id] = plan
        return self._loaded[name]

    def processor(self, plan_id: str) -> Processor:
        return self.processors.get(plan_id, self.default_processor)


def parse_pharmacy_benefit(data: Any, *, source: str | None = None) -> PharmacyBenefit:
    if not isinstance(data, dict):
        raise SpecError("a pharmacy benefit is a mapping of fields", source=source)
    try:
        config = PharmacyBenefit.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(
            error, data=data, source=source, model=PharmacyBenefit
        ) from None
    _check_plans(config, source)
    return config


def _check_plans(config: PharmacyBenefit, source: str | None) -> None:
    """Every plan the labels and processors name exists (and loads)."""
    try:
        known = [*config.own_plans, *shipped_names("plans")]
    except SpecError as error:
        raise error.located(source=source) from None
    named = [
        *((("coverage", label), p) for label, p in config.coverage.items()),
        *((("child_coverage", label), p) for label, p in config.child_coverage.items()),
        *((("processors", p), p) for p in config.processors),
    ]
    for path, plan_id in named:
        if plan_id is None:
            continue
        if plan_id not in known:
            raise SpecError(
                f"unknown benefit plan '{plan_id}'",
                path=path,
                source=source,
                hint=did_you_mean(plan_id, known),
            )
        try:
            config.plan(plan_id)
        except SpecError as error:
            raise SpecError(
                f"benefit plan '{plan_id}': {error}", path=path, source=source
            ) from None


def load_pharmacy_benefit(
    source: str | Path | dict[str, Any] | PharmacyBenefit | None = None,
) -> PharmacyBenefit:
    """The shipped pharmacy benefit, or one from a path (YAML or JSON) or a mapping."""
    if isinstance(source, PharmacyBenefit):
        return source
    if source is None:
        return _shipped()
    if isinstance(source, dict):
        return parse_pharmacy_benefit(source)
    return _load(source)


@cache
def _shipped() -> PharmacyBenefit:
    return _load(SHIPPED_CONFIG)


def _load(source: str | Path) -> PharmacyBenefit:
    return load_spec(source, "pharmacy-benefits", parse_pharmacy_benefit)
