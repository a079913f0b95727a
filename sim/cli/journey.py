"""``healthsim journey``: list, show and graph journeys (shipped names or files)."""

from __future__ import annotations

import typer
from rich.table import Table

from sim.cli import app
from sim.cli.common import console
from sim.journeys import compile_plan, load_journey, shipped_journeys, to_mermaid

journey_app = typer.Typer(
    help="Journeys: what happens to a person over time.", no_args_is_help=True
)
app.add_typer(journey_app, name="journey")


@journey_app.command("list")
def list_journeys() -> None:
    """Lists the shipped journeys."""
    for name in shipped_journeys():
        spec = load_journey(name)
        console.print(f"{name:32} {spec.name}", highlight=False)


@journey_app.command("graph")
def graph(name: str = typer.Argument(..., help="A shipped name or a YAML/JSON file.")) -> None:
    """Prints the dependency graph as Mermaid text."""
    console.print(to_mermaid(load_journey(name)), end="", highlight=False, markup=False)


@journey_app.command("show")
def show(name: str = typer.Argument(..., help="A shipped name or a YAML/JSON file.")) -> None:
    """Prints the events in the order the plan follows."""
    spec = load_journey(name)
    plan = compile_plan(spec)
    table = Table(title=f"{spec.id}: {spec.name} ({spec.duration_days:g} days)")
    for column in ("event", "type", "product", "after", "delay", "probability", "notes"):
        table.add_column(column)
    for event in plan.events:
        source = spec.event(event.id)
        notes = []
        if source.choice is not None:
            notes.append(f"choice {source.choice.group} ({source.choice.weight:g})")
        if source.repeat is not None:
            bound = source.repeat.count or f"to day {source.repeat.until_day:g}"
            notes.append(f"repeat ×{bound}")
        if event.condition is not None:
            notes.append(f"if {event.condition.text}")
        table.add_row(
            event.id,
            event.event_type,
            event.product,
            ", ".join(source.depends_on) or "start",
            source.delay.type,
            f"{event.probability:g}",
            "; ".join(notes),
        )
    console.print(table)
