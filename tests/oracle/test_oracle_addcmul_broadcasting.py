"""addcmul, addcdiv (functions, methods, in-place forms, out=) and broadcast_shapes / broadcast_tensors against
PyTorch: values bitwise (PyTorch's (value * tensor1) * tensor2 rounding, float16 computed in float), promotion of
the three tensors, gradients and grad_fn names, and errors."""
from __future__ import annotations

import numpy as np
import pytest
from outcomes import raised, same_message

pytestmark = pytest.mark.oracle

SHAPES = [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), (3, 4)), ((), (2, 3), (3,)), ((2, 1, 3), (4, 1), ())]
DTYPES = [("float32", "float32", "float32"), ("float64", "float64", "float64"), ("float16", "float16", "float16"),
          ("int64", "int64", "int64"), ("float32", "int64", "int32"), ("int64", "float64", "float32"),
          ("float16", "float32", "float16")]
VALUES = [1, 0.1, 2, -3.5, True]


def _arrays(shapes, dtypes, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for shape, dtype in zip(shapes, dtypes):
        values = rng.uniform(-3, 3, shape) if "float" in dtype else rng.integers(-5, 6, shape)
        if "float" in dtype:
            values = np.where(np.abs(values) < 0.25, 0.5, values)  # no near-zero divisor
        else:
            values = np.where(values == 0, 2, values)
        out.append(np.asarray(values).astype(dtype))
    return out


def _check(oracle, call, arrays, fused=False):
    """`fused`: PyTorch's CPU kernel rounds a multiply-add once (addcmul) where ember rounds twice: within two
    ulps of the larger term; otherwise bitwise."""
    got = call(oracle.ember, *[oracle.ember.tensor(a) for a in arrays])
    expected = call(oracle.torch, *[oracle.torch.tensor(a) for a in arrays])
    assert str(got.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
    assert tuple(got.shape) == tuple(expected.shape)
    got, expected = got.cpu().numpy(), expected.numpy()
    if fused and got.dtype.kind == "f":
        terms = np.broadcast_arrays(*[np.abs(a.astype(np.float64)) for a in arrays])
        larger = np.maximum(terms[0], terms[1] * terms[2] * 3.5).astype(got.dtype)  # |value| <= 3.5
        difference = np.abs(got.astype(np.float64) - expected)
        assert np.all(difference <= 2 * np.spacing(larger).astype(np.float64)), (got, expected)
    else:
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("dtypes", DTYPES, ids="-".join)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_addcmul_values(oracle, shapes, dtypes, value):
    if isinstance(value, float) and all("int" in d for d in dtypes):
        value = int(value)
    _check(oracle, lambda L, a, b, c: L.addcmul(a, b, c, value=value), _arrays(shapes, dtypes), fused=True)


@pytest.mark.parametrize("shapes", SHAPES, ids=str)
@pytest.mark.parametrize("dtypes", [d for d in DTYPES if "float" in d[1] + d[2]], ids="-".join)
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_addcdiv_values(oracle, shapes, dtypes, value):
    _check(oracle, lambda L, a, b, c: L.addcdiv(a, b, c, value=value), _arrays(shapes, dtypes))


@pytest.mark.parametrize("op", ["addcmul", "addcdiv"])
def test_methods_in_place_and_out(oracle, op):
    arrays = _arrays(((3, 4), (4,), (3, 1)), ("float32",) * 3, seed=3)
    fused = op == "addcmul"
    _check(oracle, lambda L, a, b, c: getattr(a, op)(b, c, value=0.3), arrays, fused)
    _check(oracle, lambda L, a, b, c: getattr(a, op + "_")(b, c, value=-2), arrays, fused)
    _check(oracle, lambda L, a, b, c: getattr(L, op)(a, b, c, value=0.7, out=L.empty(0)), arrays, fused)


@pytest.mark.parametrize("op", ["addcmul", "addcdiv"])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), (3, 4)), ((), (2, 3), (3,))], ids=str)
def test_gradients_and_grad_fn(oracle, op, shapes):
    arrays = _arrays(shapes, ("float64",) * 3, seed=5)
    results = []
    for L in (oracle.ember, oracle.torch):
        leaves = [L.tensor(a, requires_grad=True) for a in arrays]
        result = getattr(L, op)(*leaves, value=0.75)
        (result * L.tensor(np.linspace(-1, 1, result.numel()).reshape(tuple(result.shape)))).sum().backward()
        results.append((result.grad_fn.name(), [leaf.grad.cpu().numpy() if hasattr(leaf.grad, "cpu") else None
                                                for leaf in leaves]))
    (name, grads), (expected_name, expected_grads) = results
    assert name == expected_name
    for got, expected in zip(grads, expected_grads):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", ["addcmul", "addcdiv"])
