"""Running reductions along a dim (scans): cumsum and cumprod (the backend's scan kernels), cummax and
cummin (composed: a running maximum in log-many steps, and the position where it was last reached)."""
from __future__ import annotations

from .. import _dtype, return_types
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import creation, joining
from .dispatch import bump, check_out, profiled
from .inplace import make_inplace
from .pointwise import maximum, minimum, where
from .scatter import scatter_add_along

_int64, _bool = _dtype.int64, _dtype.bool_


# The C++ names PyTorch's "Expected out tensor to have dtype ..." errors give dtypes.
_OUT_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "int32": "int", "int64": "long int",
              "bool": "bool"}


def check_out_dtype(out: Tensor, dt) -> None:
    """PyTorch's error for an out= tensor of another dtype than an op that fixes its result's dtype."""
    if out._dtype is not dt:
        raise RuntimeError(f"Expected out tensor to have dtype {_OUT_NAMES[dt.name]}, but got "
                           f"{_OUT_NAMES[out._dtype.name]} instead")


def _dim_of(op: str, input, dim) -> int:
    """`dim` wrapped for `input`, with PyTorch's errors for a missing or non-int dim."""
    if dim is None:
        raise TypeError(f'{op}() missing 1 required positional arguments: "dim"')
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"{op}(): argument 'dim' (position 2) must be int, not {type(dim).__name__}")
    return _wrap_dim(dim, input.ndim, op)


def reversed_cumsum(x: Tensor, dim: int) -> Tensor:
    """Sums from each element to the end of `dim` (``x.flip(dim).cumsum(dim).flip(dim)``)."""
    return x.flip(dim).cumsum(dim).flip(dim)


class CumsumBackward0(Node):
    def backward(self, grad):
        if not grad._data.shape or grad._data.shape[self.dim] <= 1:
            return grad
        return reversed_cumsum(grad, self.dim)


class CumprodBackward0(Node):
    """PyTorch's cumprod_backward: sum over j >= k of grad_j * output_j / x_k, written without the division
    where an x is 0 (exactly, as the products of the other elements), differentiable either way."""

    def backward(self, grad):
        x, result = self.saved_tensors
        dim = self.dim
        if not x._data.shape or x._data.shape[dim] <= 1:
            return grad
        if not bool((x == 0).any()):
            return reversed_cumsum(result * grad, dim) / x
        n = x._data.shape[dim]
        ones = creation.ones_like(x.narrow(dim, 0, 1))
        before = joining.cat([ones, x.narrow(dim, 0, n - 1).cumprod(dim)], dim)  # products of x_i, i < k
        return before * _weighted_tails(grad, x, dim)


def _weighted_tails(grad: Tensor, x: Tensor, dim: int) -> Tensor:
    """S_k = sum over j >= k of grad_j * prod(x_i, k < i <= j), the recurrence S_k = grad_k + x_{k+1} S_{k+1}
    solved in log-many steps of differentiable ops (no division, so exact next to zeros)."""
    n = x._data.shape[dim]
    zeros = creation.zeros_like(x.narrow(dim, 0, 1))
    factor = joining.cat([x.narrow(dim, 1, n - 1), zeros], dim)  # S_k = total_k + factor_k * S_{k+step}
    total, step = grad, 1
    while step < n:
        pad = zeros.expand(*[step if d == dim else s for d, s in enumerate(x._data.shape)])
        total = total + factor * joining.cat([total.narrow(dim, step, n - step), pad], dim)
        factor = factor * joining.cat([factor.narrow(dim, step, n - step), pad], dim)
        step *= 2
    return total


def _scan(op: str, input, dim, dtype, out, node_cls):
    d = _dim_of(op, input, dim)
    dt = _dtype.parse(dtype, op)
    if out is not None and dt is not None:
        check_out_dtype(out, dt)
    dt = dt or (input._dtype if input._dtype.is_floating_point else _int64)
    if dt is _bool:
        raise NotImplementedError(f'"{op}_out_cpu" not implemented for \'Bool\'')
    k = input._device.kernels
    data = input._data if dt is input._dtype else k.astype(input._data, dt)
    if out is not None:
        check_out(out, op, input._data.shape, dt, (input,))
    if not data.shape:  # a 0-d tensor is its own running sum and product
        computed = k.astype(data, dt) if data is input._data else data
        if out is not None:
            k.copy_(out._data, computed)
    elif out is not None and out._dtype is dt:
        getattr(k, op)(data, d, out=out._data)
    else:
        computed = getattr(k, op)(data, d)
        if out is not None:
            k.copy_(out._data, computed)
    if out is not None:
        bump(out)
        return out
    result = wrap(computed, dt, input._device)
    saved = (input, result) if node_cls is CumprodBackward0 else ()
    return attach(result, node_cls, (input,), saved, dim=d)


