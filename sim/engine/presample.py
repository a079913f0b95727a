"""Draws made ahead, per block of ``BLOCK_SIZE`` person indices, vectorised with numpy.

Every block draws the same arrays in the same order from its own stream
``(journey, <journey key>, 0, block)`` for all ``BLOCK_SIZE`` positions, present or not, so a
person's draws depend only on (seed, journey, person index): not on the population size, the
shard, or other persons' attributes (a conditional distribution draws every branch for the
whole block and each person takes the branch its own attributes select). Repeats that outrun
the reserve continue from the person's own stream ``(journey, <journey key>, 1, index)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.distributions import Sampler
from sim.distributions.composite import ConditionalSampler, MixtureSampler
from sim.errors import SpecError
from sim.journeys.plan import JourneyPlan
from sim.seeds import BLOCK_SIZE, SeedTree, Stream, stream_key

__all__ = ["PersonDraws", "draw_block", "person_rng"]

Columns = Mapping[str, np.ndarray]


@dataclass(slots=True)
class PersonDraws:
    """One person's draws for one journey (lists indexed by plan order)."""

    delays: list[float]
    uniforms: list[float]
    choice_uniforms: list[float]
    #: sampled parameter values of the first occurrence, per event (None: no sampled ones)
    parameters: list[list[Any] | None]
    #: per repeating event: (every delays, uniforms, parameter values) of later occurrences
    repeats: dict[int, tuple[list[float], list[float], list[list[Any]] | None]]


def journey_key(plan: JourneyPlan) -> int:
    return stream_key(plan.id)


def block_rng(seeds: SeedTree, plan: JourneyPlan, block: int) -> np.random.Generator:
    return seeds.rng(Stream.JOURNEY, journey_key(plan), 0, block)


def person_rng(seeds: SeedTree, plan: JourneyPlan, person_index: int) -> np.random.Generator:
    return seeds.rng(Stream.JOURNEY, journey_key(plan), 1, person_index)


def sample_positions(
    sampler: Sampler, rng: np.random.Generator, n: int, positions: np.ndarray, columns: Columns
) -> np.ndarray:
    """``n`` draws for the whole block, returned at ``positions`` (columns align with them)."""
    if isinstance(sampler, ConditionalSampler):
        branches = [sample_positions(b, rng, n, positions, columns) for b in sampler.branches]
        out = np.empty(positions.size, dtype=object if _mixed(branches) else branches[0].dtype)
        todo = np.ones(positions.size, dtype=bool)
        for condition, values in zip(sampler.conditions, branches, strict=False):
            take = todo & condition.evaluate_columns(columns, positions.size)
            out[take] = values[take]
            todo &= ~take
        if sampler.has_default:
            out[todo] = branches[-1][todo]
        elif todo.any():
            raise SpecError(
                "no rule matched and there is no default", path=sampler.path, hint="add a 'default'"
            )
        return out
    if isinstance(sampler, MixtureSampler) and sampler.names:
        chosen = np.asarray(sampler.chooser.sample(rng, n))[positions]
        parts = [sample_positions(c, rng, n, positions, columns) for c in sampler.components]
        out = np.empty(positions.size, dtype=object if _mixed(parts) else parts[0].dtype)
        for k, values in enumerate(parts):
            out[chosen == k] = values[chosen == k]
        return out
    return np.asarray(sampler.sample(rng, n))[positions]


def _mixed(arrays: list[np.ndarray]) -> bool:
    return len({a.dtype for a in arrays}) > 1


def _parameter_rows(
    plan_event: Any,
    rng: np.random.Generator,
    n: int,
    positions: np.ndarray,
    columns: Columns,
) -> list[list[Any]]:
    """Per position, the list of sampled parameter values."""
    values = []
    for parameter in plan_event.parameters.sampled:
        drawn = sample_positions(parameter.sampler, rng, n, positions, columns)
        if parameter.round_digits is not None and drawn.dtype.kind in "fiu":
            drawn = np.round(drawn.astype(float), parameter.round_digits)
        values.append(drawn.tolist())
    return [list(row) for row in zip(*values, strict=True)]


def draw_block(
    plan: JourneyPlan,
    seeds: SeedTree,
    block: int,
    positions: np.ndarray,
    columns: Columns,
) -> list[PersonDraws]:
    """The draws of the persons at ``positions`` (0 .. BLOCK_SIZE-1) of ``block``."""
    rng = block_rng(seeds, plan, block)
    n, m = BLOCK_SIZE, positions.size
    count = len(plan.events)
    delays = np.empty((m, count))
    parameters: list[list[list[Any]] | None] = [None] * count
    repeats: list[tuple[int, list, list, list | None]] = []
    for event in plan.events:
        delays[:, event.order] = sample_positions(event.delay, rng, n, positions, columns)
        if event.parameters.sampled:
            parameters[event.order] = _parameter_rows(event, rng, n, positions, columns)
        if event.repeat is not None and event.repeat.reserve > 0:
            k = event.repeat.reserve
            wide = (positions[:, None] * k + np.arange(k)).ravel()
            wide_columns = {name: np.repeat(column, k) for name, column in columns.items()}
            every = sample_positions(event.repeat.every, rng, n * k, wide, wide_columns)
            uniforms = rng.random((n, k))[positions]
            values = None
            if event.parameters.sampled:
                flat = _parameter_rows(event, rng, n * k, wide, wide_columns)
                values = [flat[i * k : (i + 1) * k] for i in range(m)]
            repeats.append((event.order, every.reshape(m, k).tolist(), uniforms.tolist(), values))
    uniforms = rng.random((n, count))[positions].tolist()
    choice_uniforms = rng.random((n, len(plan.choices)))[positions].tolist()
    delay_rows = delays.tolist()
    out = []
    for i in range(m):
        person_repeats = {
            order: (every[i], repeat_uniforms[i], None if values is None else values[i])
            for order, every, repeat_uniforms, values in repeats
        }
        out.append(
            PersonDraws(
                delay_rows[i],
                uniforms[i],
                choice_uniforms[i],
                [None if rows is None else rows[i] for rows in parameters],
                person_repeats,
            )
        )
    return out
