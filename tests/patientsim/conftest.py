from pathlib import Path

import pytest

from sim.scenario import RunResult, run

CLINIC = Path(__file__).parent / "fixtures" / "clinic.yaml"


@pytest.fixture(scope="session")
def clinic() -> RunResult:
    """The test clinic's records (fixtures/clinic.yaml, seed 11)."""
    return run(CLINIC)
