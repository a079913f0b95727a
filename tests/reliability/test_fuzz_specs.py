"""Fuzzing the spec loaders with hypothesis: strategies make small valid journeys, profiles,
scenarios (of a profile or of households) and trigger sets, and take the shipped plans; a
mutation then drops or renames a key, changes a type, puts in an extreme number, an empty
container or a huge text, or duplicates a list item (one to three times). The property:
loading succeeds (and then ``sim.run(spec, 5, seed=1)`` succeeds) or raises SpecError; any
other exception is a bug. Counts by kind, mutation and outcome are printed at the end."""

from __future__ import annotations

import copy
import datetime as dt
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from handlers.membersim import load_plan_benefits
from sim.errors import SpecError
from sim.profiles import compile_profile
from sim.specio import read_spec
from sim.triggers import load_triggers

RELIABLE = settings.get_profile("reliability")
ROOT = Path(sim.__file__).resolve().parent.parent

# Event kinds as the shipped journeys write them: product, event type, parameter variants.
EVENTS = yaml.safe_load("""
- [patientsim, diagnosis, [{icd10: E11.9}, {icd10: I10, description: Hypertension}]]
- [patientsim, encounter, [{cpt: "99213", encounter_type: office, reason_icd10: E11.9},
                           {cpt: "99395", encounter_type: preventive, reason_icd10: Z00.00},
                           {cpt: "99204", encounter_type: specialist, reason_icd10: I10}]]
- [patientsim, lab_order, [{loinc: 4548-4, test_name: HbA1c}]]
- [patientsim, lab_result, [{loinc: 4548-4, test_name: HbA1c, unit: "%", value: 8.2}]]
- [patientsim, medication_order, [{rxnorm: "860975", drug_name: metformin, quantity: 60,
                                   days_supply: 30}, {rxnorm: "314076", quantity: 30}]]
- [patientsim, procedure, [{cpt: "92004", description: Eye exam, icd10: E11.9}]]
- [patientsim, admission, [{admission_type: emergency, icd10: I50.9}]]
- [patientsim, discharge, [{discharge_disposition: home}]]
- [rxmembersim, refill, [{rxnorm: "860975", drug_name: metformin, quantity: 60, days_supply: 30}]]
- [membersim, new_enrollment, [{enrollment_type: new}]]
- [membersim, gap_identified, [{measure: HbA1c, description: No HbA1c in 6 months}]]
- [trialsim, adverse_event, [{term: Nausea, grade: 2}]]
- [patientsim, note, [{}, {a: 1, b: text}]]
""")
CONDITIONS = yaml.safe_load("""
- age >= 65
- sex == 'F'
- age < 40 or sex == 'M'
- not (age > 90)
- {attribute: age, op: ">=", value: 30}
- {any: [{attribute: sex, value: M}, age > 50]}
""")
TRIGGERS = yaml.safe_load("""
- source: {product: patientsim, event_type: encounter}
  target: {product: membersim, event_type: claim_professional}
  parameters: {diagnosis_code: {from: reason_icd10}, cpt: {from: cpt, default: "99213"}}
- source: {product: patientsim, event_type: medication_order}
  target: {product: rxmembersim, event_type: fill}
  parameters: {rxnorm: {from: rxnorm}, ndc: {lookup: drugs.ndc, key: rxnorm}}
- source: {product: patientsim, event_type: lab_order}
  target: {product: patientsim, event_type: lab_result}
  parameters: {loinc: {from: loinc}, value: {lab_value: loinc},
               unit: {lookup: labs.unit, key: loinc}}
- source: {product: patientsim, event_type: diagnosis, when: "parameters.icd10 != 'I10'"}
  target: {product: patientsim, event_type: note}
  parameters: {minutes: {sample: {type: gamma, shape: 2, scale: 3}, round: 1}}
""")
PRODUCTS = ["patientsim", "membersim", "rxmembersim", "trialsim"]
CODES = ["E11", "I10", "E78.5", "J45.909", "N18.3"]
RELATIONSHIPS = ["spouse", "child", "dependent"]
PLANS = ["family-ppo", "commercial-ppo", "commercial-hdhp", "medicaid", "medicare-advantage"]


