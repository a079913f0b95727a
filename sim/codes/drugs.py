"""The shipped drug table (``data/drugs.csv``): common US drugs keyed by RxNorm, each with an NDC,
dispensing defaults and an acquisition-cost estimate.

docs/code-tables.md describes every column and where each code comes from. The table is read
once per process; lookups go through :class:`DrugTable`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TypeVar

from sim.errors import SpecError, closest, did_you_mean

__all__ = [
    "BILLING_UNITS",
    "DRUG_COLUMNS",
    "NDC_SOURCES",
    "TERM_TYPES",
    "Drug",
    "DrugTable",
    "is_ndc",
    "is_rxnorm_like",
    "load_drugs",
    "normalize_ndc",
    "parse_drugs",
]

DRUG_COLUMNS: tuple[str, ...] = (
    "rxnorm",
    "tty",
    "ndc",
    "ndc_source",
    "name",
    "ingredient",
    "strength",
    "dose_form",
    "drug_class",
    "typical_days_supply",
    "typical_quantity",
    "billing_unit",
    "unit_price_usd",
    "formulary_tier",
    "maintenance",
)
#: RxNorm term types in the table: clinical drug, branded drug, ingredient.
TERM_TYPES: frozenset[str] = frozenset({"SCD", "SBD", "IN"})
NDC_SOURCES: frozenset[str] = frozenset({"verified", "synthetic"})
#: NCPDP-style billing units ("MG" only for administered ingredients, priced per milligram).
BILLING_UNITS: frozenset[str] = frozenset({"EA", "ML", "GM", "MG"})
FORMULARY_TIERS: tuple[int, ...] = (1, 2, 3, 4)

_DATA_SOURCE = "sim/codes/data/drugs.csv"
_NDC = re.compile(r"\d{11}")
_NDC_HYPHENATED = re.compile(r"(\d{4,5})-(\d{3,4})-(\d{1,2})")
_RXNORM = re.compile(r"[1-9]\d{0,7}")


def is_ndc(text: str) -> bool:
    """True for an NDC in the table's form: exactly 11 digits (5-4-2 without hyphens)."""
    return bool(_NDC.fullmatch(text))


def is_rxnorm_like(text: str) -> bool:
    """True for text shaped like an RxNorm concept id (1-8 digits, no leading zero)."""
    return bool(_RXNORM.fullmatch(text))


def normalize_ndc(text: str) -> str | None:
    """The 11-digit form of an NDC given as 11 digits or hyphenated (4-4-2, 5-3-2, 5-4-1, 5-4-2).

    Returns None for anything else. Padding each segment to 5-4-2 is the standard HIPAA
    conversion, so ``0003-0894-21`` becomes ``00003089421``.
    """
    text = text.strip()
    if is_ndc(text):
        return text
    match = _NDC_HYPHENATED.fullmatch(text)
    if match is None:
        return None
    labeler, product, package = match.groups()
    if len(labeler) + len(product) + len(package) not in (10, 11):
        return None
    return labeler.zfill(5) + product.zfill(4) + package.zfill(2)


@dataclass(frozen=True)
class Drug:
    """One row of the drug table; ``typical_*`` describe one ordinary fill."""

    rxnorm: str
    tty: str  # SCD for almost every row; SBD or IN where the row says so
    ndc: str  # 11 digits
    ndc_source: str  # "verified" or "synthetic" (docs/code-tables.md)
    name: str  # the RxNorm name
    ingredient: str  # "a / b" for combinations
    strength: str  # "500 MG", "24 MG / 26 MG"; empty for an ingredient (IN) row
    dose_form: str  # "Oral Tablet"; empty for an ingredient (IN) row
    drug_class: str
    typical_days_supply: int
    typical_quantity: float  # in billing units
    billing_unit: str  # EA, ML, GM or MG
    unit_price_usd: float  # average acquisition cost per billing unit
    formulary_tier: int  # 1 generic, 2 preferred brand, 3 non-preferred, 4 specialty
    maintenance: bool

    @property
    def ndc_hyphenated(self) -> str:
        return f"{self.ndc[:5]}-{self.ndc[5:9]}-{self.ndc[9:]}"

    @property
    def typical_fill_cost_usd(self) -> float:
        return round(self.typical_quantity * self.unit_price_usd, 2)


