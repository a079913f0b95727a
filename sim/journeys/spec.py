"""Journey specifications: frozen pydantic models of what happens to a person over time.

Delays are distribution specs of the library (days). The HealthSim shorthand
``{days, days_min, days_max, distribution}`` and a bare number are accepted and converted
here, so a model always holds a library spec (see ``shorthand_delay``).
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim.distributions import DistributionSpec
from sim.distributions.specs import NUMBER
from sim.errors import closest

__all__ = [
    "MAX_EVENTS",
    "MAX_OCCURRENCES",
    "PRODUCTS",
    "ChoiceSpec",
    "Condition",
    "EventSpec",
    "JourneySpecification",
    "RepeatSpec",
    "check_rule_words",
    "shorthand_delay",
]

PRODUCTS = ("patientsim", "membersim", "rxmembersim", "trialsim")
#: events of one journey (the shipped ones have at most 15; the graph checks grow with the square)
MAX_EVENTS = 1_000
#: occurrences of one repeating event (``count``, or ``until_day`` over ``every``)
MAX_OCCURRENCES = 10_000
Product = Literal["patientsim", "membersim", "rxmembersim", "trialsim"]
#: A text expression or a structured condition (see ``sim.expressions``).
Condition = str | dict[str, Any]
#: Event ids are identifiers so that conditions can say ``events.<id>.value``.
EVENT_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
JOURNEY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False), NUMBER]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def check_rule_words(
    parameters: Mapping[str, Any], rules: Collection[str], words: Collection[str]
) -> None:
    """A parameter written as a mapping is a rule when it has one of ``rules`` (``sample``);
    otherwise it is a literal value copied into every record, so a misspelt rule word
    (``samples``) would silently become data: refused, naming the word it resembles."""
    for name, value in parameters.items():
        if not isinstance(value, Mapping) or set(value) & set(rules):
            continue
        for key in map(str, value):
            close = difflib.get_close_matches(key, words, n=1, cutoff=0.8)
            if close:
                raise ValueError(
                    f"parameter '{name}' has '{key}' but no rule: did you mean '{close[0]}'? "
                    "(a mapping without a rule is copied as it is)"
                )


def shorthand_delay(value: Any) -> Any:
    """A delay as written -> a library distribution spec (mapping with ``type``).

    - a number ``n``: ``{type: fixed, value: n}``;
    - ``{days, days_min, days_max, distribution}`` (HealthSim): ``fixed`` is ``days``;
      ``uniform`` is uniform on [days_min, days_max] (continuous time, where HealthSim drew
      whole days); ``normal`` is a normal around ``days`` with sd (days_max - days_min) / 4,
      truncated (never clamped) to [days_min, days_max], or sd 2 truncated at 0 without bounds.
    - a mapping with ``type``: unchanged.
    """
    if isinstance(value, bool | str):
        raise ValueError(f"a delay is a number of days or a distribution, not {str(value)[:40]!r}")
    if isinstance(value, int | float):
        return {"type": "fixed", "value": float(value)}
    if not isinstance(value, Mapping) or "type" in value:
        return value
    # a misspelt 'type' is the likeliest unknown key: name it first
    unknown = sorted(
        set(map(str, value)) - {"days", "days_min", "days_max", "distribution"},
        key=lambda key: (closest(key, ["type"]) is None, key),
    )
    if unknown:
        raise ValueError(
            f"unknown field '{unknown[0]}' in a delay (a distribution needs a 'type'; "
            "the shorthand has days, days_min, days_max, distribution)"
        )
    days, low, high = value.get("days", 0), value.get("days_min"), value.get("days_max")
    for name, number in (("days", days), ("days_min", low), ("days_max", high)):
        if number is not None and (
            isinstance(number, bool)
            or not isinstance(number, int | float)
            or not math.isfinite(number)
        ):
            raise ValueError(f"delay {name} must be a number, got {number!r}")
    kind = "fixed" if value.get("distribution") is None else value["distribution"]
    if kind not in ("fixed", "uniform", "normal"):
        raise ValueError(f"unknown delay distribution {kind!r} (expected fixed, uniform or normal)")
    if kind == "fixed":
        return {"type": "fixed", "value": float(days)}
    low = days if low is None else low
    high = days if high is None else high
    if low > high:
        raise ValueError(f"delay days_min ({low:g}) is greater than days_max ({high:g})")
    if kind == "uniform":
        if low == high:
            return {"type": "fixed", "value": float(low)}
        return {"type": "uniform", "min": float(low), "max": float(high)}
    if low == high:  # normal
        if "days_min" in value or "days_max" in value:
            return {"type": "fixed", "value": float(low)}
        return {"type": "normal", "mean": float(days), "std_dev": 2.0, "min": 0.0}
    return {
        "type": "normal",
        "mean": float(days),
        "std_dev": (high - low) / 4,
        "min": float(low),
        "max": float(high),
    }


class ChoiceSpec(_Model):
    """Membership of an exclusive choice: exactly one event of a group fires, by weight."""

    group: str = Field(
        min_length=1, description="The group's name; its branches share their `depends_on`."
    )
    weight: Probability = Field(
        description="Chance of this branch; the weights of a group sum to 1."
    )


class RepeatSpec(_Model):
    """Occurrences after the first, ``every`` apart, until ``count`` or ``until_day``."""

    every: DistributionSpec = Field(
        description="Days between occurrences: a distribution, a number or the shorthand."
    )
    count: Annotated[int, Field(ge=1, le=MAX_OCCURRENCES), NUMBER] | None = Field(
        default=None, description="Occurrences in all, the first included."
    )
    until_day: Annotated[float, Field(ge=0, allow_inf_nan=False), NUMBER] | None = Field(
        default=None, description="No occurrence after this day (days since the journey start)."
    )

    @field_validator("every", mode="before")
    @classmethod
    def _every_shorthand(cls, value: Any) -> Any:
        return shorthand_delay(value)


class EventSpec(_Model):
    """One event definition of a journey."""

    id: str = Field(
        description="Unique in the journey; conditions refer to it as `events.<id>`.",
        examples=["initial_dx"],
    )
    name: str | None = Field(default=None, description="A readable name.")
    event_type: str = Field(
        min_length=1,
        description="What happened; the product's handler and the triggers key on it.",
        examples=["diagnosis"],
    )
    product: Product = Field(description="The product whose records the event makes.")
    delay: DistributionSpec = Field(
        default_factory=lambda: {"type": "fixed", "value": 0.0},
        validate_default=True,
        description="Days after the latest dependency (or the journey start): a distribution, "
        "a number or the shorthand `{days, days_min, days_max, distribution}`.",
    )
    depends_on: tuple[str, ...] = Field(
        default=(),
        description="One event id or a list: the event is ready when all have happened.",
    )
    probability: Probability = Field(
        default=1.0, description="Chance that the event happens when it would fire."
    )
    conditions: Condition | list[Condition] | None = Field(
        default=None,
        description="A condition (text or structured) or a list of them, all of which must "
        "hold when the event would fire.",
        examples=["events.a1c.value > 9 and age >= 65"],
    )
    choice: ChoiceSpec | None = Field(
        default=None, description="Makes the event a branch of an exclusive choice."
    )
    repeat: RepeatSpec | None = Field(default=None, description="Occurrences after the first.")
    resource: str | None = Field(
        default=None,
        min_length=1,
        description="A shared resource of the scenario (a clinic's slots, a specialist panel) "
        "the event waits for: it fires when one is free, and holds it for the resource's "
        "service time.",
    )
    fatal: bool = Field(
        default=False,
        description="The person dies when the event fires: none of their events, in any "
        "journey or caused by a trigger, comes later (events at the same time are kept).",
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="Values copied to the record; a distribution, or "
        "`{sample: <distribution>, round: <digits>}`, is drawn per occurrence.",
    )

    @field_validator("parameters")
    @classmethod
    def _rules_spelt(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        check_rule_words(parameters, rules=("sample",), words=("sample", "round"))
        return parameters

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not EVENT_ID.match(value):
            raise ValueError(
                f"event id '{value}' must be a name of letters, digits and _ "
                "(conditions refer to it as events.<id>)"
            )
        return value

    @field_validator("delay", mode="before")
    @classmethod
    def _delay_shorthand(cls, value: Any) -> Any:
        return shorthand_delay(value)

    @field_validator("depends_on", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if value is None:
            return ()
        return (value,) if isinstance(value, str) else value

    @field_validator("depends_on")
    @classmethod
    def _distinct(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("lists an event twice")
        return value

    @model_validator(mode="after")
    def _choice_has_no_probability(self) -> EventSpec:
        if self.choice is not None and self.probability != 1.0:
            raise ValueError(
                "a choice branch has no probability of its own: its weight is its probability"
            )
        return self


class JourneySpecification(_Model):
    """What happens to a person: events with delays, dependencies, choices and repetition."""

    id: str = Field(
        description="The journey's id: letters, digits, '-', '_' or '.'.",
        examples=["diabetic-first-year"],
    )
    name: str = Field(default="", description="A readable name.")
    description: str = Field(default="", description="What the journey models.")
    products: tuple[Product, ...] = Field(
        default=(), description="When given, every event's product must be one of these."
    )
    duration_days: Annotated[float, Field(gt=0, le=36_525, allow_inf_nan=False), NUMBER] = Field(
        description="The journey's horizon in days from its start: later events are not emitted."
    )
    applies_to: Condition | None = Field(
        default=None,
        description="Who lives the journey: a condition on person attributes (everyone when "
        "omitted).",
        examples=["has_E11"],
    )
    events: tuple[EventSpec, ...] = Field(
        max_length=MAX_EVENTS, description="The event definitions, in any order."
    )

    @field_validator("events")
    @classmethod
    def _not_empty(cls, value: tuple[EventSpec, ...]) -> tuple[EventSpec, ...]:
        if not value:
            raise ValueError("a journey needs at least one event")
        return value

    @field_validator("id")
    @classmethod
    def _journey_id(cls, value: str) -> str:
        if not JOURNEY_ID.match(value):
            raise ValueError(f"journey id '{value}' must be letters, digits, '-', '_' or '.'")
        return value

    def event(self, event_id: str) -> EventSpec:
        for event in self.events:
            if event.id == event_id:
                return event
        raise KeyError(event_id)
