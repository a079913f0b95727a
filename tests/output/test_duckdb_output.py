"""A DuckDB output: keys on entity tables, comments, views; batches gathered in memory."""

import duckdb
import pyarrow as pa
import pytest

from sim.output import MemorySink, open_sink
from sim.scenario import run


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    path = tmp_path_factory.mktemp("d") / "o.duckdb"
    run("oswald-family", 4, seed=1, out=path)
    return path


def test_keys_comments_and_views(output):
    with duckdb.connect(str(output), read_only=True) as connection:
        keys = {
            row[0]
            for row in connection.sql(
                "select table_name from duckdb_constraints() where constraint_type = 'PRIMARY KEY'"
            ).fetchall()
        }
        assert {"persons", "patients", "members", "rx_members", "claims"} <= keys
        comment = connection.sql(
            "select comment from duckdb_columns() where table_name = 'events' "
            "and column_name = 'caused_by'"
        ).fetchall()[0][0]
        assert "caused" in comment
        allowed, months = connection.sql(
            "select sum(allowed_usd), (select sum(end_date - start_date + 1) / 30.4375 "
            "from enrollments) from claims"
        ).fetchall()[0]
        pmpm = connection.sql("select allowed_pmpm_usd from pmpm_cost").fetchall()[0][0]
        assert pmpm == pytest.approx(allowed / months)
        by_month = connection.sql("select sum(claims) from claims_by_month").fetchall()[0][0]
        assert by_month == connection.sql("select count(*) from claims").fetchall()[0][0]
        member_days = connection.sql("select sum(covered_days) from member_months").fetchall()
        spans = connection.sql("select sum(end_date - start_date + 1) from enrollments").fetchall()
        assert member_days == spans


def test_a_duplicate_id_fails_the_output_and_leaves_nothing(tmp_path):
    persons = pa.table({"person_id": ["P1", "P1"], "person_index": [0, 1]})
    with pytest.raises(duckdb.ConstraintException), open_sink(tmp_path / "x.duckdb") as sink:
        sink.write({"persons": persons})
    assert not list(tmp_path.iterdir())


def test_memory_sink_gathers_batches():
    sink = MemorySink()
    sink.write({"t": pa.table({"a": [1]})})
    sink.write({"t": pa.table({"a": [2, 3]})})
    assert sink.tables()["t"]["a"].to_pylist() == [1, 2, 3]
