"""A run checks its own output (the rules of ``healthsim check``) before moving it into place,
and records the verdict in run_manifest."""

from __future__ import annotations

import duckdb
import pytest
from typer.testing import CliRunner

import sim
from sim.cli import _register, app
from sim.output import check as check_module
from sim.output.check import _Rule
from sim.specio import shipped_names

FAILING = _Rule(
    "every claim is free",
    ("claims",),
    "SELECT paid_usd = 0, claim_id FROM claims",
)


def _manifest(path) -> dict:
    with duckdb.connect(str(path), read_only=True) as connection:
        relation = connection.sql("SELECT check_passed, check_summary FROM run_manifest")
        [(passed, summary)] = relation.fetchall()
    return {"check_passed": passed, "check_summary": summary}


def test_the_verdict_is_in_the_result_and_the_manifest(tmp_path):
    out = tmp_path / "o.duckdb"
    result = sim.run("oswald-family", seed=3, out=out)
    rules = len(check_module.check_output(out).results)
    assert result.check == {"check_passed": True, "check_summary": f"{rules}/{rules} rules passed"}
    assert _manifest(out) == result.check


def test_parquet_outputs_are_checked_and_csv_ones_say_why_not(tmp_path):
    parquet = sim.run("oswald-family", seed=3, out=tmp_path / "p", format="parquet")
    assert parquet.check["check_passed"] is True
    csv = sim.run("oswald-family", seed=3, out=tmp_path / "c", format="csv")
    assert csv.check == {
        "check_passed": None,
        "check_summary": "not run: CSV output is not read back",
    }


def test_the_check_can_be_skipped():
    result = sim.run("oswald-family", seed=3, check=False)
    assert result.check["check_passed"] is None
    assert result.table("run_manifest")["check_passed"].type == "bool"


def test_a_failed_rule_is_recorded_and_the_command_exits_1(tmp_path, monkeypatch):
    monkeypatch.setattr(check_module, "_RULES", (*check_module._RULES, FAILING))
    out = tmp_path / "o.duckdb"
    _register()
    outcome = CliRunner().invoke(app, ["run", "oswald-family", "-o", str(out), "-w", "1"])
    assert outcome.exit_code == 1
    manifest = _manifest(out)  # the output is complete: it shows the problem
    assert manifest["check_passed"] is False
    assert "every claim is free (" in manifest["check_summary"]
    assert "healthsim check" in outcome.output


@pytest.mark.parametrize(("flag", "passed"), [("--check", True), ("--no-check", None)])
def test_the_command_line_flag(tmp_path, flag, passed):
    out = tmp_path / "o.duckdb"
    _register()
    outcome = CliRunner().invoke(app, ["run", "oswald-family", "-o", str(out), "-w", "1", flag])
    assert outcome.exit_code == 0, outcome.output
    assert _manifest(out)["check_passed"] is passed


@pytest.mark.parametrize("journey", shipped_names("journeys"))
def test_every_shipped_journey_runs_with_every_product_and_passes_the_check(journey):
    scenario = {
        "id": f"with-{journey}",
        "profile": "medicare-diabetic",
        "start_date": "2025-01-01",
        "horizon_days": 365,
        "products": ["patientsim", "membersim", "rxmembersim", "trialsim"],
        "trial": "dm2-glp1-phase3",
        "journeys": [{"journey": journey}],
        # the endocrinology-referral journey waits for this specialist's clinic
        "resources": {"endocrinology": {"capacity": 2, "service_days": 1}},
    }
    result = sim.run(scenario, 40, seed=5)
    assert result.row_counts["events"] > 0
    assert result.check["check_passed"] is True, result.check["check_summary"]
