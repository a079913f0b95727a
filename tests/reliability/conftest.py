"""Shared pieces of the reliability suite (as fixtures: test modules are not importable under
pytest's importlib mode): the derandomized hypothesis profile, the tally of inputs tried that
the suite prints at its end (the figures of docs/reliability.md), table digests and the CLI."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, Phase, settings

# Derandomized: the same examples on every machine and every run, so CI is deterministic and
# the counts the suite prints are reproducible. No shrinking: a failing example (a whole
# simulated run) is reported as generated, at once, rather than after minutes of shrinking.
# Tests take it with ``@settings(settings.get_profile("reliability"), max_examples=...)``.
settings.register_profile(
    "reliability",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

TALLY = pytest.StashKey[Counter]()


@pytest.fixture(scope="session")
def tally(request: pytest.FixtureRequest) -> Counter:
    """Counts of inputs tried, by (group, category, outcome); printed at the end of the run."""
    return request.config.stash.setdefault(TALLY, Counter())


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    counts = config.stash.get(TALLY, None)
    if not counts:
        return
    terminalreporter.section("reliability: inputs tried")
    width = max(len(key[1]) for key in counts)
    for group in sorted({key[0] for key in counts}):
        rows = sorted((key[1:], n) for key, n in counts.items() if key[0] == group)
        terminalreporter.write_line(f"{group}: {sum(n for _, n in rows):,}")
        for (category, outcome), n in rows:
            terminalreporter.write_line(f"  {category:<{width}}  {n:>6,}  {outcome}")


def digest(table: pa.Table) -> str:
    """SHA-256 of a table's column types and values, row order included. Not of its Arrow IPC
    bytes: the slots under nulls hold whatever memory was there (DuckDB read-backs differ from
    run to run), and batch boundaries depend on the shards, neither being content."""
    sha = hashlib.sha256()
    for field in table.schema:
        sha.update(f"{field.name}:{field.type};".encode())
        sha.update(repr(table.column(field.name).to_pylist()).encode())
    return sha.hexdigest()


def table_digests(tables: Mapping[str, pa.Table]) -> dict[str, str]:
    """A digest per table; ``run_manifest.created_at`` (the run's wall-clock time) left out."""
    out = {}
    for name, table in tables.items():
        if name == "run_manifest":
            table = table.drop_columns(["created_at"])
        out[name] = digest(table)
    return out


@pytest.fixture(scope="session")
def digests() -> Callable[[Mapping[str, pa.Table]], dict[str, str]]:
    return table_digests


@pytest.fixture(scope="session")
def cli() -> Callable[..., subprocess.CompletedProcess]:
    """``healthsim ARGS`` in a fresh interpreter (as a user runs it)."""

    def run(*args: str, env: Mapping[str, str] | None = None, **options):
        return subprocess.run(
            [sys.executable, "-m", "sim.cli", *args],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            timeout=300,
            **options,
        )

    return run
