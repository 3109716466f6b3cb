"""Shrink a divergent program to a minimal one with the same failure signature.

Greedy delta debugging: cut everything after the divergence, drop statements one at a time while the
signature stays the same, then simplify the inputs (fewer elements per dim, fewer dims, plain values)
and try dropping statements again. Each candidate is a full run on both libraries, so runs are capped.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from .program import InputSpec, Program
from .runner import run_program


def shrink(program: Program, ember: Any, torch: Any, signature: str, max_runs: int = 400) -> Program:
    """The smallest program found whose first divergence has `signature` (at most `max_runs` runs)."""
    runs = 0

    def fails(candidate: Program) -> bool:
        nonlocal runs
        runs += 1
        divergence = run_program(candidate, ember, torch).divergence
        return divergence is not None and divergence.signature == signature

    outcome = run_program(program, ember, torch)
    if outcome.divergence is not None:
        program = Program(program.statements[: outcome.divergence.index + 1])
    changed = True
    while changed and runs < max_runs:
        changed = False
        for index in reversed(range(len(program) - 1)):
            if runs >= max_runs:
                break
            candidate = program.without([index])
            if fails(candidate):
                program, changed = candidate, True
        for index, statement in enumerate(program.statements):
            if statement.spec is None:
                continue
            for spec in _simpler(statement.spec):
                if runs >= max_runs:
                    break
                candidate = program.replace(index, statement.with_spec(spec))
                if fails(candidate):
                    program, statement, changed = candidate, candidate.statements[index], True
    return program


def _simpler(spec: InputSpec) -> Iterator[InputSpec]:
    """Simpler variants of an input, simplest first: fewer dims, one element per dim, plain values.
    `requires_grad` stays: the subjects recorded in later statements (leaf requiring grad) depend on it."""
    values = np.zeros(spec.shape) if 0 in spec.shape else np.asarray(spec.value)
    if values.ndim and values.shape[0]:
        yield _with(spec, values[0])
    for axis, size in enumerate(values.shape):
        for keep in sorted({1, size - 1}) if size > 1 else ():
            yield _with(spec, np.take(values, range(keep), axis=axis))
    if spec.dtype.startswith("float"):
        plain = np.where(np.isfinite(values) & (values != 0), np.sign(values), values)
        if not np.array_equal(plain, values, equal_nan=True):
            yield _with(spec, plain)


def _with(spec: InputSpec, values: np.ndarray) -> InputSpec:
    return replace(spec, value=values.tolist(), shape=tuple(values.shape))
