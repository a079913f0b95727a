"""Age-specific prevalence: the adult total is PLACES', children get pediatric rates."""

import numpy as np
import pytest

from sim.reference import (
    GRADIENT_BANDS,
    MEASURES,
    PEDIATRIC_RATES,
    age_specific_prevalence,
    condition_probability,
    county_condition_probability,
    gradient_band_weights,
    load_counties,
    resolve_geography,
)


@pytest.mark.parametrize("measure", MEASURES)
def test_scaling_keeps_every_countys_adult_total(measure):
    table = load_counties()
    weights = gradient_band_weights(table.age_sex_shares)
    crude = table.measure_column(measure)
    by_band = age_specific_prevalence(crude, measure, weights)
    np.testing.assert_allclose((weights * by_band).sum(axis=1), crude, rtol=1e-12)
    assert (by_band <= 1).all()


def test_bands_that_would_pass_one_are_capped_and_the_total_kept():
    weights = np.array([0.05, 0.05, 0.1, 0.3, 0.5])  # a very old population
    by_band = age_specific_prevalence(0.9, "arthritis", weights)
    assert by_band.max() == 1.0
    assert (weights * by_band).sum() == pytest.approx(0.9)


def test_adult_weights_split_the_15_19_band():
    shares = np.zeros((2, 18))
    shares[0, 3] = 1.0  # everyone male 15-19: only 18-19 (2 of 5 years) are adults
    weights = gradient_band_weights(shares)
    assert weights.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    assert GRADIENT_BANDS[0].label == "18_24"


def test_older_adults_get_more_diabetes_than_younger_ones():
    harris = resolve_geography("48201")
    ages = np.array([30, 50, 70, 80])
    probability = condition_probability(
        "diabetes", ages, harris.adult_prevalence["diabetes"], harris.adult_band_weights
    )
    assert probability[0] < probability[1] < probability[2]


def test_children_get_pediatric_rates():
    ages = np.array([0, 1, 5, 10, 17])
    weights = np.full(5, 0.2)
    asthma = condition_probability("asthma", ages, 0.09, weights)
    assert (asthma == PEDIATRIC_RATES["asthma"].rate).all()
    obesity = condition_probability("obesity", ages, 0.35, weights)
    assert obesity[0] == obesity[1] == 0.0 and obesity[2] == PEDIATRIC_RATES["obesity"].rate
    assert (condition_probability("hypertension", ages, 0.3, weights) == 0).all()


def test_harris_adults_average_to_the_places_value():
    # The expected share among adults drawn from Harris's own age mix is PLACES' figure.
    harris = resolve_geography("48201")
    weights = harris.adult_band_weights
    ages = np.array([band.min_age_years for band in GRADIENT_BANDS])
    for measure in ("diabetes", "obesity", "hypertension"):
        crude = harris.adult_prevalence[measure]
        by_age = condition_probability(measure, ages, crude, weights)
        assert (weights * by_age).sum() == pytest.approx(crude)


def test_county_helper_uses_each_persons_county():
    harris = resolve_geography("48201")
    ages = np.array([10, 20, 40, 60, 70, 90])
    expected = condition_probability(
        "copd", ages, harris.adult_prevalence["copd"], harris.adult_band_weights
    )
    got = county_condition_probability("copd", ages, np.full(6, "48201"))
    np.testing.assert_allclose(got, expected)
