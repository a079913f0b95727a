"""The dependency graph of a journey (networkx): checks that name the event, order, Mermaid.

An edge ``a -> b`` means ``b`` depends on ``a``. Errors, each a SpecError at the event's field:

- a duplicate id, a product the journey does not declare, an unknown id in ``depends_on`` (with
  the closest id), a cycle, a repeat without ``count`` or ``until_day``;
- a choice group with fewer than two branches, weights not summing to 1 (within 0.001), or
  branches that do not share the same ``depends_on``;
- an *unreachable* event: one that can never fire whatever the draws, because it (or an
  event it depends on, directly or not) has probability 0 or choice weight 0, or because it
  depends on two branches of the same exclusive choice group.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

import networkx as nx

from sim.distributions.specs import WEIGHT_TOLERANCE
from sim.errors import SpecError, did_you_mean
from sim.journeys.spec import EventSpec, JourneySpecification

__all__ = ["build_graph", "check_journey", "choice_groups", "to_mermaid", "topological_order"]


def build_graph(spec: JourneySpecification) -> nx.DiGraph:
    """Nodes are event ids (with ``position`` in the file); edges go dependency -> dependent."""
    graph = nx.DiGraph()
    for position, event in enumerate(spec.events):
        graph.add_node(event.id, position=position, event=event)
    for event in spec.events:
        for parent in event.depends_on:
            graph.add_edge(parent, event.id)
    return graph


def choice_groups(spec: JourneySpecification) -> dict[str, list[EventSpec]]:
    """Branches of each choice group, in file order."""
    groups: dict[str, list[EventSpec]] = defaultdict(list)
    for event in spec.events:
        if event.choice is not None:
            groups[event.choice.group].append(event)
    return dict(groups)


def check_journey(spec: JourneySpecification) -> nx.DiGraph:
    """Every structural check; returns the graph of a valid journey."""
    ids: set[str] = set()
    for event in spec.events:
        if event.id in ids:
            raise SpecError(f"event id '{event.id}' is defined twice", path=("events", event.id))
        ids.add(event.id)
        if spec.products and event.product not in spec.products:
            raise SpecError(
                f"{event.product} is not in the journey's products {list(spec.products)}",
                path=("events", event.id, "product"),
            )
        if (
            event.repeat is not None
            and event.repeat.count is None
            and (event.repeat.until_day is None)
        ):
            raise SpecError(
                "a repeat needs a bound: 'count' or 'until_day'",
                path=("events", event.id, "repeat"),
            )
    for event in spec.events:
        for parent in event.depends_on:
            if parent not in ids:
                raise SpecError(
                    f"unknown event '{parent}'",
                    path=("events", event.id, "depends_on"),
                    hint=did_you_mean(parent, ids - {event.id}),
                )
    graph = build_graph(spec)
    _check_cycles(spec, graph)
    _check_choices(spec)
    _check_reachable(spec, graph)
    return graph


def _check_cycles(spec: JourneySpecification, graph: nx.DiGraph) -> None:
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    members = [edge[0] for edge in cycle]
    first = min(members, key=lambda node: graph.nodes[node]["position"])
    start = members.index(first)
    loop = [*members[start:], *members[:start], first]
    raise SpecError(f"dependency cycle: {' -> '.join(loop)}", path=("events", first, "depends_on"))


def _check_choices(spec: JourneySpecification) -> None:
    for group, branches in choice_groups(spec).items():
        first = branches[0]
        path = ("events", first.id, "choice")
        if len(branches) < 2:
            raise SpecError(
                f"choice group '{group}' has one branch; a choice needs at least two", path=path
            )
        total = math.fsum(branch.choice.weight for branch in branches)  # type: ignore[union-attr]
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            names = ", ".join(branch.id for branch in branches)
            raise SpecError(
                f"choice group '{group}' weights sum to {total:g}, not 1 "
                f"(tolerance {WEIGHT_TOLERANCE}; branches: {names})",
                path=(*path, "weight"),
            )
        for branch in branches[1:]:
            if set(branch.depends_on) != set(first.depends_on):
                raise SpecError(
                    f"the branches of choice group '{group}' must depend on the same events "
                    f"('{first.id}' depends on {sorted(first.depends_on)})",
                    path=("events", branch.id, "depends_on"),
                )


def _check_reachable(spec: JourneySpecification, graph: nx.DiGraph) -> None:
    for event in _file_order(spec, nx.topological_sort(graph)):
        if event.probability == 0:
            raise SpecError(
                "probability 0: the event can never happen (remove it)",
                path=("events", event.id, "probability"),
            )
        if event.choice is not None and event.choice.weight == 0:
            raise SpecError(
                "weight 0: the branch is never chosen (remove it)",
                path=("events", event.id, "choice", "weight"),
            )
        chosen: dict[str, str] = {}
        for ancestor in _file_order(spec, [*nx.ancestors(graph, event.id), event.id]):
            if ancestor.choice is None:
                continue
            other = chosen.setdefault(ancestor.choice.group, ancestor.id)
            if other != ancestor.id:
                raise SpecError(
                    f"unreachable: it needs both '{other}' and '{ancestor.id}', exclusive "
                    f"branches of choice group '{ancestor.choice.group}'",
                    path=("events", event.id, "depends_on"),
                )


def _file_order(spec: JourneySpecification, ids: Iterable[str]) -> list[EventSpec]:
    wanted = set(ids)
    return [event for event in spec.events if event.id in wanted]


def topological_order(spec: JourneySpecification, graph: nx.DiGraph | None = None) -> list[str]:
    """Dependencies first; ties broken by position in the file (deterministic)."""
    graph = build_graph(spec) if graph is None else graph
    return list(
        nx.lexicographical_topological_sort(graph, key=lambda n: graph.nodes[n]["position"])
    )


def _delay_label(delay: object) -> str:
    kind = getattr(delay, "type", "?")
    if kind == "fixed":
        return f"{delay.value:g} d"  # type: ignore[attr-defined]
    if kind == "uniform":
        return f"{delay.min:g}-{delay.max:g} d"  # type: ignore[attr-defined]
    if kind == "normal":
        return f"~{delay.mean:g} d"  # type: ignore[attr-defined]
    return f"{kind} d"


def to_mermaid(spec: JourneySpecification) -> str:
    """The journey as a Mermaid flowchart (events as nodes, delays on the edges)."""
    lines = ["flowchart TD", f"    %% {spec.id}: {spec.name}".rstrip(": ")]
    start = "journey_start"
    lines.append(f'    {start}(["{spec.id} (day 0, {spec.duration_days:g} days)"])')
    for event in spec.events:
        details = [f"{event.event_type} · {event.product}"]
        if event.probability < 1:
            details.append(f"p = {event.probability:g}")
        if event.choice is not None:
            details.append(f"choice {event.choice.group}: {event.choice.weight:g}")
        if event.repeat is not None:
            bound = (
                f"× {event.repeat.count}"
                if event.repeat.count
                else f"to day {event.repeat.until_day:g}"
            )
            details.append(f"repeats every {_delay_label(event.repeat.every)} {bound}")
        if event.conditions is not None:
            details.append("if condition")
        label = "<br/>".join([f"<b>{event.id}</b>", *details]).replace('"', "'")
        shape = ('{{"', '"}}') if event.choice is not None else ('["', '"]')
        lines.append(f"    {event.id}{shape[0]}{label}{shape[1]}")
    for event in spec.events:
        for parent in event.depends_on or (start,):
            lines.append(f'    {parent} -->|"{_delay_label(event.delay)}"| {event.id}')
    return "\n".join(lines) + "\n"
