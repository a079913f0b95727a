"""The shipped scenarios' clinical records: every link holds, and lab values follow the
person's condition and severity as the journey specifies."""

import math

import pyarrow.compute as pc
import pytest

from handlers.patientsim import check
from sim.scenario import RunResult, run

DIABETICS = 2000
SEED = 2024


@pytest.fixture(scope="module")
def oswald() -> RunResult:
    return run("oswald-family")


@pytest.fixture(scope="module")
def diabetic() -> RunResult:
    return run("medicare-diabetic", DIABETICS, seed=SEED)


def truncated_normal(mean: float, sd: float, low: float, high: float) -> tuple[float, float]:
    """Mean and standard deviation of normal(mean, sd) truncated to [low, high]."""

    def pdf(x: float) -> float:
        return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)

    def cdf(x: float) -> float:
        return (1 + math.erf(x / math.sqrt(2))) / 2

    a, b = (low - mean) / sd, (high - mean) / sd
    mass = cdf(b) - cdf(a)
    shift = (pdf(a) - pdf(b)) / mass
    variance = sd**2 * (1 + (a * pdf(a) - b * pdf(b)) / mass - shift**2)
    return mean + sd * shift, math.sqrt(variance)


def test_every_oswald_record_joins_its_event_and_person(oswald):
    assert check(oswald.tables) == []
    assert oswald.tables["patients"].num_rows == 3
    for name in ("encounters", "conditions", "observations", "medication_orders"):
        assert oswald.tables[name].num_rows > 0, name


def test_mark_s_follow_up_results_belong_to_his_follow_up_visits(oswald):
    observations = oswald.tables["observations"]
    marks = observations.filter(pc.equal(observations["patient_id"], "PT000000000")).to_pylist()
    assert [row["loinc"] for row in marks] == ["4548-4"] * 4
    encounters = {e["encounter_id"]: e for e in oswald.tables["encounters"].to_pylist()}
    baseline, *follow_ups = marks
    assert baseline["encounter_id"] is None  # drawn 0-7 days after the diagnosis visit
    for result in follow_ups:
        visit = encounters[result["encounter_id"]]
        assert (visit["cpt"], visit["reason_icd10"]) == ("99214", "E11.9")
        assert visit["start_datetime"] == result["effective_datetime"]
    # Mark's severity is 'uncontrolled': every result is above the reference range
    assert {row["abnormal_flag"] for row in marks} == {"H"}


def test_every_medicare_diabetic_record_joins_its_event_and_person(diabetic):
    assert check(diabetic.tables) == []
    conditions = diabetic.tables["conditions"]
    diabetes = conditions.filter(pc.equal(conditions["icd10"], "E11.9"))
    # every person has E11 at the start, which the journey's day-0 diagnosis confirms
    assert diabetes.num_rows == DIABETICS
    assert pc.all(pc.equal(diabetes["source"], "history")).as_py()
    assert diabetes["event_id"].null_count == 0


def test_uncontrolled_diabetics_have_a_higher_a1c_by_the_journey_s_amount(diabetic):
    """The journey draws HbA1c from normal(9.6, 1.4) for uncontrolled and normal(6.9, 0.6) for
    controlled diabetics, truncated to [5, 15]: truncated means 9.602 and 6.902, a difference of
    2.700. The observed means must match within four standard errors of their n."""
    observations = diabetic.tables["observations"]
    a1c = observations.filter(pc.equal(observations["loinc"], "4548-4"))
    severity = diabetic.tables["persons"].select(["person_id", "severity"])
    a1c = a1c.join(severity, "person_id")
    stats = {}
    for group in ("uncontrolled", "controlled"):
        values = a1c.filter(pc.equal(a1c["severity"], group))["value"].to_numpy()
        stats[group] = (values.mean(), values.std(ddof=1), len(values))
    expected = {
        "uncontrolled": truncated_normal(9.6, 1.4, 5, 15),
        "controlled": truncated_normal(6.9, 0.6, 5, 15),
    }
    # about 15 % uncontrolled and 40 % controlled, four results each
    assert stats["uncontrolled"][2] > 0.1 * DIABETICS * 4
    assert stats["controlled"][2] > 0.3 * DIABETICS * 4
    for group, (mean, sd, n) in stats.items():
        expected_mean, expected_sd = expected[group]
        assert abs(mean - expected_mean) < 4 * expected_sd / math.sqrt(n), group
        # the standard error of a standard deviation is about sd / sqrt(2 n): 2 % here
        assert abs(sd - expected_sd) < 4 * expected_sd / math.sqrt(2 * n), group
    difference = stats["uncontrolled"][0] - stats["controlled"][0]
    expected_difference = expected["uncontrolled"][0] - expected["controlled"][0]
    assert abs(expected_difference - 2.700) < 0.001
    standard_error = math.sqrt(sum(sd**2 / n for _, sd, n in stats.values()))
    assert abs(difference - expected_difference) < 4 * standard_error
