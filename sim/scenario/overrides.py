"""``--set key=value``: change any value of a scenario's data by its dotted path before it is
checked, e.g. ``horizon_days=180``, ``journeys.0.applies_to=has_I10``,
``households.0.members.1.age=50``. Values are read as YAML (``3`` is a number, ``true`` a
boolean, ``[a, b]`` a list); a path that does not exist is an error, so a typo never silently
adds a setting (except a new key of a mapping that exists, which validation then checks)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from sim.errors import SpecError, did_you_mean
from sim.specio import check_values, parse_yaml

__all__ = ["apply_overrides", "parse_override"]


def parse_override(text: str) -> tuple[list[str], Any]:
    if not isinstance(text, str):
        raise SpecError(f"an override is a 'key=value' text, not {text!r}", path=("--set",))
    key, separator, value = text.partition("=")
    if not separator or not key.strip():
        raise SpecError(f"'{text}' is not key=value", path=("--set",))
    try:
        parsed = parse_yaml(value) if value.strip() else ""
    except SpecError as error:
        if error.hint is not None:  # a limit (nesting, aliases), not text that is not YAML
            raise error.located(prefix=("--set", key.strip())) from None
        parsed = value
    return key.strip().split("."), parsed


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """A copy of ``data`` with each ``key=value`` applied, in order."""
    if isinstance(overrides, str):
        raise SpecError(
            "overrides are a list of 'key=value' texts", path=("--set",), hint=f"[{overrides!r}]"
        )
    check_values(data)  # before the copy: it must not recurse into hostile nesting
    out = copy.deepcopy(data)
    for text in overrides:
        path, value = parse_override(text)
        node: Any = out
        for depth, part in enumerate(path[:-1]):
            node = _step(node, part, path[: depth + 1], text)
        last = path[-1]
        if isinstance(node, list):
            node[_index(node, last, path, text)] = value
        elif isinstance(node, dict):
            node[last] = value
        else:
            raise SpecError(f"'{'.'.join(path[:-1])}' holds no fields", path=("--set", text))
    check_values(out)
    return out


def _step(node: Any, part: str, where: list[str], text: str) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, where, text)]
    if isinstance(node, dict):
        if part not in node:
            raise SpecError(
                f"no '{'.'.join(where)}' to change",
                path=("--set", text),
                hint=did_you_mean(part, [str(k) for k in node]),
            )
        return node[part]
    raise SpecError(f"'{'.'.join(where[:-1])}' holds no fields", path=("--set", text))


def _index(node: list, part: str, where: list[str], text: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise SpecError(
            f"'{'.'.join(where)}': the list has items 0 to {len(node) - 1}",
            path=("--set", text),
        )
    return int(part)
