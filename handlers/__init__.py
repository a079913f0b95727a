"""Product handlers: plain functions that turn a run's events into each product's records.

A handler never touches the simulation clock (only ``sim`` imports simpy): it reads the
``events`` table (each row's ``parameters`` JSON, ``caused_by`` links) and the ``persons``
table, and returns new tables. See ``handlers.base``.
"""