@dataclass(frozen=True, eq=False)
class DrugTable:
    """The drugs in file order, indexed by RxNorm id and by NDC."""

    drugs: tuple[Drug, ...]
    _by_rxnorm: dict[str, Drug] = field(init=False, repr=False)
    _by_ndc: dict[str, Drug] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_rxnorm", {drug.rxnorm: drug for drug in self.drugs})
        object.__setattr__(self, "_by_ndc", {drug.ndc: drug for drug in self.drugs})

    def __len__(self) -> int:
        return len(self.drugs)

    def __iter__(self) -> Iterator[Drug]:
        return iter(self.drugs)

    def __contains__(self, rxnorm: object) -> bool:
        return rxnorm in self._by_rxnorm

    def get(self, rxnorm: str) -> Drug | None:
        return self._by_rxnorm.get(rxnorm)

    def by_rxnorm(self, rxnorm: str) -> Drug:
        """The drug with this RxNorm id; SpecError with a did-you-mean hint otherwise."""
        drug = self._by_rxnorm.get(rxnorm)
        if drug is None:
            raise SpecError(
                f"unknown RxNorm code '{rxnorm}': not in the drug table",
                hint=self._rxnorm_hint(rxnorm),
            )
        return drug

    def by_ndc(self, ndc: str) -> Drug:
        """The drug with this NDC (11 digits or hyphenated); SpecError otherwise."""
        normalized = normalize_ndc(ndc)
        drug = self._by_ndc.get(normalized) if normalized else None
        if drug is None:
            hint = did_you_mean(normalized, self._by_ndc) if normalized else None
            raise SpecError(
                f"unknown NDC '{ndc}': not in the drug table",
                hint=hint or "an NDC is 11 digits, or hyphenated 4-4-2, 5-3-2 or 5-4-1",
            )
        return drug

    def by_class(self, drug_class: str) -> tuple[Drug, ...]:
        """Every drug of a class, in file order (empty for an unknown class)."""
        return tuple(drug for drug in self.drugs if drug.drug_class == drug_class)

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(sorted({drug.drug_class for drug in self.drugs}))

    def _rxnorm_hint(self, text: str) -> str | None:
        if is_rxnorm_like(text):
            return did_you_mean(text, self._by_rxnorm)
        # Someone passed a name ("lisinopril 10 MG Oral Tablet"): point at its code.
        wanted = text.lower()
        by_name = {drug.name.lower(): drug for drug in self.drugs}
        match = closest(wanted, by_name) or next((n for n in by_name if wanted in n), None)
        if match is None:
            return "RxNorm codes are digits, e.g. '314076'"
        drug = by_name[match]
        return f"did you mean '{drug.rxnorm}' ({drug.name})?"


_T = TypeVar("_T")


def _field(
    row: dict[str, str], column: str, convert: Callable[[str], _T], source: str, line: int
) -> _T:
    try:
        return convert(row[column].strip())
    except (ValueError, KeyError) as error:
        raise SpecError(str(error), path=(column,), source=source, line=line) from None


def _text(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


def _one_of(choices: frozenset[str]) -> Callable[[str], str]:
    def convert(value: str) -> str:
        if value not in choices:
            raise ValueError(f"'{value}' is not one of {', '.join(sorted(choices))}")
        return value

    return convert


def _matching(pattern: Callable[[str], bool], what: str) -> Callable[[str], str]:
    def convert(value: str) -> str:
        if not pattern(value):
            raise ValueError(f"'{value}' is not {what}")
        return value

    return convert


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(f"{number} must be at least 1")
    return number


def _positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(f"{number} must be positive")
    return number


def _price(value: str) -> float:
    number = float(value)
    if not number >= 0:
        raise ValueError(f"{number} must not be negative")
    return number


def _tier(value: str) -> int:
    tier = int(value)
    if tier not in FORMULARY_TIERS:
        raise ValueError(f"tier {tier} is not one of 1, 2, 3, 4")
    return tier


def _bool(value: str) -> bool:
    if value not in ("true", "false"):
        raise ValueError(f"'{value}' is not true or false")
    return value == "true"


def _parse_row(row: dict[str, str], source: str, line: int) -> Drug:
    def get(column: str, convert: Callable[[str], _T]) -> _T:
        return _field(row, column, convert, source, line)

    drug = Drug(
        rxnorm=get("rxnorm", _matching(is_rxnorm_like, "an RxNorm id")),
        tty=get("tty", _one_of(TERM_TYPES)),
        ndc=get("ndc", _matching(is_ndc, "an 11-digit NDC")),
        ndc_source=get("ndc_source", _one_of(NDC_SOURCES)),
        name=get("name", _text),
        ingredient=get("ingredient", _text),
        strength=get("strength", str),
        dose_form=get("dose_form", str),
        drug_class=get("drug_class", _text),
        typical_days_supply=get("typical_days_supply", _positive_int),
        typical_quantity=get("typical_quantity", _positive_float),
        billing_unit=get("billing_unit", _one_of(BILLING_UNITS)),
        unit_price_usd=get("unit_price_usd", _price),
        formulary_tier=get("formulary_tier", _tier),
        maintenance=get("maintenance", _bool),
    )
    if drug.tty != "IN" and not (drug.strength and drug.dose_form):
        raise SpecError(
            f"a {drug.tty} row needs a strength and a dose form",
            path=("strength",),
            source=source,
            line=line,
        )
    return drug


def parse_drugs(text: str, source: str = _DATA_SOURCE) -> DrugTable:
    """A drug table from CSV text; every bad value is a SpecError naming its line and column."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != DRUG_COLUMNS:
        raise SpecError(f"columns must be {', '.join(DRUG_COLUMNS)}", source=source, line=1)
    drugs: list[Drug] = []
    first_line: dict[tuple[str, str], int] = {}  # (column, value) -> line, for duplicates
    for row in reader:
        drug = _parse_row(row, source, reader.line_num)
        for column, value in (("rxnorm", drug.rxnorm), ("ndc", drug.ndc)):
            if (column, value) in first_line:
                raise SpecError(
                    f"'{value}' is already on line {first_line[column, value]}",
                    path=(column,),
                    source=source,
                    line=reader.line_num,
                )
            first_line[column, value] = reader.line_num
        drugs.append(drug)
    return DrugTable(tuple(drugs))


@cache
def load_drugs() -> DrugTable:
    """The shipped drug table (read once per process, also from an installed wheel)."""
    data = resources.files("sim.codes").joinpath("data").joinpath("drugs.csv")
    return parse_drugs(data.read_text(encoding="utf-8"))
