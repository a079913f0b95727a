"""The patients' random draws, from each patient's own stream ``(handlers, patientsim, person
index)`` in this order: a key for their care sites and one uniform per event (a visit's length),
the onsets of the conditions on them at the start, any lab value a result lacks. Records
therefore depend only on the seed and the patient, whatever else the run holds.

Only the draws go patient by patient; what the records make of them is computed for the whole
shard at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from sim.codes.labs import LabTest

__all__ = ["Draws", "draw"]


@dataclass(frozen=True)
class Draws:
    site_keys: list[int]  # per patient: the key for their care sites
    uniforms: np.ndarray  # per event, in [0, 1)
    #: per condition on a patient at the start (patient by patient, in their order): the days
    #: before the start its onset lies, from 1 to its window
    onset_days: np.ndarray
    lab_values: dict[int, float]  # event row -> the value drawn for a result without one


def draw(
    rngs: Iterator[np.random.Generator],
    events_per_patient: np.ndarray,
    onset_windows: Sequence[Sequence[int]],
    lab_tests: Mapping[int, Sequence[tuple[int, LabTest]]],
    conditions: Sequence[Sequence[str]],
) -> Draws:
    """Each patient's draws: ``rngs`` yields the patients' streams in turn, ``onset_windows``
    the windows of their conditions at the start, ``lab_tests`` (by patient) the (event row,
    test) of each result lacking a value, and ``conditions`` their codes at the start."""
    # a patient's block: their key, then their events' uniforms (one call draws both)
    block_ends = np.cumsum(events_per_patient + 1)
    block_starts = block_ends - events_per_patient - 1
    drawn = np.empty(int(block_ends[-1]) if len(block_ends) else 0)
    onset_days: list[int] = []
    lab_values: dict[int, float] = {}
    blocks = zip(rngs, block_starts.tolist(), block_ends.tolist(), onset_windows, strict=True)
    for patient, (rng, start, end, windows) in enumerate(blocks):
        rng.random(out=drawn[start:end])
        # one draw a condition: the same numbers as one call with all the windows, faster
        onset_days += [rng.integers(window) for window in windows]
        for row, test in lab_tests.get(patient, ()):
            lab_values[row] = float(test.sample(rng, conditions[patient]))
    return Draws(
        (drawn[block_starts] * 2**32).astype(np.int64).tolist(),
        np.delete(drawn, block_starts),
        1 + np.array(onset_days, np.int64),
        lab_values,
    )
