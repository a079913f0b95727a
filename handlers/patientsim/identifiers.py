"""Identifiers of clinical records: medical record numbers and National Provider Identifiers.

Both are derived, not drawn, so two patients or two providers can never share one.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.identifiers import is_valid_npi, luhn_check_digit, luhn_check_digits, npi

__all__ = ["is_valid_npi", "luhn_check_digit", "mrns", "npi"]

#: 3**18: coprime to 10, so multiplying by it permutes the nine-digit numbers; medical record
#: numbers then look unordered while staying unique
_MRN_MULTIPLIER = 387_420_489
_MRN_OFFSET = 104_729
_MRN_MODULUS = 10**9


def mrns(person_indices: np.ndarray) -> pa.Array:
    """Ten-digit medical record numbers: a permutation of each person index and a Luhn digit
    (which catches any single mistyped digit)."""
    number = (person_indices.astype(np.int64) * _MRN_MULTIPLIER + _MRN_OFFSET) % _MRN_MODULUS
    payload = pc.utf8_lpad(pa.array(number).cast(pa.string()), 9, "0")
    check = pa.array(luhn_check_digits(number, 9)).cast(pa.string())
    return pc.binary_join_element_wise(payload, check, "")
