"""Fill events as dispensings: the drug through the drug table, quantity and days supply (each
distinct parameters text read once), the refill number in its prescription chain, the pharmacy
and the prescriber."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from handlers.rxmembersim.codes import codes, first_rows
from handlers.rxmembersim.sorting import stable_order
from sim.codes import DrugTable, load_drugs
from sim.errors import SpecError

__all__ = ["DRUG_PARAMETERS", "dispensings"]

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
_EVENT_COLUMNS_KEPT = ("person_index", "event_id", "caused_by", "journey_id", "time_days")
#: (column, Drug field, type) of the drug table's columns a fill reads
_DRUG_FIELDS = (
    ("rxnorm", "rxnorm", pa.string()),
    ("ndc", "ndc", pa.string()),
    ("drug_name", "name", pa.string()),
    ("ingredient", "ingredient", pa.string()),
    ("drug_class", "drug_class", pa.string()),
    ("formulary_tier", "formulary_tier", pa.int8()),
    ("maintenance", "maintenance", pa.bool_()),
    ("unit_price_usd", "unit_price_usd", pa.float64()),
    ("typical_quantity", "typical_quantity", pa.float64()),
    # a float, as the events' days supply is, to be rounded with it
    ("typical_days_supply", "typical_days_supply", pa.float64()),
)
#: the drug columns of a dispensing (the typical fill's are defaults of the event's)
_DRUG_COLUMNS_KEPT = tuple(name for name, _, _ in _DRUG_FIELDS if not name.startswith("typical"))


def dispensings(fill_events: pa.Table, refill_events: pa.Table, members: pa.Table) -> pa.Table:
    """One row per event of ``fill_events`` (the ``rxmembersim.fill`` events of rx members, by
    person and time); ``refill_events`` are the ``refill`` requests (a fill they cause continues
    a chain).

    Columns: fill_id, the member's ids, event_id, caused_by, time_days (of the fill event),
    rxnorm, ndc, drug_name, ingredient, drug_class, formulary_tier, maintenance,
    unit_price_usd, quantity, days_supply, refill_number, pharmacy_ncpdp_id, prescriber_npi."""
    texts = fill_events["parameters"].combine_chunks().dictionary_encode()
    text = texts.indices.to_numpy()
    prescribed = _prescribed(texts.dictionary, fill_events.take(pa.array(first_rows(text))))
    drug_row = prescribed.drug_row[text]
    drug = _drug_columns(load_drugs()).select(_DRUG_COLUMNS_KEPT).take(pa.array(drug_row))
    member_row = pc.index_in(fill_events["person_index"], members["person_index"])
    columns = {
        "fill_id": pc.binary_join_element_wise("F", fill_events["event_id"], ""),
        **{name: members[name].take(member_row) for name in _MEMBER_COLUMNS[:2]},
        **{name: fill_events[name] for name in _EVENT_COLUMNS_KEPT},
        **{name: drug[name] for name in _DRUG_COLUMNS_KEPT},
        "quantity": prescribed.quantity.take(texts.indices),
        "days_supply": prescribed.days_supply.take(texts.indices),
        "refill_number": pa.array(
            _refill_numbers(refill_events, fill_events, drug_row), pa.int32()
        ),
        **{name: members[name].take(member_row) for name in _MEMBER_COLUMNS[2:]},
    }
    return pa.table(columns)


@dataclass(frozen=True)
class _Prescribed:
    """What fill parameters prescribe (one row per distinct parameters text)."""

    #: the drug table's row
    drug_row: np.ndarray
    quantity: pa.ChunkedArray
    #: whole days
    days_supply: pa.ChunkedArray


def _prescribed(texts: pa.Array, events: pa.Table) -> _Prescribed:
    """The drug, quantity and days supply of each parameters text, parsed once for all the
    fills that repeat it: the event's, or the drug's typical fill. Errors name the event of
    ``events`` (the first with each text)."""
    parameters = _parsed(texts)
    drug_row = _drug_rows(events, parameters)
    typical = _drug_columns(load_drugs()).take(pa.array(drug_row))
    quantity = pc.coalesce(parameters["quantity"], typical["typical_quantity"])
    days_supply = pc.round(pc.coalesce(parameters["days_supply"], typical["typical_days_supply"]))
    _check_positive(events, quantity, "quantity")
    _check_positive(events, days_supply, "days_supply")  # whole days
    return _Prescribed(drug_row, quantity, days_supply.cast(pa.int32()))


def _parsed(texts: pa.Array) -> pa.Table:
    """The drug parameters of each JSON text, one row per text."""
    options = pj.ParseOptions(explicit_schema=DRUG_PARAMETERS, unexpected_field_behavior="ignore")
    if len(texts):
        try:
            return pj.read_json(pa.BufferReader(_json_lines(texts)), parse_options=options)
        except pa.ArrowInvalid:
            pass  # a code written as a number (rxnorm: 314076): the slower, forgiving parse
    rows = [json.loads(text) for text in texts.to_pylist()]
    return pa.table(
        {
            name: pa.array([_scalar(row.get(name), field.type) for row in rows], field.type)
            for name, field in zip(DRUG_PARAMETERS.names, DRUG_PARAMETERS, strict=True)
        },
        schema=DRUG_PARAMETERS,
    )


def _json_lines(texts: pa.Array) -> pa.Buffer:
    """The texts as one buffer of newline-delimited JSON, without a Python loop."""
    text = texts.cast(pa.large_string())
    newline = pa.scalar("\n", pa.large_string())
    lines = pc.binary_join_element_wise(text, pa.scalar("", pa.large_string()), newline)
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    first, last = offsets[lines.offset], offsets[lines.offset + len(lines)]
    return lines.buffers()[2].slice(int(first), int(last - first))


def _scalar(value: object, kind: pa.DataType) -> object:
    if value is None:
        return None
    return str(value) if pa.types.is_string(kind) else value


@cache
def _drug_columns(drugs: DrugTable) -> pa.Table:
    """The drug table's columns a fill reads, one row per drug (made once per table)."""
    return pa.table(
        {
            name: pa.array([getattr(d, field) for d in drugs], kind)
            for name, field, kind in _DRUG_FIELDS
        }
    )


