"""The scale benchmarks still run, at tiny sizes (they report speed; nothing here asserts it)."""

from __future__ import annotations

import importlib
import math
from pathlib import Path
from types import ModuleType

import pytest

from sim.profiles import compile_profile, generate_population, load_profile

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch):
    # bench/ sits beside the installed packages, not inside them
    monkeypatch.syspath_prepend(str(ROOT))

    def load(name: str) -> ModuleType:
        return importlib.import_module(f"bench.{name}")

    return load


def _same_keys(rows: list[dict]) -> None:
    assert rows
    assert all(list(row) == list(rows[0]) for row in rows)


def test_end_to_end_runs_both_formats_and_worker_counts(bench):
    rows = bench("bench_end_to_end").run(persons=96, workers=(2, 1), shard_size=48)
    _same_keys(rows)
    assert [(r["format"], r["workers"]) for r in rows] == [
        ("duckdb", 1),
        ("duckdb", 2),
        ("parquet", 1),
        ("parquet", 2),
    ]
    assert all(r["shards"] == 2 and r["persons_per_s"] > 0 for r in rows)
    assert [r["speedup"] for r in rows if r["workers"] == 1] == [1.0, 1.0]
    # the same rows whatever the workers and the format: the ratios per person agree
    assert len({(r["events_per_person"], r["records_per_person"]) for r in rows}) == 1
    assert rows[0]["records_per_person"] > 1


def test_end_to_end_phases_account_for_the_shard(bench):
    rows = bench("bench_end_to_end").phases(persons=64)
    _same_keys(rows)
    phases = {r["phase"]: r for r in rows}
    assert {"journeys and triggers", "write duckdb", "write parquet"} <= set(phases)
    assert any(name.endswith(" records") for name in phases)
    shard = [r for r in rows if not r["phase"].startswith("write ")]
    assert sum(r["share"] for r in shard) == pytest.approx(1.0, abs=0.01)
    assert all(r["cpu_seconds"] >= 0 for r in rows)


def test_memory_measures_each_size_in_a_fresh_process(bench):
    module = bench("bench_memory")
    rows = module.run(sizes=(32, 64), reference=64)
    _same_keys(rows)
    assert [r["persons"] for r in rows] == [32, 64]
    assert rows[1]["ratio"] == 1.0
    assert all(0 < r["startup_rss_mb"] <= r["peak_rss_mb"] and r["output_mb"] > 0 for r in rows)


def test_memory_sizes_and_reference(bench):
    module = bench("bench_memory")
    assert module.sizes_up_to(100_000) == (10_000, 100_000)
    assert module.sizes_up_to(1_000_000) == (10_000, 100_000, 1_000_000)
    assert module.sizes_up_to(5_000) == (5_000,)
    with pytest.raises(ValueError, match="reference size"):
        module.run(sizes=(10,), reference=20)


def test_profiles_compares_with_the_naive_loop(bench):
    rows = bench("bench_profiles").run(count=2_048, naive_count=64, repeats=1)
    _same_keys(rows)
    assert rows[0]["method"].startswith("naive") and rows[0]["speedup"] == 1.0
    assert {r["method"] for r in rows[2:]} == {"vectorised, names off", "vectorised, names on"}


def test_naive_loop_makes_the_same_kind_of_persons(bench):
    """The comparison is fair only if the loop draws what the vectorised path draws."""
    module = bench("bench_profiles")
    profile = compile_profile(load_profile("medicare-diabetic"))
    n = 2_000
    naive = module.naive_population(profile, n)
    vectorised = generate_population(profile, n, seed=1, names=False).table
    assert naive.column_names == vectorised.column_names
    # metformin prevalence 0.75 in the profile: within 4 standard errors
    takes = sum(naive["takes_metformin"].to_pylist()) / n
    assert abs(takes - 0.75) < 4 * math.sqrt(0.75 * 0.25 / n)
    # ages from normal(72, 8) truncated to 65-95: mean about 74.6, sd under 8
    ages = naive["age"].to_pylist()
    assert abs(sum(ages) / n - 74.6) < 4 * 8 / math.sqrt(n)
    assert min(ages) >= 65 and max(ages) <= 95
