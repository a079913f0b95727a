"""The ``patientsim`` section check: every clinical row joins to its person and to the events
row it was made from, and the rows point at each other consistently.

``check(tables)`` takes a run's tables (``sim.run(...).tables``) and returns the problems, one
line each; an empty list means every link holds.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from handlers.patientsim.records import PRODUCT
from handlers.patientsim.schemas import SCHEMAS

__all__ = ["SOURCE_EVENT_TYPES", "check"]

#: the event types each table's ``event_id`` may point at
SOURCE_EVENT_TYPES: dict[str, tuple[str, ...]] = {
    "encounters": ("encounter", "admission", "diagnosis", "procedure", "medication_administration"),
    "conditions": ("diagnosis", "encounter", "admission", "procedure"),
    "observations": ("lab_result",),
    "medication_orders": ("medication_order",),
    "procedures": ("procedure", "medication_administration"),
}
_SEPARATOR = "\x1f"
_SHOWN = 3


def _keys(table: pa.Table, columns: tuple[str, ...]) -> pa.ChunkedArray | pa.Array:
    if len(columns) == 1:
        return table[columns[0]]
    return pc.binary_join_element_wise(*(table[c] for c in columns), _SEPARATOR)


def _unjoined(
    rows: pa.Table, columns: tuple[str, ...], target: pa.Table, target_columns: tuple[str, ...]
) -> pa.Table:
    """Rows whose (non-null) key is not a key of ``target``."""
    rows = rows.filter(pc.is_valid(rows[columns[0]]))
    known = pc.unique(_keys(target, target_columns).combine_chunks())
    return rows.filter(pc.invert(pc.is_in(_keys(rows, columns), known)))


def _problem(table: str, column: str, bad: pa.Table, total: int, what: str, id_column: str) -> str:
    shown = ", ".join(str(value) for value in bad[id_column].to_pylist()[:_SHOWN])
    return f"{table}.{column}: {bad.num_rows} of {total} rows do not join to {what} ({shown})"


def _events_of_types(events: pa.Table, event_types: tuple[str, ...]) -> pa.Table:
    mask = pc.and_(
        pc.equal(events["product"], PRODUCT),
        pc.is_in(events["event_type"], pa.array(event_types)),
    )
    return events.filter(mask)


def check(tables: Mapping[str, pa.Table]) -> list[str]:
    """The broken links of the PatientSim tables in ``tables``; empty when all hold."""
    missing = [name for name in ("persons", "events", *SCHEMAS) if name not in tables]
    if missing:
        return [f"patientsim: missing tables: {', '.join(missing)}"]
    persons, events = tables["persons"], tables["events"]
    problems: list[str] = []

    def expect(table: str, column: str, bad: pa.Table, what: str) -> None:
        if bad.num_rows:
            id_column = SCHEMAS[table].names[0]
            problems.append(_problem(table, column, bad, tables[table].num_rows, what, id_column))

    identity = ("person_id", "patient_id")
    for name in SCHEMAS:
        bad = _unjoined(tables[name], identity, persons, identity)
        expect(name, "person_id", bad, "a person with that patient_id")
    if "patient_id" in persons.column_names:
        absent = _unjoined(persons, ("patient_id",), tables["patients"], ("patient_id",))
        if absent.num_rows:
            shown = ", ".join(absent["patient_id"].to_pylist()[:_SHOWN])
            problems.append(f"patients: {absent.num_rows} persons have no patient row ({shown})")
    for name, event_types in SOURCE_EVENT_TYPES.items():
        sources = _events_of_types(events, event_types)
        bad = _unjoined(tables[name], ("event_id", "person_id"), sources, ("event_id", "person_id"))
        expect(name, "event_id", bad, f"a {'/'.join(event_types)} event of the same person")
        if name != "encounters":
            bad = _unjoined(
                tables[name],
                ("encounter_id", "person_id"),
                tables["encounters"],
                ("encounter_id", "person_id"),
            )
            expect(name, "encounter_id", bad, "an encounter of the same person")
    conditions = tables["conditions"]
    unsourced = conditions.filter(
        pc.and_(pc.is_null(conditions["event_id"]), pc.not_equal(conditions["source"], "history"))
    )
    expect("conditions", "event_id", unsourced, "an event, and are not history")
    pairs = (
        ("encounters", "discharge_event_id", "discharge"),
        ("observations", "order_event_id", "lab_order"),
    )
    for name, column, event_type in pairs:
        sources = _events_of_types(events, (event_type,))
        bad = _unjoined(tables[name], (column, "person_id"), sources, ("event_id", "person_id"))
        expect(name, column, bad, f"a {event_type} event of the same person")
    observations = tables["observations"]
    early = observations.filter(
        pc.fill_null(
            pc.less(observations["effective_datetime"], observations["ordered_datetime"]), False
        )
    )
    if early.num_rows:
        shown = ", ".join(early["observation_id"].to_pylist()[:_SHOWN])
        problems.append(
            f"observations.effective_datetime: {early.num_rows} results precede their order"
            f" ({shown})"
        )
    return problems
