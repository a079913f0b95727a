"""Trial protocols: the shipped one loads; bad input is one located SpecError naming the field."""

from __future__ import annotations

import copy

import pytest

from handlers.trialsim import load_ae_terms, load_protocol, parse_protocol, shipped_protocols
from sim.errors import SpecError


@pytest.fixture
def minimal(fixtures) -> dict:
    return load_protocol(fixtures / "minimal.yaml").model_dump(mode="json", exclude_none=True)


def test_the_shipped_protocol_loads():
    assert "dm2-glp1-phase3" in shipped_protocols()
    protocol = load_protocol("dm2-glp1-phase3")
    assert protocol.studyid == "HSG101-301"
    assert [arm.ratio for arm in protocol.arms] == [1, 2]
    assert protocol.visits[-1].day == 218 and protocol.treatment_days == 26 * 7
    assert protocol.eligibility().startswith("(age >= 18) and (has_E11)")
    assert "not (egfr < 30)" in protocol.eligibility()


def test_study_id_defaults_to_the_id_in_capitals(fixtures):
    assert load_protocol(fixtures / "minimal.yaml").studyid == "MINIMAL"


def test_the_term_table_names_its_classes():
    terms = load_ae_terms()
    assert len(terms) == 42
    assert terms.by_term("nausea").system_organ_class == "Gastrointestinal disorders"
    assert terms.by_term("Abdominal pain").key == "abdominal_pain"
    assert len({t.key for t in terms.terms}) == len(terms)


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "bad_term.yaml",
            "bad_term.yaml:12: adverse_events[0].term: unknown adverse event term 'Nausia': "
            "not in the term table (did you mean 'Nausea'?)",
        ),
        (
            "bad_window.yaml",
            "bad_window.yaml:12: visits[1].window_days: the window opens on Day -2, before "
            "randomisation (Day 1)",
        ),
        (
            "bad_field.yaml",
            "bad_field.yaml:10: vists: unknown field (did you mean 'visits'?; and 1 more problem)",
        ),
    ],
)
def test_invalid_fixtures_name_file_line_and_field(fixtures, fixture, expected):
    with pytest.raises(SpecError) as caught:
        load_protocol(fixtures / fixture)
    assert str(caught.value).endswith(expected)


def _break(data: dict, path: tuple, value) -> dict:
    broken = copy.deepcopy(data)
    node = broken
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return broken


@pytest.mark.parametrize(
    ("path", "value", "where", "message"),
    [
        (("adverse_events", 0, "rates"), {"XYZ": 0.1}, "adverse_events[0].rates.XYZ", "arm"),
        (("adverse_events", 0, "grades"), {1: 0.5, 2: 0.3}, "adverse_events[0].grades", "sum"),
        (("adverse_events", 0, "grades"), {6: 1.0}, "adverse_events[0].grades", "grade 6"),
        (("adverse_events", 0, "outcomes"), {"FATAL": 1.0}, "outcomes", "unknown outcome"),
        (("arms", 0, "dosing", 0, "frequency"), "WEEKLY", "frequency", "unknown frequency"),
        (("arms", 0, "dosing", 0, "route"), "ORALLY", "route", "did you mean 'ORAL'"),
        (("arms", 1, "code"), "PBO", "arms[1].code", "used twice"),
        (("arms", 0, "code"), "pbo", "arms[0].code", "capitals and digits"),
        (("arms", 0, "ratio"), 0, "arms[0].ratio", "greater than 0"),
        (("arms", 0, "dosing", 0, "from_day"), 3, "arms[0].dosing", "start on Day 1"),
        (("screening", "failure_rate"), 1.0, "screening.failure_rate", "less than 1"),
        (
            ("screening", "duration_days"),
            {"type": "exponential", "mean": 10},
            "screening.duration_days",
            "upper bound",
        ),
        (
            ("screening", "duration_days"),
            {"type": "normal", "mean": 10, "std_dev": 3},
            "screening.duration_days",
            "cannot be negative",
        ),
        (("inclusion", 0, "condition"), "age >>= 18", "inclusion[0].condition", "cannot parse"),
        (
            ("adverse_events", 0, "onset_days"),
            {"type": "exponential", "mean": 10},
            "adverse_events[0].onset_days",
            "max: 54",
        ),
        (("visits", 2, "day"), 20, "visits[2].day", "increasing day"),
        (("visits", 1, "name"), "Baseline", "visits[1].name", "used twice"),
        (("treatment_days",), 90, "treatment_days", "after the last visit"),
        (("sites",), ["01", "01"], "sites", "differ"),
        (("dropout",), {"per_day": 0.01, "per_visit": 0.1}, "dropout", "exactly one"),
        (("dropout",), {}, "dropout", "exactly one"),
        (("dropout",), {"per_day": 0.01, "reasons": {"DEATH": 1}}, "reasons", "unknown reason"),
    ],
)
def test_bad_fields_are_located(minimal, path, value, where, message):
    with pytest.raises(SpecError) as caught:
        parse_protocol(_break(minimal, path, value), source="p.yaml")
    text = str(caught.value)
    assert text.startswith("p.yaml: ") and where in text and message in text, text


def test_a_term_listed_twice(minimal):
    minimal["adverse_events"].append(copy.deepcopy(minimal["adverse_events"][0]))
    with pytest.raises(SpecError, match=r"adverse_events\[1\]\.term: 'Headache' is listed twice"):
        parse_protocol(minimal)


def test_per_visit_dropout_needs_two_visits(minimal):
    minimal["visits"] = [{"name": "Day 1", "day": 1}]
    minimal["treatment_days"] = 1
    minimal["dropout"] = {"per_visit": 0.1}
    with pytest.raises(SpecError, match="dropout: per_visit dropout needs two visits"):
        parse_protocol(minimal)


def test_unknown_shipped_name_suggests_the_closest():
    with pytest.raises(SpecError, match="did you mean 'dm2-glp1-phase3'"):
        load_protocol("dm2-glp1-phase2")


def test_a_protocol_is_a_mapping():
    with pytest.raises(SpecError, match="a trial protocol is a mapping"):
        parse_protocol(["not", "a", "mapping"])
