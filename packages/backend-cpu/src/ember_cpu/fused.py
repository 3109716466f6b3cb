"""Fused optional kernels of a training step (docs/internals.md): each does in one call what core
otherwise composes from several required kernels, so a device with a queue launches less per step."""
from __future__ import annotations

import numpy as np

from . import lerp
from .kernels import _BITS, ARRAY, _array, _quietly, _select_or_zero, cross_entropy, row_numbers

# OpenBLAS's GEMM is up to 1.8x faster with few rows (a small batch) when they are the columns of the
# product it computes: (bᵀ @ aᵀ)ᵀ. Measured on 784-256, 256-1024 and 512-128 layers: faster up to 64 rows and
# at least twice as many columns, slower beyond.
_FEW_ROWS = 64


def _one(dtype) -> np.ndarray:
    one = np.ones((), dtype)
    one.flags.writeable = False
    return one


# 1 as a 0-d array of each float dtype: numpy takes a Python number in a ufunc ~2x slower than an array of the
# operand's dtype (NEP 50's weak promotion), the same value either way
_ONES = {np.dtype(t): _one(t) for t in (np.float16, np.float32, np.float64)}


@_quietly
def addmm(bias, a, b, out=None):
    """bias + a @ b. numpy's matmul reads a transposed operand from its strides (BLAS's transpose flag),
    so ``linear``'s ``weight.t()`` is never copied. With few rows and many columns the product is taken
    transposed, and adding the bias writes it back row-major (the same sums, in a faster BLAS loop)."""
    rows, columns = a.shape[0], b.shape[1]
    if out is None and rows <= _FEW_ROWS and 2 * rows <= columns and a.dtype == b.dtype == bias.dtype:
        result = np.empty((rows, columns), a.dtype)
        np.add(np.matmul(b.T, a.T).T, bias, out=result)
        return result
    result = _array(np.matmul(a, b, out=ARRAY if out is None else out))
    result += bias
    return result


def threshold_backward(grad, x, threshold):
    """PyTorch's threshold_backward (ReLU's backward): 0 where x <= threshold, else grad (NaN x passes).
    Branchless where it can be (numpy's where mispredicts on ReLU's random masks)."""
    dropped = _array(np.less_equal(x, threshold, out=ARRAY))
    if grad.dtype in _BITS and grad.shape == dropped.shape:
        return _select_or_zero(dropped, grad, False)
    return _array(np.where(dropped, grad.dtype.type(0), grad))


@_quietly
def tanh_backward(grad, result):
    """grad * (1 - result²): tanh's gradient from its result, rounded as core's composition."""
    factor = _array(np.multiply(result, result, out=ARRAY))
    np.subtract(_ONES.get(factor.dtype, 1), factor, out=factor)
    return np.multiply(grad, factor, out=factor)


@_quietly
def sigmoid_backward(grad, result):
    """grad * (1 - result) * result: sigmoid's gradient from its result, rounded as core's composition."""
    scaled = _array(np.subtract(_ONES.get(result.dtype, 1), result, out=ARRAY))
    np.multiply(grad, scaled, out=scaled)
    return np.multiply(scaled, result, out=scaled)


@_quietly
def softmax_backward(grad, result, axis):
    """(grad - sum(grad * result, axis)) * result: the gradient of softmax from its result."""
    products = np.multiply(grad, result)
    return _array(np.multiply(np.subtract(grad, np.add.reduce(products, axis, None, None, True)), result))


@_quietly
def log_softmax_backward(grad, result, axis):
    """grad - exp(result) * sum(grad, axis): the gradient of log_softmax from its result."""
    scaled = np.exp(result)
    scaled *= np.add.reduce(grad, axis, None, None, True)
    return _array(np.subtract(grad, scaled))


@_quietly
def cross_entropy_backward(grad, probs, target, scale, kept):
    """(probs - one_hot(target)) * grad * scale per row, from the probabilities the forward ``cross_entropy``
    returned: the gradient of the losses w.r.t. the logits. grad: 0-d or per row; scale: a number or a 0-d
    buffer; kept: None or the mask (bool, or 0./1. weights) of rows whose gradient is not 0."""
    rows = np.multiply(grad, scale)
    if kept is not None:
        rows = np.where(kept, rows, rows.dtype.type(0))
    per_row = rows[:, None] if rows.ndim else rows
    result = np.multiply(probs, per_row)
    # ufunc.at: the one-hot subtraction in one call, where `result[rows, target] -= rows` gathers, subtracts and
    # scatters (2.0 -> 1.2 us for 8 rows); one target per row, so each element is subtracted from once either way
    try:
        np.subtract.at(result, (row_numbers(len(target)), target), rows)
    except IndexError:  # a target outside [0, C) (a queued device's pending check rejects it) matches no class
        inside = (target >= 0) & (target < probs.shape[1])
        result = np.multiply(probs, per_row)  # afresh: nothing subtracted, whatever ufunc.at did before raising
        np.subtract.at(result, (np.flatnonzero(inside), target[inside]), rows[inside] if rows.ndim else rows)
    return result


def cross_entropy_checked(logits, target, ignore_index, flags):
    """``cross_entropy`` with the targets checked by the kernel, as a queued device's kernel does them
    (core checks a CPU's targets on the host, where that is free: the kit calls this one): rows (2, N)
    = losses (0 for an ignored or bad target) over weights (0 for an ignored one); flags: each bad target,
    else 0, an earlier call's nonzero `flags` kept and updated in place."""
    kept = target != ignore_index
    inside = (target >= 0) & (target < logits.shape[1])
    losses, probs = cross_entropy(logits, np.where(inside, target, 0))
    rows = np.stack([np.where(kept & inside, losses, logits.dtype.type(0)), kept.astype(logits.dtype)])
    flagged = np.where(kept & ~inside, target, 0)
    if flags is None:
        return rows, probs, flagged
    np.copyto(flags, flagged, where=flags == 0)
    return rows, probs, flags


