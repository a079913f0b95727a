"""A validated journey compiled into an immutable plan: samplers, conditions, parameters, and
the events in topological order with their parents and children as indices."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, get_args

from sim.distributions import DistributionSpec, Sampler, create_distribution
from sim.distributions.composite import ConditionalSampler, MixtureSampler
from sim.errors import SpecError, did_you_mean
from sim.expressions import Expression, compile_condition
from sim.journeys.graph import check_journey, choice_groups, topological_order
from sim.journeys.spec import EventSpec, JourneySpecification

__all__ = [
    "OUTCOME_FIELDS",
    "ChoicePlan",
    "JourneyPlan",
    "ParameterPlan",
    "PlanEvent",
    "RepeatPlan",
    "SampledParameter",
    "compile_plan",
    "outcome",
]

#: What a condition can read about an earlier event besides its parameters.
OUTCOME_FIELDS = ("happened", "time_days", "count")


def outcome(field: str, count: int, latest: Callable[[], tuple[float, Mapping[str, Any]]]) -> Any:
    """What a condition reads of an earlier event (``events.<id>.<field>``) that has fired
    ``count`` times so far: ``happened``, ``count``, or of the latest occurrence (``latest()``:
    its days since the journey start and its parameters) ``time_days`` or a parameter; None
    for what is missing."""
    if field == "happened":
        return count > 0
    if field == "count":
        return count
    if count == 0:
        return None
    time_days, parameters = latest()
    if field == "time_days":
        return time_days
    if field in OUTCOME_FIELDS:
        return None
    return parameters.get(field)


#: Occurrences of a repeat drawn ahead per person; later ones come from the person's own stream.
MAX_RESERVE = 64
_DISTRIBUTION_TYPES = frozenset(
    cls.model_fields["type"].annotation.__args__[0]
    for cls in get_args(get_args(DistributionSpec)[0])
)


@dataclass(frozen=True)
class SampledParameter:
    name: str
    sampler: Sampler
    round_digits: int | None


@dataclass(frozen=True)
class ParameterPlan:
    """Literal parameters, and those drawn per occurrence; JSON text with sorted keys."""

    static: Mapping[str, Any]
    sampled: tuple[SampledParameter, ...]
    static_json: str
    #: the JSON object's members in key order: text, or the index of a sampled value
    fragments: tuple[str | int, ...]

    def to_json(self, values: Sequence[Any]) -> str:
        if not self.sampled:
            return self.static_json
        parts = [
            part if isinstance(part, str) else _member(self.sampled[part].name, values[part])
            for part in self.fragments
        ]
        return "{" + ",".join(parts) + "}"

    def values(self, sampled_values: Sequence[Any] = ()) -> dict[str, Any]:
        out = dict(self.static)
        for parameter, value in zip(self.sampled, sampled_values, strict=False):
            out[parameter.name] = value
        return out


def _member(name: str, value: Any) -> str:
    if type(value) is float and math.isfinite(value):
        return f"{json.dumps(name)}:{value!r}"
    return f"{json.dumps(name)}:{json.dumps(value, default=str)}"


@dataclass(frozen=True)
class RepeatPlan:
    every: Sampler
    count: int | None
    until_day: float
    reserve: int


@dataclass(frozen=True)
class PlanEvent:
    order: int
    id: str
    name: str
    event_type: str
    product: str
    delay: Sampler
    parents: tuple[int, ...]
    children: tuple[int, ...]
    probability: float
    condition: Expression | None
    choice: int  # index into JourneyPlan.choices, or -1
    repeat: RepeatPlan | None
    parameters: ParameterPlan
    resource: str | None = None
    #: the person dies when it fires (``EventSpec.fatal``)
    fatal: bool = False


@dataclass(frozen=True)
class ChoicePlan:
    group: str
    branches: tuple[int, ...]
    cumulative_weights: tuple[float, ...]

    def pick(self, u: float) -> int:
        for branch, bound in zip(self.branches, self.cumulative_weights, strict=True):
            if u < bound:
                return branch
        return self.branches[-1]


@dataclass(frozen=True)
class JourneyPlan:
    spec: JourneySpecification
    events: tuple[PlanEvent, ...]
    roots: tuple[int, ...]
    choices: tuple[ChoicePlan, ...]
    applies_to: Expression | None
    #: person attributes read by conditions and conditional distributions
    attribute_names: frozenset[str]
    #: whether a condition reads earlier events (the engine then keeps outcomes)
    uses_outcomes: bool
    index: Mapping[str, int]

    @property
    def resources(self) -> frozenset[str]:
        """Names of the shared resources its events wait for."""
        return frozenset(e.resource for e in self.events if e.resource is not None)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def duration_days(self) -> float:
        return self.spec.duration_days


def compile_plan(spec: JourneySpecification) -> JourneyPlan:
    """Checks the graph and compiles; every error is a SpecError naming the event's field."""
    graph = check_journey(spec)
    order = topological_order(spec, graph)
    index = {event_id: i for i, event_id in enumerate(order)}
    groups = choice_groups(spec)
    group_index = {group: i for i, group in enumerate(groups)}
    choices = tuple(
        ChoicePlan(
            group,
            tuple(index[b.id] for b in branches),
            _cumulative([b.choice.weight for b in branches]),  # type: ignore[union-attr]
        )
        for group, branches in groups.items()
    )
    parameter_names = {event.id: _parameter_names(event) for event in spec.events}
    attributes: set[str] = set()
    uses_outcomes = False
    events = []
    for event_id in order:
        event = spec.event(event_id)
        path = ("events", event.id)
        condition = _condition(event, parameter_names, path)
        if condition is not None:
            attributes |= {n for n in condition.names if not n.startswith("events.")}
            uses_outcomes |= any(n.startswith("events.") for n in condition.names)
        delay = _delay(event.delay, (*path, "delay"))
        parameters = _parameters(event.parameters, (*path, "parameters"))
        repeat = _repeat(event, spec.duration_days, path)
        for sampler in (delay, *(p.sampler for p in parameters.sampled)):
            attributes |= sampler.names
        if repeat is not None:
            attributes |= repeat.every.names
        events.append(
            PlanEvent(
                order=index[event.id],
                id=event.id,
                name=event.name or event.id,
                event_type=event.event_type,
                product=event.product,
                delay=delay,
                parents=tuple(sorted(index[p] for p in event.depends_on)),
                children=tuple(sorted(index[c] for c in graph.successors(event.id))),
                probability=event.probability,
                condition=condition,
                choice=group_index[event.choice.group] if event.choice else -1,
                repeat=repeat,
                parameters=parameters,
                resource=event.resource,
                fatal=event.fatal,
            )
        )
    applies_to = None
    if spec.applies_to is not None:
        applies_to = compile_condition(spec.applies_to, path=("applies_to",))
        attributes |= applies_to.names
    return JourneyPlan(
        spec=spec,
        events=tuple(events),
        roots=tuple(e.order for e in events if not e.parents),
        choices=choices,
        applies_to=applies_to,
        attribute_names=frozenset(attributes),
        uses_outcomes=uses_outcomes,
        index=MappingProxyType(index),
    )


