"""The shipped county and ZIP tables: complete, consistent, small and fast to load."""

import subprocess
import sys
from pathlib import Path

import numpy as np

from sim.reference import MEASURES, load_counties, load_zips

DATA_DIR = Path(__file__).resolve().parents[2] / "sim" / "reference" / "data"


def test_all_places_counties_are_present_once():
    table = load_counties()
    assert len(table) == 3143
    assert len(set(table.county_fips.tolist())) == 3143
    assert all(len(fips) == 5 and fips.isdigit() for fips in table.county_fips.tolist())
    assert len(set(table.state_abbr.tolist())) == 51  # 50 states and DC


def test_shares_sum_to_one_and_prevalences_are_fractions():
    table = load_counties()
    np.testing.assert_allclose(table.age_sex_shares.sum(axis=(1, 2)), 1.0, atol=1e-12)
    np.testing.assert_allclose(table.race_shares.sum(axis=1), 1.0, atol=1e-12)
    assert ((table.adult_prevalence > 0) & (table.adult_prevalence < 1)).all()
    assert table.adult_prevalence.shape == (3143, len(MEASURES))
    assert ((table.uninsured_share >= 0) & (table.uninsured_share <= 1)).all()


def test_harris_county_matches_the_published_figures():
    table = load_counties()
    row = table.row_of["48201"]
    assert table.county_name[row] == "Harris County"
    assert table.population[row] == 4_738_253  # PLACES 2022 TotalPopulation
    assert table.measure_column("diabetes")[row] == 0.126  # PLACES DIABETES_CrudePrev 12.6
    assert table.measure_column("obesity")[row] == 0.379
    assert table.measure_column("hypertension")[row] == 0.307
    assert table.measure_column("asthma")[row] == 0.089
    assert table.uninsured_share[row] == 0.204  # SVI EP_UNINSUR 20.4
    assert table.svi_rank[row] == 0.9128
    hispanic = table.race_shares[row, 0]
    assert abs(hispanic - 2_016_625 / 4_680_609) < 1e-6  # SVI E_HISP / E_TOTPOP
    # Census 2019: AGE04_MALE 176,913 and AGE18PLUS_TOT 3,467,445 of 4,713,325.
    assert abs(table.age_sex_shares[row, 0, 0] - 176_913 / 4_713_325) < 1e-6
    assert abs(table.adult_share[row] - 3_467_445 / 4_713_325) < 1e-6


def test_known_gaps_use_the_documented_fallbacks():
    table = load_counties()
    source = dict(zip(table.county_fips.tolist(), table.agesex_source.tolist(), strict=True))
    assert source["15005"] == "state_shape"  # Kalawao: no census row
    assert source["02063"] == source["02066"] == "census_2019:02261"  # split Valdez-Cordova
    filled = {fips for fips, note in zip(table.county_fips, table.filled, strict=True) if note}
    assert len(filled) == 23
    row = table.row_of["34001"]  # New Jersey has no BPHIGH at all: national value
    assert "hypertension:national" in table.filled[row]
    assert "high_cholesterol:national" in table.filled[table.row_of["02063"]] or (
        "high_cholesterol:state" in table.filled[table.row_of["02063"]]
    )


def test_every_county_has_zip_codes_in_its_state():
    counties, zips = load_counties(), load_zips()
    assert set(zips.county_fips.tolist()) == set(counties.county_fips.tolist())
    state_of = dict(zip(counties.county_fips.tolist(), counties.state_abbr.tolist(), strict=True))
    assert all(
        state_of[fips] == state
        for fips, state in zip(zips.county_fips.tolist(), zips.state_abbr.tolist(), strict=True)
    )
    assert all(len(code) == 5 and code.isdigit() for code in zips.zip_code.tolist())


def test_shipped_data_is_small():
    total_bytes = sum(path.stat().st_size for path in DATA_DIR.glob("*.csv.gz"))
    assert total_bytes < 3 * 1024 * 1024


def test_loading_costs_under_half_a_second():
    # Fresh interpreters, so nothing is cached; imports are not counted. The best of three
    # runs, so that a busy machine does not fail the test.
    code = (
        "import time\n"
        "from sim.reference import load_counties, load_zips\n"
        "start = time.perf_counter()\n"
        "load_counties(); load_zips()\n"
        "print(time.perf_counter() - start)\n"
    )
    seconds = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout)
        for _ in range(3)
    ]
    assert min(seconds) < 0.5
