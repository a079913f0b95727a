"""Outputs: where the generated tables go."""

from sim.output.files import write_tables

__all__ = ["write_tables"]
