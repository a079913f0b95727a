"""Shared runs and tiny hand-made inputs for the RxMemberSim tests (as fixtures: test modules
are not importable under pytest's importlib mode)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest

import sim
from handlers.base import HandlerContext
from sim.seeds import SeedTree

FIXTURES = Path(__file__).parent / "fixtures"
START = dt.date(2025, 1, 1)

EVENT_SCHEMA = pa.schema(
    [
        ("event_id", pa.string()),
        ("person_id", pa.string()),
        ("person_index", pa.int64()),
        ("product", pa.string()),
        ("event_type", pa.string()),
        ("definition_id", pa.string()),
        ("journey_id", pa.string()),
        ("time_days", pa.float64()),
        ("event_date", pa.date32()),
        ("caused_by", pa.string()),
        ("parameters", pa.string()),
    ]
)


def _scenario(journey: str | dict, profile: str = "commercial-healthy", **more) -> dict:
    """A one-journey scenario of a shipped profile from 2025-01-01 for a year."""
    return {
        "id": "rx-test",
        "profile": profile,
        "journeys": [{"journey": journey}],
        "start_date": START.isoformat(),
        "horizon_days": 365,
        **more,
    }


def _context(horizon_days: float = 365, seed: int = 1) -> HandlerContext:
    return HandlerContext(START, horizon_days, SeedTree(seed), ("rxmembersim",))


def _persons(plans: list[str], **columns: list) -> pa.Table:
    n = len(plans)
    return pa.table(
        {
            "person_id": [f"P{i:09d}" for i in range(n)],
            "person_index": pa.array(range(n), pa.int64()),
            "household_id": [f"H{i:09d}" for i in range(n)],
            "rx_member_id": [f"RX{i:09d}" for i in range(n)],
            "plan": plans,
            **columns,
        }
    )


def _events(rows: list[tuple]) -> pa.Table:
    """Events from (event_id, person_index, event_type, time_days, caused_by, parameters)."""
    return pa.Table.from_pylist(
        [
            {
                "event_id": event_id,
                "person_id": f"P{person:09d}",
                "person_index": person,
                "product": "rxmembersim",
                "event_type": event_type,
                "definition_id": event_type,
                "journey_id": "hand-made",
                "time_days": float(time_days),
                "event_date": START + dt.timedelta(days=int(time_days)),
                "caused_by": caused_by,
                "parameters": json.dumps(parameters, sort_keys=True),
            }
            for event_id, person, event_type, time_days, caused_by, parameters in rows
        ],
        schema=EVENT_SCHEMA,
    )


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def make_scenario():
    return _scenario


@pytest.fixture
def make_context():
    return _context


@pytest.fixture
def make_persons():
    return _persons


@pytest.fixture
def make_events():
    return _events


@pytest.fixture(scope="session")
def diabetic_run():
    return sim.run("medicare-diabetic", 500, seed=1)


@pytest.fixture(scope="session")
def glp1_run():
    return sim.run(_scenario(str(FIXTURES / "glp1-prior-auth.yaml")), 300, seed=5)
