"""The parameters the product handlers read: each one's type and range, by (product, event
type), in one table (``READ``).

Parameters are free-form: a name no handler reads goes to the events table as it is. A name a
handler reads needs a value the handler can turn into its column: a text, a code, a number in
range. The scenario loader checks journey events and trigger rules against this table
(``sim.scenario.parameter_checks``), so a bad value is a SpecError naming the event and the
parameter before the run, not an Arrow or overflow error inside a handler after it. No handler
reads an amount or a refill count from parameters (fees, prices and refills come from the code
tables and the plans), so none is declared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from sim.distributions import Sampler
from sim.distributions.composite import ConditionalSampler, MixtureSampler
from sim.distributions.continuous import FixedSampler
from sim.distributions.discrete import (
    AgeBandsSampler,
    ChoiceSampler,
    NegativeBinomialSampler,
    PoissonSampler,
)

__all__ = ["READ", "ValueRule", "draws_problem", "rules_of"]

Kind = Literal["text", "code", "number", "whole", "dosing"]
#: samplers whose draws are whole numbers
_WHOLE_SAMPLERS = (AgeBandsSampler, NegativeBinomialSampler, PoissonSampler)


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


@dataclass(frozen=True)
class ValueRule:
    """What a handler accepts as a parameter's value; None (or no value) is always accepted:
    the handler then uses its default."""

    kind: Kind
    minimum: float = -math.inf
    maximum: float = math.inf
    #: a whole number may be written as a text of digits ("3"): the trial handler reads it so
    digits: bool = False
    #: the only texts the handler understands (it would drop any other silently)
    choices: tuple[str, ...] = ()

    def expected(self) -> str:
        if self.kind == "text":
            return f"one of {', '.join(self.choices)}" if self.choices else "a text"
        if self.kind == "code":
            return "a code (a text, or a whole number)"
        if self.kind == "dosing":
            return "a list of dosing periods (from_day, dose, unit, form, frequency, route)"
        what = "a whole number" if self.kind == "whole" else "a number"
        return f"{what} from {_number(self.minimum)} to {_number(self.maximum)}"

    def problem(self, value: Any) -> str | None:
        """None if the handler can read ``value``, else why not (naming what it expects)."""
        if value is None:
            return None
        if self.kind == "dosing":
            return _dosing_problem(value)
        number = self._number_of(value)
        if self.kind in ("text", "code"):
            fits = isinstance(value, str) and (not self.choices or value in self.choices)
            fits |= self.kind == "code" and isinstance(number, int)
        else:
            whole = self.kind != "whole" or isinstance(number, int)
            fits = number is not None and whole and self.minimum <= number <= self.maximum
        if fits:
            return None
        quote = "; quote it" if self.kind == "code" and number is not None else ""
        return f"{_shown(value)} is not {self.expected()}{quote}"

    def _number_of(self, value: Any) -> float | None:
        """The number a handler reads from ``value`` (a whole number for a whole rule)."""
        if isinstance(value, bool):
            return None  # YAML's yes, no, on, off
        if isinstance(value, str):
            digits = value.strip()
            if self.kind == "whole" and self.digits and digits.isascii() and digits.isdigit():
                return int(digits)
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and math.isfinite(value):
            return int(value) if self.kind == "whole" and value.is_integer() else value
        return None

    def interval_problem(self, low: float, high: float, whole: bool) -> str | None:
        """None if every number in [low, high] (whole numbers only if ``whole``) fits."""
        if self.kind not in ("number", "whole"):
            return f"the distribution draws numbers; expected {self.expected()}"
        if self.kind == "whole" and not whole:
            return f"the distribution draws fractions; expected {self.expected()} (add round: 0)"
        if self.minimum <= low and high <= self.maximum:
            return None
        return (
            f"the distribution draws from {_number(low)} to {_number(high)}; expected "
            f"{self.expected()} (truncate it with min and max)"
        )


def draws_problem(rule: ValueRule, sampler: Sampler, round_digits: int | None) -> str | None:
    """None if every value ``sampler`` can draw (rounded to ``round_digits``, as the engine
    does) fits ``rule``. Bounds are truncation, never clamping: a distribution that can draw
    beyond the rule's range is refused, not cut."""
    branches = None
    if isinstance(sampler, ConditionalSampler):
        branches = sampler.branches
    elif isinstance(sampler, MixtureSampler):
        branches = sampler.components
    if branches is not None:
        problems = (draws_problem(rule, branch, round_digits) for branch in branches)
        return next((p for p in problems if p is not None), None)
    values = None
    if isinstance(sampler, FixedSampler):
        values = [sampler.value]
    elif isinstance(sampler, ChoiceSampler):
        values = [value for value, share in sampler.expected_shares().items() if share > 0]
    if values is not None:
        problems = (rule.problem(_rounded(value, round_digits)) for value in values)
        return next((p for p in problems if p is not None), None)
    low, high = (float(bound) for bound in sampler.support())
    whole = isinstance(sampler, _WHOLE_SAMPLERS)
    if round_digits is not None:
        low, high = _rounded(low, round_digits), _rounded(high, round_digits)
        whole |= round_digits <= 0
    return rule.interval_problem(low, high, whole)


def _rounded(value: Any, digits: int | None) -> Any:
    if digits is None or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return float(round(value, digits)) if math.isfinite(value) else value


