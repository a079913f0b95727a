"""The shipped diabetes-trial scenario: its journey is the protocol's, its subjects meet the
criteria, its trial records link to the other products and are written with the run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow.compute as pc
import pytest
import yaml

import sim
from handlers.trialsim import journey_document, load_protocol
from sim.expressions import compile_condition

SCENARIO = Path(__file__).parents[2] / "scenarios" / "scenarios" / "diabetes-trial.yaml"


@pytest.fixture(scope="module")
def result():
    return sim.run("diabetes-trial", count=3000, seed=2)


def test_the_scenario_runs_the_protocols_journey():
    data = yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))
    assert data["trial"] == "dm2-glp1-phase3"
    (entry,) = sim.load_scenario("diabetes-trial").journeys
    assert (
        entry.plan.spec.model_dump()
        == sim.load_journey(journey_document("dm2-glp1-phase3")).model_dump()
    )


def test_subjects_meet_inclusion_and_exclusion(result):
    persons = result.tables["persons"]
    subjects = result.tables["trial_subjects"]
    protocol = load_protocol("dm2-glp1-phase3")
    criteria = compile_condition(protocol.eligibility())
    columns = {name: persons[name].to_numpy(zero_copy_only=False) for name in criteria.names}
    eligible = criteria.evaluate_columns(columns, persons.num_rows)
    eligible_indices = set(np.flatnonzero(eligible).tolist())
    # every eligible person is screened within the horizon, nobody else is
    assert set(subjects["person_index"].to_pylist()) == eligible_indices
    assert 0.2 < len(eligible_indices) / persons.num_rows < 0.4
    by_index = persons.to_pylist()
    for row in subjects.to_pylist():
        person = by_index[row["person_index"]]
        assert person["has_E11"] and 7.0 <= person["a1c"] <= 10.5
        assert not (person["takes_semaglutide"] or person["takes_insulin_glargine"])
        assert not person["has_I50_9"] and person["egfr"] >= 30


def test_adverse_events_bring_subjects_to_a_clinic(result):
    events = result.tables["events"]
    encounters = events.filter(
        pc.and_(pc.equal(events["product"], "patientsim"), pc.is_valid(events["caused_by"]))
    )
    caused_by = set(encounters["caused_by"].to_pylist())
    adverse = result.tables["adverse_events"]["event_id"].to_pylist()
    assert adverse and set(adverse) <= caused_by


def test_the_run_writes_the_trial_tables(result, tmp_path):
    path = result.to_duckdb(tmp_path / "trial.duckdb")
    with duckdb.connect(str(path), read_only=True) as connection:
        for name in ("trial_subjects", "trial_visits", "adverse_events", "exposure", "sdtm_dm"):
            count = connection.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
            assert count == result.tables[name].num_rows > 0
