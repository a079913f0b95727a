"""Trigger specifications: a fired source event causes a target event after a delay.

A trigger names its source (product, event type, optional condition), its target (product,
event type), a delay distribution in days (a library spec, a number or the HealthSim shorthand),
a probability, a priority for same-time ordering, the target's parameters and, for triggers on a
loop, ``max_depth``. The HealthSim form (``source_product``, ``source_event_type``,
``parameter_map_target_from_source`` ...) is accepted too (see ``from_healthsim``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from sim.distributions import DistributionSpec
from sim.distributions.specs import NUMBER
from sim.journeys.spec import Condition, Product, check_rule_words, shorthand_delay

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "EventRef",
    "SourceRef",
    "TriggerSpecification",
    "from_healthsim",
]

#: A triggered event is one deeper than its cause; none is caused deeper than this.
DEFAULT_MAX_DEPTH = 8
TRIGGER_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
HEALTHSIM_PRIORITY = {"CRITICAL": -2, "HIGH": -1, "NORMAL": 0, "LOW": 1}


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EventRef(_Model):
    """Events of one product and event type."""

    product: Product = Field(description="The product.")
    event_type: str = Field(min_length=1, description="The event type.", examples=["fill"])


class SourceRef(EventRef):
    """The events that fire a trigger."""

    when: Condition | None = Field(
        default=None,
        description="A condition on the source's `parameters.<name>` and the person's attributes.",
        examples=["parameters.during_encounter != True"],
    )


class TriggerSpecification(_Model):
    """A fired source event causes a target event after a delay."""

    id: str = Field(
        description="Unique among the scenario's triggers: letters, digits, '_', '-' or '.'.",
        examples=["order-first-fill"],
    )
    description: str = Field(default="", description="What the trigger models.")
    source: SourceRef = Field(description="The events that fire it.")
    target: EventRef = Field(description="The event it records.")
    delay: DistributionSpec = Field(
        default_factory=lambda: {"type": "fixed", "value": 0.0},
        validate_default=True,
        description="Days from the source to the target: a distribution, a number or the "
        "shorthand; never negative.",
    )
    probability: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False), NUMBER] = Field(
        default=1.0, description="Share of sources that cause a target."
    )
    priority: Annotated[int, Field(ge=-10, le=10), NUMBER] = Field(
        default=0,
        description="Among events due at the same time, lower runs first (journey events run "
        "at 0).",
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="Target parameters: a literal, `{from: <source parameter>}`, "
        "`{lookup: <table>.<field>, key: <source parameter>}`, "
        "`{lab_value: <source parameter holding a LOINC code>}` or "
        "`{sample: <distribution>, round: <digits>}`.",
        examples=[{"ndc": {"lookup": "drugs.ndc", "key": "rxnorm"}}],
    )
    max_depth: Annotated[int, Field(ge=1, le=64), NUMBER] | None = Field(
        default=None,
        description="Fires only from sources shallower than this (required for a trigger on "
        "a loop).",
    )

    @field_validator("id")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not TRIGGER_ID.match(value):
            raise ValueError(f"trigger id '{value}' must be letters, digits, '_', '-' or '.'")
        return value

    @field_validator("delay", mode="before")
    @classmethod
    def _delay_shorthand(cls, value: Any) -> Any:
        return shorthand_delay(value)

    @field_validator("parameters")
    @classmethod
    def _rules_spelt(cls, parameters: dict[str, Any]) -> dict[str, Any]:
        rules = ("from", "lookup", "lab_value", "sample")
        check_rule_words(parameters, rules=rules, words=(*rules, "round"))
        return parameters


def is_healthsim_form(data: Mapping[str, Any]) -> bool:
    return "source_product" in data or "target_product" in data


def from_healthsim(data: Mapping[str, Any], index: int) -> dict[str, Any]:
    """A HealthSim default-trigger mapping in our form. Its parameter map copies source
    parameters; a copy into ``ndc`` from ``rxnorm`` (a defect there) becomes a drug-table lookup."""
    known = {
        "source_product",
        "source_event_type",
        "target_product",
        "target_event_type",
        "delay",
        "priority",
        "probability",
        "condition",
        "parameter_map_target_from_source",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(f"unknown field '{unknown[0]}' in a HealthSim trigger")
    parameters: dict[str, Any] = {}
    mapping = data.get("parameter_map_target_from_source") or {}
    if not isinstance(mapping, Mapping):
        raise ValueError("parameter_map_target_from_source is a mapping of target: source names")
    for target, source in mapping.items():
        if target == "ndc" and source == "rxnorm":
            parameters[target] = {"lookup": "drugs.ndc", "key": "rxnorm"}
        else:
            parameters[target] = {"from": source}
    priority = data.get("priority", "NORMAL")
    out: dict[str, Any] = {
        "id": f"{data.get('source_event_type')}-to-{data.get('target_event_type')}-{index}",
        "source": {
            "product": data.get("source_product"),
            "event_type": data.get("source_event_type"),
        },
        "target": {
            "product": data.get("target_product"),
            "event_type": data.get("target_event_type"),
        },
        "parameters": parameters,
        "priority": HEALTHSIM_PRIORITY.get(str(priority).upper(), priority),
    }
    for name in ("delay", "probability"):
        if name in data:
            out[name] = data[name]
    if data.get("condition") is not None:
        out["source"]["when"] = data["condition"]
    return out
