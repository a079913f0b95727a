"""Invalid specs raise SpecError (the one error type) and its message names the field."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.distributions import create_distribution, parse_distribution
from sim.errors import SpecError

FIXED = {"type": "fixed", "value": 1}


def error_of(spec, **kwargs) -> SpecError:
    with pytest.raises(SpecError) as caught:
        create_distribution(spec, **kwargs)
    return caught.value


def test_unknown_type_names_the_type_field_and_the_choices():
    error = error_of({"type": "normall", "mean": 1, "std_dev": 1}, path=("age",))
    assert str(error).startswith("age.type: unknown type 'normall'")
    assert "'normal'" in str(error) and "'log_normal'" in str(error)


def test_missing_type_and_non_mapping():
    assert "needs a 'type'" in str(error_of({"mean": 1}, path=("age",)))
    assert str(error_of("normal", path=("age",))).startswith("age: a distribution must be")


def test_negative_std_dev():
    error = error_of({"type": "normal", "mean": 72, "std_dev": -8}, path=("age",))
    assert error.path == ("age", "std_dev")
    assert str(error).startswith("age.std_dev: ")
    assert "greater than or equal to 0" in str(error)


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "normal", "mean": 72, "std_dev": 8, "min": 95, "max": 65},
        {"type": "uniform", "min": 95, "max": 65},
        {"type": "exponential", "mean": 3, "min": 95, "max": 65},
        {"type": "log_normal", "mu": 1, "sigma": 1, "min": 95, "max": 65},
    ],
    ids=lambda s: s["type"],
)
def test_min_greater_than_max(spec):
    error = error_of(spec, path=("age",))
    assert str(error) == "age: min (95) is greater than max (65)"


def test_weights_summing_to_0_9():
    spec = {"type": "categorical", "weights": {"F": 0.5, "M": 0.4}}
    error = error_of(spec, path=("profile", "sex"))
    assert error.path == ("profile", "sex", "weights")
    assert str(error).startswith("profile.sex.weights: weights sum to 0.9, not 1")


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"type": "age_bands", "bands": {"0-17": 0.5, "18+": 0.4}}, "bands"),
        ({"type": "empirical", "edges": [0, 1, 2], "weights": [0.5, 0.6]}, "weights"),
        (
            {
                "type": "explicit",
                "values": [{"value": 1, "weight": 0.5}, {"value": 2, "weight": 0.4}],
            },
            "values",
        ),
        (
            {"type": "mixture", "components": [{"weight": 0.9, "distribution": FIXED}]},
            "components",
        ),
    ],
    ids=["age_bands", "empirical", "explicit", "mixture"],
)
def test_every_weighted_type_rejects_weights_not_summing_to_one(spec, field):
    error = error_of(spec)
    assert error.path == (field,)
    assert "not 1" in str(error)


def test_weights_within_the_tolerance_are_accepted():
    create_distribution({"type": "categorical", "weights": {"a": 0.3334, "b": 0.3333, "c": 0.333}})


def test_bad_expression_syntax():
    spec = {"type": "conditional", "rules": [{"if": "age >= ", "distribution": FIXED}]}
    error = error_of(spec, path=("a1c",))
    assert str(error).startswith("a1c.rules[0].if: cannot parse condition 'age >= '")


def test_unknown_attribute_in_a_condition_suggests_the_closest():
    spec = {
        "type": "conditional",
        "rules": [
            {"if": "age >= 65", "distribution": FIXED},
            {"if": "severty == 'controlled'", "distribution": FIXED},
        ],
        "default": FIXED,
    }
    error = error_of(spec, attributes=["age", "severity", "sex"], path=("a1c",))
    assert error.path == ("a1c", "rules", 1, "if")
    assert "unknown attribute 'severty'" in str(error)
    assert "did you mean 'severity'?" in str(error)


def test_unquoted_text_value_in_a_condition_gets_a_quoting_hint():
    spec = {"type": "conditional", "rules": [{"if": "sex == F", "distribution": FIXED}]}
    error = error_of(spec, attributes=["age", "sex"])
    assert "unknown attribute 'F'" in str(error)
    assert "needs quotes" in str(error)


def test_unknown_attribute_in_a_structured_condition():
    spec = {
        "type": "conditional",
        "rules": [{"if": {"attribute": "sexx", "value": "F"}, "distribution": FIXED}],
    }
    error = error_of(spec, attributes=["age", "sex"])
    assert error.path == ("rules", 0, "if")
    assert "did you mean 'sex'?" in str(error)


def test_unknown_structured_operator():
    spec = {
        "type": "conditional",
        "rules": [{"if": {"attribute": "age", "op": "=>", "value": 65}, "distribution": FIXED}],
    }
    error = error_of(spec, attributes=["age"])
    assert error.path == ("rules", 0, "if", "op")
    assert "unknown operator '=>'" in str(error)


@pytest.mark.parametrize(
    "params",
    [
        {"mean": 5000, "sigma": 1.0},
        {"mu": 8.0, "std_dev": 8000},
        {"mean": 5000, "std_dev": 1, "mu": 1},
    ],
)
def test_mixed_log_normal_parameters(params):
    error = error_of({"type": "log_normal", **params}, path=("cost",))
    assert str(error) == "cost: give either mean/std_dev or mu/sigma, not a mix"


def test_incomplete_log_normal_parameters():
    assert "mean and std_dev go together" in str(error_of({"type": "log_normal", "mean": 5}))
    assert "needs mean/std_dev or mu/sigma" in str(error_of({"type": "log_normal"}))


def test_unknown_field_typo_names_the_field_and_suggests_the_right_one():
    error = error_of({"type": "normal", "mean": 72, "std_dv": 8}, path=("age",))
    assert error.path == ("age", "std_dv")
    assert "unknown field" in str(error)
    assert "did you mean 'std_dev'?" in str(error)


def test_unknown_optional_field_is_named():
    error = error_of({"type": "normal", "mean": 72, "std_dev": 8, "minimum": 0})
    assert str(error).startswith("minimum: unknown field")


def test_nested_errors_carry_the_full_path():
    spec = {
        "type": "mixture",
        "components": [
            {"weight": 0.5, "distribution": FIXED},
            {"weight": 0.5, "distribution": {"type": "normal", "mean": 1, "std_dev": -1}},
        ],
    }
    error = error_of(spec, path=("los",))
    assert str(error).startswith("los.components[1].distribution.std_dev: ")


@pytest.mark.parametrize("label", ["eighteen+", "18_64", "64-18", "-5", "65++"])
def test_bad_age_band_label(label):
    error = error_of({"type": "age_bands", "bands": {"0-9": 0.5, label: 0.5}}, path=("age",))
    assert error.path == ("age", "bands")
    assert repr(label) in str(error) or label in str(error)


def test_overlapping_age_bands():
    spec = {"type": "age_bands", "bands": {"0-20": 0.5, "18-64": 0.5}}
    assert "overlap" in str(error_of(spec))
    same_start = {"type": "age_bands", "bands": {"65-70": 0.5, "65+": 0.5}}
    assert "overlap" in str(error_of(same_start))


def test_explicit_with_partial_weights():
    spec = {"type": "explicit", "values": [{"value": "a", "weight": 1.0}, {"value": "b"}]}
    error = error_of(spec, path=("code",))
    assert str(error) == "code.values: either every value has a weight or none has"
    mixed = {"type": "explicit", "values": [{"value": "a", "weight": 1.0}, "b"]}
    assert error_of(mixed).path == ("values",)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"type": "normal", "mean": "X", "std_dev": 1}, "mean"),
        ({"type": "normal", "mean": 1, "std_dev": "X"}, "std_dev"),
        ({"type": "normal", "mean": 1, "std_dev": 1, "min": "X"}, "min"),
        ({"type": "uniform", "min": 0, "max": "X"}, "max"),
        ({"type": "poisson", "mean": "X"}, "mean"),
        ({"type": "gamma", "shape": "X", "scale": 1}, "shape"),
        ({"type": "log_normal", "mu": "X", "sigma": 1}, "mu"),
        ({"type": "categorical", "weights": {"a": "X"}}, "weights"),
    ],
    ids=lambda v: v if isinstance(v, str) else v["type"],
)
def test_nan_and_infinite_parameters(spec, field, bad):
    spec = {k: ({"a": bad} if v == {"a": "X"} else bad if v == "X" else v) for k, v in spec.items()}
    error = error_of(spec)
    assert error.path[0] == field
    assert str(error).startswith(field)


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "normal", "mean": 0, "std_dev": 1, "min": 40, "max": 41},
        {"type": "normal", "mean": 0, "std_dev": 1, "max": -40},
        {"type": "normal", "mean": 0, "std_dev": 1, "min": 5, "max": 5},
        {"type": "normal", "mean": 0, "std_dev": 0, "min": 5, "max": 6},
        {"type": "gamma", "shape": 2, "scale": 1, "min": 60},
        {"type": "exponential", "mean": 1, "min": 100},
        {"type": "log_normal", "mu": 0, "sigma": 1, "max": 0},
        {"type": "log_normal", "mu": 0, "sigma": 1, "min": -1},
        {"type": "triangular", "min": 0, "mode": 5, "max": 3},
        {"type": "empirical", "edges": [0, 2, 1], "weights": [0.5, 0.5]},
        {"type": "empirical", "edges": [0, 1, 2], "weights": [1.0]},
        {"type": "exponential", "mean": 1, "rate": 1},
        {"type": "gamma", "shape": 1, "mean": 1},
        {"type": "negative_binomial", "mean": 1, "p": 0.5},
        {"type": "negative_binomial", "n": 1, "p": 1.5},
        {"type": "beta", "alpha": 0, "beta": 1},
        {"type": "categorical", "weights": {}},
        {"type": "explicit", "values": []},
        {"type": "conditional", "rules": []},
    ],
    ids=lambda s: s["type"],
)
def test_impossible_parameters_are_spec_errors(spec):
    error_of(spec, path=("x",))


def test_parse_distribution_returns_a_frozen_model():
    model = parse_distribution({"type": "normal", "mean": 1, "std_dev": 2})
    assert parse_distribution(model) is model
    with pytest.raises(ValueError):  # pydantic's frozen-instance error
        model.mean = 3
    assert create_distribution(model).sample(np.random.default_rng(0), 3).shape == (3,)