def finite(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def pair(low: float, high: float) -> st.SearchStrategy[list[float]]:
    return st.tuples(finite(low, high), finite(low, high)).map(sorted)


def spec(kind: str, *names: str) -> Callable[..., dict[str, Any]]:
    """A distribution spec of ``kind`` from values drawn in order (``spec("uniform", "min",
    "max")(3, 9)`` is ``{type: uniform, min: 3, max: 9}``)."""
    return lambda *values: {"type": kind, **dict(zip(names, values, strict=True))}


DELAYS = st.one_of(
    finite(0, 400) | st.integers(0, 400),
    finite(0, 400).map(spec("fixed", "value")),
    pair(0, 200).map(lambda p: spec("uniform", "min", "max")(*p)),
    st.tuples(finite(-5, 200), finite(0.5, 60), st.just(0)).map(
        lambda p: spec("normal", "mean", "std_dev", "min")(*p)
    ),
    finite(0.05, 200).map(spec("exponential", "mean")),
    st.tuples(finite(0.1, 20), finite(0.1, 50)).map(lambda p: spec("gamma", "shape", "scale")(*p)),
    st.tuples(finite(0.5, 200), finite(0.1, 200)).map(
        lambda p: spec("log_normal", "mean", "std_dev")(*p)
    ),
    st.tuples(st.sampled_from(["fixed", "uniform", "normal"]), finite(0, 100), pair(0, 100)).map(
        lambda p: {"days": p[1], "days_min": p[2][0], "days_max": p[2][1], "distribution": p[0]}
    ),
    finite(0.05, 0.95).map(
        lambda w: spec("mixture", "components")(
            [
                {"weight": w, "distribution": spec("uniform", "min", "max")(0, 9)},
                {"weight": 1 - w, "distribution": spec("fixed", "value")(30)},
            ]
        )
    ),
    st.just(
        spec("conditional", "rules", "default")(
            [{"if": "age >= 65", "distribution": spec("fixed", "value")(3)}],
            spec("uniform", "min", "max")(0, 9),
        )
    ),
)
GAPS = st.one_of(
    finite(1, 120),
    pair(1, 90).map(lambda p: spec("uniform", "min", "max")(p[0], p[1] + 1)),
    finite(5, 90).map(spec("exponential", "mean")),
)


@st.composite
def journeys(draw: st.DrawFn, journey_id: str = "j") -> dict[str, Any]:
    events: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 5))):
        product, event_type, variants = draw(st.sampled_from(EVENTS))
        admissions = [e["id"] for e in events if e["event_type"] == "admission"]
        if event_type == "discharge" and not admissions:  # a discharge ends an admission
            product, event_type, variants = EVENTS[6]
        parameters = dict(draw(st.sampled_from(variants)))
        event = {
            "id": f"e{i}",
            "event_type": event_type,
            "product": product,
            "delay": draw(DELAYS),
            "parameters": parameters,
        }
        if event_type == "discharge":
            event["depends_on"] = admissions[-1]
        elif i and draw(st.booleans()):
            earlier = st.sampled_from([f"e{k}" for k in range(i)])
            event["depends_on"] = draw(st.lists(earlier, min_size=1, max_size=2, unique=True))
        if draw(st.booleans()):
            event["probability"] = draw(finite(0.01, 1))
        if draw(st.integers(0, 3)) == 0:
            event["conditions"] = draw(st.sampled_from(CONDITIONS))
        if draw(st.integers(0, 3)) == 0:
            bound = st.integers(1, 6).map(lambda n: {"count": n}) | finite(0, 400).map(
                lambda day: {"until_day": day}
            )
            event["repeat"] = {"every": draw(GAPS), **draw(bound)}
        events.append(event)
    if len(events) >= 3 and "depends_on" not in events[-1] and draw(st.booleans()):
        weight = draw(finite(0.05, 0.95))  # the last two: an exclusive choice after e0
        for event, share in ((events[-2], weight), (events[-1], 1 - weight)):
            event.pop("probability", None)
            event["depends_on"] = ["e0"]
            event["choice"] = {"group": "g", "weight": share}
    journey = {"id": journey_id, "duration_days": draw(finite(1, 730)), "events": events}
    if draw(st.integers(0, 4)) == 0:
        journey["applies_to"] = draw(st.sampled_from(CONDITIONS))
    return journey


