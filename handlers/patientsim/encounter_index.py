"""The encounter each event happened in: the one of its patient whose period contains the
event's moment, of the same journey if one is, the latest begun otherwise, the first made if
still tied. Found for many events at once."""

from __future__ import annotations

import numpy as np

__all__ = ["EncounterIndex"]


class EncounterIndex:
    """Encounters by patient and start. Moments are whole seconds; an encounter's period runs
    from ``start`` to ``stop`` (``stop`` is ``start`` for a stay whose end is unknown: it
    holds only what happens at its admission)."""

    def __init__(
        self, patient: np.ndarray, start: np.ndarray, stop: np.ndarray, journey: np.ndarray
    ) -> None:
        self._patient, self._start, self._stop, self._journey = patient, start, stop, journey
        count = int(patient.max()) + 1 if len(patient) else 0
        self._longest = np.zeros(count, np.int64)  # per patient: their longest encounter
        np.maximum.at(self._longest, patient, stop - start)
        # one key an encounter, ordered by patient, then start: moments are clipped to the
        # encounters' span, which keeps whether an encounter contains them
        self._earliest = int(start.min()) - 1 if len(start) else 0
        self._latest = int(stop.max()) + 1 if len(stop) else 0
        keys = self._keys(patient, start)
        self._order = np.argsort(keys, kind="stable")
        self._sorted_keys = keys[self._order]

    def _keys(self, patient: np.ndarray, moment: np.ndarray) -> np.ndarray:
        span = self._latest - self._earliest + 1
        return patient * span + (np.clip(moment, self._earliest, self._latest) - self._earliest)

    def find(self, patient: np.ndarray, moment: np.ndarray, journey: np.ndarray) -> np.ndarray:
        """The position of the encounter each (patient, moment, journey) happened in; -1 where
        none contains the moment."""
        found = np.full(len(patient), -1, np.int64)
        known = patient < len(self._longest)
        if not known.any():
            return found
        queries = np.flatnonzero(known)
        keys = self._keys(patient[queries], moment[queries])
        # the candidates: the patient's encounters begun at most their longest before
        high = np.searchsorted(self._sorted_keys, keys, "right")
        low = np.searchsorted(self._sorted_keys, keys - self._longest[patient[queries]], "left")
        counts = high - low
        query = np.repeat(queries, counts)
        first_pair = np.repeat(np.cumsum(counts) - counts, counts)
        candidate = self._order[np.arange(len(query)) - first_pair + np.repeat(low, counts)]
        inside = (
            (self._patient[candidate] == patient[query])
            & (self._start[candidate] <= moment[query])
            & (moment[query] <= self._stop[candidate])
        )
        query, candidate = query[inside], candidate[inside]
        other_journey = self._journey[candidate] != journey[query]
        best = np.lexsort((candidate, -self._start[candidate], other_journey, query))
        query, candidate = query[best], candidate[best]
        first = np.ones(len(query), bool)
        first[1:] = query[1:] != query[:-1]
        found[query[first]] = candidate[first]
        return found
