"""A small, safe expression language for conditions: parsed with ``ast``, never evaluated by Python.

``severity == 'controlled' and age >= 65`` or ``events.a1c.value > 9`` compile to a tree of
whitelisted operations. The same tree evaluates on one entity (scalars) or on a column of
entities at once (numpy arrays). Structured conditions (``{attribute, op, value}``,
``{all: [...]}``, ``{any: [...]}``, ``{not: ...}``) compile to the same tree.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.errors import SpecError, did_you_mean

__all__ = ["Expression", "compile_condition", "compile_expression"]

MAX_EXPRESSION_CHARS = 2_000
MAX_DEPTH = 50

Lookup = Callable[[str], Any]
Node = Callable[[Lookup], Any]

_COMPARE_SCALAR = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Mod: operator.mod,
}
_STRUCTURED_OPS = {
    "==": ast.Eq,
    "!=": ast.NotEq,
    "<": ast.Lt,
    "<=": ast.LtE,
    ">": ast.Gt,
    ">=": ast.GtE,
    "in": ast.In,
    "not in": ast.NotIn,
}


@dataclass(frozen=True)
class Expression:
    """A compiled condition; ``names`` are the attributes (dotted paths) it reads.

    A condition that cannot be evaluated on the values it meets (a text compared with a
    number, a division by zero) raises a SpecError naming the condition and its field."""

    text: str
    names: frozenset[str]
    _scalar: Node
    _vector: Node
    path: tuple = ()

    def evaluate(self, lookup: Lookup | Mapping[str, Any]) -> Any:
        """Evaluates on one entity; ``lookup`` maps a name to its value."""
        try:
            return self._scalar(_as_lookup(lookup))
        except (TypeError, ValueError, ArithmeticError) as error:
            raise self._cannot(error) from None

    def evaluate_columns(self, columns: Mapping[str, np.ndarray], size: int) -> np.ndarray:
        """Evaluates on ``size`` entities at once; returns a boolean array."""
        try:
            result = self._vector(_as_lookup(columns))
        except (TypeError, ValueError, ArithmeticError) as error:
            raise self._cannot(error) from None
        return np.broadcast_to(np.asarray(result, dtype=bool), (size,))

    def _cannot(self, error: Exception) -> SpecError:
        return SpecError(
            f"cannot evaluate condition {_quoted(self.text)}: {error}",
            path=self.path,
            hint="check the types of the attributes it reads",
        )

    def check_names(self, known: Collection[str], *, path: tuple = ()) -> None:
        """Raises a located SpecError for a name that no attribute provides."""
        for name in sorted(self.names):
            if name not in known and name.split(".", 1)[0] not in known:
                hint = did_you_mean(name, known) or (
                    f"a text value needs quotes: '{name}'" if "." not in name else None
                )
                raise SpecError(
                    f"unknown attribute '{name}' in condition {_quoted(self.text)}",
                    path=path,
                    hint=hint,
                )


def _quoted(text: str, limit: int = 100) -> str:
    """A condition as messages show it: quoted, and cut short if long."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}..."


def _as_lookup(source: Lookup | Mapping[str, Any]) -> Lookup:
    if callable(source):
        return source
    return source.__getitem__


def compile_expression(text: str, *, path: tuple = ()) -> Expression:
    """Parses ``text``; a syntax error or a forbidden construct raises a located SpecError."""
    if not isinstance(text, str) or not text.strip():
        raise SpecError("a condition must be a non-empty string", path=path)
    if len(text) > MAX_EXPRESSION_CHARS:
        raise SpecError(f"condition longer than {MAX_EXPRESSION_CHARS} characters", path=path)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError) as exc:
        raise SpecError(f"cannot parse condition {_quoted(text)}: {exc}", path=path) from None
    builder = _Builder(text, path)
    scalar = builder.build(tree.body, vector=False)
    vector = builder.build(tree.body, vector=True)
    return Expression(text, frozenset(builder.names), scalar, vector, tuple(path))


