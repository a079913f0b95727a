"""A clean run passes every rule; each corruption is caught by its own rule, with an example."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import sim
from sim.errors import SpecError
from sim.output.check import check_output, format_report


@pytest.fixture(scope="module")
def tables():
    return dict(sim.run("medicare-diabetic", 200, seed=8).tables)


def failing(report) -> dict[str, tuple[str, ...]]:
    return {r.rule: r.examples for r in report.results if r.failures}


def replace(table: pa.Table, column: str, values: list) -> pa.Table:
    index = table.column_names.index(column)
    return table.set_column(index, column, pa.array(values, table.schema.field(column).type))


def test_clean_run_passes_every_rule(tables):
    report = check_output(tables)
    assert report.passed, format_report(report)
    assert all(r.checked > 0 for r in report.results if "observation" not in r.rule)
    assert [rule for rule, _ in report.skipped] == [
        "no event after a trial subject's death",
        "trial visits inside their windows",
    ]


def test_clean_outputs_on_disk_pass(tmp_path):
    result = sim.run("diabetes-trial", 40, seed=2)
    duckdb_report = check_output(result.to_duckdb(tmp_path / "run.duckdb"))
    parquet_report = check_output(result.to_parquet(tmp_path / "run.parquet"))
    assert duckdb_report == parquet_report == check_output(result.tables)
    assert duckdb_report.passed and not duckdb_report.skipped
    assert duckdb_report.result("trial visits inside their windows").checked > 0


@pytest.mark.parametrize(
    ("table", "column", "target", "noun"),
    [
        ("claims", "member_id", "members", "member"),
        ("pharmacy_claims", "fill_id", "fills", "fill"),
    ],
)
def test_deleted_reference(tables, table, column, target, noun):
    rows = tables[target]
    gone = tables[table][column][0].as_py()
    corrupt = tables | {target: rows.filter(pc.not_equal(rows[column], gone))}
    found = failing(check_output(corrupt))
    rule = f"{table}.{column} in {target}"
    assert list(found) == [rule]
    assert f"{noun} {gone} not in {target}" in found[rule][0]


def test_moved_claim_date(tables):
    claims = tables["claims"]
    dates = claims["service_date"].to_pylist()
    dates[3] = dt.date(2030, 1, 1)
    found = failing(check_output(tables | {"claims": replace(claims, "service_date", dates)}))
    assert list(found) == ["claim service dates inside the member's spans of its plan"]
    (example,) = next(iter(found.values()))
    assert example.startswith(f"claim {claims['claim_id'][3].as_py()}: service 2030-01-01")


def test_broken_caused_by(tables):
    events = tables["events"]
    caused = events["caused_by"].to_pylist()
    row = next(i for i, value in enumerate(caused) if value is not None)
    other = events["event_id"][events.num_rows - 1].as_py()  # the last person's event
    caused[row] = other
    found = failing(check_output(tables | {"events": replace(events, "caused_by", caused)}))
    assert list(found) == ["caused_by is an event of the same person"]
    assert f"caused_by {other} is an event of" in found[next(iter(found))][0]


def test_fill_of_another_drug_than_its_order(tables):
    rule = "a prescribed fill matches its medication order"
    orders = tables["medication_orders"]
    checked = check_output(tables).result(rule).checked
    assert checked > 0
    rxnorm = orders["rxnorm"].to_pylist()
    rxnorm[0] = "0000000"
    corrupt = tables | {"medication_orders": replace(orders, "rxnorm", rxnorm)}
    found = failing(check_output(corrupt))
    assert list(found) == [rule]
    assert f"order {orders['order_id'][0].as_py()} is" in found[rule][0]
    assert found[rule][0].endswith("RxNorm 0000000")
    missing = tables | {"medication_orders": orders.slice(1)}
    assert failing(check_output(missing))[rule][0].split(": ")[1].startswith("no medication order")


def test_event_after_death():
    tables = dict(sim.run("diabetes-trial", 40, seed=2).tables)
    subjects = tables["trial_subjects"]
    row = subjects["status"].to_pylist().index("completed")
    statuses = subjects["status"].to_pylist()
    statuses[row] = "died"
    ends = subjects["end_of_study_date"].to_pylist()
    ends[row] = subjects["randomization_date"][row].as_py()
    corrupt = replace(replace(subjects, "status", statuses), "end_of_study_date", ends)
    found = failing(check_output(tables | {"trial_subjects": corrupt}))
    rule = "no event after a trial subject's death"
    assert list(found) == [rule]
    assert f"{subjects['person_id'][row].as_py()} died {ends[row]}" in found[rule][0]


def test_changed_paid_amount(tables):
    claims = tables["claims"]
    paid = claims["paid_usd"].to_pylist()
    paid[5] += 0.01
    found = failing(check_output(tables | {"claims": replace(claims, "paid_usd", paid)}))
    assert list(found) == ["allowed = paid + member cost share (cents)"]
    assert claims["claim_id"][5].as_py() in found[next(iter(found))][0]


def test_event_before_birth_and_missing_person(tables):
    persons = tables["persons"]
    births = persons["birth_date"].to_pylist()
    births[0] = dt.date(2026, 1, 1)
    report = check_output(tables | {"persons": replace(persons, "birth_date", births)})
    born = report.result("no event before the person's birth date")
    assert born.failures > 0 and "born 2026-01-01" in born.examples[0]
    assert failing(report).keys() == {"no event before the person's birth date"}


def test_manifest_rows(tables):
    manifest = tables["run_manifest"]
    found = failing(check_output(tables | {"run_manifest": pa.concat_tables([manifest] * 2)}))
    assert found == {
        "run_manifest: one row with seed and scenario hash": (
            "run_manifest: 2 rows, 2 seeds, 2 scenario hashes",
        )
    }
    without = {name: table for name, table in tables.items() if name != "run_manifest"}
    assert not check_output(without).passed


def test_out_of_window_visit():
    tables = dict(sim.run("diabetes-trial", 40, seed=2).tables)
    visits = tables["trial_visits"]
    days = visits["actual_day"].to_pylist()
    days[1] += 100
    found = failing(check_output(tables | {"trial_visits": replace(visits, "actual_day", days)}))
    assert list(found) == ["trial visits inside their windows"]


def test_bad_paths(tmp_path):
    with pytest.raises(SpecError, match="does not exist"):
        check_output(tmp_path / "nothing.duckdb")
    with pytest.raises(SpecError, match="no Parquet datasets"):
        check_output(tmp_path)
    (tmp_path / "text.duckdb").write_text("not a database")
    with pytest.raises(SpecError, match="not a DuckDB file"):
        check_output(tmp_path / "text.duckdb")
