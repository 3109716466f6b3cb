"""Fused optional kernels of a training step (docs/internals.md): each does in one launch (or a few) what
core otherwise composes from several required kernels, so a step queues few kernels.

Elementwise ones are expressions for the elementwise generator; the softmax family reduces one row per
work-item along the axis (any strides, compensated sums); ``sgd_step`` updates up to `_GROUP` parameters
per launch of one generated kernel.
"""
from __future__ import annotations

import numpy as np

from . import elementwise, program, reduction
from .buffer import CLArray, allocate
from .memory import contiguous_copy
from .program import ctype


def _binary_expression(body: str):
    """A kernel ``f(grad, result)`` computing `body` over a (grad) and b (result), broadcast."""
    def kernel(grad, result):
        out = elementwise.result_buffer([grad, result], result.dtype, None)
        t = ctype(result.dtype)
        return elementwise.run(result.device, body.format(T=t), "", out, [grad, result], [grad.dtype, result.dtype])
    return kernel


tanh_backward = _binary_expression("a * (({T})1 - b * b)")
sigmoid_backward = _binary_expression("(a * (({T})1 - b)) * b")


def binary_cross_entropy_with_logits(x, y):
    """max(-x, 0) + (1 - y) x + log(1 + exp(-|x|)): PyTorch's stable form, summed in the CPU's order."""
    out = elementwise.result_buffer([x, y], x.dtype, None)
    body = "((-a > 0 || isnan(a)) ? -a : ({T})0) + (({T})1 - b) * a + log1p(exp(-fabs(a)))"
    return elementwise.run(x.device, body.format(T=ctype(x.dtype)), "", out, [x, y], [x.dtype, y.dtype])


def threshold_backward(grad, x, threshold):
    """0 where x <= threshold, else grad (a NaN x passes grad)."""
    out = elementwise.result_buffer([grad, x], grad.dtype, None)
    return elementwise.run(grad.device, f"b <= c ? ({ctype(grad.dtype)})0 : a", "", out, [grad, x, threshold],
                           [grad.dtype, x.dtype, x.dtype])


def mse_loss(input, target, reduction_name):
    """(input - target)² elementwise ('none'), summed ('sum') or averaged ('mean': NaN when empty)."""
    errors = elementwise.result_buffer([input, target], input.dtype, None)
    elementwise.run(input.device, "(a - b) * (a - b)", "", errors, [input, target], [input.dtype, target.dtype])
    if reduction_name == "none":
        return errors
    total = reduction.KERNELS["sum"](errors, tuple(range(errors.ndim)), False)
    if reduction_name == "sum":
        return total
    return elementwise.run(input.device, "a / b", "", allocate(input.device, (), input.dtype), [total, errors.size],
                           [input.dtype, input.dtype])


def mse_loss_backward(grad, input, target, scale):
    """(input - target) * scale * grad."""
    out = elementwise.result_buffer([grad, input, target], input.dtype, None)
    return elementwise.run(input.device, "((b - c) * d) * a", "", out, [grad, input, target, scale],
                           [grad.dtype, input.dtype, target.dtype, input.dtype])


# The softmax family: (first pass over the row, giving `m`; second pass, giving the sum `s`; the value
# written at r). X, G, Y read the input, gradient and result at r of the work-item's row.
_ROWS = {
    "softmax": ("m = (v > m || isnan(v)) ? v : m;", "exp(X(r) - m)", "exp(X(r) - m) / s", ("x",), "X"),
    "log_softmax": ("m = (v > m || isnan(v)) ? v : m;", "exp(X(r) - m)", "(X(r) - m) - log(s)", ("x",), "X"),
    "softmax_backward": ("", "G(r) * Y(r)", "(G(r) - s) * Y(r)", ("g", "y"), None),
    "log_softmax_backward": ("", "G(r)", "G(r) - exp(Y(r)) * s", ("g", "y"), None),
}


