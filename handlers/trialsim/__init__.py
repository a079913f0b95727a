"""TrialSim: trial subjects, visits, adverse events, SDTM tables."""
