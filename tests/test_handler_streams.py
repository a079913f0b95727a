"""``handlers.streams.generators`` makes the generators ``SeedTree.rng`` makes, in bulk."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from handlers.base import HandlerContext
from handlers.streams import generators
from sim.seeds import MAX_SEED, SeedTree, Stream

INDICES = [0, 1, 5, 1023, 4096, 123_456, 2**31, 2**32 - 1]


@pytest.mark.parametrize("master_seed", [0, 1, 2**32 + 5, MAX_SEED])
@pytest.mark.parametrize("key", [(), (7,), (2**32 + 1, 0, 3)])
def test_the_states_are_those_of_seed_tree_rng(master_seed: int, key: tuple[int, ...]) -> None:
    seeds = SeedTree(master_seed)
    made = [g.bit_generator.state for g in generators(seeds, Stream.HANDLERS, key, INDICES)]
    assert made == [seeds.rng(Stream.HANDLERS, *key, i).bit_generator.state for i in INDICES]


def test_an_index_of_more_than_one_word_gets_the_same_draws() -> None:
    seeds = SeedTree(3)
    indices = [2**32, 5]
    made = [g.random(3).tolist() for g in generators(seeds, "handlers", (1,), indices)]
    assert made == [seeds.rng("handlers", 1, i).random(3).tolist() for i in indices]


def test_context_rngs_draws_as_context_rng() -> None:
    context = HandlerContext(dt.date(2025, 1, 1), 365.0, SeedTree(9), ("membersim",))
    indices = np.array([3, 3, 40])
    made = [g.random() for g in context.rngs("membersim", 2, indices=indices)]
    assert made == [context.rng("membersim", 2, int(i)).random() for i in indices]
    assert list(context.rngs("membersim", indices=[])) == []
