"""The one error type every spec loader raises: a message with the exact place it applies to."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

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
    model: type[BaseModel] | None = None,
) -> SpecError:
    """Turns pydantic's report into one located SpecError (the first problem; the count of others).

    ``data`` is the validated input: with it, the tags that discriminated unions insert in the
    location (``age.normal.std_dev``) are recognised and dropped (``age.std_dev``). ``model``,
    the model validated: an unknown field then gets the closest field of its place as a hint.
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
        if hint is None and model is not None:
            hint = did_you_mean(str(first["loc"][-1]), _fields_at(model, parent))
    if first["type"] == "union_tag_invalid":
        path.append("type")
    if first["type"] == "union_tag_not_found":
        hint = _tag_hint(first)
    if len(problems) > 1:
        more = len(problems) - 1
        hint = f"{hint}; " if hint else ""
        hint += f"and {more} more problem{'s' if more > 1 else ''}"
    return SpecError(message, path=(*prefix, *path), source=source, hint=hint)


def _fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The fields of the model found at ``loc`` inside ``model``, through nested models,
    lists, mappings, optional fields and unions told apart by their ``type`` (pydantic puts the
    tag in the location); none where the way is not that plain."""
    current, parts = model, list(loc)
    while parts:
        part = parts.pop(0)
        if isinstance(part, int):
            continue  # an item of a list of models
        fields = current.model_fields
        field = fields.get(part) or next((f for f in fields.values() if f.alias == part), None)
        annotation = None if field is None else field.annotation
        values = _mapping_values(annotation)
        if values is not None and parts:  # a mapping of models: the next part is its key
            annotation, parts = values, parts[1:]
        models = _models_in(annotation)
        if len(models) > 1 and parts:
            models = [m for m in models if _tag_of(m) == parts[0]]
            parts = parts[1:]
        if len(models) != 1:
            return []
        current = models[0]
    return [field.alias or name for name, field in current.model_fields.items()]


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The models inside ``X``, ``X | None``, ``list[X]``, ``A | B``, ``Annotated[...]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if get_origin(annotation) in (dict, Mapping):
        return []
    return list(dict.fromkeys(m for arg in get_args(annotation) for m in _models_in(arg)))


def _mapping_values(annotation: Any) -> Any:
    """``V`` of ``dict[K, V]`` (or of ``dict[K, V] | None``), else None."""
    if get_origin(annotation) in (dict, Mapping):
        return get_args(annotation)[1]
    mappings = [arg for arg in get_args(annotation) if get_origin(arg) in (dict, Mapping)]
    return get_args(mappings[0])[1] if len(mappings) == 1 else None


def _tag_of(model: type[BaseModel]) -> Any:
    field = model.model_fields.get("type")
    tags = get_args(field.annotation) if field is not None else ()
    return tags[0] if len(tags) == 1 else None


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