def _drug_rows(events: pa.Table, parameters: pa.Table) -> np.ndarray:
    """The drug table row of each row of ``parameters`` (of the event in the same row), by its
    RxNorm code; an NDC it carries (11 digits or hyphenated) must be that drug's. Unknown codes
    are errors."""
    drugs = load_drugs()
    columns = _drug_columns(drugs)
    by_rxnorm = pc.index_in(parameters["rxnorm"], value_set=columns["rxnorm"])
    by_ndc = pc.index_in(parameters["ndc"], value_set=columns["ndc"])
    for i in np.flatnonzero(pc.is_null(by_rxnorm).to_numpy(zero_copy_only=False)).tolist():
        rxnorm = parameters["rxnorm"][i].as_py()
        if rxnorm is None:
            raise _event_error(events, i, "no rxnorm parameter")
        try:
            drugs.by_rxnorm(rxnorm)
        except SpecError as error:
            raise _event_error(events, i, error.message, error.hint) from None
    rows = by_rxnorm.to_numpy(zero_copy_only=False).astype(np.int64)
    given = pc.is_valid(parameters["ndc"]).to_numpy(zero_copy_only=False)
    unmatched = given & pc.is_null(by_ndc).to_numpy(zero_copy_only=False)
    ndc_rows = np.where(given & ~unmatched, by_ndc.fill_null(0).to_numpy(), rows)
    row_of_ndc = {d.ndc: k for k, d in enumerate(drugs)}
    for i in np.flatnonzero(unmatched).tolist():  # hyphenated, or not in the table
        try:
            ndc_rows[i] = row_of_ndc[drugs.by_ndc(parameters["ndc"][i].as_py()).ndc]
        except SpecError as error:
            raise _event_error(events, i, error.message, error.hint) from None
    mismatch = np.flatnonzero(given & (ndc_rows != rows))
    if mismatch.size:
        i = int(mismatch[0])
        raise _event_error(
            events,
            i,
            f"ndc '{parameters['ndc'][i].as_py()}' is the NDC of "
            f"'{drugs.drugs[ndc_rows[i]].name}', not of rxnorm '{parameters['rxnorm'][i].as_py()}'",
        )
    return rows


def _event_error(events: pa.Table, i: int, message: str, hint: str | None = None) -> SpecError:
    event_id = events["event_id"][i].as_py()
    journey = events["journey_id"][i].as_py()
    definition = events["definition_id"][i].as_py()
    return SpecError(
        f"fill event {event_id} (journey '{journey}', event '{definition}'): {message}",
        path=("events", definition, "parameters"),
        hint=hint,
    )


def _check_positive(events: pa.Table, values: pa.ChunkedArray | pa.Array, name: str) -> None:
    bad = np.flatnonzero(~(values.to_numpy(zero_copy_only=False) > 0))
    if bad.size:
        i = int(bad[0])
        raise _event_error(events, i, f"{name} {values[i].as_py()!r}: it must be above 0")


def _refill_numbers(refill_events: pa.Table, fills: pa.Table, drug_row: np.ndarray) -> np.ndarray:
    """0 for the first fill of a prescription chain, then 1, 2, ... A chain is the fills of one
    drug for one person in one journey; a fill not caused by a refill request starts a new one."""
    refill_requests = refill_events["event_id"]
    from_refill = pc.is_in(fills["caused_by"], refill_requests).fill_null(False).to_numpy()
    journey = codes(fills["journey_id"])
    person = fills["person_index"].to_numpy()
    order = stable_order(person, journey, drug_row)
    key = np.stack([person[order], journey[order], drug_row[order]])
    new_group = np.ones(order.size, dtype=bool)
    new_group[1:] = (key[:, 1:] != key[:, :-1]).any(axis=0)
    starts = new_group | ~from_refill[order]
    position = np.arange(order.size)
    chain_start = np.maximum.accumulate(np.where(starts, position, 0))
    numbers = np.empty(order.size, dtype=np.int64)
    numbers[order] = position - chain_start
    return numbers
