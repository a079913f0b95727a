"""FHIR R4 Bulk Data export: a run's tables as NDJSON resources (see docs/fhir.md)."""

from sim.output.fhir.export import export_fhir, fhir_resources

__all__ = ["export_fhir", "fhir_resources"]
