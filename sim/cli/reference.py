"""``healthsim reference``: what the shipped county and state data resolve to."""

from __future__ import annotations

import numpy as np
import typer
from rich.table import Table

from sim.cli import app
from sim.cli.common import console
from sim.reference import (
    AGE_BANDS,
    Geography,
    find_state,
    load_counties,
    resolve_geography,
)

reference_app = typer.Typer(
    help="Real county and state population data (CDC PLACES 2022, CDC/ATSDR SVI 2020, Census).",
    no_args_is_help=True,
)
app.add_typer(reference_app, name="reference")

SHOWN_COUNTIES = 10


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


@reference_app.command("show")
def show(
    place: str = typer.Argument(
        ..., help="County FIPS (48201), 'Harris County, TX', or a state (TX, Texas)."
    ),
) -> None:
    """Shows what a county or a state resolves to."""
    geography = resolve_geography(place, path=("place",))
    console.print(_summary(geography))
    console.print(_age_sex(geography))
    console.print(_shares("race/ethnicity (SVI 2020)", geography.race_shares))
    console.print(_shares("adult (18+) crude prevalence (PLACES 2022)", geography.adult_prevalence))
    if len(geography.county_fips) > 1:
        console.print(_largest_counties(geography))


@reference_app.command("list")
def list_counties(
    state: str | None = typer.Option(None, "--state", help="List this state's counties."),
) -> None:
    """Lists the counties of a state, or the states when no state is given."""
    table = load_counties()
    if state is None:
        output = Table(title="States (county counts and PLACES 2022 population)")
        for column in ("state", "name", "counties", "population"):
            output.add_column(
                column, justify="right" if column in ("counties", "population") else "left"
            )
        for abbr in sorted(set(table.state_abbr.tolist())):
            rows = table.state_rows(abbr)
            output.add_row(
                abbr,
                str(table.state_name[rows[0]]),
                str(len(rows)),
                f"{int(table.population[rows].sum()):,}",
            )
        console.print(output)
        return
    abbr = find_state(state, path=("--state",))
    rows = table.state_rows(abbr)
    rows = rows[np.argsort(-table.population[rows], kind="stable")]
    output = Table(title=f"{table.state_name[rows[0]]}: {len(rows)} counties, largest first")
    columns = ("fips", "county", "population", "diabetes", "obesity", "uninsured", "svi rank")
    for column in columns:
        output.add_column(
            column, justify="left" if column == "county" else "right", no_wrap=column == "county"
        )
    for row in rows:
        output.add_row(
            str(table.county_fips[row]),
            str(table.county_name[row]),
            f"{int(table.population[row]):,}",
            _percent(table.measure_column("diabetes")[row]),
            _percent(table.measure_column("obesity")[row]),
            _percent(table.uninsured_share[row]),
            f"{table.svi_rank[row]:.2f}",
        )
    console.print(output)


def _summary(geography: Geography) -> Table:
    output = Table(title=f"{geography.label} ({geography.level})", show_header=False)
    output.add_column("what")
    output.add_column("value", justify="right", overflow="fold")
    output.add_row("counties", str(len(geography.county_fips)))
    if len(geography.county_fips) == 1:
        output.add_row("county FIPS", geography.county_fips[0])
    output.add_row("population (PLACES 2022)", f"{geography.population:,}")
    output.add_row("adults 18+ (census 2019 share)", _percent(geography.adult_share))
    output.add_row("uninsured (SVI 2020)", _percent(geography.uninsured_share))
    output.add_row("SVI overall rank (0-1)", f"{geography.svi_rank:.3f}")
    fallbacks = _fallbacks(geography)
    if fallbacks:
        output.add_row("fallbacks used", fallbacks)
    return output


def _fallbacks(geography: Geography) -> str:
    table = load_counties()
    rows = table.rows(geography.county_fips)
    notes = [str(table.filled[row]) for row in rows if table.filled[row]]
    notes += [
        f"age/sex {table.agesex_source[row]}"
        for row in rows
        if table.agesex_source[row] != "census_2019"
    ]
    if len(rows) > 1:
        return f"{len(notes)} county values (see docs/reference-data.md)" if notes else ""
    return "; ".join(notes)


def _age_sex(geography: Geography) -> Table:
    output = Table(title="age by sex (census 2019, share of everyone)")
    for column in ("age", "male", "female", "total"):
        output.add_column(column, justify="right")
    male, female = geography.age_sex_shares
    for i, band in enumerate(AGE_BANDS):
        label = band.label.replace("_plus", "+").replace("_", "-")
        output.add_row(label, _percent(male[i]), _percent(female[i]), _percent(male[i] + female[i]))
    output.add_row("all", _percent(male.sum()), _percent(female.sum()), "100.0%")
    return output


def _shares(title: str, shares: dict[str, float]) -> Table:
    output = Table(title=title)
    output.add_column("name")
    output.add_column("share", justify="right")
    for name, value in shares.items():
        output.add_row(name, _percent(value))
    return output


def _largest_counties(geography: Geography) -> Table:
    order = np.argsort(-geography.county_population, kind="stable")[:SHOWN_COUNTIES]
    output = Table(title=f"largest counties (of {len(geography.county_fips)})")
    for column in ("fips", "county", "population", "weight"):
        output.add_column(column, justify="left" if column == "county" else "right")
    table = load_counties()
    weights = geography.county_weights
    for i in order:
        fips = geography.county_fips[i]
        output.add_row(
            fips,
            str(table.county_name[table.row_of[fips]]),
            f"{int(geography.county_population[i]):,}",
            _percent(weights[i]),
        )
    return output
