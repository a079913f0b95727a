"""Resolving a profile's ``geography`` to counties and their population-weighted figures.

Accepted specs: ``{county: "48201"}``, ``{county: "Harris County, TX"}``, ``{state: "TX"}``
(or "Texas", "48"), ``{counties: ["48201", "Dallas, TX"]}``, or a bare string (a state if it
names one, otherwise a county).

Aggregation over several counties: age-by-sex, race/ethnicity and the uninsured share are
weighted by population; adult prevalences by adult (18+) population, so that they stay "share
of adults"; the SVI rank is the population-weighted mean rank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.errors import SpecError, did_you_mean
from sim.reference.lookup import county_label, find_county, find_state
from sim.reference.prevalence import gradient_band_weights
from sim.reference.table import AGE_BANDS, MEASURES, RACE_ETHNICITIES, SEXES, load_counties

__all__ = ["GEOGRAPHY_KEYS", "Geography", "resolve_geography"]

GEOGRAPHY_KEYS = ("county", "counties", "state")


@dataclass(frozen=True, eq=False)
class Geography:
    """What a geography spec resolves to. Arrays are aligned with ``county_fips``."""

    label: str  # "Harris County, TX", "Texas", "3 counties"
    level: str  # "county", "counties" or "state"
    county_fips: tuple[str, ...]
    county_population: np.ndarray  # int64
    age_sex_shares: np.ndarray  # (2 sexes, 18 bands), sums to 1
    race_shares: dict[str, float]
    uninsured_share: float
    svi_rank: float
    adult_share: float
    adult_prevalence: dict[str, float]  # crude, adults 18+

    @property
    def population(self) -> int:
        return int(self.county_population.sum())

    @property
    def county_weights(self) -> np.ndarray:
        return self.county_population / self.county_population.sum()

    @property
    def adult_band_weights(self) -> np.ndarray:
        """The adult age mix over the prevalence gradient bands (see ``prevalence``)."""
        return gradient_band_weights(self.age_sex_shares)

    def age_sex_table(self) -> dict[str, dict[str, float]]:
        """``{"male": {"00_04": share, ...}, "female": {...}}``, shares of everyone."""
        return {
            sex: {band.label: float(self.age_sex_shares[i, j]) for j, band in enumerate(AGE_BANDS)}
            for i, sex in enumerate(SEXES)
        }

    def sample_county_index(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """Positions in ``county_fips``, in proportion to population (one uniform each)."""
        if len(self.county_fips) == 1:
            return np.zeros(count, dtype=np.int64)
        cumulative = np.cumsum(self.county_weights)
        rows = np.searchsorted(cumulative, rng.random(count) * cumulative[-1], side="right")
        return np.minimum(rows, len(self.county_fips) - 1)

    def sample_county_fips(self, rng: np.random.Generator, count: int) -> np.ndarray:
        """County FIPS for ``count`` persons, in proportion to population (one uniform each)."""
        return np.asarray(self.county_fips)[self.sample_county_index(rng, count)]

    @property
    def table_rows(self) -> np.ndarray:
        """The rows of ``load_counties()`` for ``county_fips``."""
        return load_counties().rows(self.county_fips)


def resolve_geography(
    spec: Mapping[str, object] | str, *, path: Sequence[str | int] = ("geography",)
) -> Geography:
    """Resolves a geography spec; unknown names and FIPS raise ``SpecError`` with suggestions."""
    table = load_counties()
    if isinstance(spec, str):
        try:
            abbr = find_state(spec, path=path)
        except SpecError:
            return _aggregate([find_county(spec, path=path)], "county")
        return _aggregate(table.state_rows(abbr).tolist(), "state", label=_state_name(abbr))
    if not isinstance(spec, Mapping):
        raise SpecError("a geography is a mapping such as {county: '48201'}", path=path)
    keys = [key for key in spec if key in GEOGRAPHY_KEYS]
    for key in spec:
        if key not in GEOGRAPHY_KEYS:
            hint = did_you_mean(str(key), GEOGRAPHY_KEYS)
            raise SpecError("unknown field", path=(*path, str(key)), hint=hint)
    if len(keys) != 1:
        raise SpecError("give exactly one of county, counties, state", path=path)
    key = keys[0]
    value = spec[key]
    if key == "county":
        return _aggregate([find_county(value, path=(*path, key))], "county")
    if key == "state":
        abbr = find_state(value, path=(*path, key))
        return _aggregate(table.state_rows(abbr).tolist(), "state", label=_state_name(abbr))
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        raise SpecError("counties is a non-empty list", path=(*path, key))
    rows = [find_county(item, path=(*path, key, i)) for i, item in enumerate(value)]
    duplicates = {table.county_fips[row] for row in rows if rows.count(row) > 1}
    if duplicates:
        raise SpecError(f"county {sorted(duplicates)[0]} is listed twice", path=(*path, key))
    return _aggregate(rows, "counties" if len(rows) > 1 else "county")


def _state_name(abbr: str) -> str:
    table = load_counties()
    return str(table.state_name[table.state_rows(abbr)[0]])


def _aggregate(rows: list[int], level: str, *, label: str | None = None) -> Geography:
    table = load_counties()
    index = np.asarray(rows, dtype=np.int64)
    population = table.population[index].astype(np.float64)
    weights = population / population.sum()
    adults = population * table.adult_share[index]
    adult_weights = adults / adults.sum()
    if label is None:
        label = county_label(table, rows[0]) if len(rows) == 1 else f"{len(rows)} counties"
    age_sex = np.tensordot(weights, table.age_sex_shares[index], axes=1)
    race = weights @ table.race_shares[index]
    prevalence = adult_weights @ table.adult_prevalence[index]
    return Geography(
        label=label,
        level=level,
        county_fips=tuple(table.county_fips[index].tolist()),
        county_population=table.population[index].copy(),
        age_sex_shares=age_sex / age_sex.sum(),
        race_shares=dict(zip(RACE_ETHNICITIES, (race / race.sum()).tolist(), strict=True)),
        uninsured_share=float(weights @ table.uninsured_share[index]),
        svi_rank=float(weights @ table.svi_rank[index]),
        adult_share=float(adults.sum() / population.sum()),
        adult_prevalence=dict(zip(MEASURES, prevalence.tolist(), strict=True)),
    )


def national_geography() -> Geography:
    """Every county, weighted by population: the default when a profile names no place."""
    return _national()


@cache
def _national() -> Geography:
    table = load_counties()
    return _aggregate(list(range(len(table.county_fips))), "nation", label="United States")
