"""Fuzzing the condition language (``sim.expressions.compile_condition``): text made of
random tokens and random structured conditions compile or raise SpecError; a compiled
condition evaluates, on one person and on columns, or raises SpecError (a type that does not
fit the values), never another exception."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import SpecError
from sim.expressions import compile_condition

RELIABLE = settings.get_profile("reliability")

NAMES = ["age", "sex", "bmi", "has_E11", "events", ".", "a1c", "value", "x", "é", "__class__"]
OPERATORS = ["==", "!=", "<", ">=", "and", "or", "not", "in", "+", "-", "*", "/", "%", "**", ":"]
OTHERS = ["(", ")", "[", "]", ",", "'", '"', "\\", "\n", " ", "if", "else", "lambda"]
LITERALS = ["'F'", "'M'", "65", "0", "1e308", "-1", "True", "None"]
TOKENS = [*NAMES, *OPERATORS, *OTHERS, *LITERALS]
PERSON = {"age": 70, "sex": "F", "bmi": 31.5, "has_E11": True, "events.a1c.value": 8.1}
COLUMNS = {
    "age": np.array([70, 30, 0]),
    "sex": np.array(["F", "M", "F"]),
    "bmi": np.array([31.5, 22.0, 18.0]),
    "has_E11": np.array([True, False, True]),
    "events.a1c.value": np.array([8.1, 6.0, 9.9]),
}
VALUES = st.one_of(
    st.integers(-5, 200),
    st.text(max_size=3),
    st.floats(),
    st.lists(st.integers(0, 9), max_size=3),
    st.none(),
    st.booleans(),
)
ATOMS = st.sampled_from(["age", "sex", "bmi", "has_E11", "events.a1c.value", "nobody", *LITERALS])
GRAMMAR = st.recursive(
    ATOMS,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(OPERATORS[:4] + OPERATORS[8:14]), inner).map(" ".join),
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(" ".join),
        inner.map(lambda text: f"not ({text})"),
        inner.map(lambda text: f"({text})"),
        st.tuples(inner, st.lists(st.sampled_from(LITERALS), max_size=3)).map(
            lambda p: f"{p[0]} in [{', '.join(p[1])}]"
        ),
    ),
    max_leaves=6,
)
STRUCTURED = st.recursive(
    st.fixed_dictionaries(
        {
            "attribute": st.sampled_from(["age", "sex", "bmi", "events.a1c.value", "1a", ""]),
            "value": VALUES,
        },
        optional={"op": st.sampled_from(["==", "<", ">=", "in", "not in", "=>", None, 5])},
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: {"all": items}),
        st.lists(inner, max_size=3).map(lambda items: {"any": items}),
        inner.map(lambda item: {"not": item}),
    ),
    max_leaves=8,
)


def compile_and_evaluate(condition: Any, tally, category: str) -> None:
    try:
        expression = compile_condition(condition, path=("conditions",))
    except SpecError as error:
        assert error.path[:1] == ("conditions",)
        tally["fuzzing", category, "refused (SpecError)"] += 1
        return
    try:
        one = expression.evaluate(lambda name: PERSON[name])
        columns = expression.evaluate_columns(COLUMNS, 3)
    except SpecError as error:  # a type that does not fit the values
        assert error.path == ("conditions",) and "cannot evaluate condition" in error.message
        tally["fuzzing", category, "compiled, refused on values"] += 1
        return
    except KeyError:  # a name nobody has: loaders check names against the attributes first
        tally["fuzzing", category, "compiled, unknown name"] += 1
        return
    assert columns.shape == (3,) and columns.dtype == bool
    assert bool(one) == bool(columns[0])  # the first column is this person
    tally["fuzzing", category, "compiled and evaluated"] += 1


@settings(RELIABLE, max_examples=400)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12).map(" ".join))
def test_token_soup_compiles_or_raises_spec_error(tally, text):
    compile_and_evaluate(text, tally, "conditions (token soup)")


@settings(RELIABLE, max_examples=300)
@given(STRUCTURED)
def test_structured_conditions_compile_or_raise_spec_error(tally, condition):
    compile_and_evaluate(condition, tally, "conditions (structured)")


@settings(RELIABLE, max_examples=400)
@given(GRAMMAR)
def test_grammatical_conditions_compile_or_raise_spec_error(tally, text):
    compile_and_evaluate(text, tally, "conditions (grammar)")
