"""PyTorch's efficient zero tensors (ZeroTensor): sgn's gradient, so abs's second derivative and the norms'. A
product or quotient with one stays one (0 * inf is 0), a sum is the other operand, views are ones, and writing
into one is PyTorch's error; fuzz seeds 830481 and 835276."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import ember  # noqa: E402

pytestmark = pytest.mark.oracle

inf, nan = math.inf, math.nan


def _zeros(lib):
    """sgn's gradient: an efficient zero tensor of x's shape and dtype."""
    x = lib.tensor([[-1.0, 2.0, 0.0]], requires_grad=True)
    g, = lib.autograd.grad(x.sgn().sum(), [x])
    return g


def _outcome(make, *args):
    """Whether ``make(*args)`` is a zero tensor, its dtype and values (read through a clone, as PyTorch refuses
    tolist() of a zero tensor), or its error."""
    try:
        r = make(*args)
    except RuntimeError as error:
        return str(error)
    return r._is_zerotensor(), str(r.dtype).rsplit(".", 1)[-1], r.clone().tolist()


_OPS = {
    "z * t": lambda z, t: z * t,
    "t * z": lambda z, t: t * z,
    "z * inf": lambda z, t: z * inf,
    "mul(z, float64)": lambda z, t: z.mul(t.double()),
    "z * broadcast": lambda z, t: z.expand(2, 3) * t.new_ones(2, 1),
    "z / t": lambda z, t: z / t,
    "t / z": lambda z, t: t / z,
    "z / z": lambda z, t: z / z,
    "z + t": lambda z, t: z + t,
    "t + z": lambda z, t: t + z,
    "t - z": lambda z, t: t - z,
    "z - t": lambda z, t: z - t,
    "z + z": lambda z, t: z + z,
    "add alpha": lambda z, t: z.add(t, alpha=2),
    "sub alpha": lambda z, t: z.sub(t, alpha=2),
    "z + 1": lambda z, t: z + 1,
    "index": lambda z, t: z[0],
    "slice": lambda z, t: z[:, 1:],
    "t()": lambda z, t: z.t(),
    "unsqueeze": lambda z, t: z.unsqueeze(0),
    "expand": lambda z, t: z.expand(2, 3),
    "reshape": lambda z, t: z.reshape(3),
    "detach": lambda z, t: z.detach(),
    "exp": lambda z, t: z.exp(),
    "neg": lambda z, t: -z,
    "sum": lambda z, t: z.sum(),
    "mm": lambda z, t: z.t().mm(t),
    "cast": lambda z, t: z.double(),
}


@pytest.mark.parametrize("op", sorted(_OPS))
def test_an_op_of_a_zero_tensor_is_pytorchs(op):
    """mul, div, add, sub and views have ZeroTensor kernels; other ops read zeros (a matrix product of zeros
    by inf is NaN there too)."""
    got = [_outcome(_OPS[op], _zeros(lib), lib.tensor([[inf, -0.0, nan]])) for lib in (torch, ember)]
    assert repr(got[0]) == repr(got[1])  # (NaN equal to NaN, -0. apart from 0.)


_WRITES = {
    "add_": lambda z, lib: z.add_(1),
    "mul_": lambda z, lib: z.mul_(2),
    "zero_": lambda z, lib: z.zero_(),
    "fill_": lambda z, lib: z.fill_(1),
    "copy_": lambda z, lib: z.copy_(lib.ones(1, 3)),
    "view add_": lambda z, lib: z[0].add_(1),
    "setitem number": lambda z, lib: z.__setitem__(0, 1.0),
    "setitem tensor": lambda z, lib: z.__setitem__(0, lib.ones(3)),
    "setitem mask": lambda z, lib: z.__setitem__(z == 0, lib.tensor(1.0)),
    "masked_fill_": lambda z, lib: z.masked_fill_(z == 0, 1.0),
    "index_put_": lambda z, lib: z.index_put_((lib.tensor([0]),), lib.ones(3)),
    "unsqueeze_": lambda z, lib: z.unsqueeze_(0),
    "as_strided_": lambda z, lib: z.as_strided_((3,), (1,)),
}


@pytest.mark.parametrize("grad_mode", [True, False])
@pytest.mark.parametrize("write", sorted(_WRITES))
def test_writing_into_a_zero_tensor_is_pytorchs_error(write, grad_mode):
    """PyTorch's 'ZeroTensors are immutable' (copy_'s own wording for a copy), before any write; an in-place
    view op changes only the geometry and is allowed."""
    got = []
    for lib in (torch, ember):
        z = _zeros(lib)
        with lib.set_grad_enabled(grad_mode):
            outcome = _outcome(_WRITES[write], z, lib)
        got.append((outcome, z.shape == (1, 3), z.clone().tolist()))
    assert got[0] == got[1]


def test_reading_a_zero_tensor_is_pytorchs():
    """tolist() and numpy() refuse it (numpy(force=True) gives the zeros); item() and comparisons read zeros."""
    got = []
    for lib in (torch, ember):
        z = _zeros(lib)
        outcomes = []
        for read in (lambda z: z.tolist(), lambda z: z.numpy(), lambda z: z.numpy(force=True).tolist(),
                     lambda z: z[0, 1].item(), lambda z: (z == 0).tolist()):
            try:
                outcomes.append(read(z))
            except RuntimeError as error:
                outcomes.append(str(error))
        got.append(outcomes)
    assert got[0] == got[1]


def test_abs_double_backward_through_inf_is_pytorchs():
    """Fuzz seed 830481: abs's gradient is grad * sgn(x), whose derivative in x is a zero tensor; times the
    inf of `inf / x` it stays 0, so the second derivative is inf, not NaN."""
    got = []
    for lib in (torch, ember):
        x = lib.tensor(-1.0, requires_grad=True)
        t = (inf / x)[None]
        t.abs_()
        g, = lib.autograd.grad(t.sum(), [x], create_graph=True)
        gg, = lib.autograd.grad(g.sum(), [x])
        got.append((g.item(), gg.item(), type(x.sgn().grad_fn).__name__))
    assert got[0] == got[1] == (inf, inf, "SgnBackward0")


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@pytest.mark.parametrize("second", ["nothing", "abs", "sgn"])
def test_a_zero_tensor_kept_as_grad_refuses_accumulation(second):
    """Fuzz seed 835276: a first gradient that is sgn's zero tensor becomes .grad as it is (PyTorch's
    AccumulateGrad); the next backward adds into it in place: PyTorch's error, .grad unchanged; a create_graph
    backward adds out of place (the other gradient, as it is)."""
    got = []
    for lib in (torch, ember):
        x = lib.tensor([[1.0, -1.0, 0.0]], dtype=lib.float64, requires_grad=True)
        g, = lib.autograd.grad(x.abs().sum(), [x], create_graph=True)
        lib.tanh(g).sum().backward()
        outcome = [x.grad._is_zerotensor()]
        for create_graph in (False, True):
            if second != "nothing":
                try:
                    getattr(x, second)().mul(3).sum().backward(create_graph=create_graph)
                except RuntimeError as error:
                    outcome.append(str(error))
            outcome.append((x.grad._is_zerotensor(), x.grad.clone().tolist()))
        got.append(outcome)
    assert got[0] == got[1]


_NORMS = {
    "vector_norm 1": lambda lib, x: lib.linalg.vector_norm(x, 1),
    "vector_norm inf": lambda lib, x: lib.linalg.vector_norm(x, inf),
    "vector_norm 0.5": lambda lib, x: lib.linalg.vector_norm(x, 0.5),
    "dist 1": lambda lib, x: lib.dist(x, lib.ones_like(x), 1),
    "l1_loss": lambda lib, x: lib.nn.functional.l1_loss(x, lib.ones_like(x)),
}


@pytest.mark.parametrize("norm", sorted(_NORMS))
def test_second_derivative_of_a_norm_through_sgn_is_pytorchs(norm):
    """The norms' gradients are PyTorch's sgn(x) * ..., so their second derivatives are zero tensors where they
    are (ord 1, inf) and stay 0 through an inf factor."""
    got = []
    for lib in (torch, ember):
        x = lib.tensor([[-1.5, 0.5], [2.0, 0.25]], dtype=lib.float64, requires_grad=True)
        y = _NORMS[norm](lib, x)
        g, = lib.autograd.grad(y, [x], create_graph=True)
        gg, = lib.autograd.grad((g * inf).sum(), [x], allow_unused=True)
        got.append((np.asarray(g.tolist()), None if gg is None else (gg._is_zerotensor(), repr(gg.clone().tolist()))))
    np.testing.assert_allclose(got[1][0], got[0][0], rtol=1e-12)  # (the device's rounding)
    assert got[0][1] == got[1][1]
