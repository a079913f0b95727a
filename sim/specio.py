"""Reading spec files (YAML or JSON) and finding the shipped ones by name.

Loaders go through here so that every spec gets the same limits and the same located errors.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from sim.errors import SpecError, did_you_mean

__all__ = ["MAX_SPEC_BYTES", "SpecFile", "line_of", "read_spec", "shipped_names", "shipped_path"]

MAX_SPEC_BYTES = 5_000_000
MAX_ALIASES = 100
SPEC_SUFFIXES = (".yaml", ".yml", ".json")


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader that refuses alias bombs (billion laughs) before they expand."""

    alias_count = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                raise SpecError(f"more than {MAX_ALIASES} YAML aliases")
        return super().compose_node(parent, index)


def _parse(text: str, source: str) -> Any:
    try:
        loader = _LimitedLoader(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except SpecError as error:
        raise error.located(source=source) from None
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else None
        raise SpecError(f"invalid YAML: {error.problem}", source=source, line=line) from None
    except (yaml.YAMLError, RecursionError) as error:
        raise SpecError(f"invalid YAML: {error}", source=source) from None


class SpecFile(NamedTuple):
    """A spec read from a file: its data, the label errors name, and its text."""

    data: Any
    label: str
    text: str

    def locate(self, error: SpecError) -> SpecError:
        """The error with the line of its field, when it is about this file and has none."""
        if error.source != self.label or error.line is not None or not error.path:
            return error
        line = line_of(self.text, error.path)
        return error if line is None else error.located(line=line)


def line_of(text: str, path: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the deepest node of ``path`` found in a YAML (or JSON) text.

    Sequence items are found by index or, for a name, by the item whose ``id`` is that name
    (errors name events by id). A missing field gives the line of its parent."""
    try:
        node = yaml.compose(text, Loader=_LimitedLoader)
    except (yaml.YAMLError, SpecError, RecursionError):
        return None
    if node is None:
        return None
    found = node
    for part in path:
        child = _child(found, part)
        if child is None:
            break
        found = child
    return found.start_mark.line + 1


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return value
    elif isinstance(node, yaml.SequenceNode):
        if isinstance(part, int):
            return node.value[part] if 0 <= part < len(node.value) else None
        for item in node.value:
            if _child(item, "id") is not None and _child(item, "id").value == part:
                return item
    return None


def shipped_names(kind: str) -> list[str]:
    """Names of the shipped specs of one kind (``profiles``, ``journeys``, ``scenarios`` ...)."""
    folder = resources.files("scenarios") / kind
    if not folder.is_dir():
        return []
    return sorted(
        Path(entry.name).stem for entry in folder.iterdir() if entry.name.endswith(SPEC_SUFFIXES)
    )


def shipped_path(kind: str, name: str) -> Path | None:
    folder = resources.files("scenarios") / kind
    for suffix in SPEC_SUFFIXES:
        candidate = folder / f"{name}{suffix}"
        if candidate.is_file():
            return Path(str(candidate))
    return None


def read_spec(source: str | Path, kind: str) -> SpecFile:
    """Reads a spec from a file path or a shipped name."""
    path = Path(source)
    if not path.is_file():
        shipped = shipped_path(kind, str(source))
        if shipped is None:
            hint = did_you_mean(str(source), shipped_names(kind)) or (
                f"shipped {kind}: {', '.join(shipped_names(kind)) or 'none'}"
            )
            raise SpecError(f"no such file or shipped {kind[:-1]} '{source}'", hint=hint)
        path = shipped
        label = f"{kind}/{path.name}"
    else:
        label = str(source)
    size = path.stat().st_size
    if size > MAX_SPEC_BYTES:
        raise SpecError(
            f"file is {size:,} bytes; specs are limited to {MAX_SPEC_BYTES:,}", source=label
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"cannot read: {error}", source=label) from None
    if path.suffix == ".json":
        try:
            return SpecFile(json.loads(text), label, text)
        except json.JSONDecodeError as error:
            raise SpecError(f"invalid JSON: {error.msg}", source=label, line=error.lineno) from None
    return SpecFile(_parse(text, label), label, text)
