"""The vectorised journey engine: every person's timeline of one journey at once, with numpy.

Persons who share nothing (no shared resource) do not need an event loop: an event's time is
its ready time (the last of its dependencies' first firings) plus its delay, a repeat adds its
``every`` to the previous occurrence, and whether an occurrence fires depends on its uniform,
its probability and its condition. Computing event by event in an order where every event
comes after what it depends on and what its condition reads gives, for all persons at once,
the records the dynamic engine (``sim.engine.process``) makes one event at a time from the same
draws: the same times, parameters and order. A condition reads the outcomes "so far" through
the agenda order (time, plan order, occurrence), as it would when the event fires.

A journey whose conditions read each other (or read an event that depends on theirs) has no
such order, and a person whose repeat outruns the drawn reserve draws from their own stream
in firing order: those go to the dynamic engine (``compute_order`` is None; ``overflow``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from sim.engine.presample import BlockDraws
from sim.journeys.plan import JourneyPlan, PlanEvent, outcome

__all__ = ["Timeline", "compute_order", "simulate_timeline"]

#: (name, shard row) -> the person's attribute (shared with the dynamic engine's view)
Attribute = Callable[[str, int], Any]


def compute_order(plan: JourneyPlan) -> tuple[int, ...] | None:
    """An order of the plan's events in which each comes after its dependencies and after the
    events its condition reads (other than itself); None when there is none, or when an event
    waits for a shared resource (then the dynamic engine runs the journey)."""
    if plan.resources:
        return None
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(plan.events)))
    for event in plan.events:
        graph.add_edges_from((parent, event.order) for parent in event.parents)
        for read in _reads(plan, event):
            if read != event.order:
                graph.add_edge(read, event.order)
    if not nx.is_directed_acyclic_graph(graph):
        return None
    return tuple(nx.lexicographical_topological_sort(graph))


def _reads(plan: JourneyPlan, event: PlanEvent) -> set[int]:
    if event.condition is None:
        return set()
    return {
        plan.index[name.split(".")[1]]
        for name in event.condition.names
        if name.startswith("events.")
    }


@dataclass
class Timeline:
    """The fired occurrences of one journey: ``person`` (index into the journey's persons),
    plan ``order``, ``occurrence``, ``time``; their ``parameters`` as JSON text and, where
    ``sources`` asked for it, as mappings; and the persons whose repeats outran the reserve
    (``overflow``: their records here are incomplete and are dropped)."""

    person: np.ndarray
    order: np.ndarray
    occurrence: np.ndarray
    time: np.ndarray
    parameters: list[str]
    sources: list[Mapping[str, Any] | None] | None
    overflow: np.ndarray


@dataclass
class _Outcome:
    """One event's occurrences for every person: times (inf where not scheduled) and fired."""

    times: np.ndarray  # (m, K)
    fired: np.ndarray  # (m, K)
    first: np.ndarray  # (m,): the first firing's time, inf for none


def simulate_timeline(
    plan: JourneyPlan,
    order: tuple[int, ...],
    draws: BlockDraws,
    rows: np.ndarray,
    offsets: np.ndarray,
    horizon_days: float,
    attribute: Attribute,
    sources: frozenset[tuple[str, str]] = frozenset(),
) -> Timeline:
    """The timeline of ``plan`` for the persons at shard ``rows`` (``draws`` and ``offsets``
    in the same order); ``order`` is ``compute_order(plan)``. Events whose (product,
    event_type) is in ``sources`` also keep their parameters as mappings."""
    m = rows.size
    horizons = np.minimum(horizon_days, offsets + plan.duration_days)
    picks = [_picks(choice, draws.choice_uniforms[:, g]) for g, choice in enumerate(plan.choices)]
    outcomes: dict[int, _Outcome] = {}
    overflow = np.zeros(m, dtype=bool)
    for e in order:
        event = plan.events[e]
        if event.parents:
            ready = np.maximum.reduce([outcomes[p].first for p in event.parents])
        else:
            ready = offsets.astype(float, copy=True)
        scheduled = np.isfinite(ready)
        if event.choice >= 0:
            scheduled &= picks[event.choice] == e
        times, scheduled, spills = _occurrences(event, draws, ready, scheduled, offsets, horizons)
        overflow |= spills
        passed = scheduled & (_uniforms(event, draws, times.shape[1]) < event.probability)
        fired = passed
        if event.condition is not None:
            fired = _conditioned(plan, event, outcomes, draws, times, passed, rows, offsets,
                                 attribute)  # fmt: skip
        first = np.where(fired.any(axis=1), times[np.arange(m), fired.argmax(axis=1)], np.inf)
        outcomes[e] = _Outcome(times, fired, first)
    return _records(plan, outcomes, draws, sources, overflow)


def _picks(choice: Any, uniforms: np.ndarray) -> np.ndarray:
    """The branch (plan order) each person's choice uniform picks (``ChoicePlan.pick``)."""
    bounds = np.asarray(choice.cumulative_weights)
    index = np.minimum(np.searchsorted(bounds, uniforms, side="right"), bounds.size - 1)
    return np.asarray(choice.branches)[index]


def _occurrences(
    event: PlanEvent,
    draws: BlockDraws,
    ready: np.ndarray,
    scheduled: np.ndarray,
    offsets: np.ndarray,
    horizons: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times (m, K) and whether each occurrence is on the agenda; and which persons would
    schedule an occurrence beyond the reserve (drawn in firing order by the dynamic engine)."""
    repeat = event.repeat
    first = ready + draws.delays[:, event.order]
    until = np.inf if repeat is None else offsets + repeat.until_day
    on = scheduled & (first < horizons) & (first <= until)
    if repeat is None:
        return np.where(on, first, np.inf)[:, None], on[:, None], np.zeros(on.size, dtype=bool)
    every = draws.repeats[event.order].every if event.order in draws.repeats else None
    size = 1 + (0 if every is None else every.shape[1])
    if repeat.count is not None:
        size = min(size, repeat.count)
    times = np.full((on.size, size), np.inf)
    agenda = np.zeros((on.size, size), dtype=bool)
    times[:, 0] = np.where(on, first, np.inf)
    agenda[:, 0] = on
    for k in range(1, size):
        following = times[:, k - 1] + every[:, k - 1]  # type: ignore[index]
        on = agenda[:, k - 1] & (following < horizons) & (following <= until)
        times[:, k] = np.where(on, following, np.inf)
        agenda[:, k] = on
    beyond = repeat.count is None or size < repeat.count
    spills = agenda[:, size - 1] if beyond else np.zeros(on.size, dtype=bool)
    return times, agenda, spills


def _uniforms(event: PlanEvent, draws: BlockDraws, size: int) -> np.ndarray:
    first = draws.uniforms[:, event.order : event.order + 1]
    if size == 1:
        return first
    return np.concatenate([first, draws.repeats[event.order].uniforms[:, : size - 1]], axis=1)


def _values(draws: BlockDraws, order: int, i: int, k: int) -> list[Any] | None:
    """The sampled parameter values of person ``i``'s occurrence ``k`` (None: no sampled)."""
    if k == 0:
        rows = draws.parameters[order]
        return None if rows is None else rows[i]
    values = draws.repeats[order].values
    return None if values is None else values[i][k - 1]


def _conditioned(
    plan: JourneyPlan,
    event: PlanEvent,
    outcomes: Mapping[int, _Outcome],
    draws: BlockDraws,
    times: np.ndarray,
    passed: np.ndarray,
    rows: np.ndarray,
    offsets: np.ndarray,
    attribute: Attribute,
) -> np.ndarray:
    """Which passed occurrences also meet the condition, evaluated as the dynamic engine does
    when the occurrence fires: on the person's attributes and the outcomes so far."""
    assert event.condition is not None
    condition = event.condition
    e = event.order
    fired = np.zeros_like(passed)
    fires: dict[tuple[int, int], list[float]] = {}
    for i, k in zip(*np.nonzero(passed), strict=True):
        i, k = int(i), int(k)
        time = float(times[i, k])
        row, offset = int(rows[i]), float(offsets[i])
        own = [j for j in range(k) if fired[i, j]]

        def lookup(name: str, i: int = i, k: int = k, time: float = time, row: int = row,
                   offset: float = offset, own: list[int] = own) -> Any:  # fmt: skip
            if not name.startswith("events."):
                return attribute(name, row)
            _, key, field = name.split(".", 2)
            x = plan.index[key]
            if x == e:
                count, latest = len(own), (own[-1] if own else -1)
                latest_times = times[i]
            else:
                occurrences = outcomes[x]
                series = fires.get((x, i))
                if series is None:
                    series = occurrences.times[i][occurrences.fired[i]].tolist()
                    fires[(x, i)] = series
                # an occurrence of an event earlier in plan order at the same time came first
                count = (bisect_right if x < e else bisect_left)(series, time)
                latest = int(np.flatnonzero(occurrences.fired[i])[count - 1]) if count else -1
                latest_times = occurrences.times[i]

            def latest_outcome() -> tuple[float, Mapping[str, Any]]:
                values = _values(draws, x, i, latest)
                parameters = plan.events[x].parameters.values(values or ())
                return float(latest_times[latest]) - offset, parameters

            return outcome(field, count, latest_outcome)

        fired[i, k] = bool(condition.evaluate(lookup))
    return fired


def _records(
    plan: JourneyPlan,
    outcomes: Mapping[int, _Outcome],
    draws: BlockDraws,
    sources: frozenset[tuple[str, str]],
    overflow: np.ndarray,
) -> Timeline:
    persons, orders, occurrences, times = [], [], [], []
    parameters: list[str] = []
    kept: list[Mapping[str, Any] | None] = []
    for e in range(len(plan.events)):
        event = plan.events[e]
        outcome = outcomes[e]
        i, k = np.nonzero(outcome.fired)
        persons.append(i)
        orders.append(np.full(i.size, e))
        occurrences.append(k)
        times.append(outcome.times[i, k])
        plan_parameters = event.parameters
        if plan_parameters.sampled:
            values = [_values(draws, e, a, b) for a, b in zip(i.tolist(), k.tolist(), strict=True)]
            parameters += [plan_parameters.to_json(v) for v in values]  # type: ignore[arg-type]
        else:
            values = [None] * i.size
            parameters += [plan_parameters.static_json] * i.size
        if (event.product, event.event_type) in sources:
            kept += [plan_parameters.static if v is None else plan_parameters.values(v)
                     for v in values]  # fmt: skip
        else:
            kept += [None] * i.size
    return Timeline(
        np.concatenate(persons),
        np.concatenate(orders),
        np.concatenate(occurrences),
        np.concatenate(times),
        parameters,
        kept if sources else None,
        overflow,
    )
