"""``load_journey``: a journey from a file, a shipped name, a mapping or a model, in our form or
one of the HealthSim forms, fully checked (graph, conditions, distributions) at load time."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.errors import SpecError, did_you_mean, from_validation_error
from sim.journeys.compat import from_engine_form, from_phases_form, journey_form
from sim.journeys.plan import JourneyPlan, compile_plan
from sim.journeys.spec import MAX_OCCURRENCES, EventSpec, JourneySpecification
from sim.specio import check_values, load_spec, shipped_names

__all__ = ["load_journey", "load_plan", "parse_journey", "shipped_journeys"]

JourneySource = str | Path | Mapping[str, Any] | JourneySpecification


def shipped_journeys() -> list[str]:
    """Names of the journeys in ``scenarios/journeys``."""
    return shipped_names("journeys")


def parse_journey(data: Any, *, source: str | None = None) -> JourneySpecification:
    """Validates a mapping (any accepted form) and checks it; errors name source and field."""
    if isinstance(data, JourneySpecification):
        _check(data, source)
        return data
    if not isinstance(data, Mapping):
        raise SpecError("a journey is a mapping with id, duration_days and events", source=source)
    try:
        check_values(data, source=source)
    except SpecError as error:
        path = _named_path(error.path, data)
        raise SpecError(error.message, path=path, source=source, hint=error.hint) from None
    form = journey_form(data)
    try:
        if form == "engine":
            data = from_engine_form(data)
        elif form == "phases":
            data = from_phases_form(data)
    except SpecError as error:
        raise error.located(source=source) from None
    try:
        spec = JourneySpecification.model_validate(data)
    except ValidationError as error:
        located = from_validation_error(error, data=data, source=source, model=JourneySpecification)
        path = _named_path(located.path, data)
        raise SpecError(
            located.message,
            path=path,
            source=located.source,
            hint=_field_hint(located, path),
        ) from None
    _check(spec, source)
    return spec


def _check(spec: JourneySpecification, source: str | None) -> None:
    try:
        _check_occurrences(compile_plan(spec))
    except SpecError as error:
        raise error.located(source=source) from None


def _check_occurrences(plan: JourneyPlan) -> None:
    """A repeat bounded by ``until_day`` makes at most MAX_OCCURRENCES occurrences on average
    (every 0.001 days for a year would make 365,000 records per person)."""
    for event in plan.events:
        if event.repeat is None or event.repeat.count is not None:
            continue
        try:
            mean = event.repeat.every.expected_mean()
        except ArithmeticError:  # a mean beyond floating point: very few occurrences
            continue
        if mean is None or mean <= 0:
            continue  # conditional gaps; a gap always 0 days is refused by the graph checks
        days = min(event.repeat.until_day, plan.duration_days)
        if days / mean > MAX_OCCURRENCES:
            raise SpecError(
                f"repeats about {days / mean:,.0f} times (every {mean:g} days for {days:g} "
                f"days); at most {MAX_OCCURRENCES:,}",
                path=("events", event.id, "repeat", "every"),
                hint="a longer 'every', an earlier 'until_day' or a 'count'",
            )


def _field_hint(error: SpecError, path: tuple) -> str | None:
    """For an unknown field, the closest field of the model it sits in."""
    if error.message != "unknown field" or not path or not isinstance(path[-1], str):
        return error.hint
    model = {1: JourneySpecification, 3: EventSpec}.get(len(path))
    if model is None or (len(path) == 3 and path[0] != "events"):
        return error.hint
    return did_you_mean(path[-1], model.model_fields) or error.hint


def _named_path(path: tuple, data: Mapping[str, Any]) -> tuple:
    """``events[3].delay`` -> ``events.metformin_start.delay`` when the event has an id."""
    if len(path) >= 2 and path[0] == "events" and isinstance(path[1], int):
        events = data.get("events")
        if isinstance(events, list) and path[1] < len(events):
            event = events[path[1]]
            if isinstance(event, Mapping) and isinstance(event.get("id"), str):
                return ("events", event["id"], *path[2:])
    return path


def load_journey(source: JourneySource) -> JourneySpecification:
    """From a path (YAML or JSON), a shipped name (``diabetic-first-year``), or a mapping."""
    if isinstance(source, JourneySpecification | Mapping):
        return parse_journey(source)
    return load_spec(source, "journeys", parse_journey)


def load_plan(source: JourneySource | JourneyPlan) -> JourneyPlan:
    """The compiled plan of a journey from any of the sources ``load_journey`` takes."""
    if isinstance(source, JourneyPlan):
        return source
    return compile_plan(load_journey(source))
