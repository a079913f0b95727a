"""The safe condition language: what it accepts, what it refuses, and scalar == vector results."""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import SpecError
from sim.expressions import compile_condition, compile_expression

COLUMNS = {
    "age": np.array([10, 17, 18, 40, 64, 65, 80, 95]),
    "severity": np.array(
        ["none", "controlled", "uncontrolled", "controlled", "none", "controlled", "none", "x"]
    ),
    "bmi": np.array([18.5, 22.0, 31.0, 27.5, 35.0, 24.9, 30.0, 40.0]),
    "insured": np.array([True, False, True, True, False, True, True, False]),
    "events.a1c.value": np.array([5.0, 6.1, 9.5, 7.2, 10.1, 6.5, 8.0, 12.0]),
}
SIZE = 8


def scalar_rows() -> list[dict]:
    return [{name: column[i].item() for name, column in COLUMNS.items()} for i in range(SIZE)]


def both_modes(text: str) -> list[bool]:
    """Evaluates ``text`` on every row, scalar and vector, and checks they agree."""
    expression = compile_expression(text)
    vector = expression.evaluate_columns(COLUMNS, SIZE)
    assert vector.dtype == bool and vector.shape == (SIZE,)
    scalar = [bool(expression.evaluate(row)) for row in scalar_rows()]
    assert scalar == vector.tolist(), text
    return scalar


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("age >= 65", [0, 0, 0, 0, 0, 1, 1, 1]),
        ("severity == 'controlled' and age >= 65", [0, 0, 0, 0, 0, 1, 0, 0]),
        ("severity == 'uncontrolled' or bmi > 34", [0, 0, 1, 0, 1, 0, 0, 1]),
        ("not insured", [0, 1, 0, 0, 1, 0, 0, 1]),
        ("not (age < 18)", [0, 0, 1, 1, 1, 1, 1, 1]),
        ("18 <= age < 65", [0, 0, 1, 1, 1, 0, 0, 0]),
        ("10 < age <= 65 != age", [0, 1, 1, 1, 1, 0, 0, 0]),
        ("severity in ['controlled', 'uncontrolled']", [0, 1, 1, 1, 0, 1, 0, 0]),
        ("severity in ('none',)", [1, 0, 0, 0, 1, 0, 1, 0]),
        ("severity not in ['none', 'x']", [0, 1, 1, 1, 0, 1, 0, 0]),
        ("age in [10, 95]", [1, 0, 0, 0, 0, 0, 0, 1]),
        ("age + 5 >= 70", [0, 0, 0, 0, 0, 1, 1, 1]),
        ("age * 2 - 1 > 100", [0, 0, 0, 0, 1, 1, 1, 1]),
        ("age / 5 == 13", [0, 0, 0, 0, 0, 1, 0, 0]),
        ("age % 2 == 0", [1, 0, 1, 1, 1, 0, 1, 0]),
        ("-age < -64", [0, 0, 0, 0, 0, 1, 1, 1]),
        ("age - -1 == 18", [0, 1, 0, 0, 0, 0, 0, 0]),
        ("events.a1c.value > 9", [0, 0, 1, 0, 1, 0, 0, 1]),
        ("insured == True and (age < 18 or bmi >= 30)", [1, 0, 1, 0, 0, 0, 1, 0]),
        ("bmi >= 25 and bmi < 30 or severity == 'x'", [0, 0, 0, 1, 0, 0, 0, 1]),
        ("True", [1] * 8),
        ("age != age", [0] * 8),
    ],
)
def test_scalar_and_vector_modes_agree(text, expected):
    assert both_modes(text) == [bool(v) for v in expected]


def test_names_are_the_attributes_read():
    expression = compile_expression("severity == 'controlled' and events.a1c.value > 9 or age > 1")
    assert expression.names == frozenset({"severity", "events.a1c.value", "age"})


def test_lookup_may_be_a_function():
    expression = compile_expression("labs.ldl >= 160")
    values = {"labs.ldl": 171}
    assert expression.evaluate(values.get) is True


