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

    journey: str | dict[str, Any]
    #: condition on person attributes (``has_E11``); overrides the journey's own
    applies_to: str | dict[str, Any] | None = None


class HouseholdMember(_Model):
    """One person of an explicit household: who they are and which journeys they live."""

    key: Annotated[str, Field(pattern=KEY, max_length=40)]
    first_name: str = Field(min_length=1)
    last_name: str | None = None
    relationship: Literal["subscriber", "spouse", "child", "dependent"]
    sex: Literal["M", "F"]
    age: Annotated[int, Field(ge=0, le=120), NUMBER] | None = None
    birth_date: dt.date | None = None
    #: ICD-10-CM codes; each sets ``has_<code>`` and ``has_<category>`` (E11.9: has_E11_9, has_E11)
    conditions: list[str] = Field(default_factory=list)
    #: more person attributes the journeys read (``severity: uncontrolled``)
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    #: journeys (names, paths or inline) this member lives, besides the scenario's own
    journeys: list[str | dict[str, Any]] = Field(default_factory=list)

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

    key: Annotated[str, Field(pattern=KEY, max_length=40)]
    last_name: str = Field(min_length=1)
    #: the benefit plan the family shares
    plan: str = "family-ppo"
    coverage_type: str = "Commercial"
    county_fips: Annotated[str, Field(pattern=r"^[0-9]{5}$")]
    address_line: str = ""
    city: str = ""
    zip_code: Annotated[str, Field(pattern=r"^[0-9]{5}$")] | None = None
    members: list[HouseholdMember] = Field(min_length=1, max_length=20)

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

    capacity: Annotated[int, Field(ge=1, le=100_000)]
    service_days: DistributionSpec

    @field_validator("service_days", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return shorthand_delay(value)


class ScenarioSpecification(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
    name: str = ""
    description: str = ""
    #: a shipped profile name, a path (relative to the scenario file) or an inline profile
    profile: str | dict[str, Any] | None = None
    #: explicit households instead of a profile; ``count`` copies of them are simulated
    households: Annotated[list[Household], Field(min_length=1)] | None = None
    journeys: list[ScenarioJourney] = Field(default_factory=list)
    #: a trial protocol (shipped name in scenarios/trials, or a path): its journey applies to
    #: the persons meeting the protocol's inclusion and exclusion criteria
    trial: str | None = None
    start_date: SupportedDate
    horizon_days: Annotated[
        float, Field(gt=0, le=MAX_HORIZON_DAYS, allow_inf_nan=False), NUMBER
    ] = 365
    #: the products whose records the run makes (default: the profile's and the journeys')
    products: list[Product] | None = None
    #: trigger sets (shipped names, paths) or inline triggers; [] turns triggers off
    triggers: list[str | dict[str, Any]] = Field(default_factory=lambda: ["default"])
    disable_triggers: list[str] = Field(default_factory=list)
    #: fields of triggers to replace, by trigger id (``{refill-fill: {delay: 3}}``)
    trigger_changes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    max_trigger_depth: Annotated[int, Field(ge=1, le=64), NUMBER] = DEFAULT_MAX_DEPTH
    #: shared resources journey events wait for (``resource: <name>``); shared within a shard
    resources: dict[str, ResourceSpec] = Field(default_factory=dict)
    count: Annotated[int, Field(ge=1, le=MAX_PERSONS), NUMBER] | None = None
    seed: Annotated[int, Field(ge=0, le=2**63 - 1), NUMBER] | None = None

    @model_validator(mode="after")
    def _who(self) -> ScenarioSpecification:
        if (self.profile is None) == (self.households is None):
            raise ValueError("a scenario has a profile or households (one of them)")
        if self.households is not None:
            keys = [h.key for h in self.households]
            if len(set(keys)) != len(keys):
                raise ValueError("household keys must differ")
        return self
