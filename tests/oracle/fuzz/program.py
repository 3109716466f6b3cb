"""Programs and their printed form.

A statement is one line of PyTorch code (the names `torch`, `F`, `inf` and `nan` are bound by the runner)
plus a trailing comment `# kind: op [subject]` that describes it: the description is what failure
signatures are made of, and keeping it in the comment makes a printed reproducer self-describing
(`Program.parse` reads it back). Inputs are literals, so a reproducer needs no data files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

HEADER = (
    "import torch  # or: import ember as torch",
    "import torch.nn.functional as F  # or: import ember.nn.functional as F",
    "from math import inf, nan",
)

# Statements that record what they worked on (a leaf, a non-leaf or a view, and its dtype if not float32/64):
# where a write or a backward pass goes wrong depends on it.
SUBJECT_KINDS = {
    "inplace", "setitem", "backward", "grad", "hook", "retain_grad", "grad_reset", "grad_use", "requires_grad_",
}

_LINE = re.compile(r"^(?P<code>.*?)  # (?P<kind>[\w-]+): (?P<op>.*?)(?: \[(?P<subject>[^\]]*)\])?$")


@dataclass(frozen=True)
class InputSpec:
    """A leaf made from a literal: `value` is a nested list (or a Python scalar for 0-d), `shape` its shape."""

    name: str
    value: Any
    shape: tuple[int, ...]
    dtype: str
    requires_grad: bool

    def code(self) -> str:
        grad = ", requires_grad=True" if self.requires_grad else ""
        if 0 in self.shape:
            sizes = ", ".join(str(size) for size in self.shape)
            return f"{self.name} = torch.zeros({sizes}, dtype=torch.{self.dtype}{grad})"
        return f"{self.name} = torch.tensor({literal(self.value)}, dtype=torch.{self.dtype}{grad})"


@dataclass(frozen=True)
class Statement:
    """One line of a program; `spec` is set for inputs (the shrinker simplifies their values)."""

    code: str
    kind: str
    op: str
    subject: str = ""
    spec: InputSpec | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in SUBJECT_KINDS:
            object.__setattr__(self, "subject", "")

    @classmethod
    def input(cls, spec: InputSpec) -> Statement:
        return cls(spec.code(), "input", f"{spec.dtype} {list(spec.shape)}", "", spec)

    def with_spec(self, spec: InputSpec) -> Statement:
        return replace(self, code=spec.code(), op=f"{spec.dtype} {list(spec.shape)}", spec=spec)

    def line(self) -> str:
        subject = f" [{self.subject}]" if self.subject else ""
        return f"{self.code}  # {self.kind}: {self.op}{subject}"

    @classmethod
    def parse(cls, line: str) -> Statement:
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"not a program line: {line!r}")
        return cls(match["code"], match["kind"], match["op"], match["subject"] or "")


@dataclass(frozen=True)
class Program:
    """An immutable list of statements; `source()` is the reproducer both libraries can run."""

    statements: tuple[Statement, ...]

    def __len__(self) -> int:
        return len(self.statements)

    def source(self, header: bool = True) -> str:
        lines = [*HEADER, ""] if header else []
        return "\n".join(lines + [statement.line() for statement in self.statements])

    @classmethod
    def parse(cls, source: str) -> Program:
        """The statements of `source()` output (header, blank lines and indentation skipped)."""
        lines = [line.strip() for line in source.splitlines()]
        lines = [line for line in lines if line and line not in HEADER]
        return cls(tuple(Statement.parse(line) for line in lines))

    def replace(self, index: int, statement: Statement) -> Program:
        return Program(self.statements[:index] + (statement,) + self.statements[index + 1 :])

    def without(self, indices: Sequence[int]) -> Program:
        drop = set(indices)
        return Program(tuple(s for i, s in enumerate(self.statements) if i not in drop))


def literal(value: Any) -> str:
    """Python source for a nested list of numbers, with `inf`/`nan` as names."""
    if isinstance(value, list):
        return "[" + ", ".join(literal(item) for item in value) + "]"
    if isinstance(value, float):
        text = repr(value)
        return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(text, text)
    return repr(value)
