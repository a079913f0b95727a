"""Experiments: reproducible, independent replications; an identical variant differs by 0;
the capacity experiment's wait matches M/M/c; bad specs are located errors."""

import math

import pytest

from sim.errors import SpecError
from sim.experiments import load_experiment, run_experiment
from sim.experiments.statistics import mean_interval, t_quantile_975


def clinic_experiment(**changes):
    journey = {
        "id": "clinic",
        "duration_days": 1200,
        "events": [
            {
                "id": "referral",
                "event_type": "referral",
                "product": "patientsim",
                "delay": {"type": "uniform", "min": 0, "max": 1000},
            },
            {
                "id": "visit",
                "event_type": "encounter",
                "product": "patientsim",
                "depends_on": "referral",
                "resource": "clinic",
            },
        ],
    }
    scenario = {
        "id": "clinic",
        "profile": "commercial-healthy",
        "start_date": "2025-01-01",
        "horizon_days": 1200,
        "triggers": [],
        "products": ["patientsim"],
        "journeys": [{"journey": journey}],
        "resources": {
            "clinic": {"capacity": 2, "service_days": {"type": "exponential", "mean": 1}}
        },
    }
    spec = {
        "id": "clinic",
        "scenario": scenario,
        "count": 1400,
        "replications": 12,
        "seed": 5,
        "variants": {
            "same": {"set": ["resources.clinic.capacity=2"]},
            "three": {"set": ["resources.clinic.capacity=3"]},
        },
        "metrics": {"wait": {"builtin": "resource_wait_days"}},
    }
    return {**spec, **changes}


@pytest.fixture(scope="module")
def clinic():
    return run_experiment(clinic_experiment(), workers=2)


def _row(result, variant, metric="wait"):
    (row,) = [
        r for r in result.summary.to_pylist() if r["variant"] == variant and r["metric"] == metric
    ]
    return row


def test_capacity_wait_matches_erlang_c_within_the_interval(clinic):
    # Poisson referrals at 1.4 a day, 2 servers, exponential service of mean 1 day
    a, c = 1.4, 2
    top = a**c / math.factorial(c) / (1 - a / c)
    expected = top / (sum(a**k / math.factorial(k) for k in range(c)) + top) / (c - a)
    base = _row(clinic, "base")
    assert base["ci_low"] - 0.02 <= expected <= base["ci_high"] + 0.02
    assert _row(clinic, "three")["mean"] < base["mean"] / 3


def test_an_identical_variant_differs_by_exactly_zero(clinic):
    same = _row(clinic, "same")
    assert (same["difference"], same["difference_low"], same["difference_high"]) == (0, 0, 0)
    assert same["mean"] == _row(clinic, "base")["mean"]


def test_replications_are_reproducible_and_independent(clinic):
    again = run_experiment(clinic_experiment(replications=3), workers=1)
    raw = clinic.raw.to_pylist()
    first_three = [r["value"] for r in raw if r["variant"] == "base"][:3]
    assert [r["value"] for r in again.raw.to_pylist() if r["variant"] == "base"] == first_three
    seeds = {r["seed"] for r in raw if r["variant"] == "base"}
    assert len(seeds) == 12  # one seed a replication ...
    values = [r["value"] for r in raw if r["variant"] == "base"]
    assert len(set(values)) == 12  # ... giving different results


def test_results_are_written(tmp_path, clinic):
    import duckdb

    folder = clinic.write(tmp_path / "out")
    assert (folder / "summary.png").stat().st_size > 10_000
    with duckdb.connect(str(folder / "results.duckdb"), read_only=True) as connection:
        rows = connection.execute("select count(*) from experiment_raw").fetchone()[0]
    assert rows == 3 * 12


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"variants": {"x": {"set": ["resources.clinik.capacity=3"]}}}, r"variants\.x\.set"),
        ({"metrics": {"m": {"builtin": "resource_wait"}}}, "did you mean"),
        ({"metrics": {"m": {"sql": "select 1", "builtin": "events_per_person"}}}, "one of"),
        ({"replications": 1}, "replications"),
        ({"variants": {"base": {"set": []}}}, "'base' is the unchanged scenario"),
    ],
)
def test_bad_experiments_are_located_errors(changes, message):
    spec = clinic_experiment(**{"count": 20, "replications": 2, **changes})
    with pytest.raises(SpecError, match=message):
        load_experiment(spec)


def test_t_intervals():
    assert t_quantile_975(19) == 2.093 and t_quantile_975(1000) == 1.96
    assert 2.042 > t_quantile_975(35) > 2.021
    mean, low, high = mean_interval([1.0, 2.0, 3.0])
    assert mean == 2 and high - mean == mean - low == pytest.approx(4.303 / math.sqrt(3))


@pytest.mark.parametrize("name", ["specialist-capacity", "refill-delay", "claim-lag"])
def test_shipped_experiments_load(name):
    loaded = load_experiment(name)
    assert loaded.spec.variants and loaded.spec.metrics


def test_claim_lag_completion_falls_as_submission_slows():
    loaded = load_experiment("claim-lag")
    spec = {
        **loaded.spec.model_dump(),
        "count": 150,
        "replications": 2,
        "scenario": loaded.scenario_data,
    }
    rows = run_experiment(spec, workers=1).summary.to_pylist()
    completion = {r["variant"]: r["mean"] for r in rows if r["metric"] == "completion_60_days"}
    assert completion["base"] > completion["plus_14_days"] > completion["plus_30_days"] >= 0
    lag = {r["variant"]: r["difference"] for r in rows if r["metric"] == "claim_lag_days"}
    assert lag["plus_14_days"] == pytest.approx(14, abs=0.5)
