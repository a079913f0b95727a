"""HealthSim: synthetic, longitudinal, linked healthcare data by discrete-event simulation.

The public API mirrors the command line::

    import sim
    result = sim.run("medicare-diabetic", count=1000, seed=42)
    result.tables["events"]            # an Arrow table
    result.to_duckdb("out/run.duckdb")

Specifications load from a path or a shipped name with ``sim.load_scenario``,
``sim.load_profile`` and ``sim.load_journey``.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sim.errors import SpecError

try:
    __version__ = version("healthsim")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

# Imported on first use, so that ``import sim`` stays light and submodules may import ``sim``.
_LAZY = {
    "run": "sim.scenario.run",
    "RunResult": "sim.scenario.run",
    "load_scenario": "sim.scenario.loader",
    "load_profile": "sim.profiles.loader",
    "load_journey": "sim.journeys.loader",
    "generate_population": "sim.profiles.population",
}

__all__ = ["SpecError", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