def _row_source(op: str, t: str, kept: int) -> str:
    first, term, value, names, maxed = _ROWS[op]
    targets = ["o_i"] + [f"{name}_i" for name in names]
    params = [f"__global {t} *o"] + [f"__global const {t} *{name}, long {name}_off, long {name}_a" for name in names]
    params += ["long o_a", "long n_out", "long n_red"] + [f"long ks{d}" for d in range(kept)]
    params += [f"long kt{j}_{d}" for j in range(len(targets)) for d in range(kept)]
    unravel = program.unravel("w", [f"ks{d}" for d in range(kept)],
                              [[f"kt{j}_{d}" for d in range(kept)] for j in range(len(targets))], targets)
    macros = "".join(f"#define {name.upper()}(r) {name}[{name}_i + (r) * {name}_a]\n" for name in names)
    pass_max = (f"{t} m = {maxed}(0);\n    for (long r = 1; r < n_red; r++) {{ const {t} v = {maxed}(r); {first} }}"
                if maxed else "")
    return f"""{macros}
__kernel void k({", ".join(params)}) {{
    const long w = get_global_id(0);
    if (w >= n_out) return;
    long o_i = 0; {" ".join(f"long {name}_i = {name}_off;" for name in names)}
    {unravel}
    {pass_max}
    {t} s = 0, comp = 0;
    for (long r = 0; r < n_red; r++) {{
        const {t} d_ = ({term}) - comp; const {t} sum_ = s + d_;
        comp = isfinite(sum_) ? (sum_ - s) - d_ : 0; s = sum_;
    }}
    for (long r = 0; r < n_red; r++) o[o_i + r * o_a] = {value};
}}"""


def _rows(op: str, inputs: list[CLArray], axis: int) -> CLArray:
    """The softmax-family `op` of `inputs` (all of one shape) along `axis`, one work-item per row."""
    first = inputs[0]
    out = allocate(first.device, first.shape, first.dtype)
    if not out.size:
        return out
    kept_dims = [d for d in range(first.ndim) if d != axis]
    arrays = [out] + inputs
    kshape, kstrides = program.collapse(tuple(first.shape[d] for d in kept_dims),
                                        [tuple(x.strides[d] for d in kept_dims) for x in arrays])
    n_out = out.size // first.shape[axis]
    args: list = [out.base]
    types: list = [None]
    for x in inputs:
        args += [x.base, x.offset, x.strides[axis]]
        types += [None, np.int64, np.int64]
    args += [out.strides[axis], n_out, first.shape[axis], *kshape, *(s for strides in kstrides for s in strides)]
    types += [np.int64] * (3 + len(kshape) * (1 + len(arrays)))
    kernel = program.build(first.device, _row_source(op, ctype(first.dtype), len(kshape)), "k", types)
    program.launch(first.device, kernel, n_out, *args)
    return out


def softmax(x, axis):
    return _rows("softmax", [x], axis)


def log_softmax(x, axis):
    return _rows("log_softmax", [x], axis)


def softmax_backward(grad, result, axis):
    """(grad - sum(grad * result, axis)) * result."""
    return _rows("softmax_backward", [grad, _full(grad, result)], axis)


def log_softmax_backward(grad, result, axis):
    """grad - exp(result) * sum(grad, axis)."""
    return _rows("log_softmax_backward", [grad, _full(grad, result)], axis)


def _full(grad: CLArray, result: CLArray) -> CLArray:
    """`result` read with `grad`'s shape (the same shape: a view with its own strides)."""
    return result.view(grad.shape, elementwise.broadcast_strides(result, grad.shape), result.offset)


def _cross_entropy_source(t: str, checked: bool) -> str:
    """One row per work-item. `checked`: the targets are checked here (``cross_entropy_checked``): a row
    whose target is ignore_index or out of range reads no logit by it, and flags each bad one."""
    outputs = f"__global {t} *rows, __global {t} *probs, __global long *flags" if checked else \
        f"__global {t} *losses, __global {t} *probs"
    if checked:
        picked = """const long t = target[t_off + row * t_s];
    const int kept = t != ignore, inside = t >= 0 && t < classes;
    const long was = fresh ? 0 : flags[row];
    flags[row] = was != 0 ? was : (kept && !inside ? t : 0);
    rows[n + row] = kept ? 1 : 0;
    rows[row] = kept && inside ? -((x[at + t * x_c] - m) - log(s)) : 0;"""
    else:
        picked = "losses[row] = -((x[at + target[t_off + row * t_s] * x_c] - m) - log(s));"
    return f"""
__kernel void k({outputs}, __global const {t} *x, long x_off, long x_r, long x_c,
                __global const long *target, long t_off, long t_s, long n, long classes, long ignore, int fresh) {{
    const long row = get_global_id(0);
    if (row >= n) return;
    const long at = x_off + row * x_r;
    {t} m = x[at];
    for (long c = 1; c < classes; c++) {{ const {t} v = x[at + c * x_c]; m = (v > m || isnan(v)) ? v : m; }}
    {t} s = 0, comp = 0;
    for (long c = 0; c < classes; c++) {{
        const {t} d_ = exp(x[at + c * x_c] - m) - comp; const {t} sum_ = s + d_;
        comp = isfinite(sum_) ? (sum_ - s) - d_ : 0; s = sum_;
    }}
    for (long c = 0; c < classes; c++) probs[row * classes + c] = exp(x[at + c * x_c] - m) / s;
    {picked}
}}"""


