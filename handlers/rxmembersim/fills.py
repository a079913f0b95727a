"""Fill events as dispensings: the drug through the drug table, quantity and days supply, the
refill number in its prescription chain, the pharmacy and the prescriber."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from sim.codes import load_drugs
from sim.errors import SpecError

__all__ = ["DRUG_PARAMETERS", "EVENT_COLUMNS", "dispensings", "drug_parameters"]

#: the parameters of fill and claim events that RxMemberSim reads
DRUG_PARAMETERS = pa.schema(
    [
        ("rxnorm", pa.string()),
        ("ndc", pa.string()),
        ("quantity", pa.float64()),
        ("days_supply", pa.float64()),
    ]
)
_MEMBER_COLUMNS = ("rx_member_id", "person_id", "pharmacy_ncpdp_id", "prescriber_npi")


def drug_parameters(events: pa.Table) -> pa.Table:
    """The drug parameters of each event, one row per event (null where absent)."""
    options = pj.ParseOptions(explicit_schema=DRUG_PARAMETERS, unexpected_field_behavior="ignore")
    if events.num_rows:
        try:
            return pj.read_json(pa.BufferReader(_json_lines(events)), parse_options=options)
        except pa.ArrowInvalid:
            pass  # a code written as a number (rxnorm: 314076): the slower, forgiving parse
    rows = [json.loads(p) for p in events["parameters"].to_pylist()]
    return pa.table(
        {
            name: pa.array([_scalar(row.get(name), field.type) for row in rows], field.type)
            for name, field in zip(DRUG_PARAMETERS.names, DRUG_PARAMETERS, strict=True)
        },
        schema=DRUG_PARAMETERS,
    )


def _json_lines(events: pa.Table) -> pa.Buffer:
    """The parameters as one buffer of newline-delimited JSON, without a Python loop."""
    text = events["parameters"].cast(pa.large_string())
    newline = pa.scalar("\n", pa.large_string())
    lines = pc.binary_join_element_wise(text, pa.scalar("", pa.large_string()), newline)
    lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return lines.buffers()[2].slice(int(first), int(last - first))


def _scalar(value: object, kind: pa.DataType) -> object:
    if value is None:
        return None
    return str(value) if pa.types.is_string(kind) else value


def dispensings(fill_events: pa.Table, refill_events: pa.Table, members: pa.Table) -> pa.Table:
    """One row per ``rxmembersim.fill`` event of an rx member, by person and time (then in the
    order the events were recorded); ``refill_events`` are the ``refill`` requests (a fill they
    cause continues a chain).

    Columns: fill_id, the member's ids, event_id, caused_by, time_days (of the fill event),
    rxnorm, ndc, drug_name, ingredient, drug_class, formulary_tier, maintenance,
    unit_price_usd, quantity, days_supply, refill_number, pharmacy_ncpdp_id, prescriber_npi."""
    fills = fill_events.select(EVENT_COLUMNS)
    fills = fills.filter(pc.is_in(fills["person_index"], members["person_index"]))
    order = np.lexsort((fills["time_days"].to_numpy(), fills["person_index"].to_numpy()))
    fills = fills.take(pa.array(order))
    parameters = drug_parameters(fills)
    drug_row = _drug_rows(fills, parameters)
    table = load_drugs()
    column = {name: [getattr(d, name) for d in table] for name in _DRUG_FIELDS}

    def drug(name: str, kind: pa.DataType) -> pa.Array:
        return pa.array(column[name], kind).take(pa.array(drug_row))

    quantity = pc.coalesce(parameters["quantity"], drug("typical_quantity", pa.float64()))
    days_supply = pc.round(
        pc.coalesce(
            parameters["days_supply"], drug("typical_days_supply", pa.int64()).cast(pa.float64())
        )
    )
    _check_positive(fills, quantity, "quantity")
    _check_positive(fills, days_supply, "days_supply")  # whole days
    member_row = pc.index_in(fills["person_index"], members["person_index"])
    columns = {
        "fill_id": pc.binary_join_element_wise("F", fills["event_id"], ""),
        **{name: members[name].take(member_row) for name in _MEMBER_COLUMNS[:2]},
        "person_index": fills["person_index"],
        "event_id": fills["event_id"],
        "caused_by": fills["caused_by"],
        "journey_id": fills["journey_id"],
        "time_days": fills["time_days"],
        "rxnorm": drug("rxnorm", pa.string()),
        "ndc": drug("ndc", pa.string()),
        "drug_name": drug("name", pa.string()),
        "ingredient": drug("ingredient", pa.string()),
        "drug_class": drug("drug_class", pa.string()),
        "formulary_tier": drug("formulary_tier", pa.int8()),
        "maintenance": drug("maintenance", pa.bool_()),
        "unit_price_usd": drug("unit_price_usd", pa.float64()),
        "quantity": quantity,
        "days_supply": days_supply.cast(pa.int32()),
        "refill_number": pa.array(_refill_numbers(refill_events, fills, drug_row), pa.int32()),
        **{name: members[name].take(member_row) for name in _MEMBER_COLUMNS[2:]},
    }
    return pa.table(columns)


EVENT_COLUMNS = (
    "event_id",
    "person_index",
    "definition_id",
    "journey_id",
    "time_days",
    "caused_by",
    "parameters",
)
_DRUG_FIELDS = (
    "rxnorm",
    "ndc",
    "name",
    "ingredient",
    "drug_class",
    "formulary_tier",
    "maintenance",
    "unit_price_usd",
    "typical_quantity",
    "typical_days_supply",
)


def _drug_rows(fills: pa.Table, parameters: pa.Table) -> np.ndarray:
    """The drug table row of each fill, by its RxNorm code; an NDC the event carries (11 digits
    or hyphenated) must be that drug's. Unknown codes are errors."""
    drugs = load_drugs()
    rxnorm_of_row = pa.array([d.rxnorm for d in drugs], pa.string())
    ndc_of_row = pa.array([d.ndc for d in drugs], pa.string())
    by_rxnorm = pc.index_in(parameters["rxnorm"], value_set=rxnorm_of_row)
    by_ndc = pc.index_in(parameters["ndc"], value_set=ndc_of_row)
    for i in np.flatnonzero(pc.is_null(by_rxnorm).to_numpy(zero_copy_only=False)).tolist():
        rxnorm = parameters["rxnorm"][i].as_py()
        if rxnorm is None:
            raise _event_error(fills, i, "no rxnorm parameter")
        try:
            drugs.by_rxnorm(rxnorm)
        except SpecError as error:
            raise _event_error(fills, i, error.message, error.hint) from None
    rows = by_rxnorm.to_numpy(zero_copy_only=False).astype(np.int64)
    given = pc.is_valid(parameters["ndc"]).to_numpy(zero_copy_only=False)
    unmatched = given & pc.is_null(by_ndc).to_numpy(zero_copy_only=False)
    ndc_rows = np.where(given & ~unmatched, by_ndc.fill_null(0).to_numpy(), rows)
    row_of_ndc = {d.ndc: k for k, d in enumerate(drugs)}
    for i in np.flatnonzero(unmatched).tolist():  # hyphenated, or not in the table
        try:
            ndc_rows[i] = row_of_ndc[drugs.by_ndc(parameters["ndc"][i].as_py()).ndc]
        except SpecError as error:
            raise _event_error(fills, i, error.message, error.hint) from None
    mismatch = np.flatnonzero(given & (ndc_rows != rows))
    if mismatch.size:
        i = int(mismatch[0])
        raise _event_error(
            fills,
            i,
            f"ndc '{parameters['ndc'][i].as_py()}' is the NDC of "
            f"'{drugs.drugs[ndc_rows[i]].name}', not of rxnorm '{parameters['rxnorm'][i].as_py()}'",
        )
    return rows


