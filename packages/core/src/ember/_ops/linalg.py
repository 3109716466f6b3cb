"""Matrix products: matmul (with PyTorch's per-case graph nodes), mm, mv, dot, vdot, bmm, outer (ger)."""
from __future__ import annotations

import math

from .. import _dtype
from .._tensor import Tensor, wrap
from ..autograd import grad_mode
from ..autograd.node import Node, attach, cross_saved, needs_input_grad
from . import pointwise, views
from .dispatch import broadcast_shapes, check_out, copy_out, meta_name, profiled, type_name

# The dtypes whose (m, 1) x (1, n) mm PyTorch's CPU gemm computes as the bare products (float16's adds them to 0).
_OUTER_EXACT = (_dtype.float32, _dtype.float64)


def _mat_kernel(a: Tensor, b: Tensor, op: str):
    """The matmul kernel on two tensors of one device and dtype; shape errors are diagnosed only when
    the kernel refuses, so the common case pays for two identity checks."""
    if a._device is not b._device:
        raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                           f"{a._device} and {b._device}! (in {op})")
    if a._dtype is not b._dtype:
        raise _dtype_mismatch(a, b)
    if op == "mm" and a._dtype in _OUTER_EXACT and a._data.shape[1] == 1 == b._data.shape[0] and \
            a._data.shape[0] > 1 and b._data.shape[1] > 1:  # an outer product: PyTorch's gemm gives the bare
        return a._device.kernels.mul(a._data, b._data)  # products, -0. kept (not 0 + -0.)
    try:
        return a._device.kernels.matmul(a._data, b._data)
    except Exception as error:
        raise _shape_error(a, b, op, error) from error


def _dtype_mismatch(a: Tensor, b: Tensor) -> RuntimeError:
    return RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {meta_name(a._dtype)} != "
                        f"{meta_name(b._dtype)}")


def _shape_error(a: Tensor, b: Tensor, op: str, error: Exception) -> RuntimeError:
    """PyTorch's message for operands matmul cannot multiply."""
    sa, sb = a._data.shape, b._data.shape
    if not sa or not sb:
        return RuntimeError(f"both arguments to {op} need to be at least 1D, but they are {len(sa)}D and "
                            f"{len(sb)}D")
    inner_a, inner_b = sa[-1], (sb[-2] if len(sb) > 1 else sb[0])
    if inner_a != inner_b and len(sa) == 2 and len(sb) == 2:
        return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
    if inner_a != inner_b:
        return RuntimeError(f"{op}: inner dimensions do not match: {list(sa)} @ {list(sb)} "
                            f"({inner_a} != {inner_b})")
    return RuntimeError(f"{op}: shapes {list(sa)} and {list(sb)} cannot be multiplied: {error}")


class MmBackward0(Node):
    _names_saved = ("self", "mat2")
    columns: tuple = (False, False)  # whether each operand was column-major: its gradient is too, as PyTorch's

    def backward(self, grad):
        a, b = self.saved_tensors
        grad_a = grad_b = None
        if needs_input_grad(self, 0):
            grad_a = b.mm(grad.t()).t() if self.columns[0] else grad.mm(b.t())
        if needs_input_grad(self, 1):
            grad_b = grad.t().mm(a).t() if self.columns[1] else a.t().mm(grad)
        return grad_a, grad_b


def _column_major(matrix: Tensor) -> bool:
    """PyTorch's test in mm's backward: strides (1, rows)."""
    strides = matrix._device.kernels.strides(matrix._data)
    return strides[0] == 1 and strides[1] == matrix._data.shape[0]


def _matrix_product(a: Tensor, b: Tensor, out=None) -> Tensor:
    """mm's product, its node told which operands are column-major."""
    result = _product("mm", MmBackward0, a, b, out=out)
    node = result._grad_fn
    if out is None and node.__class__ is MmBackward0:
        node.columns = (_column_major(a), _column_major(b))
    return result


class MvBackward0(Node):
    _names_saved = ("self", "vec")

    def backward(self, grad):
        a, v = self.saved_tensors
        return (grad.unsqueeze(1) * v if needs_input_grad(self, 0) else None,
                a.t().mv(grad) if needs_input_grad(self, 1) else None)


class DotBackward0(Node):
    _names_saved = ("self", "tensor")

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad * b if needs_input_grad(self, 0) else None,
                grad * a if needs_input_grad(self, 1) else None)


