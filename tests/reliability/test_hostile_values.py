"""Hostile values inside well-formed specs: absurd sizes (a count of 10^12, a horizon of 10^9
days), NaN and infinity wherever a number goes, wrong types at every node of every kind of
spec, and a misspelt key at every level. Each is refused before work starts with one
SpecError naming the field (and the line, for a file); a typo never silently drops a setting."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import sim
from handlers.membersim import load_plan_benefits
from sim.cli import main
from sim.errors import SpecError
from sim.profiles import compile_profile
from sim.specio import read_spec
from sim.triggers import load_triggers

JOURNEY = yaml.safe_load("""
id: j
duration_days: 365
applies_to: age >= 18
events:
  - id: dx
    event_type: diagnosis
    product: patientsim
    delay: {type: uniform, min: 0, max: 30}
    parameters: {icd10: E11.9}
  - id: lab
    event_type: lab_result
    product: patientsim
    depends_on: dx
    delay: {days: 3, days_min: 1, days_max: 7, distribution: normal}
    probability: 0.9
    conditions: {attribute: age, op: ">=", value: 40}
    repeat: {every: 90, count: 3}
    parameters:
      loinc: 4548-4
      value: {sample: {type: normal, mean: 8, std_dev: 1, min: 4, max: 15}, round: 1}
  - id: diet
    event_type: encounter
    product: patientsim
    depends_on: [dx]
    choice: {group: plan, weight: 0.4}
    parameters: {cpt: "99213", encounter_type: office, reason_icd10: E11.9}
  - id: drug
    event_type: medication_order
    product: patientsim
    depends_on: [dx]
    delay: {type: exponential, mean: 5}
    choice: {group: plan, weight: 0.6}
    parameters: {rxnorm: "860975", quantity: 30, days_supply: 30}
""")
PROFILE = yaml.safe_load("""
id: p
generation: {count: 10, seed: 3, products: [patientsim, rxmembersim], reference_date: 2025-01-01}
geography: {national: true, use_reference: false}
demographics:
  age: {type: normal, mean: 60, std_dev: 12, min: 18, max: 95}
  sex: {type: categorical, weights: {M: 0.5, F: 0.5}}
  min_age: 18
clinical:
  primary_condition:
    code: E11
    prevalence: 0.4
    severity: {type: categorical, weights: {controlled: 0.7, uncontrolled: 0.3}}
  comorbidities:
    - {code: I10, prevalence: {rules: [{if: age >= 65, value: 0.6}], default: 0.3}}
  labs:
    a1c:
      type: conditional
      rules: [{if: has_E11, distribution: {type: normal, mean: 8, std_dev: 1, min: 4, max: 15}}]
      default: {type: uniform, min: 4.5, max: 5.6}
  medications: [{drug: metformin, class: biguanide, rxnorm: "860975", prevalence: 0.5}]
coverage: {type: Commercial, plan_distribution: {PPO: 0.6, HMO: 0.4}}
attributes:
  bmi: {type: log_normal, mean: 29, std_dev: 6, min: 15}
  smoker: {type: explicit, values: [{value: true, weight: 0.2}, {value: false, weight: 0.8}]}
""")
SCENARIO = yaml.safe_load("""
id: s
start_date: 2025-01-01
horizon_days: 200
products: [patientsim, membersim, rxmembersim]
max_trigger_depth: 4
disable_triggers: [pharmacy-claim-reversal]
households:
  - key: doe
    last_name: Doe
    plan: family-ppo
    county_fips: "48201"
    members:
      - {key: ann, first_name: Ann, relationship: subscriber, sex: F, age: 50,
         conditions: [E11.9], attributes: {severity: controlled}, journeys: [diabetic-first-year]}
      - {key: bo, first_name: Bo, relationship: child, sex: M, birth_date: 2015-06-01}
