"""Memory overlap between a tensor being written and the tensors it reads, judged as PyTorch judges it.

A write whose output shares memory with one of its inputs in part (``a[1:].sub_(a[:-1])``) gives a
result that depends on the order the elements are written in, so PyTorch refuses it, and refuses a
write into a broadcast view, where several elements are one memory location. Two tensors can share
memory only when they are views of one base; the backend's optional `storage_offset` kernel places
them in it. As in PyTorch, only dense layouts are compared: any other pair is too hard to judge and
allowed. Without the kernel, partial overlaps go unchecked (documented in docs/internals.md).
"""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from .._tensor import Tensor

NO, FULL, PARTIAL, TOO_HARD = "no", "full", "partial", "too hard"

_SHARED = ("unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
           "single memory location. Please clone() the tensor before performing the operation.")
_INTERNAL = ("unsupported operation: more than one element of the written-to tensor refers to a single memory "
             "location. Please clone() the tensor before performing the operation.")
_DEPRECATED = ("Use of {op} on expanded tensors is deprecated. Please clone() the tensor before performing this "
               "operation. This also applies to advanced indexing e.g. {example}")


_EMBER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def root(t: Tensor) -> Tensor:
    """The tensor whose storage `t` uses: its base, or itself."""
    base = t._base
    return t if base is None else base


def _dense(shape, strides) -> bool:
    """Whether the elements fill a block of memory exactly once (a permutation of a contiguous layout)."""
    if len(shape) == 1:
        return shape[0] < 2 or strides[0] == 1
    expected = 1
    for stride, size in sorted((stride, size) for size, stride in zip(shape, strides) if size > 1):
        if stride != expected:
            return False
        expected *= size
    return True


def _numel(shape) -> int:
    n = 1
    for size in shape:
        n *= size
    return n


def in_storage(t: Tensor, storage: Tensor) -> bool:
    """Whether `t` uses the memory of `storage` (a root): as one of its views, or detached from it or from
    one of its views (a detached tensor holds the very buffer and shares the version counter)."""
    base = root(t)
    return base is storage or base._data is storage._data or (
        t._version is not None and t._version is storage._version)


def status(a: Tensor, b: Tensor, storage: Tensor) -> str:
    """How tensors `a` and `b`, both in the memory of tensor `storage`, share it: compared in bytes, as
    PyTorch's, since one may read it as another dtype (``view(dtype)``)."""
    if a._data is b._data:
        return FULL
    k = storage._device.kernels
    shape_a, strides_a = tuple(a._data.shape), tuple(k.strides(a._data))
    shape_b, strides_b = tuple(b._data.shape), tuple(k.strides(b._data))
    na, nb = _numel(shape_a), _numel(shape_b)
    if not na or not nb:
        return NO
    if k.storage_offset is None or not _dense(shape_a, strides_a) or not _dense(shape_b, strides_b):
        return TOO_HARD
    size_a, size_b = a._dtype.itemsize, b._dtype.itemsize
    begin_a = k.storage_offset(a._data, storage._data) * size_a
    begin_b = k.storage_offset(b._data, storage._data) * size_b
    end_a, end_b = begin_a + na * size_a, begin_b + nb * size_b
    if begin_a == begin_b and end_a == end_b:
        return FULL if strides_a == strides_b else PARTIAL
    return PARTIAL if begin_a < end_b and begin_b < end_a else NO


def check_no_partial_overlap(out: Tensor, inputs, storage: Tensor | None = None, full_too: bool = False) -> None:
    """Refuse a write into `out` that reads tensors among `inputs` sharing part of its memory (or any of
    it, when `full_too`: index_put_ and cat). `storage` is the tensor whose storage `out` uses, when `out`
    is a temporary view of it."""
    storage = root(out) if storage is None else storage
    for t in inputs:
        if (t is not out or full_too) and isinstance(t, Tensor) and in_storage(t, storage):
            found = status(out, t, storage)
            if found == PARTIAL or (full_too and found == FULL):
                raise RuntimeError(_SHARED)


def same_data(a: Tensor, b: Tensor, storage: Tensor | None = None) -> bool:
    """Whether `a` and `b` are the same elements of one storage (PyTorch's copy_ then writes nothing and
    checks nothing). `storage` is the tensor whose storage `a` uses, when `a` is a temporary view of it."""
    if a._data is b._data:
        return True
    storage = root(a) if storage is None else storage
    if not in_storage(b, storage) or a._dtype is not b._dtype or tuple(a._data.shape) != tuple(b._data.shape):
        return False
    k = storage._device.kernels
    if k.storage_offset is None or tuple(k.strides(a._data)) != tuple(k.strides(b._data)):
        return False
    return k.storage_offset(a._data, storage._data) == k.storage_offset(b._data, storage._data)


def has_internal_overlap(t: Tensor) -> bool:
    """Whether several elements of `t` are one memory location (a broadcast view's, or one made over a storage:
    ``view(dtype)`` of a broadcast view, or after ``as_strided_``)."""
    if (t._base is None and getattr(t, "_storage", None) is None) or 0 in t._data.shape:
        return False
    return any(stride == 0 and size > 1 for size, stride in zip(t._data.shape, t._device.kernels.strides(t._data)))


def check_no_internal_overlap(t: Tensor) -> None:
    """Refuse writes into broadcast views, where several elements share one memory location."""
    if has_internal_overlap(t):
        raise RuntimeError(_INTERNAL)


def warn_internal_overlap(t: Tensor, op: str) -> None:
    """masked_fill_ and index_put_ still write into broadcast views, with PyTorch's deprecation warning."""
    if has_internal_overlap(t):
        example = "tensor[mask] = scalar" if op == "masked_fill_" else "tensor[indices] = tensor"
        warnings.warn(_DEPRECATED.format(op=op, example=example), UserWarning, stacklevel=_callers_level())


def _callers_level() -> int:
    """The stacklevel of the first caller outside ember, so that a warning names the user's line."""
    frame: Any = sys._getframe(2)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(_EMBER):
        frame, level = frame.f_back, level + 1
    return level
