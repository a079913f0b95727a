"""MS-DRGs for inpatient claims (``data/drg.yaml``): weights, a small grouper and the
revenue-code lines a stay's charges spread over."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.errors import SpecError, from_validation_error
from sim.specio import read_spec

__all__ = [
    "MAX_REVENUE_LINES",
    "REVENUE_CODES",
    "Drg",
    "DrgGroup",
    "DrgTable",
    "Grouping",
    "load_drgs",
]

SOURCE = "handlers/membersim/data/drg.yaml"
Severity = Literal["mcc", "cc", "none"]

#: revenue codes (NUBC UB-04) the lines use, with short descriptions of our own
REVENUE_CODES = {
    "0120": "room and board, semi-private",
    "0250": "pharmacy",
    "0270": "medical and surgical supplies",
    "0278": "implants",
    "0300": "laboratory",
    "0320": "diagnostic radiology",
    "0360": "operating room services",
    "0370": "anesthesia",
    "0410": "respiratory services",
    "0420": "physical therapy",
    "0450": "emergency room",
    "0710": "recovery room",
}
ROOM_AND_BOARD = "0120"
#: revenue-code lines a stay can have (each draws its own share)
MAX_REVENUE_LINES = 12
EMERGENCY_ROOM = "0450"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Drg(_Model):
    title: Annotated[str, Field(min_length=1)]
    weight: Annotated[float, Field(gt=0, le=50)]


class DrgGroup(_Model):
    name: str
    kind: Literal["medical", "surgical"]
    diagnoses: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    drgs: dict[Severity, str]

    @model_validator(mode="after")
    def _matches_something(self) -> DrgGroup:
        if not self.diagnoses and not self.procedures:
            raise ValueError("give diagnoses or procedures")
        if set(self.drgs) != {"mcc", "cc", "none"}:
            raise ValueError("drgs needs mcc, cc and none")
        return self


class Grouping(_Model):
    """A stay's DRG: its code, weight, kind (medical, surgical) and severity level."""

    drg: str
    title: str
    weight: float
    kind: Literal["medical", "surgical"]
    severity: Severity


class DrgTable(_Model):
    base_rate_usd: Annotated[float, Field(gt=0)]
    drgs: dict[Annotated[str, Field(pattern=r"^\d{3}$")], Drg]
    groups: tuple[DrgGroup, ...]
    revenue_lines: dict[Literal["medical", "surgical"], dict[str, Annotated[float, Field(gt=0)]]]

    @model_validator(mode="after")
    def _consistent(self) -> DrgTable:
        for group in self.groups:
            for code in group.drgs.values():
                if code not in self.drgs:
                    raise ValueError(f"group '{group.name}': DRG {code} is not in drgs")
        for kind, shares in self.revenue_lines.items():
            unknown = set(shares) - set(REVENUE_CODES)
            if unknown:
                raise ValueError(f"revenue_lines.{kind}: unknown revenue code {min(unknown)}")
            if len(shares) > MAX_REVENUE_LINES:
                raise ValueError(f"revenue_lines.{kind}: more than {MAX_REVENUE_LINES} codes")
            if abs(sum(shares.values()) - 1) > 0.001:
                raise ValueError(f"revenue_lines.{kind}: shares add up to {sum(shares.values())}")
        return self

    def group(
        self,
        principal: str,
        procedures: Iterable[str],
        other_diagnoses: int,
        *,
        path: tuple[str | int, ...],
    ) -> Grouping:
        """The DRG of a stay; a principal diagnosis no group covers is a SpecError."""
        return self.grouping(self.choose_group(principal, procedures, path=path), other_diagnoses)

    def choose_group(
        self, principal: str, procedures: Iterable[str], *, path: tuple[str | int, ...]
    ) -> DrgGroup:
        """The group of a stay: the first with a procedure done, else the one with the longest
        code prefix of the principal diagnosis; none is a SpecError."""
        done = set(procedures)
        chosen = next((g for g in self.groups if done & set(g.procedures)), None)
        if chosen is None:
            key = principal.replace(".", "").upper()
            matches = [
                (len(prefix), g)
                for g in self.groups
                for prefix in (d.replace(".", "").upper() for d in g.diagnoses)
                if key.startswith(prefix)
            ]
            if not matches:
                raise SpecError(
                    f"no DRG group for principal diagnosis '{principal}' ({SOURCE})",
                    path=path,
                    hint="add a group with its ICD-10-CM category to the DRG table",
                )
            chosen = max(matches, key=lambda m: m[0])[1]
        return chosen

    def grouping(self, group: DrgGroup, other_diagnoses: int) -> Grouping:
        """The DRG of the group at the severity level of the stay's other diagnoses."""
        severity: Severity = (
            "mcc" if other_diagnoses >= 2 else "cc" if other_diagnoses == 1 else "none"
        )
        code = group.drgs[severity]
        drg = self.drgs[code]
        return Grouping(
            drg=code, title=drg.title, weight=drg.weight, kind=group.kind, severity=severity
        )


def parse_drgs(data: Any, *, source: str | None = None) -> DrgTable:
    try:
        return DrgTable.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error, data=data, source=source, model=DrgTable) from None


@cache
def load_drgs(path: str | Path | None = None) -> DrgTable:
    """The shipped DRG table, or one from a YAML file of the same form."""
    if path is None:
        path = Path(str(resources.files("handlers.membersim") / "data" / "drg.yaml"))
    spec = read_spec(path, "drg-tables")
    try:
        return parse_drgs(spec.data, source=spec.label)
    except SpecError as error:
        raise spec.locate(error) from None
