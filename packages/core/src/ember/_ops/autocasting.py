"""Autocast's op policy, PyTorch's lists per device type, and the casts of an op's tensor arguments inside an
autocast region (applied by `dispatch.profiled` to the ops listed here, so no other op pays anything).

Each op runs in the region's lower precision dtype ("lower": matmul, conv...), in float32 ("float32": losses,
reductions that overflow float16...), in the widest floating dtype of its arguments ("promote": cat...), or as
it is ("uncast": ember's compositions of listed ops that PyTorch runs as one unlisted kernel, bilinear).
Only floating tensors of the region's device type are cast, never float64 ones; float32 leaf tensors that
require grad (weights) are cast once per region (`_autocast.cached`). A cast is the differentiable ``to``
(ToCopyBackward0), so gradients reach the weights in their own dtype. The op itself runs with the device
type's autocast off, as PyTorch's autocast kernels exclude their dispatch key, so what it calls is not cast
again. The GPU lists (cuda, and opencl's, ember's GPU) are PyTorch's CUDA lists; ops PyTorch lists that ember
lacks are left out, and ember's names are used where they differ (``nll_loss_nd``, ``upsample``).
"""
from __future__ import annotations

from collections.abc import Callable

from .. import _autocast, _dtype
from .._tensor import Tensor

LOWER, FLOAT32, PROMOTE, BANNED, UNCAST = "lower", "float32", "promote", "banned", "uncast"

_CPU_LOWER = ("conv1d", "conv2d", "conv3d", "bmm", "mm", "linalg_vecdot", "baddbmm", "addmm", "addbmm", "linear",
              "convolution", "matmul", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "prelu",
              "scaled_dot_product_attention")
_CPU_FLOAT32 = ("avg_pool3d", "binary_cross_entropy", "prod", "quantile", "nanquantile", "cdist", "trace",
                "cholesky", "cholesky_inverse", "cholesky_solve", "inverse", "lu_solve", "pinverse", "max_pool3d",
                "max_unpool2d", "max_unpool3d", "adaptive_avg_pool3d", "reflection_pad1d", "reflection_pad2d",
                "replication_pad1d", "replication_pad2d", "replication_pad3d", "mse_loss", "cosine_embedding_loss",
                "nll_loss_nd", "hinge_embedding_loss", "poisson_nll_loss", "smooth_l1_loss", "cross_entropy_loss",
                "l1_loss", "huber_loss", "margin_ranking_loss", "soft_margin_loss", "triplet_margin_loss",
                "multi_margin_loss", "kl_div", "multilabel_margin_loss", "binary_cross_entropy_with_logits",
                "linalg_solve", "linalg_solve_ex", "linalg_cholesky", "linalg_cholesky_ex", "linalg_inv",
                "linalg_inv_ex", "linalg_lu", "linalg_lu_factor", "linalg_lu_factor_ex", "linalg_lu_solve",
                "linalg_det", "linalg_slogdet", "slogdet", "logdet", "linalg_solve_triangular", "adaptive_max_pool3d",
                "geqrf", "orgqr", "linalg_householder_product", "qr", "linalg_qr", "svd", "linalg_svd",
                "linalg_svdvals", "linalg_matrix_rank", "linalg_eigh", "linalg_eigvalsh", "linalg_lstsq")
_CPU_PROMOTE = ("stack", "cat", "index_copy")
# Ops PyTorch's CPU autocast leaves alone though ember composes them from listed ones (PyTorch's kernels do not
# pass through autocast again): they run uncast, with autocast off inside.
_CPU_UNCAST = ("bilinear",)

_GPU_LOWER = ("convolution", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "prelu", "addmm", "addmv", "addr", "matmul", "einsum", "mm", "mv", "linalg_vecdot",
              "linear", "addbmm", "baddbmm", "bmm", "chain_matmul", "linalg_multi_dot", "lstm_cell", "gru_cell",
              "rnn_tanh_cell", "rnn_relu_cell", "scaled_dot_product_attention")
_GPU_FLOAT32 = ("acos", "asin", "cosh", "erfinv", "exp", "expm1", "log", "log10", "log2", "log1p", "reciprocal",
                "rsqrt", "sinh", "tan", "pow", "softplus", "layer_norm", "group_norm", "frobenius_norm",
                "cosine_similarity", "poisson_nll_loss", "cosine_embedding_loss", "nll_loss_nd",
                "hinge_embedding_loss", "kl_div", "l1_loss", "smooth_l1_loss", "huber_loss", "mse_loss",
                "margin_ranking_loss", "multilabel_margin_loss", "soft_margin_loss", "triplet_margin_loss",
                "multi_margin_loss", "binary_cross_entropy_with_logits", "dist", "pdist", "cdist", "renorm",
                "logsumexp", "upsample", "prod", "softmax", "log_softmax", "cumprod", "cumsum", "linalg_vector_norm",
                "linalg_matrix_norm", "sum", "norm", "linalg_norm", "cross_entropy_loss")
