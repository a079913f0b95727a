"""The handler interface: ``records(events, persons, context) -> {table name: Arrow table}``.

Each product package (``handlers.patientsim``, ``handlers.membersim``, ``handlers.rxmembersim``,
``handlers.trialsim``) exposes ``records`` with this signature; a run calls the handler of
every product it enables, after the simulation, in ``PRODUCTS`` order, and adds the tables to
its result. Handlers draw any randomness from ``context.rng(...)`` streams keyed by the person
(or by a block of persons), never from a global generator, so records depend only on the
seed and the person, whatever the population size or sharding.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from handlers.streams import generators
from sim.seeds import SeedTree, Stream, stream_key

__all__ = ["HandlerContext", "RecordsFunction", "event_rows", "events_of"]


@dataclass(frozen=True)
class HandlerContext:
    """What a handler knows about the run besides its tables."""

    start_date: dt.date
    horizon_days: float
    seeds: SeedTree
    #: the products the run enables
    products: tuple[str, ...]

    def rng(self, product: str, *index: int) -> np.random.Generator:
        """An independent stream ``(handlers, <product>, *index)``, e.g. per person index."""
        return self.seeds.rng(Stream.HANDLERS, stream_key(product), *index)

    def rngs(
        self, product: str, *key: int, indices: Sequence[int] | np.ndarray
    ) -> Iterator[np.random.Generator]:
        """``rng(product, *key, i)`` for each ``i`` of ``indices`` in turn, made in bulk
        (``handlers.streams``): one generator reseeded, valid until the next is drawn."""
        return generators(self.seeds, Stream.HANDLERS, (stream_key(product), *key), indices)

    def date_of(self, time_days: float) -> dt.date:
        return self.start_date + dt.timedelta(days=int(time_days // 1))


class RecordsFunction(Protocol):
    def __call__(
        self, events: pa.Table, persons: pa.Table, context: HandlerContext
    ) -> dict[str, pa.Table]: ...


def events_of(
    events: pa.Table, product: str, *event_types: str, columns: Sequence[str] | None = None
) -> pa.Table:
    """The rows of ``events`` of one product (and, if given, of these event types), with only
    ``columns`` if given (a filter copies every column it keeps)."""
    mask = pc.equal(events["product"], product)
    if event_types:
        mask = pc.and_(mask, pc.is_in(events["event_type"], pa.array(event_types)))
    return (events if columns is None else events.select(columns)).filter(mask)


def event_rows(events: pa.Table) -> Iterator[dict[str, Any]]:
    """Rows as dicts with ``parameters`` parsed (one JSON parse a row: for the handlers'
    per-record logic, not for bulk columns, which Arrow compute does faster)."""
    loads: Callable[[str], Mapping[str, Any]] = json.loads
    for row in events.to_pylist():
        row["parameters"] = loads(row["parameters"])
        yield row
