"""Trial protocols: frozen pydantic models of a randomised trial (arms and their ratio,
screening, inclusion and exclusion criteria, the visit schedule, dropout, adverse events by arm,
exposure), loaded from YAML/JSON files or the shipped ones in ``scenarios/trials/``.

Coded values are CDISC controlled terminology submission values (dosing frequency, route,
reason for non-completion, adverse event outcome), so they go to the SDTM tables unchanged.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from handlers.trialsim.terms import load_ae_terms
from sim.distributions import DistributionSpec, create_distribution
from sim.distributions.specs import check_weights
from sim.errors import SpecError, did_you_mean, from_validation_error
from sim.expressions import compile_condition
from sim.journeys.spec import shorthand_delay
from sim.specio import load_spec, shipped_names

__all__ = [
    "FREQUENCIES",
    "NONCOMPLETION_REASONS",
    "OUTCOMES",
    "ROUTES",
    "AdverseEvent",
    "Arm",
    "Criterion",
    "Dosing",
    "Dropout",
    "Screening",
    "TrialProtocol",
    "Visit",
    "load_protocol",
    "parse_protocol",
    "shipped_protocols",
]

#: CDISC FREQ values -> (doses on a dosing day, days from one dosing day to the next)
FREQUENCIES: dict[str, tuple[int, int]] = {
    "QD": (1, 1),
    "BID": (2, 1),
    "TID": (3, 1),
    "QID": (4, 1),
    "QOD": (1, 2),
    "EVERY WEEK": (1, 7),
    "EVERY 2 WEEKS": (1, 14),
    "EVERY 4 WEEKS": (1, 28),
}
#: CDISC ROUTE values
ROUTES = ("ORAL", "SUBCUTANEOUS", "INTRAVENOUS", "INTRAMUSCULAR", "TOPICAL", "TRANSDERMAL")
#: CDISC NCOMPLT values a dropout can have (death comes from a grade 5 adverse event instead)
NONCOMPLETION_REASONS = (
    "WITHDRAWAL BY SUBJECT",
    "LOST TO FOLLOW-UP",
    "PHYSICIAN DECISION",
    "PROTOCOL DEVIATION",
    "LACK OF EFFICACY",
    "PREGNANCY",
    "OTHER",
)
#: CDISC OUT values a non-fatal adverse event can have (a grade 5 event is FATAL)
OUTCOMES = (
    "RECOVERED/RESOLVED",
    "RECOVERING/RESOLVING",
    "NOT RECOVERED/NOT RESOLVED",
    "RECOVERED/RESOLVED WITH SEQUELAE",
    "UNKNOWN",
)

ARM_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,19}$")
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Hazard = Annotated[float, Field(gt=0, lt=1, allow_inf_nan=False)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _one_of(value: str, allowed: tuple[str, ...] | dict[str, Any], what: str) -> str:
    if value not in allowed:
        hint = did_you_mean(value, allowed) or f"one of {', '.join(allowed)}"
        raise ValueError(f"unknown {what} '{value}' ({hint})")
    return value


def _weights(value: dict[Any, float], allowed: tuple[str, ...], what: str) -> dict[Any, float]:
    for key in value:
        _one_of(key, allowed, what)
    check_weights(list(value.values()))
    return value


def day_range(spec: Any) -> tuple[float, float]:
    """Smallest and largest number of days a delay distribution can give."""
    low, high = create_distribution(spec).support()
    if not low >= 0:
        raise ValueError("days cannot be negative; truncate the distribution (min: 0)")
    return float(low), float(high)


class Criterion(_Model):
    """One inclusion or exclusion criterion: what it says and a condition on person attributes."""

    description: str = Field(min_length=1, description="What the criterion says.")
    condition: str | dict[str, Any] = Field(
        description="A condition on person attributes (text or structured).",
        examples=["age >= 18 and has_E11"],
    )

    @field_validator("condition")
    @classmethod
    def _compiles(cls, value: str | dict[str, Any]) -> str | dict[str, Any]:
        compile_condition(value)
        return value

    @property
    def text(self) -> str:
        return compile_condition(self.condition).text


class Screening(_Model):
    """From informed consent to the eligibility decision; failures are never randomised."""

    duration_days: DistributionSpec = Field(
        description="Days from consent to the decision: a delay distribution with an upper bound."
    )
    failure_rate: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = Field(
        default=0.0,
        description="Share of screened persons who fail screening (labs, consent withdrawn, ...).",
    )

    @field_validator("duration_days", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return shorthand_delay(value)

    @field_validator("duration_days")
    @classmethod
    def _bounded(cls, value: Any) -> Any:
        if not math.isfinite(day_range(value)[1]):
            raise ValueError("screening needs an upper bound (give the distribution a max)")
        return value


class Dosing(_Model):
    """A constant-dosing period of an arm, from ``from_day`` to the next period (or the end of
    treatment)."""

    from_day: int = Field(ge=1, description="First study day of the period (Day 1 first).")
    dose: float = Field(ge=0, allow_inf_nan=False, description="Dose per administration.")
    unit: str = Field(min_length=1, description="Dose unit (EXDOSU).", examples=["mg"])
    form: str = Field(min_length=1, description="Dose form (EXDOSFRM).", examples=["INJECTION"])
    frequency: str = Field(
        description="CDISC FREQ: QD, BID, TID, QID, QOD, EVERY WEEK, EVERY 2 WEEKS or "
        "EVERY 4 WEEKS."
    )
    route: str = Field(
        description="CDISC ROUTE: ORAL, SUBCUTANEOUS, INTRAVENOUS, INTRAMUSCULAR, TOPICAL or "
        "TRANSDERMAL."
    )

    @field_validator("frequency")
    @classmethod
    def _frequency(cls, value: str) -> str:
        return _one_of(value, FREQUENCIES, "frequency")

    @field_validator("route")
    @classmethod
    def _route(cls, value: str) -> str:
        return _one_of(value, ROUTES, "route")


class Arm(_Model):
    """A treatment arm: ARMCD (``code``), ARM (``name``), its share of the randomisation."""

    code: str = Field(
        description="ARMCD: capitals and digits, starting with a capital, up to 20 characters.",
        examples=["PBO"],
    )
    name: str = Field(min_length=1, description="ARM: the arm's name.")
    ratio: Annotated[float, Field(gt=0, allow_inf_nan=False)] = Field(
        description="Randomisation weight."
    )
    treatment: str = Field(min_length=1, description="The treatment's name (EXTRT).")
    dosing: list[Dosing] = Field(
        min_length=1, description="Dosing periods: the first starts on Day 1."
    )

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        # it also names the arm's journey events (randomized_<code>)
        if not ARM_CODE.match(value):
            raise ValueError(
                f"arm code '{value}' must be capitals and digits, starting with a capital, "
                "up to 20 characters (e.g. PBO)"
            )
        return value


class Visit(_Model):
    """A scheduled visit on study ``day`` (Day 1 is randomisation), +- ``window_days``."""

    name: str = Field(min_length=1, description="Visit name (VISIT).", examples=["Week 4"])
    day: int = Field(ge=1, description="Planned study day; visits are listed by day.")
    window_days: int = Field(
        default=0, ge=0, description="Days before or after `day` the visit may happen."
    )


class Dropout(_Model):
    """Early withdrawal: a constant hazard per day, or a probability between consecutive visits."""

    per_day: Hazard | None = Field(
        default=None, description="Constant hazard of leaving per day (or give `per_visit`)."
    )
    per_visit: Hazard | None = Field(
        default=None,
        description="Probability of leaving between two consecutive visits (or give `per_day`).",
    )
    reasons: dict[str, Weight] = Field(
        default_factory=lambda: {"WITHDRAWAL BY SUBJECT": 1.0},
        description="CDISC NCOMPLT reason -> share; the shares sum to 1.",
    )

    @field_validator("reasons")
    @classmethod
    def _reasons(cls, value: dict[str, float]) -> dict[str, float]:
        return _weights(value, NONCOMPLETION_REASONS, "reason")


class AdverseEvent(_Model):
    """An adverse event term and how often, how severe and how serious it is in each arm."""

    term: str = Field(description="A term of the adverse event term table.", examples=["Nausea"])
    rates: dict[str, Probability] = Field(
        min_length=1,
        description="Arm code -> share of the arm's subjects who have it if they complete the "
        "study.",
    )
    grades: dict[int, Weight] = Field(
        min_length=1, description="CTCAE grade (1-5) -> share of the events; grade 5 is death."
    )
    serious: Probability = Field(
        default=0.0,
        description="Share of grade 1-3 events that are serious (grade 4 and 5 events always are).",
    )
    related: dict[str, Probability] = Field(
        default_factory=dict,
        description="Arm code -> share of events the investigator assesses as related (0 for "
        "arms not listed).",
    )
    outcomes: dict[str, Weight] = Field(
        default_factory=lambda: {"RECOVERED/RESOLVED": 1.0},
        description="CDISC OUT outcome of a non-fatal event -> share.",
    )
    onset_days: DistributionSpec | None = Field(
        default=None,
        description="Days from randomisation to onset (default: uniform over the study).",
    )

    @field_validator("term")
    @classmethod
    def _known_term(cls, value: str) -> str:
        return load_ae_terms().by_term(value).term

    @field_validator("grades")
    @classmethod
    def _grades(cls, value: dict[int, float]) -> dict[int, float]:
        for grade in value:
            if not 1 <= grade <= 5:
                raise ValueError(f"grade {grade} is not a CTCAE grade (1 to 5)")
        check_weights(list(value.values()))
        return value

    @field_validator("outcomes")
    @classmethod
    def _outcomes(cls, value: dict[str, float]) -> dict[str, float]:
        return _weights(value, OUTCOMES, "outcome")

    @field_validator("onset_days", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return None if value is None else shorthand_delay(value)

    @field_validator("onset_days")
    @classmethod
    def _not_negative(cls, value: Any) -> Any:
        if value is not None:
            day_range(value)
        return value


class TrialProtocol(_Model):
    """A randomised trial, as the journey every eligible person lives (``protocol_journey``)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)] = Field(
        description="The protocol's name, also the id of its journey.",
        examples=["dm2-glp1-phase3"],
    )
    study_id: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9_-]{0,39}$")] | None = Field(
        default=None, description="STUDYID (default: `id` in capitals)."
    )
    title: str = Field(min_length=1, description="The trial's title.")
    description: str = Field(default="", description="What the trial studies.")
    enrollment_days: float = Field(
        ge=0,
        le=3650,
        allow_inf_nan=False,
        description="Days over which persons are screened (consent dates are uniform over them).",
    )
    sites: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,20}$")]] = Field(
        min_length=1, description="SITEID values; subjects are spread evenly over the sites."
    )
    screening: Screening = Field(description="From consent to the eligibility decision.")
    inclusion: list[Criterion] = Field(min_length=1, description="Criteria every subject meets.")
    exclusion: list[Criterion] = Field(
        default_factory=list, description="Criteria no subject meets."
    )
    arms: list[Arm] = Field(min_length=1, description="The treatment arms.")
    treatment_days: int = Field(
        ge=1,
        description="The last study day of treatment (dosing stops after it; at most the last "
        "visit's day).",
    )
    visits: list[Visit] = Field(min_length=1, description="The visit schedule, by day.")
    dropout: Dropout | None = Field(default=None, description="Early withdrawal.")
    adverse_events: list[AdverseEvent] = Field(
        default_factory=list, description="Adverse events by arm."
    )

    @property
    def studyid(self) -> str:
        return self.study_id or self.id.upper()

    def eligibility(self) -> str:
        """The inclusion criteria and no exclusion criterion, as one condition."""
        parts = [f"({c.text})" for c in self.inclusion]
        parts += [f"not ({c.text})" for c in self.exclusion]
        return " and ".join(parts)


