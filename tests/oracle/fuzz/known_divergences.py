"""Known divergences of today's ember from PyTorch, reported as xfail by tests/oracle/test_differential.py.

Each entry is one exact failure signature (statement kind, op, subject | what differs), a short reason,
and the minimal reproducer the shrinker printed (PyTorch code; `import ember as torch` runs it on ember).
A fixed bug makes `test_known_divergence_still_reproduces` fail: then delete its entry. Never widen a
signature to cover a new failure: a new bug must fail the differential test.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownDivergence:
    signature: str
    reason: str
    reproducer: str


KNOWN_DIVERGENCES: tuple[KnownDivergence, ...] = ()
