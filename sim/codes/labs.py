"""The shipped lab and vital-sign table (``data/labs.csv``): LOINC codes with UCUM units, adult
reference ranges and the value distributions to draw results from.

A test's value is normal(``normal_mean``, ``normal_sd``) for a person without the related condition
and normal(``condition_mean``, ``condition_sd``) for one whose ICD-10-CM codes start with
``condition_icd10``, clamped to [``min_value``, ``max_value``] and rounded to ``decimals``.
docs/code-tables.md describes the columns and sources.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np

from sim.errors import SpecError, closest, did_you_mean

__all__ = ["LAB_COLUMNS", "LabTable", "LabTest", "is_loinc", "load_labs", "parse_labs"]

LAB_COLUMNS: tuple[str, ...] = (
    "loinc",
    "name",
    "short_name",
    "unit",
    "reference_low",
    "reference_high",
    "decimals",
    "normal_mean",
    "normal_sd",
    "condition_icd10",
    "condition_mean",
    "condition_sd",
    "min_value",
    "max_value",
)

_DATA_SOURCE = "sim/codes/data/labs.csv"
_LOINC = re.compile(r"\d{1,7}-\d")
_CONDITION_COLUMNS = ("condition_icd10", "condition_mean", "condition_sd")


def is_loinc(text: str) -> bool:
    """True for text shaped like a LOINC code: digits, a hyphen and one check digit."""
    return bool(_LOINC.fullmatch(text))


def _icd10_key(code: str) -> str:
    # "E11.9" and "E119" are the same code; compare without dots and case.
    return code.replace(".", "").strip().upper()


@dataclass(frozen=True)
class LabTest:
    """One LOINC-coded test or vital sign."""

    loinc: str
    name: str  # LOINC long common name
    short_name: str  # LOINC short name
    unit: str  # UCUM
    reference_low: float
    reference_high: float
    decimals: int
    normal_mean: float
    normal_sd: float
    condition_icd10: str | None  # ICD-10-CM prefix that shifts the distribution
    condition_mean: float | None
    condition_sd: float | None
    min_value: float
    max_value: float

    def abnormal_flag(self, value: float) -> Literal["L", "H", "N"]:
        """L below the reference range, H above it, N inside it (both ends count as inside)."""
        if value < self.reference_low:
            return "L"
        if value > self.reference_high:
            return "H"
        return "N"

    def has_condition(self, icd10_codes: Iterable[str]) -> bool:
        """Whether any of a person's ICD-10-CM codes falls under ``condition_icd10``."""
        if self.condition_icd10 is None:
            return False
        prefix = _icd10_key(self.condition_icd10)
        return any(_icd10_key(code).startswith(prefix) for code in icd10_codes)

    def distribution(self, icd10_codes: Iterable[str] = ()) -> tuple[float, float]:
        """(mean, standard deviation) of the value for a person with these diagnoses."""
        if self.has_condition(icd10_codes):
            assert self.condition_mean is not None and self.condition_sd is not None
            return self.condition_mean, self.condition_sd
        return self.normal_mean, self.normal_sd

    def finish(self, values: float | np.ndarray) -> float | np.ndarray:
        """Clamps to the plausible range and rounds to the reported precision."""
        clamped = np.clip(values, self.min_value, self.max_value)
        rounded = np.round(clamped, self.decimals)
        return float(rounded) if np.ndim(rounded) == 0 else rounded

    def sample(
        self,
        rng: np.random.Generator,
        icd10_codes: Iterable[str] = (),
        size: int | None = None,
    ) -> float | np.ndarray:
        """One value (or ``size`` values) drawn for a person with these diagnoses."""
        mean, sd = self.distribution(icd10_codes)
        return self.finish(rng.normal(mean, sd, size))


