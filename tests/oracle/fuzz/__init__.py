"""Differential fuzzing of ember against PyTorch.

A program is a list of one-line PyTorch statements (`program`), made by a seeded generator that picks
valid-looking operands from what PyTorch computed so far (`generator`). The runner executes a program
statement by statement with `torch` bound to ember and to PyTorch and compares everything both namespaces
hold after every statement (`runner`); a divergent program is shrunk to a minimal one (`shrinker`) and
printed as PyTorch code that both libraries can run. `known_divergences` lists today's known bugs;
`campaign` runs many programs and groups the failures (`python3 -m fuzz` with tests/oracle on the path).
"""

from .campaign import Campaign, run_campaign
from .generator import generate
from .known_divergences import KNOWN_DIVERGENCES
from .program import Program, Statement
from .runner import Divergence, Outcome, run_program
from .shrinker import shrink
