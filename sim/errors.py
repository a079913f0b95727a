"""The one error type every spec loader raises: a message with the exact place it applies to."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

__all__ = ["SpecError", "closest", "did_you_mean", "format_path", "from_validation_error"]


class SpecError(ValueError):
    """Bad input, located: ``source:line: field.path: message (hint)``."""

    def __init__(
        self,
        message: str,
        *,
        path: Sequence[str | int] = (),
        source: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = tuple(path)
        self.source = source
        self.line = line
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source if self.line is None else f"{self.source}:{self.line}")
        if self.path:
            where.append(format_path(self.path))
        text = ": ".join([*where, self.message])
        return f"{text} ({self.hint})" if self.hint else text

    def located(
        self,
        *,
        source: str | None = None,
        prefix: Sequence[str | int] = (),
        line: int | None = None,
    ) -> SpecError:
        """The same error placed inside a larger document (a file, a parent field)."""
        return SpecError(
            self.message,
            path=(*prefix, *self.path),
            source=source or self.source,
            line=line if line is not None else self.line,
            hint=self.hint,
        )


def format_path(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def closest(word: str, choices: Iterable[str]) -> str | None:
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    match = closest(word, choices)
    return f"did you mean '{match}'?" if match else None


def from_validation_error(
    error: ValidationError,
    *,
    data: Any = None,
    source: str | None = None,
    prefix: Sequence[str | int] = (),
) -> SpecError:
    """Turns pydantic's report into one located SpecError (the first problem; the count of others).

    ``data`` is the validated input: with it, the tags that discriminated unions insert in the
    location (``age.normal.std_dev``) are recognised and dropped (``age.std_dev``).
    """
    problems = error.errors(include_url=False)
    # An unknown field usually explains a missing one (a typo): report it first, with a hint.
    problems.sort(key=lambda problem: problem["type"] != "extra_forbidden")
    first = problems[0]
    path = _input_path(first["loc"], data)
    message = _clean_message(first)
    hint = None
    if first["type"] == "extra_forbidden" and first["loc"]:
        parent = tuple(first["loc"][:-1])
        missing = [
            str(p["loc"][-1])
            for p in problems
            if p["type"] == "missing" and p["loc"] and tuple(p["loc"][:-1]) == parent
        ]
        hint = did_you_mean(str(first["loc"][-1]), missing)
    if first["type"] == "union_tag_invalid":
        path.append("type")
    if first["type"] == "union_tag_not_found":
        hint = _tag_hint(first)
    if len(problems) > 1:
        more = len(problems) - 1
        hint = f"{hint}; " if hint else ""
        hint += f"and {more} more problem{'s' if more > 1 else ''}"
    return SpecError(message, path=(*prefix, *path), source=source, hint=hint)


def _input_path(loc: Sequence[str | int], data: Any) -> list[str | int]:
    path: list[str | int] = []
    node, tag_skipped = data, False
    for part in loc:
        if isinstance(part, str) and ("[" in part or part.startswith("function-")):
            continue  # a validator wrapper, not a field
        if (
            not tag_skipped
            and isinstance(node, Mapping)
            and node.get("type") == part
            and isinstance(part, str)
        ):
            tag_skipped = True
            continue
        path.append(part)
        tag_skipped = False
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            node = None
    return path


def _clean_message(problem: dict) -> str:
    message = str(problem["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    if problem["type"] == "union_tag_invalid":
        ctx = problem.get("ctx", {})
        tag = ctx.get("tag", "?")
        expected = ctx.get("expected_tags", "")
        return f"unknown type '{tag}' (expected one of {expected})"
    if problem["type"] == "extra_forbidden":
        return "unknown field"
    if problem["type"] == "union_tag_not_found":
        return f"needs a {problem.get('ctx', {}).get('discriminator', 'type')}"
    return message


def _tag_hint(problem: dict) -> str | None:
    """For a mapping without its ``type``, the key that looks like a misspelt ``type``."""
    tag = str(problem.get("ctx", {}).get("discriminator", "'type'")).strip("'")
    given = problem.get("input")
    if not isinstance(given, Mapping):
        return None
    typo = closest(tag, [str(key) for key in given])
    return f"'{typo}' should be '{tag}'?" if typo else None