def _cross_entropy_run(logits, target, outputs: list, ignore_index: int, fresh: bool = True) -> None:
    n, classes = logits.shape
    if n and classes:
        checked = len(outputs) == 3
        types = [None] * (len(outputs) + 1) + [np.int64] * 3 + [None] + [np.int64] * 5 + [np.int32]
        kernel = program.build(logits.device, _cross_entropy_source(ctype(logits.dtype), checked), "k", types)
        program.launch(logits.device, kernel, n, *(x.base for x in outputs), logits.base, logits.offset,
                       *logits.strides, target.base, target.offset, target.strides[0], n, classes, ignore_index,
                       fresh)


def cross_entropy(logits, target):
    """Per-row losses -log_softmax(logits)[i, target[i]] and the probabilities softmax(logits)."""
    n, classes = logits.shape
    losses = allocate(logits.device, (n,), logits.dtype)
    probs = allocate(logits.device, (n, classes), logits.dtype)
    _cross_entropy_run(logits, target, [losses, probs], 0)
    return losses, probs


def cross_entropy_checked(logits, target, ignore_index, flags):
    """cross_entropy with the targets checked on the device (docs/internals.md): rows (2, N) = the losses
    (0 where the target is ignore_index or out of range) over the weights (0 where ignored, else 1), the
    probabilities, and the flags: each row's target where it is out of range and not ignore_index, else 0
    (never a bad target); given `flags` (an earlier call's), its nonzero rows are kept and it is updated."""
    n, classes = logits.shape
    rows = allocate(logits.device, (2, n), logits.dtype)
    probs = allocate(logits.device, (n, classes), logits.dtype)
    fresh = flags is None
    if fresh:
        flags = allocate(logits.device, (n,), np.dtype(np.int64))
    _cross_entropy_run(logits, target, [rows, probs, flags], ignore_index, fresh)
    return rows, probs, flags


def _cross_entropy_backward_source(t: str, scale_buffer: bool, mask_type: str | None) -> str:
    scale = f"__global const {t} *scale, long scale_off" if scale_buffer else f"const {t} scale"
    masked = mask_type is not None
    mask = f"__global const {mask_type} *kept, long k_off, long k_s" if masked else "long unused"
    factor = "scale[scale_off]" if scale_buffer else "scale"
    rows = f"grad[g_off + row * g_s] * {factor}"
    if masked:
        rows = f"kept[k_off + row * k_s] != 0 ? {rows} : ({t})0"
    return f"""
__kernel void k(__global {t} *out, __global const {t} *grad, long g_off, long g_s, __global const {t} *probs,
                long p_off, long p_r, long p_c, __global const long *target, long t_off, long t_s, {scale}, {mask},
                long classes, long n) {{
    const long i = get_global_id(0);
    if (i >= n) return;
    const long row = i / classes, c = i % classes;
    const {t} rows = {rows};
    const {t} value = probs[p_off + row * p_r + c * p_c] * rows;
    out[i] = target[t_off + row * t_s] == c ? value - rows : value;
}}"""


def cross_entropy_backward(grad, probs, target, scale, kept):
    """(probs - one_hot(target)) * grad * scale per row; grad 0-d or per row, scale a number or a 0-d buffer,
    kept None or the mask (bool, or of probs' dtype: 0 is False) of rows whose gradient is not 0. A target
    outside [0, C) matches no class (a row that a pending check will reject reads nothing outside)."""
    out = allocate(probs.device, probs.shape, probs.dtype)
    t = ctype(probs.dtype)
    scale_buffer, masked = isinstance(scale, CLArray), kept is not None
    args: list = [out.base, grad.base, grad.offset, grad.strides[0] if grad.ndim else 0, probs.base, probs.offset,
                  *probs.strides, target.base, target.offset, target.strides[0]]
    types: list = [None, None, np.int64, np.int64, None, np.int64, np.int64, np.int64, None, np.int64, np.int64]
    if scale_buffer:
        args += [scale.base, scale.offset]
        types += [None, np.int64]
    else:
        args.append(elementwise.scalar_arg(scale, probs.dtype))
        types.append(probs.dtype)
    if masked:
        args += [kept.base, kept.offset, kept.strides[0]]
        types += [None, np.int64, np.int64]
    else:
        args.append(0)
        types.append(np.int64)
    args += [probs.shape[1], out.size]
    types += [np.int64, np.int64]
    source = _cross_entropy_backward_source(t, scale_buffer, ctype(kept.dtype) if masked else None)
    kernel = program.build(probs.device, source, "k", types)
    program.launch(probs.device, kernel, out.size, *args)
    return out


