"""Identifiers of clinical records: medical record numbers and National Provider Identifiers.

Both are derived, not drawn, so two patients or two providers can never share one.
"""

from __future__ import annotations

__all__ = ["is_valid_npi", "luhn_check_digit", "mrn", "npi"]

#: an NPI's check digit is the Luhn digit of "80840" (the card-issuer prefix of US health
#: identifiers, ISO/IEC 7812) followed by the NPI's first nine digits (CMS NPI standard)
NPI_LUHN_PREFIX = "80840"
#: 3**18: coprime to 10, so multiplying by it permutes the nine-digit numbers; medical record
#: numbers then look unordered while staying unique
_MRN_MULTIPLIER = 387_420_489
_MRN_OFFSET = 104_729
_MRN_MODULUS = 10**9


def luhn_check_digit(payload: str) -> int:
    """The digit that makes ``payload + digit`` pass the Luhn (mod 10) check."""
    total = 0
    # from the right, every other digit of the payload is doubled (the check digit comes next)
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return (10 - total % 10) % 10


def npi(first_nine_digits: str) -> str:
    """A ten-digit NPI: the nine digits and their check digit."""
    if len(first_nine_digits) != 9 or not first_nine_digits.isdigit():
        raise ValueError(f"an NPI starts with nine digits, got '{first_nine_digits}'")
    return first_nine_digits + str(luhn_check_digit(NPI_LUHN_PREFIX + first_nine_digits))


def is_valid_npi(text: str) -> bool:
    """Ten digits, first 1 (individual) or 2 (organization), and a valid check digit."""
    if len(text) != 10 or not text.isdigit() or text[0] not in "12":
        return False
    return npi(text[:9]) == text


def mrn(person_index: int) -> str:
    """A ten-digit medical record number: a permutation of the person index and a Luhn digit
    (which catches any single mistyped digit)."""
    number = (person_index * _MRN_MULTIPLIER + _MRN_OFFSET) % _MRN_MODULUS
    payload = f"{number:09d}"
    return payload + str(luhn_check_digit(payload))
