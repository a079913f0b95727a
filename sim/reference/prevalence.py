"""Age-specific prevalence from a county's crude adult prevalence, and pediatric rates.

PLACES gives one crude prevalence for all adults (18+). Within the adults we apply a national
age gradient: the band prevalences are proportional to the national prevalence by age, and
scaled so that, weighted by the county's own adult age distribution, they average back to the
PLACES value exactly (no band above 100%). Children get a documented pediatric rate instead.

Sources of the national gradient (rounded; only the ratios between bands are used):

- diabetes: CDC National Diabetes Statistics Report 2020, diagnosed diabetes by age (2018).
- obesity: Hales et al., NCHS Data Brief 360 (NHANES 2017-2018), by age 20-39 / 40-59 / 60+.
- hypertension: Fryar et al., NCHS Data Brief 289 (NHANES 2015-2016), 18-39 / 40-59 / 60+.
- smoking: Cornelius et al., MMWR 2020;69:1736 (NHIS 2019), current cigarette smoking by age.
- arthritis: Barbour et al., MMWR 2017;66:246 (NHIS 2013-2015), diagnosed arthritis by age.
- high cholesterol, asthma, COPD, CHD, stroke, kidney disease, depression, cancer: NCHS,
  Summary Health Statistics for adults (NHIS 2018), ever told / current, by age 18-44, 45-64,
  65-74, 75+.

Where a published band spans several of ours (e.g. 18-44), its value is repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.reference.table import AGE_BANDS, MEASURES, AgeBand, load_counties

__all__ = [
    "ADULT_AGE_YEARS",
    "GRADIENT_BANDS",
    "NATIONAL_PREVALENCE_BY_AGE_PERCENT",
    "PEDIATRIC_RATES",
    "PediatricRate",
    "age_specific_prevalence",
    "condition_probability",
    "county_condition_probability",
    "gradient_band_index",
    "gradient_band_weights",
]

ADULT_AGE_YEARS = 18

GRADIENT_BANDS: tuple[AgeBand, ...] = (
    AgeBand("18_24", 18, 24),
    AgeBand("25_44", 25, 44),
    AgeBand("45_64", 45, 64),
    AgeBand("65_74", 65, 74),
    AgeBand("75_plus", 75, None),
)

#: National prevalence (%) by GRADIENT_BANDS; see the module docstring for the sources.
NATIONAL_PREVALENCE_BY_AGE_PERCENT: dict[str, tuple[float, ...]] = {
    "diabetes": (3.0, 3.0, 13.8, 21.4, 21.4),
    "obesity": (40.0, 40.0, 44.8, 42.8, 42.8),
    "hypertension": (7.5, 7.5, 33.2, 63.1, 63.1),
    "high_cholesterol": (11.0, 11.0, 33.0, 48.0, 46.0),
    "asthma": (8.0, 8.0, 8.6, 8.0, 6.6),
    "copd": (1.8, 1.8, 6.4, 10.8, 11.6),
    "chd": (1.0, 1.0, 5.5, 12.0, 19.0),
    "stroke": (0.6, 0.6, 2.8, 6.0, 9.5),
    "ckd": (0.8, 0.8, 2.4, 4.5, 7.5),
    "depression": (21.0, 19.0, 19.0, 16.0, 13.0),
    "cancer": (1.5, 1.5, 6.5, 14.0, 20.0),
    "arthritis": (7.1, 7.1, 29.3, 49.6, 49.6),
    "smoking": (8.0, 16.7, 17.0, 8.2, 8.2),
}


@dataclass(frozen=True)
class PediatricRate:
    """Prevalence applied under 18, from ``min_age_years`` on (0 below it)."""

    rate: float
    min_age_years: int
    source: str


_ADULT_ONSET = "assumption: adult-onset condition, 0 for children"

#: Pediatric rates (fractions) for persons under ADULT_AGE_YEARS.
PEDIATRIC_RATES: dict[str, PediatricRate] = {
    "asthma": PediatricRate(0.06, 0, "CDC national asthma data (NHIS 2019-2021): ~6% of children"),
    "obesity": PediatricRate(0.197, 2, "NHANES 2017-2020: 19.7% of ages 2-19 (Stierman, NHSR 158)"),
    "diabetes": PediatricRate(0.0025, 0, "National Diabetes Statistics Report 2020: 25 per 10,000"),
    "depression": PediatricRate(
        0.032, 3, "NSCH 2016: 3.2% of ages 3-17 (Ghandour, J Pediatr 2019)"
    ),
    "smoking": PediatricRate(
        0.0, 0, "assumption: PLACES measures adult smoking; youth use ignored"
    ),
    **{
        measure: PediatricRate(0.0, 0, _ADULT_ONSET)
        for measure in (
            "hypertension",
            "high_cholesterol",
            "copd",
            "chd",
            "stroke",
            "ckd",
            "cancer",
            "arthritis",
        )
    },
}


def _gradient(measure: str) -> np.ndarray:
    if measure not in NATIONAL_PREVALENCE_BY_AGE_PERCENT:
        raise KeyError(f"no age gradient for '{measure}' (known: {', '.join(MEASURES)})")
    return np.asarray(NATIONAL_PREVALENCE_BY_AGE_PERCENT[measure], dtype=np.float64)


def _census_to_gradient_matrix() -> np.ndarray:
    """(18 census bands, 5 gradient bands): how much of each census band falls in each
    gradient band (assuming ages spread evenly within a 5-year band: 18-19 is 2/5 of 15-19)."""
    matrix = np.zeros((len(AGE_BANDS), len(GRADIENT_BANDS)))
    for i, census in enumerate(AGE_BANDS):
        census_end = (census.max_age_years if census.max_age_years is not None else 200) + 1
        for j, band in enumerate(GRADIENT_BANDS):
            band_end = (band.max_age_years if band.max_age_years is not None else 200) + 1
            overlap = min(census_end, band_end) - max(census.min_age_years, band.min_age_years)
            if overlap > 0:
                matrix[i, j] = overlap / (census_end - census.min_age_years)
    return matrix


_CENSUS_TO_GRADIENT = _census_to_gradient_matrix()


def gradient_band_weights(age_sex_shares: np.ndarray) -> np.ndarray:
    """Adult age distribution over GRADIENT_BANDS (sums to 1) from (..., 2 sexes, 18 bands)."""
    by_band = np.asarray(age_sex_shares, dtype=np.float64).sum(axis=-2) @ _CENSUS_TO_GRADIENT
    return by_band / by_band.sum(axis=-1, keepdims=True)


def age_specific_prevalence(
    crude_adult_prevalence: float | np.ndarray,
    measure: str,
    adult_band_weights: np.ndarray,
) -> np.ndarray:
    """Prevalence by GRADIENT_BANDS, shape (..., 5), with sum(weights * result) == crude.

    Bands that would exceed 1 are held at 1 and the rest rescaled, so the adult total is kept
    whenever it is attainable at all.
    """
    crude = np.asarray(crude_adult_prevalence, dtype=np.float64)[..., None]
    if (crude < 0).any() or (crude > 1).any():
        raise ValueError(f"{measure}: a prevalence is a fraction in [0, 1]")
    weights = np.asarray(adult_band_weights, dtype=np.float64)
    gradient = _gradient(measure)
    capped = np.zeros(np.broadcast_shapes(crude.shape, weights.shape), dtype=bool)
    for _ in range(len(GRADIENT_BANDS) + 1):
        free_mass = (weights * gradient * ~capped).sum(axis=-1, keepdims=True)
        remaining = crude - (weights * capped).sum(axis=-1, keepdims=True)
        scale = np.divide(remaining, free_mass, out=np.zeros_like(free_mass), where=free_mass > 0)
        prevalence = np.where(capped, 1.0, scale * gradient)
        over = prevalence > 1
        if not over.any():
            break
        capped |= over
    return prevalence


def gradient_band_index(age_years: np.ndarray) -> np.ndarray:
    """Index into GRADIENT_BANDS for each age (-1 for children)."""
    ages = np.floor(np.asarray(age_years, dtype=np.float64))
    lower_bounds = np.array([band.min_age_years for band in GRADIENT_BANDS])
    return np.searchsorted(lower_bounds, ages, side="right") - 1


def _pediatric(measure: str, ages: np.ndarray) -> np.ndarray:
    pediatric = PEDIATRIC_RATES[measure]
    return np.where(ages >= pediatric.min_age_years, pediatric.rate, 0.0)


def condition_probability(
    measure: str,
    age_years: np.ndarray,
    crude_adult_prevalence: float | np.ndarray,
    adult_band_weights: np.ndarray,
) -> np.ndarray:
    """Per-person probability of having ``measure``: age-graded adult rate, pediatric under 18.

    ``crude_adult_prevalence`` and ``adult_band_weights`` are one value/row for everyone or one
    per person (e.g. from a resolved geography, possibly overridden).
    """
    ages = np.floor(np.asarray(age_years, dtype=np.float64))
    by_band = age_specific_prevalence(crude_adult_prevalence, measure, adult_band_weights)
    band = np.clip(gradient_band_index(ages), 0, None)
    by_band = np.broadcast_to(by_band, (*ages.shape, len(GRADIENT_BANDS)))
    adult = np.take_along_axis(by_band, band[..., None], axis=-1)[..., 0]
    return np.where(ages >= ADULT_AGE_YEARS, adult, _pediatric(measure, ages))


def county_condition_probability(
    measure: str, age_years: np.ndarray, county_fips: np.ndarray
) -> np.ndarray:
    """``condition_probability`` with each person's own county's PLACES value and age mix."""
    table = load_counties()
    rows = table.rows(county_fips)
    ages = np.floor(np.asarray(age_years, dtype=np.float64))
    by_band = _county_band_prevalence(measure)[rows]  # computed once for all counties
    band = np.clip(gradient_band_index(ages), 0, None)
    adult = np.take_along_axis(by_band, band[..., None], axis=-1)[..., 0]
    return np.where(ages >= ADULT_AGE_YEARS, adult, _pediatric(measure, ages))


@cache
def _county_band_prevalence(measure: str) -> np.ndarray:
    table = load_counties()
    weights = gradient_band_weights(table.age_sex_shares)
    prevalence = age_specific_prevalence(table.measure_column(measure), measure, weights)
    prevalence.setflags(write=False)
    return prevalence
