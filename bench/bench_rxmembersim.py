"""RxMemberSim records: fills per second through ``handlers.rxmembersim.records``.

The events of a medicare-diabetic run (metformin, lisinopril and glipizide fills, refills,
claims, reversals) are simulated once; only ``records`` is timed, best of three.

python -m bench rxmembersim                         # 20,000 persons (about 350,000 fills)
python -m bench.bench_rxmembersim --count 100000
"""

from __future__ import annotations

import argparse
import time

import pyarrow as pa

import sim
from handlers.base import HandlerContext
from handlers.rxmembersim import records
from sim.seeds import SeedTree

DEFAULT_COUNT = 20_000
SEED = 1


def run(count: int = DEFAULT_COUNT) -> list[dict]:
    result = sim.run("medicare-diabetic", count, seed=SEED)
    events, persons = result.tables["events"], result.tables["persons"]
    spec = result.scenario.spec
    context = HandlerContext(
        spec.start_date, spec.horizon_days, SeedTree(SEED), result.scenario.products
    )
    timings = [_seconds(events, persons, context) for _ in range(3)]
    best, tables = min(timings, key=lambda timing: timing[0])
    fills = tables["fills"].num_rows
    return [
        {
            "persons": count,
            "fills": fills,
            "claims": tables["pharmacy_claims"].num_rows,
            "adherence_rows": tables["adherence"].num_rows,
            "seconds": round(best, 3),
            "fills_per_s": round(fills / best),
        }
    ]


def _seconds(
    events: pa.Table, persons: pa.Table, context: HandlerContext
) -> tuple[float, dict[str, pa.Table]]:
    started = time.perf_counter()
    tables = records(events, persons, context)
    return time.perf_counter() - started, tables


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    for row in run(parser.parse_args().count):
        print(row)
