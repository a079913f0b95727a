"""The HealthSim journey forms, converted to ours (a plain mapping that ``JourneySpecification``
validates), with the semantics of DESIGN.md rather than that project's behaviour.

- Engine form: ``journey_id``, ``duration_days`` and ``events`` with ``event_id``, ``delay
  {days, days_min, days_max, distribution}``, ``depends_on``, ``probability``, ``conditions``
  (``{field, operator, value}``) and ``parameters``. Dependencies are resolved by id, not by
  file order, and a skipped dependency skips its dependents (HealthSim fired them at day 0).
- Phases form: ``{template, journey: {phases: [{name, duration, events: [...]}]}}``. Timing
  (``day``/``week``/``month`` from the journey start, ``variance`` in days) becomes a delay;
  ``recurrence`` becomes a repeat bounded by the end of its phase; ``details`` become
  parameters. Its free-text ``condition`` and ``branching_rules`` have no defined semantics:
  the condition is kept as the parameter ``condition_text`` and not evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sim.errors import SpecError

__all__ = ["DAYS_PER_MONTH", "from_engine_form", "from_phases_form", "journey_form"]

DAYS_PER_MONTH = 365.25 / 12
_UNIT_DAYS = {"hour": 1 / 24, "day": 1.0, "week": 7.0, "month": DAYS_PER_MONTH, "year": 365.25}
_RECURRENCE_DAYS = {
    "daily": 1.0,
    "weekly": 7.0,
    "monthly": DAYS_PER_MONTH,
    "quarterly": 3 * DAYS_PER_MONTH,
    "annually": 365.25,
}
_OPERATORS = {
    "eq": "==",
    "ne": "!=",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "in": "in",
    "not_in": "not in",
}
_PHASE_PRODUCTS = {
    "encounter": ("patientsim", "encounter"),
    "observation": ("patientsim", "observation"),
    "prescription": ("patientsim", "medication_order"),
    "procedure": ("patientsim", "procedure"),
    "referral": ("patientsim", "referral"),
    "admission": ("patientsim", "admission"),
    "discharge": ("patientsim", "discharge"),
    "administrative": ("membersim", "administrative"),
    "outreach": ("membersim", "outreach"),
    "engagement": ("membersim", "engagement"),
}
#: HealthSim's default horizon when ``duration_days`` is null.
DEFAULT_DURATION_DAYS = 365.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(hour|day|week|month|year)s?\s*$", re.IGNORECASE)


def journey_form(data: Mapping[str, Any]) -> str:
    """``ours``, ``engine`` or ``phases``."""
    inner = data.get("journey")
    if isinstance(inner, Mapping) and "phases" in inner:
        return "phases"
    if "journey_id" in data or (isinstance(inner, Mapping) and "journey_id" in inner):
        return "engine"
    events = data.get("events")
    if isinstance(events, list) and any(isinstance(e, Mapping) and "event_id" in e for e in events):
        return "engine"
    return "ours"


def from_engine_form(data: Mapping[str, Any]) -> dict[str, Any]:
    """The engine form (optionally wrapped in ``{"journey": ...}``) as our mapping."""
    prefix: tuple = ()
    if "journey" in data and isinstance(data["journey"], Mapping):
        data, prefix = data["journey"], ("journey",)
    out: dict[str, Any] = {}
    renames = {"journey_id": "id"}
    for key, value in data.items():
        if key in ("version", "_note") or (key == "parameters" and not value):
            continue  # metadata without an effect
        if key == "duration_days" and value is None:
            value = DEFAULT_DURATION_DAYS
        out[renames.get(key, key)] = value
    out.setdefault("duration_days", DEFAULT_DURATION_DAYS)
    products = out.get("products") or []
    events = out.get("events")
    if isinstance(events, list):
        out["events"] = [
            _engine_event(event, products, (*prefix, "events", i))
            if isinstance(event, Mapping)
            else event
            for i, event in enumerate(events)
        ]
    return out


def _engine_event(event: Mapping[str, Any], products: list, path: tuple) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in event.items():
        if key == "triggers":
            if value:
                raise SpecError(
                    "per-event triggers are not supported; declare triggers in the scenario",
                    path=(*path, key),
                )
            continue
        if key == "conditions":
            out["conditions"] = _engine_conditions(value, (*path, key))
            continue
        out["id" if key == "event_id" else key] = value
    if "product" not in out or out["product"] == "core":
        if len(products) != 1:
            raise SpecError("needs a product (the journey has several)", path=(*path, "product"))
        out["product"] = products[0]
    return out


def _engine_conditions(conditions: Any, path: tuple) -> Any:
    if not isinstance(conditions, list):
        return conditions
    if not conditions:
        return None
    parts = []
    for i, condition in enumerate(conditions):
        if not isinstance(condition, Mapping) or set(condition) - {"field", "operator", "value"}:
            raise SpecError("a condition has field, operator and value", path=(*path, i))
        operator = condition.get("operator", "eq")
        if operator not in _OPERATORS:
            raise SpecError(
                f"unsupported operator '{operator}'",
                path=(*path, i, "operator"),
                hint=f"expected one of {', '.join(_OPERATORS)}",
            )
        parts.append(
            {
                "attribute": condition.get("field"),
                "op": _OPERATORS[operator],
                "value": condition.get("value"),
            }
        )
    return parts[0] if len(parts) == 1 else {"all": parts}


def parse_duration(text: Any, path: tuple) -> float:
    """``"12 months"`` -> 365.25; a number is days."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text)
    match = _DURATION.match(str(text))
    if not match:
        raise SpecError(f"cannot read the duration {text!r} (e.g. '3 months')", path=path)
    return float(match.group(1)) * _UNIT_DAYS[match.group(2).lower()]