def test_ordering_against_a_missing_value_is_false():
    assert compile_expression("age > 65").evaluate({"age": None}) is False
    assert compile_expression("age == None").evaluate({"age": None}) is True


@pytest.mark.parametrize(
    "text",
    [
        "len(severity) > 3",
        "__import__('os').system('true')",
        "age.__class__",
        "age.__class__.__bases__",
        "__builtins__",
        "(lambda: 1)()",
        "lambda: 1",
        "severity[0] == 'c'",
        "[a for a in ages]",
        "{a for a in ages}",
        "{'a': 1}",
        "age if insured else 0",
        "(x := 1)",
        "age ** 2 > 100",
        "age // 2 == 1",
        "age << 2",
        "age & 1",
        "~age",
        "+age",
        "age is None",
        "f'{age}' == '1'",
        "b'x' == severity",
        "[age] == [1]",
        "age in [bmi]",
        "...",
        "1j == 1",
        "await age",
        "severity.upper() == 'X'",
    ],
)
def test_forbidden_constructs_are_rejected(text):
    with pytest.raises(SpecError) as caught:
        compile_expression(text, path=("rules", 0, "if"))
    assert str(caught.value).startswith("rules[0].if: ")


@pytest.mark.parametrize("text", ["age >=", "age = 65", "and age", "", "   ", "age >= 65)"])
def test_syntax_errors_are_spec_errors(text):
    with pytest.raises(SpecError, match="condition"):
        compile_expression(text, path=("if",))


def test_overlong_and_deeply_nested_expressions_are_refused():
    with pytest.raises(SpecError, match="longer than"):
        compile_expression("age > 1 and " * 300 + "age > 1")
    with pytest.raises(SpecError, match="nested too deeply"):
        compile_expression("-" * 60 + "age > 1")


def test_check_names_hints():
    expression = compile_expression("agee >= 65")
    with pytest.raises(SpecError, match=r"did you mean 'age'\?"):
        expression.check_names({"age", "sex"}, path=("if",))
    compile_expression("events.a1c.value > 9").check_names({"events", "age"})  # a known prefix


def test_structured_condition_equals_its_text_form():
    structured = {
        "all": [
            {"attribute": "severity", "op": "==", "value": "controlled"},
            {"any": [{"attribute": "age", "op": ">=", "value": 65}, {"not": "insured"}]},
        ]
    }
    text = "severity == 'controlled' and (age >= 65 or not insured)"
    compiled = compile_condition(structured)
    assert compiled.names == frozenset({"severity", "age", "insured"})
    assert compiled.evaluate_columns(COLUMNS, SIZE).tolist() == both_modes(text)
    assert [compiled.evaluate(row) for row in scalar_rows()] == both_modes(text)


def test_structured_condition_default_op_and_in():
    eq = compile_condition({"attribute": "severity", "value": "none"})
    assert eq.evaluate({"severity": "none"}) is True
    within = compile_condition({"attribute": "age", "op": "in", "value": [10, 17]})
    assert within.evaluate_columns(COLUMNS, SIZE).tolist() == [True, True] + [False] * 6


@pytest.mark.parametrize(
    ("condition", "path"),
    [
        ({"attribute": "age", "op": "=>", "value": 65}, ("if", "op")),
        ({"attribute": "age"}, ("if",)),
        ({"attribute": "age", "value": 1, "extra": 2}, ("if",)),
        ({"attribute": "age()", "value": 1}, ("if", "attribute")),
        ({"attribute": "age", "value": {"a": 1}}, ("if", "value")),
        ({"all": []}, ("if", "all")),
        ({"any": "age > 1"}, ("if", "any")),
        ({}, ("if",)),
    ],
)
def test_bad_structured_conditions(condition, path):
    with pytest.raises(SpecError) as caught:
        compile_condition(condition, path=("if",))
    assert caught.value.path == path


def test_vector_result_broadcasts_constants():
    assert compile_expression("1 < 2").evaluate_columns({}, 4).tolist() == [True] * 4
