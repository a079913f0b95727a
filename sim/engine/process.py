"""The dynamic engine: each person walks their journeys in SimPy simulation time.

It runs what the vectorised timeline (``sim.engine.timeline``) cannot: journeys whose events
wait for shared resources (persons compete in one environment), whose conditions read each
other, and persons whose repeats outrun the drawn reserve. Both engines make the same records
from the same draws.

Each journey of the person is a ``JourneyRun``: it counts, per event, the dependencies not yet
fired; an event whose dependencies have all fired is *ready* at the time of the last one, and
is put on the person's agenda at ready time + its delay. The process pops the agenda in time
order and ``yield env.timeout(...)`` until each entry, then fires it: conditions and
probability are evaluated then, against the person's attributes and what has happened so far.
A skipped event never fires, so its dependents never become ready; a choice group draws its
branch once, when the (shared) dependencies are met; repeats put their next occurrence on the
agenda. Resolving dependencies inside the person's process costs one timeout per distinct
event time instead of a SimPy event per dependency edge.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping
from typing import Any

import simpy
from simpy.core import NORMAL, URGENT

from sim.engine.context import PersonState, ShardContext, parameters_json
from sim.engine.presample import PersonDraws, person_rng
from sim.journeys.plan import JourneyPlan, outcome

__all__ = ["JourneyRun", "PersonLife", "PlanTables"]

Agenda = list[tuple[float, int, int, int]]


class PlanTables:
    """The plan's per-event fields as flat tuples indexed by plan order (built once a shard):
    the hot path reads these instead of attributes of the plan's dataclasses."""

    __slots__ = (
        "children",
        "choice",
        "condition",
        "dispatch",
        "fatal",
        "parameters",
        "probability",
        "repeat",
        "resource",
        "static_json",
        "uses_outcomes",
    )

    def __init__(self, plan: JourneyPlan, ctx: ShardContext) -> None:
        events = plan.events
        #: whether a trigger listens to the event's kind (its record keeps its parameters)
        self.dispatch = tuple((e.product, e.event_type) in ctx.sources for e in events)
        self.children = tuple(e.children for e in events)
        self.choice = tuple(e.choice for e in events)
        self.condition = tuple(e.condition for e in events)
        self.fatal = tuple(e.fatal for e in events)
        self.parameters = tuple(e.parameters for e in events)
        self.probability = tuple(e.probability for e in events)
        self.repeat = tuple(e.repeat for e in events)
        self.resource = tuple(e.resource for e in events)
        self.static_json = tuple(e.parameters.static_json for e in events)
        self.uses_outcomes = plan.uses_outcomes


