"""Hostile conditions (``sim.expressions.compile_condition``): code, huge or deep text, deep
structures and odd operators are refused when they compile; a condition whose types do not
fit the values it meets stops a run with a SpecError naming the condition, not a TypeError."""

from __future__ import annotations

from typing import Any

import pytest

import sim
from sim.errors import SpecError
from sim.expressions import compile_condition


def _nested(kind: str, depth: int) -> dict[str, Any]:
    condition: dict[str, Any] = {"attribute": "age", "value": 1}
    for _ in range(depth):
        condition = {"not": condition} if kind == "not" else {kind: [condition]}
    return condition


REFUSED = [
    ("__import__('os').system('echo owned')", "not allowed"),
    ("age.__class__", "not allowed"),
    ("(lambda: 1)()", "not allowed"),
    ("[x for x in range(10**9)]", "not allowed"),
    ("9 ** 9 ** 9", "not allowed"),
    ("'a' * 10 ** 9", "not allowed"),
    ("age if sex else bmi", "not allowed"),
    ("{1: 2}", "not allowed"),
    ("age[0]", "not allowed"),
    ("'F', 'M'", "a list outside"),
    ("age == [1, 2]", "a list without 'in'"),
    ("sex in 'FM'", "'in' without a list"),
    ("age in [bmi]", "not a constant"),
    ("b'x' == sex", "not allowed"),
    ("age and", "cannot parse"),
    ("a\x00b", "cannot parse"),
    ("(" * 500 + "age" + ")" * 500, "nested parentheses"),
    ("not " * 60 + "age", "nested too deeply"),
    ("age + " * 600 + "1 > 0", "longer than 2000"),
    ("   ", "non-empty"),
    (5, "text or a mapping"),
    ({"attribute": "age", "op": None, "value": 1}, "unknown operator"),
    ({"attribute": "age", "op": ["=="], "value": 1}, "unknown operator"),
    ({"attribute": "age", "value": float("nan")}, "not a finite number"),
    ({"attribute": "age", "value": {"a": 1}}, "unsupported value"),
    ({"attributes": "age", "value": 1}, "did you mean 'attribute'?"),
    ({"all": []}, "non-empty list"),
    (_nested("not", 5000), "nested too deeply"),
    (_nested("all", 5000), "nested too deeply"),
]


@pytest.mark.parametrize(
    ("condition", "named"), REFUSED, ids=[f"{i}-{named}" for i, (_, named) in enumerate(REFUSED)]
)
def test_a_hostile_condition_is_refused(tally, condition, named):
    with pytest.raises(SpecError) as caught:
        compile_condition(condition, path=("events", "a", "conditions"))
    assert named in str(caught.value)
    assert caught.value.path[:3] == ("events", "a", "conditions")
    assert len(str(caught.value)) < 3000
    tally["hostile values", "conditions", "refused"] += 1


def _scenario(**journey: Any) -> dict[str, Any]:
    event = {"id": "a", "event_type": "diagnosis", "product": "patientsim", "delay": 1,
             "parameters": {"icd10": "E11.9"}, **journey.pop("event", {})}  # fmt: skip
    plan = {"journey": {"id": "j", "duration_days": 30, "events": [event]}, **journey}
    return {"id": "s", "profile": "medicare-diabetic", "start_date": "2025-01-01",
            "journeys": [plan], "triggers": []}  # fmt: skip


@pytest.mark.parametrize(
    "scenario",
    [
        _scenario(event={"conditions": "sex > 3"}),
        _scenario(event={"conditions": "age / 0 > 1"}),
        _scenario(event={"conditions": "-sex == 1"}),
        _scenario(applies_to="sex > 3"),
        _scenario(applies_to="age % 0 == 1"),
        _scenario(applies_to="age + 'x' == 1"),
    ],
    ids=["event: text > number", "event: / 0", "event: -text", "applies_to: text > number",
         "applies_to: % 0", "applies_to: number + text"],
)  # fmt: skip
def test_a_condition_that_does_not_fit_the_values_stops_the_run_with_a_spec_error(scenario):
    with pytest.raises(SpecError, match="cannot evaluate condition") as caught:
        sim.run(scenario, 5, seed=1)
    # SimPy re-raises a copy made from the message: the field and hint are in the text
    assert str(caught.value).startswith(("events.a.conditions: ", "applies_to: "))
    assert str(caught.value).endswith("(check the types of the attributes it reads)")


def test_ordering_against_a_missing_value_is_false_on_one_person_and_on_columns():
    import numpy as np

    condition = compile_condition("events.a1c.value > 9")
    assert condition.evaluate({"events.a1c.value": None}) is False
    values = np.array([10.0, np.nan, 8.0])
    assert condition.evaluate_columns({"events.a1c.value": values}, 3).tolist() == [
        True,
        False,
        False,
    ]
