"""The straight-line common calls of binary and unary ops (and their in-place forms) behave exactly as the
general path: same values, dtypes, grad_fn, version counts and errors. Each case runs once as it is (the
straight path) and once while a profiler runs (which always takes the general path), and compares."""
import numpy as np
import pytest

import ember
from ember._ops import binary
from ember.profiler import profile


def _both(fn):
    """fn() on the straight path and under a profiler (the general path)."""
    straight = fn()
    with profile():
        general = fn()
    return straight, general


def _same(a, b):
    assert type(a) is type(b)
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        assert (a.grad_fn is None) == (b.grad_fn is None)
        if a.grad_fn is not None:
            assert a.grad_fn.name() == b.grad_fn.name()
            assert [n is None for n, _ in a.grad_fn.next_functions] == [n is None for n, _ in b.grad_fn.next_functions]
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    else:
        assert a == b


def _t(values, dtype=ember.float32, requires_grad=False):
    return ember.tensor(values, dtype=dtype, requires_grad=requires_grad)


CALLS = {
    "add": lambda x, y: x + y, "add_number": lambda x, y: x + 2, "radd": lambda x, y: 0.5 + x,
    "sub": lambda x, y: x - y, "rsub": lambda x, y: 2 - x, "mul": lambda x, y: x * y,
    "mul_number": lambda x, y: x * 3, "div": lambda x, y: x / y, "div_number": lambda x, y: x / 4,
    "eq": lambda x, y: x == y, "lt_number": lambda x, y: x < 0.5, "ge": lambda x, y: ember.ge(x, y),
    "maximum": lambda x, y: ember.maximum(x, y), "minimum": lambda x, y: x.minimum(y),
    "exp": lambda x, y: x.exp(), "tanh": lambda x, y: ember.tanh(x),
}


@pytest.mark.parametrize("grad", [False, True])
@pytest.mark.parametrize("dtype", [ember.float16, ember.float32, ember.float64])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_straight_path_matches_general_path(name, dtype, grad):
    def run():
        x = _t([1.5, -2.0, 0.25, 3.0], dtype, grad)
        y = _t([0.5, -2.0, 4.0, -1.0], dtype, grad)
        return CALLS[name](x, y)
    _same(*_both(run))


def test_straight_path_keeps_pytorchs_errors():
    x, y = _t([1.0, 2.0]), _t([1.0, 2.0, 3.0])
    for fn in (lambda: x + y, lambda: x * y, lambda: x < y, lambda: ember.maximum(x, y)):
        with pytest.raises(RuntimeError, match="must match the size"):
            fn()
    with pytest.raises(TypeError):
        ember.maximum(x, 2)
    with pytest.raises(TypeError):
        ember.eq(2, x)  # PyTorch has no eq(Number, Tensor)
    assert (2 < x).tolist() == [False, False]  # Python reflects the operator: x > 2


def test_comparisons_and_extremes_are_registry_entries():
    names = {entry.name for entry in binary.BINARY}
    assert {"eq", "ne", "lt", "le", "gt", "ge", "maximum", "minimum"} <= names
    assert ember.maximum is binary.FUNCTIONS["maximum"] and ember.Tensor.__lt__ is binary.FUNCTIONS["lt"]
    a, b = _t([1.0, 3.0, 2.0], requires_grad=True), _t([2.0, 1.0, 2.0], requires_grad=True)
    ember.maximum(a, b).sum().backward()
    assert a.grad.tolist() == [0.0, 1.0, 0.5] and b.grad.tolist() == [1.0, 0.0, 0.5]


def test_half_compared_with_wider_0d_tensor_as_pytorch():
    # PyTorch 2.13: float16 [2048.] < tensor(2049.) is [False] (2049 rounds to 2048 in the comparison)
    x = _t([2048.0], ember.float16)
    assert (x < ember.tensor(2049.0, dtype=ember.float32)).tolist() == [False]
    assert ember.maximum(x, ember.tensor(2049.0)).dtype == ember.float16


INPLACE = {
    "add_": lambda x, y: x.add_(y), "add_number": lambda x, y: x.add_(2), "sub_": lambda x, y: x.sub_(y),
    "mul_": lambda x, y: x.mul_(y), "div_number": lambda x, y: x.div_(4), "exp_": lambda x, y: x.exp_(),
    "iadd": lambda x, y: x.__iadd__(y), "neg_": lambda x, y: x.neg_(),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_straight_in_place_matches_general_path(name):
    def run():
        x, y = _t([1.5, -2.0, 0.25]), _t([0.5, -2.0, 4.0])
        out = INPLACE[name](x, y)
        assert out is x
        return x, x._version_value
    (a, va), (b, vb) = _both(run)
    _same(a, b)
    assert va == vb == 1


def test_straight_in_place_keeps_autograd_and_overlap_rules():
    leaf = _t([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.add_(1)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.exp_()
    with ember.no_grad():
        leaf.add_(1)  # allowed without grad mode, as in PyTorch
    assert leaf.tolist() == [2.0, 3.0, 4.0]
    x = _t([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(RuntimeError, match="single memory location"):
        x[1:].add_(x[:-1])  # partial overlap: the general path's check
    h = leaf * 1
    saved = h.exp()  # ExpBackward0 saves its result
    saved.exp_()  # requires grad: recorded on the general path, and the saved result's version moves on
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        saved.sum().backward()


def test_nodes_name_their_saved_values_as_pytorch():
    # PyTorch 2.13: the `_saved_*` attributes of these grad_fns, and MulBackward0 saves `self` only when
    # `other` requires grad
    x, y = _t([1.0, 2.0], requires_grad=True), _t([3.0, 4.0])
    saved = {
        "mul": ((x * y).grad_fn, ["_saved_other", "_saved_self"]),
        "div": ((x / y).grad_fn, ["_saved_other", "_saved_self"]),
        "exp": (x.exp().grad_fn, ["_saved_result"]),
        "sin": (x.sin().grad_fn, ["_saved_self"]),
        "pow": ((x ** y).grad_fn, ["_saved_exponent", "_saved_result", "_saved_self"]),
        "atan2": (ember.atan2(x, y).grad_fn, ["_saved_other", "_saved_self"]),
    }
    for name, (node, expected) in saved.items():
        assert sorted(a for a in dir(node) if a.startswith("_saved_")) == expected, name
    mul = saved["mul"][0]
    assert mul._saved_self is None and mul._saved_other is y
    e = x.exp()
    assert e.grad_fn._saved_result.tolist() == e.tolist()
    e.sum().backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        getattr(e.grad_fn, "_saved_result")  # noqa: B009 - the property raises
