"""ember: a PyTorch-compatible eager autograd framework whose devices are plugins.

``import ember as torch`` runs ordinary PyTorch training code; kernels come from the backend of
each tensor's device (``ember-cpu`` on numpy, and others found through the ``ember.backends``
entry point group).
"""
from __future__ import annotations

import builtins
import math
from typing import TYPE_CHECKING, Any

from . import _dtype, _generator
from ._device import DeviceUnavailableError, device, get_default_device, set_default_device
from ._dtype import dtype, get_default_dtype, set_default_dtype
from ._legacy import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from ._memory_format import channels_last, channels_last_3d, contiguous_format, memory_format, preserve_format
from ._ops import binary as _binary
from ._ops import conjugation as _conjugation
from ._ops import index_ops as _index_ops
from ._ops import methods as _methods
from ._ops import queries as _queries
from ._ops import rounding as _rounding
from ._ops import scatter as _scatter
from ._ops import unary as _unary
from ._ops.activation import log_softmax, relu, sigmoid, softmax
from ._ops.addcmul import addcdiv, addcmul
from ._ops.blas import addbmm, addmm, addmv, addr, baddbmm
from ._ops.broadcasting import broadcast_shapes, broadcast_tensors
from ._ops.convolution import conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, convolution
from ._ops.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    empty_strided,
    eye,
    from_numpy,
    frombuffer,
    full,
    full_like,
    initial_seed,
    linspace,
    logspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    scalar_tensor,
    seed,
    tensor,
    zeros,
    zeros_like,
)
from ._ops.einsum import einsum
from ._ops.inplace import fill
from ._ops.joining import cat, stack
from ._ops.lerp import lerp
from ._ops.linalg import bmm, dot, ger, matmul, mm, mv, outer, vdot
from ._ops.logit import logit
from ._ops.matrix_chains import chain_matmul, matrix_power
from ._ops.matrix_exp import matrix_exp
from ._ops.matrix_norms import frobenius_norm, norm
from ._ops.norms import allclose, count_nonzero, equal, isclose, logsumexp
from ._ops.padding import constant_pad_nd
from ._ops.pointwise import (
    add,
    clamp,
    clamp_max,
    clamp_min,
    div,
    eq,
    ge,
    gt,
    le,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    masked_fill,
    maximum,
    minimum,
    mul,
    ne,
    pow,
    reciprocal,
    square,
    sub,
    where,
)
from ._ops.polygamma import mvlgamma, polygamma
from ._ops.pooling import (
    adaptive_avg_pool1d,
    avg_pool1d,
    max_pool1d,
    max_pool1d_with_indices,
    max_pool2d,
    max_pool3d,
)
from ._ops.pooling import adaptive_max_pool1d_pair as adaptive_max_pool1d
from ._ops.reduction import all, amax, amin, any, argmax, argmin, max, mean, min, prod, std, sum, var
from ._ops.scan import cummax, cummin, cumprod, cumsum
from ._ops.sections import dsplit, hsplit, tensor_split, vsplit
from ._ops.shape import (
    chunk,
    diag,
    diagonal,
    flip,
    fliplr,
    flipud,
    movedim,
    roll,
    split,
    split_with_sizes,
    tril,
    triu,
    unbind,
    unsafe_chunk,
    unsafe_split,
    unsafe_split_with_sizes,
)
from ._ops.sorting import (
    argsort,
    kthvalue,
    median,
    mode,
    msort,
    nanmedian,
    sort,
    topk,
    unique,
    unique_consecutive,
)
from ._ops.strided import as_strided
from ._ops.views import (
    broadcast_to,
    clone,
    flatten,
    narrow,
    permute,
    reshape,
    select,
    squeeze,
    swapaxes,
    t,
    transpose,
    unflatten,
    unsqueeze,
)
from ._ops.weight_norm import _weight_norm, norm_except_dim
from ._size import Size
from ._tensor import Tensor
from ._tensor_str import get_printoptions, set_printoptions
from ._typeinfo import can_cast, finfo, iinfo, promote_types, result_type
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

_methods.bind()
globals().update(_unary.FUNCTIONS)  # the registry's elementwise ops: exp, log2, arcsin, isnan...
round = _rounding.round  # noqa: A001 - and round with PyTorch's decimals= overload
globals().update(_binary.FUNCTIONS, **_binary.TORCH_ONLY)  # and its binary ones: remainder, atan2, rsub...
globals().update(_scatter.FUNCTIONS, **_index_ops.FUNCTIONS, index_put_=_index_ops.index_put_)  # gather...
globals().update(_queries.FUNCTIONS, get_device=_queries.get_device)  # is_signed, is_nonzero...
globals().update(_conjugation.FUNCTIONS)  # conj, real, adjoint...: real tensors' identities and transposes
if TYPE_CHECKING:
    def __getattr__(name: str) -> Any: ...  # the registry's ops, made at import

