"""SpecError: one error type, located by source, line and field path, with an optional hint."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from sim.errors import SpecError, closest, did_you_mean, from_validation_error


def test_spec_error_is_a_value_error():
    assert issubclass(SpecError, ValueError)


def test_message_with_source_line_path_and_hint():
    error = SpecError(
        "unknown event 'initial_dxx'",
        path=("events", "metformin_start", "depends_on"),
        source="journeys/diabetic-first-year.yaml",
        line=12,
        hint="did you mean 'initial_dx'?",
    )
    assert str(error) == (
        "journeys/diabetic-first-year.yaml:12: events.metformin_start.depends_on: "
        "unknown event 'initial_dxx' (did you mean 'initial_dx'?)"
    )


def test_list_indices_are_bracketed():
    error = SpecError("bad", path=("rules", 0, "distribution", "components", 2))
    assert str(error) == "rules[0].distribution.components[2]: bad"


def test_message_alone():
    assert str(SpecError("bad seed")) == "bad seed"


def test_located_prefixes_the_path_and_sets_the_source():
    inner = SpecError("weights sum to 0.9", path=("weights",), hint="fix them")
    outer = inner.located(source="profiles/adults.yaml", prefix=("attributes", "sex"), line=4)
    assert (
        str(outer)
        == "profiles/adults.yaml:4: attributes.sex.weights: weights sum to 0.9 (fix them)"
    )
    assert outer.path == ("attributes", "sex", "weights")
    assert inner.path == ("weights",)  # the original is unchanged


def test_did_you_mean_and_closest():
    assert closest("severty", ["severity", "sex", "age"]) == "severity"
    assert did_you_mean("initial_dxx", ["initial_dx", "a1c"]) == "did you mean 'initial_dx'?"
    assert did_you_mean("zzz", ["initial_dx", "a1c"]) is None


class Visit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    delay_days: float
    code: str


def validation_error(data: dict) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        Visit.model_validate(data)
    return caught.value


def test_from_validation_error_names_the_field_and_counts_the_rest():
    error = from_validation_error(
        validation_error({"delay_days": "soon"}), prefix=("visits", 0), source="j.yaml"
    )
    assert str(error).startswith("j.yaml: visits[0].delay_days: ")
    assert "and 1 more problem" in str(error)


def test_from_validation_error_prefers_a_typo_and_suggests_the_field():
    error = from_validation_error(validation_error({"delay_dayz": 3, "code": "x"}))
    assert (
        str(error) == "delay_dayz: unknown field (did you mean 'delay_days'?; and 1 more problem)"
    )
