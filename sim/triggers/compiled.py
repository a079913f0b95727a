"""Trigger sets compiled and checked at load time: samplers, conditions, parameter rules, and
the trigger graph (NetworkX), where a loop must be bounded by ``max_depth``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

from sim.distributions import Sampler, create_distribution
from sim.errors import SpecError
from sim.expressions import Expression, compile_condition
from sim.triggers.parameters import ParameterRule, compile_parameters
from sim.triggers.spec import DEFAULT_MAX_DEPTH, TriggerSpecification

__all__ = ["CompiledTrigger", "TriggerSet", "compile_triggers"]

EventKey = tuple[str, str]  # (product, event_type)


@dataclass(frozen=True)
class CompiledTrigger:
    spec: TriggerSpecification
    delay: Sampler
    when: Expression | None
    parameters: tuple[ParameterRule, ...]
    #: the depth a source may have at most, plus one (the run's limit when the spec has none)
    depth_limit: int

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def source(self) -> EventKey:
        return (self.spec.source.product, self.spec.source.event_type)

    @property
    def target(self) -> EventKey:
        return (self.spec.target.product, self.spec.target.event_type)


@dataclass(frozen=True)
class TriggerSet:
    """The triggers of a run, indexed by their source (product, event type)."""

    triggers: tuple[CompiledTrigger, ...]
    max_depth: int = DEFAULT_MAX_DEPTH
    by_source: Mapping[EventKey, tuple[CompiledTrigger, ...]] = field(init=False)

    def __post_init__(self) -> None:
        index: dict[EventKey, list[CompiledTrigger]] = {}
        for trigger in self.triggers:
            index.setdefault(trigger.source, []).append(trigger)
        object.__setattr__(self, "by_source", {k: tuple(v) for k, v in index.items()})

    def __len__(self) -> int:
        return len(self.triggers)

    def ids(self) -> list[str]:
        return [t.id for t in self.triggers]

    def for_products(self, products: Iterable[str]) -> TriggerSet:
        """Only the triggers whose source and target products the run has."""
        enabled = set(products)
        kept = tuple(t for t in self.triggers if t.source[0] in enabled and t.target[0] in enabled)
        return TriggerSet(kept, self.max_depth)

    def graph(self) -> nx.MultiDiGraph:
        graph = nx.MultiDiGraph()
        for trigger in self.triggers:
            graph.add_edge(trigger.source, trigger.target, key=trigger.id, trigger=trigger)
        return graph


def _compile_one(spec: TriggerSpecification, max_depth: int) -> CompiledTrigger:
    path = ("triggers", spec.id)
    delay = create_distribution(spec.delay, path=(*path, "delay"))
    if not float(delay.support()[0]) >= 0:
        raise SpecError("a delay cannot be negative; truncate it (min: 0)", path=(*path, "delay"))
    when = None
    if spec.source.when is not None:
        when = compile_condition(spec.source.when, path=(*path, "source", "when"))
    limit = max_depth if spec.max_depth is None else min(spec.max_depth, max_depth)
    return CompiledTrigger(
        spec, delay, when, compile_parameters(spec.parameters, (*path, "parameters")), limit
    )


def compile_triggers(
    specs: Sequence[TriggerSpecification], *, max_depth: int = DEFAULT_MAX_DEPTH
) -> TriggerSet:
    """Compiles and checks: ids unique, and every loop of the trigger graph bounded."""
    seen: set[str] = set()
    for spec in specs:
        if spec.id in seen:
            raise SpecError(f"trigger '{spec.id}' is defined twice", path=("triggers", spec.id))
        seen.add(spec.id)
    triggers = TriggerSet(tuple(_compile_one(s, max_depth) for s in specs), max_depth)
    _check_loops(triggers)
    return triggers


def _check_loops(triggers: TriggerSet) -> None:
    """A loop (order -> fill -> ... -> order) must contain a trigger with ``max_depth``;
    otherwise every pass around it is one more event, up to the run's depth limit."""
    graph = triggers.graph()
    for cycle in nx.simple_cycles(nx.DiGraph(graph)):
        edges = list(zip(cycle, [*cycle[1:], cycle[0]], strict=True))
        bounded = any(
            all(d["trigger"].spec.max_depth is not None for d in graph[u][v].values())
            for u, v in edges
        )
        if not bounded:
            names = sorted({k for u, v in edges for k in graph[u][v]})
            loop = " -> ".join(f"{p}.{t}" for p, t in [*cycle, cycle[0]])
            raise SpecError(
                f"triggers {', '.join(names)} form a loop ({loop})",
                path=("triggers", names[0]),
                hint="give one trigger of the loop a max_depth",
            )
