"""``healthsim population`` end to end, as a user runs it."""

import subprocess
import sys

import duckdb

CLI = [sys.executable, "-m", "sim.cli"]


def run(*args):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)


def test_population_writes_duckdb_and_prints_the_report(tmp_path):
    out = tmp_path / "persons.duckdb"
    result = run("population", "medicare-diabetic", "-n", "2000", "--seed", "3", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Validation" in result.stdout and "E11 prevalence" in result.stdout
    with duckdb.connect(str(out), read_only=True) as connection:
        count, mean_age = connection.execute("select count(*), avg(age) from persons").fetchone()
    assert count == 2000 and 65 <= mean_age <= 95


def test_existing_output_is_kept_without_overwrite(tmp_path):
    out = tmp_path / "persons.parquet"
    assert run("population", "commercial-healthy", "-n", "50", "--out", str(out)).returncode == 0
    before = out.read_bytes()
    result = run("population", "commercial-healthy", "-n", "60", "--out", str(out))
    assert result.returncode == 2 and "--overwrite" in result.stderr
    assert out.read_bytes() == before


def test_bad_profile_exits_2_with_a_located_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("demographics:\n  age: {type: normal, mean: 40, std_dev: -1}\n")
    result = run("population", str(bad), "-n", "10")
    assert result.returncode == 2
    assert "bad.yaml:2: demographics.age.std_dev" in result.stderr
    assert "Traceback" not in result.stderr


def test_show_profile_prints_the_merged_profile_as_yaml():
    import yaml

    result = run("population", "harris-county-adults", "--show-profile")
    assert result.returncode == 0, result.stderr
    merged = yaml.safe_load(result.stdout)
    assert merged["geography"] == {"county": "48201", "national": False, "use_reference": False}
    assert any(c["code"] == "E11.9" for c in merged["clinical"]["comorbidities"])
