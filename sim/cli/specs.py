"""``healthsim validate``, ``templates`` and ``schema``: check specs, browse the shipped ones,
print the JSON Schema of each kind."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from sim.cli import app
from sim.cli.common import console, fail
from sim.errors import SpecError
from sim.specio import read_spec, shipped_names, shipped_path

__all__ = ["KINDS"]


def _loaders() -> dict[str, tuple[Callable[[Any], Any], Any]]:
    from handlers.membersim import BenefitPlan, load_plan_benefits
    from sim.experiments import ExperimentSpecification, load_experiment
    from sim.journeys import JourneySpecification, load_journey
    from sim.profiles import compile_profile, load_profile
    from sim.profiles.spec import ProfileSpecification
    from sim.scenario import load_scenario
    from sim.scenario.spec import ScenarioSpecification
    from sim.triggers import TriggerSpecification, load_triggers

    return {
        "scenarios": (load_scenario, ScenarioSpecification),
        "profiles": (
            lambda path: compile_profile(load_profile(path), source=str(path)),
            ProfileSpecification,
        ),
        "journeys": (load_journey, JourneySpecification),
        "triggers": (load_triggers, TriggerSpecification),
        "plans": (load_plan_benefits, BenefitPlan),
        "experiments": (load_experiment, ExperimentSpecification),
    }


#: spec kinds, as the folders of ``scenarios/`` name them
KINDS = ("scenarios", "profiles", "journeys", "triggers", "plans", "experiments")


def _kind_of(path: Path) -> str:
    """The kind of a spec file from its keys (or its folder)."""
    if path.parent.name in KINDS:
        return path.parent.name
    data = read_spec(path, "scenarios").data
    if isinstance(data, list) or (
        isinstance(data, dict) and "triggers" in data and "id" not in data
    ):
        return "triggers"
    if not isinstance(data, dict):
        raise SpecError("a spec is a mapping", source=str(path))
    keys = set(data)
    if "events" in keys or "journey_id" in keys or "phases" in keys:
        return "journeys"
    if "variants" in keys or "metrics" in keys:
        return "experiments"
    if "start_date" in keys:
        return "scenarios"
    if "deductible" in keys or "out_of_pocket_max" in keys:
        return "plans"
    return "profiles"


@app.command("validate")
def validate(
    files: list[Path] = typer.Argument(..., help="Spec files (YAML or JSON) to check."),
    kind: str | None = typer.Option(None, "--kind", help=f"One of {', '.join(KINDS)}."),
) -> None:
    """Checks specs fully (as a run would load them); exits 2 at the first bad one."""
    loaders = _loaders()
    for path in files:
        if not path.is_file():
            raise SpecError(f"no such file '{path}'")
        chosen = kind or _kind_of(path)
        if chosen not in loaders:
            raise SpecError(f"unknown kind '{chosen}'", path=("--kind",), hint=", ".join(KINDS))
        loaders[chosen][0](path)
        console.print(f"ok   {path} ({chosen[:-1]})", highlight=False)


@app.command("templates")
def templates(
    kind: str | None = typer.Argument(None, help=f"One of {', '.join(KINDS)}."),
    name: str | None = typer.Argument(None, help="A shipped spec to print."),
) -> None:
    """Lists the shipped specs, or prints one (a starting point for your own)."""
    if kind is not None and kind not in KINDS:
        fail(f"unknown kind '{kind}' (one of {', '.join(KINDS)})", code=2)
    if name is None:
        for each in [kind] if kind else KINDS:
            console.print(f"[bold]{each}[/bold]: {', '.join(shipped_names(each)) or '-'}")
        return
    path = shipped_path(kind, name)  # type: ignore[arg-type]
    if path is None:
        fail(f"no shipped {kind[:-1]} '{name}' ({', '.join(shipped_names(kind))})", code=2)  # type: ignore[index]
    console.print(path.read_text(encoding="utf-8"), end="", highlight=False, markup=False)


@app.command("schema")
def schema(kind: str = typer.Argument(..., help=f"One of {', '.join(KINDS)}.")) -> None:
    """Prints the JSON Schema of a spec kind (for editors and CI checks)."""
    loaders = _loaders()
    if kind not in loaders:
        fail(f"unknown kind '{kind}' (one of {', '.join(KINDS)})", code=2)
    model = loaders[kind][1]
    typer.echo(json.dumps(model.model_json_schema(), indent=2))
