"""Bugs this suite found in modules outside its remit, reported with a fix (see
docs/reliability.md, "Found and reported"). Each test states the intended behaviour. A bug
not fixed yet is a strict expected failure with the exception seen today: once it is fixed
the test passes, strict mode turns that into a failure, and the marker (and the entry of
REPORTED in test_fuzz_specs.py) is removed. Every bug reported so far is fixed."""

from __future__ import annotations

import os
from typing import Any

import pytest

import sim
from sim.errors import SpecError
from sim.output import sinks


def _household(event_type: str, product: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """One person whose journey has the event, with every product's records made."""
    journey = {
        "id": "j",
        "duration_days": 100,
        "events": [
            {"id": "a", "event_type": "admission", "product": "patientsim", "delay": 1,
             "parameters": {"admission_type": "emergency", "icd10": "I50.9"}},
            {"id": "e", "event_type": event_type, "product": product, "delay": 2,
             "depends_on": "a", "parameters": parameters},
        ],
    }  # fmt: skip
    member = {"key": "a", "first_name": "A", "relationship": "subscriber", "sex": "F",
              "age": 40, "conditions": ["E11.9"], "journeys": [journey]}  # fmt: skip
    household = {"key": "h", "last_name": "D", "county_fips": "48201", "members": [member]}
    return {"id": "s", "start_date": "2025-01-01", "households": [household],
            "products": ["patientsim", "membersim", "rxmembersim", "trialsim"]}  # fmt: skip


RX = {"rxnorm": "860975", "drug_name": "metformin", "quantity": 30, "days_supply": 30}
# (where the handler failed before the scenario loader checked parameters, event, product,
# the parameters, the bad one)
PARAMETER_BUGS = [
    ("rxmembersim/fills.py", "refill", "rxmembersim", {**RX, "quantity": "x"}, "quantity"),
    ("rxmembersim/fills.py", "refill", "rxmembersim", {**RX, "days_supply": 2**63 - 1},
     "days_supply"),
    ("membersim/enrollment.py", "new_enrollment", "membersim", {"enrollment_type": 7},
     "enrollment_type"),
    ("membersim/adjudication.py", "refill", "rxmembersim", {**RX, "quantity": 1e308},
     "quantity"),
    ("patientsim/records.py", "medication_order", "patientsim", {**RX, "days_supply": 2**63 - 1},
     "days_supply"),
    ("trialsim/records.py", "adverse_event", "trialsim", {"term": "Nausea", "grade": 1e308},
     "grade"),
    ("trialsim/records.py", "withdrawal", "trialsim", {"reason": 7}, "reason"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("event_type", "product", "parameters", "bad"),
    [
        pytest.param(event_type, product, parameters, bad, id=f"{where}-{event_type}")
        for where, event_type, product, parameters, bad in PARAMETER_BUGS
    ],
)
def test_a_bad_parameter_value_is_a_spec_error(event_type, product, parameters, bad):
    """The handlers raised ArrowInvalid, ArrowTypeError, ValueError or OverflowError while
    they made their records; the scenario loader now checks parameters against what the
    handlers read (handlers/parameters.py), so the run never starts."""
    with pytest.raises(SpecError, match="parameters") as caught:
        sim.run(_household(event_type, product, parameters), 1, seed=1)
    assert caught.value.path[-4:] == ("events", "e", "parameters", bad)


def test_an_interrupt_at_the_move_keeps_the_previous_output(tmp_path, monkeypatch):
    """open_sink once deleted the previous output before moving the new one in, so an
    interrupt (or a kill) between the two left neither; os.replace swaps a file in one step."""
    out = tmp_path / "x.duckdb"
    sim.run("oswald-family", 1, seed=1, out=out)

    def interrupted(source: Any, destination: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sinks.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sim.run("oswald-family", 1, seed=2, out=out, overwrite=True)
    assert out.exists()


def test_an_output_under_a_file_is_a_spec_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SpecError):
        sim.run("oswald-family", 1, seed=1, out=blocker / "x.duckdb")
    assert os.listdir(tmp_path) == ["file"]


def test_a_misspelt_optional_scenario_key_gets_a_hint():
    """from_validation_error gives the closest field as a hint when the loader passes the
    model validated (every loader does now)."""
    with pytest.raises(SpecError) as caught:
        sim.load_scenario("oswald-family", overrides=["horizon_dayz=90"])
    assert caught.value.hint == "did you mean 'horizon_days'?"


def test_a_spec_error_inside_the_simulation_keeps_its_field():
    """SimPy re-raises a process's exception as a copy made from its message, so a SpecError
    raised during the run (a condition that does not fit the values) lost path and hint; the
    runner re-raises the original (the copy's __cause__)."""
    event = {"id": "a", "event_type": "diagnosis", "product": "patientsim", "delay": 1,
             "conditions": "sex > 3"}  # fmt: skip
    scenario = {"id": "s", "profile": "medicare-diabetic", "start_date": "2025-01-01",
                "triggers": [], "journeys": [
                    {"journey": {"id": "j", "duration_days": 9, "events": [event]}}]}  # fmt: skip
    with pytest.raises(SpecError) as caught:
        sim.run(scenario, 2, seed=1)
    assert caught.value.path == ("events", "a", "conditions")
