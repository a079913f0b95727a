"""Shared resources: waiting for capacity, dependents after the grant, the M/M/c check."""

import datetime as dt
import json
import math

import numpy as np
import pyarrow as pa
import pytest

from sim.distributions import create_distribution
from sim.engine import simulate
from sim.engine.resources import SharedResource
from sim.errors import SpecError
from sim.journeys import parse_journey

START = dt.date(2025, 1, 1)


def persons(count):
    return pa.table(
        {
            "person_index": pa.array(np.arange(count), pa.int64()),
            "person_id": [f"P{i:07d}" for i in range(count)],
        }
    )


def clinic(arrival_window_days, duration_days):
    return parse_journey(
        {
            "id": "clinic",
            "duration_days": duration_days,
            "events": [
                {
                    "id": "referral",
                    "event_type": "referral",
                    "product": "patientsim",
                    "delay": {"type": "uniform", "min": 0, "max": arrival_window_days},
                },
                {
                    "id": "visit",
                    "event_type": "encounter",
                    "product": "patientsim",
                    "depends_on": "referral",
                    "resource": "endocrinology",
                },
                {
                    "id": "follow_up",
                    "event_type": "encounter",
                    "product": "patientsim",
                    "depends_on": "visit",
                    "delay": 30,
                },
            ],
        }
    )


def servers(capacity, mean_service_days):
    service = create_distribution({"type": "exponential", "mean": mean_service_days})
    return {"endocrinology": SharedResource(capacity, service)}


def erlang_c_wait(arrival_rate, service_rate, servers_count):
    """Mean time in queue of an M/M/c queue (Erlang C)."""
    a = arrival_rate / service_rate
    rho = a / servers_count
    top = a**servers_count / math.factorial(servers_count) / (1 - rho)
    bottom = sum(a**k / math.factorial(k) for k in range(servers_count)) + top
    return top / bottom / (servers_count * service_rate - arrival_rate)


def waits(seed, count=1400, window=1000.0, capacity=2, mean_service=1.0):
    events = simulate(
        persons(count),
        [clinic(window, window + 200)],
        start_date=START,
        horizon_days=window + 200,
        seeds=seed,
        resources=servers(capacity, mean_service),
    )
    visits = events.filter(pa.compute.equal(events["definition_id"], "visit"))
    return events, [json.loads(p)["wait_days"] for p in visits["parameters"].to_pylist()]


def test_mean_wait_matches_erlang_c_within_its_confidence_interval():
    # 1,400 referrals over 1,000 days: Poisson arrivals at 1.4 a day; 2 endocrinologists
    # each seeing a patient in an exponential day on average: rho = 0.7
    expected = erlang_c_wait(1.4, 1.0, 2)
    assert expected == pytest.approx(0.9608, abs=1e-3)
    means = [np.mean(waits(seed)[1]) for seed in range(20)]
    half_width = 2.09 * np.std(means, ddof=1) / math.sqrt(len(means))  # t(19), 95 %
    assert abs(np.mean(means) - expected) < half_width + 0.02


def test_waits_grow_as_demand_approaches_capacity():
    mean_wait = [np.mean(waits(3, count=count)[1]) for count in (600, 1200, 1700)]
    assert mean_wait[0] < mean_wait[1] < mean_wait[2]
    assert mean_wait[0] < 0.2 and mean_wait[2] > 1  # Erlang C: 0.08 and 2.6 days


def test_the_visit_fires_when_granted_and_dependents_follow_it():
    events, visit_waits = waits(1, count=300, window=200.0, capacity=1, mean_service=1.0)
    rows = events.to_pylist()
    by_person = {}
    for row in rows:
        by_person.setdefault(row["person_id"], {})[row["definition_id"]] = row
    delayed = 0
    for person in by_person.values():
        referral, visit = person["referral"], person["visit"]
        wait = json.loads(visit["parameters"])["wait_days"]
        assert visit["time_days"] == pytest.approx(referral["time_days"] + wait, abs=1e-6)
        assert json.loads(visit["parameters"])["resource"] == "endocrinology"
        if "follow_up" in person:
            assert person["follow_up"]["time_days"] == pytest.approx(visit["time_days"] + 30)
        delayed += wait > 0
    assert delayed > 30  # capacity 1 at rho 1.5 a day: queues form
    assert all(w >= 0 for w in visit_waits)


def test_an_unknown_resource_is_a_located_error():
    with pytest.raises(SpecError, match=r"events\.visit\.resource: .*'endocrinology'"):
        simulate(persons(3), [clinic(10, 100)], start_date=START, horizon_days=100, seeds=1)


def _scenario(**changes):
    journey = {
        "id": "j",
        "duration_days": 365,
        "events": [
            {"id": "ref", "event_type": "referral", "product": "patientsim", "delay": 5},
            {
                "id": "visit",
                "event_type": "encounter",
                "product": "patientsim",
                "depends_on": "ref",
                "resource": "endo",
            },
        ],
    }
    spec = {
        "id": "cap",
        "profile": "medicare-diabetic",
        "start_date": "2025-01-01",
        "triggers": [],
        "journeys": [{"journey": journey}],
        "resources": {
            "endo": {"capacity": 2, "service_days": {"type": "exponential", "mean": 0.5}}
        },
    }
    return {**spec, **changes}


def test_scenario_resources_compile_and_are_checked():
    from sim.scenario import load_scenario

    scenario = load_scenario(_scenario())
    assert scenario.resources["endo"].capacity == 2
    with pytest.raises(SpecError, match=r"resource 'endo'.*did you mean"):
        load_scenario(_scenario(resources={"end": {"capacity": 1, "service_days": 1}}))
    with pytest.raises(SpecError, match=r"resources\.endo\.capacity"):
        load_scenario(_scenario(resources={"endo": {"capacity": 0, "service_days": 1}}))


def test_the_docs_example_runs():
    import re
    from pathlib import Path

    import yaml

    from sim.scenario.spec import ResourceSpec

    text = (Path(__file__).parents[2] / "docs" / "journeys.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", text, flags=re.S) if "resources" in b]
    data = yaml.safe_load(block)
    spec = ResourceSpec.model_validate(data["resources"]["endocrinology"])
    resources = {
        "endocrinology": SharedResource(spec.capacity, create_distribution(spec.service_days))
    }
    journey = parse_journey({"id": "doc", "duration_days": 365, "events": data["events"]})
    events = simulate(
        persons(200), [journey], start_date=START, horizon_days=365, seeds=1, resources=resources
    )
    assert (
        "wait_days"
        in events.filter(pa.compute.equal(events["definition_id"], "endo_visit"))["parameters"][
            0
        ].as_py()
    )
