"""Outputs: where the generated tables go, written atomically batch by batch; reading them
back, checking them, and exporting them (X12 837P)."""

from sim.output.check import CheckReport, check_output, format_report
from sim.output.files import write_tables
from sim.output.read import output_tables, read_tables
from sim.output.sinks import FORMATS, MemorySink, Sink, format_of, open_sink
from sim.output.x12 import write_837p

__all__ = [
    "FORMATS",
    "CheckReport",
    "MemorySink",
    "Sink",
    "check_output",
    "format_of",
    "format_report",
    "open_sink",
    "output_tables",
    "read_tables",
    "write_837p",
    "write_tables",
]
