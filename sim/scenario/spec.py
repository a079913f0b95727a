"""``ScenarioSpecification``: who (a profile, or explicit households), the journeys that apply
to them, the triggers between products, a start date and a horizon."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.distributions import DistributionSpec
from sim.distributions.specs import NUMBER
from sim.journeys.spec import shorthand_delay
from sim.profiles.spec import MAX_PERSONS, Product, SupportedDate
from sim.triggers.spec import DEFAULT_MAX_DEPTH

__all__ = [
    "MAX_HORIZON_DAYS",
    "Household",
    "HouseholdMember",
    "ResourceSpec",
    "ScenarioJourney",
    "ScenarioSpecification",
]

MAX_HORIZON_DAYS = 36_600  # a century of simulated time
KEY = r"^[a-z][a-z0-9_]*$"
ICD10 = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
AttributeValue = str | int | float | bool


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ScenarioJourney(_Model):
    """A journey (shipped name, path or inline mapping) and who it applies to."""

    journey: str | dict[str, Any] = Field(
        description="A shipped journey name, a path (relative to the scenario file) or an "
        "inline journey.",
        examples=["diabetic-first-year"],
    )
    applies_to: str | dict[str, Any] | None = Field(
        default=None,
        description="A condition on person attributes; overrides the journey's own.",
        examples=["has_E11"],
    )


class HouseholdMember(_Model):
    """One person of an explicit household: who they are and which journeys they live."""

    key: Annotated[str, Field(pattern=KEY, max_length=40)] = Field(
        description="The member's key in the household (the persons' `member_key`).",
        examples=["diane"],
    )
    first_name: str = Field(min_length=1, description="First name.")
    last_name: str | None = Field(default=None, description="Last name (default: the household's).")
    relationship: Literal["subscriber", "spouse", "child", "dependent"] = Field(
        description="Relationship to the subscriber."
    )
    sex: Literal["M", "F"] = Field(description="Sex.")
    age: Annotated[int, Field(ge=0, le=120), NUMBER] | None = Field(
        default=None, description="Age on the reference date (or give `birth_date`)."
    )
    birth_date: dt.date | None = Field(default=None, description="Birth date (or give `age`).")
    conditions: list[str] = Field(
        default_factory=list,
        description="ICD-10-CM codes; each sets `has_<code>` and `has_<category>` (E11.9: "
        "has_E11_9, has_E11).",
    )
    attributes: dict[str, AttributeValue] = Field(
        default_factory=dict,
        description="More person attributes the journeys read (`severity: uncontrolled`).",
    )
    journeys: list[str | dict[str, Any]] = Field(
        default_factory=list,
        description="Journeys (names, paths or inline) this member lives, besides the "
        "scenario's own.",
    )

    @field_validator("conditions")
    @classmethod
    def _icd10(cls, codes: list[str]) -> list[str]:
        for code in codes:
            if not ICD10.match(code):
                raise ValueError(f"'{code}' is not an ICD-10-CM code (e.g. E11.9)")
        return codes

    @model_validator(mode="after")
    def _age_or_birth_date(self) -> HouseholdMember:
        if (self.age is None) == (self.birth_date is None):
            raise ValueError("give the member an age or a birth_date (one of them)")
        return self


class Household(_Model):
    """People on one plan, simulated together: a subscriber and their dependents."""

    key: Annotated[str, Field(pattern=KEY, max_length=40)] = Field(
        description="The household's key (the persons' `household_key`).", examples=["oswald"]
    )
    last_name: str = Field(min_length=1, description="The family's last name.")
    plan: str = Field(default="family-ppo", description="The benefit plan the family shares.")
    coverage_type: str = Field(default="Commercial", description="The coverage type.")
    county_fips: Annotated[str, Field(pattern=r"^[0-9]{5}$")] = Field(
        description="5-digit county FIPS code of the home.", examples=["48201"]
    )
    address_line: str = Field(default="", description="Street address.")
    city: str = Field(default="", description="City.")
    zip_code: Annotated[str, Field(pattern=r"^[0-9]{5}$")] | None = Field(
        default=None, description="ZIP code (default: one of the county's)."
    )
    members: list[HouseholdMember] = Field(
        min_length=1, max_length=20, description="The members: exactly one is the subscriber."
    )

    @field_validator("county_fips", mode="before")
    @classmethod
    def _fips_text(cls, value: Any) -> Any:
        return f"{value:05d}" if isinstance(value, int) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _one_subscriber(self) -> Household:
        subscribers = [m.key for m in self.members if m.relationship == "subscriber"]
        if len(subscribers) != 1:
            raise ValueError(f"a household has one subscriber, this one has {len(subscribers)}")
        keys = [m.key for m in self.members]
        if len(set(keys)) != len(keys):
            raise ValueError("member keys must differ")
        return self


class ResourceSpec(_Model):
    """Capacity persons compete for: ``capacity`` at once, each for ``service_days``."""

    capacity: Annotated[int, Field(ge=1, le=100_000)] = Field(description="Persons served at once.")
    service_days: DistributionSpec = Field(
        description="Days each person holds it: a distribution, a number or the shorthand."
    )

    @field_validator("service_days", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return shorthand_delay(value)


class ScenarioSpecification(_Model):
    """Who (a profile or households), the journeys they live, the triggers between products,
    a start date and a horizon."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)] = Field(
        description="The scenario's id.", examples=["medicare-diabetic"]
    )
    name: str = Field(default="", description="A readable name.")
    description: str = Field(default="", description="What the scenario simulates.")
    profile: str | dict[str, Any] | None = Field(
        default=None,
        description="A shipped profile name, a path (relative to the scenario file) or an "
        "inline profile.",
        examples=["medicare-diabetic"],
    )
    households: Annotated[list[Household], Field(min_length=1)] | None = Field(
        default=None,
        description="Explicit households instead of a profile; `count` copies of them are "
        "simulated.",
    )
    journeys: list[ScenarioJourney] = Field(
        default_factory=list, description="The journeys and who lives them."
    )
    trial: str | None = Field(
        default=None,
        description="A trial protocol (shipped name in scenarios/trials, or a path): its "
        "journey applies to the persons meeting its inclusion and exclusion criteria.",
        examples=["dm2-glp1-phase3"],
    )
    start_date: SupportedDate = Field(
        description="Calendar date of simulation day 0.", examples=["2025-01-01"]
    )
    horizon_days: Annotated[
        float, Field(gt=0, le=MAX_HORIZON_DAYS, allow_inf_nan=False), NUMBER
    ] = Field(default=365, description="Days simulated: events at or after it are not emitted.")
    products: list[Product] | None = Field(
        default=None,
        description="The products whose records the run makes (default: the profile's and "
        "the journeys').",
    )
    triggers: list[str | dict[str, Any]] = Field(
        default_factory=lambda: ["default"],
        description="Trigger sets (shipped names, paths) or inline triggers; [] turns "
        "triggers off.",
    )
    disable_triggers: list[str] = Field(
        default_factory=list, description="Ids of triggers to leave out."
    )
    trigger_changes: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description="Fields of triggers to replace, by trigger id.",
        examples=[{"refill-fill": {"delay": 3}}],
    )
    max_trigger_depth: Annotated[int, Field(ge=1, le=64), NUMBER] = Field(
        default=DEFAULT_MAX_DEPTH,
        description="No event is caused deeper than this in a chain of triggers.",
    )
    resources: dict[str, ResourceSpec] = Field(
        default_factory=dict,
        description="Shared resources journey events wait for (`resource: <name>`); shared "
        "within a shard.",
    )
    count: Annotated[int, Field(ge=1, le=MAX_PERSONS), NUMBER] | None = Field(
        default=None,
        description="Persons (or household copies) when the run gives none (default: the "
        "profile's count, or one copy of the households).",
    )
    seed: Annotated[int, Field(ge=0, le=2**63 - 1), NUMBER] | None = Field(
        default=None,
        description="Master seed when the run gives none (default: the profile's, or 42).",
    )

    @model_validator(mode="after")
    def _who(self) -> ScenarioSpecification:
        if (self.profile is None) == (self.households is None):
            raise ValueError("a scenario has a profile or households (one of them)")
        if self.households is not None:
            keys = [h.key for h in self.households]
            if len(set(keys)) != len(keys):
                raise ValueError("household keys must differ")
        return self
