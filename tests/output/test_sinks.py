"""open_sink's moves: a new output replaces the old one whole, and what a killed run leaves
behind is put right by the next run to the same destination."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pytest

from sim.errors import SpecError
from sim.output.sinks import open_sink

TABLE = {"t": pa.table({"x": [1, 2]})}


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _write(destination, **options) -> None:
    with open_sink(destination, **options) as sink:
        sink.write(TABLE)


def test_a_folder_output_replaces_the_previous_folder(tmp_path):
    destination = tmp_path / "out"
    _write(destination, format="parquet")
    (destination / "stray.txt").write_text("from the previous output")
    _write(destination, format="parquet", overwrite=True)
    assert sorted(p.name for p in destination.iterdir()) == ["t"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_file_output_replaces_a_folder(tmp_path):
    destination = tmp_path / "out.duckdb"
    destination.mkdir()
    _write(destination, overwrite=True)
    assert destination.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.duckdb"]


def test_a_previous_output_set_aside_by_a_killed_run_is_put_back(tmp_path):
    """A run killed between its two renames leaves the old folder aside and none in place."""
    destination = tmp_path / "out"
    aside = tmp_path / f".out.{_dead_pid()}.previous"
    aside.mkdir()
    (aside / "kept.txt").write_text("the previous output")
    with pytest.raises(SpecError, match="exists"):
        _write(destination, format="csv")  # it is back, so without overwrite it is kept
    assert (destination / "kept.txt").read_text() == "the previous output"
    assert not aside.exists()


def test_temporary_outputs_of_dead_runs_are_removed_and_live_ones_kept(tmp_path):
    dead, live = _dead_pid(), os.getppid()  # the parent: a process that is alive
    stale = [tmp_path / f".out.duckdb.{dead}.partial", tmp_path / f".out.duckdb.{dead}.partial.wal"]
    for path in stale:
        path.write_text("")
    running = tmp_path / f".out.duckdb.{live}.partial.wal"
    running.write_text("")
    _write(tmp_path / "out.duckdb")
    assert not any(path.exists() for path in stale)
    assert running.exists()


def test_an_output_that_cannot_be_created_is_a_spec_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SpecError, match="cannot write") as caught:
        _write(blocker / "sub" / "out.duckdb")
    assert caught.value.path == ("out",)
