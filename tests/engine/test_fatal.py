"""A fatal event ends the person: no later event of theirs, in any journey or caused by a
trigger; everyone else's events, and the dead person's before it, are unchanged."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pytest

from handlers.trialsim.journey import protocol_journey
from sim.engine import simulate
from sim.journeys import parse_journey
from sim.triggers import compile_triggers, parse_triggers

START = dt.date(2025, 1, 1)
COUNT = 1000
DEATH_PROBABILITY = 0.3

VISITS = parse_journey(
    {
        "id": "visits",
        "duration_days": 365,
        "events": [
            {"id": "visit", "event_type": "encounter", "product": "patientsim",
             "delay": {"type": "uniform", "min": 0, "max": 20},
             "repeat": {"every": 30, "count": 12},
             "parameters": {"cpt": "99214"}},
        ],
    }
)  # fmt: skip
RISK = parse_journey(
    {
        "id": "risk",
        "duration_days": 365,
        "events": [
            {"id": "death", "event_type": "death", "product": "patientsim", "fatal": True,
             "probability": DEATH_PROBABILITY, "delay": {"type": "uniform", "min": 0, "max": 300}},
        ],
    }
)  # fmt: skip
CLAIMS = compile_triggers(
    parse_triggers(
        [{"id": "claim", "source": {"product": "patientsim", "event_type": "encounter"},
          "target": {"product": "membersim", "event_type": "claim_professional"},
          "delay": {"type": "uniform", "min": 1, "max": 20}}]
    )
)  # fmt: skip


def persons(count: int) -> pa.Table:
    index = np.arange(count)
    return pa.table({"person_index": index, "person_id": [f"P{i:05d}" for i in index]})


def run(journeys, engine: str = "auto") -> pa.Table:
    return simulate(
        persons(COUNT), journeys, start_date=START, horizon_days=365, seeds=9,
        triggers=CLAIMS, engine=engine,
    )  # fmt: skip


def rows(events: pa.Table) -> dict[int, list[tuple]]:
    """person -> (time, definition, parameters) of every event but the death, in order."""
    out: dict[int, list[tuple]] = {}
    columns = events.select(["person_index", "time_days", "definition_id", "parameters"])
    for person, time, definition, parameters in zip(*columns.to_pydict().values(), strict=True):
        if definition != "death":
            out.setdefault(person, []).append((time, definition, parameters))
    return out


@pytest.fixture(scope="module")
def events() -> pa.Table:
    return run([VISITS, RISK])


def test_nothing_after_a_death_and_the_rest_unchanged(events):
    deaths = events.filter(pa.compute.equal(events["event_type"], "death")).to_pylist()
    died = {row["person_index"]: row["time_days"] for row in deaths}
    # each person dies at most once, with the drawn probability (3 standard errors)
    assert len(died) == len(deaths)
    error = math.sqrt(DEATH_PROBABILITY * (1 - DEATH_PROBABILITY) / COUNT)
    assert abs(len(died) / COUNT - DEATH_PROBABILITY) < 3 * error
    alive = rows(run([VISITS]))
    dead = rows(events)
    later = 0
    for person, expected in alive.items():
        if person in died:
            kept = [row for row in expected if row[0] <= died[person]]
            later += len(expected) - len(kept)
            expected = kept
        assert dead.get(person, []) == expected, person
    # the deaths did take events away: visits and the claims they would have caused
    assert later > len(died)


def test_the_dynamic_engine_ends_the_same_lives(events):
    assert events.equals(run([VISITS, RISK], engine="dynamic"))


def test_a_trial_death_is_fatal():
    journey = protocol_journey("dm2-glp1-phase3")
    fatal = {event.id for event in journey.events if event.fatal}
    grade_5 = {
        event.id
        for event in journey.events
        if event.event_type == "adverse_event" and event.parameters["grade"] == 5
    }
    assert fatal and fatal == grade_5


def test_a_person_who_dies_waiting_frees_the_capacity():
    """B holds the only unit from day 0 to 10; A asks at 0.5 and dies at 1; C asks at 2.
    C gets the unit at 10, when B frees it: A's request, granted after A's death, takes no
    service time (A alive would hold it until 20)."""
    from sim.distributions import create_distribution
    from sim.engine import JourneyAssignment
    from sim.engine.resources import SharedResource

    clinic = {
        "id": "clinic",
        "duration_days": 365,
        "events": [
            {"id": "visit", "event_type": "encounter", "product": "patientsim",
             "resource": "clinic"},
            {"id": "after", "event_type": "encounter", "product": "patientsim",
             "depends_on": "visit", "delay": 1},
        ],
    }  # fmt: skip
    dying = {
        "id": "dying",
        "duration_days": 365,
        "events": [
            {"id": "death", "event_type": "death", "product": "patientsim", "fatal": True,
             "delay": 1},
        ],
    }  # fmt: skip
    people = pa.table(
        {"person_index": [0, 1, 2], "person_id": ["B", "A", "C"],
         "start": [0.0, 0.5, 2.0], "frail": [False, True, False]}
    )  # fmt: skip
    service = create_distribution({"type": "fixed", "value": 10})
    events = simulate(
        people,
        [JourneyAssignment.of(clinic, start_day="start"),
         JourneyAssignment.of(dying, applies_to="frail")],
        start_date=START, horizon_days=365, seeds=1,
        resources={"clinic": SharedResource(1, service)},
    )  # fmt: skip
    rows = [(r["person_id"], r["definition_id"], r["time_days"]) for r in events.to_pylist()]
    assert rows == [
        ("B", "visit", 0.0), ("B", "after", 1.0),
        ("A", "death", 1.0),
        ("C", "visit", 10.0), ("C", "after", 11.0),
    ]  # fmt: skip