def _check(protocol: TrialProtocol) -> None:
    """Checks across fields; each error names its field."""
    if len(set(protocol.sites)) != len(protocol.sites):
        raise SpecError("site ids must differ", path=("sites",))
    codes = [arm.code for arm in protocol.arms]
    for i, arm in enumerate(protocol.arms):
        if arm.code in codes[:i]:
            raise SpecError(f"arm code '{arm.code}' is used twice", path=("arms", i, "code"))
        days = [d.from_day for d in arm.dosing]
        if days[0] != 1 or any(b <= a for a, b in itertools.pairwise(days)):
            raise SpecError(
                "dosing periods start on Day 1 and their from_day increases",
                path=("arms", i, "dosing"),
            )
    names: set[str] = set()
    for i, visit in enumerate(protocol.visits):
        if visit.day - visit.window_days < 1:
            raise SpecError(
                f"the window opens on Day {visit.day - visit.window_days}, before randomisation "
                "(Day 1)",
                path=("visits", i, "window_days"),
            )
        if i and visit.day <= protocol.visits[i - 1].day:
            raise SpecError("visits are listed by increasing day", path=("visits", i, "day"))
        if visit.name in names:
            raise SpecError(f"visit name '{visit.name}' is used twice", path=("visits", i, "name"))
        names.add(visit.name)
    if protocol.treatment_days > protocol.visits[-1].day:
        raise SpecError(
            f"treatment ends on Day {protocol.treatment_days}, after the last visit "
            f"(Day {protocol.visits[-1].day})",
            path=("treatment_days",),
        )
    dropout = protocol.dropout
    if dropout is not None:
        if (dropout.per_day is None) == (dropout.per_visit is None):
            raise SpecError("give exactly one of per_day or per_visit", path=("dropout",))
        if dropout.per_visit is not None and len(protocol.visits) < 2:
            raise SpecError("per_visit dropout needs two visits or more", path=("dropout",))
    last = protocol.visits[-1]
    # the earliest a completer can end the study: an onset after it would not be recorded
    study_days = last.day - 1 - last.window_days
    terms: set[str] = set()
    for i, event in enumerate(protocol.adverse_events):
        if event.term in terms:
            raise SpecError(f"'{event.term}' is listed twice", path=("adverse_events", i, "term"))
        terms.add(event.term)
        if event.onset_days is not None and day_range(event.onset_days)[1] > study_days:
            raise SpecError(
                f"onset can be later than day {study_days:g} after randomisation, when the "
                f"study may already have ended (give the distribution max: {study_days:g})",
                path=("adverse_events", i, "onset_days"),
            )
        for field in ("rates", "related"):
            for code in getattr(event, field):
                if code not in codes:
                    raise SpecError(
                        f"unknown arm '{code}'",
                        path=("adverse_events", i, field, code),
                        hint=did_you_mean(code, codes) or f"arms: {', '.join(codes)}",
                    )


def shipped_protocols() -> list[str]:
    """Names of the protocols in ``scenarios/trials``."""
    return shipped_names("trials")


def parse_protocol(data: Any, *, source: str | None = None) -> TrialProtocol:
    """Validates a mapping; every error is one SpecError naming the source and the field."""
    if isinstance(data, TrialProtocol):
        return data
    if not isinstance(data, Mapping):
        raise SpecError("a trial protocol is a mapping", source=source)
    try:
        protocol = TrialProtocol.model_validate(data)
    except ValidationError as error:
        raise from_validation_error(error, data=data, source=source, model=TrialProtocol) from None
    try:
        _check(protocol)
    except SpecError as error:
        raise error.located(source=source) from None
    return protocol


def load_protocol(source: str | Path | Mapping[str, Any] | TrialProtocol) -> TrialProtocol:
    """From a path (YAML or JSON), a shipped name (``dm2-glp1-phase3``) or a mapping."""
    if isinstance(source, TrialProtocol | Mapping):
        return parse_protocol(source)
    return load_spec(source, "trials", parse_protocol)
