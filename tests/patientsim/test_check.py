"""The patientsim section check finds each kind of broken link (on tampered copies of the test
clinic's tables, which are consistent to begin with)."""

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from handlers.patientsim import check


def replaced(table: pa.Table, column: str, row: int, value) -> pa.Table:
    values = table[column].to_pylist()
    values[row] = value
    index = table.schema.get_field_index(column)
    return table.set_column(index, table.schema.field(column), pa.array(values, table[column].type))


@pytest.fixture
def tables(clinic):
    assert check(clinic.tables) == []
    return dict(clinic.tables)


def test_a_record_of_an_event_that_does_not_exist(tables):
    tables["events"] = tables["events"].filter(
        pc.not_equal(tables["events"]["event_type"], "medication_order")
    )
    (problem,) = check(tables)
    assert problem.startswith("medication_orders.event_id: 3 of 3 rows do not join to a")
    assert "MO-P000000000-" in problem


def test_a_record_pointing_at_another_person_s_event(tables):
    orders = tables["medication_orders"]
    bobs = orders.filter(pc.equal(orders["person_id"], "P000000001"))["event_id"][0].as_py()
    tables["medication_orders"] = replaced(orders, "event_id", 0, bobs)
    (problem,) = check(tables)
    assert problem.startswith("medication_orders.event_id: 1 of 3 rows do not join")


def test_a_record_pointing_at_an_event_of_the_wrong_type(tables):
    observations = tables["observations"]
    tables["observations"] = replaced(observations, "event_id", 0, "P000000000-0001")  # the dx
    (problem,) = check(tables)
    assert problem.startswith("observations.event_id: 1 of 2 rows do not join to a lab_result")


def test_a_record_of_an_unknown_patient_and_a_person_without_records(tables):
    conditions = tables["conditions"]
    tables["conditions"] = replaced(conditions, "patient_id", 0, "PT000000099")
    tables["patients"] = tables["patients"].slice(1)
    problems = check(tables)
    assert any(p.startswith("conditions.person_id: 1 of") for p in problems)
    assert "patients: 1 persons have no patient row (PT000000000)" in problems


def test_a_dangling_encounter_and_an_unsourced_condition(tables):
    tables["procedures"] = replaced(tables["procedures"], "encounter_id", 0, "EN-nowhere")
    tables["conditions"] = replaced(tables["conditions"], "event_id", 2, None)
    problems = check(tables)
    assert any(p.startswith("procedures.encounter_id: 1 of 2 rows") for p in problems)
    assert any(p.startswith("conditions.event_id: 1 of") and "not history" in p for p in problems)


def test_a_result_before_its_order(tables):
    observations = tables["observations"]
    row, ordered = next(
        (i, t) for i, t in enumerate(observations["ordered_datetime"].to_pylist()) if t
    )
    early = ordered - dt.timedelta(hours=1)
    tables["observations"] = replaced(observations, "effective_datetime", row, early)
    (problem,) = check(tables)
    assert problem.startswith("observations.effective_datetime: 1 results precede their order")


def test_missing_tables_are_named(tables):
    del tables["procedures"]
    assert check(tables) == ["patientsim: missing tables: procedures"]
