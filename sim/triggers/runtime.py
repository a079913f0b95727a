"""Triggers at run time: an engine hook that schedules each target on the shard's SimPy
environment after its delay, and records it (``caused_by`` the source event) when it is due.

Draws (probability, delay, sampled parameters) come from the person's own stream
``(triggers, person index)``, in the order the person's events fire, so they depend on the seed
and the person only. Each trigger draws its delays in small pools, which keeps the per-event
cost to list operations.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import simpy
from simpy.core import NORMAL

from sim.engine.dispatch import FiredEvent, PersonState, ShardContext
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
        parameters: dict[str, Any],
    ) -> None:
        env = shard.env
        # inlined as simpy.Timeout inlines it (the delay is >= 0 by the trigger's checks)
        self.env = env
        self.callbacks = [_record]
        self._ok = True
        self._value = None
        self.shard = shard
        self.source = source
        self.code = code
        self.parameters = parameters
        env.schedule(self, priority, delay)


def _record(due: simpy.Event) -> None:
    source = due.source  # type: ignore[attr-defined]
    due.shard.record(  # type: ignore[attr-defined]
        source.person,
        due.code,  # type: ignore[attr-defined]
        due.env.now,
        due.parameters,  # type: ignore[attr-defined]
        source.event_id,
        source.depth + 1,
    )


class _PersonDraws:
    """One person's trigger stream and per-trigger pools of delays and uniforms."""

    __slots__ = ("delays", "rng", "uniforms")

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.delays: dict[str, list[float]] = {}
        self.uniforms: list[float] = []

    def uniform(self) -> float:
        if not self.uniforms:
            self.uniforms = self.rng.random(POOL_SIZE).tolist()[::-1]
        return self.uniforms.pop()

    def delay(self, trigger: CompiledTrigger, person: PersonState) -> float:
        pool = self.delays.get(trigger.id)
        if not pool:
            names = sorted(trigger.delay.names)
            columns = {n: np.repeat(np.asarray([person.attribute(n)]), POOL_SIZE) for n in names}
            drawn = trigger.delay.sample(self.rng, POOL_SIZE, columns or None)
            pool = self.delays[trigger.id] = np.asarray(drawn, dtype=float).tolist()[::-1]
        return pool.pop()


class TriggerHook:
    """The engine hook of a trigger set: ``simulate(..., hooks=[TriggerHook(triggers)])``."""

    def __init__(self, triggers: TriggerSet) -> None:
        self.triggers = triggers
        self.by_source = triggers.by_source
        #: the engine calls the hook only for these (product, event_type)
        self.sources = frozenset(triggers.by_source)

    def __call__(self, shard: ShardContext, event: FiredEvent) -> None:
        candidates = self.by_source.get((event.product, event.event_type))
        if not candidates:
            return
        state = shard.state.get(STATE_KEY)
        if state is None:
            state = shard.state[STATE_KEY] = {"draws": {}, "depth_stopped": 0}
        code = shard.buffer.code
        for trigger in candidates:
            if event.depth >= trigger.depth_limit:
                state["depth_stopped"] += 1
                continue
            if trigger.when is not None and not trigger.when.evaluate(_lookup(event)):
                continue
            draws = state["draws"].get(event.person.row)
            if draws is None:
                draws = self._draws(shard, state, event.person)
            spec = trigger.spec
            if spec.probability < 1.0 and draws.uniform() >= spec.probability:
                continue
            target = spec.target
            _Due(
                shard,
                draws.delay(trigger, event.person),
                NORMAL + spec.priority,
                event,
                code(target.product, target.event_type, spec.id, event.journey_id),
                _parameters(trigger, event, draws),
            )

    @staticmethod
    def _draws(shard: ShardContext, state: dict, person: PersonState) -> _PersonDraws:
        rng = shard.seeds.rng(Stream.TRIGGERS, person.person_index)
        draws = state["draws"][person.row] = _PersonDraws(rng)
        return draws


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
