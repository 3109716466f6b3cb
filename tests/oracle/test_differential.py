"""Differential fuzzing against PyTorch: generated programs (views, in-place writes, indexing, promotion,
special values, reductions, losses, SGD, backward, autograd.grad, hooks) must behave as in PyTorch after
every statement. A divergence fails with a shrunk PyTorch reproducer, unless its exact signature is listed
in fuzz/known_divergences.py (then it is an xfail).

EMBER_FUZZ_PROGRAMS=30000 runs a larger budget; `python3 -m fuzz` (tests/oracle on the path) prints the
agreement rate and the reproducers grouped by signature."""

from __future__ import annotations

import os
import types

import pytest

torch = pytest.importorskip("torch")

from fuzz import KNOWN_DIVERGENCES, Program, generate, run_program, shrink  # noqa: E402

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

PROGRAMS = int(os.environ.get("EMBER_FUZZ_PROGRAMS", "300"))
KNOWN = {entry.signature: entry for entry in KNOWN_DIVERGENCES}


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.parametrize("seed", range(PROGRAMS))
def test_program_behaves_as_in_pytorch(seed):
    """The program of `seed` agrees with PyTorch after every statement (or hits a known divergence)."""
    program = generate(seed, torch)
    divergence = run_program(program, ember, torch).divergence
    if divergence is None:
        return
    if divergence.signature in KNOWN:
        pytest.xfail(f"known: {divergence.signature}")
    minimal = shrink(program, ember, torch, divergence.signature)
    shrunk = run_program(minimal, ember, torch).divergence or divergence
    pytest.fail(
        f"ember diverges from PyTorch (seed {seed}):\n  {divergence.signature}\n  {shrunk.describe()}\n"
        f"minimal reproducer:\n{minimal.source()}",
        pytrace=False,
    )


@pytest.mark.parametrize("known", KNOWN_DIVERGENCES, ids=lambda entry: entry.signature[:80])
def test_known_divergence_still_reproduces(known):
    """Fails once a known bug is fixed, so that its entry gets deleted (an xfail must not outlive its bug)."""
    if known.only_on is not None and ember.get_default_device().type != known.only_on:
        pytest.skip(f"a divergence of the {known.only_on} kernels")
    divergence = run_program(Program.parse(known.reproducer), ember, torch).divergence
    assert divergence is not None, f"fixed: delete this entry from fuzz/known_divergences.py: {known.signature}"
    assert divergence.signature == known.signature, f"now diverges as: {divergence.signature}"


def test_pytorch_agrees_with_itself():
    """No false positives from the harness itself: PyTorch run twice gives the same programs."""
    for seed in range(40):
        outcome = run_program(generate(seed, torch), torch, torch)
        assert outcome.divergence is None, outcome.divergence.describe()


def test_a_wrong_kernel_is_found_and_shrunk():
    """A PyTorch whose `exp` is 0.1% off diverges at the exp, and shrinking drops what the exp does not need."""
    broken = types.ModuleType("broken_torch")
    broken.__dict__.update(torch.__dict__)
    broken.exp = lambda tensor: torch.exp(tensor) * 1.001
    program = Program.parse(
        "x1 = torch.tensor([1.0, 2.0])  # input: float32 [2]\n"
        "t2 = x1.sum()  # reduction: sum()\n"
        "t3 = x1 * 2  # pointwise: *(int)\n"
        "t4 = torch.exp(t3)  # pointwise: exp\n"
        "t5 = t4 - 1  # pointwise: -(int)"
    )
    divergence = run_program(program, broken, torch).divergence
    assert divergence is not None
    assert divergence.signature == "pointwise: exp | value of result: torch finite, ember finite"
    minimal = shrink(program, broken, torch, divergence.signature)
    assert [statement.code for statement in minimal.statements] == ["x1 = torch.tensor([1.0, 2.0])", "t3 = x1 * 2",
                                                                     "t4 = torch.exp(t3)"]


def test_an_error_of_another_class_is_a_divergence():
    """Where PyTorch raises RuntimeError, a numpy-style ValueError is reported with both classes."""

    def cat(tensors, dim=0):
        try:
            return torch.cat(tensors, dim)
        except RuntimeError as error:
            raise ValueError(str(error)) from None

    broken = types.ModuleType("broken_torch")
    broken.__dict__.update(torch.__dict__)
    broken.cat = cat
    program = Program.parse(
        "x1 = torch.tensor(1.0)  # input: float32 []\n"
        "t2 = torch.cat([x1])  # join: cat(one)"
    )
    divergence = run_program(program, broken, torch).divergence
    assert divergence is not None
    assert divergence.signature == "join: cat(one) | exception of statement: torch RuntimeError, ember ValueError"
