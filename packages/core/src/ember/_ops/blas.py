"""PyTorch's BLAS-style products that add a scaled input: ``beta * input + alpha * product`` for addmm,
addmv, addr, baddbmm and addbmm (their ``_`` in-place forms are made by `methods.py`).

Each op checks its operands with PyTorch's messages, computes on buffers with the matmul kernel, and
records one node named as PyTorch's (`AddmmBackward0`...), whose backward is written in differentiable
ops. As in PyTorch, ``beta=0`` ignores `input` (its NaNs do not propagate) and the scalars are truncated
to integers for integer tensors.
"""
from __future__ import annotations

import numbers

from .. import _dtype
from .._tensor import Tensor, wrap
from ..autograd.node import Node, attach, cross_saved, needs_input_grad
from . import views
from .dispatch import _CPP_NAMES, element, profiled, type_name
from .linalg import bmm_checks, mm_checks, mv_checks, same_device, write_out


def _scaled(grad: Tensor, factor) -> Tensor:
    """`grad` times a backward's scalar, skipped for 1 as PyTorch's maybe_multiply."""
    return grad if factor == 1 else grad * factor


class AddmmBackward0(Node):
    _names_saved = ("mat1", "mat2")

    def backward(self, grad):
        mat1, mat2 = self.saved_tensors
        return (_scaled(grad, self.beta) if needs_input_grad(self, 0) else None,
                _scaled(grad.mm(mat2.t()), self.alpha) if needs_input_grad(self, 1) else None,
                _scaled(mat1.t().mm(grad), self.alpha) if needs_input_grad(self, 2) else None)


class AddmvBackward0(Node):
    _names_saved = ("mat", "vec")

    def backward(self, grad):
        mat, vec = self.saved_tensors
        return (_scaled(grad, self.beta) if needs_input_grad(self, 0) else None,
                _scaled(grad.unsqueeze(1) * vec, self.alpha) if needs_input_grad(self, 1) else None,
                _scaled(mat.t().mv(grad), self.alpha) if needs_input_grad(self, 2) else None)


class AddrBackward0(Node):
    _names_saved = ("vec1", "vec2")

    def backward(self, grad):
        vec1, vec2 = self.saved_tensors
        return (_scaled(grad, self.beta) if needs_input_grad(self, 0) else None,
                _scaled(grad.mv(vec2), self.alpha) if needs_input_grad(self, 1) else None,
                _scaled(grad.t().mv(vec1), self.alpha) if needs_input_grad(self, 2) else None)


class BaddbmmBackward0(Node):
    _names_saved = ("batch1", "batch2")

    def backward(self, grad):
        batch1, batch2 = self.saved_tensors
        return (_scaled(grad, self.beta) if needs_input_grad(self, 0) else None,
                _scaled(grad.bmm(batch2.mT), self.alpha) if needs_input_grad(self, 1) else None,
                _scaled(batch1.mT.bmm(grad), self.alpha) if needs_input_grad(self, 2) else None)


class AddbmmBackward0(Node):
    _names_saved = ("batch1", "batch2")

    def backward(self, grad):
        batch1, batch2 = self.saved_tensors
        stacked = grad.unsqueeze(0).expand(self.batches, *grad.shape)
        return (_scaled(grad, self.beta) if needs_input_grad(self, 0) else None,
                _scaled(stacked.bmm(batch2.mT), self.alpha) if needs_input_grad(self, 1) else None,
                _scaled(batch1.mT.bmm(stacked), self.alpha) if needs_input_grad(self, 2) else None)


def _check_tensors(op: str, names: tuple, tensors: tuple) -> None:
    for position, (name, t) in enumerate(zip(names, tensors)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' (position {position + 1}) must be Tensor, not "
                            f"{type(t).__name__}")
    same_device(op, *tensors)


def _scalar(value, name: str, dt, op: str, refuse_float: bool):
    """beta or alpha as the kernels take it for `dt`: truncated for integer tensors (PyTorch's cast), or
    refused there when `refuse_float` (addr)."""
    if value.__class__ is int and dt.is_floating_point:  # the common beta=1, alpha=1
        return float(value)
    if not isinstance(value, numbers.Number):
        raise TypeError(f"{op}(): argument '{name}' must be Number, not {type(value).__name__}")
    if isinstance(value, complex):
        raise RuntimeError(f"value cannot be converted to type {_CPP_NAMES.get(dt.name, dt.name)} without overflow")
    if refuse_float and isinstance(value, float) and not dt.is_floating_point:
        raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating point number.")
    return element(value, dt)


