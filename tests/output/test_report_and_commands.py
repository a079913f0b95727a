"""healthsim report, check and export x12 on a real output."""

import base64
import re
import subprocess
import sys

import duckdb
import pytest

from sim.report import write_report
from sim.scenario import run


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    path = tmp_path_factory.mktemp("run") / "run.duckdb"
    run("medicare-diabetic", 300, seed=3, out=path)
    return path


def cli(*args):
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True)


def test_the_report_embeds_its_figures_and_the_validation(output, tmp_path):
    page = write_report(output, tmp_path / "report.html").read_text(encoding="utf-8")
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) >= 5  # ages, targets, events, diagnosis to fill, claim costs
    assert all(base64.b64decode(image).startswith(b"\x89PNG\r\n\x1a\n") for image in images)
    assert re.search(r"(\d+) of \1 targets met", page)
    assert "<td>claims</td>" in page and "medicare-diabetic" in page


def test_report_of_a_parquet_output_and_of_nothing(tmp_path):
    folder = tmp_path / "p"
    run("oswald-family", out=folder, format="parquet")
    page = write_report(folder, tmp_path / "o.html").read_text(encoding="utf-8")
    assert "No profile targets" in page and page.count("data:image/png") >= 3
    missing = cli("report", str(tmp_path / "nothing.duckdb"))
    assert missing.returncode == 2 and "no run output" in missing.stderr


def test_check_passes_a_clean_output_and_fails_a_broken_one(output, tmp_path):
    clean = cli("check", str(output))
    assert clean.returncode == 0, clean.stdout + clean.stderr
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(output.read_bytes())
    with duckdb.connect(str(broken)) as connection:
        connection.execute(
            "delete from members where member_id = (select min(member_id) from claims)"
        )
    failed = cli("check", str(broken))
    assert failed.returncode == 1 and "failed the integrity check" in failed.stderr


def test_export_x12(output, tmp_path):
    result = cli("export", "x12", str(output), "--to", str(tmp_path / "x12"))
    assert result.returncode == 0, result.stderr
    (file,) = (tmp_path / "x12").glob("*.x12")
    assert file.read_text().startswith("ISA*")


def test_export_fhir(output, tmp_path):
    result = cli("export", "fhir", str(output), "--to", str(tmp_path / "fhir"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fhir" / "Patient.ndjson").read_text().count("\n") == 300
    again = cli("export", "fhir", str(output), "--to", str(tmp_path / "fhir"))
    assert again.returncode == 2 and ("overwrite" in again.stderr or "exists" in again.stderr)
