"""Determinism: the same seed gives the same tables (SHA-256 of each table's column types and
values in row order; ``run_manifest.created_at`` left out) across repeated runs, shard sizes,
one or two worker processes, a Dask LocalCluster and interpreters with different
``PYTHONHASHSEED``; and person i's rows are the same in a run of N persons and in one of 2N."""

from __future__ import annotations

from collections import Counter

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import sim

SCENARIO, COUNT, SEED = "medicare-diabetic", 240, 11
#: columns that carry a person's identity, in the order they are tried
LINKS = ("person_id", "patient_id", "member_id", "rx_member_id", "subject_id")


@pytest.fixture(scope="module")
def reference(digests):
    result = sim.run(SCENARIO, COUNT, seed=SEED, shard_size=100)
    return result.tables, digests(result.tables)


def test_repeated_runs_give_identical_tables(reference, digests, tally):
    tables, expected = reference
    assert set(tables) >= {"persons", "events", "patients", "claims", "fills", "run_manifest"}
    assert all(tables[name].num_rows for name in ("persons", "events", "claims", "fills"))
    assert digests(sim.run(SCENARIO, COUNT, seed=SEED, shard_size=100).tables) == expected
    other = digests(sim.run(SCENARIO, COUNT, seed=SEED + 1, shard_size=100).tables)
    assert other["events"] != expected["events"]  # the digests do see the content
    tally["determinism", "repeated run (shards of 100)", "identical"] += 1


OPTIONS = {
    "shards of 37 persons": {"shard_size": 37},
    "one shard": {"shard_size": COUNT},
    "two worker processes": {"shard_size": 100, "workers": 2},
    "eight worker processes": {"shard_size": 30, "workers": 8},
    "Dask LocalCluster, two workers": {"shard_size": 100, "workers": 2, "executor": "dask"},
}


@pytest.mark.parametrize("name", OPTIONS)
def test_shards_workers_and_executors_do_not_change_a_byte(reference, digests, tally, name):
    assert digests(sim.run(SCENARIO, COUNT, seed=SEED, **OPTIONS[name]).tables) == reference[1]
    tally["determinism", name, "identical"] += 1


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_outputs_the_workers_write_themselves_are_the_same(tmp_path, digests, tally, kind):
    """One worker's shards go through the sink; two and eight workers (and a local Dask
    cluster) write or stage theirs as parts that the output takes in: the tables read back
    are the same."""
    found = {}
    for name, options in {"one worker": {"workers": 1}, **OPTIONS}.items():
        if "workers" not in options:
            continue
        out = tmp_path / (name.replace(" ", "-").replace(",", "") + f".{kind}")
        result = sim.run(SCENARIO, COUNT, seed=SEED, out=out, format=kind, **options)
        assert result.check["check_passed"], result.check
        found[name] = digests(_read_back(out) if kind == "duckdb" else result.tables)
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert len(found) == 4 and all(d == found["one worker"] for d in found.values())
    tally["determinism", f"{kind} output by 1, 2 and 8 workers and Dask", "identical"] += 1


def _read_back(path) -> dict[str, pa.Table]:
    with duckdb.connect(str(path), read_only=True) as connection:
        names = [row[0] for row in connection.execute("show tables").fetchall()]
        return {name: connection.sql(f'select * from "{name}"').to_arrow_table() for name in names}


def test_python_hash_seeds_do_not_change_a_byte(tmp_path, cli, digests, tally):
    """The same run in fresh interpreters with different string hashing, through the CLI."""
    outputs = {}
    for hash_seed in ("0", "4242"):
        out = tmp_path / f"hash-{hash_seed}.duckdb"
        result = cli("run", "oswald-family", "-n", "40", "--seed", "5", "-w", "1", "-q",
                     "-o", str(out), env={"PYTHONHASHSEED": hash_seed})  # fmt: skip
        assert result.returncode == 0, result.stderr
        outputs[hash_seed] = digests(_read_back(out))
    here = tmp_path / "here.duckdb"
    sim.run("oswald-family", 40, seed=5, out=here)  # this interpreter: a random hash seed
    assert outputs["0"] == outputs["4242"] == digests(_read_back(here))
    assert {"members", "claims", "fills"} <= set(outputs["0"])
    tally["determinism", "PYTHONHASHSEED 0, 4242 and random (CLI)", "identical"] += 1


def _rows(table: pa.Table) -> Counter:
    return Counter(tuple(row.values()) for row in table.to_pylist())


@pytest.mark.parametrize(
    ("scenario", "count"), [(SCENARIO, 120), ("oswald-family", 6), ("diabetes-trial", 60)]
)
def test_person_i_is_the_same_in_a_run_of_n_and_of_2n(tally, scenario, count):
    small = sim.run(scenario, count, seed=SEED).tables
    large = sim.run(scenario, 2 * count, seed=SEED).tables
    persons = small["persons"]
    assert large["persons"].num_rows == 2 * persons.num_rows
    for name, table in small.items():
        if name == "run_manifest":
            continue
        link = next((column for column in LINKS if column in table.column_names), None)
        if link is None:  # no person column (SDTM domains): each row is in the larger run
            missing = _rows(table) - _rows(large[name])
            assert not missing, (name, next(iter(missing)))
            tally["determinism", f"person i in N and 2N ({scenario})", "rows found"] += 1
            continue
        ours = pc.is_in(large[name][link], persons[link])
        assert large[name].filter(ours).equals(table), name
        tally["determinism", f"person i in N and 2N ({scenario})", "tables identical"] += 1
