"""MemberSim records: claims per second through ``handlers.membersim.records`` (members,
enrollment spans, priced, denied and adjudicated claims with lines, premiums) on a large run.

python -m bench membersim                   # medicare-diabetic, 20,000 persons
python -m bench.bench_membersim --count 100000

The run is simulated once; then ``records`` is timed alone (best of three) on all its persons
and events at once, as one large shard.
"""

from __future__ import annotations

import argparse
import time

import sim
from handlers.base import HandlerContext
from handlers.membersim import records
from sim.seeds import SeedTree

DEFAULT_COUNT = 20_000
SEED = 1


def run(count: int = DEFAULT_COUNT) -> list[dict]:
    result = sim.run("medicare-diabetic", count, seed=SEED)
    spec = result.scenario.spec
    context = HandlerContext(
        spec.start_date, spec.horizon_days, SeedTree(SEED), result.scenario.products
    )
    events, persons = result.tables["events"], result.tables["persons"]
    best, tables = min(_timed(events, persons, context) for _ in range(3))
    claims = tables["claims"].num_rows
    return [
        {
            "persons": count,
            "events": events.num_rows,
            "claims": claims,
            "claim_lines": tables["claim_lines"].num_rows,
            "seconds": round(best, 3),
            "claims_per_s": round(claims / best),
        }
    ]


def _timed(events, persons, context) -> tuple[float, dict]:
    started = time.perf_counter()
    tables = records(events, persons, context)
    return time.perf_counter() - started, tables


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    for row in run(parser.parse_args().count):
        print(row)