class JourneyRun:
    """The per-person state of one journey (the plan itself is shared and immutable)."""

    __slots__ = (
        "chosen",
        "code_base",
        "counts",
        "ctx",
        "draws",
        "horizon",
        "life",
        "offset",
        "outcomes",
        "overflow",
        "person",
        "plan",
        "records",
        "remaining",
        "slot",
        "tables",
    )

    def __init__(
        self,
        plan: JourneyPlan,
        tables: PlanTables,
        draws: PersonDraws,
        person: PersonState,
        ctx: ShardContext,
        *,
        slot: int,
        offset_days: float,
        horizon_days: float,
        code_base: int,
        parent_counts: list[int],
    ) -> None:
        self.plan = plan
        self.tables = tables
        self.draws = draws
        self.person = person
        self.ctx = ctx
        self.records = ctx.records
        self.slot = slot
        self.offset = offset_days
        self.horizon = min(horizon_days, offset_days + plan.duration_days)
        self.code_base = code_base
        self.remaining = parent_counts.copy()
        self.counts = [0] * len(parent_counts)
        self.chosen = [-1] * len(plan.choices)
        self.outcomes: dict[int, tuple[float, list[Any] | None]] = {}
        self.overflow: Any = None
        #: the person's life (set when it starts): woken when a resource is granted
        self.life: PersonLife | None = None

    def start(self, agenda: Agenda) -> None:
        for order in self.plan.roots:
            self.ready(order, self.offset, agenda)

    def ready(self, order: int, time: float, agenda: Agenda) -> None:
        tables = self.tables
        group = tables.choice[order]
        if group >= 0:
            chosen = self.chosen[group]
            if chosen < 0:
                choice = self.plan.choices[group]
                chosen = self.chosen[group] = choice.pick(self.draws.choice_uniforms[group])
            if chosen != order:
                return
        time += self.draws.delays[order]
        repeat = tables.repeat[order]
        if time < self.horizon and (repeat is None or time <= self.offset + repeat.until_day):
            heapq.heappush(agenda, (time, self.slot, order, 0))

    def fire(self, order: int, occurrence: int, time: float, agenda: Agenda) -> None:
        tables = self.tables
        draws = self.draws
        # a repeat's reserve (``_occurrence`` inlined: this runs for every occurrence)
        reserve = draws.repeats.get(order)
        if occurrence == 0:
            uniform, values = draws.uniforms[order], draws.parameters[order]
        elif reserve is not None and occurrence <= len(reserve[0]):
            uniform = reserve[1][occurrence - 1]
            values = None if reserve[2] is None else reserve[2][occurrence - 1]
        else:
            _, uniform, values = self._occurrence(order, occurrence)
        if uniform < tables.probability[order]:
            condition = tables.condition[order]
            if condition is None or condition.evaluate(self.lookup):
                resource = tables.resource[order]
                if resource is None:
                    self._commit(order, time, values, agenda)
                else:
                    self._wait_for(resource, order, time, values)
        repeat = tables.repeat[order]
        if repeat is not None and (repeat.count is None or occurrence + 1 < repeat.count):
            if reserve is not None and occurrence < len(reserve[0]):
                following = time + reserve[0][occurrence]
            else:
                following = time + self._occurrence(order, occurrence + 1)[0]
            if following < self.horizon and following <= self.offset + repeat.until_day:
                heapq.heappush(agenda, (following, self.slot, order, occurrence + 1))

    def _commit(
        self,
        order: int,
        time: float,
        values: list[Any] | None,
        agenda: Agenda,
        wait_days: float | None = None,
    ) -> None:
        """Records a fired event and readies its dependents from ``time``."""
        tables = self.tables
        person = self.person
        person.sequence += 1
        counts = self.counts
        count = counts[order] = counts[order] + 1
        records = self.records
        records.rows.append(person.row)
        records.codes.append(self.code_base + order)
        records.ranks.append(person.sequence)
        records.times.append(time)
        if wait_days is not None:
            parameters = tables.parameters[order].values(values or ())
            parameters |= {"resource": tables.resource[order], "wait_days": wait_days}
            records.parameters.append(parameters_json(parameters))
        elif values is None:
            records.parameters.append(tables.static_json[order])
        else:
            records.parameters.append(tables.parameters[order].to_json(values))
        if tables.fatal[order] and self.life is not None:
            self.life.death = min(self.life.death, time)
        if tables.uses_outcomes:
            self.outcomes[order] = (time, values)
        if tables.dispatch[order]:
            plan_parameters = tables.parameters[order]
            records.sources.append(
                plan_parameters.static if values is None else plan_parameters.values(values)
            )
        else:
            records.sources.append(None)
        if count == 1:
            remaining = self.remaining
            for child in tables.children[order]:
                remaining[child] -= 1
                if remaining[child] == 0:
                    self.ready(child, time, agenda)

    def _wait_for(
        self, resource: str, order: int, requested: float, values: list[Any] | None
    ) -> None:
        life = self.life
        assert life is not None

        def granted(time: float) -> bool:
            """Whether the person takes the unit (not when it comes after their death)."""
            if time > life.death:
                return False
            if time < self.horizon:
                self._commit(order, time, values, life.agenda, round(time - requested, 6))
                life.wake()
            return True

        self.ctx.resource_pool().acquire(resource, self.person.person_index, granted)

    def _occurrence(self, order: int, occurrence: int) -> tuple[float, float, list[Any] | None]:
        """(delay since the previous occurrence, uniform, parameter values) of a repeat."""
        every, uniforms, values = self.draws.repeats.get(order, ((), (), None))
        j = occurrence - 1
        if j < len(every):
            return every[j], uniforms[j], None if values is None else values[j]
        if self.overflow is None:
            rng = person_rng(self.ctx.seeds, self.plan, self.person.person_index)
            self.overflow = (rng, {})
        rng, drawn = self.overflow
        if (order, occurrence) in drawn:
            return drawn.pop((order, occurrence))
        event = self.plan.events[order]
        attributes = self.person.attributes(sorted(self.plan.attribute_names))
        delay = float(event.repeat.every.sample_one(rng, attributes))  # type: ignore[union-attr]
        uniform = float(rng.random())
        sampled = [p.sampler.sample_one(rng, attributes) for p in event.parameters.sampled]
        for i, parameter in enumerate(event.parameters.sampled):
            if parameter.round_digits is not None and isinstance(sampled[i], float):
                sampled[i] = round(sampled[i], parameter.round_digits)
        # Drawn once when the occurrence is scheduled, used again when it fires.
        drawn[(order, occurrence)] = (delay, uniform, sampled or None)
        return delay, uniform, sampled or None

    def lookup(self, name: str) -> Any:
        """A condition's view: person attributes and ``events.<id>.<field>`` outcomes."""
        if not name.startswith("events."):
            return self.person.attribute(name)
        _, event_key, field = name.split(".", 2)
        order = self.plan.index[event_key]

        def latest() -> tuple[float, Mapping[str, Any]]:
            time, values = self.outcomes[order]
            return time - self.offset, self.plan.events[order].parameters.values(values or ())

        return outcome(field, self.counts[order], latest)


