"""``protocol_journey``: a trial protocol compiled into the journey the engine runs.

Each eligible person (the inclusion criteria hold, no exclusion criterion does) lives:

- ``screening`` (informed consent) on a day uniform over the enrolment period, at a site;
- after the screening period, ``screening_passed`` or ``screen_failed`` (an exclusive choice
  by the screen-failure rate);
- on the day screening is passed, one ``randomized_<ARMCD>`` (an exclusive choice weighted by
  the arms' ratio): that day is study Day 1;
- each scheduled visit (``visit_<n>``) on its planned day, on a day uniform inside its window;
- ``end_of_study`` at the last visit;
- ``withdrawal`` after an exponential time (hazard per day), or between two consecutive visits
  with a fixed probability (per visit);
- for each adverse event term and arm, an exclusive choice between one branch per grade
  (weight: rate x grade share) and a ``_none`` branch (weight: 1 - rate) that never fires.

Dropout is modelled in the journey, not in the handler: visits carry the condition "not
withdrawn and not dead" (dead: a grade 5 adverse event happened), adverse events and
withdrawal also "not ended", all evaluated when the event would fire, so nothing is recorded
after a subject has left the study. A grade 5 event is ``fatal``: none of the person's events,
in any journey, comes after it.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import yaml

from handlers.trialsim.protocol import (
    AdverseEvent,
    Arm,
    Dropout,
    TrialProtocol,
    Visit,
    day_range,
    load_protocol,
)
from handlers.trialsim.terms import load_ae_terms
from sim.errors import SpecError
from sim.expressions import MAX_EXPRESSION_CHARS
from sim.journeys import JourneySpecification, parse_journey

__all__ = [
    "journey_document",
    "journey_yaml",
    "protocol_journey",
    "write_protocol_journey",
]

PRODUCT = "trialsim"
ProtocolSource = TrialProtocol | str | Path | dict[str, Any]


def _uniform(low: float, high: float) -> float | dict[str, Any]:
    return low if low == high else {"type": "uniform", "min": low, "max": high}


def _weight(value: float) -> float:
    # computed weights (1/12, 0.2 x 0.35) are written with 9 significant digits (groups and
    # categorical weights are renormalised, so they still sum to 1)
    return float(f"{value:.9g}")


def _share(weights: dict[str, float]) -> str | dict[str, Any]:
    """A value drawn by weight, or the value itself when only one can occur."""
    present = {key: _weight(weight) for key, weight in weights.items() if weight > 0}
    if len(present) == 1:
        return next(iter(present))
    return {"type": "categorical", "weights": present}


def _distribution(spec: Any) -> dict[str, Any]:
    """A distribution model as the mapping a journey file holds (``type`` first)."""
    fields = spec.model_dump(mode="json", exclude_none=True)
    return {"type": fields.pop("type")} | fields


def _yes_no(probability: float) -> str | dict[str, Any]:
    return _share({"Y": probability, "N": 1.0 - probability})


def _event(event_id: str, event_type: str, **fields: Any) -> dict[str, Any]:
    event = {"id": event_id, "event_type": event_type, "product": PRODUCT}
    event |= {name: value for name, value in fields.items() if value is not None}
    return event


def _all(*conditions: str) -> str | None:
    return " and ".join(conditions) if conditions else None


def _withdrawal_delay(dropout: Dropout, visits: list[Visit]) -> dict[str, Any]:
    """Days from randomisation to withdrawal (a time past the end of study means none)."""
    per_visit = dropout.per_visit
    if per_visit is None:
        return {"type": "exponential", "rate": dropout.per_day}
    last = visits[-1]
    components, stay = [], 1.0
    for before, after in itertools.pairwise(visits):
        # withdrawn between these two visits, at a day uniform between their planned days
        span = {"type": "uniform", "min": before.day - 1.0, "max": after.day - 1.0}
        components.append({"weight": _weight(stay * per_visit), "distribution": span})
        stay *= 1.0 - per_visit
    beyond = {"type": "fixed", "value": last.day - 1.0 + last.window_days + 1.0}
    components.append({"weight": _weight(stay), "distribution": beyond})
    return {"type": "mixture", "components": components}


def _adverse_events(
    event: AdverseEvent, arm: Arm, onset: Any, conditions: str | None
) -> list[dict[str, Any]]:
    rate = event.rates.get(arm.code, 0.0)
    if rate == 0:
        return []
    term = load_ae_terms().by_term(event.term)
    base = f"ae_{arm.code.lower()}_{term.key}"
    related = _yes_no(event.related.get(arm.code, 0.0))
    branches = []
    for grade, share in sorted(event.grades.items()):
        if share == 0:
            continue
        parameters = {
            "term": term.term,
            "body_system": term.system_organ_class,
            "grade": grade,
            # ICH E2A: a life-threatening (grade 4) or fatal (grade 5) event is serious
            "serious": "Y" if grade >= 4 else _yes_no(event.serious),
            "related": related,
            "outcome": "FATAL" if grade == 5 else _share(event.outcomes),
        }
        branches.append(
            (
                rate * share,
                _event(
                    f"{base}_g{grade}",
                    "adverse_event",
                    depends_on=f"randomized_{arm.code}",
                    delay=onset,
                    conditions=conditions,
                    parameters=parameters,
                    # a grade 5 event is death: the person's other journeys end there too
                    fatal=True if grade == 5 else None,
                ),
            )
        )
    if rate < 1:
        # an exclusive choice needs a branch for "no such event": it never fires
        none = _event(
            f"{base}_none",
            "no_adverse_event",
            depends_on=f"randomized_{arm.code}",
            conditions="False",
        )
        branches.append((1.0 - rate, none))
    if len(branches) > 1:
        for weight, branch in branches:
            branch["choice"] = {"group": base, "weight": _weight(weight)}
    return [branch for _, branch in branches]


def _fatal_ids(protocol: TrialProtocol) -> list[str]:
    terms = load_ae_terms()
    return [
        f"ae_{arm.code.lower()}_{terms.by_term(event.term).key}_g5"
        for event in protocol.adverse_events
        for arm in protocol.arms
        if event.rates.get(arm.code, 0.0) > 0 and event.grades.get(5, 0.0) > 0
    ]


def _screening_events(protocol: TrialProtocol) -> list[dict[str, Any]]:
    sites = {site: 1.0 / len(protocol.sites) for site in protocol.sites}
    events = [
        _event(
            "screening",
            "screening",
            delay=_uniform(0.0, protocol.enrollment_days),
            # also here: a scenario's applies_to replaces the journey's, the criteria stay
            conditions=protocol.eligibility(),
            parameters={"study_id": protocol.studyid, "site_id": _share(sites)},
        )
    ]
    failure = protocol.screening.failure_rate
    delay = _distribution(protocol.screening.duration_days)
    for event_id, weight in (("screening_passed", 1.0 - failure), ("screen_failed", failure)):
        if weight > 0:
            choice = {"group": "screening", "weight": _weight(weight)} if failure > 0 else None
            events.append(
                _event(event_id, event_id, depends_on="screening", delay=delay, choice=choice)
            )
    return events


def _randomization_events(protocol: TrialProtocol) -> list[dict[str, Any]]:
    total_ratio = sum(arm.ratio for arm in protocol.arms)
    events = []
    for arm in protocol.arms:
        choice = None
        if len(protocol.arms) > 1:
            choice = {"group": "randomization", "weight": _weight(arm.ratio / total_ratio)}
        parameters = {
            "arm": arm.code,
            "arm_name": arm.name,
            "treatment": arm.treatment,
            "treatment_days": protocol.treatment_days,
            "dosing": [d.model_dump(mode="json") for d in arm.dosing],
        }
        events.append(
            _event(
                f"randomized_{arm.code}",
                "randomization",
                depends_on="screening_passed",
                choice=choice,
                parameters=parameters,
            )
        )
    return events


def _visit_events(protocol: TrialProtocol, on_study: str | None) -> list[dict[str, Any]]:
    events = []
    for number, visit in enumerate(protocol.visits, start=1):
        planned = visit.day - 1.0  # days after randomisation (Day 1)
        events.append(
            _event(
                f"visit_{number}",
                "scheduled_visit",
                depends_on="screening_passed",
                delay=_uniform(planned - visit.window_days, planned + visit.window_days),
                conditions=on_study,
                parameters={
                    "visit_name": visit.name,
                    "visit_number": number,
                    "planned_day": visit.day,
                    "window_days": visit.window_days,
                },
            )
        )
    last = f"visit_{len(protocol.visits)}"
    return [*events, _event("end_of_study", "end_of_study", depends_on=last)]


def journey_document(protocol: ProtocolSource) -> dict[str, Any]:
    """The journey of ``protocol`` as a plain mapping (what ``write_protocol_journey`` writes)."""
    protocol = load_protocol(protocol)
    alive = tuple(f"not events.{i}.happened" for i in _fatal_ids(protocol))
    present = (*alive, "not events.withdrawal.happened") if protocol.dropout else alive
    if len(" and ".join(present)) > MAX_EXPRESSION_CHARS - 100:
        raise SpecError(
            f"too many adverse events with a grade 5 share ({len(alive)} term and arm pairs)",
            path=("adverse_events",),
        )
    ended = "not events.end_of_study.happened"
    events = _screening_events(protocol) + _randomization_events(protocol)
    events += _visit_events(protocol, _all(*present))
    if protocol.dropout is not None:
        events.append(
            _event(
                "withdrawal",
                "withdrawal",
                depends_on="screening_passed",
                delay=_withdrawal_delay(protocol.dropout, protocol.visits),
                conditions=_all(*alive, ended),
                parameters={"reason": _share(protocol.dropout.reasons)},
            )
        )
    last = protocol.visits[-1]
    # every completer is still on study on the last visit's earliest day
    study_days = last.day - 1.0 - last.window_days
    for event in protocol.adverse_events:
        onset = (
            _uniform(0.0, study_days)
            if event.onset_days is None
            else _distribution(event.onset_days)
        )
        for arm in protocol.arms:
            events += _adverse_events(event, arm, onset, _all(*present, ended))
    screening_days = day_range(protocol.screening.duration_days)[1]
    return {
        "id": protocol.id,
        "name": protocol.title,
        "description": protocol.description
        or f"Trial {protocol.studyid}: screening, randomisation, visits, adverse events",
        "products": [PRODUCT],
        # the latest day a subject can end the study, plus one (the horizon is half-open)
        "duration_days": protocol.enrollment_days + screening_days + last.day + last.window_days,
        "applies_to": protocol.eligibility(),
        "events": events,
    }


def protocol_journey(protocol: ProtocolSource) -> JourneySpecification:
    """The checked journey specification of ``protocol`` (a model, shipped name, path, mapping)."""
    protocol = load_protocol(protocol)
    return parse_journey(journey_document(protocol), source=f"trial '{protocol.id}'")


def journey_yaml(protocol: ProtocolSource) -> str:
    """The journey of ``protocol`` as YAML text, one event a line (it has many, all alike)."""
    document = journey_document(protocol)
    events = document.pop("events")
    head = yaml.safe_dump(document, sort_keys=False, width=100)
    lines = [
        yaml.safe_dump(event, default_flow_style=True, sort_keys=False, width=math.inf).strip()
        for event in events
    ]
    return head + "events:\n" + "".join(f"  - {line}\n" for line in lines)


def write_protocol_journey(protocol: ProtocolSource, path: str | Path) -> Path:
    """Writes the journey of ``protocol`` as YAML (a file a scenario can list as a journey)."""
    destination = Path(path)
    destination.write_text(journey_yaml(protocol), encoding="utf-8")
    return destination
