"""The triggers' cascade: the events that the journeys' events cause, level by level.

Triggered events never change a journey (conditions read only the journey's own events), so
they are computed after the journeys, for the whole shard at once: the journey events are
level 0; each trigger takes the events of a level that are its source (and pass its ``when``
and its depth limit), draws whether it fires and its delay, and makes its target one level
deeper, ``caused_by`` its source; targets at or past the horizon, or after the person's death
(a fatal journey event), are not recorded. The next
level is what the previous one made, until none is left.

Draws depend only on the person: the k-th source event of a trigger for a person (in the
person's order: time, then what came first) takes column k of the person's row in the
trigger's pools, drawn per block of persons from the stream ``(triggers, <trigger key>, 0,
block)``, ``POOL_SIZE`` columns a person; later ones come from the person's own stream
``(triggers, <trigger key>, 1, person index)``, and parameter rules that draw (``sample``,
``lab_value``) from ``(triggers, person index)``, in the same order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pyarrow as pa

from sim.distributions.continuous import FixedSampler
from sim.engine.context import Attributes, parameters_json
from sim.engine.presample import sample_positions
from sim.engine.records import EventBuffer, EventChunk, chunk_of
from sim.errors import SpecError
from sim.seeds import BLOCK_SIZE, SeedTree, Stream, stream_key
from sim.triggers.compiled import CompiledTrigger, TriggerSet
from sim.triggers.parameters import ParameterRule, lab_value, lookup

__all__ = ["POOL_SIZE", "apply_triggers"]

#: draws per person and trigger taken from the block's pools (later ones: the person's stream)
POOL_SIZE = 32

Source = Mapping[str, Any]


class _Route:
    """One trigger as the cascade applies it, with its per-shard pools and caches."""

    def __init__(self, trigger: CompiledTrigger, number: int, shard: _Shard) -> None:
        spec = trigger.spec
        self.trigger = trigger
        self.number = number
        self.shard = shard
        self.key = stream_key(trigger.id)
        self.probability = spec.probability
        self.priority = spec.priority
        delay = trigger.delay
        self.fixed_delay = float(delay.value) if type(delay) is FixedSampler else None
        #: parameters that draw nothing depend on the source's parameters alone
        self.pure = not any(rule.draws for rule in trigger.parameters)
        #: id(read-only source parameters) -> (them, the target's parameters, their JSON)
        self.cache: dict[int, tuple[Source, Source, str]] = {}
        #: source code -> the target's code (its journey is the source's)
        self.codes: dict[int, int] = {}
        #: the k-th source of a person takes column k: how many each shard row has had
        self.taken = np.zeros(shard.size, dtype=np.int64)
        self._uniforms: np.ndarray | None = None
        self._delays: np.ndarray | None = None
        #: shard row -> the person's own stream and what it drew, for columns >= POOL_SIZE
        self._overflow: dict[int, tuple[np.random.Generator, list[tuple[float, float]]]] = {}

    def columns(self, rows: np.ndarray) -> np.ndarray:
        """The pool column of each source (rows sorted, one entry a source)."""
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        sizes = np.diff(np.r_[starts, rows.size])
        columns = np.arange(rows.size) - np.repeat(starts, sizes) + self.taken[rows]
        self.taken[rows[starts]] += sizes
        return columns

    def draws(self, rows: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The uniforms (for the probability) and delays of these sources."""
        if self._uniforms is None and self._delays is None:
            self._uniforms, self._delays = self._pools()
        inside = columns < POOL_SIZE
        column = np.minimum(columns, POOL_SIZE - 1)
        uniforms = self._uniforms[rows, column] if self._uniforms is not None else None
        delays = self._delays[rows, column] if self._delays is not None else None
        if uniforms is None:
            uniforms = np.zeros(rows.size)
        if delays is None:
            delays = np.full(rows.size, self.fixed_delay, dtype=float)
        for j in np.flatnonzero(~inside).tolist():
            uniforms[j], delays[j] = self._beyond(int(rows[j]), int(columns[j]))
        return uniforms, delays

    def _pools(self) -> tuple[np.ndarray | None, np.ndarray | None]:
        shard = self.shard
        uniforms = np.empty((shard.size, POOL_SIZE)) if self.probability < 1.0 else None
        delays = np.empty((shard.size, POOL_SIZE)) if self.fixed_delay is None else None
        sampler = self.trigger.delay
        for block, rows in shard.blocks().items():
            rng = shard.seeds.rng(Stream.TRIGGERS, self.key, 0, block)
            positions = shard.indices[rows] % BLOCK_SIZE
            if uniforms is not None:
                uniforms[rows] = rng.random((BLOCK_SIZE, POOL_SIZE))[positions]
            if delays is not None:
                wide = (positions[:, None] * POOL_SIZE + np.arange(POOL_SIZE)).ravel()
                columns = {
                    name: np.repeat(shard.column(name)[rows], POOL_SIZE)
                    for name in sorted(sampler.names)
                }
                drawn = sample_positions(sampler, rng, BLOCK_SIZE * POOL_SIZE, wide, columns)
                delays[rows] = np.asarray(drawn, dtype=float).reshape(rows.size, POOL_SIZE)
        return uniforms, delays

    def _beyond(self, row: int, column: int) -> tuple[float, float]:
        """Column ``column`` >= POOL_SIZE of a person, from their own stream in order."""
        state = self._overflow.get(row)
        if state is None:
            rng = self.shard.seeds.rng(Stream.TRIGGERS, self.key, 1, int(self.shard.indices[row]))
            state = self._overflow[row] = (rng, [])
        rng, drawn = state
        sampler = self.trigger.delay
        while len(drawn) <= column - POOL_SIZE:
            uniform = float(rng.random()) if self.probability < 1.0 else 0.0
            if self.fixed_delay is not None:
                delay = self.fixed_delay
            else:
                names = sorted(sampler.names)
                attributes = {n: self.shard.attributes(n, row) for n in names}
                delay = float(sampler.sample_one(rng, attributes or None))
            drawn.append((uniform, delay))
        return drawn[column - POOL_SIZE]

    def target_code(self, buffer: EventBuffer, source_code: int) -> int:
        code = self.codes.get(source_code)
        if code is None:
            target = self.trigger.spec.target
            journey = buffer.names[source_code][3]
            code = buffer.code(target.product, target.event_type, self.trigger.id, journey)
            self.codes[source_code] = code
        return code

    def parameters(self, source: Source, row: int, where: Callable[[], str]) -> tuple[Source, str]:
        """The target's parameters and their JSON text. A pure trigger's, from a read-only
        source (a journey event's literal parameters, or a cached target's), are made once
        and shared read-only, so that the triggers they cause in turn are cached as well."""
        if not self.pure or type(source) is not MappingProxyType:
            out = self._made(source, row, where)
            return out, parameters_json(out)
        cached = self.cache.get(id(source))
        if cached is None:
            made = self._made(source, row, where)
            # the entry holds the source, so its id is not reused while cached
            entry = (source, MappingProxyType(made), parameters_json(made))
            cached = self.cache[id(source)] = entry
        return cached[1], cached[2]

    def _made(self, source: Source, row: int, where: Callable[[], str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for rule in self.trigger.parameters:
            kind = rule.kind
            if kind == "literal":
                value = rule.value
            elif kind == "from":
                value = source.get(rule.key)
                if value is None:
                    value = rule.value
            else:
                value = self._drawn_or_looked_up(rule, source, row, where)
            if value is not None:
                out[rule.name] = value
        return out

    def _drawn_or_looked_up(
        self, rule: ParameterRule, source: Source, row: int, where: Callable[[], str]
    ) -> Any:
        if rule.kind == "sample":
            value = rule.sampler.sample_one(self.shard.rng(row))  # type: ignore[union-attr]
            if rule.round_digits is not None and isinstance(value, float):
                value = round(value, rule.round_digits)
            return value
        key = source.get(rule.key)
        if key is None:
            return None  # the source has nothing to look up: the target goes without
        try:
            if rule.kind == "lookup":
                return lookup(rule.table, rule.field, str(key))
            return lab_value(
                str(key), lambda name: self.shard.attributes(name, row), self.shard.rng(row)
            )
        except SpecError as error:
            raise SpecError(
                f"{where()}: {error.message}",
                path=("triggers", self.trigger.id, "parameters", rule.name),
                hint=error.hint,
            ) from None

    def when(self, sources: list[Source], rows: np.ndarray) -> np.ndarray:
        """Which sources meet the trigger's ``when`` (one evaluation per distinct read-only
        source when it reads only parameters)."""
        condition = self.trigger.when
        assert condition is not None
        only_parameters = all(name.startswith("parameters.") for name in condition.names)
        seen: dict[int, bool] = {}
        out = np.empty(len(sources), dtype=bool)
        for j, source in enumerate(sources):
            frozen = only_parameters and type(source) is MappingProxyType
            if frozen and id(source) in seen:
                out[j] = seen[id(source)]
                continue
            row = int(rows[j])

            def read(name: str, source: Source = source, row: int = row) -> Any:
                if name.startswith("parameters."):
                    return source.get(name[len("parameters.") :])
                return self.shard.attributes(name, row)

            out[j] = bool(condition.evaluate(read))
            if frozen:
                seen[id(source)] = bool(out[j])
        return out


class _Shard:
    """What the cascade knows of the shard's persons."""

    def __init__(
        self,
        seeds: SeedTree,
        indices: np.ndarray,
        person_ids: list[str],
        attributes: Attributes,
    ) -> None:
        self.seeds = seeds
        self.indices = indices
        self.person_ids = person_ids
        self.attributes = attributes
        self.size = int(indices.size)
        self._blocks: dict[int, np.ndarray] | None = None
        self._rngs: dict[int, np.random.Generator] = {}

    def blocks(self) -> dict[int, np.ndarray]:
        """Block -> the shard rows of its persons."""
        if self._blocks is None:
            block_of = self.indices // BLOCK_SIZE
            self._blocks = {
                int(block): np.flatnonzero(block_of == block) for block in np.unique(block_of)
            }
        return self._blocks

    def column(self, name: str) -> np.ndarray:
        return np.asarray([self.attributes(name, row) for row in range(self.size)])

    def rng(self, row: int) -> np.random.Generator:
        """The person's own trigger stream (parameter rules that draw)."""
        rng = self._rngs.get(row)
        if rng is None:
            rng = self._rngs[row] = self.seeds.rng(Stream.TRIGGERS, int(self.indices[row]))
        return rng


def apply_triggers(
    buffer: EventBuffer,
    triggers: TriggerSet,
    seeds: SeedTree,
    indices: np.ndarray,
    person_ids: list[str],
    attributes: Attributes,
    horizon_days: float,
    deaths: np.ndarray | None = None,
) -> None:
    """Adds to ``buffer`` (which holds the journey events) every event the triggers cause;
    none later than its person's death (``deaths``: a time per shard row, inf for none)."""
    shard = _Shard(seeds, indices, person_ids, attributes)
    routes = [_Route(trigger, number, shard) for number, trigger in enumerate(triggers.triggers)]
    keys = {key: k for k, key in enumerate(triggers.by_source)}
    level = EventChunk.concatenate(buffer.chunks) if buffer.chunks else None
    first = 0  # the buffer index of the level's first record
    depth = 0
    while level is not None and len(level) and level.sources is not None:
        # the source key of each name code (-1: no trigger listens)
        kinds = np.asarray([keys.get(name[:2], -1) for name in buffer.names], dtype=np.int64)
        order = np.lexsort((level.c, level.b, level.a, level.times, level.rows))
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        level_kinds = kinds[level.codes[order]]
        made = []
        for route in routes:
            key = keys[route.trigger.source]
            chosen = order[level_kinds == key]
            if chosen.size == 0 or depth >= route.trigger.depth_limit:
                continue
            chunk = _fire(
                route, level, chosen, rank, first, depth, buffer, keys, horizon_days, deaths
            )
            if chunk is not None:
                made.append(chunk)
        first += len(level)
        level = EventChunk.concatenate(made) if made else None
        if level is not None:
            buffer.add(level)
        depth += 1


def _fire(
    route: _Route,
    level: EventChunk,
    chosen: np.ndarray,
    rank: np.ndarray,
    first: int,
    depth: int,
    buffer: EventBuffer,
    keys: Mapping[tuple[str, str], int],
    horizon_days: float,
    deaths: np.ndarray | None,
) -> EventChunk | None:
    """The targets of one trigger from the level's records at ``chosen`` (in person order)."""
    assert level.sources is not None
    sources = [level.sources[j] for j in chosen.tolist()]
    rows = level.rows[chosen]
    if route.trigger.when is not None:
        meets = route.when(sources, rows)  # type: ignore[arg-type]
        chosen, rows = chosen[meets], rows[meets]
        sources = [s for s, keep in zip(sources, meets.tolist(), strict=True) if keep]
    if chosen.size == 0:
        return None
    uniforms, delays = route.draws(rows, route.columns(rows))
    times = level.times[chosen] + delays
    fires = (uniforms < route.probability) & (times < horizon_days)
    if deaths is not None:
        fires &= times <= deaths[rows]
    if not fires.any():
        return None
    keep = np.flatnonzero(fires)
    chosen, rows, times = chosen[keep], rows[keep], times[keep]
    sources = [sources[j] for j in keep.tolist()]
    target = route.trigger.spec.target
    chains = (target.product, target.event_type) in keys
    # one target code per source code, one set of parameters per source (object) for a
    # pure trigger; a trigger that draws makes each target's in order
    source_codes, by_code = np.unique(level.codes[chosen], return_inverse=True)
    codes = np.asarray([route.target_code(buffer, int(c)) for c in source_codes])[by_code]
    if route.pure:
        ids = np.fromiter(map(id, sources), dtype=np.int64, count=len(sources))
        _, first_of, by_source = np.unique(ids, return_index=True, return_inverse=True)
        made_once = [_target(route, buffer, level, chosen, rows, times, sources, j)
                     for j in first_of.tolist()]  # fmt: skip
        texts = pa.array([text for _, text in made_once], pa.string()).take(by_source)
        made = [made_once[j][0] for j in by_source.tolist()] if chains else None
    else:
        every = [_target(route, buffer, level, chosen, rows, times, sources, j)
                 for j in range(len(sources))]  # fmt: skip
        texts = pa.array([text for _, text in every], pa.string())
        made = [parameters for parameters, _ in every] if chains else None
    return chunk_of(
        rows,
        codes,
        times,
        route.priority,
        texts,
        depth=depth + 1,
        b=rank[chosen],
        c=route.number,
        causes=first + chosen,
        sources=made,
    )


def _target(
    route: _Route,
    buffer: EventBuffer,
    level: EventChunk,
    chosen: np.ndarray,
    rows: np.ndarray,
    times: np.ndarray,
    sources: list[Source],
    j: int,
) -> tuple[Source, str]:
    """The parameters (and JSON) of the j-th target."""
    row = int(rows[j])

    def where() -> str:
        product, event_type = buffer.names[int(level.codes[chosen[j]])][:2]
        return f"{product}.{event_type} of {route.shard.person_ids[row]} on day {times[j]:g}"

    return route.parameters(sources[j], row, where)
