"""Reference and hybrid profiles: real county data, population-weighted states, overrides."""

import math

import numpy as np
import pytest
import yaml

from sim.errors import SpecError
from sim.profiles import compile_profile, generate_population, load_profile
from sim.profiles.reference_merge import REFERENCE_CONDITIONS, merge_reference
from sim.reference import AGE_BANDS, resolve_geography

Z99 = 2.5758  # two-sided 99%


@pytest.fixture(scope="module")
def harris():
    return generate_population("harris-county-adults", 20_000, seed=2026)


def _flag(table, code):
    return table.column("has_" + code.replace(".", "_")).to_numpy(zero_copy_only=False)


@pytest.mark.parametrize("measure", ["diabetes", "obesity", "hypertension"])
def test_harris_adult_prevalence_within_the_binomial_99_interval_of_places(harris, measure):
    places = resolve_geography({"county": "48201"}).adult_prevalence[measure]
    actual = _flag(harris.table, REFERENCE_CONDITIONS[measure][0]).mean()
    n = harris.table.num_rows
    assert abs(actual - places) <= Z99 * math.sqrt(places * (1 - places) / n)


def test_harris_everyone_is_an_adult_of_harris(harris):
    ages = harris.table.column("age").to_numpy()
    assert ages.min() >= 18
    assert set(harris.table.column("county_fips").to_pylist()) == {"48201"}
    assert set(harris.table.column("state").to_pylist()) == {"TX"}


def test_harris_age_by_sex_matches_the_census_bands(harris):
    shares = resolve_geography({"county": "48201"}).age_sex_shares
    ages = harris.table.column("age").to_numpy()
    sex = np.asarray(harris.table.column("sex").to_pylist())
    adult_bands = [(j, b) for j, b in enumerate(AGE_BANDS) if b.min_age_years >= 20]
    for row, code in ((0, "M"), (1, "F")):
        mine = ages[sex == code]
        adult_total = sum(shares[row, j] for j, _ in adult_bands) + shares[row, 3] * 2 / 5
        for j, band in adult_bands:
            top = band.max_age_years if band.max_age_years is not None else 200
            expected = shares[row, j] / adult_total
            actual = np.mean((mine >= band.min_age_years) & (mine <= top))
            assert abs(actual - expected) <= 4 * math.sqrt(expected * (1 - expected) / mine.size)


def test_harris_validation_report_passes_and_lists_the_bands(harris):
    report = harris.validation_report()
    names = [m.name for m in report]
    assert report.passed, [(m.name, m.target, m.actual) for m in report.failures()]
    assert any(name.startswith("age 65-69 where sex == 'M'") for name in names)
    assert "E11.9 prevalence" in names and "race_ethnicity = hispanic" in names


def test_a_texas_run_places_people_in_proportion_to_population():
    spec = {"geography": {"state": "TX"}}
    table = generate_population(spec, 20_000, seed=5, names=False).table
    fips = np.asarray(table.column("county_fips").to_pylist())
    texas = resolve_geography({"state": "TX"})
    weights = dict(zip(texas.county_fips, texas.county_weights, strict=True))
    counties, counts = np.unique(fips, return_counts=True)
    assert counties[np.argmax(counts)] == "48201"  # Harris, the most populous
    for county in ("48201", "48113", "48439"):  # Harris, Dallas, Tarrant
        p = weights[county]
        assert abs(np.mean(fips == county) - p) <= 4 * math.sqrt(p * (1 - p) / fips.size)
    assert set(table.column("state").to_pylist()) == {"TX"}


def test_overrides_win_over_the_reference():
    spec = {
        "geography": {"county": "Harris County, TX"},
        "demographics": {"min_age": 65},
        "clinical": {"primary_condition": {"code": "E11", "prevalence": 1.0}},
    }
    table = generate_population(spec, 3000, seed=3).table
    assert table.column("age").to_numpy().min() >= 65
    assert _flag(table, "E11").all()
    assert "has_E11_9" not in table.column_names  # diabetes overridden, not doubled


def test_nothing_in_the_reference_is_silently_dropped():
    merged = merge_reference(load_profile({"geography": {"county": "48201"}}))
    codes = {c.code for c in merged.clinical.conditions()}
    assert codes == {code for code, _ in REFERENCE_CONDITIONS.values()}
    assert merged.demographics.race_ethnicity is not None
    assert merged.geography.use_reference is False


def test_the_merged_profile_is_an_ordinary_profile_that_round_trips():
    merged = merge_reference(load_profile("harris-county-adults"))
    # category order is part of a spec (it maps draws to values): keep it
    data = merged.model_dump(mode="json", by_alias=True, exclude_none=True)
    text = yaml.safe_dump(data, sort_keys=False)
    again = load_profile(yaml.safe_load(text))
    first = generate_population(merged, 500, seed=1).table
    assert first.equals(generate_population(again, 500, seed=1).table)
    assert first.equals(generate_population("harris-county-adults", 500, seed=1).table)


def test_unknown_county_suggests_close_matches():
    with pytest.raises(SpecError, match="Harris County, TX"):
        compile_profile(load_profile({"geography": {"county": "Haris County, TX"}}))


def test_min_age_with_an_own_age_distribution_is_refused():
    spec = {
        "geography": {"county": "48201"},
        "demographics": {"min_age": 65, "age": {"type": "uniform", "min": 65, "max": 90}},
    }
    with pytest.raises(SpecError, match="min_age"):
        compile_profile(load_profile(spec))


def test_profiles_without_a_place_live_across_the_nation():
    table = generate_population("medicare-diabetic", 5000, seed=1).table
    states = np.asarray(table.column("state").to_pylist())
    assert len(set(states)) > 40
    # California is about 12% of the US population
    assert abs(np.mean(states == "CA") - 0.12) < 0.02