AGES = st.one_of(
    st.tuples(finite(0, 100), finite(0.5, 30)).map(
        lambda p: {**spec("normal", "mean", "std_dev")(*p), "min": 0, "max": 110}
    ),
    st.just(spec("age_bands", "bands")({"0-17": 0.2, "18-64": 0.5, "65+": 0.3})),
    pair(0, 100).map(lambda p: spec("uniform", "min", "max")(p[0], p[1] + 1)),
)
GEOGRAPHIES = yaml.safe_load("""
[{national: true, use_reference: false}, {state: VT, use_reference: false}, {county: "48201"},
 {counties: ["48201", "06037"]}]
""")


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    products = draw(st.lists(st.sampled_from(PRODUCTS[:3]), min_size=1, unique=True))
    male = draw(finite(0, 1))
    profile: dict[str, Any] = {
        "id": "p",
        "generation": {"products": products},
        "geography": draw(st.sampled_from(GEOGRAPHIES)),
        "demographics": {
            "age": draw(AGES),
            "sex": spec("categorical", "weights")({"M": male, "F": 1 - male}),
        },
    }
    codes = draw(st.lists(st.sampled_from(CODES), max_size=3, unique=True))
    clinical: dict[str, Any] = {}
    if codes:
        ruled = {"rules": [{"if": "age >= 65", "value": 0.5}], "default": 0.1}
        clinical["primary_condition"] = {"code": codes[0], "prevalence": draw(finite(0, 1))}
        clinical["comorbidities"] = [
            {"code": code, "prevalence": draw(finite(0, 1) | st.just(ruled))} for code in codes[1:]
        ]
    if draw(st.booleans()):
        a1c = {**spec("normal", "mean", "std_dev")(draw(finite(4, 12)), 1), "min": 3, "max": 15}
        clinical["labs"] = {"a1c": a1c}
    if draw(st.booleans()):
        share = draw(finite(0, 1))
        clinical["medications"] = [{"drug": "metformin", "rxnorm": "860975", "prevalence": share}]
    profile["clinical"] = clinical
    if draw(st.booleans()):
        ppo = draw(finite(0, 1))
        kind = draw(st.sampled_from(["Commercial", "Medicaid", "Uninsured"]))
        profile["coverage"] = {"type": kind, "plan_distribution": {"PPO": ppo, "HMO": 1 - ppo}}
    if draw(st.booleans()):
        profile["attributes"] = {
            "severity": spec("categorical", "weights")({"mild": 0.5, "severe": 0.5}),
            "bmi": spec("normal", "mean", "std_dev")(draw(finite(15, 45)), 4),
        }
    return profile


