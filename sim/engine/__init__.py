"""The journey engine: shards of persons, the vectorised timeline and the dynamic SimPy engine,
records as Arrow tables."""

from sim.engine.records import EVENTS_SCHEMA, EventBuffer, event_id
from sim.engine.runner import DEFAULT_SHARD_SIZE, JourneyAssignment, iter_simulate, simulate

__all__ = [
    "DEFAULT_SHARD_SIZE",
    "EVENTS_SCHEMA",
    "EventBuffer",
    "JourneyAssignment",
    "event_id",
    "iter_simulate",
    "simulate",
]
