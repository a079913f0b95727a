"""Observations: one row per lab result, with the lab table's name, reference range and flag.

The value is the event's: a journey draws it by the person's attributes (the diabetic journey's
HbA1c by ``severity``), the default trigger from the lab table for the person's conditions. A
result without a value draws one from the lab table for the conditions on the person at the
start. A result caused by a lab order points at it and belongs to the order's encounter.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.patientsim import schemas
from handlers.patientsim.columns import per_value, table
from handlers.patientsim.encounters import Encounters
from handlers.patientsim.events import ClinicalEvents
from handlers.patientsim.patients import Patients
from sim.codes.labs import LabTest, load_labs

__all__ = ["LabResults"]


class LabResults:
    """The shard's lab results, read before their values are drawn."""

    def __init__(self, events: ClinicalEvents) -> None:
        self.events = events
        self.rows = events.of_type("lab_result")
        self.loinc = events.required_text("loinc", self.rows)
        self.tests: list[LabTest | None] = per_value(self.loinc, load_labs().get)
        self.values = events.number("value", self.rows)

    def to_draw(self) -> dict[int, list[tuple[int, LabTest]]]:
        """By patient: the (event row, test) of each result without a value whose test the lab
        table has, in chart order."""
        wanted: dict[int, list[tuple[int, LabTest]]] = defaultdict(list)
        patients = self.events.patient[self.rows].tolist()
        for row, patient, test, value in zip(
            self.rows.tolist(), patients, self.tests, self.values, strict=True
        ):
            if value is None and test is not None:
                wanted[patient].append((row, test))
        return wanted

    def table(
        self, patients: Patients, encounters: Encounters, drawn: dict[int, float]
    ) -> pa.Table:
        """The observations, with the values ``drawn`` (by event row) for results lacking one."""
        events, rows, tests = self.events, self.rows, self.tests
        values = [
            drawn.get(row, value) for row, value in zip(rows.tolist(), self.values, strict=True)
        ]
        order = self._orders()
        # a result belongs to the encounter its specimen was ordered in
        specimen = np.where(order >= 0, order, rows)
        ordered = np.where(order >= 0, events.moment[order], np.datetime64("NaT"))
        names = events.text("test_name", rows)
        units = events.text("unit", rows)
        columns = {
            "observation_id": events.ids(rows, prefix="OB-"),
            **patients.ids(events.patient[rows]),
            "event_id": events.ids(rows),
            "encounter_id": encounters.ids_at(encounters.of_event[specimen]),
            "order_event_id": events.ids(order),
            "loinc": self.loinc,
            "name": [test.name if test else name for test, name in zip(tests, names, strict=True)],
            "value": values,
            "unit": [
                unit or (test.unit if test else None)
                for unit, test in zip(units, tests, strict=True)
            ],
            "reference_low": [test.reference_low if test else None for test in tests],
            "reference_high": [test.reference_high if test else None for test in tests],
            "abnormal_flag": [
                test.abnormal_flag(value) if test and value is not None else None
                for test, value in zip(tests, values, strict=True)
            ],
            "ordered_datetime": ordered,
            "effective_datetime": events.moment[rows],
        }
        return table(schemas.OBSERVATIONS, columns)

    def _orders(self) -> np.ndarray:
        """The row of the lab order each result was caused by, -1 if none was."""
        events, rows = self.events, self.rows
        ids = events.table["event_id"].combine_chunks()
        cause = pc.index_in(events.table["caused_by"].take(rows), value_set=ids)
        cause = pc.fill_null(cause, -1).to_numpy().astype(np.int64)
        some = np.maximum(cause, 0)  # any row, where there is no cause
        is_order = pc.equal(events.table["event_type"].take(some), "lab_order").to_numpy()
        # the patient's own lab order
        found = (cause >= 0) & is_order & (events.patient[some] == events.patient[rows])
        return np.where(found, cause, -1)
