"""Reference population data: real county and state figures from CDC PLACES 2022, CDC/ATSDR
SVI 2020 and US Census 2019 age-by-sex estimates, shipped as compact tables (see
docs/reference-data.md), and their resolution from a profile's ``geography``."""

from sim.reference.geography import (
    GEOGRAPHY_KEYS,
    Geography,
    national_geography,
    resolve_geography,
)
from sim.reference.lookup import find_county, find_state
from sim.reference.prevalence import (
    GRADIENT_BANDS,
    NATIONAL_PREVALENCE_BY_AGE_PERCENT,
    PEDIATRIC_RATES,
    age_specific_prevalence,
    condition_probability,
    county_condition_probability,
    gradient_band_weights,
)
from sim.reference.table import (
    AGE_BANDS,
    MEASURES,
    RACE_ETHNICITIES,
    SEXES,
    AgeBand,
    CountyTable,
    load_counties,
)
from sim.reference.zips import ZipSample, ZipTable, load_zips, sample_zip_codes

__all__ = [
    "AGE_BANDS",
    "GEOGRAPHY_KEYS",
    "GRADIENT_BANDS",
    "MEASURES",
    "NATIONAL_PREVALENCE_BY_AGE_PERCENT",
    "PEDIATRIC_RATES",
    "RACE_ETHNICITIES",
    "SEXES",
    "AgeBand",
    "CountyTable",
    "Geography",
    "ZipSample",
    "ZipTable",
    "age_specific_prevalence",
    "condition_probability",
    "county_condition_probability",
    "find_county",
    "find_state",
    "gradient_band_weights",
    "load_counties",
    "load_zips",
    "national_geography",
    "resolve_geography",
    "sample_zip_codes",
]