@st.composite
def households(draw: st.DrawFn) -> dict[str, Any]:
    roles = ["subscriber", *draw(st.lists(st.sampled_from(RELATIONSHIPS), max_size=2))]
    members = []
    for i, role in enumerate(roles):
        member: dict[str, Any] = {
            "key": f"m{i}",
            "first_name": f"M{i}",
            "relationship": role,
            "sex": draw(st.sampled_from("MF")),
        }
        if draw(st.booleans()):
            member["age"] = draw(st.integers(0, 110))
        else:
            member["birth_date"] = draw(st.dates(dt.date(1910, 1, 1), dt.date(1989, 12, 31)))
        codes = st.lists(st.sampled_from(["E11.9", "I10", "J45.909", "H66.90"]), unique=True)
        member["conditions"] = draw(codes)
        if draw(st.booleans()):
            member["attributes"] = {"severity": draw(st.sampled_from(["controlled", "mild"]))}
        if draw(st.booleans()):
            member["journeys"] = [draw(journeys(f"h{i}"))]
        members.append(member)
    county = draw(st.sampled_from(["48201", "06037"]))
    plan = draw(st.sampled_from(PLANS[:4]))
    return {"key": "h", "last_name": "Doe", "county_fips": county, "plan": plan, "members": members}


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    scenario: dict[str, Any] = {
        "id": "s",
        "start_date": draw(st.dates(dt.date(1990, 1, 1), dt.date(2040, 1, 1))),
        "horizon_days": draw(finite(1, 730)),
        "triggers": draw(st.sampled_from([["default"], []])),
    }
    if draw(st.booleans()):
        scenario["profile"] = draw(profiles())
        count = draw(st.integers(0, 2))
        scenario["journeys"] = [{"journey": draw(journeys(f"j{i}"))} for i in range(count)]
        if count and draw(st.booleans()):
            scenario["journeys"][0]["applies_to"] = draw(st.sampled_from(CONDITIONS))
    else:
        scenario["households"] = [draw(households())]
    if draw(st.booleans()):
        scenario["products"] = draw(st.lists(st.sampled_from(PRODUCTS), min_size=1, unique=True))
    if draw(st.booleans()):
        scenario["max_trigger_depth"] = draw(st.integers(1, 10))
    return scenario


@st.composite
def trigger_sets(draw: st.DrawFn) -> dict[str, Any]:
    chosen = draw(st.lists(st.sampled_from(range(len(TRIGGERS))), min_size=1, unique=True))
    triggers = []
    for i in chosen:
        trigger = {"id": f"t{i}", **copy.deepcopy(TRIGGERS[i]), "delay": draw(DELAYS)}
        if draw(st.booleans()):
            trigger["probability"] = draw(finite(0, 1))
        if draw(st.booleans()):
            trigger["priority"] = draw(st.integers(-10, 10))
        triggers.append(trigger)
    return {"triggers": triggers}


STRATEGIES: dict[str, st.SearchStrategy] = {
    "journeys": journeys(),
    "profiles": profiles(),
    "scenarios": scenarios(),
    "triggers": trigger_sets(),
    "plans": st.sampled_from(PLANS).map(lambda name: read_spec(name, "plans").data),
}

# ---------------------------------------------------------------------------- mutations

EXTREMES = [
    0,
    -1,
    -0.0,
    5e-324,
    1e308,
    -1e308,
    2**63 - 1,
    2**63,
    10**30,
    float("nan"),
    float("inf"),
    float("-inf"),
]
OTHER_TYPES = [
    None,
    True,
    False,
    7,
    -3.5,
    "x",
    "",
    "2024-02-30",
    [],
    {},
    [1, "a"],
    {"type": "fixed", "value": 1},
]
REPLACEMENTS = {
    "change_type": st.sampled_from(OTHER_TYPES),
    "extreme_number": st.sampled_from(EXTREMES),
    "empty": st.sampled_from([[], {}, "", None]),
    "huge_text": st.just("x" * 20_000),
}
MUTATIONS = ["drop_key", "rename_key", "duplicate_item", *REPLACEMENTS]


def _paths(node: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(node, dict | list):
        children = node.items() if isinstance(node, dict) else enumerate(node)
        return [path, *(p for key, value in children for p in _paths(value, (*path, key)))]
    return [path]


def _at(node: Any, path: tuple) -> Any:
    for part in path:
        node = node[part]
    return node


@st.composite
def mutated(draw: st.DrawFn, specs: st.SearchStrategy) -> tuple[Any, str]:
    """A spec with one to three mutations, and the first mutation's kind (for the tally)."""
    data = copy.deepcopy(draw(specs))
    kinds = []
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(data)))
        kind = draw(st.sampled_from(MUTATIONS))
        node = _at(data, path)
        if kind in ("drop_key", "rename_key") and isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node, key=str)))
            value = node.pop(key)
            if kind == "rename_key":
                typos = [f"{key}s", str(key)[:-1] or "k", str(key).upper(), f"{key}_"]
                node[draw(st.sampled_from(typos))] = value
        elif kind == "duplicate_item" and isinstance(node, list) and node:
            node.append(copy.deepcopy(node[0]))
        elif not path:
            kind, data = "whole document", copy.deepcopy(draw(st.sampled_from(OTHER_TYPES)))
        else:
            kind = kind if kind in REPLACEMENTS else "change_type"
            _at(data, path[:-1])[path[-1]] = copy.deepcopy(draw(REPLACEMENTS[kind]))
        kinds.append(kind)
        if kind == "whole document":
            break
    return data, kinds[0]


