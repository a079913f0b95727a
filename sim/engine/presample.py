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

__all__ = ["BlockDraws", "PersonDraws", "RepeatDraws", "draw_block", "person_rng"]

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


@dataclass(slots=True)
class RepeatDraws:
    """One repeating event's later occurrences for the persons of a block (or a shard)."""

    #: (persons, reserve) days since the previous occurrence
    every: np.ndarray
    #: (persons, reserve) uniforms for the probability
    uniforms: np.ndarray
    #: per person, per occurrence, the sampled parameter values (None: no sampled ones)
    values: list[list[list[Any]]] | None


@dataclass(slots=True)
class BlockDraws:
    """The draws of ``m`` persons for one journey, as arrays (rows: persons, columns: plan
    order): what the vectorised timeline reads; ``person(i)`` is the dynamic engine's view."""

    delays: np.ndarray  # (m, events)
    uniforms: np.ndarray  # (m, events)
    choice_uniforms: np.ndarray  # (m, choices)
    #: per event: None, or per person the list of sampled parameter values
    parameters: list[list[list[Any]] | None]
    repeats: dict[int, RepeatDraws]

    @property
    def size(self) -> int:
        return int(self.delays.shape[0])

    def person(self, i: int) -> PersonDraws:
        return PersonDraws(
            self.delays[i].tolist(),
            self.uniforms[i].tolist(),
            self.choice_uniforms[i].tolist(),
            [None if rows is None else rows[i] for rows in self.parameters],
            {
                order: (
                    r.every[i].tolist(),
                    r.uniforms[i].tolist(),
                    None if r.values is None else r.values[i],
                )
                for order, r in self.repeats.items()
            },
        )

    def take(self, index: np.ndarray) -> BlockDraws:
        """The draws of the persons at ``index``."""
        if index.size == self.size:
            return self
        listed = index.tolist()

        def rows(values: list | None) -> list | None:
            return None if values is None else [values[i] for i in listed]

        return BlockDraws(
            self.delays[index],
            self.uniforms[index],
            self.choice_uniforms[index],
            [rows(values) for values in self.parameters],
            {
                order: RepeatDraws(r.every[index], r.uniforms[index], rows(r.values))
                for order, r in self.repeats.items()
            },
        )

    @staticmethod
    def concatenate(parts: list[BlockDraws]) -> BlockDraws:
        """The draws of several blocks, their persons one after another."""
        if len(parts) == 1:
            return parts[0]
        first = parts[0]
        parameters: list[list[list[Any]] | None] = []
        for order, rows in enumerate(first.parameters):
            parameters.append(
                None if rows is None else [row for part in parts for row in part.parameters[order]]  # type: ignore[union-attr]
            )
        repeats = {}
        for order, repeat in first.repeats.items():
            values = None
            if repeat.values is not None:
                values = [v for part in parts for v in part.repeats[order].values]  # type: ignore[union-attr]
            repeats[order] = RepeatDraws(
                np.concatenate([p.repeats[order].every for p in parts]),
                np.concatenate([p.repeats[order].uniforms for p in parts]),
                values,
            )
        return BlockDraws(
            np.concatenate([p.delays for p in parts]),
            np.concatenate([p.uniforms for p in parts]),
            np.concatenate([p.choice_uniforms for p in parts]),
            parameters,
            repeats,
        )


def draw_block(
    plan: JourneyPlan,
    seeds: SeedTree,
    block: int,
    positions: np.ndarray,
    columns: Columns,
) -> BlockDraws:
    """The draws of the persons at ``positions`` (0 .. BLOCK_SIZE-1) of ``block``."""
    rng = block_rng(seeds, plan, block)
    n, m = BLOCK_SIZE, positions.size
    count = len(plan.events)
    delays = np.empty((m, count))
    parameters: list[list[list[Any]] | None] = [None] * count
    repeats: dict[int, RepeatDraws] = {}
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
            repeats[event.order] = RepeatDraws(
                np.asarray(every, dtype=float).reshape(m, k), uniforms, values
            )
    uniforms = rng.random((n, count))[positions]
    choice_uniforms = rng.random((n, len(plan.choices)))[positions]
    return BlockDraws(delays, uniforms, choice_uniforms, parameters, repeats)
