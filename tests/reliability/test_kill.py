"""Kill tests: ``healthsim run ... -o X --overwrite`` over a complete previous output, killed
(SIGKILL, SIGINT) at seeded random points of its life, leaves X as the complete previous
output or the complete new one, never a mix; a killed run's temporary files are removed by
the next run to X (``sim/output/sinks.py``)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb

import sim

RUN = ["run", "oswald-family", "-n", "200", "-w", "1", "-q"]
#: the kills, in order, at moments drawn from random.Random(KILL_SEED) over 0.1 to 1.05 times
#: the length of a whole run; then one SIGKILL while the output is being written
KILLS = [signal.SIGKILL, signal.SIGINT] * 3
KILL_SEED = 20_250_101


def _state(path: Path, digests) -> dict[str, str]:
    with duckdb.connect(str(path), read_only=True) as connection:
        names = [row[0] for row in connection.execute("show tables").fetchall()]
        tables = {
            name: connection.sql(f'select * from "{name}"').to_arrow_table() for name in names
        }
    return digests(tables)


def _temporary(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


def _start(destination: Path) -> subprocess.Popen:
    command = [*RUN, "--seed", "2", "-o", str(destination), "--overwrite"]
    return subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_run_leaves_the_old_output_or_the_new_one(tmp_path, cli, digests, tally):
    references, work = tmp_path / "references", tmp_path / "work"
    work.mkdir()
    old_output, new_output = references / "old.duckdb", references / "new.duckdb"
    sim.run("oswald-family", 200, seed=1, out=old_output)
    started = time.monotonic()
    assert cli(*RUN, "--seed", "2", "-o", str(new_output)).returncode == 0
    duration = time.monotonic() - started
    old, new = _state(old_output, digests), _state(new_output, digests)
    assert old != new and set(old) == set(new)

    destination = work / "out.duckdb"
    moments = random.Random(KILL_SEED)
    for kill in [*KILLS, "SIGKILL while writing"]:
        shutil.copyfile(old_output, destination)
        before = set(_temporary(work))
        process = _start(destination)
        if kill == "SIGKILL while writing":
            while not _temporary(work) and process.poll() is None:
                time.sleep(0.01)
            time.sleep(moments.uniform(0.0, 0.05))
            kill = signal.SIGKILL
        else:
            time.sleep(moments.uniform(0.1, 1.05) * duration)
        writing = bool([name for name in _temporary(work) if f".{process.pid}." in name])
        process.send_signal(kill)
        _, stderr = process.communicate(timeout=120)
        state = _state(destination, digests)
        assert state in (old, new), f"{kill.name}: a mixed output"
        if state == new:  # the signal came after the new output was moved into place
            moment, outcome = "after the move", "new output complete"
        else:
            moment = "while writing" if writing else "before writing"
            outcome = "old output kept"
        tally["kill tests", f"{kill.name} {moment}", outcome] += 1
        after = set(_temporary(work))
        mine = [name for name in after if f".{process.pid}." in name]
        if kill == signal.SIGINT:  # Ctrl-C: no temporary files; mid-run, a message
            assert not mine
            if writing and state == old:
                assert process.returncode == 130 and "interrupted" in stderr, stderr
                assert "Traceback" not in stderr
        assert after - before <= set(mine)
        if writing:
            assert not after & before, "a run removes the temporary files of killed runs"

    assert mine, "the last kill, while writing, left its temporary output"
    sim.run("oswald-family", 1, seed=3, out=destination, overwrite=True)
    assert os.listdir(work) == ["out.duckdb"], "the next run removes what a killed run left"
    tally["kill tests", "next run after a SIGKILL", f"removed {len(mine)} temporary files"] += 1


def test_a_killed_run_with_workers_leaves_its_staged_parts_to_the_next_run(tmp_path, tally):
    """Workers stage their shards beside a DuckDB output; the writing process killed while
    they do leaves the old output, and the next run removes the staging folder."""
    destination = tmp_path / "out.duckdb"
    sim.run("oswald-family", 2, seed=1, out=destination)
    before = destination.read_bytes()
    command = ["run", "medicare-diabetic", "-n", "12000", "-w", "2", "-q", "-o",
               str(destination), "--overwrite"]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    staging = tmp_path / f".out.duckdb.{process.pid}.partial.parts"
    deadline = time.monotonic() + 120
    while not list(staging.glob("*/*.arrow")) and time.monotonic() < deadline:
        assert process.poll() is None, "the run ended before its workers staged a shard"
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert destination.read_bytes() == before
    time.sleep(1.0)  # the pool's workers notice that their parent is gone and stop
    sim.run("oswald-family", 1, seed=3, out=destination, overwrite=True)
    assert sorted(os.listdir(tmp_path)) == ["out.duckdb"]
    tally["kill tests", "SIGKILL while workers stage their shards", "old output kept"] += 1