class BmmBackward0(Node):
    """Batched (broadcasting) matmul: the engine sums gradients over broadcast batch dims.
    1-D operands are treated as a row (left) or a column (right) matrix, as matmul does."""

    _names_saved = ("self", "mat2")

    def backward(self, grad):
        a, b = self.saved_tensors  # each kept only for the other's gradient
        a_vector, b_vector = self.vectors
        g = grad.unsqueeze(-2) if a_vector else grad
        g = g.unsqueeze(-1) if b_vector else g
        grad_a = grad_b = None
        if needs_input_grad(self, 0):
            grad_a = g.matmul((b.unsqueeze(-1) if b_vector else b).mT)
            grad_a = grad_a.squeeze(-2) if a_vector else grad_a
        if needs_input_grad(self, 1):
            grad_b = (a.unsqueeze(0) if a_vector else a).mT.matmul(g)
            grad_b = grad_b.squeeze(-1) if b_vector else grad_b
        return grad_a, grad_b


def write_out(out: Tensor, op: str, data, dtype, inputs, reads=()) -> Tensor:
    """An op's `data` written into `out=` (refused, as PyTorch, when grad mode records an input). `reads`: the
    inputs `out` may not share memory with in part, and is never resized as (an in-place form's own tensor)."""
    if grad_mode.state.enabled and any(t._requires_grad for t in inputs):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic differentiation, "
                           "but one of the arguments requires grad.")
    return copy_out(out, op, data, dtype, reads)


def written(result: Tensor, out, op: str, inputs) -> Tensor:
    """`result`, or `out` holding it when given (refused, as PyTorch, when an input requires grad)."""
    if out is None:
        return result
    return write_out(out, op, result._data, result._dtype, inputs)


def exact_out(out, dtype, message: str) -> None:
    """Refuse an `out=` of another dtype than the result's `dtype`, as the PyTorch kernels that cast nothing
    into out= do: `message` with {expected} and {got} (scalar-type names, Float) or {expected_meta} and
    {got_meta} (type names, float)."""
    if isinstance(out, Tensor) and out._dtype is not dtype:
        raise RuntimeError(message.format(expected=type_name(dtype), got=type_name(out._dtype),
                                          expected_meta=meta_name(dtype), got_meta=meta_name(out._dtype)))


# The message of the out= dtype check of PyTorch's structured reductions (vector_norm, at::norm, matmul).
OUT_DTYPE = "Expected out tensor to have dtype {expected_meta}, but got {got_meta} instead"


def copied_into(result: Tensor, out, op: str, mismatch: str | None = None) -> Tensor:
    """PyTorch's out= of a composite op (matrix_norm, matrix_power): `out` resized to `result` and `result`
    copied into it by copy_, so an input that requires grad reaches `out` through CopyBackwards; refused when
    of another dtype with the `mismatch` message (see exact_out) when given."""
    if out is None:
        return result
    if mismatch is not None:
        exact_out(out, result._dtype, mismatch)
    check_out(out, op, tuple(result._data.shape), result._dtype)
    return out.copy_(result)


def _product(op: str, node_cls, a: Tensor, b: Tensor, out=None, **attributes) -> Tensor:
    if out is not None:
        return write_out(out, op, _mat_kernel(a, b, op), a._dtype, (a, b))
    result = wrap(_mat_kernel(a, b, op), a._dtype, a._device)
    if a._requires_grad or b._requires_grad:
        return attach(result, node_cls, (a, b), cross_saved(a, b), **attributes)
    return result


def same_device(op: str, *tensors: Tensor) -> None:
    first = tensors[0]._device
    for t in tensors[1:]:
        if t._device is not first:
            raise RuntimeError(f"Expected all tensors to be on the same device, but found at least two devices, "
                               f"{first} and {t._device}! (in {op})")


def mm_checks(a: Tensor, b: Tensor, first: str = "self") -> None:
    """PyTorch's checks of mm's (and addmm's) operands, in its order: dims, then sizes."""
    sa, sb = a._data.shape, b._data.shape
    if len(sa) != 2 or len(sb) != 2:
        name, t = (first, a) if len(sa) != 2 else ("mat2", b)
        raise RuntimeError(f"{name} must be a matrix" + (f", got {t.ndim}-D tensor" if first == "mat1" else ""))
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")


