"""JSON Schema export: a valid Draft 2020-12 schema that every example spec satisfies."""

from __future__ import annotations

import json

import jsonschema
import pytest

from sim.distributions import create_distribution, distribution_json_schema

FIXED = {"type": "fixed", "value": 1}


def normal(mean: float, std_dev: float) -> dict:
    return {"type": "normal", "mean": mean, "std_dev": std_dev}


def fixed(value: object) -> dict:
    return {"type": "fixed", "value": value}


EXAMPLES: list[dict] = [
    {"type": "categorical", "weights": {"F": 0.51, "M": 0.49}},
    normal(72, 8),
    {"type": "normal", "mean": 72, "std_dev": 8, "min": 65, "max": 95},
    {"type": "log_normal", "mean": 5000, "std_dev": 8000},
    {"type": "log_normal", "mu": 7.88, "sigma": 1.13, "min": 50, "max": 250000},
    {"type": "uniform", "min": 0, "max": 30},
    {"type": "age_bands", "bands": {"0-17": 0.22, "18-64": 0.61, "65+": 0.17}},
    {"type": "age_bands", "bands": {"65-74": 0.6, "75+": 0.4}, "open_band_max": 100},
    {"type": "explicit", "values": ["E11.9", "E11.65", "E11.22"]},
    {"type": "explicit", "values": [{"value": 30, "weight": 0.8}, {"value": 90, "weight": 0.2}]},
    {
        "type": "conditional",
        "rules": [
            {"if": "severity == 'uncontrolled'", "distribution": normal(9.5, 1)},
            {"if": {"attribute": "age", "op": ">=", "value": 65}, "distribution": FIXED},
            {
                "if": {"all": [{"attribute": "sex", "value": "F"}, {"not": "age < 18"}]},
                "distribution": FIXED,
            },
        ],
        "default": normal(5.4, 0.3),
    },
    {"type": "fixed", "value": "pending"},
    {"type": "fixed", "value": 30},
    {"type": "exponential", "mean": 14},
    {"type": "exponential", "rate": 0.1, "min": 1, "max": 60},
    {"type": "gamma", "shape": 2, "scale": 3},
    {"type": "gamma", "mean": 4.5, "std_dev": 2, "max": 30},
    {"type": "weibull", "shape": 1.5, "scale": 200},
    {"type": "triangular", "min": 1, "mode": 3, "max": 10},
    {"type": "poisson", "mean": 3.2},
    {"type": "negative_binomial", "mean": 4, "dispersion": 1.2},
    {"type": "negative_binomial", "n": 3, "p": 0.4},
    {"type": "beta", "alpha": 8, "beta": 2},
    {"type": "empirical", "edges": [0, 1, 3, 7, 30], "weights": [0.4, 0.3, 0.2, 0.1]},
    {
        "type": "mixture",
        "components": [
            {"weight": 0.3, "distribution": fixed(0)},
            {"weight": 0.7, "distribution": {"type": "log_normal", "mean": 900, "std_dev": 1500}},
        ],
    },
]

ALL_TYPES = {
    "categorical",
    "normal",
    "log_normal",
    "uniform",
    "age_bands",
    "explicit",
    "conditional",
    "fixed",
    "exponential",
    "gamma",
    "weibull",
    "triangular",
    "poisson",
    "negative_binomial",
    "beta",
    "empirical",
    "mixture",
}


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(distribution_json_schema())


def test_schema_is_valid_draft_2020_12_and_json_serialisable():
    schema = distribution_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert json.loads(json.dumps(schema)) == schema


def test_examples_cover_every_type():
    assert {spec["type"] for spec in EXAMPLES} == ALL_TYPES


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda s: s["type"])
def test_every_example_validates_against_the_schema_and_compiles(spec):
    errors = list(validator().iter_errors(spec))
    assert errors == []
    create_distribution(spec, attributes=["age", "sex", "severity"])


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "bogus"},
        {"type": "normal", "mean": 1},
        {"type": "normal", "mean": 1, "std_dev": -1},
        {"type": "normal", "mean": 1, "std_dev": 1, "std_dv": 1},
        {"type": "categorical", "weights": {"a": -0.5}},
        {"type": "mixture", "components": [{"weight": 1, "distribution": {"type": "bogus"}}]},
    ],
)
def test_schema_rejects_structurally_invalid_specs(spec):
    assert not validator().is_valid(spec)