def test_gradcheck(oracle, op):
    arrays = _arrays(((2, 3), (3,), (2, 1)), ("float64",) * 3, seed=7)
    leaves = tuple(oracle.ember.tensor(a, requires_grad=True) for a in arrays)
    assert oracle.ember.autograd.gradcheck(lambda a, b, c: getattr(oracle.ember, op)(a, b, c, value=1.5), leaves)
    assert oracle.ember.autograd.gradgradcheck(lambda a, b, c: getattr(oracle.ember, op)(a, b, c, value=1.5), leaves)


ERRORS = {
    "addcdiv of integers": lambda L: L.addcdiv(L.ones(2, dtype=L.int64), L.ones(2, dtype=L.int64),
                                               L.ones(2, dtype=L.int64)),
    "addcmul of bools": lambda L: L.addcmul(L.ones(2, dtype=L.bool), L.ones(2, dtype=L.bool), L.ones(2, dtype=L.bool)),
    "addcmul tensor2 a number": lambda L: L.addcmul(L.ones(2), L.ones(2), 3),
    "addcmul value a string": lambda L: L.addcmul(L.ones(2), L.ones(2), L.ones(2), value="x"),
    "addcdiv complex value": lambda L: L.addcdiv(L.ones(2), L.ones(2), L.ones(2), value=1j),
    "addcmul shapes": lambda L: L.addcmul(L.ones(2, 3), L.ones(4, 5), L.ones(4, 3)),
    "addcdiv shapes": lambda L: L.addcdiv(L.ones(2, 3), L.ones(4, 3), L.ones(4, 5)),
    "addcmul_ grows self": lambda L: L.ones(2).addcmul_(L.ones(2, 2), L.ones(2)),
    "addcmul int value overflow": lambda L: L.addcmul(L.ones(2, dtype=L.int8), L.ones(2, dtype=L.int8),
                                                      L.ones(2, dtype=L.int8), value=1000),
    "broadcast_shapes mismatch": lambda L: L.broadcast_shapes([2, 3], (4, 5)),
    "broadcast_shapes three": lambda L: L.broadcast_shapes((2, 3), (3, 3), (4, 5)),
    "broadcast_shapes negative": lambda L: L.broadcast_shapes((1, 3), (-1, 3)),
    "broadcast_shapes negative mismatch": lambda L: L.broadcast_shapes((2, 3), (-1, 3)),
    "broadcast_shapes float": lambda L: L.broadcast_shapes(2.0),
    "broadcast_tensors mismatch": lambda L: L.broadcast_tensors(L.ones(2, 3), L.ones(4, 5)),
    "broadcast_tensors a number": lambda L: L.broadcast_tensors(L.ones(2), 3),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(oracle, name):
    expected, got = raised(oracle.torch, ERRORS[name]), raised(oracle.ember, ERRORS[name])
    assert expected is not None and got is not None, (expected, got)
    assert type(got) is type(expected)
    assert same_message(got, expected), (str(got), str(expected))


def test_broadcast_shapes_and_tensors(oracle):
    for shapes in [((2,), (3, 1), (1, 1, 1)), (3, (2, 1)), ((), (4,)), (None, (2,)), ()]:
        assert tuple(oracle.ember.broadcast_shapes(*shapes)) == tuple(oracle.torch.broadcast_shapes(*shapes))
    for L in (oracle.ember,):
        x, y = L.ones(2, 1, requires_grad=True), L.ones(3, requires_grad=True)
        same = L.ones(2, 3)
        a, b, c = L.broadcast_tensors(x, y, same)
        assert c is same and tuple(a.shape) == tuple(b.shape) == (2, 3)
        assert a.grad_fn.name() == b.grad_fn.name() == "ExpandBackward0"
        (a * 2 + b).sum().backward()
        assert x.grad.tolist() == [[6.0], [6.0]] and y.grad.tolist() == [2.0, 2.0, 2.0]
    assert oracle.ember.broadcast_tensors() == ()