def cat(buffers, axis):
    """The buffers joined along `axis`: one copy kernel per non-empty input into its slice of the result."""
    first = buffers[0]
    shape = list(first.shape)
    shape[axis] = sum(x.shape[axis] for x in buffers)
    out = allocate(first.device, tuple(shape), first.dtype)
    start = 0
    for x in buffers:
        if x.size:
            elementwise.copy_(out.view(x.shape, out.strides, start * out.strides[axis]), x)
        start += x.shape[axis]
    return out


_GROUP = 8  # parameters one multi-tensor launch updates (kernel arguments are limited in number)


def _foreach_source(t: str, count: int, names: tuple[str, ...], each: tuple[str, ...], shared: tuple[str, ...],
                    body: str) -> str:
    """A kernel running `body` on element i of `count` tensors: work-item n belongs to the first tensor j
    with n < end_j. `names`: its buffers, `each`: its own scalars (C declarations), `shared`: scalars of type
    `t` common to all."""
    declared = [f"__global {t} *{name}" for name in names] + list(each) + [f"{t} {name}" for name in shared]
    each_names = [declaration.split()[-1] for declaration in each]
    params, branches = [], []
    for j in range(count):
        params += [f"__global {t} *{name}{j}" for name in names]
        params += [f"{declaration}{j}" for declaration in each] + [f"long end{j}"]
        call = ", ".join([f"{name}{j}" for name in (*names, *each_names)] + list(shared))
        start = f"end{j - 1}" if j else "0"
        branches.append(f"if (n < end{j}) {{ step_(n - {start}, {call}); return; }}")
    return f"""
void step_(long i, {", ".join(declared)}) {{
    {body}
}}
__kernel void k({", ".join(params + [f"{t} {name}" for name in shared])}) {{
    const long n = get_global_id(0);
    {" else ".join(branches)}
}}"""


def _dense(x: CLArray) -> CLArray:
    """x itself when its elements lie at x's base from offset 0 in row-major order, else a copy that does."""
    return x if x.is_contiguous and x.offset == 0 else contiguous_copy(x)


def _foreach(tensors: list[tuple[CLArray, ...]], written: int, each: tuple[str, ...], values: list[tuple],
             shared: dict, body: str, names: tuple[str, ...]) -> None:
    """Run `body` (C statements on element i of buffers `names`) over every tensor tuple of `tensors`, up
    to `_GROUP` tuples per launch. The first `written` buffers of a tuple are written: one that is not dense
    is updated through a dense copy, copied back. `values`: each tuple's own scalars (declared by `each`,
    "T name" for the tensors' type)."""
    first = tensors[0][0]
    dtype, device = first.dtype, first.device
    t = ctype(dtype)
    each = tuple(t + declaration[1:] if declaration.startswith("T ") else declaration for declaration in each)
    scalar_types = [np.dtype(np.int32) if declaration.startswith("int") else dtype for declaration in each]
    for group in range(0, len(tensors), _GROUP):
        members = list(zip(tensors[group:group + _GROUP], values[group:group + _GROUP]))
        args: list = []
        types: list = []
        write_back = []
        end = 0
        for buffers, own in members:
            dense = [_dense(x) for x in buffers]
            write_back += [(x, d) for x, d in zip(buffers[:written], dense[:written]) if d is not x]
            end += buffers[0].size
            args += [d.base for d in dense] + [np.array(v, dtype=k)[()] for v, k in zip(own, scalar_types)] + [end]
            types += [None] * len(dense) + scalar_types + [np.int64]
        source = _foreach_source(t, len(members), names, each, tuple(shared), body)
        kernel = program.build(device, source, "k", types + [dtype] * len(shared))
        program.launch(device, kernel, end, *args, *(elementwise.scalar_arg(v, dtype) for v in shared.values()))
        for original, dense_copy in write_back:
            elementwise.copy_(original, dense_copy)


