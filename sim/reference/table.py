"""The shipped county table (``data/counties.csv.gz``), loaded once into numpy columns.

Built by ``scripts/build_reference.py``; docs/reference-data.md describes every column, its
source and the fallbacks. Shares and prevalences are fractions in [0, 1].
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

__all__ = [
    "AGE_BANDS",
    "MEASURES",
    "RACE_ETHNICITIES",
    "SEXES",
    "AgeBand",
    "CountyTable",
    "load_counties",
]


@dataclass(frozen=True)
class AgeBand:
    """A census 5-year band, both ends inclusive in whole years (``max_age_years`` None: open)."""

    label: str
    min_age_years: int
    max_age_years: int | None

    @property
    def width_years(self) -> int | None:
        return None if self.max_age_years is None else self.max_age_years - self.min_age_years + 1


AGE_BANDS: tuple[AgeBand, ...] = (
    *(AgeBand(f"{low:02d}_{low + 4:02d}", low, low + 4) for low in range(0, 85, 5)),
    AgeBand("85_plus", 85, None),
)
SEXES: tuple[str, ...] = ("male", "female")
RACE_ETHNICITIES: tuple[str, ...] = (
    "hispanic",
    "black",
    "asian",
    "aian",
    "nhpi",
    "two_or_more",
    "other",
    "white_nh",
)
#: Adult (18+) crude prevalences from PLACES, in the table's column order.
MEASURES: tuple[str, ...] = (
    "diabetes",
    "obesity",
    "hypertension",
    "high_cholesterol",
    "asthma",
    "copd",
    "chd",
    "stroke",
    "ckd",
    "depression",
    "cancer",
    "arthritis",
    "smoking",
)


@dataclass(frozen=True, eq=False)
class CountyTable:
    """One row per county; every array has the same length, in the table's row order."""

    county_fips: np.ndarray  # str, 5 digits
    state_fips: np.ndarray  # str, 2 digits
    state_abbr: np.ndarray
    state_name: np.ndarray
    county_name: np.ndarray  # legal name with its type: "Harris County", "Alexandria city"
    county_short_name: np.ndarray  # "Harris"
    population: np.ndarray  # int64, PLACES 2022 TotalPopulation
    latitude_deg: np.ndarray
    longitude_deg: np.ndarray
    agesex_source: np.ndarray  # "census_2019", "census_2019:<parent fips>" or "state_shape"
    adult_share: np.ndarray  # share of the population aged 18+ (census)
    age_sex_shares: np.ndarray  # (counties, 2 sexes, 18 bands), each county sums to 1
    race_shares: np.ndarray  # (counties, 8) in RACE_ETHNICITIES order, sums to 1
    uninsured_share: np.ndarray
    svi_rank: np.ndarray  # RPL_THEMES, overall percentile rank 0..1
    adult_prevalence: np.ndarray  # (counties, 13) in MEASURES order
    filled: np.ndarray  # "measure:state;..." for values taken from a fallback, else ""

    def __len__(self) -> int:
        return len(self.county_fips)

    @property
    def row_of(self) -> dict[str, int]:
        return _row_index(self)

    def rows(self, county_fips: list[str] | tuple[str, ...] | np.ndarray) -> np.ndarray:
        """Row numbers for FIPS codes (KeyError for an unknown one); vectorised over repeats."""
        unique, inverse = np.unique(np.asarray(county_fips, dtype=str), return_inverse=True)
        index = self.row_of
        unique_rows = np.fromiter((index[fips] for fips in unique.tolist()), dtype=np.int64)
        return unique_rows[inverse.reshape(-1)]

    def measure_column(self, measure: str) -> np.ndarray:
        return self.adult_prevalence[:, MEASURES.index(measure)]

    def state_rows(self, state_abbr: str) -> np.ndarray:
        return np.flatnonzero(self.state_abbr == state_abbr)


@cache
def _row_index(table: CountyTable) -> dict[str, int]:
    return {fips: row for row, fips in enumerate(table.county_fips.tolist())}


def read_data_csv(name: str) -> tuple[list[str], list[list[str]]]:
    raw = resources.files("sim.reference.data").joinpath(name).read_bytes()
    reader = csv.reader(gzip.decompress(raw).decode("utf-8").splitlines())
    header = next(reader)
    return header, list(reader)


@cache
def load_counties() -> CountyTable:
    """The shipped county table (read once per process)."""
    header, rows = read_data_csv("counties.csv.gz")
    columns = dict(zip(header, zip(*rows, strict=True), strict=True))

    def text(name: str) -> np.ndarray:
        return np.array(columns[name], dtype=str)

    def numbers(names: list[str]) -> np.ndarray:
        return np.array([columns[name] for name in names], dtype=np.float64).T

    age_sex = numbers([f"share_{sex}_{band.label}" for sex in SEXES for band in AGE_BANDS])
    age_sex = age_sex.reshape(len(rows), len(SEXES), len(AGE_BANDS))
    race = numbers([f"share_{name}" for name in RACE_ETHNICITIES])
    # The file rounds shares to 6 decimals; renormalise so that each county sums to 1 exactly.
    age_sex /= age_sex.sum(axis=(1, 2), keepdims=True)
    race /= race.sum(axis=1, keepdims=True)
    return CountyTable(
        county_fips=text("county_fips"),
        state_fips=text("state_fips"),
        state_abbr=text("state_abbr"),
        state_name=text("state_name"),
        county_name=text("county_name"),
        county_short_name=text("county_short_name"),
        population=np.array(columns["population"], dtype=np.int64),
        latitude_deg=numbers(["latitude"])[:, 0],
        longitude_deg=numbers(["longitude"])[:, 0],
        agesex_source=text("agesex_source"),
        adult_share=numbers(["adult_share"])[:, 0],
        age_sex_shares=age_sex,
        race_shares=race,
        uninsured_share=numbers(["uninsured_share"])[:, 0],
        svi_rank=numbers(["svi_rank"])[:, 0],
        adult_prevalence=numbers([f"prev_{measure}" for measure in MEASURES]),
        filled=text("filled"),
    )
