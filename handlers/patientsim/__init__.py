"""PatientSim: clinical records (patients, encounters, conditions, observations, medication
orders, procedures) from a run's events; docs/patientsim.md describes the tables."""

from handlers.patientsim.check import check
from handlers.patientsim.records import records
from handlers.patientsim.schemas import SCHEMAS

__all__ = ["SCHEMAS", "check", "records"]
