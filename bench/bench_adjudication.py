"""Claim adjudication: claims per second through ``adjudicate`` with family accumulators.

python -m bench adjudication                 # 1,000,000 claims over the shipped plans
python -m bench.bench_adjudication --count 200000
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pyarrow as pa

from handlers.membersim import SERVICE_CATEGORIES, adjudicate, load_plan_benefits
from sim.specio import shipped_names

DEFAULT_COUNT = 1_000_000
CLAIMS_PER_FAMILY = 20
MEMBERS_PER_FAMILY = 3


def claims_table(count: int, plan_ids: list[str], seed: int = 1) -> pa.Table:
    """``count`` claims in random order, two plan years, about 20 claims per family of three."""
    rng = np.random.default_rng(seed)
    family = rng.integers(0, max(1, count // CLAIMS_PER_FAMILY), count)
    member = rng.integers(0, MEMBERS_PER_FAMILY, count)
    start = np.datetime64("2025-01-01")
    return pa.table(
        {
            "claim_id": pa.array([f"C{i:09d}" for i in range(count)]),
            "member_id": pa.array([f"M{f}-{m}" for f, m in zip(family, member, strict=True)]),
            "family_id": pa.array([f"M{f}-0" for f in family]),
            "plan_id": pa.array(np.asarray(plan_ids)[family % len(plan_ids)]),
            "service_date": pa.array(start + rng.integers(0, 730, count), pa.date32()),
            "service_category": pa.array(
                np.asarray(SERVICE_CATEGORIES)[rng.integers(0, len(SERVICE_CATEGORIES), count)]
            ),
            "allowed": pa.array(np.round(rng.lognormal(5.0, 1.5, count), 2)),
            "denied": pa.array(rng.random(count) < 0.05),
        }
    )


def run(count: int = DEFAULT_COUNT) -> list[dict]:
    plans = {name: load_plan_benefits(name) for name in shipped_names("plans")}
    claims = claims_table(count, list(plans))
    best = min(_seconds(claims, plans) for _ in range(3))
    return [
        {
            "claims": count,
            "plans": len(plans),
            "seconds": round(best, 3),
            "claims_per_s": round(count / best),
        }
    ]


def _seconds(claims: pa.Table, plans: dict) -> float:
    started = time.perf_counter()
    adjudicate(claims, plans)
    return time.perf_counter() - started


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    for row in run(parser.parse_args().count):
        print(row)