def _cumulative(weights: list[float]) -> tuple[float, ...]:
    total = math.fsum(weights)
    running, out = 0.0, []
    for weight in weights:
        running += weight / total
        out.append(running)
    out[-1] = 1.0
    return tuple(out)


def _lowest(sampler: Sampler) -> float:
    if isinstance(sampler, ConditionalSampler):
        return min(_lowest(branch) for branch in sampler.branches)
    if isinstance(sampler, MixtureSampler):
        return min(_lowest(component) for component in sampler.components)
    return float(sampler.support()[0])


def _delay(spec: Any, path: tuple) -> Sampler:
    sampler = create_distribution(spec, path=path)
    try:
        lowest = _lowest(sampler)
    except (TypeError, ValueError):
        raise SpecError("a delay is a number of days", path=path) from None
    if not lowest >= 0:
        raise SpecError("a delay cannot be negative; truncate it (min: 0) or shift it", path=path)
    return sampler


def _repeat(event: EventSpec, duration_days: float, path: tuple) -> RepeatPlan | None:
    if event.repeat is None:
        return None
    every = _delay(event.repeat.every, (*path, "repeat", "every"))
    lowest = _lowest(every)
    until = math.inf if event.repeat.until_day is None else event.repeat.until_day
    if event.repeat.count is None and every.support()[1] <= 0:
        raise SpecError(
            "'every' is always 0 days: the repeat needs a count",
            path=(*path, "repeat", "every"),
        )
    if event.repeat.count is not None:
        reserve = event.repeat.count - 1
    elif lowest > 0:
        reserve = math.ceil(min(until, duration_days) / lowest)
    else:
        reserve = 16
    return RepeatPlan(every, event.repeat.count, until, max(0, min(reserve, MAX_RESERVE)))


