"""Triggers at run time: an engine hook that schedules each target on the shard's SimPy
environment after its delay, and records it (``caused_by`` the source event) when it is due.

Draws (probability, delay, sampled parameters) come from the person's own stream
``(triggers, person index)``, in the order the person's events fire, so they depend on the seed
and the person only. Each trigger draws its delays in small pools, which keeps the per-event
cost to list operations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from heapq import heappush
from types import MappingProxyType
from typing import Any

import numpy as np
import simpy
from simpy.core import NORMAL

from sim.distributions.continuous import FixedSampler
from sim.engine.dispatch import FiredEvent, PersonState, ShardContext, parameters_json
from sim.errors import SpecError
from sim.seeds import Stream
from sim.triggers.compiled import CompiledTrigger, TriggerSet
from sim.triggers.parameters import ParameterRule, lab_value, lookup

__all__ = ["TriggerHook"]

POOL_SIZE = 16
STATE_KEY = "triggers"


class _Due(simpy.Event):
    """A triggered target: processed ``delay`` from now at ``priority`` (SimPy orders same-time
    events by priority, then by scheduling order), when it records itself."""

    def __init__(
        self,
        shard: ShardContext,
        delay: float,
        priority: int,
        source: FiredEvent,
        code: int,
        parameters: Mapping[str, Any],
        text: str,
    ) -> None:
        env = shard.env
        # inlined as simpy.Timeout inlines it, and env.schedule too (the delay is >= 0 by
        # the trigger's checks)
        self.env = env
        self.callbacks = [_record]
        self._ok = True
        self._value = None
        self.shard = shard
        self.source = source
        self.code = code
        self.parameters = parameters
        self.text = text
        heappush(env._queue, (env._now + delay, priority, next(env._eid), self))


def _record(due: simpy.Event) -> None:
    source = due.source  # type: ignore[attr-defined]
    due.shard.record(  # type: ignore[attr-defined]
        source.person,
        due.code,  # type: ignore[attr-defined]
        due.env._now,
        due.parameters,  # type: ignore[attr-defined]
        due.text,  # type: ignore[attr-defined]
        source.event_id,
        source.depth + 1,
    )


class _Route:
    """What one trigger needs per source event, read from its spec once per hook."""

    __slots__ = (
        "cache",
        "depth_limit",
        "fixed_delay",
        "index",
        "priority",
        "probability",
        "pure",
        "target",
        "trigger",
        "when",
    )

    def __init__(self, trigger: CompiledTrigger, index: int) -> None:
        spec = trigger.spec
        self.trigger = trigger
        self.index = index
        self.depth_limit = trigger.depth_limit
        self.when = trigger.when
        self.probability = spec.probability
        self.priority = NORMAL + spec.priority
        #: (product, event_type, definition_id) of the target
        self.target = (spec.target.product, spec.target.event_type, spec.id)
        #: a fixed delay draws nothing, so it needs no pool
        delay = trigger.delay
        self.fixed_delay = float(delay.value) if type(delay) is FixedSampler else None
        #: parameters that draw nothing depend on the source's parameters alone
        self.pure = not any(rule.draws for rule in trigger.parameters)
        #: id(frozen source parameters) -> (them, the target's parameters, their JSON)
        self.cache: dict[int, tuple[Mapping[str, Any], Mapping[str, Any], str]] = {}

    def parameters(
        self, event: FiredEvent, draws: _PersonDraws
    ) -> tuple[Mapping[str, Any], str]:
        """The target's parameters and their JSON text. A pure trigger's, from a frozen source
        (a journey event's literal parameters, or a cached target's), are made once: read-only
        and shared, so that the triggers they cause in turn are cached as well."""
        source = event.parameters
        if not self.pure or type(source) is not MappingProxyType:
            out = _parameters(self.trigger, event, draws)
            return out, parameters_json(out)
        cached = self.cache.get(id(source))
        if cached is None:
            out = _parameters(self.trigger, event, draws)
            # the entry holds the source, so its id is not reused while cached
            entry = (source, MappingProxyType(out), parameters_json(out))
            cached = self.cache[id(source)] = entry
        return cached[1], cached[2]


class _PersonDraws:
    """One person's trigger stream and per-trigger pools of delays and uniforms."""

    __slots__ = ("delays", "rng", "uniforms")

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.delays: dict[int, list[float]] = {}
        self.uniforms: list[float] = []

    def uniform(self) -> float:
        if not self.uniforms:
            self.uniforms = self.rng.random(POOL_SIZE).tolist()[::-1]
        return self.uniforms.pop()

    def delay(self, route: _Route, person: PersonState) -> float:
        pool = self.delays.get(route.index)
        if not pool:
            sampler = route.trigger.delay
            names = sorted(sampler.names)
            columns = {n: np.repeat(np.asarray([person.attribute(n)]), POOL_SIZE) for n in names}
            drawn = sampler.sample(self.rng, POOL_SIZE, columns or None)
            pool = self.delays[route.index] = np.asarray(drawn, dtype=float).tolist()[::-1]
        return pool.pop()