def sgd_step(params, grads, bufs, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One step of PyTorch's SGD on every parameter of a group, in place; returns the momentum buffers
    (a None buffer is a parameter's first step: the step becomes it), or None without momentum."""
    new_bufs = None if bufs is None else [allocate(p.device, p.shape, p.dtype) if b is None else b
                                          for p, b in zip(params, bufs)]
    work = [position for position, p in enumerate(params) if p.size]
    if not work:
        return new_bufs
    lines = ["T s = -g[i];" if maximize else "T s = g[i];"]
    if weight_decay != 0:
        lines.append("s = s + wd * p[i];")
    if bufs is not None:
        lines.append("const T v = fresh ? s : mom * b[i] + damp * s; b[i] = v;")
        lines.append("s = s + mom * v;" if nesterov else "s = v;")
    lines.append("p[i] = p[i] + nlr * s;")
    body = " ".join(lines).replace("T ", ctype(params[0].dtype) + " ")
    shared = {"nlr": -lr, "wd": weight_decay, "mom": momentum, "damp": 1 - dampening}
    if bufs is None:
        _foreach([(params[k], grads[k]) for k in work], 1, (), [()] * len(work), shared, body, ("p", "g"))
    else:
        _foreach([(params[k], new_bufs[k], grads[k]) for k in work], 2, ("int fresh",),
                 [(bufs[k] is None,) for k in work], shared, body, ("p", "b", "g"))
    return new_bufs


# PyTorch's single-tensor Adam on element i: its lerp_ (fused, one rounding, as PyTorch's AVX2/AVX512 CPU kernels
# and CUDA's; from end's side once the weight is >= 0.5), addcmul_ and addcdiv_ roundings.
_ADAM = """
T g_ = MAXIMIZE g[i];
DECAY
T w_ = w1;
if (w_ < (T)0.5) m[i] = fma(w_, g_ - m[i], m[i]); else m[i] = fma(w_ - (T)1, g_ - m[i], g_);
v[i] = v[i] * b2;
v[i] = v[i] + (g_ * c2) * g_;
SECOND
const T denom = sqrt(second) / bc2 + eps;
p[i] = p[i] + (m[i] * nsz) / denom;
"""


def adam_step(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, steps, lr, beta1, beta2, weight_decay, eps,
              amsgrad, maximize, decoupled_weight_decay):
    """One step of PyTorch's Adam (AdamW with ``decoupled_weight_decay``) on every parameter of a group, in
    place with its moments; ``steps``: each parameter's step count, this step included."""
    work = [position for position, p in enumerate(params) if p.size]
    if not work:
        return
    decay = ""
    if weight_decay != 0:
        decay = "p[i] = p[i] * keep;" if decoupled_weight_decay else "g_ = g_ + wd * p[i];"
    second = ("T second = (vmax[i] >= v[i] || isnan(vmax[i])) ? vmax[i] : v[i]; vmax[i] = second;" if amsgrad
              else "T second = v[i];")
    body = (_ADAM.replace("MAXIMIZE", "-" if maximize else "").replace("DECAY", decay).replace("SECOND", second)
            .replace("T ", ctype(params[0].dtype) + " ").replace("(T)", f"({ctype(params[0].dtype)})"))
    shared = {"keep": 1 - lr * weight_decay, "wd": weight_decay, "w1": 1 - beta1, "b2": beta2, "c2": 1 - beta2,
              "eps": eps}
    names = ("p", "m", "v") + (("vmax",) if amsgrad else ()) + ("g",)
    tensors = [(params[k], exp_avgs[k], exp_avg_sqs[k]) + ((max_exp_avg_sqs[k],) if amsgrad else ()) + (grads[k],)
               for k in work]
    values = [(-(lr / (1 - beta1 ** steps[k])), (1 - beta2 ** steps[k]) ** 0.5) for k in work]
    _foreach(tensors, len(names) - 1, ("T nsz", "T bc2"), values, shared, body, names)


KERNELS = {
    "threshold_backward": threshold_backward,
    "tanh_backward": tanh_backward,
    "sigmoid_backward": sigmoid_backward,
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
    "cat": cat,
    "sgd_step": sgd_step,
    "adam_step": adam_step,
}
