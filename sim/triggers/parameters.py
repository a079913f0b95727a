"""How a trigger fills its target's parameters from the source event, code tables and draws.

A rule is one of: a literal; ``{from: <source parameter>, default: <literal>}``;
``{lookup: <table>.<field>, key: <source parameter>}`` through a shipped code table (an RxNorm
code reaches an NDC only this way, never by copying); ``{lab_value: <source parameter holding a
LOINC code>}`` for a result drawn from the lab table for this person; or
``{sample: <distribution>, round: <digits>}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from sim.codes import DRUG_COLUMNS, LAB_COLUMNS, load_drugs, load_labs
from sim.distributions import Sampler, create_distribution
from sim.errors import SpecError, did_you_mean

__all__ = ["LOOKUP_TABLES", "ParameterRule", "compile_parameters", "lookup"]


def _drug(code: str) -> Any:
    return load_drugs().by_rxnorm(code)


def _lab(code: str) -> Any:
    return load_labs().by_loinc(code)


#: table name -> (find a row by its key, the row fields a rule may read)
LOOKUP_TABLES: dict[str, tuple[Callable[[str], Any], frozenset[str]]] = {
    "drugs": (_drug, frozenset(DRUG_COLUMNS) - {"rxnorm"}),
    "labs": (_lab, frozenset(LAB_COLUMNS) - {"loinc"}),
}


@cache
def lookup(table: str, field: str, key: str) -> Any:
    """A code table's field for a key (cached: the same few codes recur in every run)."""
    find, _ = LOOKUP_TABLES[table]
    return getattr(find(key), field)


@dataclass(frozen=True)
class ParameterRule:
    name: str
    kind: str  # literal, from, lookup, lab_value, sample
    value: Any = None  # the literal, or the default of ``from``
    key: str = ""  # the source parameter read
    table: str = ""
    field: str = ""
    sampler: Sampler | None = None
    round_digits: int | None = None

    @property
    def draws(self) -> bool:
        return self.kind in ("lab_value", "sample")


def _rule(name: str, raw: Any, path: tuple) -> ParameterRule:
    if not isinstance(raw, Mapping):
        return ParameterRule(name, "literal", raw)
    keys = set(raw)
    if "from" in keys:
        _only(keys, {"from", "default"}, path)
        return ParameterRule(name, "from", raw.get("default"), key=_name(raw["from"], path))
    if "lookup" in keys:
        _only(keys, {"lookup", "key"}, path)
        table, _, field = str(raw["lookup"]).partition(".")
        if table not in LOOKUP_TABLES:
            raise SpecError(
                f"unknown code table '{table}'",
                path=(*path, "lookup"),
                hint=did_you_mean(table, LOOKUP_TABLES) or f"tables: {', '.join(LOOKUP_TABLES)}",
            )
        fields = LOOKUP_TABLES[table][1]
        if field not in fields:
            raise SpecError(
                f"code table '{table}' has no field '{field}'",
                path=(*path, "lookup"),
                hint=did_you_mean(field, fields) or f"fields: {', '.join(sorted(fields))}",
            )
        if "key" not in raw:
            raise SpecError("a lookup needs the source parameter that holds the key", path=path)
        return ParameterRule(name, "lookup", key=_name(raw["key"], path), table=table, field=field)
    if "lab_value" in keys:
        _only(keys, {"lab_value"}, path)
        return ParameterRule(name, "lab_value", key=_name(raw["lab_value"], path))
    if "sample" in keys:
        _only(keys, {"sample", "round"}, path)
        digits = raw.get("round")
        if digits is not None and (isinstance(digits, bool) or not isinstance(digits, int)):
            raise SpecError("round takes a whole number of digits", path=(*path, "round"))
        sampler = create_distribution(raw["sample"], path=(*path, "sample"))
        return ParameterRule(name, "sample", sampler=sampler, round_digits=digits)
    return ParameterRule(name, "literal", dict(raw))


def _only(keys: set, allowed: set, path: tuple) -> None:
    extra = sorted(keys - allowed)
    if extra:
        raise SpecError(
            f"unknown field '{extra[0]}' (this rule takes {', '.join(sorted(allowed))})",
            path=path,
        )


def _name(value: Any, path: tuple) -> str:
    if not isinstance(value, str) or not value:
        raise SpecError(f"expected the name of a source parameter, got {value!r}", path=path)
    return value


def compile_parameters(raw: Mapping[str, Any], path: tuple) -> tuple[ParameterRule, ...]:
    return tuple(_rule(str(name), value, (*path, name)) for name, value in raw.items())


def lab_value(code: str, attributes: Callable[[str], Any], rng: np.random.Generator) -> Any:
    """A result for this person: the lab's distribution for people with its condition (a code
    of the person's ``conditions`` under the lab's ICD-10-CM code) or without, truncated to its
    range."""
    lab = _lab(code)
    try:
        codes = attributes("conditions") or ()
    except KeyError:  # the population has no conditions column: nobody has the condition
        codes = ()
    value = _lab_sampler(code, lab.has_condition(codes)).sample_one(rng)
    return round(float(value), lab.decimals) if lab.decimals else round(float(value))


@cache
def _lab_sampler(code: str, has_condition: bool) -> Sampler:
    lab = _lab(code)
    mean, sd = lab.normal_mean, lab.normal_sd
    if has_condition:
        mean, sd = lab.condition_mean, lab.condition_sd or sd
    spec = {"type": "normal", "mean": mean, "std_dev": sd, "min": lab.min_value}
    spec["max"] = lab.max_value
    return create_distribution(spec, path=("labs", code))
