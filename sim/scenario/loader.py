"""``load_scenario``: a scenario with its profile and journeys resolved and checked."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import ValidationError

from sim.distributions import Sampler, create_distribution
from sim.engine.resources import SharedResource
from sim.errors import SpecError, did_you_mean, format_path, from_validation_error
from sim.expressions import Expression, compile_condition
from sim.journeys.loader import load_plan
from sim.journeys.plan import JourneyPlan
from sim.journeys.spec import PRODUCTS
from sim.profiles import CompiledProfile, compile_profile, generate_population, load_profile
from sim.profiles.spec import ProfileSpecification
from sim.scenario.households import household_persons
from sim.scenario.overrides import apply_overrides
from sim.scenario.parameter_checks import check_parameters
from sim.scenario.spec import ScenarioSpecification
from sim.seeds import SeedTree
from sim.specio import read_spec
from sim.triggers import TriggerSet, load_triggers
from sim.triggers.parameters import LOOKUP_TABLES

__all__ = ["Scenario", "load_scenario"]


@dataclass(frozen=True)
class ScenarioJourneyPlan:
    plan: JourneyPlan
    applies_to: Expression | None
    applies_to_spec: str | dict[str, Any] | None = None


@dataclass(frozen=True)
class Scenario:
    """Everything a run needs, compiled: who, the journey plans, the triggers, the dates."""

    spec: ScenarioSpecification
    #: the profile people are drawn from (None for a scenario of explicit households)
    profile: CompiledProfile | None
    journeys: tuple[ScenarioJourneyPlan, ...]
    source: str | None
    triggers: TriggerSet
    #: the products whose records the run makes
    products: tuple[str, ...]
    #: shared resources by name
    resources: dict[str, SharedResource] = dataclasses.field(default_factory=dict)
    #: (data, source, base) it was parsed from: worker processes load it again from this
    origin: tuple[dict[str, Any], str | None, Path | None] | None = None

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def default_count(self) -> int:
        """Persons (a profile's) or copies of the households, when the run does not say."""
        if self.spec.count is not None:
            return self.spec.count
        return 1 if self.profile is None else self.profile.spec.generation.count

    @property
    def default_seed(self) -> int:
        if self.spec.seed is not None:
            return self.spec.seed
        return 42 if self.profile is None else self.profile.spec.generation.seed

    @property
    def household_size(self) -> int:
        """Persons in one copy of the households (0 for a profile's population)."""
        return sum(len(h.members) for h in self.spec.households or [])

    def persons(self, start: int, stop: int, seed: int) -> pa.Table:
        """Persons ``start .. stop`` (before identities): drawn from the profile, or, for a
        scenario of households, copies ``start .. stop`` of them."""
        if self.profile is None:
            households = self.spec.households or []
            return household_persons(
                households, stop - start, SeedTree(seed), self.spec.start_date, first_copy=start
            )
        return generate_population(self.profile, stop - start, seed, start=start).table

    def content_hash(self) -> str:
        """SHA-256 of the scenario with its profile, journeys and triggers as loaded."""
        document = {
            "scenario": self.spec.model_dump(mode="json"),
            "profile": None if self.profile is None else self.profile.spec.model_dump(mode="json"),
            "journeys": [j.plan.spec.model_dump(mode="json") for j in self.journeys],
            "triggers": [t.spec.model_dump(mode="json") for t in self.triggers.triggers],
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
        raise from_validation_error(
            error, data=data, source=source, model=ScenarioSpecification
        ) from None
    try:
        scenario = _compile(spec, source, base)
    except SpecError as error:
        raise error.located(source=error.source or source) from None
    return dataclasses.replace(scenario, origin=(data, source, base))


def _compile(spec: ScenarioSpecification, source: str | None, base: Path | None) -> Scenario:
    profile = None
    if spec.profile is not None:
        profile = compile_profile(_profile(spec, base))
        known = set(profile.attribute_names())
        products = set(profile.spec.generation.products)
        who = f"the profile '{profile.spec.id}'"
    else:
        sample = household_persons(spec.households or [], 1, SeedTree(0), spec.start_date)
        known = set(sample.column_names)
        products = set()
        who = "the households"
    entries = [(("journeys", i), e.journey, e.applies_to) for i, e in enumerate(spec.journeys)]
    entries += _member_journeys(spec)
    if spec.trial is not None:
        from handlers.trialsim import protocol_journey  # the handler compiles its protocols

        try:
            trial_journey = protocol_journey(_relative(spec.trial, base))
        except SpecError as error:
            raise error.located(
                source=error.source or source, prefix=("trial",) if error.source is None else ()
            ) from None
        entries.append((("trial",), trial_journey, None))
    plans = []
    seen: dict[str, tuple] = {}
    for path, journey, applies_to in entries:
        try:
            plan = load_plan(_relative(journey, base))
        except SpecError as error:
            raise error.located(
                source=error.source or source,
                prefix=(*path, "journey") if error.source is None else (),
            ) from None
        if plan.id in seen:
            raise SpecError(
                f"journey '{plan.id}' is listed twice (also at {format_path(seen[plan.id])})",
                path=path,
            )
        seen[plan.id] = path
        condition = plan.applies_to
        if applies_to is not None:
            condition = compile_condition(applies_to, path=(*path, "applies_to"))
        if condition is not None:
            condition.check_names(known, path=(*path, "applies_to"))
        missing = sorted(n for n in plan.attribute_names if n.split(".")[0] not in known)
        if missing:
            raise SpecError(
                f"journey '{plan.id}' reads attribute '{missing[0]}' that {who} does not have",
                path=(*path, "journey"),
            )
        products |= set(plan.spec.products) | {event.product for event in plan.events}
        plans.append(ScenarioJourneyPlan(plan, condition, applies_to))
    run_products = tuple(p for p in PRODUCTS if p in (spec.products or products))
    triggers = load_triggers(
        [_relative(item, base) for item in spec.triggers],
        disable=spec.disable_triggers,
        max_depth=spec.max_trigger_depth,
        changes=spec.trigger_changes,
    ).for_products(run_products)
    _check_lookups(triggers, plans)
    check_parameters(spec, entries, plans, triggers, base)
    resources = {
        name: SharedResource(
            resource.capacity,
            _service(resource.service_days, ("resources", name, "service_days")),
        )
        for name, resource in spec.resources.items()
    }
    for entry in plans:
        for event in entry.plan.events:
            if event.resource is not None and event.resource not in resources:
                raise SpecError(
                    f"journey '{entry.plan.id}' event '{event.id}' waits for the resource "
                    f"'{event.resource}', which the scenario does not define",
                    path=("resources",),
                    hint=did_you_mean(event.resource, resources) or "add it under resources",
                )
    return Scenario(spec, profile, tuple(plans), source, triggers, run_products, resources)


def _service(spec: Any, path: tuple) -> Sampler:
    sampler = create_distribution(spec, path=path)
    if not float(sampler.support()[0]) >= 0:
        raise SpecError("a service time cannot be negative; truncate it (min: 0)", path=path)
    return sampler


def _check_lookups(triggers: TriggerSet, plans: list[ScenarioJourneyPlan]) -> None:
    """Codes written in journeys that triggers look up (an RxNorm code for its NDC) must be in
    the code table: found now, with the journey event named, not in the middle of a run."""
    for entry in plans:
        for event in entry.plan.events:
            for trigger in triggers.by_source.get((event.product, event.event_type), ()):
                for rule in trigger.parameters:
                    code = event.parameters.static.get(rule.key)
                    if rule.kind not in ("lookup", "lab_value") or not isinstance(code, str):
                        continue
                    table = rule.table or "labs"
                    try:
                        LOOKUP_TABLES[table][0](code)
                    except SpecError as error:
                        raise SpecError(
                            f"{error.message} (trigger '{trigger.id}' looks it up)",
                            path=("journeys", entry.plan.id, "events", event.id, "parameters"),
                            hint=error.hint,
                        ) from None


def _member_journeys(spec: ScenarioSpecification) -> list[tuple[tuple, Any, Any]]:
    """Each journey household members list, once, for exactly the members who list it."""
    members: dict[str, list[str]] = {}
    journeys: dict[str, tuple[tuple, Any]] = {}
    for household in spec.households or []:
        for member in household.members:
            for j, journey in enumerate(member.journeys):
                key = journey if isinstance(journey, str) else json.dumps(journey, sort_keys=True)
                path = ("households", household.key, "members", member.key, "journeys", j)
                journeys.setdefault(key, (path, journey))
                members.setdefault(key, []).append(member.key)
    return [
        (path, journey, f"member_key in {sorted(set(members[key]))!r}")
        for key, (path, journey) in journeys.items()
    ]


def load_scenario(
    source: str | Path | dict[str, Any] | Scenario, *, overrides: Sequence[str] = ()
) -> Scenario:
    """From a path, a shipped name (``medicare-diabetic``) or a mapping; ``overrides`` are
    ``key=value`` changes by dotted path (see ``sim.scenario.overrides``)."""
    if isinstance(source, Scenario):
        if overrides:
            if source.origin is None:
                raise SpecError("this scenario cannot take overrides (not parsed from data)")
            data, label, base = source.origin
            return parse_scenario(apply_overrides(data, overrides), source=label, base=base)
        return source
    if isinstance(source, dict):
        return parse_scenario(apply_overrides(source, overrides))
    spec_file = read_spec(source, "scenarios")
    path = Path(source)
    base = path.parent if path.is_file() else None
    data = apply_overrides(spec_file.data, overrides) if overrides else spec_file.data
    try:
        return parse_scenario(data, source=spec_file.label, base=base)
    except SpecError as error:
        # lines point into the file only when the data is the file's
        raise (error if overrides else spec_file.locate(error)) from None
