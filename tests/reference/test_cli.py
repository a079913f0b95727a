"""``healthsim reference show`` and ``list``."""

import pytest
from typer.testing import CliRunner

from sim.cli import app, main
from sim.cli import reference as _reference  # noqa: F401  (registers the commands)

runner = CliRunner()


def test_show_a_county():
    result = runner.invoke(app, ["reference", "show", "48201"], terminal_width=120)
    assert result.exit_code == 0, result.output
    assert "Harris County, TX" in result.output
    assert "12.6%" in result.output  # PLACES diabetes
    assert "20.4%" in result.output  # SVI uninsured


def test_show_a_state_lists_its_largest_counties():
    result = runner.invoke(app, ["reference", "show", "TX"], terminal_width=120)
    assert result.exit_code == 0, result.output
    assert "Texas" in result.output and "254" in result.output
    assert "Harris County" in result.output


def test_list_a_states_counties():
    result = runner.invoke(app, ["reference", "list", "--state", "TX"], terminal_width=120)
    assert result.exit_code == 0, result.output
    assert "Harris County" in result.output and "Loving County" in result.output


def test_unknown_county_exits_2_with_a_suggestion(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["reference", "show", "Haris County, TX"])
    assert stop.value.code == 2
    assert "did you mean 'Harris County, TX'" in capsys.readouterr().err
