"""Scenarios: a profile, its journeys, a start date and a horizon; ``run`` simulates one."""

from sim.scenario.loader import Scenario, load_scenario
from sim.scenario.run import RunResult, run

__all__ = ["RunResult", "Scenario", "load_scenario", "run"]
