"""Hierarchical seeds: master seed -> named stream -> entity index.

An entity's draws depend only on ``(master_seed, stream, index)``, never on the population
size, the shard or the worker, and never on the wall clock. Seed 0 is an ordinary seed.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from sim.errors import SpecError

__all__ = ["BLOCK_SIZE", "MAX_SEED", "SeedTree", "Stream", "block_range", "stream_key"]

MAX_SEED = 2**63 - 1
#: Vectorised phases draw for fixed blocks of entities; the block, not the run, is the unit.
BLOCK_SIZE = 1024


class Stream:
    """Names of the streams the project uses; any other name is allowed too."""

    DEMOGRAPHICS = "demographics"
    GEOGRAPHY = "geography"
    CLINICAL = "clinical"
    COVERAGE = "coverage"
    NAMES = "names"
    JOURNEY = "journey"
    TRIGGERS = "triggers"
    HANDLERS = "handlers"
    REPLICATION = "replication"
    RESOURCES = "resources"


def stream_key(stream: str) -> int:
    """A stable number for a stream name (CRC-32: the same on any machine and hash seed)."""
    return zlib.crc32(stream.encode("utf-8"))


def check_seed(seed: object, *, path: tuple = ("seed",)) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise SpecError(f"a seed is a whole number, got {seed!r}", path=path)
    if not 0 <= int(seed) <= MAX_SEED:
        raise SpecError(f"a seed is between 0 and {MAX_SEED}, got {seed}", path=path)
    return int(seed)


@dataclass(frozen=True)
class SeedTree:
    """The run's seed hierarchy."""

    master_seed: int

    def __post_init__(self) -> None:
        check_seed(self.master_seed)

    def sequence(self, stream: str, *index: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(
            self.master_seed, spawn_key=(stream_key(stream), *(int(i) for i in index))
        )

    def rng(self, stream: str, *index: int) -> np.random.Generator:
        """The generator of one entity (or one block, or one replication) in one stream."""
        return np.random.Generator(np.random.PCG64(self.sequence(stream, *index)))

    def child(self, stream: str, index: int) -> SeedTree:
        """A derived master seed (e.g. replication ``index`` of an experiment)."""
        state = self.sequence(stream, index).generate_state(2, np.uint32)
        return SeedTree(int(state[0]) << 31 | int(state[1]) >> 1)


def block_range(start: int, stop: int, block_size: int = BLOCK_SIZE) -> range:
    """The blocks that cover entity indices [start, stop)."""
    if stop <= start:
        return range(0)
    return range(start // block_size, (stop - 1) // block_size + 1)