@dataclass(frozen=True, eq=False)
class LabTable:
    """The tests in file order, indexed by LOINC code."""

    tests: tuple[LabTest, ...]
    _by_loinc: dict[str, LabTest] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_loinc", {test.loinc: test for test in self.tests})

    def __len__(self) -> int:
        return len(self.tests)

    def __iter__(self) -> Iterator[LabTest]:
        return iter(self.tests)

    def __contains__(self, loinc: object) -> bool:
        return loinc in self._by_loinc

    def get(self, loinc: str) -> LabTest | None:
        return self._by_loinc.get(loinc)

    def by_loinc(self, loinc: str) -> LabTest:
        """The test with this LOINC code; SpecError with a did-you-mean hint otherwise."""
        test = self._by_loinc.get(loinc)
        if test is None:
            raise SpecError(
                f"unknown LOINC code '{loinc}': not in the lab table", hint=self._hint(loinc)
            )
        return test

    def _hint(self, text: str) -> str | None:
        hint = did_you_mean(text, self._by_loinc)
        if hint or is_loinc(text):
            return hint
        # A name ("Hemoglobin A1c") or short name instead of a code: point at its code.
        wanted = text.lower()
        names = {name.lower(): test for test in self.tests for name in (test.name, test.short_name)}
        match = closest(wanted, names) or next((n for n in names if wanted in n), None)
        if match is None:
            return "LOINC codes look like '4548-4'"
        test = names[match]
        return f"did you mean '{test.loinc}' ({test.name})?"


def _number(row: dict[str, str], column: str, source: str, line: int) -> float:
    try:
        return float(row[column])
    except ValueError:
        raise SpecError(
            f"'{row[column]}' is not a number", path=(column,), source=source, line=line
        ) from None


def _check(condition: bool, message: str, column: str, source: str, line: int) -> None:
    if not condition:
        raise SpecError(message, path=(column,), source=source, line=line)


def _parse_row(row: dict[str, str], source: str, line: int) -> LabTest:
    def number(column: str) -> float:
        return _number(row, column, source, line)

    loinc = row["loinc"].strip()
    _check(is_loinc(loinc), f"'{loinc}' is not a LOINC code", "loinc", source, line)
    for column in ("name", "short_name", "unit"):
        _check(bool(row[column].strip()), "must not be empty", column, source, line)
    filled = [bool(row[column].strip()) for column in _CONDITION_COLUMNS]
    _check(
        all(filled) or not any(filled),
        "condition_icd10, condition_mean and condition_sd go together",
        "condition_icd10",
        source,
        line,
    )
    decimals = number("decimals")
    _check(
        decimals >= 0 and decimals.is_integer(), "must be a whole number", "decimals", source, line
    )
    has_condition = all(filled)
    test = LabTest(
        loinc=loinc,
        name=row["name"].strip(),
        short_name=row["short_name"].strip(),
        unit=row["unit"].strip(),
        reference_low=number("reference_low"),
        reference_high=number("reference_high"),
        decimals=int(decimals),
        normal_mean=number("normal_mean"),
        normal_sd=number("normal_sd"),
        condition_icd10=row["condition_icd10"].strip() if has_condition else None,
        condition_mean=number("condition_mean") if has_condition else None,
        condition_sd=number("condition_sd") if has_condition else None,
        min_value=number("min_value"),
        max_value=number("max_value"),
    )
    low, high = test.reference_low, test.reference_high
    _check(low < high, f"{low} is not below {high}", "reference_low", source, line)
    _check(test.min_value < test.max_value, "must be below max_value", "min_value", source, line)
    for mean_column, sd_column in (
        ("normal_mean", "normal_sd"),
        ("condition_mean", "condition_sd"),
    ):
        mean, sd = getattr(test, mean_column), getattr(test, sd_column)
        if mean is None:
            continue
        inside = test.min_value <= mean <= test.max_value
        _check(inside, "must lie within [min_value, max_value]", mean_column, source, line)
        _check(sd > 0, "must be positive", sd_column, source, line)
    return test


def parse_labs(text: str, source: str = _DATA_SOURCE) -> LabTable:
    """A lab table from CSV text; every bad value is a SpecError naming its line and column."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != LAB_COLUMNS:
        raise SpecError(f"columns must be {', '.join(LAB_COLUMNS)}", source=source, line=1)
    tests: list[LabTest] = []
    seen: dict[str, int] = {}
    for row in reader:
        test = _parse_row(row, source, reader.line_num)
        if test.loinc in seen:
            raise SpecError(
                f"'{test.loinc}' is already on line {seen[test.loinc]}",
                path=("loinc",),
                source=source,
                line=reader.line_num,
            )
        seen[test.loinc] = reader.line_num
        tests.append(test)
    return LabTable(tuple(tests))


@cache
def load_labs() -> LabTable:
    """The shipped lab table (read once per process, also from an installed wheel)."""
    data = resources.files("sim.codes").joinpath("data").joinpath("labs.csv")
    return parse_labs(data.read_text(encoding="utf-8"))