# ------------------------------------------------------------------------------ property

LOADERS: dict[str, Callable[[Any], Any]] = {
    "journeys": sim.load_journey,
    "profiles": lambda data: compile_profile(sim.load_profile(data)),
    "scenarios": sim.load_scenario,
    "triggers": load_triggers,
    "plans": load_plan_benefits,
}
#: Crashes this fuzzing found in modules outside this suite's remit, reported with a fix
#: (docs/reliability.md): (exception, file). test_reported_bugs.py reproduces each and fails
#: once it is fixed, so that its entry here is removed.
#: (None now: the parameter values the handlers crashed on are refused when a scenario loads.)
REPORTED: set[tuple[str, str]] = set()


def _site(error: Exception) -> tuple[str, str]:
    frames = [
        frame.filename
        for frame in traceback.extract_tb(error.__traceback__)
        if frame.filename.startswith(str(ROOT)) and ".venv" not in frame.filename
    ]
    where = Path(frames[-1]).relative_to(ROOT).as_posix() if frames else "?"
    return type(error).__name__, where


def load_or_refuse(kind: str, data: Any, tally, category: str) -> bool:
    """Loads (and, for a scenario, runs) ``data``; True if it loaded. A SpecError is a
    refusal; any other exception fails the test, unless it is a reported crash."""
    group = ("fuzzing", f"{kind} ({category})")
    try:
        loaded = LOADERS[kind](data)
    except SpecError:
        tally[*group, "refused (SpecError)"] += 1
        return False
    if kind != "scenarios":
        tally[*group, "loaded"] += 1
        return True
    try:
        result = sim.run(loaded, 5, seed=1)
    except SpecError:  # a handler refusing a parameter value while it makes the records
        tally[*group, "loaded, refused in run"] += 1
        return True
    except Exception as error:
        if _site(error) not in REPORTED:
            raise
        tally[*group, f"loaded, crash reported ({_site(error)[1].split('/')[1]})"] += 1
        return True
    assert result.tables["persons"].num_rows == 5 * max(1, loaded.household_size)
    assert result.check["check_passed"] is True, result.check["check_summary"]
    tally[*group, "loaded and ran"] += 1
    return True


VALID = {"journeys": 150, "profiles": 80, "scenarios": 150, "triggers": 80}
MUTATED = {"journeys": 300, "profiles": 200, "scenarios": 400, "triggers": 200, "plans": 200}
#: least share of unmutated specs that load: the strategies do make valid specs
LOADED_AT_LEAST = {"journeys": 0.9, "profiles": 0.9, "scenarios": 0.9, "triggers": 0.95}


@pytest.mark.parametrize("kind", list(VALID))
def test_generated_specs_load_and_run(kind, tally):
    loaded = []

    @settings(RELIABLE, max_examples=VALID[kind])
    @given(STRATEGIES[kind])
    def check(data):
        loaded.append(load_or_refuse(kind, data, tally, "valid"))

    check()
    assert len(loaded) == VALID[kind]
    assert sum(loaded) >= LOADED_AT_LEAST[kind] * len(loaded), (sum(loaded), len(loaded))


@pytest.mark.parametrize("kind", list(MUTATED))
def test_mutated_specs_load_or_raise_spec_error(kind, tally):
    outcomes = []

    @settings(RELIABLE, max_examples=MUTATED[kind])
    @given(mutated(STRATEGIES[kind]))
    def check(case):
        data, mutation = case
        outcomes.append(load_or_refuse(kind, data, tally, f"mutated: {mutation}"))

    check()
    assert len(outcomes) == MUTATED[kind]
    assert 0 < sum(outcomes) < len(outcomes)  # mutations both break specs and leave some valid