float32 = _dtype.float32
float64 = _dtype.float64
float16 = _dtype.float16
uint8 = _dtype.uint8
int8 = _dtype.int8
int16 = _dtype.int16
int32 = _dtype.int32
int64 = _dtype.int64
bool = _dtype.bool_  # noqa: A001 - PyTorch's name, shadowing the builtin only as ``ember.bool``
float = float32  # noqa: A001
double = float64
half = float16
int = int32  # noqa: A001
long = int64
short = int16

from . import (  # noqa: E402  (they build on the names above)
    accelerator,
    amp,
    autograd,
    backends,  # noqa: E402
    cpu,
    cuda,
    distributed,
    distributions,
    func,
    linalg,
    multiprocessing,
    nn,
    optim,
    profiler,
    random,
    return_types,
    special,
    testing,
    utils,
    version,
)
from ._deterministic import (  # noqa: E402
    are_deterministic_algorithms_enabled,
    get_deterministic_debug_mode,
    is_deterministic_algorithms_warn_only_enabled,
    set_deterministic_debug_mode,
    use_deterministic_algorithms,
)
from ._dlpack import from_dlpack  # noqa: E402
from ._generator import Generator, get_rng_state, set_rng_state  # noqa: E402
from ._matmul_precision import get_float32_matmul_precision, set_float32_matmul_precision  # noqa: E402
from ._ops.sampling import bernoulli, binomial, multinomial, normal, poisson  # noqa: E402
from ._threads import get_num_threads, set_num_threads  # noqa: E402
from .amp import autocast  # noqa: E402
from .amp.autocast_mode import (  # noqa: E402
    autocast_decrement_nesting,
    autocast_increment_nesting,
    clear_autocast_cache,
    get_autocast_cpu_dtype,
    get_autocast_dtype,
    get_autocast_gpu_dtype,
    is_autocast_cache_enabled,
    is_autocast_cpu_enabled,
    is_autocast_enabled,
    set_autocast_cache_enabled,
    set_autocast_dtype,
    set_autocast_enabled,
)
from .serialization import load, save  # noqa: E402

vmap = func.vmap

# torch.<name> forms of nn functional ops (session 7)
cosine_similarity, pairwise_distance = nn.functional.cosine_similarity, nn.functional.pairwise_distance
prelu = nn.functional.prelu
rrelu, rrelu_ = nn.functional.rectifiers.torch_rrelu, nn.functional.rectifiers.torch_rrelu_  # with generator=
threshold, threshold_ = nn.functional.threshold, nn.functional.threshold_
rms_norm = nn.functional.rms_norm
pixel_shuffle, pixel_unshuffle = nn.functional.pixel_shuffle, nn.functional.pixel_unshuffle
channel_shuffle = nn.functional.channel_shuffle
native_channel_shuffle, conv_tbc = nn.functional.native_channel_shuffle, nn.functional.conv_tbc

# torch-level signatures of nn ops (session 8), bound by name: a from-import would reorder mypy's import cycle
from . import _nn_forms  # noqa: E402

globals().update({_name: getattr(_nn_forms, _name) for _name in _nn_forms.NAMES})

Tensor.hardshrink = _nn_forms.hardshrink  # type: ignore[attr-defined]
Tensor.prelu = prelu  # type: ignore[attr-defined]  # PyTorch's Tensor.prelu(weight): an nn op, bound once nn is imported

