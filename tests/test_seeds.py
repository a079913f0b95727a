"""The seed hierarchy: master seed -> stream -> entity index, and nothing else."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from sim.errors import SpecError
from sim.seeds import BLOCK_SIZE, MAX_SEED, SeedTree, Stream, block_range, stream_key


def draws(tree: SeedTree, stream: str, *index: int, n: int = 8) -> list[float]:
    return tree.rng(stream, *index).random(n).tolist()


def test_same_seed_stream_and_index_give_identical_draws_across_instances():
    assert draws(SeedTree(42), "clinical", 7) == draws(SeedTree(42), "clinical", 7)
    assert draws(SeedTree(42), "clinical", 7, 3) == draws(SeedTree(42), "clinical", 7, 3)


def test_different_streams_and_indices_differ():
    tree = SeedTree(42)
    base = draws(tree, "clinical", 7)
    assert draws(tree, "coverage", 7) != base
    assert draws(tree, "clinical", 8) != base
    assert draws(tree, "clinical", 7, 0) != base  # a deeper key is another generator
    firsts = {tree.rng(Stream.DEMOGRAPHICS, i).random() for i in range(1_000)}
    assert len(firsts) == 1_000


def test_neighbouring_indices_are_uncorrelated():
    # Correlation of the first normal draw across 20,000 consecutive indices: |r| < 5 / sqrt(n).
    tree = SeedTree(3)
    n = 20_000
    x = np.array([tree.rng("journey", i).standard_normal() for i in range(n)])
    r = np.corrcoef(x[:-1], x[1:])[0, 1]
    assert abs(r) < 5 / np.sqrt(n)


def test_seed_zero_is_reproducible_and_distinct_from_seed_one():
    assert draws(SeedTree(0), "names", 0) == draws(SeedTree(0), "names", 0)
    assert draws(SeedTree(0), "names", 0) != draws(SeedTree(1), "names", 0)


def test_seed_zero_matches_the_documented_seed_sequence():
    expected = np.random.Generator(
        np.random.PCG64(np.random.SeedSequence(0, spawn_key=(stream_key("names"), 5)))
    ).random(4)
    assert SeedTree(0).rng("names", 5).random(4).tolist() == expected.tolist()


@pytest.mark.parametrize("seed", [-1, 1.5, "42", True, False, None, 2**63, [1]])
def test_bad_seeds_are_rejected(seed):
    with pytest.raises(SpecError) as caught:
        SeedTree(seed)
    assert str(caught.value).startswith("seed: ")


def test_largest_seed_and_numpy_integers_are_accepted():
    SeedTree(MAX_SEED)
    assert SeedTree(np.int64(7)).rng("x", 0).random() == SeedTree(7).rng("x", 0).random()


def crc32_bitwise(data: bytes) -> int:
    """The textbook reflected CRC-32 (polynomial 0xEDB88320), independent of zlib."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def test_stream_key_is_the_crc32_of_the_name():
    assert stream_key("123456789") == 0xCBF43926  # the standard CRC-32 check value
    assert stream_key("demographics") == 0x732A09E6  # pinned: changing it changes every run
    assert stream_key("clinical") == zlib.crc32(b"clinical") == crc32_bitwise(b"clinical")
    assert stream_key("demographics") != stream_key("clinical")


def test_index_draws_do_not_depend_on_population_size():
    tree = SeedTree(2024)
    small = [tree.rng("demographics", i).normal(size=3).tolist() for i in range(5)]
    large = [tree.rng("demographics", i).normal(size=3).tolist() for i in range(10_000)]
    assert large[:5] == small
    assert large[4999] == tree.rng("demographics", 4999).normal(size=3).tolist()


def block_draws(tree: SeedTree, stream: str, start: int, stop: int) -> np.ndarray:
    """What a vectorised phase does: one generator per block, the entities' slice of it."""
    blocks = block_range(start, stop)
    values = np.concatenate([tree.rng(stream, b).random(BLOCK_SIZE) for b in blocks])
    offset = blocks.start * BLOCK_SIZE
    return values[start - offset : stop - offset]


def test_block_draws_do_not_depend_on_population_size_or_sharding():
    tree = SeedTree(9)
    whole = block_draws(tree, "clinical", 0, 10_000)
    assert block_draws(tree, "clinical", 0, 5).tolist() == whole[:5].tolist()
    shards = [
        block_draws(tree, "clinical", a, min(a + 3_000, 10_000)) for a in range(0, 10_000, 3_000)
    ]
    assert np.concatenate(shards).tolist() == whole.tolist()


@pytest.mark.parametrize(
    ("start", "stop", "expected"),
    [
        (0, 1, range(0, 1)),
        (0, BLOCK_SIZE, range(0, 1)),
        (0, BLOCK_SIZE + 1, range(0, 2)),
        (BLOCK_SIZE - 1, BLOCK_SIZE + 1, range(0, 2)),
        (BLOCK_SIZE, 2 * BLOCK_SIZE, range(1, 2)),
        (5, 5, range(0)),
        (7, 3, range(0)),
        (0, 10_000, range(0, 10)),
    ],
)
def test_block_range_covers_exactly_the_blocks(start, stop, expected):
    assert block_range(start, stop) == expected


def test_block_range_matches_brute_force():
    for start, stop, size in [(0, 100, 7), (13, 14, 7), (13, 200, 16), (99, 1000, 100)]:
        brute = sorted({i // size for i in range(start, stop)})
        assert list(block_range(start, stop, size)) == brute


def test_child_seeds_are_reproducible_valid_and_distinct():
    tree = SeedTree(11)
    children = [tree.child(Stream.REPLICATION, i) for i in range(50)]
    assert children == [SeedTree(11).child(Stream.REPLICATION, i) for i in range(50)]
    assert len({c.master_seed for c in children}) == 50
    assert all(0 <= c.master_seed <= MAX_SEED for c in children)
    assert tree.child(Stream.REPLICATION, 0) != SeedTree(12).child(Stream.REPLICATION, 0)
