"""Op semantics under stress against PyTorch (issue 6): results that must not alias their input, values
and gradients at special values (0, -0., ±inf, NaN, tiny, huge) in every float dtype, float16 computed
as PyTorch computes it, crashes on empty, 0-d and integer inputs, and the memory layout of results."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from outcomes import settled

torch = pytest.importorskip("torch")

import ember  # noqa: E402

pytestmark = pytest.mark.oracle


def _f(lib):
    return lib.nn.functional


# ----- results that must be fresh ---------------------------------------------------------------------
# op(lib, x) -> result; each runs on several inputs (sizes 2 and 1, 0-d, 1x1, integer, float16).
ALIASING_OPS = {
    "prod": lambda t, x: x.prod(),
    "prod(0)": lambda t, x: x.prod(0),
    "prod(0, keepdim)": lambda t, x: x.prod(0, keepdim=True),
    "prod(dtype)": lambda t, x: x.prod(dtype=x.dtype),
    "sum": lambda t, x: x.sum(),
    "sum(0)": lambda t, x: x.sum(0),
    "sum(0, keepdim)": lambda t, x: x.sum(0, keepdim=True),
    "sum(dtype)": lambda t, x: x.sum(dtype=x.dtype),
    "mean(0)": lambda t, x: x.float().mean(0),
    "max": lambda t, x: x.max(),
    "max(0)": lambda t, x: x.max(0)[0],
    "min(0)": lambda t, x: x.min(0)[0],
    "amax(0)": lambda t, x: x.amax(0),
    "amin(0, keepdim)": lambda t, x: x.amin(0, keepdim=True),
    "var(correction=0)": lambda t, x: x.float().var(correction=0),
    "std(0, correction=0)": lambda t, x: x.float().std(0, correction=0),
    "softmax(0)": lambda t, x: x.float().softmax(0),
    "log_softmax(0)": lambda t, x: x.float().log_softmax(0),
    "cat([x])": lambda t, x: t.cat([x]) if x.dim() else t.stack([x]),
    "cat([x, empty])": lambda t, x: t.cat([x, t.zeros(0, dtype=x.dtype)]) if x.dim() == 1 else x.clone(),
    "stack([x])": lambda t, x: t.stack([x]),
    "where(all true)": lambda t, x: t.where(x > -100, x, 0),
    "where(all false)": lambda t, x: t.where(x < -100, 0, x),
    "where(tensor, tensor)": lambda t, x: t.where(x > -100, x, t.zeros_like(x)),
    "clamp(no effect)": lambda t, x: x.clamp(-100, 100),
    "clamp(min tensor)": lambda t, x: x.clamp(t.full_like(x, -100)),
    "abs": lambda t, x: x.abs(),
    "relu": lambda t, x: x.relu(),
    "x * 1": lambda t, x: x * 1,
    "x + 0": lambda t, x: x + 0,
    "x - 0": lambda t, x: x - 0,
    "x / 1": lambda t, x: x / 1,
    "x ** 1": lambda t, x: x**1,
    "1 * x": lambda t, x: 1 * x,
    "maximum(x, x)": lambda t, x: t.maximum(x, x),
    "sign": lambda t, x: x.sign(),
    "to(same)": lambda t, x: x.to(x.dtype),
    "to(same, copy)": lambda t, x: x.to(x.dtype, copy=True),
    "type(same)": lambda t, x: x.type(x.dtype),
    "float()": lambda t, x: x.float(),
    "contiguous": lambda t, x: x.contiguous(),
    "reshape": lambda t, x: x.reshape(x.shape),
    "mse_loss(none)": lambda t, x: _f(t).mse_loss(x.float(), t.zeros_like(x.float()), reduction="none"),
    "l1_loss(none)": lambda t, x: _f(t).l1_loss(x.float(), t.zeros_like(x.float()), reduction="none"),
}
ALIASING_INPUTS = {
    "size 2": lambda t: t.tensor([2.0, 3.0]),
    "size 1": lambda t: t.tensor([2.0]),
    "0-d": lambda t: t.tensor(2.0),
    "1x1": lambda t: t.tensor([[2.0]]),
    "int size 1": lambda t: t.tensor([2]),
    "float16 size 1": lambda t: t.tensor([2.0], dtype=t.float16),
}


def _aliasing(lib, op, make):
    """(whether mutating x in place changes op(x), whether writing into op(x) changes x)."""
    x = make(lib)
    result = op(lib, x)
    before = result.clone()
    x.add_(1)
    follows_input = bool((result != before).any())
    x = make(lib)
    result = op(lib, x)
    original = x.clone()
    if result.numel():
        result.view(-1)[0] = 42 if result.is_contiguous() else result.reshape(-1)[0]
    return follows_input, bool((x != original).any())


@pytest.mark.parametrize("input_name", ALIASING_INPUTS)
@pytest.mark.parametrize("op_name", ALIASING_OPS)
def test_result_aliases_its_input_exactly_when_pytorch_does(op_name, input_name):
    op, make = ALIASING_OPS[op_name], ALIASING_INPUTS[input_name]
    assert _aliasing(ember, op, make) == _aliasing(torch, op, make)


def test_prod_of_a_reshaped_leaf_never_writes_through_to_the_leaf():
    for lib in (torch, ember):
        x = lib.tensor([2.0, 3.0], requires_grad=True)
        with lib.no_grad():
            product = x.reshape(1, 2).prod(0)
            product[0] = 5.0
        assert x.tolist() == [2.0, 3.0]


# ----- values and gradients at special values -----------------------------------------------------------
SPECIAL = (0.0, -0.0, math.inf, -math.inf, math.nan, 1e-30, 1e30, 1.0, -1.0, 2.5, -17.0)

# op(lib, x) over a 1-D float leaf x; reductions see the whole vector.
SPECIAL_OPS = {
    "neg": lambda t, x: -x,
    "exp": lambda t, x: x.exp(),
    "log": lambda t, x: x.log(),
    "sin": lambda t, x: x.sin(),
    "cos": lambda t, x: x.cos(),
    "tanh": lambda t, x: x.tanh(),
    "sqrt": lambda t, x: x.sqrt(),
    "abs": lambda t, x: x.abs(),
    "sign": lambda t, x: x.sign(),
    "reciprocal": lambda t, x: x.reciprocal(),
    "relu": lambda t, x: x.relu(),
    "sigmoid": lambda t, x: x.sigmoid(),
    "x * x": lambda t, x: x * x,
    "x / x": lambda t, x: x / x,
    "x / 0": lambda t, x: x / 0.0,
    "1 / x": lambda t, x: 1 / x,
    "x * 0": lambda t, x: x * 0,
    "x * inf": lambda t, x: x * math.inf,
    "x - x": lambda t, x: x - x,
    "x ** 0": lambda t, x: x**0,
    "x ** 0.0": lambda t, x: x**0.0,
    "x ** 1": lambda t, x: x**1,
    "x ** 2": lambda t, x: x**2,
    "x ** 3": lambda t, x: x**3,
    "x ** 0.5": lambda t, x: x**0.5,
    "x ** -0.5": lambda t, x: x**-0.5,
    "x ** 1.5": lambda t, x: x**1.5,
    "x ** -1": lambda t, x: x**-1,
    "x ** -2": lambda t, x: x**-2,
    "0 ** x": lambda t, x: 0**x,
    "0. ** x": lambda t, x: 0.0**x,
    "1 ** x": lambda t, x: 1**x,
    "2 ** x": lambda t, x: 2**x,
    "(-2.) ** x": lambda t, x: (-2.0) ** x,
    "inf ** x": lambda t, x: math.inf**x,
    "x ** x": lambda t, x: x**x,
    "zeros ** x": lambda t, x: t.zeros_like(x) ** x,
    "x ** zeros": lambda t, x: x ** t.zeros_like(x),
    "x ** halves": lambda t, x: x ** t.full_like(x, 0.5),
    "twos ** x": lambda t, x: t.full_like(x, 2.0) ** x,
    "clamp(-1, 1)": lambda t, x: x.clamp(-1, 1),
    "clamp(min=0)": lambda t, x: x.clamp(min=0),
    "clamp(tensors)": lambda t, x: x.clamp(t.zeros_like(x), t.ones_like(x)),
    "maximum(x, 0)": lambda t, x: t.maximum(x, t.zeros_like(x)),
    "minimum(x, nan)": lambda t, x: t.minimum(x, t.full_like(x, math.nan)),
    "maximum(x, x)": lambda t, x: t.maximum(x, x),
    "where(x > 0, x, 0)": lambda t, x: t.where(x > 0, x, 0.0),
    "sum": lambda t, x: x.sum(),
    "mean": lambda t, x: x.mean(),
    "prod": lambda t, x: x.prod(),
    "max": lambda t, x: x.max(),
    "min": lambda t, x: x.min(),
    "amax": lambda t, x: x.amax(),
    "amin": lambda t, x: x.amin(),
    "max(0)": lambda t, x: x.max(0)[0],
    "min(0)": lambda t, x: x.min(0)[0],
    "var": lambda t, x: x.var(),
    "var(correction=0)": lambda t, x: x.var(correction=0),
    "var(correction=3)": lambda t, x: x.var(correction=3),
    "std": lambda t, x: x.std(),
    "std(0, correction=5)": lambda t, x: x.reshape(1, -1).std(1, correction=5),
    "softmax": lambda t, x: x.softmax(0),
    "log_softmax": lambda t, x: x.log_softmax(0),
    "mse_loss": lambda t, x: _f(t).mse_loss(x, t.zeros_like(x)),
    "mse_loss(x, x)": lambda t, x: _f(t).mse_loss(x, x.detach()),
    "l1_loss": lambda t, x: _f(t).l1_loss(x, t.zeros_like(x)),
    "l1_loss(x, x)": lambda t, x: _f(t).l1_loss(x, x.detach()),
    "bce_with_logits": lambda t, x: _f(t).binary_cross_entropy_with_logits(x, t.full_like(x, 0.5)),
    "bce(sigmoid)": lambda t, x: _f(t).binary_cross_entropy(x.sigmoid(), t.full_like(x, 0.5)),
    "cross_entropy": lambda t, x: _f(t).cross_entropy(x.reshape(1, -1), t.tensor([0])),
    "cross_entropy(label_smoothing)": lambda t, x: _f(t).cross_entropy(x.reshape(1, -1), t.tensor([0]),
                                                                        label_smoothing=0.1),
    "nll_loss": lambda t, x: _f(t).nll_loss(x.reshape(1, -1), t.tensor([0])),
    "F.relu": lambda t, x: _f(t).relu(x),
    "F.tanh": lambda t, x: _f(t).tanh(x),
    "F.sigmoid": lambda t, x: _f(t).sigmoid(x),
    "x @ x": lambda t, x: x @ x,
    "outer matmul": lambda t, x: x.reshape(-1, 1) @ x.reshape(1, -1),
    "linear": lambda t, x: _f(t).linear(x.reshape(1, -1), t.ones(2, x.shape[0]), t.ones(2)),
    "linear(weight=x)": lambda t, x: _f(t).linear(t.ones(3, x.shape[0]), x.reshape(1, -1)),
    "stack": lambda t, x: t.stack([x, 2 * x]),
    "cat": lambda t, x: t.cat([x, x * x]),
}
TOLERANCE = {"float16": 2e-3, "float32": 1e-5, "float64": 1e-10}


def _special_inputs():
    yield list(SPECIAL)
    for value in SPECIAL:
        yield [value]
        yield [value, 1.0, value]


def _run(lib, op, values, dtype):
    """(values, gradient, dtype) of op on a leaf of `values`, or the exception's type."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 1e30 in float16: creation is not under test here
        x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
    try:
        y = op(lib, x)
        (grad,) = lib.autograd.grad(y.sum(), x, allow_unused=True)
        settled((y, grad))
    except Exception as error:  # both libraries must raise the same type
        return type(error).__name__
    grad = None if grad is None else grad.double().cpu().numpy()
    return y.detach().double().cpu().numpy(), grad, str(y.dtype).rsplit(".", 1)[-1]


