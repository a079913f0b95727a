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

from handlers.identifiers import is_valid_npi, npis

__all__ = [
    "PHARMACY_POOL",
    "PRESCRIBER_POOL",
    "is_valid_npi",
    "pharmacy_ncpdp_ids",
    "prescriber_npis",
]

PHARMACY_POOL = 2_000
PRESCRIBER_POOL = 20_000
# multipliers coprime to 10, so i -> (a * i + b) mod 10**k is one-to-one
_PHARMACY_SCRAMBLE = (7_919, 1_000_003)
_PRESCRIBER_SCRAMBLE = (48_271, 12_345_678)


def prescriber_npis(indices: np.ndarray) -> pa.Array:
    """The NPI of each prescriber pool index (individual providers start with 1)."""
    a, b = _PRESCRIBER_SCRAMBLE
    return npis(10**8 + (a * indices.astype(np.int64) + b) % 10**8)


def pharmacy_ncpdp_ids(indices: np.ndarray) -> pa.Array:
    """The 7-digit NCPDP provider id of each pharmacy pool index."""
    a, b = _PHARMACY_SCRAMBLE
    return pc.utf8_lpad(_digits((a * indices.astype(np.int64) + b) % 10**7), 7, "0")


def _digits(numbers: np.ndarray) -> pa.Array:
    """Whole numbers (not negative) in decimal."""
    return pa.array(numbers).cast(pa.string())
