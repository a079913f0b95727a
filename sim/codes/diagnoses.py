"""The shipped diagnosis table (``data/diagnoses.csv``): ICD-10-CM codes with their official
titles, whether a claim may carry them, and how long an acute episode lasts.

The codes are every one the shipped journeys, profiles and reference conditions use, plus some
common ones of US primary care. docs/patientsim.md describes the columns and the source.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from sim.errors import SpecError, closest

__all__ = [
    "DIAGNOSIS_COLUMNS",
    "Diagnosis",
    "DiagnosisTable",
    "icd10_key",
    "is_health_factor",
    "is_icd10_cm",
    "load_diagnoses",
    "parse_diagnoses",
]

DIAGNOSIS_COLUMNS: tuple[str, ...] = ("icd10", "description", "billable", "resolves_after_days")

_DATA_SOURCE = "sim/codes/data/diagnoses.csv"
# a letter, a digit, a digit or letter, then up to four characters after the dot
_ICD10_CM = re.compile(r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?")


def is_icd10_cm(text: str) -> bool:
    """True for text shaped like an ICD-10-CM code with its dot: ``I10``, ``E11.9``, ``F32.A``."""
    return bool(_ICD10_CM.fullmatch(text))


@lru_cache(maxsize=4096)
def icd10_key(code: str) -> str:
    """The code without dot and case: ``e11.9`` and ``E119`` are the same code."""
    return code.replace(".", "").strip().upper()


def is_health_factor(code: str) -> bool:
    """Chapter 21 (Z00-Z99): a reason for contact with health services or a status (an
    examination, aftercare, a history), not a disease of its own."""
    return code.strip().upper().startswith("Z")


@dataclass(frozen=True)
class Diagnosis:
    """One ICD-10-CM code."""

    icd10: str
    description: str  # the official ICD-10-CM title
    billable: bool  # False for a category header (E11, N18.3) a claim must not carry
    resolves_after_days: int | None  # an acute episode's usual course; None: it persists


@dataclass(frozen=True, eq=False)
class DiagnosisTable:
    """The codes in file order, looked up with or without the dot."""

    diagnoses: tuple[Diagnosis, ...]
    _by_key: dict[str, Diagnosis] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_key = {icd10_key(diagnosis.icd10): diagnosis for diagnosis in self.diagnoses}
        object.__setattr__(self, "_by_key", by_key)

    def __len__(self) -> int:
        return len(self.diagnoses)

    def __iter__(self) -> Iterator[Diagnosis]:
        return iter(self.diagnoses)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and icd10_key(code) in self._by_key

    def get(self, code: str) -> Diagnosis | None:
        return self._by_key.get(icd10_key(code))

    def by_icd10(self, code: str) -> Diagnosis:
        """The row of this code; SpecError with a did-you-mean hint otherwise."""
        diagnosis = self.get(code)
        if diagnosis is None:
            raise SpecError(
                f"unknown ICD-10-CM code '{code}': not in the diagnosis table",
                hint=self._hint(code),
            )
        return diagnosis

    def _hint(self, text: str) -> str:
        match = closest(icd10_key(text), self._by_key)
        if match is not None:
            return f"did you mean '{self._by_key[match].icd10}'?"
        by_title = {diagnosis.description.lower(): diagnosis for diagnosis in self.diagnoses}
        title = closest(text.lower(), by_title)
        if title is not None:
            return f"did you mean '{by_title[title].icd10}' ({by_title[title].description})?"
        return "ICD-10-CM codes look like 'E11.9'"


def _located(message: str, column: str, source: str, line: int) -> SpecError:
    return SpecError(message, path=(column,), source=source, line=line)


def _parse_row(row: dict[str, str], source: str, line: int) -> Diagnosis:
    code = row["icd10"].strip()
    if not is_icd10_cm(code):
        raise _located(f"'{code}' is not an ICD-10-CM code", "icd10", source, line)
    description = row["description"].strip()
    if not description:
        raise _located("must not be empty", "description", source, line)
    billable = row["billable"].strip()
    if billable not in ("true", "false"):
        raise _located(f"'{billable}' is not true or false", "billable", source, line)
    days_text = row["resolves_after_days"].strip()
    days = None
    if days_text:
        if not days_text.isdigit() or int(days_text) < 1:
            message = f"'{days_text}' is not a whole number of days of at least 1"
            raise _located(message, "resolves_after_days", source, line)
        days = int(days_text)
    return Diagnosis(code, description, billable == "true", days)


def parse_diagnoses(text: str, source: str = _DATA_SOURCE) -> DiagnosisTable:
    """A diagnosis table from CSV text; a bad value is a SpecError naming its line and column."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != DIAGNOSIS_COLUMNS:
        raise SpecError(f"columns must be {', '.join(DIAGNOSIS_COLUMNS)}", source=source, line=1)
    diagnoses: list[Diagnosis] = []
    seen: dict[str, int] = {}
    for row in reader:
        diagnosis = _parse_row(row, source, reader.line_num)
        key = icd10_key(diagnosis.icd10)
        if key in seen:
            message = f"'{diagnosis.icd10}' is already on line {seen[key]}"
            raise _located(message, "icd10", source, reader.line_num)
        seen[key] = reader.line_num
        diagnoses.append(diagnosis)
    return DiagnosisTable(tuple(diagnoses))


@cache
def load_diagnoses() -> DiagnosisTable:
    """The shipped diagnosis table (read once per process, also from an installed wheel)."""
    data = resources.files("sim.codes").joinpath("data").joinpath("diagnoses.csv")
    return parse_diagnoses(data.read_text(encoding="utf-8"))
