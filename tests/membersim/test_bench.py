"""bench/bench_membersim.py still runs, at a tiny size (it reports speed; nothing asserts it)."""

import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_reports_claims_per_second(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(ROOT))  # bench/ sits beside the packages
    (row,) = importlib.import_module("bench.bench_membersim").run(count=40)
    assert row["persons"] == 40
    assert row["claims"] > 100 and row["claim_lines"] == row["claims"]
    assert row["claims_per_s"] > 0
