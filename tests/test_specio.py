"""Spec files: errors about a field name the line of that field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim
from sim.errors import SpecError
from sim.specio import line_of

JOURNEY = """\
id: x
duration_days: 100
events:
  - id: a
    event_type: diagnosis
    product: patientsim
    delay: 0
  - id: b
    event_type: lab_result
    product: patientsim
    depends_on: a
    delay: {type: normal, mean: 3, std_dev: 1}
    probability: 0.5
"""


def _error(tmp_path: Path, text: str, name: str = "j.yaml", load=sim.load_journey) -> SpecError:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SpecError) as caught:
        load(path)
    return caught.value


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("std_dev: 1", "std_dev: -1", 12, "events.b.delay.std_dev"),
        ("probability: 0.5", "probability: 1.5", 13, "events.b.probability"),
        ("depends_on: a", "depends_on: aa", 11, "events.b.depends_on"),
    ],
)
def test_journey_field_errors_carry_the_line(tmp_path, old, new, line, field):
    error = _error(tmp_path, JOURNEY.replace(old, new))
    assert error.line == line
    assert str(error).startswith(f"{tmp_path / 'j.yaml'}:{line}: {field}:")


def test_missing_field_points_at_its_parent(tmp_path):
    error = _error(tmp_path, JOURNEY.replace("    event_type: lab_result\n", ""))
    assert error.path[:2] == ("events", "b")
    assert error.line == 8  # the '- id: b' item


def test_profile_field_error_line(tmp_path):
    text = "id: p\ndemographics:\n  age: {type: normal, mean: 3}\n"
    error = _error(tmp_path, text, "p.yaml", sim.load_profile)
    assert (error.line, error.path) == (3, ("demographics", "age", "std_dev"))


def test_json_spec_lines(tmp_path):
    data = {
        "id": "x",
        "duration_days": 100,
        "events": [{"id": "a", "event_type": "diagnosis", "product": "patientsim", "delay": -3}],
    }
    text = json.dumps(data, indent=2)
    error = _error(tmp_path, text, "j.json")
    assert error.line == text.splitlines().index('      "delay": -3') + 1


def test_line_of_walks_ids_and_indexes():
    assert line_of(JOURNEY, ("events", "b", "delay", "mean")) == 12
    assert line_of(JOURNEY, ("events", 0, "product")) == 6
    assert line_of(JOURNEY, ("nowhere",)) == 1
    assert line_of("[unclosed", ("a",)) is None
