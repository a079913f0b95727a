"""The shard's clinical events (its patientsim rows of the events table) in chart order: by
patient, then time, then event id. Columns, with the parameters parsed and the moments on the
working-day clock; a parameter is read for many events at once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.patientsim.clock import Clock
from handlers.patientsim.columns import taken
from sim.errors import SpecError

__all__ = ["ClinicalEvents"]

_TEXTS = {str, type(None)}
_NUMBERS = {int, float, type(None)}


@dataclass(frozen=True)
class ClinicalEvents:
    #: event_id, event_type, definition_id, journey_id, caused_by (text columns)
    table: pa.Table
    patient: np.ndarray  # each event's row in the patients table
    moment: np.ndarray  # datetime64[s], on the working-day clock
    journey: np.ndarray  # each event's journey as a number, to compare journeys
    parameters: list[dict[str, Any]]

    @classmethod
    def of(cls, clinical: pa.Table, person_ids: pa.Array, clock: Clock) -> ClinicalEvents:
        """The events of ``clinical`` whose person is one of ``person_ids`` (the patients)."""
        patient = pc.index_in(clinical["person_id"], value_set=person_ids)
        clinical = clinical.append_column("patient", patient).filter(pc.is_valid(patient))
        clinical = clinical.sort_by(
            [("patient", "ascending"), ("time_days", "ascending"), ("event_id", "ascending")]
        ).combine_chunks()
        # one JSON document for all the parameters: far faster than a parse per row
        parameters = json.loads("[" + ",".join(clinical["parameters"].to_pylist()) + "]")
        journey_id = clinical["journey_id"].combine_chunks()
        journey = pc.dictionary_encode(journey_id, null_encoding="encode").indices
        names = ["event_id", "event_type", "definition_id", "journey_id", "caused_by"]
        return cls(
            clinical.select(names),
            clinical["patient"].to_numpy().astype(np.int64),
            clock.moments(clinical["time_days"].to_numpy()),
            journey.to_numpy(),
            parameters,
        )

    def __len__(self) -> int:
        return len(self.parameters)

    def ids(self, rows: np.ndarray, prefix: str = "") -> pa.Array:
        """The ids of these events (null where a row is -1, none), after ``prefix``: the ids of
        the records made from them."""
        ids = taken(self.table["event_id"], rows)
        return pc.binary_join_element_wise(prefix, ids, "") if prefix else ids

    def of_type(self, *event_types: str) -> np.ndarray:
        """The rows of the events of these types, in chart order."""
        mask = pc.is_in(self.table["event_type"], pa.array(event_types, pa.string()))
        return np.flatnonzero(mask.to_numpy())

    def text(self, name: str, rows: np.ndarray) -> list[str | None]:
        """A parameter of these events as text (codes may be written as numbers in YAML);
        None where absent."""
        values = [self.parameters[row].get(name) for row in rows.tolist()]
        if set(map(type, values)) <= _TEXTS:  # nearly always: converting each is slower
            return values
        return [
            self._text(row, name, value) for row, value in zip(rows.tolist(), values, strict=True)
        ]

    def required_text(self, name: str, rows: np.ndarray) -> list[str]:
        values = self.text(name, rows)
        if not all(values):
            row = int(rows[next(i for i, value in enumerate(values) if not value)])
            message = f"a {self._type(row)} event needs '{name}'"
            raise SpecError(message, path=self._path(row, name))
        return values

    def number(self, name: str, rows: np.ndarray) -> list[float | None]:
        values = [self.parameters[row].get(name) for row in rows.tolist()]
        if not set(map(type, values)) <= _NUMBERS:  # a bool is not a number
            for row, value in zip(rows.tolist(), values, strict=True):
                if value is not None and (
                    isinstance(value, bool) or not isinstance(value, int | float)
                ):
                    raise SpecError(f"'{value}' is not a number", path=self._path(row, name))
        return [value if value is None else float(value) for value in values]

    def _text(self, row: int, name: str, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, dict | list):
            message = f"a {self._type(row)} event's '{name}' is one value, not a list or mapping"
            raise SpecError(message, path=self._path(row, name))
        return str(value)

    def _type(self, row: int) -> str:
        return self.table["event_type"][row].as_py()

    def _path(self, row: int, name: str) -> tuple[str, ...]:
        # a journey event is written in its journey, a triggered one in its trigger
        definition_id = self.table["definition_id"][row].as_py()
        if self.table["caused_by"][row].as_py() is None:
            journey_id = self.table["journey_id"][row].as_py()
            return ("journeys", journey_id, "events", definition_id, "parameters", name)
        return ("triggers", definition_id, "parameters", name)
