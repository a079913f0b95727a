"""Runs shared by the MemberSim tests (each simulated once per session, fixed seeds)."""

from pathlib import Path

import pytest

import sim

FIXTURES = Path(__file__).parent / "fixtures"

#: heart failure patients on Medicare: a quarter are admitted (institutional claims)
CHF = {
    "id": "chf-claims",
    "profile": "chf-medicare",
    "journeys": [{"journey": "chf-first-year"}],
    "start_date": "2025-01-01",
    "horizon_days": 365,
    "products": ["patientsim", "membersim"],
}


@pytest.fixture(scope="session")
def oswald() -> sim.RunResult:
    return sim.run("oswald-family")


@pytest.fixture(scope="session")
def diabetic() -> sim.RunResult:
    return sim.run("medicare-diabetic", 2000, seed=11)


@pytest.fixture(scope="session")
def chf() -> sim.RunResult:
    return sim.run(CHF, 400, seed=3)


@pytest.fixture(scope="session")
def surgeries() -> sim.RunResult:
    return sim.run(FIXTURES / "family-surgeries.yaml", 40, seed=5)


@pytest.fixture(scope="session")
def changes() -> sim.RunResult:
    return sim.run(FIXTURES / "enrollment-changes.yaml")
