# ruff: noqa: E501 - reproducers are printed programs, one statement a line
"""Known divergences of today's ember from PyTorch, reported as xfail by tests/oracle/test_differential.py.

Each entry is one exact failure signature (statement kind, op, subject | what differs), a short reason,
and the minimal reproducer the shrinker printed (PyTorch code; `import ember as torch` runs it on ember).
A fixed bug makes `test_known_divergence_still_reproduces` fail: then delete its entry. Never widen a
signature to cover a new failure: a new bug must fail the differential test. A fix can also let a CI
program run further into another old bug: `python3 -m fuzz --programs 300 --emit-known` prints entries
for signatures missing here (their reasons to be written).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownDivergence:
    signature: str
    reason: str
    reproducer: str


KNOWN_DIVERGENCES: tuple[KnownDivergence, ...] = (
    KnownDivergence(
        'inplace: sub_(tensor) [view] | exception of statement: torch RuntimeError, ember none',
        'missing overlap check for partially overlapping or expanded operands (item 7)',
        """\
        x3 = torch.tensor([[-1.0, 1.0, 1.0], [1.0, -1.0, 1.0], [-1.0, -1.0, 1.0]], dtype=torch.float32, requires_grad=True)  # input: float32 [3, 3]
        t4 = x3.to(torch.float64)  # cast: to(torch.float64
        t5 = t4.permute(1, 0)  # view: permute
        t5.sub_(t4)  # inplace: sub_(tensor) [view]
""",
    ),
    KnownDivergence(
        'setitem: [step] = tensor [leaf] | exception of statement: torch RuntimeError, ember none',
        'missing overlap check for partially overlapping or expanded operands (item 7)',
        """\
        x1 = torch.tensor([inf], dtype=torch.float64)  # input: float64 [1]
        x1[::2] = x1  # setitem: [step] = tensor [leaf]
""",
    ),
)


def entry_source(signature: str, reason: str, reproducer: str) -> str:
    """A `KnownDivergence(...)` entry as it is written in this file (used by `python3 -m fuzz --emit-known`)."""
    body = "\n".join(f"        {line}" for line in reproducer.strip().splitlines())
    return (
        f"    KnownDivergence(\n        {signature!r},\n        {reason!r},\n"
        f'        """\\\n{body}\n""",\n    ),'
    )
