"""A scenario runs end to end: profile -> journeys -> tables, reproducibly, from Python and CLI."""

import subprocess
import sys

import duckdb
import pytest

from sim.errors import SpecError
from sim.scenario import load_scenario, run


@pytest.fixture(scope="module")
def result():
    return run("medicare-diabetic", 300, seed=4)


def test_events_belong_to_persons_and_stay_inside_the_horizon(result):
    persons = set(result.tables["persons"].column("person_id").to_pylist())
    events = result.tables["events"]
    assert events.num_rows > 300
    assert set(events.column("person_id").to_pylist()) <= persons
    days = events.column("time_days").to_numpy()
    assert days.min() >= 0 and days.max() < 365


def test_same_seed_same_tables_except_created_at(result):
    again = run("medicare-diabetic", 300, seed=4)
    for name in ("persons", "events"):
        assert result.tables[name].equals(again.tables[name])
    manifest = result.tables["run_manifest"].drop(["created_at"])
    assert manifest.equals(again.tables["run_manifest"].drop(["created_at"]))


def test_profile_ages_are_exact_on_the_scenario_start_date():
    scenario = load_scenario("medicare-diabetic")
    assert str(scenario.profile.spec.generation.reference_date) == "2025-01-01"


def test_unknown_attribute_in_applies_to_is_a_located_error():
    spec = {
        "id": "x",
        "profile": "medicare-diabetic",
        "start_date": "2025-01-01",
        "journeys": [{"journey": "diabetic-first-year", "applies_to": "has_E12"}],
    }
    with pytest.raises(SpecError, match=r"journeys\[0\]\.applies_to: unknown attribute 'has_E12'"):
        load_scenario(spec)


def test_cli_run_writes_duckdb(tmp_path):
    out = tmp_path / "run.duckdb"
    command = [
        sys.executable,
        "-m",
        "sim.cli",
        "run",
        "medicare-diabetic",
        "-n",
        "100",
        "--seed",
        "1",
        "--out",
        str(out),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    with duckdb.connect(str(out), read_only=True) as connection:
        tables = {r[0] for r in connection.execute("show tables").fetchall()}
        seed = connection.execute("select seed from run_manifest").fetchone()[0]
    assert {"persons", "events", "run_manifest"} <= tables and seed == 1
