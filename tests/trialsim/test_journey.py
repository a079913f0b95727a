"""A protocol compiled into a journey: its choices, conditions and edge cases."""

from __future__ import annotations

import math
from collections import defaultdict

import pyarrow.compute as pc
import pytest

from handlers.trialsim import (
    journey_document,
    load_ae_terms,
    load_protocol,
    protocol_journey,
    write_protocol_journey,
)
from sim.errors import SpecError
from sim.journeys import compile_plan, load_journey


def _groups(journey) -> dict[str, dict[str, float]]:
    groups: dict[str, dict[str, float]] = defaultdict(dict)
    for event in journey.events:
        if event.choice is not None:
            groups[event.choice.group][event.id] = event.choice.weight
    return groups


def test_the_shipped_protocol_becomes_a_checked_journey():
    journey = protocol_journey("dm2-glp1-phase3")
    plan = compile_plan(journey)
    assert journey.id == "dm2-glp1-phase3" and journey.products == ("trialsim",)
    # 90 days of enrolment + 28 of screening + Day 218 + 7 days of window
    assert journey.duration_days == 90 + 28 + 218 + 7
    groups = _groups(journey)
    assert groups["screening"] == {"screening_passed": 0.7, "screen_failed": 0.3}
    assert groups["randomization"] == pytest.approx(
        {"randomized_PBO": 1 / 3, "randomized_HSG1MG": 2 / 3}
    )
    nausea = groups["ae_hsg1mg_nausea"]
    assert nausea == pytest.approx(
        {
            "ae_hsg1mg_nausea_g1": 0.2 * 0.6,
            "ae_hsg1mg_nausea_g2": 0.2 * 0.35,
            "ae_hsg1mg_nausea_g3": 0.2 * 0.05,
            "ae_hsg1mg_nausea_none": 0.8,
        }
    )
    for weights in groups.values():
        assert math.fsum(weights.values()) == pytest.approx(1, abs=1e-6)
    assert plan.uses_outcomes  # visits and adverse events read what has happened


def test_conditions_stop_everything_after_withdrawal_or_death():
    journey = protocol_journey("dm2-glp1-phase3")
    fatal = [e.id for e in journey.events if e.id.endswith("_g5")]
    assert sorted(fatal) == sorted(
        f"ae_{arm}_{term}_g5"
        for arm in ("pbo", "hsg1mg")
        for term in ("pancreatitis", "myocardial_infarction")
    )
    for event in journey.events:
        if event.event_type in ("scheduled_visit", "adverse_event"):
            assert "not events.withdrawal.happened" in event.conditions
            assert all(f"not events.{i}.happened" in event.conditions for i in fatal)
        if event.event_type == "adverse_event":
            assert "not events.end_of_study.happened" in event.conditions
    none = journey.event("ae_pbo_nausea_none")
    assert none.conditions == "False" and none.event_type == "no_adverse_event"


def test_the_journey_is_written_and_read_back(tmp_path):
    path = write_protocol_journey("dm2-glp1-phase3", tmp_path / "trial.yaml")
    assert load_journey(path) == protocol_journey("dm2-glp1-phase3")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("  - {id: ") for line in lines) == len(
        journey_document("dm2-glp1-phase3")["events"]
    )


def test_no_screen_failures_one_arm_and_a_certain_event(fixtures, trial, make_persons):
    data = load_protocol(fixtures / "minimal.yaml").model_dump(mode="json")
    data["screening"]["failure_rate"] = 0
    data["arms"] = data["arms"][1:]
    data["adverse_events"][0] = {"term": "Headache", "rates": {"DRUG": 1.0}, "grades": {2: 1.0}}
    journey = protocol_journey(data)
    assert not _groups(journey)  # no choice is left to draw
    assert {e.id for e in journey.events} >= {"screening_passed", "randomized_DRUG"}
    run = trial(data, make_persons(50), seed=1)
    subjects = run["trial_subjects"]
    assert set(subjects["status"].to_pylist()) == {"completed"}
    assert set(subjects["arm_code"].to_pylist()) == {"DRUG"}
    events = run["adverse_events"]
    assert events.num_rows == 50 and set(events["grade"].to_pylist()) == {2}


def test_never_firing_branches_are_not_recorded(glp1):
    types = set(glp1["events"]["event_type"].to_pylist())
    assert "no_adverse_event" not in types
    assert types == {
        "screening",
        "screening_passed",
        "screen_failed",
        "randomization",
        "scheduled_visit",
        "end_of_study",
        "withdrawal",
        "adverse_event",
    }
    assert pc.all(pc.equal(glp1["events"]["product"], "trialsim")).as_py()


def test_too_many_fatal_terms_are_refused(fixtures):
    data = load_protocol(fixtures / "minimal.yaml").model_dump(mode="json")
    data["adverse_events"] = [
        {"term": term.term, "rates": {"PBO": 0.01, "DRUG": 0.01}, "grades": {5: 1.0}}
        for term in load_ae_terms().terms[:30]
    ]
    with pytest.raises(SpecError, match=r"adverse_events: too many adverse events with a grade 5"):
        journey_document(data)
