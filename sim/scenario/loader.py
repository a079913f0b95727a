"""``load_scenario``: a scenario with its profile and journeys resolved and checked."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import SpecError, from_validation_error
from sim.expressions import Expression, compile_condition
from sim.journeys.loader import load_plan
from sim.journeys.plan import JourneyPlan
from sim.profiles import CompiledProfile, compile_profile, load_profile
from sim.profiles.spec import ProfileSpecification
from sim.scenario.spec import ScenarioSpecification
from sim.specio import read_spec

__all__ = ["Scenario", "load_scenario"]


@dataclass(frozen=True)
class ScenarioJourneyPlan:
    plan: JourneyPlan
    applies_to: Expression | None
    applies_to_spec: str | dict[str, Any] | None = None


@dataclass(frozen=True)
class Scenario:
    """Everything a run needs, compiled: the profile, the journey plans, the dates."""

    spec: ScenarioSpecification
    profile: CompiledProfile
    journeys: tuple[ScenarioJourneyPlan, ...]
    source: str | None

    @property
    def id(self) -> str:
        return self.spec.id

    def content_hash(self) -> str:
        """SHA-256 of the scenario with its profile and journeys as loaded (not the file text)."""
        document = {
            "scenario": self.spec.model_dump(mode="json"),
            "profile": self.profile.spec.model_dump(mode="json"),
            "journeys": [j.plan.spec.model_dump(mode="json") for j in self.journeys],
        }
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _relative(reference: Any, base: Path | None) -> Any:
    if isinstance(reference, str) and base is not None:
        candidate = base / reference
        if candidate.is_file():
            return candidate
    return reference


def _profile(spec: ScenarioSpecification, base: Path | None) -> ProfileSpecification:
    try:
        profile = load_profile(_relative(spec.profile, base))
    except SpecError as error:
        raise error.located(prefix=("profile",) if error.source is None else ()) from None
    # Ages are exact on the scenario's start date unless the profile says otherwise.
    if "reference_date" not in profile.generation.model_fields_set:
        generation = profile.generation.model_copy(update={"reference_date": spec.start_date})
        profile = profile.model_copy(update={"generation": generation})
    return profile


def parse_scenario(data: Any, *, source: str | None = None, base: Path | None = None) -> Scenario:
    if not isinstance(data, dict):
        raise SpecError("a scenario is a mapping", source=source)
    try:
        spec = ScenarioSpecification.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error, data=data, source=source) from None
    try:
        profile_spec = _profile(spec, base)
        profile = compile_profile(profile_spec)
    except SpecError as error:
        raise error.located(source=error.source or source) from None
    known = set(profile.attribute_names())
    plans = []
    for i, entry in enumerate(spec.journeys):
        path = ("journeys", i)
        try:
            plan = load_plan(_relative(entry.journey, base))
        except SpecError as error:
            raise error.located(
                source=error.source or source,
                prefix=(*path, "journey") if error.source is None else (),
            ) from None
        condition = plan.applies_to
        if entry.applies_to is not None:
            condition = compile_condition(entry.applies_to, path=(*path, "applies_to"))
        if condition is not None:
            try:
                condition.check_names(known, path=(*path, "applies_to"))
            except SpecError as error:
                raise error.located(source=source) from None
        missing = sorted(n for n in plan.attribute_names if n.split(".")[0] not in known)
        if missing:
            raise SpecError(
                f"journey '{plan.id}' reads attribute '{missing[0]}' that the profile "
                f"'{profile.spec.id}' does not generate",
                path=(*path, "journey"),
                source=source,
            )
        plans.append(ScenarioJourneyPlan(plan, condition, entry.applies_to))
    return Scenario(spec, profile, tuple(plans), source)


def load_scenario(source: str | Path | dict[str, Any] | Scenario) -> Scenario:
    """From a path, a shipped name (``medicare-diabetic``) or a mapping."""
    if isinstance(source, Scenario):
        return source
    if isinstance(source, dict):
        return parse_scenario(source)
    spec_file = read_spec(source, "scenarios")
    path = Path(source)
    base = path.parent if path.is_file() else None
    try:
        return parse_scenario(spec_file.data, source=spec_file.label, base=base)
    except SpecError as error:
        raise spec_file.locate(error) from None
