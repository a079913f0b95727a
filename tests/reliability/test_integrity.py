"""Every shipped scenario, at several seeds and on each output format that is read back, passes
the integrity rules the run applies to its own output (``healthsim check``); the counts of
items each rule checked are tallied for docs/reliability.md."""

from __future__ import annotations

import pytest

import sim
from sim.output.check import check_output, format_report
from sim.specio import shipped_names

#: persons per run: households scenarios count copies of the household
COUNTS = {"oswald-family": 20}
SEEDS = (1, 2, 3)


@pytest.mark.parametrize("scenario", shipped_names("scenarios"))
def test_shipped_scenarios_pass_their_own_check(scenario, tmp_path, tally):
    for seed in SEEDS:
        out = tmp_path / f"{seed}.duckdb"
        result = sim.run(scenario, COUNTS.get(scenario, 150), seed=seed, out=out)
        assert result.check["check_passed"] is True, result.check["check_summary"]
        report = check_output(out)  # the verdict in the manifest is the command's
        assert report.passed, format_report(report)
        for rule in report.results:
            tally["integrity: items checked", rule.rule, "0 failed"] += rule.checked
        tally["integrity: runs", scenario, "passed every rule"] += 1
    parquet = sim.run(scenario, 40, seed=9, out=tmp_path / "p", format="parquet")
    assert parquet.check["check_passed"] is True, parquet.check["check_summary"]
    tally["integrity: runs", scenario, "passed every rule"] += 1
