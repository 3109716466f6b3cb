"""Fused optional kernels of the CUDA backend (docs/internals.md): CUDA C kernels (`sources/`, listed in
`fused_sources.py`) in cupy RawModules, each doing in one launch what core otherwise composes from
several kernels. A module is compiled on the first call that needs it and its functions are cached per
device; `kernels()` is the table the plugin registers.

Buffers are cupy arrays. A kernel reads its inputs as contiguous arrays (a strided view is copied first)
or, for a one-element operand (a 0-d gradient, a broadcast scalar), as that element everywhere; float16
is computed in float and rounded once when stored.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import fused_sources
from .fused_sources import GROUP, SOURCES, TENSOR_LISTS, expression
from .layout import laid_out

_THREADS = 256  # threads per block of the elementwise, row and optimizer kernels
_MAX_BLOCKS = 65535  # blocks of a grid-stride launch (more elements loop)
_REDUCE_THREADS = 512  # mse_loss_reduced's one block (REDUCE_THREADS in elementwise.cu)

_SOURCE_OF = {name: source for source in SOURCES for name in source.templates}
_MODULES: dict[str, Any] = {}  # source file -> cupy.RawModule (compiled per device by cupy, on first use)
_FUNCTIONS: dict[tuple[int, str, np.dtype], Any] = {}  # (device id, kernel, dtype) -> cupy Function


def _cupy():
    import cupy  # imported on first use: the plugin loads without cupy and reports why

    return cupy


def _function(name: str, dtype: np.dtype, device) -> Any:
    """Kernel template `name` instantiated for `dtype`, loaded on cupy device `device`."""
    key = (device.id, name, dtype)
    function = _FUNCTIONS.get(key)
    if function is None:
        source = _SOURCE_OF[name]
        module = _MODULES.get(source.file)
        if module is None:
            module = _MODULES[source.file] = _cupy().RawModule(
                code=source.code, options=fused_sources.OPTIONS, name_expressions=source.name_expressions)
        with device:
            function = _FUNCTIONS[key] = module.get_function(expression(name, dtype))
    return function


def _launch(name: str, like, elements: int, *args, grid_y: int = 1, threads: int = _THREADS) -> None:
    """Run kernel `name` for `like`'s dtype on its device over `elements` (grid-stride) with `args`."""
    blocks = max(1, min(-(-elements // threads), _MAX_BLOCKS))
    _function(name, like.dtype, like.device)((blocks, grid_y), (threads,), args)


def _math(dtype: np.dtype, value) -> np.generic:
    """`value` as a kernel argument of the arithmetic type of `dtype` (float for float16), rounded to
    `dtype` first, as numpy rounds a Python number against an array of `dtype`."""
    rounded = np.asarray(value, dtype=dtype)
    return np.float64(rounded) if dtype == np.float64 else np.float32(rounded)


def _dense(x):
    """x itself when its elements are contiguous from its data pointer, else a contiguous copy."""
    return x if x.flags.c_contiguous else _cupy().ascontiguousarray(x)


def _operand(x, shape: tuple[int, ...]) -> tuple[Any, np.int64]:
    """(buffer, step) reading x broadcast to `shape`: one element (step 0) or a dense copy of `shape`."""
    if x.size == 1:
        return x, np.int64(0)
    if x.shape != shape:
        x = _cupy().broadcast_to(x, shape)
    return _dense(x), np.int64(1)


def _elementwise(name: str, inputs: list, *scalars, out=None):
    """Kernel `name` over the broadcast of `inputs` (each passed as buffer and step), into a new buffer of
    the first one's dtype laid out as PyTorch's (or into `out`, any view)."""
    cupy = _cupy()
    first = inputs[0]
    shape = tuple(np.broadcast_shapes(*(x.shape for x in inputs)))
    with first.device:
        result = out if out is not None and out.flags.c_contiguous else cupy.empty(shape, first.dtype)
        if result.size:
            args: list = [result]
            for x in inputs:
                args += _operand(x, shape)
            _launch(name, first, result.size, *args, *scalars, np.int64(result.size))
        if out is None:
            return laid_out(cupy, result, tuple(inputs))
        if result is not out:
            out[...] = result
    return out


def relu(x, out=None):
    """max(x, 0); NaN and -0. pass, as in PyTorch."""
    return _elementwise("relu", [x], out=out)


def sigmoid(x, out=None):
    """1 / (1 + exp(-x)); 0 where exp(-x) overflows."""
    return _elementwise("sigmoid", [x], out=out)


def tanh_backward(grad, result):
    """grad * (1 - result * result), rounded as core's composition."""
    return _elementwise("tanh_backward", [grad, result])


def sigmoid_backward(grad, result):
    """grad * (1 - result) * result, rounded as core's composition."""
    return _elementwise("sigmoid_backward", [grad, result])


def threshold_backward(grad, x, threshold):
    """0 where x <= threshold, else grad (a NaN x passes grad)."""
    return _elementwise("threshold_backward", [grad, x], _math(grad.dtype, threshold))


def binary_cross_entropy_with_logits(x, y):
    """max(-x, 0) + (1 - y) x + log(1 + exp(-|x|)): PyTorch's stable form, elementwise."""
    return _elementwise("binary_cross_entropy_with_logits", [x, y])


def mse_loss(input, target, reduction):
    """(input - target)² elementwise ('none'), summed ('sum') or averaged ('mean': NaN when empty), in
    one launch."""
    if reduction == "none":
        return _elementwise("mse_loss", [input, target])
    with input.device:
        shape = tuple(np.broadcast_shapes(input.shape, target.shape))
        total = _cupy().empty((), input.dtype)
        n = int(np.prod(shape))
        args = [total, *_operand(input, shape), *_operand(target, shape), np.int64(n), np.int32(reduction == "mean")]
        _function("mse_loss_reduced", input.dtype, input.device)((1,), (_REDUCE_THREADS,), tuple(args))
    return total


def mse_loss_backward(grad, input, target, scale):
    """(input - target) * scale * grad."""
    shape = tuple(np.broadcast_shapes(grad.shape, input.shape, target.shape))
    with input.device:
        result = _cupy().empty(shape, input.dtype)
        if result.size:
            _launch("mse_loss_backward", input, result.size, result, *_operand(grad, shape),
                    *_operand(input, shape), *_operand(target, shape), _math(input.dtype, scale),
                    np.int64(result.size))
    return result


def addmm(bias, a, b, out=None, *, matmul=None):
    """bias + a @ b: cuBLAS through `matmul` (the backend's kernel, which honours the TF32 switch; cupy's
    by default; b may be a transposed view: cuBLAS reads its strides as the transpose flag), then one
    launch adding the bias in place."""
    cupy = _cupy()
    with a.device:
        result = (matmul or cupy.matmul)(a, b, out=out)
        if result.size:
            itemsize = result.itemsize
            spread = cupy.broadcast_to(bias, result.shape)
            _launch("bias_add", result, result.size, result, *(np.int64(s // itemsize) for s in result.strides),
                    spread, *(np.int64(s // itemsize) for s in spread.strides), *(np.int64(d) for d in result.shape))
    return result


def _along(name: str, inputs: list, axis: int, log: bool):
    """Row kernel `name` (softmax or its backward) of dense `inputs` along `axis`: a new contiguous buffer."""
    first = inputs[0]
    with first.device:
        dense = [_dense(x if x.shape == first.shape else _cupy().broadcast_to(x, first.shape)) for x in inputs]
        out = _cupy().empty(first.shape, first.dtype)
        if out.size:
            n = first.shape[axis]
            inner = int(np.prod(first.shape[axis + 1:]))
            rows = out.size // n
            _launch(name, first, rows, out, *dense, np.int64(rows), np.int64(n), np.int64(inner), np.int32(log))
    return out


def softmax(x, axis):
    return _along("softmax", [x], axis, False)


def log_softmax(x, axis):
    return _along("softmax", [x], axis, True)


def softmax_backward(grad, result, axis):
    """(grad - sum(grad * result, axis)) * result."""
    return _along("softmax_backward", [grad, result], axis, False)


def log_softmax_backward(grad, result, axis):
    """grad - exp(result) * sum(grad, axis)."""
    return _along("softmax_backward", [grad, result], axis, True)


def cross_entropy(logits, target):
    """Per-row losses -log_softmax(logits)[i, target[i]] and the probabilities softmax(logits), one thread
    per row (targets clamped into range: core's pending check reports a bad one)."""
    cupy = _cupy()
    rows, classes = logits.shape
    with logits.device:
        losses = cupy.empty((rows,), logits.dtype)
        probs = cupy.empty((rows, classes), logits.dtype)
        if rows and classes:
            _launch("cross_entropy", logits, rows, losses, probs, _dense(logits), _dense(target), np.int64(rows),
                    np.int64(classes))
    return losses, probs


def cross_entropy_checked(logits, target, ignore_index, flags):
    """``cross_entropy`` with the targets checked in the same launch (docs/internals.md): rows (2, N) =
    losses over weights, probs, and the device-side flags of bad targets (an earlier call's `flags`
    updated in place where they are still 0)."""
    cupy = _cupy()
    rows, classes = logits.shape
    with logits.device:
        out = cupy.empty((2, rows), logits.dtype)
        probs = cupy.empty((rows, classes), logits.dtype)
        keep = flags is not None
        if not keep:
            flags = cupy.empty((rows,), np.int64)
        if rows:  # classes > 0: core takes this path only for logits with elements
            _launch("cross_entropy_checked", logits, rows, out, probs, flags, _dense(logits), _dense(target),
                    np.int64(ignore_index), np.int64(keep), np.int64(rows), np.int64(classes))
    return out, probs, flags


_NULL = np.uint64(0)  # a null pointer argument


def cross_entropy_backward(grad, probs, target, scale, kept):
    """(probs - one_hot(target)) * grad * scale per row: grad 0-d or per row, scale a number or a 0-d
    buffer, kept None or the mask of the rows whose gradient is not 0 (bool, or 0./1. weights)."""
    cupy = _cupy()
    if kept is not None and kept.dtype != np.bool_:
        kept = kept != 0
    rows, classes = probs.shape
    with probs.device:
        out = cupy.empty((rows, classes), probs.dtype)
        if out.size:
            buffered = isinstance(scale, cupy.ndarray)
            _launch("cross_entropy_backward", probs, out.size, out, _dense(grad), np.int64(grad.ndim != 0),
                    _dense(probs), _dense(target), scale if buffered else _NULL,
                    _math(probs.dtype, 0 if buffered else scale), _NULL if kept is None else _dense(kept),
                    np.int64(rows), np.int64(classes))
    return out


def _tensor_lists(work: list[tuple], numbers: list[tuple[float, float, int]]):
    """Launches of at most GROUP tensors: for each, the host struct (optim.cu's TensorLists) and the
    largest tensor's size; `work`: each tensor's dense buffers by slot, `numbers`: its (a, b, flag)."""
    for start in range(0, len(work), GROUP):
        lists = np.zeros((), TENSOR_LISTS)
        largest = 0
        for j, (buffers, (a, b, flag)) in enumerate(zip(work[start:start + GROUP], numbers[start:start + GROUP])):
            for slot, buffer in enumerate(buffers):
                if buffer is not None:
                    lists["t"][slot, j] = buffer.data.ptr
            lists["n"][j] = buffers[0].size
            lists["a"][j], lists["b"][j], lists["flag"][j] = a, b, flag
            largest = max(largest, buffers[0].size)
        yield _cupy().cuda.function.CNumpyArray(lists), len(work[start:start + GROUP]), largest


def _multi_tensor(name: str, tensors: list[tuple], written: tuple[int, ...], numbers: list[tuple],
                  *scalars) -> None:
    """Kernel `name` over every tuple of `tensors` (buffers by slot, None for an unused slot), GROUP per
    launch. The buffers of the `written` slots are updated in place: one that is not dense is updated
    through a dense copy, copied back."""
    first = tensors[0][0]
    with first.device:
        dense = [tuple(None if x is None else _dense(x) for x in buffers) for buffers in tensors]
        for lists, count, largest in _tensor_lists(dense, numbers):
            _launch(name, first, largest, lists, *scalars, grid_y=count)
        for buffers, copies in zip(tensors, dense):
            for slot in written:
                if copies[slot] is not buffers[slot]:
                    buffers[slot][...] = copies[slot]


def sgd_step(params, grads, bufs, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One step of PyTorch's SGD on every parameter of a group, in one launch per GROUP parameters;
    returns the momentum buffers (a None buffer is a parameter's first step: the step becomes it), or
    None without momentum."""
    cupy = _cupy()
    new_bufs = None
    if bufs is not None:
        new_bufs = []
        for p, b in zip(params, bufs):
            with p.device:
                new_bufs.append(cupy.empty(p.shape, p.dtype) if b is None else b)
    work = [k for k, p in enumerate(params) if p.size]
    if work:
        tensors = [(params[k], grads[k], None if new_bufs is None else new_bufs[k]) for k in work]
        numbers = [(0.0, 0.0, int(bufs is not None and bufs[k] is None)) for k in work]
        _multi_tensor("sgd_step", tensors, (0,) if bufs is None else (0, 2), numbers, np.float64(-lr),
                      np.float64(weight_decay), np.float64(momentum), np.float64(1 - dampening),
                      np.int32(weight_decay != 0), np.int32(bufs is not None), np.int32(bool(nesterov)),
                      np.int32(bool(maximize)))
    return new_bufs


def adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, lr, beta1, beta2, weight_decay, eps,
              amsgrad, maximize, decoupled_weight_decay):
    """One step of PyTorch's Adam (AdamW with ``decoupled_weight_decay``) on every parameter of a group, in
    place with its moments, one launch per GROUP parameters; ``steps``: each parameter's step count."""
    work = [k for k, p in enumerate(params) if p.size]
    if not work:
        return
    tensors = [(params[k], grads[k], exp_avgs[k], exp_avg_sqs[k], max_exp_avg_sqs[k] if amsgrad else None)
               for k in work]
    numbers = [(-(lr / (1 - beta1 ** steps[k])), (1 - beta2 ** steps[k]) ** 0.5, 0) for k in work]
    _multi_tensor("adam_step", tensors, (0, 2, 3, 4) if amsgrad else (0, 2, 3), numbers,
                  np.float64(1 - lr * weight_decay), np.float64(weight_decay), np.float64(1 - beta1),
                  np.float64(beta2), np.float64(1 - beta2), np.float64(eps), np.int32(weight_decay != 0),
                  np.int32(bool(decoupled_weight_decay)), np.int32(bool(amsgrad)), np.int32(bool(maximize)))


_KERNELS: dict[str, Callable] = {
    "relu": relu,
    "sigmoid": sigmoid,
    "tanh_backward": tanh_backward,
    "sigmoid_backward": sigmoid_backward,
    "threshold_backward": threshold_backward,
    "softmax": softmax,
    "log_softmax": log_softmax,
    "softmax_backward": softmax_backward,
    "log_softmax_backward": log_softmax_backward,
    "cross_entropy": cross_entropy,
    "cross_entropy_checked": cross_entropy_checked,
    "cross_entropy_backward": cross_entropy_backward,
    "binary_cross_entropy_with_logits": binary_cross_entropy_with_logits,
    "mse_loss": mse_loss,
    "mse_loss_backward": mse_loss_backward,
    "addmm": addmm,
    "sgd_step": sgd_step,
    "adam_step": adam_step,
}


def kernels(matmul: Callable | None = None) -> dict[str, Callable]:
    """The fused optional kernels by contract name (a new dict: the plugin merges it into its table);
    `addmm` multiplies with `matmul` when given (the table's own kernel)."""
    table = dict(_KERNELS)
    if matmul is not None:
        def addmm_by_table(bias, a, b, out=None):
            return addmm(bias, a, b, out, matmul=matmul)

        addmm_by_table.__name__ = addmm_by_table.__qualname__ = "addmm"
        table["addmm"] = addmm_by_table
    return table
