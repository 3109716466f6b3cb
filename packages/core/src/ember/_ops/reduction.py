"""Reductions over dimensions: sum, mean, prod, any, all (one `Reduction` entry each), max/min (+ arg,
from one `Extreme` entry each), var, std."""
from __future__ import annotations

import builtins
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .. import _dtype, return_types
from .._tensor import Tensor, _wrap_dim, wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach
from . import creation, joining
from .dispatch import profiled
from .pointwise import maximum, minimum, where
from .selection_grad import evenly_distribute_backward, value_selecting_backward
from .views import expand_to

_int64, _bool = _dtype.int64, _dtype.bool_
_float16, _float32, _float64 = _dtype.float16, _dtype.float32, _dtype.float64


def reduced_dims(dim, ndim: int, op: str) -> tuple:
    """`dim` (None, an int, or a sequence) as a sorted tuple of distinct non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int) and not isinstance(dim, bool):
        d = _wrap_dim(dim, ndim, op)
        return (d,) if ndim else ()  # a 0-d tensor accepts dim 0 or -1 and is its own reduction
    dims = tuple(_wrap_dim(d, ndim, op) for d in dim)
    if not ndim:
        return ()
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"{op}(): dim {dims} appears multiple times in the list of dims")
    return tuple(sorted(dims)) if dims else tuple(range(ndim))


def numpy_keywords(op: str, dim, keepdim, axis, keepdims):
    """`dim` and `keepdim` from numpy's ``axis=`` and ``keepdims=``, which PyTorch's reductions also take."""
    if axis is not None:
        if dim is not None and dim != ():
            raise TypeError(f"{op}() got multiple values for argument 'dim' (given as dim and axis)")
        dim = axis
    return dim, keepdim if keepdims is None else keepdims


def unsqueeze_back(grad: Tensor, shape: tuple, dims: tuple, keepdim: bool) -> Tensor:
    """A reduction's gradient with its reduced dims of the input's `shape` back, of size 1 (keepdim's shape)."""
    if not keepdim and shape:
        for d in dims:
            grad = grad.unsqueeze(d)
    return grad


def expand_back(grad: Tensor, shape: tuple, dims: tuple, keepdim: bool) -> Tensor:
    """Broadcast a reduction's gradient back over the reduced dims of the input's `shape`."""
    return expand_to(unsqueeze_back(grad, shape, dims, keepdim), shape)


def _reduce(kernel: str, x: Tensor, dims: tuple, keepdim: bool):
    """Run reduction kernel `kernel` (0-d inputs reduce to a copy of themselves, a floating sum to 0 + x, as
    PyTorch's, whose sum starts from +0: -0 sums to +0); the result is contiguous whatever the input's layout,
    as PyTorch's reductions (a new 0-d or 1-d one always is)."""
    k = x._device.kernels
    if not x._data.shape:
        return k.add(x._data, 0.0) if kernel == "sum" and x._dtype.is_floating_point else k.astype(x._data, x._dtype)
    if x._dtype is _float16 and kernel == "sum":  # accumulated in float32 and rounded once, as PyTorch
        result = k.astype(k.sum(k.astype(x._data, _float32), dims, keepdim), _float16)
    else:
        result = getattr(k, kernel)(x._data, dims, keepdim)
    return k.contiguous(result) if len(result.shape) > 1 else result


def _kept_shape(shape, dims, keepdim):
    return tuple(1 if i in dims else s for i, s in enumerate(shape) if keepdim or i not in dims)


class MaxBackward1(Node):
    """Gradient of an all-element max/min: shared evenly among the elements equal to it (among the NaNs
    when it is NaN, as PyTorch's evenly_distribute_backward)."""

    def backward(self, grad):
        x, result = self.saved_tensors
        return evenly_distribute_backward(grad, x, result)


class MaxBackward0(Node):
    """Gradient of max/min along a dim: flows to the selected index only."""

    def backward(self, grad):
        (indices,) = self.saved_tensors
        return value_selecting_backward(grad, self.dim, indices, self.shape, self.keepdim)


def ties_backward(grad, x, result, dims: tuple, keepdim: bool):
    """Gradient of amax/amin (and aminmax's): `grad` shared evenly among the elements of `x` equal to
    `result` in each reduced slice."""
    if not keepdim:  # PyTorch's restore_reduced_dims: a view with the dims kept as 1
        kept = tuple(1 if d in dims else n for d, n in enumerate(x._data.shape))
        grad, result = grad.view(kept), result.view(kept)
    mask = x == result
    # PyTorch's scale_grad_by_count: (grad / count) * mask, NaN wherever the extreme is NaN (count 0)
    return grad / mask.sum(dims, keepdim=True) * mask


class AmaxBackward0(Node):
    """Gradient of amax/amin: shared evenly among the ties of each reduced slice."""

    def backward(self, grad):
        x, result = self.saved_tensors
        return ties_backward(grad, x, result, self.dims, self.keepdim)


def _flip(k, data, dt):
    """`data` with its order reversed (negated; a bool buffer inverted), for a min without its kernel."""
    return k.neg(data) if dt is not _bool else k.eq(data, False)


@dataclass(frozen=True, eq=False)
class Extreme:
    """A reduction that selects an element, max or min, declared once: `selecting` makes its three forms
    from it (``max``, ``amax``, ``argmax``), profiled and with their grad_fn classes under PyTorch's names."""

    name: str  # "max" or "min": its kernels (``argmax`` for the indices) and its return type
    pairwise: Callable  # the elementwise form, ``max(input, other)``
    word: str  # "largest" or "smallest", for the docstrings

    def values(self, input, dims: tuple, keepdim: bool):
        """The selected values over `dims` (a buffer); min without its optional kernel flips max's."""
        k, dt = input._device.kernels, input._dtype
        if getattr(k, self.name) is not None:
            return _reduce(self.name, input, dims, keepdim)
        return _flip(k, _reduce("max", wrap(_flip(k, input._data, dt), dt, input._device), dims, keepdim), dt)

    def indices(self, input, dim, keepdim: bool) -> Tensor:
        """The index of the selected element along `dim` (of the flattened input when None), as int64."""
        k = input._device.kernels
        if not input._data.shape:
            return wrap(k.full((), 0, _int64), _int64, input._device)
        kernel = getattr(k, "arg" + self.name)
        if kernel is not None:
            data = kernel(input._data, dim, keepdim)
        else:
            data = k.argmax(_flip(k, input._data, input._dtype), dim, keepdim)
        return wrap(data, _int64, input._device)


def _node(base: type, name: str) -> type:
    """`base`, or its subclass named `name` (min's grad_fn classes are max's under PyTorch's names)."""
    return base if base.__name__ == name else type(name, (base,), {"__module__": __name__})


def selecting(entry: Extreme) -> tuple:
    """`entry`'s ``max``, ``amax`` and ``argmax`` functions."""
    name, arg, a = entry.name, "arg" + entry.name, "a" + entry.name
    cap = name.capitalize()
    all_node, along_node = _node(MaxBackward1, cap + "Backward1"), _node(MaxBackward0, cap + "Backward0")
    ties_node, pair = _node(AmaxBackward0, f"A{name}Backward0"), getattr(return_types, name)

    def extreme(input, dim=None, keepdim=False, *, other=None, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = numpy_keywords(name, dim, keepdim, axis, keepdims)
        if isinstance(dim, Tensor):
            dim, other = None, dim
        if other is not None:
            return entry.pairwise(input, other)
        if dim is None:
            if input.numel() == 0:
                _check_nonempty(name, input, (), True)
            result = wrap(entry.values(input, tuple(range(input.ndim)), False), input._dtype, input._device)
            return attach(result, all_node, (input,), (input, result))
        d = _wrap_dim(dim, input.ndim, name)
        if input.ndim and input._data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        values = wrap(entry.values(input, (d,), keepdim), input._dtype, input._device)
        indices = entry.indices(input, d if input.ndim else None, keepdim)
        attach(values, along_node, (input,), (indices,), dim=d, keepdim=keepdim, shape=input.shape)
        return pair(values, indices)

    def values_only(input, dim=(), keepdim=False, *, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = numpy_keywords(a, dim, keepdim, axis, keepdims)
        dims = reduced_dims(dim if dim != () else None, input.ndim, a)
        if 0 in input._data.shape:
            _check_nonempty(a, input, dims, dim in ((), None))
        result = wrap(entry.values(input, dims, keepdim), input._dtype, input._device)
        return attach(result, ties_node, (input,), (input, result), shape=input.shape, dims=dims, keepdim=keepdim)

    def index(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = numpy_keywords(arg, dim, keepdim, axis, keepdims)
        d = None if dim is None else _wrap_dim(dim, input.ndim, arg)
        if input._dtype is _bool:
            raise RuntimeError(f"{arg}(): does not support bool input")
        if d is None and 0 in input._data.shape:
            raise IndexError(f"{arg}(): Expected reduction dim to be specified for input.numel() == 0.")
        if d is not None and input._data.shape and input._data.shape[d] == 0:
            _check_nonempty(arg, input, (d,), False)
        result = entry.indices(input, d, keepdim)
        return result.reshape((1,) * input.ndim) if d is None and keepdim else result

    docs = (f"The {entry.word} element; with `dim`, (values, indices) along it; with a tensor, elementwise "
            f"{entry.pairwise.__name__}.",
            f"{entry.pairwise.__name__.capitalize()} over dims (all when empty), gradient shared evenly among ties.",
            f"Index of the {entry.word} element (of the flattened tensor when `dim` is None).")
    for fn, form, doc in zip((extreme, values_only, index), (name, a, arg), docs):
        fn.__name__ = fn.__qualname__ = form
        fn.__doc__ = doc
    return tuple(profiled("aten::" + fn.__name__)(fn) for fn in (extreme, values_only, index))


def _check_nonempty(op: str, input, dims, all_dims: bool) -> None:
    """PyTorch's errors for a max/min over no elements (there is no identity to return)."""
    if all_dims:
        raise RuntimeError(f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                           "the reduction dim with the 'dim' argument.")
    for d in sorted(dims):
        if input._data.shape[d] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size (input of shape "
                             f"{list(input._data.shape)}).")


max, amax, argmax = selecting(Extreme("max", maximum, "largest"))
min, amin, argmin = selecting(Extreme("min", minimum, "smallest"))


def _var_backward(grad, x, node):
    """PyTorch's var_backward: 2 / (N - correction) * grad * (x - mean); a full reduction without degrees
    of freedom gives NaN where x equals the mean and inf elsewhere. The gradient stays of keepdim's shape, as
    PyTorch's, so that the result is laid out as x (a transposed x gives a transposed gradient)."""
    mean = x.mean(node.dims, keepdim=True)
    grad = unsqueeze_back(grad, node.shape, node.dims, node.keepdim)
    if node.full and node.denominator <= 0:
        return grad * where(x == mean, math.nan, math.inf)
    factor = 2.0 / node.denominator if node.denominator else math.inf
    return factor * grad * (x - mean)


class VarBackward0(Node):
    def backward(self, grad):
        (x,) = self.saved_tensors
        return _var_backward(grad, x, self)


class StdBackward0(Node):
    def backward(self, grad):
        x, result = self.saved_tensors
        # PyTorch's std_backward: var_backward of grad / (2 std), 0 where std is 0
        return _var_backward(where(result == 0, 0.0, grad / (result * 2)), x, self)


def spreading(name: str, node: type, root: bool):
    """var, or std when `root` (the square root of var, its node saving the result too)."""
    def spread(input, dim=None, unbiased=None, keepdim=False, *, correction=None, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = numpy_keywords(name, dim, keepdim, axis, keepdims)
        if not input._dtype.is_floating_point:
            raise RuntimeError(f"{name}(): input dtype should be floating point, got {input._dtype!r}")
        if isinstance(dim, bool):
            unbiased, dim = dim, None
        if correction is None:
            correction = 1 if unbiased is None or unbiased else 0
        dims = reduced_dims(dim, input.ndim, name)
        count = 1
        for d in dims:
            count *= input._data.shape[d]
        k = input._device.kernels
        # Accumulated in float64, as PyTorch's CPU kernels do: float32 squares of 1e30 would overflow.
        wide = input if input._dtype is _float64 else wrap(k.astype(input._data, _float64), _float64, input._device)
        if input._dtype is _float32 and count == input.numel() and count:
            # PyTorch's reduction to one element (std_var_all_cpu) takes the mean in float32 (self.mean()),
            # whose rounding then shows: three float32 1e30 have a variance of inf there
            mean_data = k.astype(k.div(_reduce("sum", input, dims, True), count), _float64)
        else:
            mean_data = k.div(_reduce("sum", wide, dims, True), count)
        centered = k.sub(wide._data, mean_data)
        denominator = count - correction
        if denominator <= 0:
            warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                          "reduction factor (input numel divided by output numel).", stacklevel=3)
        squares = _reduce("sum", wrap(k.mul(centered, centered), _float64, input._device), dims, keepdim)
        data = k.div(squares, builtins.max(denominator, 0))
        if root:
            data = k.sqrt(data)
        if input._dtype is not _float64:
            data = k.astype(data, input._dtype)
        result = wrap(data, input._dtype, input._device)
        return attach(result, node, (input,), (input, result) if root else (input,), dims=dims, keepdim=keepdim,
                      shape=input.shape, denominator=denominator, full=dim is None or not input.ndim)

    spread.__name__ = spread.__qualname__ = name
    spread.__doc__ = f"{'Standard deviation' if root else 'Variance'} over `dim`, with Bessel's correction by " \
        "default (``correction=1``)."
    return profiled("aten::" + name)(spread)


var, std = spreading("var", VarBackward0, False), spreading("std", StdBackward0, True)


def _prod_gradient(node, grad, with_zeros):
    """A product's gradient, as PyTorch's prod_backward: result / x when no element is 0, else
    ``with_zeros(grad, x, zeros, dims)``. Written with differentiable ops, so the gradient has a gradient
    too (create_graph=True)."""
    x, result = node.saved_tensors
    dims, shape = node.dims, node.shape
    grad = expand_back(grad, shape, dims, node.keepdim)
    if not dims:  # a 0-d input is its own product
        return grad
    zeros = int((x == 0).sum())
    if not zeros:
        return grad * (expand_back(result, shape, dims, node.keepdim) / x)
    return with_zeros(grad, x, zeros, dims)


def _prod_along_backward(node, grad):
    """Along a dim: the exact product of the other elements of each one's slice where there are zeros."""
    return _prod_gradient(node, grad, lambda grad, x, zeros, dims: grad if x._data.shape[dims[0]] == 1 else
                          grad * _exclusive_products(x, dims[0]))


def _prod_backward(node, grad):
    """Over all elements: zeros when two or more elements are 0, as PyTorch (which still takes the exact
    products when the gradient itself is differentiated: its gradient is not 0)."""
    def with_zeros(grad, x, zeros, dims):
        if zeros > 1 and not grad_mode.state.enabled:
            return creation.zeros_like(x)
        if x.numel() == 1:
            return grad
        return grad * _exclusive_products(x.reshape(-1), 0).reshape(x.shape)
    return _prod_gradient(node, grad, with_zeros)


def _exclusive_products(x: Tensor, dim: int) -> Tensor:
    """Each element's product of the elements before it times the product of those after it along
    `dim`, as PyTorch's prod_safe_zeros_backward computes them (two cumprods, the second over the flipped
    elements): exact next to zeros, infs and NaNs, no division."""
    n = x._data.shape[dim]
    ones = creation.ones_like(x.narrow(dim, 0, 1))
    before = joining.cat([ones, x.narrow(dim, 0, n - 1)], dim)
    after = joining.cat([ones, x.narrow(dim, 1, n - 1).flip(dim)], dim)
    return before.cumprod(dim) * after.cumprod(dim).flip(dim)


# Reduced lengths from which PyTorch's CPU prod multiplies in vector lanes (four vectors of AVX2's; below them
# it multiplies one element after another; past them its order depends on the machine's vector width, and
# the halving order is used here).
_VECTORISED_FROM = {_float16: 64, _float32: 32, _float64: 16}


def product_over(input, dims: tuple, keepdim: bool, dt=None) -> Tensor:
    """Product over `dims` (all of them: over the elements in order) as PyTorch's CPU kernel multiplies: in
    the result dtype, rounded at each step (float16 too), one element after another along a short dim; by
    halving a longer one (log-many multiply kernels; no prod kernel needed). The result is of dtype `dt`
    when given (prod's dtype=), else bool and int products are int64."""
    from .views import narrow_buffer, reshape_buffer

    device = input._device
    k = device.kernels
    dt = dt or (input._dtype if input._dtype.is_floating_point else _int64)
    data = input._data if dt is input._dtype else k.astype(input._data, dt)
    shape, reduced, fresh = data.shape, dims, dt is not input._dtype
    if len(dims) > 1 and len(dims) == len(shape):  # over every element: in their order
        data, dims = reshape_buffer(device, k.contiguous(data), (math.prod(shape),)), (0,)
    vectorised = _VECTORISED_FROM.get(dt, 0)
    for d in dims:
        n = data.shape[d]
        fresh = fresh or n != 1
        if n == 0:
            data = k.full(tuple(1 if i == d else s for i, s in enumerate(data.shape)), 1, dt)
        elif n < vectorised:
            product = data
            if n > 1:
                product = k.mul(narrow_buffer(device, data, d, 0, 1), narrow_buffer(device, data, d, 1, 1))
            for i in range(2, n):
                k.mul(product, narrow_buffer(device, data, d, i, 1), out=product)
            data = product
        while data.shape[d] > 1:
            n = data.shape[d]
            half = n // 2
            paired = k.mul(narrow_buffer(device, data, d, 0, half), narrow_buffer(device, data, d, half, half))
            if n % 2:
                first = narrow_buffer(device, paired, d, 0, 1)
                k.mul(first, narrow_buffer(device, data, d, n - 1, 1), out=first)
            data = paired
    if not fresh:  # one element along each reduced dim: the input's buffer (or a view of it), copied
        data = k.astype(data, dt)
    data = k.contiguous(data)
    result_shape = _kept_shape(shape, reduced, keepdim)
    if tuple(data.shape) != result_shape:  # the buffer reshaped, not the result: a fresh tensor, never a view
        data = reshape_buffer(device, data, result_shape)
    return wrap(data, dt, device)


# ----- sum, mean, prod, any, all: one entry each ----------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Reduction:
    """A reduction over dims, declared once: `reducing` makes its function (``dim``, ``keepdim``, ``dtype``,
    numpy's ``axis`` and ``keepdims``), profiled, and its grad_fn classes under PyTorch's names.

    Attributes:
        name: PyTorch's name (``ember.name``, ``Tensor.name``).
        reduce: ``reduce(source, dims, keepdim, dt, whole)`` -> the result buffer over `dims` (sorted,
            distinct; all of them when `whole`, the call gave no dim) of `source`, the input already of dtype
            `dt` where the entry converts it ("exact" and "float").
        dtypes: "exact": floats keep their dtype, bool and integer inputs give int64 (sum, prod);
            "float": floating inputs only, PyTorch's RuntimeError otherwise (mean); "flags": a bool result
            (uint8 for a uint8 input, as PyTorch's legacy byte masks: any, all).
        empty: the result over no elements (mean's NaN), or None where `reduce` gives it.
        backward: the node classes' backward methods, ``backward(node, grad)``, (over all elements, along
            dims); the nodes hold the input's `shape`, the reduced `dims`, `keepdim` and, for mean, the
            element `count`. None: no gradient (a bool result).
        grad_fns: their class names (PyTorch's: SumBackward0 and SumBackward1).
        saves_result: the nodes save (input, result), with their versions (prod).
        one_dim: `dim` is a single int (prod), PyTorch's TypeError for a sequence.
        counts: the nodes hold the number of elements reduced (mean).
        doc: the function's docstring.
    """

    name: str
    reduce: Callable
    dtypes: str = "exact"
    empty: Any = None
    backward: tuple[Callable, Callable] | None = None
    grad_fns: tuple[str, str] = ("", "")
    saves_result: bool = False
    one_dim: bool = False
    counts: bool = False
    doc: str = ""


def reducing(entry: Reduction) -> Callable:
    """``ember.<name>(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None)`` for
    `entry`, specialised to it (no ``dtype`` for a "flags" entry)."""
    name, reduce, empty, saves_result, counts = entry.name, entry.reduce, entry.empty, entry.saves_result, entry.counts
    one_dim = entry.one_dim
    exact, floating, flags = entry.dtypes == "exact", entry.dtypes == "float", entry.dtypes == "flags"
    nodes = (None, None) if entry.backward is None else tuple(
        type(class_name, (Node,), {"backward": method, "_names_saved": ("self", "result") if saves_result else (),
                                   "__module__": __name__, "__doc__": f"The gradient of {name}."})
        for class_name, method in zip(entry.grad_fns, entry.backward))
    all_node, along_node = nodes

    def op(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
        if axis is not None or keepdims is not None:
            dim, keepdim = numpy_keywords(name, dim, keepdim, axis, keepdims)
        if one_dim and dim is not None and not isinstance(dim, int):
            raise TypeError(f"{name}() received an invalid combination of arguments - got ({type(dim).__name__}), "
                            "but expected (int dim, bool keepdim = False, *, dtype dtype = None)")
        shape = input._data.shape
        dims = tuple(range(len(shape))) if dim is None else reduced_dims(dim, len(shape), name)
        if flags:
            if dtype is not None:
                raise TypeError(f"{name}() got an unexpected keyword argument 'dtype'")
            dt = _bool
            source = input
        else:
            dt = _dtype.parse(dtype, name) if dtype is not None else None
            if floating and not (dt or input._dtype).is_floating_point:
                which = "Input" if dtype is None else "Optional"
                raise RuntimeError(f"{name}(): could not infer output dtype. {which} dtype must be either a "
                                   f"floating point or complex dtype. Got: "
                                   f"{_dtype.LEGACY_NAMES[(dt or input._dtype).name][:-6]}")
            dt = dt or (input._dtype if input._dtype.is_floating_point or not exact else _int64)
            source = input if dt is input._dtype else input.to(dt)
        count = 1
        if counts or empty is not None:
            for d in dims:
                count *= shape[d]
        kept = keepdim and (dim is not None or not one_dim)
        if empty is not None and not count:
            data = input._device.kernels.full(_kept_shape(shape, dims, kept), empty, dt)
        else:
            data = reduce(source, dims, kept, dt, dim is None)
        if flags:
            return _as_flags_of(input, data)
        result = wrap(data, dt, input._device)
        if all_node is None or not input._requires_grad:
            return result
        state = {"shape": shape, "dims": dims, "keepdim": kept, **({"count": count} if counts else {})}
        return attach(result, all_node if dim is None else along_node, (input,),
                      (input, result) if saves_result else (), **state)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = entry.doc
    return profiled("aten::" + name)(op)


def _as_flags_of(input, flags) -> Tensor:
    """all's and any's bool buffer `flags` as a tensor: of uint8 for a uint8 input, as PyTorch's (its legacy
    byte masks), else bool."""
    if input._dtype is _dtype.uint8:
        return wrap(input._device.kernels.astype(flags, _dtype.uint8), _dtype.uint8, input._device)
    return wrap(flags, _bool, input._device)


def _sum(source, dims, keepdim, dt, whole):
    """A sum (bool and int as int64); the common full sum straight to the kernel."""
    if whole and dims and not keepdim and dt is not _float16:
        return source._device.kernels.sum(source._data, dims, False)
    return _reduce("sum", source, dims, keepdim)


def _mean(source, dims, keepdim, dt, whole):
    """Sum over the count; float16 summed and divided in float32 and rounded once, as PyTorch."""
    k = source._device.kernels
    count = 1
    for d in dims:
        count *= source._data.shape[d]
    if dt is _float16:
        wide = wrap(k.astype(source._data, _float32), _float32, source._device)
        return k.astype(k.div(_reduce("sum", wide, dims, keepdim), count), dt)
    return k.div(_reduce("sum", source, dims, keepdim), count)


def _prod(source, dims, keepdim, dt, whole):
    return product_over(source, dims, keepdim, dt)._data


def _any(input, dims, keepdim, dt, whole=False):
    """Whether any element over `dims` is non-zero (NaN is), as a bool buffer; False over no elements."""
    k = input._device.kernels
    if input.numel() == 0:
        return k.full(_kept_shape(input._data.shape, dims, keepdim), False, _bool)
    truth = input._data if input._dtype is _bool else k.ne(input._data, 0)
    return _reduce("max", wrap(truth, _bool, input._device), dims, keepdim)


def _all(input, dims, keepdim, dt, whole):
    """Whether every element over `dims` is non-zero: not any zero; True over no elements."""
    k = input._device.kernels
    falsy = wrap(k.eq(input._data, False if input._dtype is _bool else 0), _bool, input._device)
    return k.eq(_any(falsy, dims, keepdim, dt), False)


def _sum_backward(node, grad):
    return expand_to(grad, node.shape)


def _sum_along_backward(node, grad):
    return expand_back(grad, node.shape, node.dims, node.keepdim)


def _mean_backward(node, grad):
    return expand_to(grad, node.shape) / node.count


def _mean_along_backward(node, grad):
    return expand_back(grad, node.shape, node.dims, node.keepdim) / node.count


REDUCTIONS: tuple[Reduction, ...] = (
    Reduction("sum", _sum, backward=(_sum_backward, _sum_along_backward), grad_fns=("SumBackward0", "SumBackward1"),
              doc="Sum over `dim` (all dims when None); bool and int tensors sum as int64, as in PyTorch."),
    Reduction("mean", _mean, "float", empty=math.nan, backward=(_mean_backward, _mean_along_backward),
              grad_fns=("MeanBackward0", "MeanBackward1"), counts=True,
              doc="Mean over `dim` (all dims when None) of a floating tensor."),
    Reduction("prod", _prod, backward=(_prod_backward, _prod_along_backward),
              grad_fns=("ProdBackward0", "ProdBackward1"), saves_result=True, one_dim=True,
              doc="Product over one dim (or all elements when `dim` is None)."),
    Reduction("any", _any, "flags", doc="Whether any element (along `dim`) is non-zero."),
    Reduction("all", _all, "flags", doc="Whether every element (along `dim`) is non-zero."),
)


sum, mean, prod, any, all = (reducing(entry) for entry in REDUCTIONS)
FUNCTIONS = {fn.__name__: fn for fn in (sum, mean, prod, max, min, amax, amin, argmax, argmin, var, std, any, all)}
