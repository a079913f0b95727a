"""Trial runs for the TrialSim tests: a protocol's journey on the engine, then the handler."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from handlers.base import HandlerContext
from handlers.trialsim import protocol_journey, records
from sim.engine import simulate
from sim.scenario.identities import add_identities
from sim.seeds import SeedTree

FIXTURES = Path(__file__).parent / "fixtures"
START = dt.date(2025, 1, 1)
HORIZON_DAYS = 365.0
#: persons in the large run: ~10,500 randomised, enough for shares within 2 points
LARGE_COUNT = 15_000


def eligible_persons(count: int) -> pa.Table:
    """Persons who all meet the shipped protocol's criteria (and every fixture's)."""
    index = np.arange(count)
    birth = [dt.date(1940, 1, 1) + dt.timedelta(days=int(i * 37 % 20_000)) for i in index]
    ages = [START.year - b.year - ((START.month, START.day) < (b.month, b.day)) for b in birth]
    persons = pa.table(
        {
            "person_index": pa.array(index, pa.int64()),
            "person_id": [f"P{i:09d}" for i in index],
            "sex": np.where(index % 2 == 0, "F", "M"),
            "birth_date": pa.array(birth, pa.date32()),
            "age": pa.array(ages, pa.int32()),
            "race_ethnicity": np.array(["white_nh", "black", "hispanic", "asian"])[index % 4],
            "has_E11": np.ones(count, bool),
            "a1c": np.full(count, 8.2),
            "egfr": np.full(count, 75.0),
            "takes_semaglutide": np.zeros(count, bool),
            "takes_insulin_glargine": np.zeros(count, bool),
            "has_I50_9": np.zeros(count, bool),
        }
    )
    return add_identities(persons, ["trialsim"])


def run_trial(
    protocol, persons: pa.Table, *, seed: int, horizon_days: float = HORIZON_DAYS
) -> dict[str, pa.Table]:
    """The persons, events and TrialSim tables of ``protocol`` (a name, path or mapping)."""
    events = simulate(
        persons,
        [protocol_journey(protocol)],
        start_date=START,
        horizon_days=horizon_days,
        seeds=SeedTree(seed),
    )
    context = HandlerContext(START, horizon_days, SeedTree(seed), ("trialsim",))
    return {"persons": persons, "events": events} | records(events, persons, context)


@pytest.fixture
def make_persons():
    return eligible_persons


@pytest.fixture
def trial():
    return run_trial


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def glp1() -> dict[str, pa.Table]:
    """The shipped protocol for 15,000 eligible persons."""
    return run_trial("dm2-glp1-phase3", eligible_persons(LARGE_COUNT), seed=11)


@pytest.fixture(scope="session")
def fatal() -> dict[str, pa.Table]:
    """A protocol with deaths (grade 5 events) and per-visit dropout, for 3,000 persons."""
    return run_trial(FIXTURES / "fatal.yaml", eligible_persons(3_000), seed=5)
