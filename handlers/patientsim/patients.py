"""Patients: the ``patients`` table of the persons with a ``patient_id``, and the facts about
them the other records need, as columns in the table's order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.patientsim import schemas
from handlers.patientsim.columns import taken
from handlers.patientsim.identifiers import mrns

__all__ = ["Patients"]

_OPTIONAL_TEXT = ("race_ethnicity", "address_line", "city", "state", "zip_code", "county_fips")


def _column(persons: pa.Table, name: str, kind: pa.DataType) -> pa.ChunkedArray | pa.Array:
    if name in persons.column_names:
        return persons[name]
    return pa.nulls(persons.num_rows, kind)


def _conditions(persons: pa.Table) -> pa.ChunkedArray | pa.Array:
    if "conditions" not in persons.column_names:
        return pa.array([[] for _ in range(persons.num_rows)], pa.list_(pa.string()))
    return pc.fill_null(persons["conditions"], pa.scalar([], pa.list_(pa.string())))


def _table(persons: pa.Table) -> pa.Table:
    given = _column(persons, "first_name", pa.string())
    family = _column(persons, "last_name", pa.string())
    columns: dict[str, Any] = {
        "patient_id": persons["patient_id"],
        "person_id": persons["person_id"],
        "mrn": mrns(persons["person_index"].to_numpy()),
        "name": pc.binary_join_element_wise(given, family, " "),
        "given_name": given,
        "family_name": family,
        "sex": persons["sex"],
        "birth_date": persons["birth_date"],
    }
    columns |= {name: _column(persons, name, pa.string()) for name in _OPTIONAL_TEXT}
    columns["conditions_at_start"] = _conditions(persons)
    arrays = [columns[field.name].cast(field.type) for field in schemas.PATIENTS]
    return pa.Table.from_arrays(arrays, schema=schemas.PATIENTS)


@dataclass(frozen=True)
class Patients:
    """The shard's patients, in the order of their table."""

    table: pa.Table
    person_index: np.ndarray
    age_years: list[int]
    birth_day: np.ndarray  # datetime64[D]
    county_fips: list[str | None]
    conditions: list[list[str]]  # ICD-10-CM codes on the person at the start

    @classmethod
    def of(cls, persons: pa.Table) -> Patients:
        """The persons with a ``patient_id``."""
        if "patient_id" in persons.column_names:
            persons = persons.filter(pc.is_valid(persons["patient_id"]))
        else:
            persons = persons.slice(0, 0).append_column("patient_id", pa.array([], pa.string()))
        table = _table(persons)
        return cls(
            table,
            persons["person_index"].to_numpy(),
            persons["age"].to_pylist(),
            table["birth_date"].to_numpy().astype("datetime64[D]"),
            table["county_fips"].to_pylist(),
            table["conditions_at_start"].to_pylist(),
        )

    def __len__(self) -> int:
        return self.table.num_rows

    def ids(self, positions: np.ndarray) -> dict[str, pa.Array]:
        """The ``patient_id`` and ``person_id`` columns of records of the patients at these
        positions."""
        return {name: taken(self.table[name], positions) for name in ("patient_id", "person_id")}
