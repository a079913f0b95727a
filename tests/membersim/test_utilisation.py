"""Utilisation of the shipped medicare-diabetic scenario stays in the ranges docs/membersim.md
documents (with their sources); the docs' examples run."""

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

import sim
from handlers.membersim import utilisation_summary

DOC = Path(__file__).parents[2] / "docs" / "membersim.md"
FIELDS = {
    "claims per member-year": "claims_per_member_year",
    "allowed per member-year": "allowed_per_member_year_usd",
    "paid per member-year": "paid_per_member_year_usd",
    "median lag of clean claims, days": "median_clean_lag_days",
    "share denied at first": "initially_denied_share",
}


def documented_ranges() -> dict[str, tuple[float, float]]:
    ranges = {}
    for line in DOC.read_text("utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[0] in FIELDS and len(cells) == 4:
            ranges[FIELDS[cells[0]]] = (float(cells[1]), float(cells[2]))
    return ranges


def test_every_range_is_documented():
    assert set(documented_ranges()) == set(FIELDS.values())


def test_medicare_diabetic_stays_in_the_documented_ranges(diabetic):
    summary = utilisation_summary(diabetic.tables).as_dict()
    assert summary["members"] == 2000
    assert summary["member_years"] == pytest.approx(2000 * 365 / 365.25, rel=0.01)
    for field, (low, high) in documented_ranges().items():
        assert low <= summary[field] <= high, (field, summary[field])


def test_summary_adds_up(diabetic):
    summary = utilisation_summary(diabetic.tables)
    claims = diabetic.tables["claims"]
    assert summary.claims == claims.num_rows == summary.professional_claims
    assert summary.allowed_per_member_year_usd == pytest.approx(
        summary.paid_per_member_year_usd + summary.member_cost_share_per_member_year_usd, abs=0.02
    )
    assert summary.denied_share < summary.initially_denied_share
    labels = [label for label, _ in summary.rows()]
    assert "claims per member-year" in labels


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", DOC.read_text("utf-8"), re.S | re.M)


def test_docs_python_examples_run():
    for code in blocks("python"):
        exec(compile(code, str(DOC), "exec"), {})


def test_docs_cobra_example_is_what_it_says():
    (scenario,) = blocks("yaml")
    result = sim.run(yaml.safe_load(scenario))
    spans = [
        (s["start_date"], s["end_date"], s["reason"], s["end_reason"])
        for s in result.tables["enrollments"].to_pylist()
    ]
    assert spans == [
        (dt.date(2025, 1, 1), dt.date(2025, 4, 11), "in_force", "termination"),
        (dt.date(2025, 4, 12), dt.date(2025, 12, 31), "cobra", "horizon_end"),
    ]
    assert result.tables["claims"]["coverage"].to_pylist() == ["covered"]


def test_docs_measured_figures_are_current(diabetic):
    summary = utilisation_summary(diabetic.tables)
    text = DOC.read_text("utf-8")
    assert f"| claims per member-year | {summary.claims_per_member_year:.2f}" in text
    assert f"| allowed per member-year | ${summary.allowed_per_member_year_usd:,.2f} |" in text
    assert f"| paid per member-year | ${summary.paid_per_member_year_usd:,.2f} |" in text


def test_the_summary_reads_only_its_columns_of_a_written_output(tmp_path):
    """`healthsim run` reads back only SUMMARY_COLUMNS (a million persons' claims would not
    fit in memory whole): the summary is the one of the whole tables."""
    from handlers.membersim.utilisation import SUMMARY_COLUMNS

    whole = sim.run("oswald-family", count=20)
    for kind, out in (("duckdb", tmp_path / "o.duckdb"), ("parquet", tmp_path / "o")):
        result = sim.run("oswald-family", count=20, out=out, format=kind)
        tables = {name: result.table(name, columns) for name, columns in SUMMARY_COLUMNS.items()}
        assert {name: t.column_names for name, t in tables.items()} == {
            name: list(columns) for name, columns in SUMMARY_COLUMNS.items()
        }
        assert utilisation_summary(tables) == utilisation_summary(whole.tables)
