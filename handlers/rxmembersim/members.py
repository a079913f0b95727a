"""``rx_members``: one row per person with an ``rx_member_id``: the drug benefit that applies,
the claim routing (BIN, PCN, group), the member's pharmacy and prescriber."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.base import HandlerContext
from handlers.rxmembersim.config import PharmacyBenefit
from handlers.rxmembersim.identifiers import (
    PHARMACY_POOL,
    PRESCRIBER_POOL,
    pharmacy_ncpdp_ids,
    prescriber_npis,
)
from handlers.rxmembersim.streams import ASSIGNMENT_STREAM, PRODUCT
from sim.seeds import BLOCK_SIZE

__all__ = ["RX_MEMBER_SCHEMA", "rx_members"]

RX_MEMBER_SCHEMA = pa.schema(
    [
        ("rx_member_id", pa.string()),
        ("person_id", pa.string()),
        ("person_index", pa.int64()),
        ("member_id", pa.string()),
        ("household_id", pa.string()),
        ("plan", pa.string()),
        ("benefit_plan_id", pa.string()),
        ("drug_coverage", pa.bool_()),
        ("bin", pa.string()),
        ("pcn", pa.string()),
        ("rx_group", pa.string()),
        ("pharmacy_ncpdp_id", pa.string()),
        ("prescriber_npi", pa.string()),
    ]
)


def rx_members(persons: pa.Table, config: PharmacyBenefit, context: HandlerContext) -> pa.Table:
    """The rx members, in persons order (``member_id`` only when the run has MemberSim)."""
    if "rx_member_id" not in persons.column_names:
        return RX_MEMBER_SCHEMA.empty_table().drop_columns(["member_id"])
    persons = persons.filter(pc.is_valid(persons["rx_member_id"]))
    n = persons.num_rows
    labels = persons["plan"] if "plan" in persons.column_names else pa.nulls(n, pa.string())
    plan_ids = _benefit_plan_ids(labels, persons, config)
    processors = [config.processor(p) if p else None for p in plan_ids]
    person_index = persons["person_index"].to_numpy()
    household = (
        persons["household_index"].to_numpy()
        if "household_index" in persons.column_names
        else person_index
    )
    pharmacy, _ = _pool_draws(household, context)
    _, prescriber = _pool_draws(person_index, context)
    columns: dict[str, pa.Array] = {
        "rx_member_id": persons["rx_member_id"],
        "person_id": persons["person_id"],
        "person_index": persons["person_index"],
        "member_id": persons["member_id"] if "member_id" in persons.column_names else None,
        "household_id": persons["household_id"],
        "plan": labels,
        "benefit_plan_id": pa.array(plan_ids, pa.string()),
        "drug_coverage": pa.array([p is not None for p in plan_ids], pa.bool_()),
        "bin": pa.array([p.bin if p else None for p in processors], pa.string()),
        "pcn": pa.array([p.pcn if p else None for p in processors], pa.string()),
        "rx_group": pa.array([p.group if p else None for p in processors], pa.string()),
        "pharmacy_ncpdp_id": pa.array(pharmacy_ncpdp_ids(pharmacy), pa.string()),
        "prescriber_npi": pa.array(prescriber_npis(prescriber), pa.string()),
    }
    schema = pa.schema([f for f in RX_MEMBER_SCHEMA if columns[f.name] is not None])
    return pa.table({f.name: columns[f.name] for f in schema}, schema=schema)


def _benefit_plan_ids(
    labels: pa.ChunkedArray | pa.Array, persons: pa.Table, config: PharmacyBenefit
) -> list[str | None]:
    """Each person's benefit plan id; None without drug coverage. An unknown label is an error."""
    text = labels.to_pylist()
    ages = persons["age"].to_pylist() if "age" in persons.column_names else [None] * len(text)
    mapped: dict[tuple, str | None] = {}
    ids = []
    for label, age in zip(text, ages, strict=True):
        if label is None:
            ids.append(None)
            continue
        key = (label, age is not None and age <= config.child_max_age)
        if key not in mapped:
            mapped[key] = config.benefit_plan_id(label, age)
        ids.append(mapped[key])
    attribute = config.drug_coverage_attribute
    if attribute and attribute in persons.column_names:
        covered = persons[attribute].to_pylist()
        ids = [i if flag is not False else None for i, flag in zip(ids, covered, strict=True)]
    return ids


def _pool_draws(index: np.ndarray, context: HandlerContext) -> tuple[np.ndarray, np.ndarray]:
    """A pharmacy and a prescriber pool index for each entity index, drawn per block of
    BLOCK_SIZE indices for every position of the block: independent of who else is in the run."""
    blocks, where = np.unique(index // BLOCK_SIZE, return_inverse=True)
    pharmacy = np.empty((blocks.size, BLOCK_SIZE), dtype=np.int64)
    prescriber = np.empty((blocks.size, BLOCK_SIZE), dtype=np.int64)
    for row, block in enumerate(blocks.tolist()):
        block_rng = context.rng(PRODUCT, ASSIGNMENT_STREAM, block)
        pharmacy[row] = block_rng.integers(0, PHARMACY_POOL, BLOCK_SIZE)
        prescriber[row] = block_rng.integers(0, PRESCRIBER_POOL, BLOCK_SIZE)
    slot = index % BLOCK_SIZE
    return pharmacy[where, slot], prescriber[where, slot]