def from_phases_form(data: Mapping[str, Any]) -> dict[str, Any]:
    """The phases form as our mapping: every event timed from the journey start."""
    template = data.get("template") or {}
    journey = data["journey"]
    phases = journey.get("phases")
    if not isinstance(phases, list) or not phases:
        raise SpecError("needs a non-empty list of phases", path=("journey", "phases"))
    events: list[dict[str, Any]] = []
    phase_start = 0.0
    for p, phase in enumerate(phases):
        path = ("journey", "phases", p)
        if not isinstance(phase, Mapping):
            raise SpecError("a phase is a mapping", path=path)
        length = None
        if phase.get("duration") is not None:
            length = parse_duration(phase["duration"], (*path, "duration"))
        phase_end = None if length is None else phase_start + length
        for e, event in enumerate(phase.get("events") or []):
            events.append(
                _phase_event(event, phase, e, phase_start, phase_end, (*path, "events", e))
            )
        phase_start = phase_end if phase_end is not None else phase_start
    duration = journey.get("duration") or template.get("duration")
    duration_days = (
        parse_duration(duration, ("journey", "duration")) if duration else max(phase_start, 1.0)
    )
    return {
        "id": str(journey.get("id") or template.get("id") or "phases-journey"),
        "name": str(journey.get("name") or template.get("name") or ""),
        "description": str(journey.get("description") or template.get("description") or ""),
        "products": sorted({event["product"] for event in events}),
        "duration_days": duration_days,
        "events": events,
    }


def _phase_event(
    event: Any, phase: Mapping, index: int, start: float, end: float | None, path: tuple
) -> dict[str, Any]:
    if not isinstance(event, Mapping):
        raise SpecError("an event is a mapping", path=path)
    kind = event.get("type")
    if kind not in _PHASE_PRODUCTS:
        raise SpecError(
            f"unknown event type {kind!r}",
            path=(*path, "type"),
            hint=f"expected one of {', '.join(_PHASE_PRODUCTS)}",
        )
    product, event_type = _PHASE_PRODUCTS[kind]
    out: dict[str, Any] = {
        "id": str(event.get("id") or f"{phase.get('name', 'phase')}_{index}"),
        "event_type": event_type,
        "product": product,
        "parameters": dict(event.get("details") or {}),
    }
    if event.get("condition"):
        out["parameters"]["condition_text"] = str(event["condition"])
    timing = event.get("timing")
    offset = start
    if isinstance(timing, Mapping):
        offset, delay, after = _timing(timing, (*path, "timing"))
        out["delay"] = delay
        if after:
            out["depends_on"] = after
    elif timing is not None:
        raise SpecError("timing is a mapping such as {day: 7}", path=(*path, "timing"))
    else:
        out["delay"] = start
    if event.get("recurrence") is not None:
        out["repeat"] = _recurrence(event["recurrence"], offset, end, (*path, "recurrence"))
    return out


def _timing(timing: Mapping[str, Any], path: tuple) -> tuple[float, Any, str | None]:
    if timing.get("before"):
        raise SpecError("'before' timing is not supported", path=(*path, "before"))
    days = sum(
        float(timing.get(unit) or 0) * _UNIT_DAYS[unit] for unit in ("hour", "day", "week", "month")
    )
    variance = float(timing.get("variance") or 0) + float(timing.get("variance_pct") or 0) * days
    if variance > 0:
        low = max(0.0, days - variance)
        delay: Any = {"type": "uniform", "min": low, "max": days + variance}
    else:
        delay = days
    return days, delay, timing.get("after")


def _recurrence(recurrence: Any, start: float, end: float | None, path: tuple) -> dict[str, Any]:
    if isinstance(recurrence, str):
        if recurrence not in _RECURRENCE_DAYS:
            raise SpecError(
                f"unknown recurrence '{recurrence}'",
                path=path,
                hint=f"expected one of {', '.join(_RECURRENCE_DAYS)}",
            )
        every, count, until = _RECURRENCE_DAYS[recurrence], None, end
    elif isinstance(recurrence, Mapping):
        unit = str(recurrence.get("unit", "days")).rstrip("s")
        if unit not in _UNIT_DAYS:
            raise SpecError(f"unknown unit '{unit}'", path=(*path, "unit"))
        every = float(recurrence.get("every", 1)) * _UNIT_DAYS[unit]
        count = recurrence.get("count")
        until = end
        if recurrence.get("duration"):
            until = start + parse_duration(recurrence["duration"], (*path, "duration"))
    else:
        raise SpecError("recurrence is a name such as 'monthly' or a mapping", path=path)
    repeat: dict[str, Any] = {"every": every}
    if count is not None:
        repeat["count"] = count
    if until is not None:
        repeat["until_day"] = until
    return repeat