class PersonLife:
    """The person's life in the environment: one agenda of all their journeys, run by bare
    events (``_Wake``) instead of a SimPy process. It sleeps until the next entry; a resource
    granted while it sleeps (or after it ended) wakes it, since the event's dependents may be
    due sooner.

    The wakes are scheduled where a process would have its ``Initialize`` (a start, urgent),
    its ``Timeout`` (a sleep) and its ``Interruption`` (urgent), with the same times and
    priorities, so the environment processes everything in the same order as with a process;
    a generator, its resumption and the process's own end event are what is saved."""

    __slots__ = (
        "agenda",
        "death",
        "env",
        "generation",
        "running",
        "runs",
        "sleep",
        "sleeping_until",
    )

    def __init__(self, env: simpy.Environment, runs: list[JourneyRun]) -> None:
        self.env = env
        self.runs = runs
        self.agenda: Agenda = []
        #: the time of a fatal event: what comes later never happens (inf: alive)
        self.death = math.inf
        self.sleeping_until: float | None = None
        #: the pending sleep; an interruption cancels it (its wake then does nothing)
        self.sleep: _Wake | None = None
        #: one more each time the life (re)starts: an interruption is for one of them
        self.generation = 0
        #: started and not ended (a process's PENDING)
        self.running = False
        for run in runs:
            run.life = self
            run.start(self.agenda)
        self._begin()

    def _begin(self) -> None:
        self.generation += 1
        self.running = True
        _Wake(self, _started, URGENT, 0)

    def live(self) -> None:
        """Fires the entries that are due, then sleeps until the next one (or ends)."""
        env, agenda, runs = self.env, self.agenda, self.runs
        pop = heapq.heappop
        while agenda:
            time = agenda[0][0]
            if time > self.death:
                agenda.clear()
                break
            if time > env._now:
                self.sleeping_until = time
                self.sleep = _Wake(self, _slept, NORMAL, time - env._now)
                return
            time, slot, order, occurrence = pop(agenda)
            runs[slot].fire(order, occurrence, time, agenda)
        self.running = False

    def wake(self) -> None:
        if not self.agenda:
            return
        if not self.running:
            self._begin()
        elif self.sleeping_until is not None and self.agenda[0][0] < self.sleeping_until:
            _Wake(self, _interrupted, URGENT, 0)


class _Wake(simpy.Event):
    """An event that runs ``step(self)`` for a life when processed ``delay`` from now."""

    def __init__(
        self,
        life: PersonLife,
        step: Callable[[_Wake], None],
        priority: int,
        delay: float,
    ) -> None:
        env = life.env
        # inlined as simpy.Timeout inlines it, and env.schedule too
        self.env = env
        self.callbacks = [step]
        self._ok = True
        self._value = None
        self.life = life
        self.generation = life.generation
        heapq.heappush(env._queue, (env._now + delay, priority, next(env._eid), self))


def _started(wake: _Wake) -> None:
    wake.life.live()


def _slept(wake: _Wake) -> None:
    life = wake.life
    if wake is not life.sleep:
        return  # interrupted meanwhile
    life.sleep = life.sleeping_until = None
    if life.agenda[0][0] > life.death:
        life.live()  # ends it
        return
    # the entry slept for, even if float rounding put the clock a hair before it
    time, slot, order, occurrence = heapq.heappop(life.agenda)
    life.runs[slot].fire(order, occurrence, time, life.agenda)
    life.live()


def _interrupted(wake: _Wake) -> None:
    life = wake.life
    if not life.running or wake.generation != life.generation:
        return  # that life has ended
    life.sleep = life.sleeping_until = None
    life.live()
