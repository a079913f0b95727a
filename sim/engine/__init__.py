"""The SimPy runner: shards of persons, one process per person, records as Arrow tables."""

from sim.engine.dispatch import EventHook, FiredEvent, PersonState, ShardContext
from sim.engine.records import EVENTS_SCHEMA, EventBuffer, event_id
from sim.engine.runner import DEFAULT_SHARD_SIZE, JourneyAssignment, iter_simulate, simulate

__all__ = [
    "DEFAULT_SHARD_SIZE",
    "EVENTS_SCHEMA",
    "EventBuffer",
    "EventHook",
    "FiredEvent",
    "JourneyAssignment",
    "PersonState",
    "ShardContext",
    "event_id",
    "iter_simulate",
    "simulate",
]
