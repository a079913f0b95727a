"""ZIP codes by county (``data/zips.csv.gz``), so that a generated address's city, state, ZIP and
county agree.

A county's candidate ZIPs are its residential (STANDARD) ZIPs from the ``zipcodes`` package; a
ZIP is drawn uniformly among them (no per-ZIP population is shipped). Counties without one use
their PO-box ZIPs or, for four Virginia independent cities, the state's ZIP nearest to the
county's centroid (column ``assignment``; docs/reference-data.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.reference.table import read_data_csv

__all__ = ["ZipSample", "ZipTable", "load_zips", "sample_zip_codes"]


@dataclass(frozen=True, eq=False)
class ZipTable:
    """ZIP rows sorted by county FIPS, then ZIP (a ZIP may serve several counties)."""

    zip_code: np.ndarray
    city: np.ndarray
    state_abbr: np.ndarray
    county_fips: np.ndarray
    assignment: np.ndarray  # "county_name", "county_name_non_standard" or "nearest_in_state"

    def __len__(self) -> int:
        return len(self.zip_code)

    def county_slices(self, county_fips: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """First row and number of rows of each county's ZIPs (count 0: unknown county)."""
        first = np.searchsorted(self.county_fips, county_fips, side="left")
        end = np.searchsorted(self.county_fips, county_fips, side="right")
        return first, end - first


@dataclass(frozen=True, eq=False)
class ZipSample:
    """One address area per person, aligned with the county FIPS it was drawn for."""

    zip_code: np.ndarray
    city: np.ndarray
    state_abbr: np.ndarray


@cache
def load_zips() -> ZipTable:
    """The shipped ZIP table (read once per process)."""
    _, rows = read_data_csv("zips.csv.gz")
    columns = [np.array(column, dtype=str) for column in zip(*rows, strict=True)]
    zip_code, city, state_abbr, county_fips, assignment = columns
    order = np.lexsort((zip_code, county_fips))
    return ZipTable(
        zip_code=zip_code[order],
        city=city[order],
        state_abbr=state_abbr[order],
        county_fips=county_fips[order],
        assignment=assignment[order],
    )


def sample_zip_codes(county_fips: np.ndarray, rng: np.random.Generator) -> ZipSample:
    """Draws a ZIP (and its city) uniformly among each person's county ZIPs, vectorised.

    Uses exactly one uniform per person, so person *i*'s draw does not depend on the others'.
    """
    fips = np.asarray(county_fips, dtype=str)
    table = load_zips()
    first, count = table.county_slices(fips)
    if fips.size and (count == 0).any():
        unknown = sorted(set(fips[count == 0].tolist()))[:5]
        raise KeyError(f"no ZIP codes for county FIPS {', '.join(unknown)}")
    rows = first + np.floor(rng.random(fips.size) * count).astype(np.int64)
    return ZipSample(
        zip_code=table.zip_code[rows],
        city=table.city[rows],
        state_abbr=table.state_abbr[rows],
    )
