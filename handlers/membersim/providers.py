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

from handlers.identifiers import is_valid_npi, npi

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


def provider_npis(county: list[str], role: list[str], u: np.ndarray) -> tuple[list[str], list[str]]:
    """The rendering and billing (practice or facility) NPIs for each (county, role) and a
    uniform that picks a provider in the pool."""
    rendering: list[str] = []
    billing: list[str] = []
    cache: dict[tuple[str, str, int], tuple[str, str]] = {}
    slots = np.floor(u * 1_000_000).astype(np.int64).tolist()
    for place, kind, draw in zip(county, role, slots, strict=True):
        slot = draw % POOL_SIZE.get(kind, DEFAULT_POOL_SIZE)
        key = (place, kind, slot)
        found = cache.get(key)
        if found is None:
            found = (
                _npi_of(f"{place}|{kind}|{slot}"),
                _npi_of(f"{place}|{kind}|practice {slot // PRACTICE_SIZE}"),
            )
            cache[key] = found
        rendering.append(found[0])
        billing.append(found[1])
    return rendering, billing