class _ShardState:
    """The hook's state in one environment: persons' draws and the targets' event codes."""

    __slots__ = ("codes", "depth_stopped", "draws")

    def __init__(self) -> None:
        #: shard row -> the person's draws
        self.draws: dict[int, _PersonDraws] = {}
        #: (route index, journey id) -> the target's code in the shard's buffer
        self.codes: dict[tuple[int, str], int] = {}
        self.depth_stopped = 0


class TriggerHook:
    """The engine hook of a trigger set: ``simulate(..., hooks=[TriggerHook(triggers)])``."""

    def __init__(self, triggers: TriggerSet) -> None:
        self.triggers = triggers
        self.by_source = triggers.by_source
        #: the engine calls the hook only for these (product, event_type)
        self.sources = frozenset(triggers.by_source)
        index = {trigger.id: i for i, trigger in enumerate(triggers.triggers)}
        self.routes = {
            key: tuple(_Route(t, index[t.id]) for t in candidates)
            for key, candidates in triggers.by_source.items()
        }

    def __call__(self, shard: ShardContext, event: FiredEvent) -> None:
        routes = self.routes.get((event.product, event.event_type))
        if not routes:
            return
        state = shard.state.get(STATE_KEY)
        if state is None:
            state = shard.state[STATE_KEY] = _ShardState()
        person = event.person
        depth = event.depth
        draws = None
        for route in routes:
            if depth >= route.depth_limit:
                state.depth_stopped += 1
                continue
            if route.when is not None and not route.when.evaluate(_lookup(event)):
                continue
            if draws is None:
                draws = state.draws.get(person.row)
                if draws is None:
                    rng = shard.seeds.rng(Stream.TRIGGERS, person.person_index)
                    draws = state.draws[person.row] = _PersonDraws(rng)
            probability = route.probability
            if probability < 1.0 and draws.uniform() >= probability:
                continue
            delay = route.fixed_delay
            if delay is None:
                delay = draws.delay(route, person)
            key = (route.index, event.journey_id)
            code = state.codes.get(key)
            if code is None:
                code = state.codes[key] = shard.buffer.code(*route.target, event.journey_id)
            parameters, text = route.parameters(event, draws)
            _Due(shard, delay, route.priority, event, code, parameters, text)


def _lookup(event: FiredEvent) -> Callable[[str], Any]:
    def lookup(name: str) -> Any:
        if name.startswith("parameters."):
            return event.parameters.get(name[len("parameters.") :])
        return event.person.attribute(name)

    return lookup


def _parameters(trigger: CompiledTrigger, event: FiredEvent, draws: _PersonDraws) -> dict:
    source = event.parameters
    out: dict[str, Any] = {}
    for rule in trigger.parameters:
        kind = rule.kind
        if kind == "literal":  # the common rules inline: this runs for every triggered event
            value = rule.value
        elif kind == "from":
            value = source.get(rule.key)
            if value is None:
                value = rule.value
        else:
            value = _drawn_or_looked_up(rule, source, event, draws, trigger)
        if value is not None:
            out[rule.name] = value
    return out


def _drawn_or_looked_up(
    rule: ParameterRule,
    source: Any,
    event: FiredEvent,
    draws: _PersonDraws,
    trigger: CompiledTrigger,
) -> Any:
    if rule.kind == "sample":
        value = rule.sampler.sample_one(draws.rng)  # type: ignore[union-attr]
        if rule.round_digits is not None and isinstance(value, float):
            value = round(value, rule.round_digits)
        return value
    key = source.get(rule.key)
    if key is None:
        return None  # the source has nothing to look up: the target goes without
    try:
        if rule.kind == "lookup":
            return lookup(rule.table, rule.field, str(key))
        return lab_value(str(key), event.person.attribute, draws.rng)
    except SpecError as error:
        raise SpecError(
            f"event {event.event_id} ({event.product}.{event.event_type}): {error.message}",
            path=("triggers", trigger.id, "parameters", rule.name),
            hint=error.hint,
        ) from None
