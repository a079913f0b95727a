"""Journey specs: our form, the HealthSim forms, shorthand delays and located errors."""

from pathlib import Path

import pytest

from sim.errors import SpecError
from sim.journeys import (
    compile_plan,
    load_journey,
    parse_journey,
    shipped_journeys,
    shorthand_delay,
    to_mermaid,
    topological_order,
)

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = [
    "annual-enrollment",
    "chf-first-year",
    "chronic-therapy-maintenance",
    "diabetic-first-year",
    "disenrollment",
    "new-member-onboarding",
    "oncology-first-line",
    "surgical-episode",
    "trial-schedule",
]


def test_every_template_is_shipped():
    assert set(SHIPPED) <= set(shipped_journeys())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_journey_loads_and_graphs(name):
    spec = load_journey(name)
    assert spec.id == name
    text = to_mermaid(spec)
    assert text.startswith("flowchart TD")
    assert all(event.id in text for event in spec.events)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("journey_*.json")), ids=lambda p: p.name)
def test_healthsim_forms_load(path):
    plan = compile_plan(load_journey(path))
    assert len(plan.events) >= 5


def test_engine_form_keeps_ids_and_shorthand():
    spec = load_journey(FIXTURES / "journey_disenrollment.engine.template.json")
    cobra = spec.event("cobra_notice")
    assert cobra.depends_on == ("termination",)
    assert cobra.delay.type == "uniform" and (cobra.delay.min, cobra.delay.max) == (7, 30)
    assert cobra.probability == 0.8


def test_forward_reference_is_ordered_by_dependency():
    spec = load_journey(FIXTURES / "journey_disenrollment.engine.template.json")
    order = topological_order(spec)
    assert order.index("termination") < order.index("cobra_notice")


def test_phases_form_times_events_from_the_start():
    spec = load_journey(FIXTURES / "journey_diabetic-first-year.phases.template.json")
    education = spec.event("diabetes_education")
    assert (education.delay.min, education.delay.max) == (0, 14)
    refills = spec.event("medication_refills")
    assert refills.repeat is not None and refills.repeat.until_day == pytest.approx(365.25)
    increase = spec.event("metformin_increase")
    assert increase.parameters["condition_text"] == "tolerating_well"
    assert increase.event_type == "medication_order"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (3, {"type": "fixed", "value": 3.0}),
        ({"days": 5}, {"type": "fixed", "value": 5.0}),
        (
            {"days": 3, "days_min": 1, "days_max": 7, "distribution": "uniform"},
            {"type": "uniform", "min": 1.0, "max": 7.0},
        ),
        (
            {"days": 14, "days_min": 10, "days_max": 22, "distribution": "normal"},
            {"type": "normal", "mean": 14.0, "std_dev": 3.0, "min": 10.0, "max": 22.0},
        ),
        ({"type": "exponential", "mean": 4}, {"type": "exponential", "mean": 4}),
    ],
)
def test_shorthand_delay_maps_to_the_library(written, expected):
    assert shorthand_delay(written) == expected


INVALID = {
    "unknown-id.yaml": "events.metformin_start.depends_on: unknown event 'initial_dxx' "
    "(did you mean 'initial_dx'?)",
    "cycle.yaml": "events.a.depends_on: dependency cycle: a -> b -> c -> a",
    "bad-weights.yaml": "events.change.choice.weight: choice group 'plan' weights sum to 0.9",
    "unbounded-repeat.yaml": "events.refill.repeat: a repeat needs a bound",
    "unknown-field.yaml": "events.initial_dx.probabilty: unknown field "
    "(did you mean 'probability'?)",
    "unreachable.yaml": "events.both.depends_on: unreachable: it needs both 'change' and 'stay'",
    "unknown-condition-event.yaml": "events.insulin.conditions: unknown event 'a1x'",
    "negative-delay.yaml": "events.visit.delay: a delay cannot be negative",
}


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_fixture_raises_one_located_error(name):
    path = FIXTURES / "invalid" / name
    with pytest.raises(SpecError) as caught:
        load_journey(path)
    error = caught.value
    text = path.read_text().splitlines()
    # the line named is the field's (or, for a missing one, its parent's)
    assert error.line is not None and 1 <= error.line <= len(text)
    assert str(error).startswith(f"{path}:{error.line}: ")
    assert INVALID[name] in str(error)


def _journey(**event):
    return {"id": "j", "duration_days": 30, "events": [event]}


def test_probability_zero_is_unreachable():
    data = _journey(id="a", event_type="x", product="membersim", probability=0)
    with pytest.raises(SpecError, match=r"events\.a\.probability: probability 0"):
        parse_journey(data)


def test_condition_on_an_unknown_outcome_suggests_the_parameter():
    data = {
        "id": "j",
        "duration_days": 30,
        "events": [
            {"id": "a1c", "event_type": "lab", "product": "patientsim", "parameters": {"value": 8}},
            {
                "id": "b",
                "event_type": "x",
                "product": "patientsim",
                "conditions": "events.a1c.valeu > 9",
            },
        ],
    }
    with pytest.raises(SpecError, match=r"has no outcome 'valeu' \(did you mean 'value'\?\)"):
        parse_journey(data)


def test_unknown_shipped_name_suggests_one():
    with pytest.raises(SpecError, match="did you mean 'disenrollment'"):
        load_journey("disenrolment")


def test_choice_branch_cannot_have_a_probability():
    data = _journey(
        id="a",
        event_type="x",
        product="membersim",
        probability=0.5,
        choice={"group": "g", "weight": 1},
    )
    with pytest.raises(SpecError, match="its weight is its probability"):
        parse_journey(data)
