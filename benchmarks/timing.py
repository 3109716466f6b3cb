"""Timing side by side: warm up, calibrate like timeit, then interleaved samples reduced to median and IQR."""

from __future__ import annotations

import gc
import itertools
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

# A sample lasts at least this long, so clock resolution and loop overhead stay negligible.
MIN_SAMPLE_SECONDS = 0.05


@dataclass(frozen=True)
class Measurement:
    """Seconds per call: the median over samples and the spread between their quartiles."""

    median: float
    iqr: float


class Timer:
    """Times `run()`; `finish(result)` ends each sample (a device synchronisation, or nothing).

    As `timeit.Timer.autorange`, construction grows the number of calls per sample until one sample
    lasts MIN_SAMPLE_SECONDS; those first samples also warm up caches, allocators and lazy imports.
    """

    def __init__(self, run: Callable[[], object], finish: Callable[[object], object]) -> None:
        self.run = run
        self.finish = finish
        finish(run())
        self.number = 1
        while (elapsed := self._time(self.number)) < MIN_SAMPLE_SECONDS:
            growth = MIN_SAMPLE_SECONDS / elapsed if elapsed > 0 else 10.0
            self.number = max(self.number + 1, math.ceil(self.number * min(growth * 1.2, 10.0)))

    def sample(self) -> float:
        """Seconds per call, averaged over one sample."""
        return self._time(self.number) / self.number

    def _time(self, number: int) -> float:
        gc.collect()  # garbage from earlier samples is not charged to this one
        start = time.perf_counter()
        result = None
        for _ in itertools.repeat(None, number):
            result = self.run()
        self.finish(result)
        return time.perf_counter() - start


def measure_side_by_side(timers: dict[str, Timer], repeat: int) -> dict[str, Measurement]:
    """`repeat` samples of each timer, taken in turns so that a busy moment of the machine hits all of
    them alike, reduced to their median and interquartile range."""
    samples: dict[str, list[float]] = {name: [] for name in timers}
    for _ in range(repeat):
        for name, timer in timers.items():
            samples[name].append(timer.sample())
    return {name: _summarise(values) for name, values in samples.items()}


def _summarise(values: list[float]) -> Measurement:
    if len(values) < 2:
        return Measurement(values[0], 0.0)
    quartiles = statistics.quantiles(values, n=4)
    return Measurement(statistics.median(values), quartiles[2] - quartiles[0])