def _refuse_bool(dt, kernel: str) -> None:
    if dt is _dtype.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _run(op: str, node_cls, input, a, b, beta, alpha, out, product, refuse_float=False, **attributes):
    """beta * input + alpha * product(kernels), `input` broadcast to the product's shape with expand's
    errors; written into `out`, or recorded as a `node_cls` over (input, a, b)."""
    dt = a._dtype
    beta = _scalar(beta, "beta", dt, op, refuse_float)
    alpha = _scalar(alpha, "alpha", dt, op, refuse_float)
    k = a._device.kernels
    data = product(k)
    shape = tuple(data.shape)
    own = input._data.shape
    if len(own) > len(shape) or any(s != t and s != 1 for s, t in zip(own[::-1], shape[::-1])):
        views.expand(input, *shape)  # raises expand's error, as PyTorch's
    if alpha != 1:
        data = k.mul(data, alpha)
    if beta != 0:
        data = k.add(data, input._data if beta == 1 else k.mul(input._data, beta))
    if out is not None:
        return write_out(out, op, data, dt, (input, a, b))
    return attach(wrap(data, dt, a._device), node_cls, (input, a, b), cross_saved(a, b), beta=beta,
                  alpha=alpha, **attributes)


@profiled("aten::addmm")
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2)."""
    _check_tensors("addmm", ("input", "mat1", "mat2"), (input, mat1, mat2))
    mm_checks(mat1, mat2, "mat1")
    for first, names in ((input, "self and mat2"), (mat1, "mat1 and mat2")):
        if first._dtype is not mat2._dtype:
            raise RuntimeError(f"{names} must have the same dtype, but got {type_name(first._dtype)} and "
                               f"{type_name(mat2._dtype)}")
    _refuse_bool(mat1._dtype, "addmm_impl_cpu_")
    return _run("addmm", AddmmBackward0, input, mat1, mat2, beta, alpha, out,
                lambda k: k.matmul(mat1._data, mat2._data))


@profiled("aten::addmv")
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    _check_tensors("addmv", ("input", "mat", "vec"), (input, mat, vec))
    mv_checks(mat, vec, input)
    _refuse_bool(mat._dtype, "addmv_impl_cpu")
    return _run("addmv", AddmvBackward0, input, mat, vec, beta, alpha, out,
                lambda k: k.matmul(mat._data, vec._data))


@profiled("aten::addr")
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2); the dtypes promote, as PyTorch's addr."""
    _check_tensors("addr", ("input", "vec1", "vec2"), (input, vec1, vec2))
    for name, t in (("vec1", vec1), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {t.ndim}-D")
    dt = input._dtype
    for t in (vec1, vec2):
        dt = _dtype.promote(dt, _dtype.DIMENSIONED, t._dtype, _dtype.DIMENSIONED)
    input, vec1, vec2 = (t if t._dtype is dt else t.to(dt) for t in (input, vec1, vec2))
    n, p = vec1._data.shape[0], vec2._data.shape[0]

    def outer(k):
        return k.matmul(views.reshape_buffer(vec1._device, vec1._data, (n, 1)),
                        views.reshape_buffer(vec2._device, vec2._data, (1, p)))
    return _run("addr", AddrBackward0, input, vec1, vec2, beta, alpha, out, outer, refuse_float=True)


@profiled("aten::baddbmm")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * bmm(batch1, batch2)."""
    _check_tensors("baddbmm", ("input", "batch1", "batch2"), (input, batch1, batch2))
    bmm_checks(batch1, batch2)
    if input._dtype is not batch1._dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {_cpp(input)}, batch1: {_cpp(batch1)}, "
                           f"batch2: {_cpp(batch2)}")
    _refuse_bool(batch1._dtype, "baddbmm")
    return _run("baddbmm", BaddbmmBackward0, input, batch1, batch2, beta, alpha, out,
                lambda k: k.matmul(batch1._data, batch2._data))


@profiled("aten::addbmm")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (the sum over the batch of batch1[i] @ batch2[i])."""
    _check_tensors("addbmm", ("input", "batch1", "batch2"), (input, batch1, batch2))
    for name, t in (("batch1", batch1), ("batch2", batch2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    (count, n, m), (count2, m2, p) = batch1._data.shape, batch2._data.shape
    if count != count2:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {count} and {count2}")
    if m != m2:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({n}x{m} and {m2}x{p})")
    for first, names in ((input, "self and mat2"), (batch1, "self and mat2")):
        if first._dtype is not batch2._dtype:
            raise RuntimeError(f"{names} must have the same dtype, but got {type_name(first._dtype)} and "
                               f"{type_name(batch2._dtype)}")
    _refuse_bool(batch1._dtype, "addmm_impl_cpu_")

    def summed(k):
        if count == 0:
            return k.full((n, p), 0, batch1._dtype)
        return k.sum(k.matmul(batch1._data, batch2._data), (0,), False)
    return _run("addbmm", AddbmmBackward0, input, batch1, batch2, beta, alpha, out, summed, batches=count)


def _cpp(t: Tensor) -> str:
    return _CPP_NAMES.get(t._dtype.name, t._dtype.name)


def in_place_form(op):
    """`op` as its in-place method computes it: PyTorch refuses a result whose shape is not the tensor's
    (the tensor broadcast into a bigger product) with its own message, before anything is written."""
    def checked(input, *args, **kwargs):
        if op is addr and input.ndim != 2:
            raise RuntimeError(f"2D tensor expected, got {input.ndim}D tensor for input")
        result = op(input, *args, **kwargs)
        if result._data.shape != input._data.shape:
            raise RuntimeError(f"Bad in-place call: input tensor size {list(input._data.shape)} and output tensor "
                               f"size {list(result._data.shape)} should match")
        return result
    return checked
