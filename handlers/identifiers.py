"""Identifiers every product uses: the Luhn check digit and National Provider Identifiers.

An NPI is ten digits: nine, then the Luhn check digit of "80840" (the card-issuer prefix of US
health identifiers, ISO/IEC 7812) followed by those nine (CMS NPI standard). The first digit
is 1 (individual) or 2 (organization).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "NPI_LUHN_PREFIX",
    "is_valid_npi",
    "luhn_check_digit",
    "luhn_check_digits",
    "npi",
    "npis",
]

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


def luhn_check_digits(payloads: np.ndarray, width: int) -> np.ndarray:
    """``luhn_check_digit`` of each whole number in ``payloads``, read as ``width`` digits
    (leading zeros count): the same rule, column-wise, for ids made in bulk."""
    total = np.zeros(payloads.size, dtype=np.int64)
    rest = payloads.astype(np.int64)
    for position in range(width):  # from the right; the rightmost payload digit is doubled
        digit = rest % 10
        rest //= 10
        if position % 2 == 0:
            digit = np.where(digit > 4, digit * 2 - 9, digit * 2)
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


def npis(first_nine_digits: np.ndarray) -> pa.Array:
    """``npi`` of each nine-digit whole number (the first digit 1 or 2), column-wise."""
    nine = first_nine_digits.astype(np.int64)
    check = luhn_check_digits(int(NPI_LUHN_PREFIX) * 10**9 + nine, len(NPI_LUHN_PREFIX) + 9)
    return pc.binary_join_element_wise(
        pa.array(nine).cast(pa.string()), pa.array(check).cast(pa.string()), ""
    )