def _is_distribution(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("type") in _DISTRIBUTION_TYPES


def _parameter_names(event: EventSpec) -> set[str]:
    return set(event.parameters)


def _parameters(parameters: Mapping[str, Any], path: tuple) -> ParameterPlan:
    static: dict[str, Any] = {}
    sampled: list[SampledParameter] = []
    for name, value in parameters.items():
        where = (*path, name)
        if isinstance(value, Mapping) and "sample" in value:
            extra = set(value) - {"sample", "round"}
            if extra:
                raise SpecError(
                    f"unknown field '{sorted(extra)[0]}' (a sampled parameter has sample, round)",
                    path=where,
                )
            digits = value.get("round")
            if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)):
                raise SpecError("round takes a whole number of digits", path=(*where, "round"))
            sampler = create_distribution(value["sample"], path=(*where, "sample"))
            sampled.append(SampledParameter(str(name), sampler, digits))
        elif _is_distribution(value):
            sampled.append(
                SampledParameter(str(name), create_distribution(value, path=where), None)
            )
        else:
            static[str(name)] = value
    try:
        static_json = json.dumps(static, sort_keys=True, separators=(",", ":"), default=str)
    except (TypeError, ValueError) as error:
        raise SpecError(f"parameters are not JSON: {error}", path=path) from None
    fragments: list[str | int] = []
    position = {p.name: i for i, p in enumerate(sampled)}
    for name in sorted({*static, *position}):
        if name in position:
            fragments.append(position[name])
        else:
            text = json.dumps(static[name], sort_keys=True, separators=(",", ":"), default=str)
            fragments.append(f"{json.dumps(name)}:{text}")
    return ParameterPlan(MappingProxyType(static), tuple(sampled), static_json, tuple(fragments))


def _condition(
    event: EventSpec, parameter_names: Mapping[str, set[str]], path: tuple
) -> Expression | None:
    if event.conditions is None:
        return None
    where = (*path, "conditions")
    raw = event.conditions
    if isinstance(raw, list):
        if not raw:
            return None
        raw = raw[0] if len(raw) == 1 else {"all": raw}
    condition = compile_condition(raw, path=where)
    for name in sorted(condition.names):
        parts = name.split(".")
        if parts[0] != "events":
            continue
        if len(parts) != 3:
            raise SpecError(
                f"'{name}' names no outcome (say events.<id>.happened, .time_days, .count "
                "or .<parameter>)",
                path=where,
            )
        _, target, field = parts
        if target not in parameter_names:
            raise SpecError(
                f"unknown event '{target}' in condition {condition.text!r}",
                path=where,
                hint=did_you_mean(target, parameter_names),
            )
        known = {*OUTCOME_FIELDS, *parameter_names[target]}
        if field not in known:
            raise SpecError(
                f"event '{target}' has no outcome '{field}'",
                path=where,
                hint=did_you_mean(field, known) or f"known: {', '.join(sorted(known))}",
            )
    return condition
