"""Reading spec files (YAML or JSON) and finding the shipped ones by name.

Loaders go through here so that every spec gets the same limits and the same located errors.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from sim.errors import SpecError, did_you_mean

__all__ = ["MAX_SPEC_BYTES", "read_spec", "shipped_names", "shipped_path"]

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


def read_spec(source: str | Path, kind: str) -> tuple[Any, str]:
    """Reads a spec from a file path or a shipped name; returns (data, source label)."""
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
            return json.loads(text), label
        except json.JSONDecodeError as error:
            raise SpecError(f"invalid JSON: {error.msg}", source=label, line=error.lineno) from None
    return _parse(text, label), label
