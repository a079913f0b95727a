"""The HTML report of a run's output."""

from sim.report.html import write_report

__all__ = ["write_report"]
