"""PatientSim: clinical records (patients, encounters, conditions, observations, orders)."""
