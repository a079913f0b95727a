"""``rx_members``: one row per person with an ``rx_member_id``: the drug benefit that applies,
the claim routing (BIN, PCN, group), the member's pharmacy and prescriber."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.base import HandlerContext
from handlers.rxmembersim.codes import codes, first_rows
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
    read = (*_COLUMNS_READ, config.drug_coverage_attribute)
    persons = persons.select([name for name in persons.column_names if name in read])
    persons = persons.filter(pc.is_valid(persons["rx_member_id"]))
    n = persons.num_rows
    labels = (
        persons["plan"]
        if "plan" in persons.column_names
        else pa.chunked_array([pa.nulls(n, pa.string())])
    )
    plan_ids = _benefit_plan_ids(labels, persons, config)
    person_index = persons["person_index"].to_numpy()
    household = (
        persons["household_index"].to_numpy()
        if "household_index" in persons.column_names
        else person_index
    )
    pharmacy, _ = _pool_draws(household, context)
    _, prescriber = _pool_draws(person_index, context)
    columns: dict[str, pa.Array | pa.ChunkedArray | None] = {
        "rx_member_id": persons["rx_member_id"],
        "person_id": persons["person_id"],
        "person_index": persons["person_index"],
        "member_id": persons["member_id"] if "member_id" in persons.column_names else None,
        "household_id": persons["household_id"],
        "plan": labels,
        "benefit_plan_id": plan_ids,
        "drug_coverage": pc.is_valid(plan_ids),
        **_routing(plan_ids, config),
        "pharmacy_ncpdp_id": pharmacy_ncpdp_ids(pharmacy),
        "prescriber_npi": prescriber_npis(prescriber),
    }
    schema = pa.schema([f for f in RX_MEMBER_SCHEMA if columns[f.name] is not None])
    return pa.table({f.name: columns[f.name] for f in schema}, schema=schema)


_COLUMNS_READ = (
    "rx_member_id",
    "person_id",
    "person_index",
    "member_id",
    "household_id",
    "household_index",
    "plan",
    "age",
)


def _benefit_plan_ids(
    labels: pa.ChunkedArray, persons: pa.Table, config: PharmacyBenefit
) -> pa.Array:
    """Each person's benefit plan id; null without drug coverage. An unknown label is an error.
    Each (label, child or not) is looked up once, for its first person."""
    n = len(labels)
    ages = persons["age"] if "age" in persons.column_names else pa.nulls(n, pa.int64())
    child = pc.less_equal(ages, config.child_max_age).fill_null(False)
    child = child.to_numpy(zero_copy_only=False)
    label = pc.dictionary_encode(labels).combine_chunks()
    key = label.indices.fill_null(-1).to_numpy().astype(np.int64) * 2 + child
    group = codes(pa.array(key))
    ids = [
        None if key[i] < 0 else config.benefit_plan_id(labels[i].as_py(), ages[i].as_py())
        for i in first_rows(group).tolist()
    ]
    plan_ids = pa.array(ids, pa.string()).take(pa.array(group))
    attribute = config.drug_coverage_attribute
    if attribute in persons.column_names and pa.types.is_boolean(persons[attribute].type):
        uncovered = pc.invert(persons[attribute]).fill_null(False)
        plan_ids = pc.if_else(uncovered, pa.scalar(None, pa.string()), plan_ids)
    return plan_ids


def _routing(plan_ids: pa.Array, config: PharmacyBenefit) -> dict[str, pa.Array]:
    """bin, pcn and rx_group of each benefit plan's processor (null without drug coverage)."""
    plans = pc.unique(plan_ids)
    processors = [config.processor(p) if p else None for p in plans.to_pylist()]
    plan = pc.index_in(plan_ids, plans)
    return {
        column: pa.array([getattr(p, field) if p else None for p in processors], pa.string()).take(
            plan
        )
        for column, field in (("bin", "bin"), ("pcn", "pcn"), ("rx_group", "group"))
    }


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
