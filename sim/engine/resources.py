"""Shared resources: capacity that persons of one environment compete for (SimPy Resources).

A journey event with ``resource: <name>`` requests one unit when it would fire (its
conditions and probability already passed), fires when it is granted (its record carries
``resource`` and ``wait_days``; its dependents follow from then), and holds the unit for a
service time drawn from the person's own stream ``(resources, person index)``. Persons who
share a resource must share an environment, so a run with resources simulates each shard in
one environment: the shard is the population that shares the capacity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy

from sim.distributions import Sampler
from sim.seeds import SeedTree, Stream

__all__ = ["ResourcePool", "SharedResource"]


@dataclass(frozen=True)
class SharedResource:
    capacity: int
    service_days: Sampler


class ResourcePool:
    """The resources of one environment, created on first use."""

    def __init__(
        self, env: simpy.Environment, specs: dict[str, SharedResource], seeds: SeedTree
    ) -> None:
        self.env = env
        self.specs = specs
        self.seeds = seeds
        self.resources: dict[str, simpy.Resource] = {}
        self.rngs: dict[int, np.random.Generator] = {}

    def acquire(self, name: str, person_index: int, granted: Callable[[float], bool]) -> None:
        """Requests a unit; ``granted(time)`` runs when it is given, and the unit is released
        after the service time, or at once if ``granted`` declines it (the person died while
        waiting)."""
        resource = self.resources.get(name)
        if resource is None:
            resource = self.resources[name] = simpy.Resource(self.env, self.specs[name].capacity)
        request = resource.request()
        rng = self.rngs.get(person_index)
        if rng is None:
            rng = self.rngs[person_index] = self.seeds.rng(Stream.RESOURCES, person_index)
        service = float(self.specs[name].service_days.sample_one(rng))

        def on_grant(_: simpy.Event) -> None:
            if not granted(self.env.now):
                resource.release(request)
                return
            self.env.timeout(service).callbacks.append(lambda _: resource.release(request))

        request.callbacks.append(on_grant)
