"""The build script's own logic, on small made-up rows (tests never read the raw data)."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_reference.py"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_reference", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_name_key_ignores_accents_case_spaces_and_punctuation(build):
    assert build.name_key("Doña Ana County") == build.name_key("dona ana county")
    assert build.name_key("De Witt County") == build.name_key("DeWitt County")
    assert build.name_key("St. Mary's County") == "stmaryscounty"


def test_blank_values_take_the_state_then_the_national_weighted_mean(build):
    rows = [
        {"county_fips": "01001", "state_fips": "01", "value": 0.10, "weight": 1.0},
        {"county_fips": "01003", "state_fips": "01", "value": 0.40, "weight": 3.0},
        {"county_fips": "01005", "state_fips": "01", "value": None, "weight": 5.0},
        {"county_fips": "02001", "state_fips": "02", "value": None, "weight": 2.0},
    ]
    filled = build.weighted_fill(rows, "value", lambda v: v is None, lambda row: row["weight"])
    assert filled == {"01005": "state", "02001": "national"}
    assert rows[2]["value"] == pytest.approx((0.10 * 1 + 0.40 * 3) / 4)
    assert rows[3]["value"] == pytest.approx((0.10 * 1 + 0.40 * 3) / 4)  # national: same 2 rows


def test_a_failed_check_stops_the_build(build):
    with pytest.raises(build.BuildError, match="counties"):
        build.check_counties([])


def test_values_are_written_compactly(build):
    assert build.format_value(0.126) == "0.126"
    assert build.format_value(0.0) == "0"
    assert build.format_value("48201") == "48201"
