"""linear's bias against PyTorch: the shapes that broadcast over the (rows, out_features) product and the error
(class and message) of those that do not, naming the first dimension that differs from the right."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

pytestmark = pytest.mark.oracle

BIAS_SHAPES = [(5,), (1, 5), (3, 5), (1,), (), (4,), (2, 5), (3, 4), (2, 4), (1, 4), (2, 3, 5)]


def _linear(lib, bias_shape, dtype):
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(3, 4)), rng.normal(size=(5, 4)), rng.normal(size=bias_shape)
    tensors = [lib.tensor(v, dtype=getattr(lib, dtype), requires_grad=True) for v in (x, w, b)]
    try:
        out = lib.nn.functional.linear(*tensors)
    except Exception as error:  # noqa: BLE001 - the class and message are compared
        return type(error), str(error)
    out.sum().backward()
    return out.detach().cpu().numpy(), [t.grad.cpu().numpy() for t in tensors]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias_shape", BIAS_SHAPES, ids=str)
def test_linear_bias_shapes_match_torch(bias_shape, dtype):
    mine, theirs = _linear(ember, bias_shape, dtype), _linear(torch, bias_shape, dtype)
    if isinstance(theirs[0], type):
        assert mine == theirs
        return
    np.testing.assert_allclose(mine[0], theirs[0], rtol=1e-5, atol=1e-6)
    for a, b in zip(mine[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
