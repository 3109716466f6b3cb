"""The CPU backend: ember's kernel contract (docs/internals.md) as a table of numpy calls.

A buffer is a numpy array. Kernels always return arrays, never numpy scalars: ufuncs get ``out=...``,
which makes numpy return a 0-d array where it would return a scalar. Python scalar operands follow
numpy's NEP 50 rules (``float32 array + 2.5`` stays float32), as the contract asks. The per-op cost
matters for small tensors, so each kernel is one or two numpy calls with positional arguments.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

# Like PyTorch, return inf and nan silently where ordinary inputs produce them: log(0), x / 0,
# sqrt(-1), 0 ** -1, exp(100). Silencing costs about a microsecond a call, so add, mul and matmul
# keep numpy's warnings, which they give only once values have already overflowed.
_silently = np.errstate(divide="ignore", invalid="ignore", over="ignore")


def _unary(ufunc: np.ufunc) -> Callable:
    def kernel(x, out=None):
        return ufunc(x, out=... if out is None else out)

    kernel.__name__ = kernel.__qualname__ = ufunc.__name__
    return kernel


def _binary(ufunc: np.ufunc) -> Callable:
    def kernel(a, b, out=None):
        return ufunc(a, b, out=... if out is None else out)

    kernel.__name__ = kernel.__qualname__ = ufunc.__name__
    return kernel


# Memory and transfer.

def empty(shape, dtype):
    return np.empty(shape, dtype.numpy)


def full(shape, value, dtype):
    buffer = np.empty(shape, dtype.numpy)
    buffer.fill(value)
    return buffer


def arange(start, stop, step, dtype):
    if not dtype.is_floating_point:
        return np.arange(start, stop, step, dtype=dtype.numpy)
    # Each value is start + step * i in double, rounded once to the dtype: within an ulp of PyTorch,
    # where numpy's own float arange drifts with a step rounded to the dtype.
    values = np.arange(max(0, math.ceil((stop - start) / step)), dtype=np.float64)
    values *= step
    values += start
    return values.astype(dtype.numpy, copy=False)


def _random_dtype(dtype):
    """numpy's generators draw float32 or float64; float16 is drawn as float32 and rounded."""
    return np.float64 if dtype.numpy == np.float64 else np.float32


def uniform(shape, low, high, dtype, gen):
    values = gen.random(shape, _random_dtype(dtype))
    values *= high - low
    values += low
    return values.astype(dtype.numpy, copy=False)


def normal(shape, mean, std, dtype, gen):
    values = gen.standard_normal(shape, _random_dtype(dtype))
    values *= std
    values += mean
    return values.astype(dtype.numpy, copy=False)


def shared(array):
    """from_numpy and to_numpy: a CPU buffer is the numpy array itself, so memory is shared."""
    return array


def copy_(dst, src):
    np.copyto(dst, src, casting="unsafe")
    return dst


def astype(x, dtype):
    return x.astype(dtype.numpy)


# Selection, reductions, matmul.

def where(cond, a, b, out=None):
    result = np.where(cond, a, b)
    if out is None:
        return result
    np.copyto(out, result)  # through a temporary: out may be a or b
    return out


def reduce_sum(x, axes, keepdim, out=None):
    # dtype=x.dtype: numpy would widen int32 and bool sums to int64
    return np.add.reduce(x, axes, x.dtype, keepdims=keepdim, out=... if out is None else out)


def reduce_max(x, axes, keepdim, out=None):
    return np.maximum.reduce(x, axes, keepdims=keepdim, out=... if out is None else out)


def reduce_min(x, axes, keepdim, out=None):
    return np.minimum.reduce(x, axes, keepdims=keepdim, out=... if out is None else out)


def argmax(x, axis, keepdim):
    return np.asarray(x.argmax(axis, None, keepdims=keepdim))  # a full reduction gives a numpy scalar


def argmin(x, axis, keepdim):
    return np.asarray(x.argmin(axis, None, keepdims=keepdim))


# Views: shape, strides and offset in elements.

