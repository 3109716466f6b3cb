"""What the backend asks of the devices, counted since the process started: program builds, new buffer
allocations (memory the pool did not have), host round trips (blocking reads and writes, ``finish``) and
kernel launches. A training step in steady state should make no build, allocation or round trip;
benchmarks/run.py prints them per step and tests/test_opencl_steady_state.py pins them."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace


@dataclass
class Counters:
    builds: int = 0
    allocations: int = 0
    round_trips: int = 0
    launches: int = 0

    def __sub__(self, other: Counters) -> Counters:
        return Counters(*(getattr(self, f.name) - getattr(other, f.name) for f in fields(self)))


COUNTS = Counters()  # the backend's modules add to it


def snapshot() -> Counters:
    """A copy of the counts now: subtract two snapshots for what happened between them."""
    return replace(COUNTS)