def _assert_close(got, expected, dtype, what):
    if expected is None or got is None:
        assert got is None and expected is None, what
        return
    tol = TOLERANCE[dtype]
    np.testing.assert_allclose(got, expected, rtol=tol, atol=tol, equal_nan=True, err_msg=what)
    np.testing.assert_array_equal(np.isposinf(got), np.isposinf(expected), err_msg=what + " (+inf)")
    np.testing.assert_array_equal(np.isneginf(got), np.isneginf(expected), err_msg=what + " (-inf)")


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("op_name", SPECIAL_OPS)
def test_values_and_gradients_at_special_values_match_pytorch(op_name, dtype):
    op = SPECIAL_OPS[op_name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PyTorch's and ember's degrees-of-freedom warning
        for values in _special_inputs():
            expected, got = _run(torch, op, values, dtype), _run(ember, op, values, dtype)
            what = f"{op_name} {dtype} at {values}"
            if isinstance(expected, str) or isinstance(got, str):
                assert got == expected, what
                continue
            assert got[2] == expected[2], what + " (dtype)"
            _assert_close(got[0], expected[0], dtype, what + " (value)")
            _assert_close(got[1], expected[1], dtype, what + " (gradient)")


def test_ops_leak_no_runtime_warning_from_core():
    """Core computes nothing with numpy itself: no RuntimeWarning of the special-value suite comes from it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for dtype in ("float32", "float16"):
            for op in SPECIAL_OPS.values():
                for values in _special_inputs():
                    _run(ember, op, values, dtype)
    from_core = [w for w in caught if issubclass(w.category, RuntimeWarning) and "ember_cpu" not in w.filename]
    assert not from_core, [f"{w.filename}:{w.lineno}: {w.message}" for w in from_core[:5]]


def _kernels_are_silent() -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            (ember.tensor([math.inf]) * 0).sum()
        except (RuntimeWarning, RuntimeError):  # ember reports a failed kernel as a RuntimeError
            return False
    return True


def test_special_value_suite_runs_with_warnings_as_errors():
    if not _kernels_are_silent():
        pytest.skip("the CPU kernels still let numpy warn (silenced on the kernel side)")
    for dtype in ("float32", "float64", "float16"):
        for name, op in SPECIAL_OPS.items():
            for values in _special_inputs():
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    expected = _run(torch, op, values, dtype)
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    warnings.filterwarnings("ignore", "(var|std)\\(\\)", UserWarning)  # PyTorch warns there too
                    got = _run(ember, op, values, dtype)
                if isinstance(got, str):
                    assert got == expected, f"{name} {dtype} at {values}"


PROD_ROWS = (
    [[-math.inf, 0.0, 0.0], [0.0, math.inf, 2.5], [1.0, -17.0, 1e30]],
    [[-1.0, -17.0, -0.0], [1e30, -1.0, -17.0], [1e30, math.nan, -math.inf]],
    [[math.inf, math.inf, 2.0], [0.0, 3.0, 0.0], [1.0, 2.0, 3.0]],
    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [math.inf, 0.5, 2.0]],
)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dim", [None, 0, 1])
@pytest.mark.parametrize("rows", PROD_ROWS)
def test_prod_gradients_next_to_zeros_infs_and_nans_match_pytorch(rows, dim, dtype):
    def run(lib):
        x = lib.tensor(rows, dtype=getattr(lib, dtype), requires_grad=True)
        (x.prod() if dim is None else x.prod(dim)).sum().backward()
        return x.grad.cpu().numpy()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        _assert_close(run(ember), run(torch), dtype, f"prod({dim}) of {rows}")


# op(lib, x) whose second derivative is compared at special and ordinary points
DOUBLE_BACKWARD_OPS = {
    "x ** 0": lambda t, x: x**0,
    "x ** 2": lambda t, x: x**2,
    "|x| ** 0.5": lambda t, x: x.abs() ** 0.5,
    "|x| ** -0.5": lambda t, x: x.abs() ** -0.5,
    "|x| ** x": lambda t, x: x.abs() ** x,
    "2 ** x": lambda t, x: 2**x,
    "0 ** x": lambda t, x: 0**x,
    "x ** tensor": lambda t, x: x ** t.tensor([2.0, 3.0, 0.0, 1.0]),
    "sigmoid": lambda t, x: x.sigmoid(),
    "tanh": lambda t, x: x.tanh(),
    "softmax": lambda t, x: x.softmax(0) * t.arange(4.0),
    "log_softmax": lambda t, x: x.log_softmax(0) * t.arange(4.0),
    "|x| * x": lambda t, x: x.abs() * x,
    "relu(x) * x": lambda t, x: x.relu() * x,
    "clamp(tensors) * x": lambda t, x: x.clamp(t.zeros(4), t.ones(4)) * x,
    "var": lambda t, x: x.var(),
    "std": lambda t, x: x.std(),
    "amax * x": lambda t, x: x.amax() * x,
    "max * x": lambda t, x: x.max() * x,
    "x / (x + 1)": lambda t, x: x / (x + 1),
    "float16 sigmoid": lambda t, x: x.half().sigmoid().float(),
}


def _second_derivative(lib, op, values):
    """The second derivative of op at `values`, or the type of the error computing it."""
    x = lib.tensor(values, requires_grad=True)
    try:
        (first,) = lib.autograd.grad(op(lib, x).sum(), x, create_graph=True)
        (second,) = lib.autograd.grad(first.sum(), x, allow_unused=True)
    except RuntimeError as error:  # x ** 0: the first derivative is a constant in both libraries
        return type(error)
    return None if second is None else second.detach().cpu().numpy()


@pytest.mark.parametrize("values", [[0.0, 2.0, -1.5, math.inf], [0.5, 1.0, 2.0, 3.0]])
@pytest.mark.parametrize("op_name", DOUBLE_BACKWARD_OPS)
def test_second_derivatives_match_pytorch(op_name, values):
    op = DOUBLE_BACKWARD_OPS[op_name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        got, expected = _second_derivative(ember, op, values), _second_derivative(torch, op, values)
    if isinstance(expected, type) or isinstance(got, type):
        assert got is expected
        return
    dtype = "float16" if "float16" in op_name else "float32"
    _assert_close(got, expected, dtype, f"{op_name} at {values}")


# ----- float16 computed as PyTorch computes it ----------------------------------------------------------
HALF_VALUES = np.concatenate([np.linspace(-20, 20, 399), [0.0, -0.0, 1e-5, -1e-5, 11.5, -11.5]]).astype(np.float16)
# op -> (op, most float16 steps its values and its gradients may be off PyTorch's)
HALF_OPS = {
    "sigmoid": (lambda t, x: x.sigmoid(), 0, 2),
    "tanh": (lambda t, x: x.tanh(), 0, 0),
    "softmax": (lambda t, x: x.reshape(-1, 3).softmax(1), 0, 0),
    "log_softmax(last dim)": (lambda t, x: x.reshape(-1, 3).log_softmax(1), 1, 16),
    "log_softmax(0)": (lambda t, x: x.reshape(3, -1).log_softmax(0), 0, 0),
    "sum": (lambda t, x: x.reshape(-1, 3).sum(1), 0, 0),
    "mean": (lambda t, x: x.reshape(3, -1).mean(0), 0, 0),
    "var": (lambda t, x: x.reshape(-1, 3).var(1), 0, 0),
    "std": (lambda t, x: x.reshape(-1, 3).std(1), 0, 0),
    "prod": (lambda t, x: x.reshape(-1, 3).prod(1), 1, 2),
    "cross_entropy": (lambda t, x: _f(t).cross_entropy(x.reshape(-1, 3), t.zeros(len(x) // 3, dtype=t.int64),
                                                       reduction="none"), 1, 1),
}


def _half_run(lib, op):
    x = lib.tensor(HALF_VALUES.copy(), requires_grad=True)
    y = op(lib, x)
    y.backward(lib.tensor(np.linspace(0.5, 1.5, y.numel()).astype(np.float16).reshape(tuple(y.shape))))
    return y.detach().cpu().numpy().copy(), x.grad.cpu().numpy().copy()


def _ulps(a, b):
    """How many float16 steps apart a and b are (0 for NaN and NaN, and for -0. and 0.)."""
    same = (a == b) | (np.isnan(a) & np.isnan(b))
    return np.where(same, 0, np.abs(a.view(np.int16).astype(np.int64) - b.view(np.int16).astype(np.int64)))


@pytest.mark.parametrize("op_name", HALF_OPS)
def test_float16_values_and_gradients_are_pytorchs_to_the_last_bits(op_name):
    """PyTorch's CPU kernels compute float16 in float32 and round once: sigmoid(-17) is 6e-8, not 0."""
    op, value_ulps, grad_ulps = HALF_OPS[op_name]
    (t_value, t_grad), (e_value, e_grad) = _half_run(torch, op), _half_run(ember, op)
    assert _ulps(e_value, t_value).max() <= value_ulps
    assert _ulps(e_grad, t_grad).max() <= grad_ulps


HALF_NUMBER_OPS = {
    "x * 0.1": lambda t, x: x * 0.1,
    "x / 0.1": lambda t, x: x / 0.1,
    "0.1 / x": lambda t, x: 0.1 / x,
    "x + 0.1": lambda t, x: x + 0.1,
    "0.3 - x": lambda t, x: 0.3 - x,
    "x * 2049": lambda t, x: x * 2049,
    "x.mul_(0.1)": lambda t, x: x.clone().mul_(0.1),
    "x.div_(0.3)": lambda t, x: x.clone().div_(0.3),
    "mul(x, 0.1, out=)": lambda t, x: t.mul(x, 0.1, out=t.empty_like(x)),
    "x * 0-d float32 tensor": lambda t, x: x * t.tensor(0.1),
    "x * 0-d float64 tensor": lambda t, x: x * t.tensor(0.1, dtype=t.float64),
    "x + 0-d float64 tensor": lambda t, x: x + t.tensor(0.1, dtype=t.float64),
    "|x| ** 1.5": lambda t, x: x.abs() ** 1.5,
}


@pytest.mark.parametrize("op_name", HALF_NUMBER_OPS)
def test_float16_with_a_number_rounds_as_pytorch(op_name):
    """PyTorch multiplies and divides float16 by a number in float32; numpy would round the number first."""
    op = HALF_NUMBER_OPS[op_name]
    values = np.linspace(-10, 10, 2001).astype(np.float16)
    got = op(ember, ember.tensor(values)).cpu().numpy()
    expected = op(torch, torch.tensor(values)).cpu().numpy()
    assert _ulps(got, expected).max() == 0


# ----- crashes and wrong classes ------------------------------------------------------------------------
def _grad_of(op, make):
    def run(t):
        x = make(t).requires_grad_()
        op(t, x).sum().backward()
        return x.grad
    return run


def _double_backward(op):
    def run(t):
        x = t.tensor([2.0, 3.0], requires_grad=True)
        (first,) = t.autograd.grad(op(t, x).sum(), x, create_graph=True)
        return t.autograd.grad(first.sum(), x)[0]
    return run


def _after_where(inplace):
    def run(t):
        result = t.where(t.tensor(True), t.tensor(2.0), 0.0)
        inplace(t, result)
        return result
    return run


def _linear(in_features, out_features, batch):
    def run(t):
        t.manual_seed(0)
        layer = t.nn.Linear(in_features, out_features)
        x = t.ones(batch, in_features, requires_grad=True)
        y = layer(x)
        y.sum().backward()
        return y, x.grad, layer.weight.grad, layer.bias.grad
    return run


CRASHES = {
    "int ** negative int tensor": lambda t: t.tensor([2, -1, 1, 0, 3]) ** t.tensor([-1, -3, -5, 2, 0]),
    "int32 ** negative int tensor": lambda t: t.tensor([2, 3], dtype=t.int32) ** t.tensor([-1, 2]),
    "bool ** int tensor": lambda t: t.tensor([True, False]) ** t.tensor([-1, 2]),
    "int ** negative int scalar": lambda t: t.tensor([2, -1]) ** -1,
    "int ** negative float scalar": lambda t: t.tensor([2, -1]) ** -1.0,
    "1 ** int tensor": lambda t: 1 ** t.tensor([-1, 2]),
    "(-1) ** int tensor": lambda t: (-1) ** t.tensor([-1, 2, -2]),
    "0 ** int tensor": lambda t: 0 ** t.tensor([-1, 2]),
    "2. ** int tensor": lambda t: 2.0 ** t.tensor([-1, 2]),
    "int pow_ negative int tensor": lambda t: t.tensor([2, -1]).pow_(t.tensor([-1, -3])),
    "int pow(out=) negative int tensor": lambda t: t.pow(t.tensor([2, -1]), t.tensor([-1, -3]),
                                                       out=t.empty(2, dtype=t.int64)),
    "pow_(-0.5) at -0.": lambda t: t.tensor([0.0, -0.0]).pow_(-0.5),
    "softmax of 0-d NaN": lambda t: t.tensor(math.nan).softmax(0),
    "log_softmax of 0-d NaN": lambda t: t.tensor(math.nan).log_softmax(0),
    "softmax of 0-d inf": lambda t: t.tensor(math.inf).softmax(0),
    "log_softmax of 0-d": lambda t: t.tensor(3.0).log_softmax(0),
    "softmax over an empty dim": lambda t: t.zeros(2, 0).softmax(1),
    "log_softmax over a full dim of an empty tensor": lambda t: t.zeros(0, 3).log_softmax(1),
    "softmax backward over an empty dim": _grad_of(lambda t, x: x.softmax(1), lambda t: t.zeros(2, 0)),
    "fill_ after a 0-d where": _after_where(lambda t, r: r.fill_(1.0)),
    "div_ after a 0-d where": _after_where(lambda t, r: r.div_(2.0)),
    "copy_ after a 0-d where": _after_where(lambda t, r: r.copy_(t.tensor(5.0))),
    "0-d where(mask, 0, x)": lambda t: t.where(t.tensor(False), 0.0, t.tensor(2.0)).add_(1),
    "pow double backward": _double_backward(lambda t, x: x.relu() ** 3),
    "pow tensor double backward": _double_backward(lambda t, x: x ** t.tensor([3.0, 2.0])),
    "rpow double backward": _double_backward(lambda t, x: 2 ** x),
    "mse_loss backward on empty (mean)": _grad_of(lambda t, x: _f(t).mse_loss(x, t.zeros(0)), lambda t: t.zeros(0)),
    "mse_loss backward on empty (sum)": _grad_of(lambda t, x: _f(t).mse_loss(x, t.zeros(0), reduction="sum"),
                                                 lambda t: t.zeros(0)),
    "var of a 0-d tensor": _grad_of(lambda t, x: x.var(), lambda t: t.tensor(3.0)),
    "var(correction=0) of a 0-d tensor": _grad_of(lambda t, x: x.var(correction=0), lambda t: t.tensor(3.0)),
    "std of a 0-d tensor": lambda t: t.tensor(3.0).std(),
    "mse_loss with a bool target": _grad_of(lambda t, x: _f(t).mse_loss(x, t.tensor([True, False])),
                                            lambda t: t.tensor([0.5, 0.0])),
    "Linear(0, 1) on an empty input": _linear(0, 1, 3),
    "Linear(2, 0)": _linear(2, 0, 3),
    "Linear on an empty batch": _linear(2, 3, 0),
    "cat(float16, empty float32)": lambda t: t.cat([t.ones(2, dtype=t.float16), t.zeros(0)]),
    "cat(empty float32, float16)": lambda t: t.cat([t.zeros(0), t.ones(2, dtype=t.float16)]),
    "cat(empty int64, float16)": lambda t: t.cat([t.zeros(0, dtype=t.int64), t.ones(2, dtype=t.float16)]),
    "cat(int32, empty bool)": lambda t: t.cat([t.ones(2, dtype=t.int32), t.zeros(0, dtype=t.bool)]),
    "nll_loss of 1-D input and a 1-D target of 3": lambda t: _f(t).nll_loss(t.zeros(3), t.zeros(3, dtype=t.int64)),
    "cross_entropy with an integer target of the input's shape":
        lambda t: _f(t).cross_entropy(t.zeros(3), t.zeros(3, dtype=t.int64)),
    "clamp(tensor, tensor, number)": lambda t: t.clamp(t.ones(2), t.zeros(2), 3.0),
    "prod over a tuple of dims": lambda t: t.ones(2, 3).prod((0, 1)),
    "amax over an empty dim": lambda t: t.zeros(2, 0).amax(1),
    "amin over an empty dim, keepdim": lambda t: t.zeros(2, 0).amin(1, keepdim=True),
    "amax over dims with an empty one": lambda t: t.zeros(2, 0).amax((0, 1)),
    "amax of no elements": lambda t: t.zeros(0).amax(),
    "amax along a full dim of an empty tensor": lambda t: t.zeros(2, 0).amax(0),
    "var over an empty dim": lambda t: t.zeros(2, 0).var(1),
    "std of no elements": lambda t: t.zeros(0).std(),
    "prod over an empty dim": lambda t: t.zeros(2, 0).prod(1),
    "mean over an empty dim": lambda t: t.zeros(2, 0).mean(1),
}


def _outcome(lib, fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        try:
            return fn(lib)
        except Exception as error:
            return type(error)


def _assert_same_outcome(got, expected, what="result"):
    if isinstance(expected, type):
        assert got is expected, f"{what}: expected {expected.__name__}, got {got!r}"
    elif isinstance(expected, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(expected), what
        for index, (g, e) in enumerate(zip(got, expected)):
            _assert_same_outcome(g, e, f"{what}[{index}]")
    elif expected is None:
        assert got is None, what
    else:
        assert isinstance(got, ember.Tensor), f"{what}: {got!r}"
        assert tuple(got.shape) == tuple(expected.shape), what
        assert str(got.dtype).rsplit(".", 1)[-1] == str(expected.dtype).rsplit(".", 1)[-1], what
        np.testing.assert_allclose(got.detach().double().cpu().numpy(), expected.detach().double().cpu().numpy(),
                                   rtol=1e-5, atol=1e-6, equal_nan=True, err_msg=what)


@pytest.mark.parametrize("case", CRASHES)
def test_edge_inputs_give_pytorchs_result_or_error_class(case):
    fn = CRASHES[case]
    _assert_same_outcome(_outcome(ember, fn), _outcome(torch, fn))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_an_ignored_target_with_an_infinite_logit_contributes_exactly_zero(reduction):
    def run(t, op, logits):
        x = t.tensor(logits, requires_grad=True)
        loss = op(t)(x, t.tensor([-100, 0]), reduction=reduction)
        loss.sum().backward()
        return loss, x.grad

    cross_entropy, logits = (lambda t: _f(t).cross_entropy), [[math.inf, 0.0], [1.0, 2.0]]
    for op, inputs in ((cross_entropy, logits), (lambda t: _f(t).nll_loss, [[-math.inf, 0.0], [1.0, 2.0]])):
        _assert_same_outcome(run(ember, op, inputs), run(torch, op, inputs))
    with ember.no_grad():  # the fused kernel, without a graph
        fused = _f(ember).cross_entropy(ember.tensor(logits), ember.tensor([-100, 0]), reduction=reduction)
    _assert_same_outcome(fused, run(torch, cross_entropy, logits)[0].detach())


# ----- memory layout ------------------------------------------------------------------------------------
LAYOUT_BASE = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7 + 0.5
LAYOUTS = {
    "contiguous": lambda x: x,
    "transposed(0, 1)": lambda x: x.transpose(0, 1),
    "permuted": lambda x: x.permute(2, 0, 1),
    "stepped": lambda x: x[:, ::2],
    "transposed(1, 2)": lambda x: x.transpose(1, 2),
    "expanded": lambda x: x[:, :1].expand(2, 3, 4),
    "t() of a slice": lambda x: x[0].t(),
    "offset permuted": lambda x: x[1:].permute(2, 1, 0),
}
LAYOUT_OPS = {
    "exp": lambda t, x: x.exp(),
    "neg": lambda t, x: -x,
    "abs": lambda t, x: x.abs(),
    "relu": lambda t, x: x.relu(),
    "sigmoid": lambda t, x: x.sigmoid(),
    "sign": lambda t, x: x.sign(),
    "x + 1": lambda t, x: x + 1,
    "2 - x": lambda t, x: 2 - x,
    "2 / x": lambda t, x: 2 / x,
    "x ** 2": lambda t, x: x**2,
    "x ** 0.5": lambda t, x: x**0.5,
    "2 ** x": lambda t, x: 2**x,
    "x ** x": lambda t, x: x**x,
    "x * x": lambda t, x: x * x,
    "x == x": lambda t, x: x == x,
    "where": lambda t, x: t.where(x > 1, x, 0.0),
    "clamp": lambda t, x: x.clamp(0, 1),
    "clamp(tensor)": lambda t, x: x.clamp(x * 0),
    "softmax(-1)": lambda t, x: x.softmax(-1),
    "softmax(0)": lambda t, x: x.softmax(0),
    "log_softmax(-1)": lambda t, x: x.log_softmax(-1),
    "log_softmax(1)": lambda t, x: x.log_softmax(1),
    "float16 softmax": lambda t, x: x.half().softmax(-1),
    "sum(-1)": lambda t, x: x.sum(-1),
    "sum(0)": lambda t, x: x.sum(0),
    "mean(-1)": lambda t, x: x.mean(-1),
    "max(-1)": lambda t, x: x.max(-1)[0],
    "argmax(0)": lambda t, x: x.argmax(0),
    "amax(0)": lambda t, x: x.amax(0),
    "var(-1)": lambda t, x: x.var(-1),
    "std(0)": lambda t, x: x.std(0),
    "prod(-1)": lambda t, x: x.prod(-1),
    "prod(0)": lambda t, x: x.prod(0),
    "any(0)": lambda t, x: (x > 1).any(0),
    "cat(0)": lambda t, x: t.cat([x, x], 0),
    "cat(-1)": lambda t, x: t.cat([x, x], -1),
    "stack": lambda t, x: t.stack([x, x]),
    "matmul": lambda t, x: x @ x.transpose(-1, -2),
    "mse_loss(none)": lambda t, x: _f(t).mse_loss(x, x * 0, reduction="none"),
    "bce_with_logits(none)": lambda t, x: _f(t).binary_cross_entropy_with_logits(x, x * 0, reduction="none"),
    "linear": lambda t, x: _f(t).linear(x, t.ones(5, x.shape[-1])),
}


def _layout(lib, op, layout):
    result = op(lib, LAYOUTS[layout](lib.tensor(LAYOUT_BASE.copy())))
    # a size-1 dim's stride is arbitrary (PyTorch's is_contiguous ignores it)
    strides = tuple(s for s, n in zip(result.stride(), result.shape) if n != 1)
    return strides, result.is_contiguous()


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("op_name", LAYOUT_OPS)
def test_result_strides_are_pytorchs(op_name, layout):
    op = LAYOUT_OPS[op_name]
    assert _layout(ember, op, layout) == _layout(torch, op, layout)


@pytest.mark.parametrize("op_name", ["softmax", "log_softmax", "sum", "cat"])
def test_results_of_transposed_inputs_can_be_viewed_flat(op_name):
    def run(lib):
        x = lib.ones(2, 3).t()
        result = lib.cat([x, x], 1) if op_name == "cat" else getattr(x, op_name)(-1)
        return result.view(-1)

    _assert_same_outcome(run(ember), run(torch))
