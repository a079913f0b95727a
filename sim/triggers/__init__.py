"""Cross-product triggers: a fired event causes another, with provenance (``caused_by``)."""

from sim.triggers.compiled import CompiledTrigger, TriggerSet, compile_triggers
from sim.triggers.loader import load_triggers, parse_triggers, shipped_trigger_sets
from sim.triggers.spec import DEFAULT_MAX_DEPTH, TriggerSpecification

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "CompiledTrigger",
    "TriggerSet",
    "TriggerSpecification",
    "compile_triggers",
    "load_triggers",
    "parse_triggers",
    "shipped_trigger_sets",
]