# everyday torch.* ops composed of existing ones (session 7, helper ops)
from ._ops.aminmax import aminmax  # noqa: E402
from ._ops.cdist import cdist  # noqa: E402
from ._ops.cholesky_ops import cholesky_solve  # noqa: E402
from ._ops.covariance import corrcoef, cov  # noqa: E402
from ._ops.cross import cross  # noqa: E402
from ._ops.eigh_ops import symeig  # noqa: E402
from ._ops.exponents import float_power, frexp, ldexp  # noqa: E402
from ._ops.finite_differences import gradient  # noqa: E402
from ._ops.gcd import gcd, lcm  # noqa: E402
from ._ops.histograms import histc, histogram, histogramdd  # noqa: E402
from ._ops.householder_ops import orgqr  # noqa: E402
from ._ops.index_builders import (  # noqa: E402
    argwhere,
    bincount,
    combinations,
    nonzero,
    nonzero_static,
    tril_indices,
    triu_indices,
    unravel_index,
)
from ._ops.inner import inner, vander  # noqa: E402
from ._ops.logcumsumexp import logcumsumexp  # noqa: E402
from ._ops.lu_ops import det, inverse, logdet  # noqa: E402
from ._ops.lu_ops import legacy_slogdet as slogdet  # noqa: E402
from ._ops.moments import std_mean, var_mean  # noqa: E402
from ._ops.nan_reductions import nan_to_num, nanmean, nansum  # noqa: E402
from ._ops.norms import dist, renorm  # noqa: E402
from ._ops.pseudoinverse import pinverse  # noqa: E402
from ._ops.qr_ops import geqrf  # noqa: E402
from ._ops.qr_ops import legacy_qr as qr  # noqa: E402
from ._ops.quantiles import nanquantile, quantile  # noqa: E402
from ._ops.rearranging import diag_embed, diagflat, diff, kron, rot90, tensordot, trace  # noqa: E402
from ._ops.searching import bucketize, isin, searchsorted  # noqa: E402
from ._ops.signs import heaviside, sgn, signbit  # noqa: E402
from ._ops.stacking import (  # noqa: E402
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block_diag,
    cartesian_prod,
    column_stack,
    dstack,
    hstack,
    meshgrid,
    ravel,
    row_stack,
    tile,
    vstack,
)
from ._ops.svd_decomposition import legacy_svd as svd  # noqa: E402
from ._ops.trapezoid import cumulative_trapezoid, trapezoid, trapz  # noqa: E402

default_generator = _generator.default_for(device("cpu"))  # the CPU's default Generator, as torch's

concat = concatenate = cat
clip = clamp
subtract, multiply, divide, true_divide = sub, mul, div, div
swapdims = transpose
moveaxis = movedim


def is_tensor(obj) -> builtins.bool:
    """True when `obj` is an ember Tensor."""
    return isinstance(obj, Tensor)


def _tensor_input(input, op: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input


def is_floating_point(input: Tensor) -> builtins.bool:
    return _tensor_input(input, "is_floating_point")._dtype.is_floating_point


def numel(input: Tensor) -> builtins.int:
    return _tensor_input(input, "numel").numel()


def _method_function(name: str):
    method = getattr(Tensor, name)

    def function(input, *args, **kwargs):
        return method(_tensor_input(input, name), *args, **kwargs)
    function.__name__ = name
    function.__doc__ = f"``ember.{name}(t)`` is ``t.{name}()``."
    return function


for _name in ("sigmoid_", "relu_", "clamp_", "reciprocal_", *(name + "_" for name in _unary.IN_PLACE), "square_",
              "clamp_min_", "clamp_max_", "clip_", "fill_", "zero_", "detach_", "nan_to_num_", "logit_", "xlogy_",
              "gcd_", "lcm_", "addmv_", "detach"):
    globals()[_name] = _method_function(_name)
del _name

# top-level names of PyTorch's namespace (session 9): constants, legacy helpers, the compile entry point
pi, e, inf, nan, newaxis = math.pi, math.e, math.inf, math.nan, None
from . import compiler  # noqa: E402
from ._device_module import get_device_module  # noqa: E402
from ._legacy import set_default_tensor_type, typename  # noqa: E402
from ._ops import view_copies as _view_copies  # noqa: E402
from ._ops import view_scatters as _view_scatters  # noqa: E402
from ._ops.asarray import asarray  # noqa: E402
from ._ops.legacy_range import range  # noqa: E402,A004  (PyTorch's name, shadowing the builtin as ember.range)
from ._ops.windows import (  # noqa: E402
    bartlett_window,
    blackman_window,
    hamming_window,
    hann_window,
    kaiser_window,
)
from ._warn_always import is_warn_always_enabled, set_warn_always  # noqa: E402
from .compiler import compile  # noqa: E402,A004

globals().update({_name: getattr(_view_copies, _name) for _name in _view_copies.NAMES})
globals().update({_name: getattr(_view_scatters, _name) for _name in _view_scatters.NAMES})
for _name in _view_scatters.NAMES:
    setattr(Tensor, _name, getattr(_view_scatters, _name))
Tensor.nonzero_static = nonzero_static  # type: ignore[attr-defined]

__version__ = version.__version__
