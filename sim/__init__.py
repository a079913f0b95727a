"""HealthSim: synthetic, longitudinal, linked healthcare data by discrete-event simulation."""

from importlib.metadata import PackageNotFoundError, version

from sim.errors import SpecError

try:
    __version__ = version("healthsim")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0"

__all__ = ["SpecError", "__version__"]
