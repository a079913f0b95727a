"""Many persons' generators at once, the same as ``SeedTree.rng`` makes them one by one.

``SeedTree.rng(stream, *key, index)`` hashes the master seed and the spawn key with numpy's
``SeedSequence`` and seeds a ``PCG64`` with the hash: about 12 us a person, nearly all of it
Python overhead, and a handler walks thousands of persons. Here the seed and the key before
the person index are hashed once, the person index is mixed in for every person at once with
numpy, and each person's PCG64 state is set on one reused generator. The arithmetic is
numpy's own (``SeedSequence.mix_entropy`` and ``generate_state``, ``pcg64_set_seed``), whose
streams numpy keeps stable (NEP 19); tests compare the states with ``SeedTree.rng``'s.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from sim.seeds import SeedTree, stream_key

__all__ = ["generators"]

_MASK32 = 0xFFFF_FFFF
_MASK128 = (1 << 128) - 1
# SeedSequence's constants (numpy/random/bit_generator.pyx)
_POOL_SIZE = 4
_INIT_A, _MULT_A = 0x43B0_D7E5, 0x931E_8875
_INIT_B, _MULT_B = 0x8B51_F9DD, 0x58F3_8DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01_F9DD, 0x4973_F715
_XSHIFT = 16
# PCG64's 128-bit LCG multiplier (numpy/random/src/pcg64/pcg64.h)
_PCG_MULTIPLIER = (2549297995355413924 << 64) | 4865540595714422341


def generators(
    seeds: SeedTree, stream: str, key: Sequence[int], indices: Sequence[int] | np.ndarray
) -> Iterator[np.random.Generator]:
    """``seeds.rng(stream, *key, i)`` for each ``i`` of ``indices`` in turn. One generator is
    reseeded for each: it is valid until the next one is drawn."""
    index = np.asarray(indices, dtype=np.int64)
    if index.size and (index.min() < 0 or index.max() > _MASK32):  # not one word each
        for i in index.tolist():
            yield seeds.rng(stream, *key, i)
        return
    prefix = _pool_prefix(seeds.master_seed, (stream_key(stream), *key))
    bit_generator = np.random.PCG64(0)
    generator = np.random.Generator(bit_generator)
    for state, increment in _pcg64_seeds(*prefix, index):
        bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": state, "inc": increment},
            "has_uint32": 0,
            "uinteger": 0,
        }
        yield generator


def _words(value: int) -> list[int]:
    """An integer as little-endian 32-bit words (SeedSequence's ``_int_to_uint32_array``)."""
    words = [] if value else [0]
    while value:
        words.append(value & _MASK32)
        value >>= 32
    return words


def _pool_prefix(master_seed: int, spawn_prefix: Sequence[int]) -> tuple[list[int], int]:
    """SeedSequence's pool after the master seed and the spawn key but its last word, and the
    hash constant then (``mix_entropy``; a spawned sequence pads the seed to the pool size)."""
    seed_words = _words(master_seed)
    seed_words += [0] * (_POOL_SIZE - len(seed_words))
    entropy = seed_words + [word for key in spawn_prefix for word in _words(int(key))]
    hash_const = _INIT_A

    def hashmix(value: int) -> int:
        nonlocal hash_const
        value ^= hash_const
        hash_const = hash_const * _MULT_A & _MASK32
        value = value * hash_const & _MASK32
        return value ^ value >> _XSHIFT

    pool = [hashmix(word) for word in entropy[:_POOL_SIZE]]
    for source in range(_POOL_SIZE):
        for target in range(_POOL_SIZE):
            if source != target:
                pool[target] = _mix(pool[target], hashmix(pool[source]))
    for word in entropy[_POOL_SIZE:]:
        for target in range(_POOL_SIZE):
            pool[target] = _mix(pool[target], hashmix(word))
    return pool, hash_const


def _mix(x: int, y: int) -> int:
    result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _MASK32
    return result ^ result >> _XSHIFT


def _pcg64_seeds(
    pool_prefix: list[int], hash_const: int, index: np.ndarray
) -> Iterator[tuple[int, int]]:
    """Each index's PCG64 (state, increment): its word mixed into the pool, four 64-bit words
    generated from the pool, and PCG64 seeded with them, as numpy does."""
    word = index.astype(np.uint32)
    pool = []
    for value in pool_prefix:  # uint32 arrays wrap around as the C code's uint32_t does
        hashed = word ^ np.uint32(hash_const)
        hash_const = hash_const * _MULT_A & _MASK32
        hashed *= np.uint32(hash_const)
        hashed ^= hashed >> np.uint32(_XSHIFT)
        mixed = np.uint32(_MIX_MULT_L) * np.full_like(word, value) - np.uint32(_MIX_MULT_R) * hashed
        pool.append(mixed ^ mixed >> np.uint32(_XSHIFT))
    generated, hash_const = [], _INIT_B
    for n in range(8):  # generate_state(4, np.uint64): eight words, cycling over the pool
        value = pool[n % _POOL_SIZE] ^ np.uint32(hash_const)
        hash_const = hash_const * _MULT_B & _MASK32
        value *= np.uint32(hash_const)
        generated.append((value ^ value >> np.uint32(_XSHIFT)).astype(np.uint64))
    low_first = [generated[2 * n] | generated[2 * n + 1] << np.uint64(32) for n in range(4)]
    for seed_high, seed_low, increment_high, increment_low in zip(
        *(words.tolist() for words in low_first), strict=True
    ):
        # pcg64_set_seed: the increment is odd; two LCG steps around adding the seed
        increment = ((increment_high << 64 | increment_low) << 1 | 1) & _MASK128
        state = (increment + (seed_high << 64 | seed_low)) & _MASK128
        yield (state * _PCG_MULTIPLIER + increment) & _MASK128, increment
