"""Finding states and counties by what a user types: FIPS, abbreviation, name.

Counties are named with their state ("Harris County, TX", "Harris, Texas", "Alexandria city,
VA"); accents, case, punctuation and spaces do not matter. Unknown ones raise ``SpecError``
with the closest matches.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from sim.errors import SpecError
from sim.reference.table import CountyTable, load_counties

__all__ = ["county_label", "find_county", "find_state", "name_key"]


def name_key(name: str) -> str:
    """'Doña Ana County' -> 'donaanacounty': what two spellings of a name have in common."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum())


def county_label(table: CountyTable, row: int) -> str:
    return f"{table.county_name[row]}, {table.state_abbr[row]}"


@dataclass(frozen=True)
class _Index:
    state_by_key: dict[str, str]  # abbreviation, name or FIPS key -> abbreviation
    state_names: dict[str, str]  # abbreviation -> name
    counties_by_name: dict[tuple[str, str], tuple[int, ...]]  # (state abbr, name key) -> rows
    counties_by_key: dict[str, tuple[int, ...]]  # name key alone, for "which state?" hints


@cache
def _index() -> _Index:
    table = load_counties()
    state_by_key: dict[str, str] = {}
    state_names: dict[str, str] = {}
    by_name: dict[tuple[str, str], set[int]] = defaultdict(set)
    by_key: dict[str, set[int]] = defaultdict(set)
    for row in range(len(table)):
        abbr = str(table.state_abbr[row])
        state_names[abbr] = str(table.state_name[row])
        for key in (abbr.lower(), name_key(str(table.state_name[row])), str(table.state_fips[row])):
            state_by_key[key] = abbr
        for name in (table.county_name[row], table.county_short_name[row]):
            by_name[(abbr, name_key(str(name)))].add(row)
            by_key[name_key(str(name))].add(row)
    return _Index(
        state_by_key=state_by_key,
        state_names=state_names,
        counties_by_name={key: tuple(sorted(rows)) for key, rows in by_name.items()},
        counties_by_key={key: tuple(sorted(rows)) for key, rows in by_key.items()},
    )


def find_state(text: object, *, path: Sequence[str | int] = ()) -> str:
    """The state's abbreviation for 'TX', 'tx', 'Texas' or '48'."""
    index = _index()
    key = str(text).strip()
    abbr = index.state_by_key.get(key if key.isdigit() else name_key(key))
    if abbr is None and key.isdigit():
        abbr = index.state_by_key.get(key.zfill(2))
    if abbr is None:
        choices = [*index.state_names, *index.state_names.values()]
        raise SpecError(f"unknown state '{text}'", path=path, hint=_suggest(key, choices))
    return abbr


def find_county(text: object, *, path: Sequence[str | int] = ()) -> int:
    """The table row of a county given as FIPS ('48201') or 'Name, State'."""
    table = load_counties()
    if isinstance(text, bool) or not isinstance(text, str | int | np.integer):
        raise SpecError(f"a county is a FIPS code or 'Name, ST', got {text!r}", path=path)
    value = str(text).strip()
    if value.isdigit():
        fips = value.zfill(5)
        row = table.row_of.get(fips)
        if row is None:
            hint = _suggest(fips, table.row_of)
            if not isinstance(text, str):
                # YAML reads 01001 as a number (octal, even): FIPS codes need quotes.
                hint = f"{hint + '; ' if hint else ''}quote FIPS codes in YAML: '01001'"
            raise SpecError(f"unknown county FIPS '{value}'", path=path, hint=hint)
        return row
    name, comma, state_text = value.rpartition(",")
    if not comma:
        raise SpecError(
            f"county '{value}' needs its state, e.g. 'Harris County, TX'",
            path=path,
            hint=_same_name_hint(name_key(value)),
        )
    abbr = find_state(state_text, path=path)
    index = _index()
    rows = index.counties_by_name.get((abbr, name_key(name)), ())
    if len(rows) == 1:
        return rows[0]
    if rows:
        names = " or ".join(f"'{county_label(table, row)}'" for row in rows)
        raise SpecError(f"county '{value}' is ambiguous", path=path, hint=f"say {names}")
    in_state = [county_label(table, row) for row in table.state_rows(abbr)]
    hint = _suggest(f"{name.strip()}, {abbr}", in_state) or _same_name_hint(name_key(name))
    raise SpecError(f"unknown county '{value}'", path=path, hint=hint)


def _suggest(word: str, choices: object) -> str | None:
    choices = list(choices)  # type: ignore[call-overload]
    by_key: dict[str, str] = {}
    for choice in choices:
        by_key.setdefault(name_key(choice) or choice, choice)
    keys = difflib.get_close_matches(name_key(word) or word, list(by_key), n=3, cutoff=0.6)
    if not keys:
        return None
    return "did you mean " + " or ".join(f"'{by_key[key]}'" for key in keys) + "?"


def _same_name_hint(key: str) -> str | None:
    table = load_counties()
    rows = _index().counties_by_key.get(key, ())
    if not rows:
        return None
    labels = [county_label(table, row) for row in rows]
    shown = " or ".join(f"'{label}'" for label in labels[:4])
    more = f" (and {len(labels) - 4} more)" if len(labels) > 4 else ""
    return f"did you mean {shown}{more}?"