def _dosing_problem(value: Any) -> str | None:
    from handlers.trialsim.protocol import Dosing  # the protocol's model of a dosing period

    expected = ValueRule("dosing").expected()
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        return f"{_shown(value)} is not {expected}"
    for i, period in enumerate(value):
        try:
            Dosing.model_validate(period)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(map(str, first["loc"]))
            return f"dosing period {i}: {where}: {first['msg']}; expected {expected}"
    return None


TEXT = ValueRule("text")
#: codes (ICD-10-CM, CPT, RxNorm, NDC, LOINC, place of service) are texts; the handlers also
#: read an unquoted whole number (cpt: 99213) as its digits, but a fraction (250.1) would lose
#: or gain digits
CODE = ValueRule("code")
#: NCPDP quantities carry three decimals (0.001 is the least billable); a million units at the
#: drug table's highest unit price (USD 640) stays under USD 10^9, so claim amounts stay exact
#: in integer cents (a quantity of 1e308 made them infinite)
QUANTITY = ValueRule("number", 0.001, 999_999)
#: the handlers round it to whole days (an int32 column) and refuse 0; a prescription is
#: authorized for a year at most, and no drug of the table is dispensed for more than 365 days
DAYS_SUPPLY = ValueRule("number", 1, 365)
#: no laboratory measure comes near 10^9 in its unit (a platelet count is about 3 x 10^5/uL)
LAB_VALUE = ValueRule("number", -1e9, 1e9)
#: CTCAE grades 1 (mild) to 5 (death), an int8 column; the trial handler reads "3" as 3
GRADE = ValueRule("whole", 1, 5, digits=True)
#: study days (negative before Day 1), visit numbers and windows stay within the longest run,
#: 36,600 days (int32 columns)
STUDY_DAY = ValueRule("whole", -36_600, 36_600, digits=True)
STUDY_DAYS = ValueRule("whole", 0, 36_600, digits=True)
TREATMENT_DAYS = ValueRule("whole", 1, 36_600, digits=True)
#: CDISC's Y and N; the trial handler reads nothing else (true would become unknown)
YES_NO = ValueRule("text", choices=("Y", "N"))

#: what PatientSim reads from every event that makes (or implies) an encounter
_ENCOUNTER = {"cpt": CODE, "specialty": TEXT, "place_of_service": CODE, "admission_type": TEXT}
_PROCEDURE = {**_ENCOUNTER, "icd10": CODE, "description": TEXT}
_DRUG = {"rxnorm": CODE, "quantity": QUANTITY, "days_supply": DAYS_SUPPLY}

#: (product, event type) -> the parameters the handlers read from such events (any handler:
#: MemberSim reads PatientSim's admissions and procedures too), with what they accept
READ: Mapping[tuple[str, str], Mapping[str, ValueRule]] = {
    ("patientsim", "diagnosis"): {**_ENCOUNTER, "icd10": CODE},
    ("patientsim", "encounter"): {**_ENCOUNTER, "encounter_type": TEXT, "reason_icd10": CODE},
    ("patientsim", "admission"): {**_ENCOUNTER, "icd10": CODE},
    ("patientsim", "discharge"): {"discharge_disposition": TEXT},
    ("patientsim", "procedure"): _PROCEDURE,
    ("patientsim", "medication_administration"): _PROCEDURE,
    ("patientsim", "lab_result"): {
        "loinc": CODE,
        "value": LAB_VALUE,
        "test_name": TEXT,
        "unit": TEXT,
    },
    ("patientsim", "medication_order"): {**_DRUG, "drug_name": TEXT},
    ("membersim", "claim_professional"): {
        "cpt": CODE,
        "diagnosis_code": CODE,
        "place_of_service": CODE,
        "encounter_type": TEXT,
        "specialty": TEXT,
    },
    ("membersim", "claim_institutional"): {"discharge_disposition": TEXT, "type_of_bill": CODE},
    ("membersim", "new_enrollment"): {"enrollment_type": TEXT},
    ("membersim", "plan_change"): {"change_reason": TEXT, "plan_id": CODE},
    ("membersim", "termination"): {"reason": TEXT},
    ("rxmembersim", "fill"): {**_DRUG, "ndc": CODE},
    ("trialsim", "screening"): {"study_id": CODE, "site_id": TEXT},
    ("trialsim", "randomization"): {
        "arm": TEXT,
        "arm_name": TEXT,
        "treatment": TEXT,
        "treatment_days": TREATMENT_DAYS,
        "dosing": ValueRule("dosing"),
    },
    ("trialsim", "scheduled_visit"): {
        "visit_number": STUDY_DAYS,
        "visit_name": TEXT,
        "planned_day": STUDY_DAY,
        "window_days": STUDY_DAYS,
    },
    ("trialsim", "adverse_event"): {
        "term": TEXT,
        "body_system": TEXT,
        "grade": GRADE,
        "serious": YES_NO,
        "related": YES_NO,
        "outcome": TEXT,
    },
    ("trialsim", "withdrawal"): {"reason": TEXT},
}


def rules_of(product: str, event_type: str) -> Mapping[str, ValueRule]:
    """The parameters the handlers read from ``product``'s ``event_type`` events."""
    return READ.get((product, event_type), {})
