"""What each output table, view and column holds: ``columns.yaml``, with the core comments of
``duckdb_schema.COMMENTS``.

The DuckDB output's comments and the documentation's table reference both come from here, so
the two cannot disagree. A column name in angle brackets (``has_<code>``) stands for a family
of columns that a spec names; a family with a fixed part matches by it (``has_E11``), a bare
placeholder (``<attribute>``) matches no name by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, cast

import yaml

__all__ = ["ColumnDoc", "TableDoc", "table_docs", "view_docs"]

_PLACEHOLDER = re.compile(r"<[a-z_]+>")


@dataclass(frozen=True)
class ColumnDoc:
    name: str
    description: str
    #: the Arrow type of a family of columns (a single column's comes from the data)
    type: str | None = None

    @property
    def is_family(self) -> bool:
        return "<" in self.name

    def matches(self, column: str) -> bool:
        if not self.is_family:
            return column == self.name
        parts = [part for part in re.split(f"({_PLACEHOLDER.pattern})", self.name) if part]
        if all(_PLACEHOLDER.fullmatch(part) for part in parts):
            return False
        pattern = "".join(".+" if _PLACEHOLDER.fullmatch(p) else re.escape(p) for p in parts)
        return re.fullmatch(pattern, column) is not None


@dataclass(frozen=True)
class TableDoc:
    name: str
    description: str
    columns: tuple[ColumnDoc, ...]
    #: who writes it: core, a product, or experiments (none for a view)
    product: str | None = None

    def column(self, name: str) -> ColumnDoc | None:
        """The column's entry: its own, else the first family that matches it."""
        exact = [c for c in self.columns if not c.is_family and c.name == name]
        return (exact or [c for c in self.columns if c.matches(name)] or [None])[0]


def _column(name: str, value: Any, core: dict[str | None, str]) -> ColumnDoc:
    if isinstance(value, dict):
        return ColumnDoc(name, str(value["description"]), str(value["type"]))
    return ColumnDoc(name, core.get(name) or str(value or ""))


def _docs(section: str) -> dict[str, TableDoc]:
    from sim.output.duckdb_schema import COMMENTS  # the core comments live with the keys

    text = (resources.files("sim.output") / "columns.yaml").read_text(encoding="utf-8")
    docs = {}
    for name, entry in yaml.safe_load(text)[section].items():
        core = cast(dict[str | None, str], COMMENTS.get(name, {})) if section == "tables" else {}
        listed = entry["columns"]
        columns = [_column(column, value, core) for column, value in listed.items()]
        columns += [ColumnDoc(c, text) for c, text in core.items() if c and c not in listed]
        description = core.get(None) or entry["description"] or ""
        docs[name] = TableDoc(name, description, tuple(columns), entry.get("product"))
    return docs


@cache
def table_docs() -> dict[str, TableDoc]:
    """Every table a run (or an experiment) can write, in the documentation's order."""
    return _docs("tables")


@cache
def view_docs() -> dict[str, TableDoc]:
    """The DuckDB output's views."""
    return _docs("views")
