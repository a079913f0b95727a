"""The table of parameters the handlers read (handlers/parameters.py): one test per kind of
rule, and the draws of distributions checked against a rule."""

from __future__ import annotations

import pytest

from handlers.parameters import (
    CODE,
    DAYS_SUPPLY,
    GRADE,
    QUANTITY,
    TEXT,
    YES_NO,
    ValueRule,
    draws_problem,
    rules_of,
)
from sim.distributions import create_distribution

DOSING = rules_of("trialsim", "randomization")["dosing"]
PERIOD = {"from_day": 1, "dose": 0.5, "unit": "mg", "form": "INJECTION", "frequency": "QD",
          "route": "ORAL"}  # fmt: skip


def test_no_value_is_always_accepted():
    for rule in (TEXT, CODE, QUANTITY, GRADE, YES_NO, DOSING):
        assert rule.problem(None) is None


def test_a_text_is_a_str():
    assert TEXT.problem("voluntary") is None
    assert TEXT.problem("") is None
    for value in (7, 1.5, True, ["a"], {"a": 1}):
        assert TEXT.problem(value) == f"{value!r} is not a text"


def test_a_text_with_choices_is_one_of_them():
    assert YES_NO.problem("Y") is None
    assert YES_NO.problem("yes") == "'yes' is not one of Y, N"
    assert YES_NO.problem(True) == "True is not one of Y, N"


def test_a_code_is_a_text_or_a_whole_number():
    assert CODE.problem("E11.9") is None
    assert CODE.problem(99213) is None  # cpt: 99213 unquoted, read as its digits
    assert CODE.problem(250.1) == "250.1 is not a code (a text, or a whole number); quote it"
    assert CODE.problem(True) is not None
    assert CODE.problem(["3639", "3002"]) is not None


def test_a_number_is_in_its_range():
    assert QUANTITY.problem(30) is None
    assert QUANTITY.problem(2.5) is None
    assert QUANTITY.problem(0.001) is None
    assert QUANTITY.problem(999_999) is None
    expected = "is not a number from 0.001 to 999,999"
    for value in (0, -1, 5e-324, 1e6, 1e308, 2**63 - 1):
        assert QUANTITY.problem(value) == f"{value!r} {expected}"
    for value in ("30", "x", True, [30]):
        assert QUANTITY.problem(value) == f"{value!r} {expected}"
    assert DAYS_SUPPLY.problem(365) is None
    assert DAYS_SUPPLY.problem(366) == "366 is not a number from 1 to 365"


def test_a_whole_number_is_whole_and_in_its_range():
    assert GRADE.problem(3) is None
    assert GRADE.problem(3.0) is None
    assert GRADE.problem(" 3") is None  # the trial handler reads digits as the number
    for value in (0, 6, 2.5, 1e308, "x", "-3", "²", "3.0", True):
        assert GRADE.problem(value) == f"{value!r} is not a whole number from 1 to 5"
    plain = ValueRule("whole", 0, 10)
    assert plain.problem("3") == "'3' is not a whole number from 0 to 10"


def test_dosing_is_a_list_of_protocol_dosing_periods():
    assert DOSING.problem([PERIOD]) is None
    assert DOSING.problem("QD").startswith("'QD' is not a list of dosing periods")
    assert DOSING.problem([PERIOD, 7]).startswith("[{")
    problem = DOSING.problem([{**PERIOD, "frequency": "hourly"}])
    assert problem.startswith("dosing period 0: frequency: ")
    assert DOSING.problem([{k: v for k, v in PERIOD.items() if k != "from_day"}]).startswith(
        "dosing period 0: from_day: Field required"
    )


def test_unknown_names_and_events_have_no_rule():
    assert "notes" not in rules_of("patientsim", "medication_order")
    assert rules_of("patientsim", "note") == {}
    # oncology journeys list the regimen's drugs on an administration, which no handler reads
    assert "rxnorm" not in rules_of("patientsim", "medication_administration")


def _draws(rule: ValueRule, spec: dict, digits: int | None = None) -> str | None:
    return draws_problem(rule, create_distribution(spec, path=()), digits)


def test_draws_of_categories_are_checked_one_by_one():
    grades = {"type": "categorical", "weights": {"1": 0.6, "2": 0.4}}
    assert _draws(GRADE, grades) is None
    assert _draws(GRADE, {"type": "categorical", "weights": {"1": 0.6, "9": 0.4}}) is not None
    assert _draws(GRADE, {"type": "categorical", "weights": {"1": 1.0, "9": 0.0}}) is None
    # a categorical draws texts: a quantity must be drawn as numbers
    assert _draws(QUANTITY, {"type": "categorical", "weights": {"30": 1.0}}) == (
        "'30' is not a number from 0.001 to 999,999"
    )
    assert _draws(QUANTITY, {"type": "explicit", "values": [30, 60]}) is None
    assert _draws(QUANTITY, {"type": "fixed", "value": 0}) is not None


def test_draws_of_a_continuous_distribution_stay_in_the_range():
    assert _draws(QUANTITY, {"type": "uniform", "min": 10, "max": 90}) is None
    assert _draws(QUANTITY, {"type": "gamma", "shape": 2, "scale": 3}) == (
        "the distribution draws from 0 to inf; expected a number from 0.001 to 999,999 "
        "(truncate it with min and max)"
    )
    truncated = {"type": "gamma", "shape": 2, "scale": 3, "min": 1, "max": 90}
    assert _draws(QUANTITY, truncated) is None
    assert _draws(TEXT, {"type": "uniform", "min": 1, "max": 2}) == (
        "the distribution draws numbers; expected a text"
    )


def test_draws_of_a_whole_number_are_whole():
    uniform = {"type": "uniform", "min": 1, "max": 5}
    assert _draws(GRADE, uniform) == (
        "the distribution draws fractions; expected a whole number from 1 to 5 (add round: 0)"
    )
    assert _draws(GRADE, uniform, digits=0) is None
    # rounding moves the bounds as the engine does: 0.6 becomes 1, 5.4 becomes 5
    assert _draws(GRADE, {"type": "uniform", "min": 0.6, "max": 5.4}, digits=0) is None
    assert _draws(GRADE, {"type": "uniform", "min": 0.4, "max": 5}, digits=0) is not None
    assert _draws(GRADE, {"type": "poisson", "mean": 2}) is not None  # unbounded


def test_draws_of_mixtures_and_conditionals_are_checked_per_branch():
    fine = {"type": "uniform", "min": 1, "max": 30}
    wide = {"type": "uniform", "min": 1, "max": 900}
    mixture = {"type": "mixture", "components": [{"weight": 0.5, "distribution": fine},
                                                {"weight": 0.5, "distribution": wide}]}  # fmt: skip
    assert _draws(DAYS_SUPPLY, mixture) is not None
    rules = {"type": "conditional", "rules": [{"if": "age > 65", "distribution": fine}]}
    assert _draws(DAYS_SUPPLY, {**rules, "default": fine}) is None
    assert _draws(DAYS_SUPPLY, {**rules, "default": wide}) is not None


@pytest.mark.parametrize("rule", [TEXT, CODE, QUANTITY, GRADE, YES_NO, DOSING])
def test_every_rule_says_what_it_expects(rule):
    assert rule.expected()
    assert rule.expected() in (rule.problem(object()) or "")