def _event_error(fills: pa.Table, i: int, message: str, hint: str | None = None) -> SpecError:
    event_id = fills["event_id"][i].as_py()
    journey = fills["journey_id"][i].as_py()
    definition = fills["definition_id"][i].as_py()
    return SpecError(
        f"fill event {event_id} (journey '{journey}', event '{definition}'): {message}",
        path=("events", definition, "parameters"),
        hint=hint,
    )


def _check_positive(fills: pa.Table, values: pa.ChunkedArray | pa.Array, name: str) -> None:
    bad = np.flatnonzero(~(values.to_numpy(zero_copy_only=False) > 0))
    if bad.size:
        i = int(bad[0])
        raise _event_error(fills, i, f"{name} {values[i].as_py()!r}: it must be above 0")


def _refill_numbers(refill_events: pa.Table, fills: pa.Table, drug_row: np.ndarray) -> np.ndarray:
    """0 for the first fill of a prescription chain, then 1, 2, ... A chain is the fills of one
    drug for one person in one journey; a fill not caused by a refill request starts a new one."""
    refill_requests = refill_events["event_id"]
    from_refill = pc.is_in(fills["caused_by"], refill_requests).fill_null(False).to_numpy()
    journey = pc.index_in(fills["journey_id"], pc.unique(fills["journey_id"])).to_numpy()
    order = np.lexsort(
        (np.arange(fills.num_rows), drug_row, journey, fills["person_index"].to_numpy())
    )
    key = np.stack([fills["person_index"].to_numpy()[order], journey[order], drug_row[order]])
    new_group = np.ones(order.size, dtype=bool)
    new_group[1:] = (key[:, 1:] != key[:, :-1]).any(axis=0)
    starts = new_group | ~from_refill[order]
    position = np.arange(order.size)
    chain_start = np.maximum.accumulate(np.where(starts, position, 0))
    numbers = np.empty(order.size, dtype=np.int64)
    numbers[order] = position - chain_start
    return numbers