def mv_checks(mat: Tensor, vec: Tensor, input: Tensor | None = None) -> None:
    """PyTorch's checks of addmv's operands; mv's are addmv's with an `input` of the product's size and
    the vector's dtype."""
    shape, size = mat._data.shape, vec._data.shape
    input_shape = shape[:1] if input is None else input._data.shape
    if len(shape) != 2 or len(size) != 1 or len(input_shape) > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {len(input_shape)}, {len(shape)}, {len(size)}")
    input_size = input_shape[0] if input_shape else 1
    if shape[1] != size[0] or input_size not in (1, shape[0]):
        raise RuntimeError(f"size mismatch, got input ({input_size}), mat ({shape[0]}x{shape[1]}), vec ({size[0]})")
    input_dtype = vec._dtype if input is None else input._dtype
    if not input_dtype is mat._dtype is vec._dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {type_name(input_dtype)}, "
                           f"{type_name(mat._dtype)}, and {type_name(vec._dtype)}")
    if mat._dtype is _dtype.bool_:
        raise NotImplementedError("\"addmv_impl_cpu\" not implemented for 'Bool'")


def bmm_checks(a: Tensor, b: Tensor) -> None:
    """PyTorch's checks of bmm's (and baddbmm's) operands."""
    for name, t in (("batch1", a), ("batch2", b)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    expected = [a._data.shape[0], a._data.shape[2]]
    if list(b._data.shape[:2]) != expected:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: {expected} but got: "
                           f"{list(b._data.shape[:2])}.")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"expected scalar type {type_name(a._dtype)} but found {type_name(b._dtype)}")


def _dot_checks(a: Tensor, b: Tensor) -> None:
    sa, sb = a._data.shape, b._data.shape
    if len(sa) != 1 or len(sb) != 1:
        raise RuntimeError(f"1D tensors expected, but got {len(sa)}D and {len(sb)}D tensors")
    if a._dtype is not b._dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {type_name(a._dtype)} "
                           f"and {type_name(b._dtype)}")
    if sa != sb:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have the same "
                           f"number of elements, but got {sa[0]} and {sb[0]} elements respectively")
    if a._dtype is _dtype.bool_:
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")


@profiled("aten::mm")
def mm(input, mat2, *, out=None):
    """Product of two matrices."""
    mm_checks(input, mat2)
    if input._dtype is not mat2._dtype:
        raise _dtype_mismatch(input, mat2)
    if input._dtype is _dtype.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    return _matrix_product(input, mat2, out=out)


@profiled("aten::mv")
def mv(input, vec, *, out=None):
    """Product of a matrix and a vector."""
    mv_checks(input, vec)
    return _product("mv", MvBackward0, input, vec, out=out)


@profiled("aten::dot")
def dot(input, tensor, *, out=None):
    """Inner product of two vectors (the second named `tensor`, as PyTorch's)."""
    _dot_checks(input, tensor)
    return _product("dot", DotBackward0, input, tensor, out=out)


class VdotBackward0(DotBackward0):
    """vdot conjugates its first operand: for real tensors, dot's gradient."""


@profiled("aten::vdot")
def vdot(input, other, *, out=None):
    """Inner product of two vectors, the first conjugated (the same as dot for real tensors)."""
    _dot_checks(input, other)
    return _product("vdot", VdotBackward0, input, other, out=out)


@profiled("aten::bmm")
def bmm(input, mat2, *, out=None):
    """Batched product of two 3-D tensors (no broadcasting)."""
    bmm_checks(input, mat2)
    if input._dtype is _dtype.bool_:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    return _product("bmm", BmmBackward0, input, mat2, vectors=(False, False), out=out)


@profiled("aten::matmul")
def matmul(input, other, *, out=None):
    """Matrix product with numpy's rules for 1-D and batched operands (as torch.matmul)."""
    if not isinstance(other, Tensor) or not isinstance(input, Tensor):
        raise TypeError(f"matmul(): argument 'other' must be Tensor, not {type(other).__name__}")
    if out is not None:
        return write_out(out, "matmul", _mat_kernel(input, other, "matmul"), input._dtype, (input, other))
    da, db = len(input._data.shape), len(other._data.shape)
    if da == 2 and db == 2:
        return _matrix_product(input, other)
    if da == 2 and db == 1:
        return _product("mv", MvBackward0, input, other)
    if da == 1 and db == 1:
        return _product("dot", DotBackward0, input, other)
    if da == 1 and db == 2:
        return _squeeze4(mm(views.unsqueeze(input, 0), other))
    if not da or not db or input._dtype is not other._dtype or input._device is not other._device or \
            _batched_shapes(input._data.shape, other._data.shape) is None:
        _mat_kernel(input, other, "matmul")  # raises PyTorch's error for these operands
    if da == 3 and db == 3 and (input._data.shape[0] == 1) != (other._data.shape[0] == 1):
        # PyTorch drops the batch dim of a 3-D operand with one matrix that requires grad, then folds
        if input._data.shape[0] == 1 and input._requires_grad:
            input = views.squeeze(input, 0)
        elif other._data.shape[0] == 1 and other._requires_grad:
            other = views.squeeze(other, 0)
    if _should_fold(input, other):
        return _folded(input, other)
    return _batched(input, other)