@profiled("aten::cumsum")
def cumsum(input, dim=None, *, dtype=None, out=None):
    """Running sums along `dim`; bool and int tensors sum as int64 (or as `dtype`), as in PyTorch."""
    return _scan("cumsum", input, dim, dtype, out, CumsumBackward0)


@profiled("aten::cumprod")
def cumprod(input, dim=None, *, dtype=None, out=None):
    """Running products along `dim`; bool and int tensors multiply as int64 (or as `dtype`)."""
    return _scan("cumprod", input, dim, dtype, out, CumprodBackward0)


def check_pair_out(op: str, out, input: Tensor, shape) -> None:
    """Check the (values, indices) out= pair of an op selecting values of `input`, before any work."""
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError(f"{op}(): argument 'out' must be tuple of Tensors, not {type(out).__name__}")
    for target, dt in zip(out, (input._dtype, _int64)):
        check_out(target, op, shape, dt, (input,))
        check_out_dtype(target, dt)


def write_pair(out, values: Tensor, indices: Tensor, result_type):
    """Copy an op's values and indices into its out= pair, returned as the op's named tuple."""
    for target, source in zip(out, (values, indices)):
        target._device.kernels.copy_(target._data, source._data)
        bump(target)
    return result_type(*out)


def _in_place(op, name: str):
    """The in-place method `name` of scan `op`, computed in the tensor's own dtype (a bool tensor is
    PyTorch's NotImplementedError, not an int64 result that cannot be written back)."""
    write = make_inplace(op, name, False)

    def method(self, dim=None, *, dtype=None):
        dt = _dtype.parse(dtype, name)
        if dt is not None and dt is not self._dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype {_OUT_NAMES[self._dtype.name]} and output "
                               f"tensor dtype {_OUT_NAMES[dt.name]} should match")
        return write(self, dim, dtype=self._dtype)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of `{name[:-1]}`."
    return method


INPLACE_METHODS = {"cumsum_": _in_place(cumsum, "cumsum_"), "cumprod_": _in_place(cumprod, "cumprod_")}


def running(x: Tensor, dim: int, combine) -> Tensor:
    """The inclusive scan of `x` along `dim` under the associative `combine`, in log-many steps."""
    n, step = x._data.shape[dim], 1
    while step < n:
        x = joining.cat([x.narrow(dim, 0, step), combine(x.narrow(dim, step, n - step), x.narrow(dim, 0, n - step))],
                        dim)
        step *= 2
    return x


class CummaxBackward0(Node):
    """The gradient of each running extreme goes to the element it came from (PyTorch's scatter_add)."""

    def backward(self, grad):
        (indices,) = self.saved_tensors
        if not grad._data.shape:
            return grad
        return scatter_add_along(grad, self.dim, indices, grad._data.shape)


class CumminBackward0(CummaxBackward0):
    pass


def _running_extreme(op: str, input, dim, out):
    d = _dim_of(op, input, dim)
    if out is not None:
        check_pair_out(op, out, input, input._data.shape)
    with grad_mode.no_grad():
        if not input._data.shape:
            values, indices = input.clone(), creation.zeros((), dtype=_int64, device=input.device)
        else:
            values = running(input, d, maximum if op == "cummax" else minimum)
            # the last position where the running extreme was reached (or a NaN seen), as PyTorch's >=
            reached = (input == values) | (input != input)
            positions = creation.arange(input._data.shape[d], device=input.device)
            positions = positions.reshape([-1 if i == d else 1 for i in range(input.ndim)])
            indices = running(where(reached, positions, -1), d, maximum)
    result_type = return_types.cummax if op == "cummax" else return_types.cummin
    if out is not None:
        return write_pair(out, values, indices, result_type)
    attach(values, CummaxBackward0 if op == "cummax" else CumminBackward0, (input,), (indices,), dim=d)
    return result_type(values, indices)


@profiled("aten::cummax")
def cummax(input, dim=None, *, out=None):
    """(values, indices): the running maximum along `dim` and where it was last reached (NaN stays)."""
    return _running_extreme("cummax", input, dim, out)


@profiled("aten::cummin")
def cummin(input, dim=None, *, out=None):
    """(values, indices): the running minimum along `dim` and where it was last reached (NaN stays)."""
    return _running_extreme("cummin", input, dim, out)
