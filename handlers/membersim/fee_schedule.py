"""The professional fee schedule (``data/fee-schedule.yaml``): Medicare's amount per CPT or
HCPCS code, the benefit category it falls in and the units a line bills."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
)

from sim.errors import SpecError, did_you_mean, from_validation_error
from sim.specio import read_spec

__all__ = ["FeeSchedule", "FeeScheduleEntry", "load_fee_schedule"]

SOURCE = "handlers/membersim/data/fee-schedule.yaml"
#: CPT: five digits, or four and F/T (categories II, III); HCPCS Level II: a letter, four digits
_CODE = r"^(\d{5}|\d{4}[FT]|[A-V]\d{4})$"
Category = Literal[
    "office_visit", "specialist", "emergency", "lab", "imaging", "procedure", "preventive"
]


class FeeScheduleEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: Annotated[str, Field(pattern=_CODE)]
    description: Annotated[str, Field(min_length=1)]
    medicare_usd: Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]
    category: Category
    units: tuple[Annotated[int, Field(ge=1, le=100)], Annotated[int, Field(ge=1, le=100)]] = (1, 1)

    @field_validator("units")
    @classmethod
    def _ordered(cls, units: tuple[int, int]) -> tuple[int, int]:
        if units[0] > units[1]:
            raise ValueError(f"min {units[0]} is above max {units[1]}")
        return units


class FeeSchedule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    conversion_factor_usd: Annotated[float, Field(gt=0)]
    codes: tuple[FeeScheduleEntry, ...]
    _by_code: dict[str, FeeScheduleEntry] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any) -> None:
        self._by_code.update((entry.code, entry) for entry in self.codes)

    @field_validator("codes")
    @classmethod
    def _unique(cls, codes: tuple[FeeScheduleEntry, ...]) -> tuple[FeeScheduleEntry, ...]:
        seen: set[str] = set()
        for entry in codes:
            if entry.code in seen:
                raise ValueError(f"code {entry.code} is listed twice")
            seen.add(entry.code)
        return codes

    @property
    def by_code(self) -> dict[str, FeeScheduleEntry]:
        return self._by_code

    def entry(self, code: str, *, path: tuple[str | int, ...]) -> FeeScheduleEntry:
        """The entry of ``code``; a code the schedule lacks is a SpecError at ``path``."""
        found = self.by_code.get(code)
        if found is None:
            raise SpecError(
                f"procedure code '{code}' is not in the fee schedule ({SOURCE})",
                path=path,
                hint=did_you_mean(code, self.by_code) or "add a row for it to price it",
            )
        return found


def parse_fee_schedule(data: Any, *, source: str | None = None) -> FeeSchedule:
    try:
        return FeeSchedule.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error, data=data, source=source, model=FeeSchedule) from None


@cache
def load_fee_schedule(path: str | Path | None = None) -> FeeSchedule:
    """The shipped fee schedule, or one from a YAML file of the same form."""
    if path is None:
        path = Path(str(resources.files("handlers.membersim") / "data" / "fee-schedule.yaml"))
    spec = read_spec(path, "fee-schedules")
    try:
        return parse_fee_schedule(spec.data, source=spec.label)
    except SpecError as error:
        raise spec.locate(error) from None
