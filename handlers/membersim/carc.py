"""Claim adjustment reason codes (CARC) a denied claim carries, with the group code that says
who is liable: ``CO`` (contractual obligation: the provider may not bill the member) or ``PR``
(patient responsibility).

The codes are the X12 Claim Adjustment Reason Code list, which X12 publishes openly; the
descriptions here are short paraphrases of our own, not the list's official wording.
"""

from __future__ import annotations

from sim.errors import SpecError, did_you_mean

__all__ = ["CARC", "ELIGIBILITY_CODES", "check_carc"]

#: "<group>-<reason>" -> what it means
CARC: dict[str, str] = {
    "CO-11": "diagnosis does not support the procedure",
    "CO-16": "claim lacks information or has a billing error (correctable)",
    "CO-18": "exact duplicate of a claim already processed",
    "CO-22": "another payer is primary (coordination of benefits)",
    "CO-29": "filed after the time limit",
    "CO-50": "not medically necessary in the payer's judgment",
    "CO-97": "bundled: paid as part of another service already adjudicated",
    "CO-109": "not covered by this payer; submit to the correct one",
    "CO-197": "required precertification or authorization was not obtained",
    "PR-26": "service before the member's coverage began",
    "PR-27": "service after the member's coverage ended",
    "PR-204": "service not covered under the member's current benefit plan",
}

#: the codes a claim gets when its service date is outside every enrollment span
ELIGIBILITY_CODES = {"before": "PR-26", "after": "PR-27"}


def check_carc(code: str, *, path: tuple[str | int, ...]) -> str:
    """``code`` if it is in the table; otherwise a SpecError naming it."""
    if code not in CARC:
        raise SpecError(
            f"unknown claim adjustment reason code '{code}'",
            path=path,
            hint=did_you_mean(code, CARC) or f"known: {', '.join(CARC)}",
        )
    return code