""")
TRIGGERS = yaml.safe_load("""
triggers:
  - id: order-fill
    source: {product: patientsim, event_type: medication_order, when: "age >= 18"}
    target: {product: rxmembersim, event_type: fill}
    delay: {type: uniform, min: 0, max: 3}
    probability: 0.95
    priority: -1
    parameters: {rxnorm: {from: rxnorm}, ndc: {lookup: drugs.ndc, key: rxnorm}, days_supply: 30}
  - id: lab-result
    source: {product: patientsim, event_type: lab_order}
    target: {product: patientsim, event_type: lab_result}
    delay: 2
    max_depth: 2
    parameters: {loinc: {from: loinc}, hours: {sample: {type: gamma, shape: 4, scale: 6}, round: 1}}
""")
PLAN = read_spec("family-ppo", "plans").data
SPECS: dict[str, tuple[dict[str, Any], Callable[[Any], Any]]] = {
    "journeys": (JOURNEY, sim.load_journey),
    "profiles": (PROFILE, lambda data: compile_profile(sim.load_profile(data))),
    "scenarios": (SCENARIO, sim.load_scenario),
    "triggers": (TRIGGERS, load_triggers),
    "plans": (PLAN, load_plan_benefits),
}
#: mappings whose keys are the user's own names: an extra key there is data, not a setting
FREE_FORM = {"parameters", "attributes", "weights", "bands", "labs", "plan_distribution",
             "professional", "institutional", "resubmitted"}  # fmt: skip


def _nodes(node: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    out = [(path, node)]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _nodes(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _nodes(value, (*path, i))
    return out


def _replaced(data: Any, path: tuple, value: Any) -> Any:
    """A copy of ``data`` with ``value`` at ``path`` (list items by index or by their id)."""
    out = copy.deepcopy(data)
    node = out
    for i, part in enumerate(path):
        if isinstance(node, list) and isinstance(part, str):
            part = next(n for n, item in enumerate(node) if item.get("id") == part)
        if i == len(path) - 1:
            node[part] = copy.deepcopy(value)
        else:
            node = node[part]
    return out


def test_the_base_specs_load():
    for kind, (data, load) in SPECS.items():
        assert load(copy.deepcopy(data)) is not None, kind


WRONG = [None, True, "x", -1, 2**63, 1e308, [], {}, [{}], {"type": "normal"}, "2024-02-30", 0]


@pytest.mark.parametrize("kind", SPECS)
def test_a_wrong_type_at_any_node_is_refused_or_harmless(kind, tally):
    """Every node of the spec replaced by two values of other types (taken in turn from
    WRONG): the loader accepts the spec or raises SpecError, nothing else."""
    data, load = SPECS[kind]
    for n, (path, _) in enumerate(_nodes(data)[1:]):
        for value in (WRONG[n % len(WRONG)], WRONG[(n + 5) % len(WRONG)]):
            try:
                load(_replaced(data, path, value))
                tally["hostile values", f"wrong type ({kind})", "accepted"] += 1
            except SpecError:
                tally["hostile values", f"wrong type ({kind})", "refused"] += 1


@pytest.mark.parametrize("kind", SPECS)
def test_a_misspelt_key_at_any_level_is_refused(kind, tally):
    data, load = SPECS[kind]
    mappings = [(path, node) for path, node in _nodes(data) if isinstance(node, dict) and node]
    for path, node in mappings:
        if path and path[-1] in FREE_FORM:
            continue
        for key in node:
            typo = f"{key}s"
            renamed = {typo if k == key else k: v for k, v in node.items()}
            misspelt = _replaced(data, path, renamed) if path else renamed
            with pytest.raises(SpecError) as caught:
                load(misspelt)
            assert typo in str(caught.value), (path, key, str(caught.value))
            tally["hostile values", f"misspelt key ({kind})", "refused"] += 1


NON_FINITE = [math.nan, math.inf, -math.inf]
# a number inside each kind of spec: where NaN or infinity goes in, and must be refused
NUMBERS = [
    ("journeys", ("duration_days",)),
    ("journeys", ("events", "dx", "delay", "max")),
    ("journeys", ("events", "lab", "delay", "days_max")),
    ("journeys", ("events", "lab", "probability")),
    ("journeys", ("events", "lab", "repeat", "every")),
    ("journeys", ("events", "lab", "parameters", "value", "sample", "mean")),
    ("journeys", ("events", "diet", "choice", "weight")),
    ("journeys", ("events", "drug", "delay")),
    ("profiles", ("demographics", "age", "std_dev")),
    ("profiles", ("demographics", "sex", "weights", "M")),
    ("profiles", ("clinical", "primary_condition", "prevalence")),
    ("profiles", ("clinical", "comorbidities", 0, "prevalence", "default")),
    ("profiles", ("clinical", "labs", "a1c", "rules", 0, "distribution", "mean")),
    ("profiles", ("attributes", "bmi", "mean")),
    ("scenarios", ("horizon_days",)),
    ("scenarios", ("households", 0, "members", 0, "age")),
    ("scenarios", ("households", 0, "members", 0, "attributes", "severity")),
    ("triggers", ("triggers", 0, "delay", "max")),
    ("triggers", ("triggers", 0, "probability")),
    ("triggers", ("triggers", 1, "parameters", "hours", "sample", "scale")),
    ("plans", ("coinsurance",)),
    ("plans", ("deductible", "individual")),
    ("plans", ("copays", "office_visit")),
]


@pytest.mark.parametrize(("kind", "path"), NUMBERS, ids=[".".join(map(str, p)) for _, p in NUMBERS])
def test_nan_and_infinity_are_refused_naming_the_field(tmp_path, tally, kind, path):
    data, load = SPECS[kind]
    for value in NON_FINITE:
        with pytest.raises(SpecError) as caught:
            load(_replaced(data, path, value))
        assert caught.value.path[: len(path)] == path, str(caught.value)
        tally["hostile values", "NaN or infinity", "refused"] += 1
    file = tmp_path / f"{kind}.yaml"
    file.write_text(yaml.safe_dump(_replaced(data, path, math.nan), sort_keys=False))
    with pytest.raises(SpecError) as caught:
        load(file)
    assert caught.value.source == str(file) and caught.value.line is not None
    assert ".nan" in file.read_text().splitlines()[caught.value.line - 1]


def test_a_count_of_a_trillion_is_refused_before_work_starts(tmp_path, capsys):
    with pytest.raises(SpecError, match="from 1 to 100,000,000") as caught:
        sim.run("oswald-family", 10**12, seed=1)
    assert caught.value.path == ("count",)
    # three persons a copy: 40 million copies are 120 million persons
    with pytest.raises(SpecError, match="more than 100,000,000 persons"):
        sim.run("oswald-family", 40_000_000, seed=1)
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump({**SCENARIO, "count": 10**12}, sort_keys=False))
    with pytest.raises(SpecError) as caught:
        sim.load_scenario(file)
    assert caught.value.path == ("count",)
    assert file.read_text().splitlines()[caught.value.line - 1].startswith("count:")
    with pytest.raises(SpecError, match=r"generation\.count"):
        sim.load_profile({**PROFILE, "generation": {"count": 10**12}})
    with pytest.raises(SystemExit) as exited:
        main(["run", "oswald-family", "-n", str(10**12), "-o", str(tmp_path / "o.duckdb")])
    assert exited.value.code == 2 and "count must be" in capsys.readouterr().err
    assert not (tmp_path / "o.duckdb").exists()


def test_a_horizon_of_a_billion_days_is_refused(tmp_path):
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump({**SCENARIO, "horizon_days": 10**9}, sort_keys=False))
    with pytest.raises(SpecError, match="less than or equal to 36600") as caught:
        sim.load_scenario(file)
    assert caught.value.path == ("horizon_days",) and caught.value.line == 3
    with pytest.raises(SpecError, match="horizon_days"):
        sim.run("oswald-family", 1, seed=1, overrides=["horizon_days=1e9"])
    with pytest.raises(SpecError, match="duration_days"):
        sim.load_journey({**JOURNEY, "duration_days": 10**9})


def test_dates_outside_the_supported_range_are_refused():
    for start in ("0001-01-01", "1899-12-31", "2200-01-01", "9999-12-31"):
        with pytest.raises(SpecError) as caught:
            sim.load_scenario({**SCENARIO, "start_date": start})
        assert caught.value.path == ("start_date",)
    with pytest.raises(SpecError) as caught:
        sim.load_profile({**PROFILE, "generation": {"reference_date": "0001-01-01"}})
    assert caught.value.path == ("generation", "reference_date")


def test_work_that_grows_without_bound_is_refused(tally):
    dense = copy.deepcopy(JOURNEY)
    dense["events"][1]["repeat"] = {"every": 0.001, "until_day": 365}
    with pytest.raises(SpecError, match="repeats about 365,000 times") as caught:
        sim.load_journey(dense)
    assert caught.value.path == ("events", "lab", "repeat", "every") and caught.value.hint
    note = {"event_type": "note", "product": "patientsim"}
    many = {**JOURNEY, "events": [{"id": f"e{i}", **note} for i in range(1001)]}
    with pytest.raises(SpecError, match="at most 1000") as caught:
        sim.load_journey(many)
    assert caught.value.path == ("events",)
    tally["hostile values", "unbounded work", "refused"] += 2


def test_a_trigger_set_beside_other_keys_is_refused():
    with pytest.raises(SpecError) as caught:
        load_triggers({**TRIGGERS, "trigger": []})
    assert caught.value.path == ("trigger",)
    for bad in (None, 7, 1.5):
        with pytest.raises(SpecError, match="triggers are a list"):
            load_triggers(bad)


def test_an_alias_bomb_handed_in_as_data_is_refused():
    """Python data can share objects as YAML aliases do: counted once per use."""
    level: Any = ["lol"] * 10
    for _ in range(9):
        level = [level] * 10
    journey = copy.deepcopy(JOURNEY)
    journey["events"][0]["parameters"]["bomb"] = level
    with pytest.raises(SpecError, match="1,000,000 values"):
        sim.load_journey(journey)
    looped: dict[str, Any] = {}
    looped["self"] = looped
    with pytest.raises(SpecError, match="contains itself"):
        sim.load_scenario({**SCENARIO, "households": [looped]})


def test_files_are_refused_at_their_line(tmp_path: Path):
    text = yaml.safe_dump(JOURNEY, sort_keys=False).replace("probability: 0.9", "probability: 9")
    file = tmp_path / "j.yaml"
    file.write_text(text)
    with pytest.raises(SpecError) as caught:
        sim.load_journey(file)
    assert caught.value.path == ("events", "lab", "probability")
    assert text.splitlines()[caught.value.line - 1].strip() == "probability: 9"


@pytest.mark.parametrize(
    ("kind", "path", "typo", "field"),
    [
        ("profiles", ("generation",), "sed", "seed"),
        ("profiles", ("attributes", "bmi"), "mni", "min"),
        ("journeys", ("events", "lab"), "probabilty", "probability"),
        ("triggers", ("triggers", 1), "max_dept", "max_depth"),
        ("triggers", ("triggers", 0, "source"), "wen", "when"),
    ],
)
def test_a_misspelt_optional_key_gets_the_field_it_resembles(kind, path, typo, field):
    data, load = SPECS[kind]
    with pytest.raises(SpecError) as caught:
        load(_replaced(data, (*path, typo), 1))
    assert f"did you mean '{field}'?" in (caught.value.hint or ""), str(caught.value)