def compile_condition(condition: str | Mapping[str, Any], *, path: tuple = ()) -> Expression:
    """Compiles either form: a text expression or a structured condition."""
    if isinstance(condition, str):
        return compile_expression(condition, path=path)
    return compile_expression(structured_to_text(condition, path=path), path=path)


def structured_to_text(condition: Mapping[str, Any], *, path: tuple = (), depth: int = 0) -> str:
    if depth > MAX_DEPTH:
        raise SpecError("structured condition nested too deeply", path=path)
    if not isinstance(condition, Mapping) or len(condition) == 0:
        raise SpecError("a condition must be a text or a mapping", path=path)
    keys = set(condition)
    for group, joiner in (("all", " and "), ("any", " or ")):
        if keys == {group}:
            parts = condition[group]
            if not isinstance(parts, list) or not parts:
                raise SpecError(f"'{group}' takes a non-empty list", path=(*path, group))
            texts = [
                structured_to_text(p, path=(*path, group, i), depth=depth + 1)
                if not isinstance(p, str)
                else p
                for i, p in enumerate(parts)
            ]
            return "(" + joiner.join(f"({t})" for t in texts) + ")"
    if keys == {"not"}:
        inner = condition["not"]
        if isinstance(inner, str):
            return f"(not ({inner}))"
        return f"(not ({structured_to_text(inner, path=(*path, 'not'), depth=depth + 1)}))"
    known = ("attribute", "op", "value", "all", "any", "not")
    unknown = sorted(str(key) for key in keys if key not in known)
    if unknown or "attribute" not in keys or "value" not in keys:
        raise SpecError(
            f"unknown field '{unknown[0]}'" if unknown else "missing 'attribute' or 'value'",
            path=path,
            hint=(did_you_mean(unknown[0], known) if unknown else None)
            or "a structured condition has 'attribute', 'op' and 'value', or 'all'/'any'/'not'",
        )
    op = condition.get("op", "==")
    if not isinstance(op, str) or op not in _STRUCTURED_OPS:
        raise SpecError(
            f"unknown operator {op!r}",
            path=(*path, "op"),
            hint=did_you_mean(str(op), _STRUCTURED_OPS) or f"one of {', '.join(_STRUCTURED_OPS)}",
        )
    attribute = condition["attribute"]
    if not isinstance(attribute, str) or not _is_dotted_name(attribute):
        raise SpecError(f"'{attribute}' is not an attribute name", path=(*path, "attribute"))
    return f"({attribute} {op} {_literal(condition['value'], (*path, 'value'))})"


def _is_dotted_name(text: str) -> bool:
    return all(part.isidentifier() for part in text.split("."))


def _literal(value: Any, path: tuple) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float) and not math.isfinite(value):
        # repr would be the name 'nan' or 'inf', read as an attribute
        raise SpecError(f"{value} is not a finite number", path=path)
    if isinstance(value, int | float | str):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_literal(v, path) for v in value) + "]"
    raise SpecError(f"unsupported value {value!r} in condition", path=path)


