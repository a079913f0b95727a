"""A scenario's journey and trigger parameters checked against what the product handlers read
(``handlers.parameters``), when the scenario loads.

A value reaches a handler written in a journey event, written in a trigger rule (a literal, a
``from`` default, a ``sample``), or copied by a ``from`` rule of the run's triggers, perhaps
over several triggers (a refill's quantity becomes a fill's). Each is checked against every
handler rule it can reach; a bad one is a SpecError at the line of the parameter, in the
scenario or in the journey or trigger file that holds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handlers.parameters import ValueRule, draws_problem, rules_of
from sim.distributions import Sampler
from sim.errors import SpecError
from sim.specio import SpecFile, read_spec
from sim.triggers import TriggerSet

if TYPE_CHECKING:
    from sim.scenario.loader import ScenarioJourneyPlan
    from sim.scenario.spec import ScenarioSpecification

__all__ = ["check_parameters"]

EventKey = tuple[str, str]  # (product, event_type)
#: a handler rule a parameter reaches: the rule, the event and the name it is read as there,
#: and the triggers that copy it there
Reach = tuple[ValueRule, EventKey, str, tuple[str, ...]]


def check_parameters(
    spec: ScenarioSpecification,
    entries: Sequence[tuple[tuple, Any, Any]],
    plans: Sequence[ScenarioJourneyPlan],
    triggers: TriggerSet,
    base: Path | None,
) -> None:
    """``entries`` are (path in the scenario, journey reference, applies_to), one per plan."""
    reaches = _Reaches(triggers)
    for (path, reference, _), entry in zip(entries, plans, strict=True):
        for event in entry.plan.events:
            key = (event.product, event.event_type)
            values = [(name, value, None) for name, value in event.parameters.static.items()]
            values += [(p.name, p.sampler, p.round_digits) for p in event.parameters.sampled]
            for name, value, digits in values:
                problem = _problem(reaches.of(key, name), value, digits)
                if problem is not None:
                    where = ("events", event.id, "parameters", name)
                    raise _in_journey(SpecError(problem, path=where), path, reference, base)
    for trigger in triggers.triggers:
        for rule in trigger.parameters:
            value = rule.sampler if rule.kind == "sample" else rule.value
            if rule.kind not in ("literal", "from", "sample") or value is None:
                continue  # lookups and lab values come from the code tables
            problem = _problem(reaches.of(trigger.target, rule.name), value, rule.round_digits)
            if problem is not None:
                raise _in_triggers(problem, trigger.id, rule.name, spec, base)


class _Reaches:
    """The handler rules a parameter of an event reaches, through the run's ``from`` rules."""

    def __init__(self, triggers: TriggerSet) -> None:
        self.triggers = triggers
        self.known: dict[tuple[EventKey, str], list[Reach]] = {}

    def of(self, key: EventKey, name: str, seen: frozenset = frozenset()) -> list[Reach]:
        if (key, name) in self.known:
            return self.known[(key, name)]
        reached: list[Reach] = []
        rule = rules_of(*key).get(name)
        if rule is not None:
            reached.append((rule, key, name, ()))
        for trigger in self.triggers.by_source.get(key, ()):
            for copy in trigger.parameters:
                target = (trigger.target, copy.name)
                if copy.kind != "from" or copy.key != name or target in seen:
                    continue
                for found, at, as_name, chain in self.of(*target, seen | {(key, name)}):
                    reached.append((found, at, as_name, (trigger.id, *chain)))
        if not seen:  # a partial answer inside a loop is not kept
            self.known[(key, name)] = reached
        return reached


def _problem(reached: list[Reach], value: Any, digits: int | None) -> str | None:
    for rule, (product, event_type), name, chain in reached:
        if isinstance(value, Sampler):
            problem = draws_problem(rule, value, digits)
        else:
            problem = rule.problem(value)
        if problem is None:
            continue
        if chain:
            names = ", ".join(f"'{trigger}'" for trigger in chain)
            copies = f"trigger {names} copies" if len(chain) == 1 else f"triggers {names} copy"
            problem += f" ({copies} it to the {name} of {product} {event_type} events)"
        return problem
    return None


def _in_journey(error: SpecError, path: tuple, reference: Any, base: Path | None) -> SpecError:
    """The error at its line: in the journey's own file, or in the scenario (inline)."""
    if isinstance(reference, str | Path):
        return _located(read_spec(_relative(reference, base), "journeys"), error)
    # an entry of ``journeys`` holds it under ``journey``; a member's list holds it directly
    return error.located(prefix=(*path, "journey") if path[0] == "journeys" else path)


def _in_triggers(
    problem: str, trigger_id: str, name: str, spec: ScenarioSpecification, base: Path | None
) -> SpecError:
    """The error at its line: in the scenario (inline, or changed by ``trigger_changes``) or
    in the trigger file that defines it."""
    rule_path = ("parameters", name)
    if "parameters" in spec.trigger_changes.get(trigger_id, {}):
        return SpecError(problem, path=("trigger_changes", trigger_id, *rule_path))
    for i, item in enumerate(spec.triggers):
        if isinstance(item, Mapping):
            inner = _trigger_path(item, trigger_id)
            if inner is not None:
                return SpecError(problem, path=("triggers", i, *inner, *rule_path))
            continue
        spec_file = read_spec(_relative(item, base), "triggers")
        inner = _trigger_path(spec_file.data, trigger_id)
        if inner is not None:
            return _located(spec_file, SpecError(problem, path=(*inner, *rule_path)))
    return SpecError(problem, path=("triggers", trigger_id, *rule_path))


def _trigger_path(data: Any, trigger_id: str) -> tuple | None:
    """Where a trigger set (a trigger, a list, or ``{triggers: [...]}``) defines the id."""
    if isinstance(data, Mapping):
        if data.get("id") == trigger_id:
            return ()
        inner = _trigger_path(data.get("triggers"), trigger_id)
        return None if inner is None else ("triggers", *inner)
    if isinstance(data, list):
        for i, item in enumerate(data):
            if isinstance(item, Mapping) and item.get("id") == trigger_id:
                return (i,)
    return None


def _located(spec_file: SpecFile, error: SpecError) -> SpecError:
    return spec_file.locate(error.located(source=spec_file.label))


def _relative(reference: str | Path, base: Path | None) -> str | Path:
    """As the scenario loader resolves it: beside the scenario file first."""
    if isinstance(reference, str) and base is not None and (base / reference).is_file():
        return base / reference
    return reference
