"""healthsim validate, templates, schema, --set, and an interrupted run."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
INVALID = sorted((TESTS / "journeys" / "fixtures" / "invalid").glob("*.yaml")) + sorted(
    (TESTS / "profiles" / "fixtures" / "invalid").glob("*.yaml")
)


def cli(*args, **options):
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, **options
    )


@pytest.mark.parametrize("path", INVALID, ids=lambda p: f"{p.parent.parent.parent.name}/{p.name}")
def test_validate_prints_one_located_error_and_exits_2(path):
    kind = "journeys" if "journeys" in path.parts else "profiles"
    result = cli("validate", str(path), "--kind", kind)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {path}")
    assert "Traceback" not in result.stderr


def test_validate_accepts_every_shipped_spec():
    root = TESTS.parent / "scenarios"
    files = [
        str(p)
        for kind in ("scenarios", "profiles", "journeys", "triggers", "plans")
        for p in sorted((root / kind).glob("*.yaml"))
    ]
    result = cli("validate", *files)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok ") == len(files)


def test_templates_list_and_show():
    listing = cli("templates")
    assert listing.returncode == 0 and "oswald-family" in listing.stdout
    shown = cli("templates", "journeys", "acute-otitis-media")
    assert shown.returncode == 0 and "H66.90" in shown.stdout
    missing = cli("templates", "journeys", "nope")
    assert missing.returncode == 2


def test_schema_is_json_schema():
    result = cli("schema", "scenarios")
    schema = json.loads(result.stdout)
    assert "households" in schema["properties"] and "start_date" in schema["required"]


def test_set_overrides_and_their_errors(tmp_path):
    out = tmp_path / "o.duckdb"
    ok = cli("run", "oswald-family", "--set", "horizon_days=60", "-o", str(out), "-w", "1")
    assert ok.returncode == 0, ok.stderr
    import duckdb

    with duckdb.connect(str(out), read_only=True) as connection:
        latest = connection.execute("select max(time_days) from events").fetchone()[0]
    assert latest < 60
    typo = cli("run", "oswald-family", "--set", "horizon_dayz=60", "-o", str(tmp_path / "t.duckdb"))
    assert typo.returncode == 2 and "horizon_dayz" in typo.stderr
    path = cli("run", "oswald-family", "--set", "households.5.key=x", "-o", str(tmp_path / "u.db"))
    assert path.returncode == 2 and "items 0 to 0" in path.stderr


def test_sigint_leaves_no_partial_output(tmp_path):
    out = tmp_path / "big.duckdb"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim.cli",
            "run",
            "medicare-diabetic",
            "-n",
            "200000",
            "-w",
            "1",
            "-o",
            str(out),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ},
    )
    deadline = time.time() + 60
    while time.time() < deadline and not any(".partial" in p.name for p in tmp_path.iterdir()):
        time.sleep(0.1)
    time.sleep(1.0)  # a few shards into the output
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []
