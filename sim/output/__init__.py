"""Outputs: where the generated tables go, written atomically batch by batch."""

from sim.output.files import write_tables
from sim.output.sinks import FORMATS, Sink, format_of, open_sink

__all__ = ["FORMATS", "Sink", "format_of", "open_sink", "write_tables"]
