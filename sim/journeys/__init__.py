"""Journeys: what happens to a person over time, as specs, a checked graph and a compiled plan."""

from sim.journeys.graph import build_graph, check_journey, to_mermaid, topological_order
from sim.journeys.loader import load_journey, load_plan, parse_journey, shipped_journeys
from sim.journeys.plan import ChoicePlan, JourneyPlan, PlanEvent, RepeatPlan, compile_plan
from sim.journeys.spec import (
    PRODUCTS,
    ChoiceSpec,
    EventSpec,
    JourneySpecification,
    RepeatSpec,
    shorthand_delay,
)

__all__ = [
    "PRODUCTS",
    "ChoicePlan",
    "ChoiceSpec",
    "EventSpec",
    "JourneyPlan",
    "JourneySpecification",
    "PlanEvent",
    "RepeatPlan",
    "RepeatSpec",
    "build_graph",
    "check_journey",
    "compile_plan",
    "load_journey",
    "load_plan",
    "parse_journey",
    "shipped_journeys",
    "shorthand_delay",
    "to_mermaid",
    "topological_order",
]
