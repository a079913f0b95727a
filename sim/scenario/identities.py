"""Linked identities: the ids a person carries in each product the scenario enables.

All derive from the person index (and the household), so they are stable and join across
tables: ``patient_id`` (PatientSim), ``member_id``, ``subscriber_id``, ``household_id`` and the
X12 relationship code (MemberSim), ``rx_member_id`` (RxMemberSim), ``subject_id`` (TrialSim).
Without explicit households every person is their own subscriber.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["RELATIONSHIP_CODES", "add_identities"]

#: X12 834/837 individual relationship codes
RELATIONSHIP_CODES = {"subscriber": "18", "spouse": "01", "child": "19", "dependent": "G8"}


def _ids(prefix: str, numbers: np.ndarray, width: int = 9) -> pa.Array:
    text = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), text, "")


def add_identities(persons: pa.Table, products: Iterable[str]) -> pa.Table:
    """``persons`` with the id columns of ``products`` (and the household columns)."""
    enabled = set(products)
    index = persons["person_index"].to_numpy()
    if "household_index" in persons.column_names:
        household = persons["household_index"].to_numpy()
        relationship = persons["relationship"].to_numpy(zero_copy_only=False)
    else:
        household = index
        relationship = np.full(index.size, "subscriber", dtype=object)
        persons = persons.append_column("household_index", pa.array(household, pa.int64()))
        persons = persons.append_column("relationship", pa.array(relationship, pa.string()))
    # the subscriber of each household: its member with relationship 'subscriber'
    is_subscriber = relationship == "subscriber"
    subscriber_of = dict(
        zip(household[is_subscriber].tolist(), index[is_subscriber].tolist(), strict=True)
    )
    subscriber = np.fromiter((subscriber_of[h] for h in household.tolist()), np.int64, index.size)
    columns: dict[str, pa.Array] = {"household_id": _ids("H", household)}
    columns["relationship_code"] = pa.array(
        [RELATIONSHIP_CODES[r] for r in relationship.tolist()], pa.string()
    )
    if "patientsim" in enabled:
        columns["patient_id"] = _ids("PT", index)
    if "membersim" in enabled:
        columns["member_id"] = _ids("M", index)
        columns["subscriber_id"] = _ids("M", subscriber)
    if "rxmembersim" in enabled:
        columns["rx_member_id"] = _ids("RX", index)
    if "trialsim" in enabled:
        columns["subject_id"] = _ids("S", index)
    for name, values in columns.items():
        persons = persons.append_column(name, values)
    return persons
