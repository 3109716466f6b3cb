"""amax/amin under create_graph=True: the gradient records PyTorch's scale_grad_by_count nodes
(MulBackward0 <- DivBackward0 <- ViewBackward0 without keepdim) and its second derivatives (ties, NaN,
0-d, several dims) are PyTorch's; gradgradcheck on float64."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

CASES = [((2, 3), {"dim": 1}), ((2, 3), {}), ((2, 3), {"dim": 1, "keepdim": True}), ((2, 3), {"dim": (0, 1)}),
         ((2, 3, 2), {"dim": -2}), ((2, 3, 2), {"dim": (0, 2), "keepdim": True}), ((), {}),
         ((), {"keepdim": True}), ((4,), {"dim": 0})]


def _chain(fn, depth=3):
    """The names of the first `depth` nodes along each node's first input."""
    names = []
    while fn is not None and len(names) < depth:
        names.append(type(fn).__name__)
        fn = fn.next_functions[0][0] if fn.next_functions else None
    return names


def _host(shape, ties=True, seed=0):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 3, shape) if ties else rng.standard_normal(shape)
    return np.asarray(values, np.float64)


def _both(lib, name, host, upstream_host, kwargs):
    x = lib.tensor(host, dtype=lib.float64, requires_grad=True)
    y = getattr(lib, name)(x, **kwargs)
    upstream = lib.tensor(upstream_host.reshape(y.shape), dtype=lib.float64, requires_grad=True)
    (grad,) = lib.autograd.grad(y, x, upstream, create_graph=True)
    weight = lib.tensor(np.linspace(-1.0, 2.0, max(grad.numel(), 1)).reshape(grad.shape), dtype=lib.float64)
    second = lib.autograd.grad((grad * weight).sum(), (x, upstream), allow_unused=True)
    return grad, second


@pytest.mark.parametrize("name", ("amax", "amin"))
@pytest.mark.parametrize(("shape", "kwargs"), CASES)
@pytest.mark.parametrize("ties", (True, False), ids=("ties", "distinct"))
def test_amax_amin_gradient_graph_is_pytorchs(name, shape, kwargs, ties):
    host = _host(shape, ties)
    reduced_numel = torch.amax(torch.tensor(host), **kwargs).numel()
    upstream_host = np.arange(1.0, reduced_numel + 1.0)
    mine, theirs = (_both(lib, name, host, upstream_host, kwargs) for lib in (ember, torch))
    assert _chain(mine[0].grad_fn) == _chain(theirs[0].grad_fn)
    np.testing.assert_array_equal(mine[0].detach().cpu().numpy(), theirs[0].detach().cpu().numpy())
    for got, expected in zip(mine[1], theirs[1]):
        assert (got is None) == (expected is None)
        if got is not None:
            np.testing.assert_allclose(got.cpu().numpy(), expected.cpu().numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize("name", ("amax", "amin"))
def test_amax_amin_nan_gradient_graph_is_pytorchs(name):
    host = np.array([[1.0, np.nan, 2.0], [3.0, 3.0, 0.0]])
    mine, theirs = (_both(lib, name, host, np.array([2.0, 5.0]), {"dim": 1}) for lib in (ember, torch))
    assert _chain(mine[0].grad_fn) == _chain(theirs[0].grad_fn)
    np.testing.assert_array_equal(mine[0].detach().cpu().numpy(), theirs[0].detach().cpu().numpy())
    np.testing.assert_array_equal(mine[1][1].cpu().numpy(), theirs[1][1].cpu().numpy())


@pytest.mark.parametrize("name", ("amax", "amin"))
def test_amax_amin_gradgradcheck(name):
    x = ember.tensor(_host((3, 4), ties=False, seed=4), dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradgradcheck(lambda t: getattr(ember, name)(t, dim=1) ** 2, (x,))
