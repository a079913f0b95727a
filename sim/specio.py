"""Reading spec files (YAML or JSON) and finding the shipped ones by name.

Loaders go through here so that every spec gets the same limits and the same located errors.
The limits are far beyond any real spec and refuse hostile input before work starts: nesting,
alias bombs (billion laughs), huge texts and numbers no column can hold (see ``check_values``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import yaml

from sim.errors import SpecError, did_you_mean

T = TypeVar("T")

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_SPEC_BYTES",
    "MAX_TEXT_CHARS",
    "MAX_VALUES",
    "SpecFile",
    "check_values",
    "line_of",
    "load_spec",
    "parse_yaml",
    "read_spec",
    "shipped_names",
    "shipped_path",
]

MAX_SPEC_BYTES = 5_000_000
MAX_ALIASES = 100
#: levels of nesting (the shipped specs use at most 11)
MAX_DEPTH = 64
#: characters of one text (a name, a code, a description)
MAX_TEXT_CHARS = 10_000
#: values of a spec, counting each use of a YAML alias (or of a shared object) once more
MAX_VALUES = 1_000_000
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
SPEC_SUFFIXES = (".yaml", ".yml", ".json")
MERGE_TAG = "tag:yaml.org,2002:merge"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else f"{text[:limit]}..."


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader that refuses alias bombs (billion laughs) before they expand, nesting deeper
    than ``MAX_DEPTH`` before it exhausts the stack, duplicate keys (the first value would be
    dropped silently) and values Python cannot build (Feb 30, 5,000-digit numbers), each with
    its line."""

    alias_count = 0
    depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        line = self.peek_event().start_mark.line + 1
        if self.check_event(yaml.AliasEvent):
            self.alias_count += 1
            if self.alias_count > MAX_ALIASES:
                raise SpecError(
                    f"more than {MAX_ALIASES} YAML aliases",
                    line=line,
                    hint="aliases that expand into huge documents are refused",
                )
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise SpecError(
                    f"nested more than {MAX_DEPTH} levels deep",
                    line=line,
                    hint="specs are flat; check the brackets and indentation",
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except SpecError:
            raise
        except (ValueError, OverflowError) as error:
            text = node.value if isinstance(node.value, str) else node.tag
            reason = str(error).split(";")[0]  # not Python's advice to raise its own limit
            raise SpecError(
                f"invalid value '{_short(text)}': {reason}", line=node.start_mark.line + 1
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key, _ in node.value:
                if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE_TAG:
                    continue
                line = key.start_mark.line + 1
                if (key.tag, key.value) in seen:
                    raise SpecError(
                        f"duplicate key '{_short(key.value)}'",
                        line=line,
                        hint=f"also on line {seen[key.tag, key.value]}; YAML keeps only the last",
                    )
                seen[key.tag, key.value] = line
        return super().construct_mapping(node, deep)


def parse_yaml(text: str, source: str | None = None) -> Any:
    """The data of a YAML text, within the limits; errors are SpecErrors with the line."""
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


def check_values(data: Any, *, source: str | None = None) -> None:
    """Refuses data no spec needs, however it was given (file, JSON, a mapping): a structure
    that contains itself, more than ``MAX_VALUES`` values (each use of a shared object counts:
    an alias bomb), nesting deeper than ``MAX_DEPTH``, a text longer than ``MAX_TEXT_CHARS``, a
    whole number beyond 64 bits, NaN or infinity. The error names the field."""
    # Iterative (hostile nesting cannot exhaust the stack) and in document order; a shared
    # container (a YAML anchor) is walked once and then counted by its measure, so an alias
    # bomb costs what its text costs. A frame is [value, key, parent frame, depth, walked].
    measured: dict[int, tuple[int, int]] = {}  # id -> (values, levels) of a walked container
    walking: set[int] = set()
    stack: list[list[Any]] = [[data, None, None, 0, False]]
    while stack:
        frame = stack[-1]
        value, depth = frame[0], frame[3]
        problem = _problem(value, depth)
        if problem is None and _is_container(value) and id(value) in walking and not frame[4]:
            problem = "contains itself", "a YAML alias inside its own anchor"
        if problem is None and id(value) in measured and not frame[4]:
            values, levels = measured[id(value)]
            if depth + levels - 1 > MAX_DEPTH:
                problem = f"nested more than {MAX_DEPTH} levels deep", "specs are flat"
        if problem is not None:
            raise SpecError(problem[0], path=_path_of(frame), source=source, hint=problem[1])
        if not _is_container(value) or id(value) in measured:
            stack.pop()
        elif not frame[4]:
            frame[4] = True
            walking.add(id(value))
            children = list(_items(value, frame, source))
            stack.extend([item, key, frame, depth + 1, False] for key, item in reversed(children))
        else:
            stack.pop()
            walking.discard(id(value))
            values, levels = _measure(value, measured)
            measured[id(value)] = (values, levels)
            if values > MAX_VALUES:
                raise SpecError(
                    f"more than {MAX_VALUES:,} values",
                    path=_path_of(frame),
                    source=source,
                    hint="each use of a YAML alias counts: aliases that expand into huge "
                    "documents are refused",
                )


def _is_container(value: Any) -> bool:
    return isinstance(value, Mapping | list | tuple | set | frozenset)


def _items(value: Any, frame: list[Any], source: str | None) -> Any:
    if not isinstance(value, Mapping):
        return enumerate(value)
    for key in value:
        if isinstance(key, str) and len(key) > MAX_TEXT_CHARS:
            raise SpecError(
                f"a key of {len(key):,} characters (at most {MAX_TEXT_CHARS:,})",
                path=_path_of(frame),
                source=source,
            )
    return value.items()


def _measure(value: Any, measured: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """Values and levels of a container whose children are all measured (or scalars)."""
    values, levels = 1, 1
    for item in value.values() if isinstance(value, Mapping) else value:
        count, height = measured.get(id(item), (1, 1)) if _is_container(item) else (1, 1)
        values += count
        levels = max(levels, height + 1)
    return values, levels


def _problem(value: Any, depth: int) -> tuple[str, str | None] | None:
    if depth > MAX_DEPTH:
        return f"nested more than {MAX_DEPTH} levels deep", "specs are flat"
    if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
        return f"a text of {len(value):,} characters (at most {MAX_TEXT_CHARS:,})", None
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not (INT64_MIN <= value <= INT64_MAX)
    ):
        return "a whole number beyond 64 bits", "no column can hold it"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} is not a finite number", None
    return None


def _path_of(frame: list[Any]) -> tuple[Any, ...]:
    path = []
    while frame[2] is not None:
        path.append(frame[1])
        frame = frame[2]
    return tuple(reversed(path))


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
        if _is_file(candidate):
            return Path(str(candidate))
    return None


def _is_file(path: Any) -> bool:
    try:
        return bool(path.is_file())
    except (OSError, ValueError):  # a name too long for the file system, a NUL character
        return False


def read_spec(source: str | Path, kind: str) -> SpecFile:
    """Reads a spec from a file path or a shipped name."""
    if not isinstance(source, str | Path):
        raise SpecError(
            f"a {kind[:-1]} is a file path, a shipped name or a mapping, "
            f"not {type(source).__name__}"
        )
    path = Path(source)
    if not _is_file(path):
        shipped = shipped_path(kind, str(source))
        if shipped is None:
            name = _short(str(source))
            hint = did_you_mean(name, shipped_names(kind)) or (
                f"shipped {kind}: {', '.join(shipped_names(kind)) or 'none'}"
            )
            raise SpecError(f"no such file or shipped {kind[:-1]} '{name}'", hint=hint)
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
    spec_file = SpecFile(
        _parse_json(text, label) if path.suffix == ".json" else parse_yaml(text, label), label, text
    )
    try:
        check_values(spec_file.data, source=label)
    except SpecError as error:
        raise spec_file.locate(error) from None
    return spec_file


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SpecError(f"invalid JSON: {error.msg}", source=source, line=error.lineno) from None
    except RecursionError:
        raise SpecError(
            f"invalid JSON: nested more than {MAX_DEPTH} levels deep", source=source
        ) from None
    except ValueError as error:  # a number of thousands of digits
        raise SpecError(f"invalid JSON: {str(error).split(';')[0]}", source=source) from None


def load_spec(source: str | Path, kind: str, parse: Callable[..., T]) -> T:
    """``parse(data, source=label)`` of the spec read from a path or a shipped name, its
    errors placed at the line of their field."""
    spec_file = read_spec(source, kind)
    try:
        return parse(spec_file.data, source=spec_file.label)
    except SpecError as error:
        raise spec_file.locate(error) from None