class _Builder:
    """Compiles a whitelisted ast into closures (one tree for scalars, one for columns)."""

    def __init__(self, text: str, path: tuple) -> None:
        self.text = text
        self.path = path
        self.names: set[str] = set()

    def fail(self, what: str) -> SpecError:
        return SpecError(f"{what} is not allowed in condition {_quoted(self.text)}", path=self.path)

    def build(self, node: ast.AST, *, vector: bool, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise SpecError(f"condition {_quoted(self.text)} is nested too deeply", path=self.path)
        sub = lambda n: self.build(n, vector=vector, depth=depth + 1)  # noqa: E731
        if isinstance(node, ast.Constant):
            value = node.value
            if not isinstance(value, str | int | float | bool | type(None)):
                raise self.fail(f"the constant {value!r}")
            return lambda _lookup: value
        if isinstance(node, ast.Name | ast.Attribute):
            name = self._dotted(node)
            self.names.add(name)
            return lambda lookup: lookup(name)
        if isinstance(node, ast.List | ast.Tuple):  # only 'in' takes a list (see _compare)
            raise self.fail("a list outside 'in' / 'not in'")
        if isinstance(node, ast.BoolOp):
            parts = [sub(v) for v in node.values]
            return _bool_op(isinstance(node.op, ast.And), parts, vector)
        if isinstance(node, ast.UnaryOp):
            operand = sub(node.operand)
            if isinstance(node.op, ast.Not):
                if vector:
                    return lambda lookup: np.logical_not(operand(lookup))
                return lambda lookup: not operand(lookup)
            if isinstance(node.op, ast.USub):
                return lambda lookup: -operand(lookup)
            raise self.fail("this unary operator")
        if isinstance(node, ast.BinOp):
            op = _ARITHMETIC.get(type(node.op))
            if op is None:
                raise self.fail("this operator")
            left, right = sub(node.left), sub(node.right)
            if vector:
                return lambda lookup: _strict(op, left(lookup), right(lookup))
            return lambda lookup: op(left(lookup), right(lookup))
        if isinstance(node, ast.Compare):
            return self._compare(node, sub, vector)
        raise self.fail(f"'{type(node).__name__}'")

    def _compare(self, node: ast.Compare, sub: Callable[[ast.AST], Node], vector: bool) -> Node:
        operands = [sub(node.left)]
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn) != isinstance(right, ast.List | ast.Tuple):
                # a single value after 'in' means a substring for one person and equality on
                # a column; a list elsewhere compares element by element
                raise self.fail("'in' without a list, or a list without 'in',")
            if isinstance(right, ast.List | ast.Tuple):
                items = [self._constant(e) for e in right.elts]
                operands.append(lambda _lookup, items=items: items)
            else:
                operands.append(sub(right))
        steps = []
        for i, op in enumerate(node.ops):
            steps.append((_comparison(type(op), vector, self), operands[i], operands[i + 1]))

        def chain(lookup: Lookup) -> Any:
            result: Any = True
            for compare, left, right in steps:
                value = compare(left(lookup), right(lookup))
                result = np.logical_and(result, value) if vector else (result and value)
            return result

        if len(steps) == 1:
            compare, left, right = steps[0]
            return lambda lookup: compare(left(lookup), right(lookup))
        return chain

    def _dotted(self, node: ast.AST) -> str:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            raise self.fail("this expression")
        parts.append(node.id)
        if any(part.startswith("__") for part in parts):
            raise self.fail(f"the name '{'.'.join(reversed(parts))}'")
        return ".".join(reversed(parts))

    def _constant(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant) and isinstance(node.value, str | int | float | bool):
            return node.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self._constant(node.operand)
        raise self.fail("a list item that is not a constant")


def _bool_op(is_and: bool, parts: list[Node], vector: bool) -> Node:
    if vector:
        combine = np.logical_and if is_and else np.logical_or

        def columns(lookup: Lookup) -> Any:
            result = parts[0](lookup)
            for part in parts[1:]:
                result = combine(result, part(lookup))
            return result

        return columns
    if is_and:
        return lambda lookup: all(bool(p(lookup)) for p in parts)
    return lambda lookup: any(bool(p(lookup)) for p in parts)


def _comparison(op: type, vector: bool, builder: _Builder) -> Callable[[Any, Any], Any]:
    if op in _COMPARE_SCALAR:
        compare = _COMPARE_SCALAR[op]
        if vector:
            return lambda a, b: compare(np.asarray(a), b)
        return _none_safe(compare)
    if op in (ast.In, ast.NotIn):
        negate = op is ast.NotIn
        if vector:
            return lambda a, b: np.isin(a, b, invert=negate)
        return lambda a, b: (a not in b) if negate else (a in b)
    raise builder.fail("this comparison")


def _strict(op: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
    """Column arithmetic that fails where Python's does (x / 0), as one person's would."""
    with np.errstate(divide="raise", invalid="raise"):
        return op(a, b)


def _none_safe(compare: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """Ordering against a missing value (None) is False; other types that do not compare
    (a text and a number) are an error, as they are on columns."""

    def safe(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return compare(a, b) if compare in (operator.eq, operator.ne) else False
        return compare(a, b)

    return safe
