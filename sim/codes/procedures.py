"""The shipped procedure table (``data/procedures.csv``): CPT and HCPCS Level II codes with short
descriptions of our own, the specialty that usually performs them and how long the visit or
session usually lasts.

CPT descriptors are the AMA's copyright, so the descriptions here are plain-language summaries,
not the official text. docs/patientsim.md describes the columns and the sources.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from sim.errors import SpecError, did_you_mean

__all__ = [
    "CODE_SYSTEMS",
    "PROCEDURE_COLUMNS",
    "Procedure",
    "ProcedureTable",
    "is_cpt",
    "is_hcpcs_level2",
    "load_procedures",
    "parse_procedures",
]

PROCEDURE_COLUMNS: tuple[str, ...] = (
    "code",
    "code_system",
    "description",
    "specialty",
    "minutes_min",
    "minutes_max",
)
CODE_SYSTEMS: tuple[str, ...] = ("CPT", "HCPCS")

_DATA_SOURCE = "sim/codes/data/procedures.csv"
# CPT: five digits, or four and F (Category II), T (Category III) or U (lab analyses)
_CPT = re.compile(r"\d{4}[0-9FTU]")
# HCPCS Level II: a letter A-V and four digits
_HCPCS = re.compile(r"[A-V]\d{4}")


def is_cpt(text: str) -> bool:
    return bool(_CPT.fullmatch(text))


def is_hcpcs_level2(text: str) -> bool:
    return bool(_HCPCS.fullmatch(text))


@dataclass(frozen=True)
class Procedure:
    """One CPT or HCPCS code."""

    code: str
    code_system: str  # "CPT" or "HCPCS" (Level II)
    description: str  # our own short wording
    specialty: str | None  # who usually performs it; None when any clinician does
    #: usual length of the visit or session in minutes (None for add-on codes, lab tests,
    #: drugs and hospital days, which do not set an encounter's length)
    minutes_min: float | None
    minutes_max: float | None


@dataclass(frozen=True, eq=False)
class ProcedureTable:
    """The codes in file order."""

    procedures: tuple[Procedure, ...]
    _by_code: dict[str, Procedure] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_code = {procedure.code: procedure for procedure in self.procedures}
        object.__setattr__(self, "_by_code", by_code)

    def __len__(self) -> int:
        return len(self.procedures)

    def __iter__(self) -> Iterator[Procedure]:
        return iter(self.procedures)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Procedure | None:
        return self._by_code.get(code)

    def by_code(self, code: str) -> Procedure:
        """The row of this code; SpecError with a did-you-mean hint otherwise."""
        procedure = self._by_code.get(code)
        if procedure is None:
            hint = did_you_mean(code, self._by_code) or "CPT codes look like '99213'"
            message = f"unknown CPT/HCPCS code '{code}': not in the procedure table"
            raise SpecError(message, hint=hint)
        return procedure


def _located(message: str, column: str, source: str, line: int) -> SpecError:
    return SpecError(message, path=(column,), source=source, line=line)


def _minutes(row: dict[str, str], column: str, source: str, line: int) -> float | None:
    text = row[column].strip()
    if not text:
        return None
    try:
        minutes = float(text)
    except ValueError:
        raise _located(f"'{text}' is not a number", column, source, line) from None
    if not minutes > 0:
        raise _located(f"{minutes:g} must be positive", column, source, line)
    return minutes


def _parse_row(row: dict[str, str], source: str, line: int) -> Procedure:
    code, system = row["code"].strip(), row["code_system"].strip()
    if system not in CODE_SYSTEMS:
        message = f"'{system}' is not one of {', '.join(CODE_SYSTEMS)}"
        raise _located(message, "code_system", source, line)
    shaped = is_cpt(code) if system == "CPT" else is_hcpcs_level2(code)
    if not shaped:
        raise _located(f"'{code}' is not a {system} code", "code", source, line)
    description = row["description"].strip()
    if not description:
        raise _located("must not be empty", "description", source, line)
    low = _minutes(row, "minutes_min", source, line)
    high = _minutes(row, "minutes_max", source, line)
    if (low is None) != (high is None):
        raise _located("minutes_min and minutes_max go together", "minutes_min", source, line)
    if low is not None and high is not None and low > high:
        raise _located(f"{low:g} is above minutes_max {high:g}", "minutes_min", source, line)
    specialty = row["specialty"].strip() or None
    return Procedure(code, system, description, specialty, low, high)


def parse_procedures(text: str, source: str = _DATA_SOURCE) -> ProcedureTable:
    """A procedure table from CSV text; a bad value is a SpecError naming its line and column."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != PROCEDURE_COLUMNS:
        raise SpecError(f"columns must be {', '.join(PROCEDURE_COLUMNS)}", source=source, line=1)
    procedures: list[Procedure] = []
    seen: dict[str, int] = {}
    for row in reader:
        procedure = _parse_row(row, source, reader.line_num)
        if procedure.code in seen:
            message = f"'{procedure.code}' is already on line {seen[procedure.code]}"
            raise _located(message, "code", source, reader.line_num)
        seen[procedure.code] = reader.line_num
        procedures.append(procedure)
    return ProcedureTable(tuple(procedures))


@cache
def load_procedures() -> ProcedureTable:
    """The shipped procedure table (read once per process, also from an installed wheel)."""
    data = resources.files("sim.codes").joinpath("data").joinpath("procedures.csv")
    return parse_procedures(data.read_text(encoding="utf-8"))
