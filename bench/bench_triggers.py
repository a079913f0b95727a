"""Cost per triggered event: the same journey run twice in one process.

1. without triggers (the engine's journey events only);
2. with a trigger set: every encounter triggers a claim (1-7 days), every claim a remittance
   (14 days), each remittance an EOB (2 days): three triggered events per encounter.

Microseconds per triggered event = (time 2 - time 1) / triggered events: the cascade's
matching, draws, parameters and records, and the larger events table.

    .venv/bin/python -m bench.bench_triggers [--persons N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from typing import Any

import numpy as np
import pyarrow as pa

from sim.engine import simulate
from sim.journeys import parse_journey
from sim.triggers import TriggerSet, compile_triggers, parse_triggers

__all__ = ["run"]

JOURNEY = {
    "id": "visits",
    "duration_days": 365,
    "events": [
        {
            "id": "dx",
            "event_type": "diagnosis",
            "product": "patientsim",
            "delay": 0,
            "parameters": {"icd10": "E11.9"},
        },
        {
            "id": "visit",
            "event_type": "encounter",
            "product": "patientsim",
            "depends_on": "dx",
            "delay": {"type": "uniform", "min": 5, "max": 25},
            "repeat": {"every": {"type": "uniform", "min": 20, "max": 40}, "count": 10},
            "parameters": {"cpt": "99214", "reason_icd10": "E11.9"},
        },
    ],
}
TRIGGERS = [
    {
        "id": "claim",
        "source": {"product": "patientsim", "event_type": "encounter"},
        "target": {"product": "membersim", "event_type": "claim_professional"},
        "delay": {"type": "uniform", "min": 1, "max": 7},
        "parameters": {
            "cpt": {"from": "cpt"},
            "diagnosis_code": {"from": "reason_icd10"},
            "place_of_service": "11",
        },
    },
    {
        "id": "remit",
        "source": {"product": "membersim", "event_type": "claim_professional"},
        "target": {"product": "membersim", "event_type": "remittance"},
        "delay": 14,
        "parameters": {"cpt": {"from": "cpt"}},
    },
    {
        "id": "eob",
        "source": {"product": "membersim", "event_type": "remittance"},
        "target": {"product": "membersim", "event_type": "eob"},
        "delay": 2,
    },
]


def _persons(count: int) -> pa.Table:
    return pa.table(
        {
            "person_index": pa.array(np.arange(count), pa.int64()),
            "person_id": [f"P{i:09d}" for i in range(count)],
        }
    )


def _timed(persons: pa.Table, triggers: TriggerSet | None) -> tuple[float, int]:
    started = time.perf_counter()
    events = simulate(
        persons,
        [parse_journey(JOURNEY)],
        start_date=dt.date(2025, 1, 1),
        horizon_days=365,
        seeds=7,
        triggers=triggers,
    )
    return time.perf_counter() - started, events.num_rows


def run(persons: int = 20_000) -> list[dict[str, Any]]:
    table = _persons(persons)
    trigger_set = compile_triggers(parse_triggers(TRIGGERS))
    _timed(table.slice(0, 1000), trigger_set)  # warm-up
    base_seconds, base_events = _timed(table, None)
    trigger_seconds, all_events = _timed(table, trigger_set)
    triggered = all_events - base_events
    common = {"benchmark": "triggers", "persons": persons, "triggered": triggered}
    per_event = (trigger_seconds - base_seconds) / triggered * 1e6
    return [
        {**common, "metric": "journey_events", "value": base_events, "unit": ""},
        {**common, "metric": "us_per_triggered_event", "value": round(per_event, 2), "unit": "us"},
        {
            **common,
            "metric": "seconds_without_triggers",
            "value": round(base_seconds, 2),
            "unit": "s",
        },
        {
            **common,
            "metric": "seconds_with_triggers",
            "value": round(trigger_seconds, 2),
            "unit": "s",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=20_000)
    for row in run(parser.parse_args().persons):
        print(f"{row['metric']:>26}: {row['value']:,} {row['unit']}")


if __name__ == "__main__":
    main()
