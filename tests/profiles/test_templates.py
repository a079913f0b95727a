"""Every shipped profile runs and meets its own targets; medicare-diabetic in detail."""

import math

import numpy as np
import pytest

from sim.profiles import generate_population
from sim.specio import shipped_names

SHIPPED = [
    "medicare-diabetic",
    "commercial-healthy",
    "medicaid-pediatric",
    "chf-medicare",
    "commercial-family",
    "oncology-breast-cancer",
]


def test_the_six_templates_ship():
    assert set(SHIPPED) <= set(shipped_names("profiles"))


@pytest.mark.parametrize("name", shipped_names("profiles"))
def test_every_shipped_profile_meets_its_targets(name):
    report = generate_population(name, 3000, seed=7).validation_report()
    assert report.metrics
    assert report.passed, [(m.name, m.target, m.actual) for m in report.failures()]


@pytest.fixture(scope="module")
def diabetic():
    return generate_population("medicare-diabetic", 5000, seed=42)


def _share(table, column):
    return float(np.mean(table.column(column).to_numpy(zero_copy_only=False)))


def test_medicare_diabetic_everyone_has_e11(diabetic):
    assert diabetic.table.column("has_E11").to_numpy(zero_copy_only=False).all()
    assert all("E11" in codes for codes in diabetic.table.column("conditions").to_pylist())


def test_medicare_diabetic_comorbidities_within_two_points(diabetic):
    assert abs(_share(diabetic.table, "has_I10") - 0.78) <= 0.02
    assert abs(_share(diabetic.table, "has_E78_5") - 0.72) <= 0.02


def test_medicare_diabetic_advantage_share_within_two_points(diabetic):
    plans = np.asarray(diabetic.table.column("plan").to_pylist())
    assert abs(np.mean(plans == "Medicare Advantage") - 0.55) <= 0.02
    assert set(diabetic.table.column("coverage_type").to_pylist()) == {"Medicare"}


def test_medicare_diabetic_ages_are_the_truncated_normal(diabetic):
    ages = diabetic.table.column("age").to_numpy()
    assert ages.min() >= 65 and ages.max() <= 95
    # truncated N(72, 8) on [65, 95] has mean 74.63 and sd about 5.9: 4 standard errors
    assert abs(ages.mean() - 74.63) <= 4 * 5.9 / math.sqrt(ages.size)
    # no pile-up at the lower bound: age 65 holds about half a year of density (~3.3%)
    assert np.mean(ages == 65) < 0.045


def test_medicare_diabetic_report_lists_every_target(diabetic):
    report = diabetic.validation_report()
    names = {m.name for m in report}
    for expected in (
        "sex = M",
        "age (mean)",
        "E11 prevalence",
        "I10 prevalence",
        "E78.5 prevalence",
        "plan = Medicare Advantage",
        "metformin use",
    ):
        assert expected in names
    assert report.passed
    assert report.to_arrow().num_rows == len(report.metrics)
