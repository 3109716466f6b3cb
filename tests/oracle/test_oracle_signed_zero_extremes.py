"""relu, relu6, hardtanh, clamp, clamp_min, maximum, minimum and leaky_relu on -0. and 0., bitwise (the sign of
zero included) for every float dtype. Against a number bound PyTorch keeps x (relu(-0.) is -0.), on contiguous
and strided inputs. Between two tensors its vectorized loops keep the second operand for float32/float64 and the
first for float16, as numpy's: checked on contiguous tensors of 32 elements (whole vectors); PyTorch's scalar
loops (strided tensors, a contiguous tensor's last partial vector) keep the first, which ember does not follow."""
from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

UNARY = {
    "relu": lambda lib, t: lib.relu(t),
    "F.relu": lambda lib, t: lib.nn.functional.relu(t),
    "relu_": lambda lib, t: t.clone().relu_(),
    "relu6": lambda lib, t: lib.nn.functional.relu6(t),
    "hardtanh": lambda lib, t: lib.nn.functional.hardtanh(t),
    "hardtanh(0, 1)": lambda lib, t: lib.nn.functional.hardtanh(t, 0.0, 1.0),
    "leaky_relu": lambda lib, t: lib.nn.functional.leaky_relu(t),
    "clamp(min=0)": lambda lib, t: lib.clamp(t, min=0),
    "clamp(max=0.)": lambda lib, t: lib.clamp(t, max=0.0),
    "clamp_min(0)": lambda lib, t: t.clamp_min(0),
}
BINARY = {
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "minimum": lambda lib, a, b: lib.minimum(a, b),
    "clamp(min=b)": lambda lib, a, b: lib.clamp(a, min=b),
    "clamp(max=b)": lambda lib, a, b: lib.clamp(a, max=b),
    "clamp(b, b)": lambda lib, a, b: lib.clamp(a, b, b),
}
VALUES = [-0.0, 0.0, -1.0, 1.0, np.nan, -np.inf, 7.0]


def _signed(t):
    values = t.detach().cpu().numpy().astype(np.float64)
    return [("nan" if np.isnan(v) else ("-" if np.signbit(v) else "+") + repr(abs(v))) for v in values.ravel()]


@pytest.mark.parametrize("dtype", ("float16", "float32", "float64"))
@pytest.mark.parametrize("layout", ("contiguous", "strided"))
@pytest.mark.parametrize("name", tuple(UNARY))
def test_unary_keeps_the_sign_of_zero_as_pytorch(name, dtype, layout):
    host = np.array(VALUES * 3, dtype)
    results = []
    for lib in (ember, torch):
        t = lib.tensor(host, dtype=getattr(lib, dtype))
        results.append(_signed(UNARY[name](lib, t[::2] if layout == "strided" else t)))
    assert results[0] == results[1]


@pytest.mark.parametrize("dtype", ("float16", "float32", "float64"))
@pytest.mark.parametrize("name", tuple(BINARY))
def test_binary_keeps_the_first_of_equal_operands_as_pytorch(name, dtype):
    a = np.array([-0.0, 0.0, -0.0, 0.0, 1.0, -1.0, 0.0, -0.0] * 4, dtype)
    b = np.array([0.0, -0.0, -0.0, 0.0, 0.0, 0.0, -1.0, 1.0] * 4, dtype)
    results = [_signed(BINARY[name](lib, *(lib.tensor(x, dtype=getattr(lib, dtype)) for x in (a, b))))
               for lib in (ember, torch)]
    assert results[0] == results[1]


def test_relu_gradient_at_signed_zero_is_pytorchs():
    grads = []
    for lib in (ember, torch):
        x = lib.tensor([-0.0, 0.0, 1.0], dtype=lib.float16, requires_grad=True)
        lib.relu(x).sum().backward()
        grads.append(_signed(x.grad))
    assert grads[0] == grads[1]
