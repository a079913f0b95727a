"""Parameters the handlers read, checked when a scenario loads: in journeys (inline, in their
own file, of household members), in trigger rules, and where a trigger copies them."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.errors import SpecError
from sim.scenario import load_scenario

SCENARIO = yaml.safe_load("""
id: s
profile: medicare-diabetic
start_date: 2025-01-01
journeys:
  - journey:
      id: j
      duration_days: 90
      events:
        - id: order
          event_type: medication_order
          product: patientsim
          parameters: {rxnorm: "860975", quantity: 60, days_supply: 30, notes: free}
""")
TRIGGER = yaml.safe_load("""
id: extra
source: {product: patientsim, event_type: medication_order}
target: {product: rxmembersim, event_type: fill}
parameters: {rxnorm: {from: rxnorm}, quantity: {from: quantity, default: 30}}
""")


def _refused(data: dict[str, Any]) -> SpecError:
    with pytest.raises(SpecError) as caught:
        load_scenario(data)
    return caught.value


def _line(path: Path, number: int | None) -> str:
    assert number is not None
    return path.read_text().splitlines()[number - 1].strip()


def _with(**parameters: Any) -> dict[str, Any]:
    data = copy.deepcopy(SCENARIO)
    data["journeys"][0]["journey"]["events"][0]["parameters"].update(parameters)
    return data


def test_good_parameters_and_unknown_names_load():
    assert load_scenario(_with(notes=[1, {"a": None}], dose="two tablets")) is not None


def test_a_bad_value_in_an_inline_journey_names_its_place():
    error = _refused(_with(days_supply=400))
    assert error.path == ("journeys", 0, "journey", "events", "order", "parameters", "days_supply")
    assert error.message == "400 is not a number from 1 to 365"


def test_a_sampled_value_must_stay_in_the_range():
    error = _refused(_with(quantity={"sample": {"type": "normal", "mean": 30, "std_dev": 5}}))
    assert "draws from -inf to inf" in error.message
    bounded = {"type": "normal", "mean": 30, "std_dev": 5, "min": 10, "max": 50}
    assert load_scenario(_with(quantity={"sample": bounded, "round": 0})) is not None


def test_a_bad_value_in_a_journey_file_is_at_its_line(tmp_path):
    journey = copy.deepcopy(SCENARIO["journeys"][0]["journey"])
    journey["events"][0]["parameters"]["quantity"] = "sixty"
    (tmp_path / "j.yaml").write_text(yaml.safe_dump(journey, sort_keys=False))
    scenario = {**SCENARIO, "journeys": [{"journey": "j.yaml"}]}
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(scenario, sort_keys=False))
    with pytest.raises(SpecError) as caught:
        load_scenario(tmp_path / "s.yaml")
    error = caught.value
    assert error.source == str(tmp_path / "j.yaml")
    assert error.path == ("events", "order", "parameters", "quantity")
    assert _line(tmp_path / "j.yaml", error.line) == "quantity: sixty"


def test_a_bad_value_in_a_members_journey():
    journey = copy.deepcopy(SCENARIO["journeys"][0]["journey"])
    journey["events"].append({"id": "quit", "event_type": "termination", "product": "membersim",
                              "parameters": {"reason": 7}})  # fmt: skip
    member = {"key": "a", "first_name": "A", "relationship": "subscriber", "sex": "F",
              "age": 70, "journeys": [journey]}  # fmt: skip
    household = {"key": "h", "last_name": "D", "county_fips": "48201", "members": [member]}
    data = {"id": "s", "start_date": "2025-01-01", "households": [household]}
    error = _refused(data)
    assert error.path == ("households", "h", "members", "a", "journeys", 0, "events", "quit",
                          "parameters", "reason")  # fmt: skip
    assert error.message == "7 is not a text"


def test_a_value_a_trigger_copies_meets_the_rule_of_its_target():
    refill = {"id": "refill", "event_type": "refill", "product": "rxmembersim", "delay": 30,
              "parameters": {"rxnorm": "860975", "quantity": "x"}}  # fmt: skip
    data = copy.deepcopy(SCENARIO)
    data["journeys"][0]["journey"]["events"].append(refill)
    error = _refused(data)
    assert error.path[-4:] == ("events", "refill", "parameters", "quantity")
    assert error.message == (
        "'x' is not a number from 0.001 to 999,999 (trigger 'refill-fill' copies it to the "
        "quantity of rxmembersim fill events)"
    )
    # no trigger copies it: RxMemberSim reads nothing else of a refill
    assert load_scenario({**data, "triggers": []}) is not None


def test_a_copy_over_several_triggers_is_followed():
    hop = {"id": "hop", "source": {"product": "patientsim", "event_type": "medication_order"},
           "target": {"product": "patientsim", "event_type": "note"},
           "parameters": {"amount": {"from": "dose"}}}  # fmt: skip
    onward = {"id": "onward", "source": {"product": "patientsim", "event_type": "note"},
              "target": {"product": "rxmembersim", "event_type": "fill"},
              "parameters": {"rxnorm": "860975", "days_supply": {"from": "amount"}}}  # fmt: skip
    data = {**_with(dose=0), "triggers": [hop, onward]}
    error = _refused(data)
    assert error.path[-4:] == ("events", "order", "parameters", "dose")
    assert "(triggers 'hop', 'onward' copy it to the days_supply of rxmembersim fill" in str(error)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("7", "'7' is not a number from 0.001 to 999,999"),
        ({"from": "quantity", "default": -1}, "-1 is not a number"),
        ({"sample": {"type": "exponential", "mean": 30}}, "the distribution draws from 0 to inf"),
    ],
)
def test_a_trigger_rule_meets_the_rule_of_its_target(rule, message):
    trigger = {**TRIGGER, "parameters": {**TRIGGER["parameters"], "quantity": rule}}
    error = _refused({**SCENARIO, "triggers": ["default", trigger]})
    assert error.path == ("triggers", 1, "parameters", "quantity")
    assert error.message.startswith(message)


def test_a_bad_trigger_rule_in_a_file_is_at_its_line(tmp_path):
    trigger = {**TRIGGER, "parameters": {"rxnorm": {"from": "rxnorm"}, "days_supply": 0}}
    (tmp_path / "t.yaml").write_text(yaml.safe_dump({"triggers": [trigger]}, sort_keys=False))
    error = _refused({**SCENARIO, "triggers": [str(tmp_path / "t.yaml")]})
    assert error.source == str(tmp_path / "t.yaml")
    assert error.path == ("triggers", 0, "parameters", "days_supply")
    assert _line(tmp_path / "t.yaml", error.line) == "days_supply: 0"


def test_a_trigger_change_is_checked_where_it_is_written():
    changes = {"order-first-fill": {"parameters": {"rxnorm": {"from": "rxnorm"}, "ndc": 1.5}}}
    error = _refused({**SCENARIO, "trigger_changes": changes})
    assert error.path == ("trigger_changes", "order-first-fill", "parameters", "ndc")
    assert error.message == "1.5 is not a code (a text, or a whole number); quote it"
