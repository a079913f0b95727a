"""Identifiers every product uses: the Luhn check digit and National Provider Identifiers.

An NPI is ten digits: nine, then the Luhn check digit of "80840" (the card-issuer prefix of US
health identifiers, ISO/IEC 7812) followed by those nine (CMS NPI standard). The first digit
is 1 (individual) or 2 (organization).
"""

from __future__ import annotations

__all__ = ["NPI_LUHN_PREFIX", "is_valid_npi", "luhn_check_digit", "npi"]

NPI_LUHN_PREFIX = "80840"


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
    """A ten-digit NPI: the nine digits (the first 1 or 2) and their check digit."""
    if (
        len(first_nine_digits) != 9
        or not first_nine_digits.isdigit()
        or first_nine_digits[0] not in "12"
    ):
        raise ValueError(
            f"an NPI starts with nine digits, the first 1 or 2, got '{first_nine_digits}'"
        )
    return first_nine_digits + str(luhn_check_digit(NPI_LUHN_PREFIX + first_nine_digits))


def is_valid_npi(text: str) -> bool:
    """Ten digits, first 1 (individual) or 2 (organization), and a valid check digit."""
    if len(text) != 10 or not text.isdigit() or text[0] not in "12":
        return False
    return npi(text[:9]) == text
