"""``ScenarioSpecification``: a profile, the journeys that apply to its people, a start date
and a horizon."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from sim.profiles.spec import MAX_PERSONS, Product

__all__ = ["MAX_HORIZON_DAYS", "ScenarioJourney", "ScenarioSpecification"]

MAX_HORIZON_DAYS = 36_600  # a century of simulated time


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ScenarioJourney(_Model):
    """A journey (shipped name, path or inline mapping) and who it applies to."""

    journey: str | dict[str, Any]
    #: condition on person attributes (``has_E11``); overrides the journey's own
    applies_to: str | dict[str, Any] | None = None


class ScenarioSpecification(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
    name: str = ""
    description: str = ""
    #: a shipped profile name, a path (relative to the scenario file) or an inline profile
    profile: str | dict[str, Any]
    journeys: list[ScenarioJourney] = Field(default_factory=list)
    start_date: dt.date
    horizon_days: Annotated[float, Field(gt=0, le=MAX_HORIZON_DAYS, allow_inf_nan=False)] = 365
    products: list[Product] | None = None
    count: Annotated[int, Field(ge=1, le=MAX_PERSONS)] | None = None
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] | None = None
