"""Column-wise generation of the persons table, block by block.

Every block of ``BLOCK_SIZE`` person indices draws from its own streams
(``SeedTree.rng(stream, block)``) and is always generated whole, so person i is the same
whether the population has 5 or 5 million people and however it is split into shards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from sim.profiles.compiled import CompiledProfile
from sim.profiles.dates import birth_dates, integer_ages
from sim.profiles.names import name_sampler
from sim.reference import load_counties, sample_zip_codes
from sim.seeds import BLOCK_SIZE, SeedTree, Stream, block_range

__all__ = ["generate_block", "generate_table", "iter_blocks", "person_ids"]

Columns = dict[str, np.ndarray]


def person_ids(indices: np.ndarray) -> np.ndarray:
    """``P000000042``: readable, sortable, and a function of the index alone."""
    return np.char.add("P", np.char.zfill(indices.astype("U"), 9))


def generate_block(
    profile: CompiledProfile, seeds: SeedTree, block: int, *, names: bool = True
) -> Columns:
    """All attributes of the ``BLOCK_SIZE`` persons of one block."""
    n = BLOCK_SIZE
    indices = np.arange(block * n, (block + 1) * n, dtype=np.int64)
    columns: Columns = {"person_index": indices}
    spec = profile.spec

    demographics = seeds.rng(Stream.DEMOGRAPHICS, block)
    columns["sex"] = np.asarray(profile.sex.sample(demographics, n))
    low, high = profile.age.support()
    ages = integer_ages(np.asarray(profile.age.sample(demographics, n, columns)), low, high)
    columns["age"] = ages
    columns["birth_date"] = birth_dates(ages, spec.generation.reference_date, demographics)
    columns["race_ethnicity"] = np.asarray(profile.race_ethnicity.sample(demographics, n, columns))

    place = seeds.rng(Stream.GEOGRAPHY, block)
    rows = profile.county_rows[profile.geography.sample_county_index(place, n)]
    counties = load_counties()
    fips = counties.county_fips[rows]
    columns["county_fips"] = fips
    columns["state"] = counties.state_abbr[rows]

    if names:
        naming = seeds.rng(Stream.NAMES, block)
        columns.update(name_sampler().sample(naming, columns["sex"]))
        area = sample_zip_codes(fips, naming)
        columns["city"] = area.city.astype(object)
        columns["zip_code"] = area.zip_code.astype(object)

    attributes = seeds.rng("attributes", block)
    for name, sampler in profile.attributes:
        columns[name] = sampler.sample(attributes, n, columns)

    clinical = seeds.rng(Stream.CLINICAL, block)
    for i, condition in enumerate(profile.conditions):
        p = condition.prevalence.probabilities(columns, n)
        has = clinical.random(n) < p
        columns[condition.flag] = has
        if condition.severity is not None:
            name = "severity" if i == 0 else f"severity_{condition.flag[4:]}"
            values = np.full(n, None, dtype=object)
            where = np.flatnonzero(has)
            if where.size:
                subset = {k: v[where] for k, v in columns.items()}
                values[where] = condition.severity.sample(clinical, where.size, subset)
            columns[name] = values
    for name, sampler in profile.labs:
        columns[name] = np.asarray(sampler.sample(clinical, n, columns), dtype=float)
    for medication in profile.medications:
        p = medication.prevalence.probabilities(columns, n)
        columns[medication.flag] = clinical.random(n) < p

    if profile.coverage is not None:
        coverage = seeds.rng(Stream.COVERAGE, block)
        columns.update(profile.coverage.sample(coverage, columns, n))
    return columns


def iter_blocks(
    profile: CompiledProfile, seeds: SeedTree, start: int, stop: int, *, names: bool = True
) -> Iterator[Columns]:
    """The blocks covering [start, stop), each cut to the indices inside it."""
    for block in block_range(start, stop):
        columns = generate_block(profile, seeds, block, names=names)
        first = max(start - block * BLOCK_SIZE, 0)
        last = min(stop - block * BLOCK_SIZE, BLOCK_SIZE)
        yield {name: values[first:last] for name, values in columns.items()}


@dataclass(frozen=True)
class _Lists:
    """Conditions and medications as list columns (codes, drug names) beside the flags."""

    profile: CompiledProfile

    def conditions(self, columns: Columns, n: int) -> pa.Array:
        flags = [(c.code, columns[c.flag]) for c in self.profile.conditions]
        return _list_column(flags, n)

    def medications(self, columns: Columns, n: int) -> pa.Array:
        flags = [(m.drug, columns[m.flag]) for m in self.profile.medications]
        return _list_column(flags, n)


def _list_column(flags: list[tuple[str, np.ndarray]], n: int) -> pa.Array:
    if not flags:
        return pa.array([[] for _ in range(n)], type=pa.list_(pa.string()))
    matrix = np.column_stack([values for _, values in flags])
    offsets = np.concatenate([[0], np.cumsum(matrix.sum(axis=1))]).astype(np.int32)
    _, cols = np.nonzero(matrix)  # row-major: each person's labels in profile order
    labels = pa.array([label for label, _ in flags], type=pa.string())
    return pa.ListArray.from_arrays(pa.array(offsets), labels.take(pa.array(cols)))


def generate_table(
    profile: CompiledProfile, seeds: SeedTree, start: int, stop: int, *, names: bool = True
) -> pa.Table:
    """The persons table for indices [start, stop)."""
    blocks = list(iter_blocks(profile, seeds, start, stop, names=names))
    names = list(blocks[0]) if blocks else ["person_index"]
    columns = {
        name: np.concatenate([b[name] for b in blocks]) if blocks else np.empty(0) for name in names
    }
    n = stop - start
    lists = _Lists(profile)
    table: dict[str, pa.Array] = {
        "person_id": pa.array(person_ids(columns["person_index"]), type=pa.string()),
        "person_index": pa.array(columns["person_index"], type=pa.int64()),
        "sex": pa.array(columns["sex"], type=pa.string()),
        "birth_date": pa.array(columns["birth_date"], type=pa.date32()),
        "age": pa.array(columns["age"], type=pa.int32()),
    }
    for name in names:
        if name in table or name == "birth_date":
            continue
        table[name] = pa.array(columns[name])
    table["conditions"] = lists.conditions(columns, n)
    table["medications"] = lists.medications(columns, n)
    return pa.table(table)
