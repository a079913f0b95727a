"""Providers on claims: made-up but valid NPIs, and which provider a member sees.

An NPI is ten digits: nine, then a Luhn check digit computed over the prefix 80840 and those
nine (CMS, "Requirements for National Provider Identifier check digit"). Providers here are
pools per county and role; a member keeps the same provider of a role (their primary care
doctor, their ophthalmologist, their hospital) and draws a new one for each urgent-care or
emergency visit.
"""

from __future__ import annotations

import zlib
from functools import cache

import numpy as np
import pyarrow as pa

from handlers.identifiers import is_valid_npi, npi
from handlers.membersim.distinct import per_distinct

__all__ = ["PER_VISIT_ROLES", "POOL_SIZE", "is_valid_npi", "npi", "provider_npis"]

#: providers per county and role
POOL_SIZE = {"Hospital": 3}
DEFAULT_POOL_SIZE = 20
#: roles whose provider is drawn per claim, not kept per member
PER_VISIT_ROLES = frozenset({"Urgent Care", "Emergency Medicine"})
#: members of one practice bill under the practice's NPI
PRACTICE_SIZE = 5


@cache
def _npi_of(key: str) -> str:
    return npi("1" + f"{zlib.crc32(key.encode('utf-8')) % 10**8:08d}")


def provider_npis(
    county: pa.Array, role: pa.Array | pa.ChunkedArray, u: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """The rendering and billing (practice or facility) NPIs for each (county, role) and a
    uniform that picks a provider in the pool."""
    sizes, role_index = per_distinct(lambda kind: POOL_SIZE.get(kind, DEFAULT_POOL_SIZE), role)
    slot = np.floor(u * 1_000_000).astype(np.int64) % np.array(sizes, dtype=np.int64)[role_index]
    providers, index = per_distinct(_provider, county, role, pa.array(slot))
    take = pa.array(index)
    rendering = pa.array([npi for npi, _ in providers], pa.string()).take(take)
    billing = pa.array([npi for _, npi in providers], pa.string()).take(take)
    return rendering, billing


def _provider(place: str, kind: str, slot: int) -> tuple[str, str]:
    """The NPIs of provider ``slot`` of the pool and of their practice."""
    return (
        _npi_of(f"{place}|{kind}|{slot}"),
        _npi_of(f"{place}|{kind}|practice {slot // PRACTICE_SIZE}"),
    )
