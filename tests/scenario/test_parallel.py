"""Shards, workers, executors and sinks: the same rows whatever runs them, outputs that appear
complete or not at all."""

import sys

import duckdb
import pyarrow.compute as pc
import pytest

import sim.scenario.run  # noqa: F401  (the module, for monkeypatching)
from sim.errors import SpecError
from sim.scenario import run


def _same(a, b):
    assert set(a) == set(b)
    for name in a:
        if name == "run_manifest":
            assert a[name].drop(["created_at"]).equals(b[name].drop(["created_at"]))
        else:  # an output read back keeps the values and types, not NOT NULL flags
            assert a[name].equals(b[name].cast(a[name].schema)), name


@pytest.fixture(scope="module")
def reference():
    return run("medicare-diabetic", 300, seed=8, shard_size=100).tables


def test_shard_size_does_not_change_the_rows(reference):
    _same(reference, run("medicare-diabetic", 300, seed=8, shard_size=300).tables)
    _same(reference, run("medicare-diabetic", 300, seed=8, shard_size=37).tables)


def test_two_workers_give_the_same_tables(reference):
    _same(reference, run("medicare-diabetic", 300, seed=8, shard_size=100, workers=2).tables)


def test_dask_local_cluster_gives_the_same_tables(reference):
    tables = run(
        "medicare-diabetic", 300, seed=8, shard_size=100, workers=2, executor="dask"
    ).tables
    _same(reference, tables)


def test_households_are_not_split_and_copies_parallelise():
    one = run("oswald-family", 7, seed=2, shard_size=4).tables
    two = run("oswald-family", 7, seed=2, shard_size=9, workers=2).tables
    _same(one, two)
    persons = one["persons"]
    assert persons.num_rows == 21
    assert pc.count_distinct(persons["household_id"]).as_py() == 7


def test_streamed_duckdb_and_parquet_read_back_the_same(tmp_path, reference):
    streamed = run("medicare-diabetic", 300, seed=8, shard_size=100, out=tmp_path / "r.duckdb")
    assert streamed.row_counts["persons"] == 300
    _same(reference, streamed.tables)
    parquet = run(
        "medicare-diabetic", 300, seed=8, shard_size=100, out=tmp_path / "r", format="parquet"
    )
    assert len(list((tmp_path / "r" / "events").glob("part-*.parquet"))) == 3
    _same(reference, parquet.tables)
    csv = run("medicare-diabetic", 300, seed=8, shard_size=100, out=tmp_path / "c", format="csv")
    header = (tmp_path / "c" / "events.csv").read_text().splitlines()
    assert len(header) == csv.row_counts["events"] + 1  # one header line
    with duckdb.connect(str(tmp_path / "r.duckdb"), read_only=True) as connection:
        names = {row[0] for row in connection.execute("show tables").fetchall()}
    assert {"persons", "events", "run_manifest"} <= names


def test_a_failing_run_leaves_no_output_and_keeps_the_old_one(tmp_path, monkeypatch):
    out = tmp_path / "keep.duckdb"
    run("medicare-diabetic", 50, seed=1, out=out)
    before = out.read_bytes()

    def failing(*args, **kwargs):
        yield from original(*args, **kwargs)
        raise RuntimeError("disk full")

    run_module = sys.modules["sim.scenario.run"]
    original = run_module.run_shards
    monkeypatch.setattr(run_module, "run_shards", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        run("medicare-diabetic", 50, seed=1, out=out, overwrite=True)
    assert out.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    with pytest.raises(RuntimeError):
        run("medicare-diabetic", 50, seed=1, out=tmp_path / "new.duckdb")
    assert not (tmp_path / "new.duckdb").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"workers": 0}, "workers must be"),
        ({"executor": "spark"}, "unknown executor"),
        ({"shard_size": 0}, "shard_size must be"),
        ({"out": "x.txt"}, "cannot tell the format"),
    ],
)
def test_bad_options_are_clear_errors(options, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError, match=message):
        run("medicare-diabetic", 10, seed=1, **options)
