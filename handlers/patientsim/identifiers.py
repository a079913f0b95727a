"""Identifiers of clinical records: medical record numbers and National Provider Identifiers.

Both are derived, not drawn, so two patients or two providers can never share one.
"""

from __future__ import annotations

from handlers.identifiers import is_valid_npi, luhn_check_digit, npi

__all__ = ["is_valid_npi", "luhn_check_digit", "mrn", "npi"]

#: 3**18: coprime to 10, so multiplying by it permutes the nine-digit numbers; medical record
#: numbers then look unordered while staying unique
_MRN_MULTIPLIER = 387_420_489
_MRN_OFFSET = 104_729
_MRN_MODULUS = 10**9


def mrn(person_index: int) -> str:
    """A ten-digit medical record number: a permutation of the person index and a Luhn digit
    (which catches any single mistyped digit)."""
    number = (person_index * _MRN_MULTIPLIER + _MRN_OFFSET) % _MRN_MODULUS
    payload = f"{number:09d}"
    return payload + str(luhn_check_digit(payload))