_GPU_PROMOTE = ("addcdiv", "addcmul", "atan2", "bilinear", "cross", "dot", "vdot", "grid_sampler", "index_put",
                "scatter_add", "tensordot", "stack", "cat", "index_copy")
_GPU_BANNED = ("binary_cross_entropy",)
# GPU float32 ops that take a `dtype`: PyTorch leaves a call that names one alone (its fp32_set_opt_dtype).
_GPU_OPTIONAL_DTYPE = frozenset(("prod", "softmax", "log_softmax", "cumprod", "cumsum", "linalg_vector_norm",
                                 "linalg_matrix_norm", "sum"))

_BANNED_MESSAGE = (
    "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
    "Many models use a sigmoid layer right before the binary cross entropy layer.\n"
    "In this case, combine the two layers using torch.nn.functional.binary_cross_entropy_with_logits\n"
    "or torch.nn.BCEWithLogitsLoss.  binary_cross_entropy_with_logits and BCEWithLogits are\n"
    "safe to autocast.")


def _lists(lower, float32, promote, banned=(), uncast=()) -> dict:
    return {**dict.fromkeys(lower, LOWER), **dict.fromkeys(float32, FLOAT32), **dict.fromkeys(promote, PROMOTE),
            **dict.fromkeys(banned, BANNED), **dict.fromkeys(uncast, UNCAST)}


_CPU = _lists(_CPU_LOWER, _CPU_FLOAT32, _CPU_PROMOTE, uncast=_CPU_UNCAST)
_GPU = _lists(_GPU_LOWER, _GPU_FLOAT32, _GPU_PROMOTE, _GPU_BANNED)
POLICIES = {"cpu": _CPU, "cuda": _GPU, "opencl": _GPU}


def policy(name: str) -> dict:
    """What each device type's autocast does with op `name` ({device type: kind}; empty when never cast)."""
    return {device_type: lists[name] for device_type, lists in POLICIES.items() if name in lists}


def runs_in_float32(name: str) -> bool:
    """Whether some device type's autocast runs op `name` in float32 (its float16 calls must reach
    `profiled`'s check, not a fast path around it)."""
    return FLOAT32 in policy(name).values()


def _first_tensor(values) -> Tensor | None:
    for value in values:
        if isinstance(value, Tensor):
            return value
        if isinstance(value, (list, tuple)):
            found = _first_tensor(value)
            if found is not None:
                return found
    return None


def _eligible(t, device_type: str) -> bool:
    """Whether autocast casts tensor `t`: floating, not float64, on the region's device type."""
    return isinstance(t, Tensor) and t._dtype.is_floating_point and t._dtype is not _dtype.float64 and \
        t._device.type == device_type


def _widest(values, device_type: str, dt):
    """The widest floating dtype among `values`' eligible tensors, from `dt` (the "promote" kind's)."""
    for value in values:
        if isinstance(value, (list, tuple)):
            dt = _widest(value, device_type, dt)
        elif _eligible(value, device_type) and value._dtype.itemsize > dt.itemsize:
            dt = value._dtype
    return dt


def _cast(value, device_type: str, dt, lower):
    """`value` (a tensor, a list or tuple of them, anything else) with its eligible tensors cast to `dt`."""
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(item, device_type, dt, lower) for item in value)
    if not _eligible(value, device_type) or value._dtype is dt:
        return value
    if dt is lower and value._dtype is _dtype.float32 and value._requires_grad and value._grad_fn is None and \
            value._base is None and _autocast.state.cache_enabled:
        return _autocast.cached(value, lambda: value.to(dt))
    return value.to(dt)


def call(name: str, kinds: dict, fn: Callable, args: tuple, kwargs: dict):
    """`fn(*args, **kwargs)` under the region's policy for op `name` (`kinds`: `policy(name)`), reached only
    while some thread has autocast on."""
    first = _first_tensor((*args, *kwargs.values()))
    state = _autocast.state
    if first is None or not state.enabled.get(first._device.type) or first._device.type not in kinds or \
            kwargs.get("out") is not None:  # as PyTorch's, whose out= overloads autocast leaves alone
        return fn(*args, **kwargs)
    device_type: str = first._device.type
    kind = kinds[device_type]
    if kind is BANNED:
        raise RuntimeError(_BANNED_MESSAGE)
    lower = state.dtypes[device_type]
    dt = None  # UNCAST: no cast
    if kind is LOWER:
        dt = lower
    elif kind is FLOAT32:
        if name in _GPU_OPTIONAL_DTYPE and kwargs.get("dtype") is not None and device_type != "cpu":
            return fn(*args, **kwargs)
        dt = _dtype.float32
    elif kind is PROMOTE:
        dt = _widest((*args, *kwargs.values()), device_type, lower)
    if dt is not None:
        args = tuple(_cast(value, device_type, dt, lower) for value in args)
        kwargs = {key: _cast(value, device_type, dt, lower) for key, value in kwargs.items()}
    state.enabled[device_type] = False
    try:
        return fn(*args, **kwargs)
    finally:
        state.enabled[device_type] = True