def strides(x):
    itemsize = x.itemsize
    return tuple([stride // itemsize for stride in x.strides])


class _Memory:
    """x's memory from a given address, as numpy's array interface; holds x so the memory stays alive."""

    __slots__ = ("__array_interface__", "base")


def as_strided(x, shape, strides, offset):
    """A view of x's memory; `offset` counts from x's first element, so views of views compose."""
    itemsize = x.itemsize
    byte_strides = tuple([stride * itemsize for stride in strides])
    if x.flags.c_contiguous:
        # numpy checks that the view stays inside x's memory
        return np.ndarray(shape, x.dtype, x, offset * itemsize, byte_strides)
    # x is itself a strided view: start from its data pointer, which already includes its own offset
    memory = _Memory()
    memory.base = x
    address, readonly = x.__array_interface__["data"]
    memory.__array_interface__ = {"version": 3, "shape": tuple(shape), "typestr": x.dtype.str,
                                  "data": (address + offset * itemsize, readonly), "strides": byte_strides}
    return np.asarray(memory)


def contiguous(x):
    return x if x.flags.c_contiguous else np.ascontiguousarray(x)


def reshape(x, shape):
    return x.reshape(shape)  # a view when the strides allow it, else a copy


def permute(x, dims):
    return x.transpose(dims)


def expand(x, shape):
    """A broadcast view that stays writable, as PyTorch's (numpy's broadcast_to is read-only)."""
    itemsize = x.itemsize
    kept = [0 if size == 1 else stride // itemsize for size, stride in zip(x.shape, x.strides)]
    return as_strided(x, shape, [0] * (len(shape) - x.ndim) + kept, 0)


def slice_view(x, key):
    view = x[key]
    if type(view) is not np.ndarray:  # an int for every axis gives a scalar; a trailing ... a 0-d view
        view = x[(*key, ...)]
    return view


# Indexing.

def index(x, key):
    result = x[key]
    if type(result) is not np.ndarray or np.may_share_memory(result, x):
        return np.array(result)  # basic indexing gives a view or a scalar; the contract wants a new buffer
    return result


def index_put_(x, key, value, accumulate):
    if accumulate:
        np.add.at(x, key, value)  # unlike x[key] += value, repeated indices add up
    else:
        x[key] = value
    return x


def cat(buffers, axis):
    return np.concatenate(buffers, axis)


# Fused kernels.

def relu(x, out=None):
    return np.maximum(x, 0, out=... if out is None else out)


def sigmoid(x, out=None):
    """1 / (1 + exp(-x)), as exp(-|x|) / (1 + exp(-|x|)) for x < 0: exp never overflows."""
    exp = np.exp(-np.abs(x))
    negative = x < 0  # before writing: out may be x
    result = np.divide(1, 1 + exp, out=... if out is None else out)
    np.multiply(result, exp, out=result, where=negative)
    return result


@_silently
def softmax(x, axis):
    exp = np.exp(x - np.maximum.reduce(x, axis, None, None, True))
    exp /= np.add.reduce(exp, axis, None, None, True)
    return exp


@_silently
def log_softmax(x, axis):
    shifted = x - np.maximum.reduce(x, axis, None, None, True)
    shifted -= np.log(np.add.reduce(np.exp(shifted), axis, None, None, True))
    return shifted


@_silently
def cross_entropy(logits, target):
    """Per-row losses -log_softmax(logits)[i, target[i]] and the probabilities softmax(logits)."""
    shifted = logits - np.maximum.reduce(logits, 1, None, None, True)
    exp = np.exp(shifted)
    total = np.add.reduce(exp, 1, None, None, True)
    losses = np.log(total[:, 0]) - shifted[np.arange(len(target)), target]
    return losses, np.divide(exp, total, out=exp)


def binary_cross_entropy_with_logits(x, y):
    """max(x, 0) - x * y + log(1 + exp(-|x|)): the stable form, exp never overflows."""
    losses = np.maximum(x, 0, out=...)
    losses -= x * y
    losses += np.log1p(np.exp(-np.abs(x)))
    return losses


def sgd_step(param, grad, buf, lr, momentum, dampening, weight_decay, nesterov, maximize, first):
    """One step of PyTorch's SGD on one parameter, in place (buf too, when momentum is used)."""
    step = -grad if maximize else grad
    if weight_decay != 0:
        step = step + weight_decay * param
    if momentum != 0:
        if first:
            np.copyto(buf, step)
        else:
            buf *= momentum
            buf += (1 - dampening) * step
        step = step + momentum * buf if nesterov else buf
    param -= lr * step
    return param


KERNELS: dict[str, Any] = {
    "empty": empty,
    "full": full,
    "arange": arange,
    "uniform": uniform,
    "normal": normal,
    "from_numpy": shared,
    "to_numpy": shared,
    "copy_": copy_,
    "astype": astype,
    "neg": _unary(np.negative),
    "exp": _silently(_unary(np.exp)),
    "log": _silently(_unary(np.log)),
    "sin": _unary(np.sin),
    "cos": _unary(np.cos),
    "tanh": _unary(np.tanh),
    "sqrt": _silently(_unary(np.sqrt)),
    "abs": _unary(np.absolute),
    "sign": _unary(np.sign),
    "add": _binary(np.add),
    "sub": _binary(np.subtract),
    "mul": _binary(np.multiply),
    "div": _silently(_binary(np.divide)),
    "pow": _silently(_binary(np.power)),
    "maximum": _binary(np.maximum),
    "minimum": _binary(np.minimum),
    "eq": _binary(np.equal),
    "ne": _binary(np.not_equal),
    "lt": _binary(np.less),
    "le": _binary(np.less_equal),
    "gt": _binary(np.greater),
    "ge": _binary(np.greater_equal),
    "where": where,
    "sum": reduce_sum,
    "max": reduce_max,
    "argmax": argmax,
    "matmul": _binary(np.matmul),
    "strides": strides,
    "as_strided": as_strided,
    "contiguous": contiguous,
    "index": index,
    "index_put_": index_put_,
    # optional
    "reshape": reshape,
    "permute": permute,
    "expand": expand,
    "slice": slice_view,
    "relu": relu,
    "sigmoid": sigmoid,
    "min": reduce_min,
    "argmin": argmin,
    "cat": cat,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "cross_entropy": cross_entropy,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "sgd_step": sgd_step,
}