def _batched_shapes(sa: tuple, sb: tuple):
    """(batch, n, m, p) of a batched product (1-D operands as a row or a column), or None when the
    inner sizes differ or the batch dims do not broadcast."""
    n, m1 = (sa[-2] if len(sa) > 1 else 1), sa[-1]
    m2, p = (sb[-2], sb[-1]) if len(sb) > 1 else (sb[0], 1)
    batch = broadcast_shapes(sa[:-2], sb[:-2])
    return None if m1 != m2 or batch is None else (batch, n, m1, p)


def _should_fold(a: Tensor, b: Tensor) -> bool:
    """PyTorch's should_fold: a >= 3-D operand times a 1-D or 2-D one is folded into one mm/mv when the
    small one requires grad, or the big one folds without a copy (not for a 2-D left operand)."""
    big, small = (a, b) if a.ndim >= b.ndim else (b, a)
    if big.ndim < 3 or small.ndim > 2:
        return False
    if small._requires_grad:
        return True
    if a.ndim == 2:
        return False
    big = big if big is a else views.mT(big)  # the operand folded is the transpose of a big right one
    shape, strides = big._data.shape, big._device.kernels.strides(big._data)
    return big.numel() == 0 or all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.ndim - 2))


def _folded(a: Tensor, b: Tensor) -> Tensor:
    """The big operand's leading dims folded into one mm/mv and unfolded after, as PyTorch's matmul
    (a small left operand multiplies the big one's transpose, and the result is transposed back)."""
    transpose = b.ndim > a.ndim
    big = views.mT(b) if transpose else a
    small = (views.t(a) if a.ndim == 2 else a) if transpose else b
    out_shape = big._data.shape[:-1] + ((small._data.shape[1],) if small.ndim == 2 else ())
    rows = views.reshape(big, math.prod(big._data.shape[:-1]), big._data.shape[-1])
    product = _unsafe_view(mm(rows, small) if small.ndim == 2 else mv(rows, small), out_shape)
    return views.contiguous(views.mT(product)) if transpose and small.ndim == 2 else product


def _batched(a: Tensor, b: Tensor) -> Tensor:
    """Both operands expanded to the broadcast batch, reshaped to 3-D, one bmm, then unfolded."""
    batch, n, m, p = _batched_shapes(a._data.shape, b._data.shape)
    count = math.prod(batch)
    out_shape = batch + ((n,) if a.ndim > 1 else ()) + ((p,) if b.ndim > 1 else ())
    b = views.unsqueeze(b, -1) if b.ndim == 1 else b
    a3 = views.reshape(views.expand(a, *batch, n, m), count, n, m)
    b3 = views.reshape(views.expand(b, *batch, m, p), count, m, p)
    return _unsafe_view(_product("bmm", BmmBackward0, a3, b3, vectors=(False, False)), out_shape)


def _unsafe_view(t: Tensor, shape: tuple) -> Tensor:
    """A fresh product given its final shape, recorded as PyTorch's UnsafeViewBackward0."""
    data = views.reshape_buffer(t._device, t._data, tuple(shape))
    return attach(wrap(data, t._dtype, t._device), views.UnsafeViewBackward0, (t,), shape=t._data.shape)


def _squeeze4(t: Tensor) -> Tensor:
    """Drop the leading 1 of a (1, n) product, recorded as PyTorch's SqueezeBackward4 (not a view: the
    product is the op's own scratch)."""
    data = views.reshape_buffer(t._device, t._data, t._data.shape[1:])
    return attach(wrap(data, t._dtype, t._device), views.SqueezeBackward4, (t,), shape=t._data.shape)


def outer(input, vec2, *, out=None):
    """Outer product of two vectors."""
    for position, t in enumerate((input, vec2)):
        if not isinstance(t, Tensor):
            raise TypeError(f"outer(): argument '{('input', 'vec2')[position]}' (position {position + 1}) must "
                            f"be Tensor, not {type(t).__name__}")
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return pointwise.mul(views.unsqueeze(input, 1), vec2, out=out)


def ger(input, vec2, *, out=None):
    """Outer product of two vectors (PyTorch's older name for outer)."""
    return outer(input, vec2, out=out)
