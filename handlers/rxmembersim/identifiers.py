"""Synthetic pharmacy and prescriber identifiers in their real formats.

Pharmacies and prescribers come from fixed pools (their size does not depend on the run), so
many members share a pharmacy or a prescriber, as they do in real data. Numbers are scrambled
from the pool index by a bijection, so every pool member has a distinct id. They are not
checked against the NPPES or NCPDP registries: use them for test data only.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "PHARMACY_POOL",
    "PRESCRIBER_POOL",
    "is_valid_npi",
    "npi_check_digit",
    "pharmacy_ncpdp_ids",
    "prescriber_npis",
]

PHARMACY_POOL = 2_000
PRESCRIBER_POOL = 20_000
# multipliers coprime to 10, so i -> (a * i + b) mod 10**k is one-to-one
_PHARMACY_SCRAMBLE = (7_919, 1_000_003)
_PRESCRIBER_SCRAMBLE = (48_271, 12_345_678)
# The NPI check digit is the Luhn digit of the 9 leading digits prefixed with 80840 (the
# ISO 7812 issuer prefix for US health applications), CMS NPI check digit specification.
_NPI_PREFIX = "80840"


def _luhn_digits(payloads: np.ndarray, width: int) -> np.ndarray:
    """The digit that makes each ``width``-digit payload pass the Luhn check when appended."""
    total = np.zeros(payloads.size, dtype=np.int64)
    rest = payloads.astype(np.int64)
    for position in range(width):  # from the right; the rightmost payload digit is doubled
        digit = rest % 10
        rest //= 10
        if position % 2 == 0:
            digit = np.where(digit > 4, digit * 2 - 9, digit * 2)
        total += digit
    return (10 - total % 10) % 10


def npi_check_digit(first_nine: str) -> int:
    """The tenth digit of an NPI whose first nine digits are ``first_nine``."""
    payload = np.array([int(_NPI_PREFIX + first_nine)])
    return int(_luhn_digits(payload, len(_NPI_PREFIX) + 9)[0])


def is_valid_npi(npi: str) -> bool:
    """Ten digits, starting with 1 or 2, with a correct check digit."""
    return (
        len(npi) == 10
        and npi.isdigit()
        and npi[0] in "12"
        and npi_check_digit(npi[:9]) == int(npi[9])
    )


def prescriber_npis(indices: np.ndarray) -> pa.Array:
    """The NPI of each prescriber pool index (individual providers start with 1)."""
    a, b = _PRESCRIBER_SCRAMBLE
    nine = 10**8 + (a * indices.astype(np.int64) + b) % 10**8
    check = _luhn_digits(int(_NPI_PREFIX) * 10**9 + nine, len(_NPI_PREFIX) + 9)
    return pc.binary_join_element_wise(_digits(nine), _digits(check), "")


def pharmacy_ncpdp_ids(indices: np.ndarray) -> pa.Array:
    """The 7-digit NCPDP provider id of each pharmacy pool index."""
    a, b = _PHARMACY_SCRAMBLE
    return pc.utf8_lpad(_digits((a * indices.astype(np.int64) + b) % 10**7), 7, "0")


def _digits(numbers: np.ndarray) -> pa.Array:
    """Whole numbers (not negative) in decimal."""
    return pa.array(numbers).cast(pa.string())