@_quietly
def mse_loss(input, target, reduction):
    """(input - target)² elementwise ('none'), summed ('sum') or averaged ('mean': NaN when empty)."""
    errors = _array(np.subtract(input, target, out=ARRAY))
    errors *= errors
    if reduction == "none":
        return errors
    total = np.add.reduce(errors.reshape(-1), 0, None, None, True).reshape(())  # a 0-d array, not a scalar
    return total if reduction == "sum" else np.divide(total, errors.size, out=total)


@_quietly
def mse_loss_backward(grad, input, target, scale):
    """(input - target) * scale * grad: mse_loss's gradient w.r.t. input (scale is 2, or 2 / N for a mean)."""
    result = _array(np.subtract(input, target, out=ARRAY))
    result *= scale
    result *= grad
    return result


def zero_(buffers):
    """Fill each buffer of the list (any view) with zeros, in place."""
    for x in buffers:
        x[...] = 0


def copy_to(x, index):
    """A C-contiguous copy of x on device `index` (the CPU has one device: a copy in host memory)."""
    return np.array(x, copy=True, order="C", subok=True)


def _add_scaled(a, b, alpha, out=None):
    """a + alpha * b (into `out` when given), in the arrays' own dtype."""
    scaled = b if alpha == 1 else np.multiply(b, alpha)
    return _array(np.add(a, scaled, out=ARRAY if out is None else out))


@_quietly
def sgd_step(params, grads, bufs, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One step of PyTorch's SGD on every parameter of a group, in place. ``bufs``: None without momentum,
    else a momentum buffer per parameter, None on its first step (the step's gradient becomes it). Returns
    the momentum buffers (or None)."""
    if bufs is not None and not (maximize or weight_decay or nesterov) and dampening == 0:
        return _momentum_step(params, grads, bufs, lr, momentum)
    new_bufs = None if bufs is None else []
    for position, (param, grad) in enumerate(zip(params, grads)):
        step = _array(np.negative(grad, out=ARRAY)) if maximize else grad
        if weight_decay != 0:
            step = _add_scaled(step, param, weight_decay)
        if bufs is not None:
            buf = bufs[position]
            if buf is None:
                buf = step.copy()
            else:
                buf *= momentum
                _add_scaled(buf, step, 1 - dampening, out=buf)
            new_bufs.append(buf)
            step = _add_scaled(step, buf, momentum) if nesterov else buf
        _add_scaled(param, step, -lr, out=param)
    return new_bufs


def _momentum_step(params, grads, bufs, lr, momentum):
    """`sgd_step` with momentum alone (the common case): buf = momentum * buf + grad, param += -lr * buf, the
    general loop's roundings without its per-parameter branches and calls."""
    new_bufs = []
    for param, grad, buf in zip(params, grads, bufs):
        if buf is None:
            buf = grad.copy()
        else:
            np.multiply(buf, momentum, out=buf)
            np.add(buf, grad, out=buf)
        new_bufs.append(buf)
        np.add(param, np.multiply(buf, -lr), out=param)
    return new_bufs


@_quietly
def adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, lr, beta1, beta2, weight_decay, eps,
              amsgrad, maximize, decoupled_weight_decay):
    """One step of PyTorch's Adam (AdamW with ``decoupled_weight_decay``) on every parameter of a group, in
    place: parameters, first and second moments and, with ``amsgrad``, their running maxima
    (``max_exp_avg_sqs``, else None). ``steps``: each parameter's step count, this step included."""
    for position, (param, grad, exp_avg, exp_avg_sq) in enumerate(zip(params, grads, exp_avgs, exp_avg_sqs)):
        if maximize:
            grad = _array(np.negative(grad))
        if weight_decay != 0:
            if decoupled_weight_decay:
                np.multiply(param, 1 - lr * weight_decay, out=param)
            else:
                grad = _add_scaled(grad, param, weight_decay)
        lerp.lerp(exp_avg, grad, 1 - beta1, out=exp_avg)  # PyTorch's exp_avg.lerp_
        np.multiply(exp_avg_sq, beta2, out=exp_avg_sq)
        square = _array(np.multiply(grad, 1 - beta2))
        np.multiply(square, grad, out=square)
        np.add(exp_avg_sq, square, out=exp_avg_sq)
        step = steps[position]
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        second_moment = exp_avg_sq
        if amsgrad:
            second_moment = np.maximum(max_exp_avg_sqs[position], exp_avg_sq, out=max_exp_avg_sqs[position])
        denom = _array(np.sqrt(second_moment))
        np.divide(denom, bias_correction2_sqrt, out=denom)
        np.add(denom, eps, out=denom)
        update = _array(np.multiply(exp_avg, -step_size))
        np.divide(update, denom, out=update)
        np.add(param, update, out=param)


KERNELS = {
    "addmm": addmm,
    "threshold_backward": threshold_backward,
    "tanh_backward": tanh_backward,
    "sigmoid_backward": sigmoid_backward,
    "softmax_backward": softmax_backward,
    "log_softmax_backward": log_softmax_backward,
    "cross_entropy_backward": cross_entropy_backward,
    "cross_entropy_checked": cross_entropy_checked,
    "mse_loss": mse_loss,
    "mse_loss_backward": mse_loss_backward,
    "zero_": zero_,
    "copy_to": copy_to,
    "sgd_step": sgd_step,
    "adam_step": adam_step,
    "lerp": _quietly(lerp.lerp),
}
