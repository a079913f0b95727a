"""TrialSim: trial protocols compiled into journeys, and the records of a run's trial events
(subjects, visits, adverse events, exposure, and their SDTM forms)."""

from handlers.trialsim.journey import journey_document, protocol_journey, write_protocol_journey
from handlers.trialsim.protocol import (
    TrialProtocol,
    load_protocol,
    parse_protocol,
    shipped_protocols,
)
from handlers.trialsim.records import records
from handlers.trialsim.sdtm import write_sdtm_csv
from handlers.trialsim.terms import AdverseEventTerm, load_ae_terms

__all__ = [
    "AdverseEventTerm",
    "TrialProtocol",
    "journey_document",
    "load_ae_terms",
    "load_protocol",
    "parse_protocol",
    "protocol_journey",
    "records",
    "shipped_protocols",
    "write_protocol_journey",
    "write_sdtm_csv",
]
