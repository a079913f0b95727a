"""Resolving geography specs: counties, states, lists, names and the errors for unknown ones."""

import numpy as np
import pytest

from sim.errors import SpecError
from sim.reference import MEASURES, load_counties, resolve_geography, sample_zip_codes


def test_every_county_resolves_by_fips_and_by_name():
    table = load_counties()
    for row, fips in enumerate(table.county_fips.tolist()):
        assert resolve_geography({"county": fips}).county_fips == (fips,)
        name = f"{table.county_name[row]}, {table.state_abbr[row]}"
        assert resolve_geography({"county": name}).county_fips == (fips,)


@pytest.mark.parametrize(
    "spec",
    [
        {"county": "48201"},
        {"county": "Harris County, TX"},
        {"county": "Harris, TX"},
        {"county": "harris county, texas"},
        {"counties": ["48201"]},
        "48201",
    ],
)
def test_harris_county_spellings(spec):
    geography = resolve_geography(spec)
    assert geography.county_fips == ("48201",)
    assert geography.label == "Harris County, TX"
    assert geography.adult_prevalence["diabetes"] == pytest.approx(0.126)


def test_counties_and_cities_of_the_same_name_stay_apart():
    assert resolve_geography({"county": "Richmond, VA"}).county_fips == ("51159",)
    assert resolve_geography({"county": "Richmond city, VA"}).county_fips == ("51760",)
    assert resolve_geography({"county": "Dona Ana County, NM"}).county_fips == ("35013",)


@pytest.mark.parametrize("state", ["TX", "tx", "Texas", "48"])
def test_a_state_is_all_its_counties(state):
    geography = resolve_geography({"state": state})
    assert geography.label == "Texas"
    assert len(geography.county_fips) == 254


def test_state_aggregates_are_population_weighted():
    table = load_counties()
    geography = resolve_geography({"state": "TX"})
    rows = table.state_rows("TX")
    population = table.population[rows].astype(float)
    adults = population * table.adult_share[rows]
    assert geography.population == int(population.sum())
    expected_age_sex = np.tensordot(population, table.age_sex_shares[rows], axes=1)
    np.testing.assert_allclose(geography.age_sex_shares, expected_age_sex / population.sum())
    expected_uninsured = (population * table.uninsured_share[rows]).sum() / population.sum()
    assert geography.uninsured_share == pytest.approx(expected_uninsured)
    hispanic = (population * table.race_shares[rows, 0]).sum() / population.sum()
    assert geography.race_shares["hispanic"] == pytest.approx(hispanic)
    for column, measure in enumerate(MEASURES):
        expected = (adults * table.adult_prevalence[rows, column]).sum() / adults.sum()
        assert geography.adult_prevalence[measure] == pytest.approx(expected)
    # Weighting matters: the plain mean over counties differs.
    unweighted = table.measure_column("diabetes")[rows].mean()
    assert abs(geography.adult_prevalence["diabetes"] - unweighted) > 0.005


def test_a_list_of_counties_aggregates_them():
    geography = resolve_geography({"counties": ["48201", "Dallas County, TX"]})
    assert geography.county_fips == ("48201", "48113")
    assert geography.population == 4_738_253 + 2_635_888
    assert 0.125 <= geography.adult_prevalence["diabetes"] <= 0.126


def test_texas_persons_are_placed_in_proportion_to_population():
    geography = resolve_geography({"state": "TX"})
    count = 200_000
    fips = geography.sample_county_fips(np.random.default_rng(7), count)
    counts = dict(zip(*np.unique(fips, return_counts=True), strict=True))
    assert max(counts, key=counts.get) == "48201"
    for county, weight in zip(geography.county_fips, geography.county_weights, strict=True):
        sd = np.sqrt(count * weight * (1 - weight))
        assert abs(counts.get(county, 0) - count * weight) <= 4.5 * sd + 1, county


def test_county_sampling_is_reproducible():
    geography = resolve_geography("TX")
    first = geography.sample_county_fips(np.random.default_rng(0), 1000)
    again = geography.sample_county_fips(np.random.default_rng(0), 1000)
    assert (first == again).all()


def test_zip_codes_belong_to_the_persons_county():
    table = load_counties()
    fips = resolve_geography("TX").sample_county_fips(np.random.default_rng(1), 5000)
    sample = sample_zip_codes(fips, np.random.default_rng(2))
    assert (sample.state_abbr == "TX").all()
    harris = sample.zip_code[fips == "48201"]
    assert harris.size > 0 and all(code.startswith("77") for code in harris.tolist())
    assert "Houston" in set(sample.city[fips == "48201"].tolist())
    assert len(sample.zip_code) == len(fips) and table is load_counties()


def test_unknown_zip_county_is_an_error():
    with pytest.raises(KeyError, match="99999"):
        sample_zip_codes(np.array(["99999"]), np.random.default_rng(0))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"county": "Haris County, TX"}, "did you mean 'Harris County, TX'"),
        ({"county": "Harris County"}, "needs its state"),
        ({"county": "Harris County, Texs"}, "did you mean 'Texas'"),
        ({"state": "Texs"}, "geography.state: unknown state 'Texs'"),
        ({"county": "99999"}, "unknown county FIPS '99999'"),
        ({"county": 513}, "quote FIPS codes"),
        ({"countty": "48201"}, "did you mean 'county'"),
        ({"county": "48201", "state": "TX"}, "exactly one of"),
        ({"counties": []}, "non-empty list"),
        ({"counties": ["48201", "Harris, TX"]}, "listed twice"),
    ],
)
def test_bad_geographies_are_located_errors(spec, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(")):
        resolve_geography(spec)


def test_error_path_points_at_the_list_item():
    with pytest.raises(SpecError) as error:
        resolve_geography({"counties": ["48201", "Dalas, TX"]})
    assert error.value.path == ("geography", "counties", 1)
    assert "Dallas County, TX" in str(error.value)
