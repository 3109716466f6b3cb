"""`interpolate`: resize the spatial dims of (N, C, *spatial) by nearest-neighbour ('nearest' or
'nearest-exact'), (bi/tri)linear or bicubic sampling.

Each spatial dim is resampled on its own (the modes are separable): output position i takes input rows
``index_k[i]`` with weights ``weight_k[i]`` (one tap for nearest, two for linear, four for cubic), indices and weights
computed on the host from the sizes alone, as PyTorch's CPU kernels compute them (in the input's floating
dtype, so the same rows and weights). The forward selects rows (the `index` kernel: the indices are in
range by construction, so unchecked, with no host read) and weighs them under no_grad; the node, named as
PyTorch's (`UpsampleBilinear2DBackward0`...), scatter-adds the weighted gradient back, dim by dim in reverse:
a linear map of the gradient in differentiable ops, so double backward works.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

import ember
from ember import _memory_format
from ember._ops.dispatch import profiled
from ember._ops.index_ops import _dim_key
from ember._ops.pooling import adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d
from ember._ops.scatter import scatter_add_along
from ember._ops.views import laid_out
from ember._tensor import Tensor
from ember.autograd import grad_mode
from ember.autograd.node import Node, attach
from ember.nn.functional._common import type_name

# mode -> the number of spatial dims it needs (None: any of 1, 2, 3)
_MODES = {"nearest": None, "nearest-exact": None, "area": None, "linear": 1, "bilinear": 2, "bicubic": 2,
          "trilinear": 3}
_ALL_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_AXIS_NAMES = ("D", "H", "W")
_AREA = {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}
# (mode, spatial dims) whose PyTorch CPU backward writes a row-major gradient; the others write it in the
# format the output's gradient suggests
_ROW_MAJOR_GRADS = {("bicubic", 2), ("nearest", 3), ("nearest-exact", 3)}

Taps = list[tuple[Tensor, Tensor | None]]  # per output position: (input indices, weights or None)


class _ResampleBackward(Node):
    """The input's gradient: each dim's taps transposed (index_add of the weighted gradient), applied in
    the reverse order of the forward's."""

    plan: list[tuple[int, int, Taps]]  # (dim, input size along it, taps), in the forward's order
    keeps_layout: bool  # whether the input's gradient takes the format the output's gradient suggests

    def backward(self, grad: Tensor) -> Tensor:
        layout = _memory_format.suggest(grad._data.shape, grad.stride()) if self.keeps_layout else None
        for dim, size, taps in reversed(self.plan):
            shape = list(grad.shape)
            shape[dim] = size
            parts = []
            for index, weight in taps:
                positions = index.view((-1,) + (1,) * (grad.dim() - dim - 1)).expand(grad.shape)
                parts.append(scatter_add_along(grad if weight is None else grad * weight, dim, positions, tuple(shape)))
            grad = _summed(parts)
        if layout is None or layout is _memory_format.contiguous_format:
            return grad
        return grad.contiguous(memory_format=layout)


def _node_class(name: str) -> type:
    return type(name, (_ResampleBackward,), {"__doc__": f"{name}: a resampling's gradient, as PyTorch names it."})


_NODES = {
    ("nearest", 1): _node_class("UpsampleNearest1DBackward0"),
    ("nearest", 2): _node_class("UpsampleNearest2DBackward0"),
    ("nearest", 3): _node_class("UpsampleNearest3DBackward0"),
    ("nearest-exact", 1): _node_class("UpsampleNearestExact1DBackward0"),
    ("nearest-exact", 2): _node_class("UpsampleNearestExact2DBackward0"),
    ("nearest-exact", 3): _node_class("UpsampleNearestExact3DBackward0"),
    ("linear", 1): _node_class("UpsampleLinear1DBackward0"),
    ("bilinear", 2): _node_class("UpsampleBilinear2DBackward0"),
    ("bicubic", 2): _node_class("UpsampleBicubic2DBackward0"),
    ("trilinear", 3): _node_class("UpsampleTrilinear3DBackward0"),
}


def _source_scale(dtype: np.dtype, in_size: int, out_size: int, scale: float | None, align_corners: bool):
    """PyTorch's area_pixel_compute_scale: the input step per output step, in the computation dtype."""
    if align_corners:
        return dtype.type((in_size - 1) / (out_size - 1)) if out_size > 1 else dtype.type(0)
    if scale is not None and scale > 0:
        return dtype.type(1.0 / scale)
    return dtype.type(in_size) / dtype.type(out_size)


def _nearest_taps(in_size: int, out_size: int, scale: float | None) -> list[tuple[np.ndarray, None]]:
    """PyTorch's nearest_idx: floor(i * scale) in float32, the identity or i // 2 for the exact ratios."""
    positions = np.arange(out_size)
    if out_size == in_size:
        return [(positions, None)]
    if out_size == 2 * in_size:
        return [(positions >> 1, None)]
    step = _source_scale(np.dtype(np.float32), in_size, out_size, scale, False)
    index = np.floor(positions.astype(np.float32) * step).astype(np.int64)
    return [(np.minimum(index, in_size - 1), None)]


def _nearest_exact_taps(in_size: int, out_size: int, scale: float | None) -> list[tuple[np.ndarray, None]]:
    """PyTorch's nearest_exact_idx: floorf((i + 0.5) * scale), the scale in float32, clamped to the input."""
    step = _source_scale(np.dtype(np.float32), in_size, out_size, scale, False)
    source = ((np.arange(out_size) + 0.5) * np.float64(step)).astype(np.float32)
    return [(np.minimum(np.floor(source).astype(np.int64), in_size - 1), None)]


def _linear_taps(in_size: int, out_size: int, scale: float | None, align_corners: bool, dtype: np.dtype):
    """PyTorch's linear weights: source position s (clamped at 0), rows floor(s) and the next one (or the
    same at the edge), weights 1 - (s - floor(s)) and s - floor(s)."""
    step = _source_scale(dtype, in_size, out_size, scale, align_corners)
    positions = np.arange(out_size).astype(dtype)
    if align_corners:
        source = step * positions
    else:
        source = np.maximum(step * (positions + dtype.type(0.5)) - dtype.type(0.5), dtype.type(0))
    lower = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
    upper = lower + (lower < in_size - 1)
    upper_weight = np.clip(source - lower.astype(dtype), 0, 1).astype(dtype)
    return [(lower, (1 - upper_weight).astype(dtype)), (upper, upper_weight)]


def _cubic_taps(in_size: int, out_size: int, scale: float | None, align_corners: bool, dtype: np.dtype):
    """PyTorch's bicubic weights: source position s (not clamped), rows floor(s) - 1 .. floor(s) + 2 clamped to
    the input (floor(s) to its last row), weighed by Keys' cubic convolution (A = -0.75) at the distances
    t + 1, t, 1 - t, 2 - t, t = s - floor(s) clipped to [0, 1]."""
    step = _source_scale(dtype, in_size, out_size, scale, align_corners)
    positions = np.arange(out_size).astype(dtype)
    source = step * positions if align_corners else step * (positions + dtype.type(0.5)) - dtype.type(0.5)
    floor = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
    t = np.clip(source - floor.astype(dtype), 0, 1).astype(dtype)
    a = dtype.type(-0.75)

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    weights = (far(t + 1), near(t), near(1 - t), far(2 - t))
    return [(np.clip(floor + offset, 0, in_size - 1), weight.astype(dtype))
            for offset, weight in zip(range(-1, 3), weights)]


def _output_size_and_scales(input: Tensor, size, scale_factor, recompute_scale_factor) -> tuple[list, list]:
    """The output's spatial sizes and the scale factors the kernels use (None: computed from the sizes),
    checked as PyTorch's interpolate checks them."""
    dims = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dims:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {spatial} and output size of {size}. Please provide input tensor in (N, C, d1, "
                    "d2, ...,dK) format and output size in (o1, o2, ...,oK) format."
                )
            if not all(isinstance(s, int) for s in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int], but "
                    f"got size with types {[type(s) for s in size]}"
                )
            output_size = list(size)
        else:
            output_size = [size] * dims
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        return output_size, [None] * dims
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dims:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                f"spatial dimensions of {spatial} and scale_factor of shape {scale_factor}. Please provide input "
                "tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
            )
        scales = [float(s) for s in scale_factor]
    else:
        scales = [float(scale_factor)] * dims
    output_size = [math.floor(n * s) for n, s in zip(spatial, scales)]
    return output_size, ([None] * dims if recompute_scale_factor else scales)


def _check_mode(input: Tensor, mode: str) -> None:
    dims = input.dim() - 2
    needed = _MODES.get(mode, -1)
    if needed is None or needed == dims:
        if not 1 <= dims <= 3:
            raise NotImplementedError(
                f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the modes: "
                f"{_ALL_MODES} (got {mode})"
            )
        return
    if needed != -1 and mode != "bicubic":  # PyTorch names the dims needed for the linear modes only
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {needed + 2}D input")
    if mode == "lanczos":
        raise NotImplementedError("interpolate mode 'lanczos' is not implemented in ember (it has nearest, "
                                  "nearest-exact, area, linear, bilinear, bicubic and trilinear)")
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the modes: {_ALL_MODES} "
        f"(got {mode})"
    )


def _check_sizes(spatial: Sequence[int], output_size: Sequence[int]) -> None:
    if all(n > 0 for n in spatial) and all(n > 0 for n in output_size):
        return
    names = _AXIS_NAMES[3 - len(spatial):]
    given = ", ".join(f"{name}: {n}" for name, n in zip(names, spatial))
    wanted = ", ".join(f"{name}: {n}" for name, n in zip(names, output_size))
    raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({given}) output ({wanted})")


def _device_taps(taps: list, dim: int, ndim: int, dtype, device) -> Taps:
    """Host indices and weights as tensors on the input's device, weights shaped to broadcast along dim."""
    shape = (-1,) + (1,) * (ndim - dim - 1)
    return [(ember.tensor(index, device=device),
             None if weight is None else ember.tensor(weight, dtype=dtype, device=device).view(shape))
            for index, weight in taps]


def _summed(parts: list[Tensor]) -> Tensor:
    """The taps' weighed rows added up, in tap order."""
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return total


def _select(x: Tensor, dim: int, index: Tensor) -> Tensor:
    """x's slices along dim at index (known to be in range: no check), not recorded."""
    device = x._device
    return Tensor._make(device.kernels.index(x._data, _dim_key(device, dim, index._data)), x._dtype, device)


@profiled("aten::upsample")
def interpolate(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize (N, C, *spatial) to ``size``, or by ``scale_factor``, with 'nearest', 'nearest-exact' or 'area'
    (adaptive average pooling; any of 1-3 spatial dims), 'linear' (1), 'bilinear' (2), 'bicubic' (2) or
    'trilinear' (3) sampling; ``align_corners`` maps the corner pixels' centres onto each other (those
    interpolating modes only)."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    output_size, scales = _output_size_and_scales(input, size, scale_factor, recompute_scale_factor)
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                         "4-D tensor as input")
    if antialias:
        raise NotImplementedError("interpolate with antialias=True is not implemented in ember")
    _check_mode(input, mode)
    spatial = list(input.shape[2:])
    _check_sizes(spatial, output_size)
    if mode == "area":  # PyTorch's: the adaptive average pooling to the output size
        return _AREA[len(spatial)](input, output_size)
    if not input._dtype.is_floating_point:  # named as the PyTorch CPU kernel that refuses it
        kernel = "compute_indices_weights_cubic" if mode == "bicubic" else f"upsample_{mode}{len(spatial)}d"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name(input)}'")
    compute = np.dtype(np.float64 if input._dtype is ember.float64 else np.float32)
    plan = []
    for offset in reversed(range(len(spatial))):  # the last dim first, as PyTorch's kernels weigh them
        dim = offset + 2
        if mode == "nearest":
            taps = _nearest_taps(spatial[offset], output_size[offset], scales[offset])
        elif mode == "nearest-exact":
            taps = _nearest_exact_taps(spatial[offset], output_size[offset], scales[offset])
        elif mode == "bicubic":
            taps = _cubic_taps(spatial[offset], output_size[offset], scales[offset], bool(align_corners), compute)
        else:
            taps = _linear_taps(spatial[offset], output_size[offset], scales[offset], bool(align_corners), compute)
        plan.append((dim, spatial[offset], _device_taps(taps, dim, input.dim(), input._dtype, input.device)))
    with grad_mode.no_grad():
        output = input.detach()
        for dim, _, device_taps in plan:
            parts = [_select(output, dim, index) if weight is None else _select(output, dim, index) * weight
                     for index, weight in device_taps]
            output = _summed(parts)
    # in the format the input's strides suggest, as PyTorch's CPU kernels
    strides = _memory_format.suggested_strides(input._data.shape, input.stride(), output._data.shape)
    data = laid_out(output._device, output._data, output._dtype, strides)
    output = Tensor._make(data, output._dtype, output._device)
    return attach(output, _NODES[(mode, len(spatial))], (input,), plan=plan,
                  keeps_layout=(mode, len(spatial)) not in _ROW_MAJOR_GRADS)


def upsample(input: Tensor, size: int | Sequence[int] | None = None,
             scale_factor: float | Sequence[float] | None = None, mode: str = "nearest",
             align_corners: bool | None = None) -> Tensor:
    """Deprecated alias of `interpolate` (PyTorch warns the same)."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: int | Sequence[int] | None = None,
                     scale_factor: float | Sequence[float] | None = None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode="nearest")``."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: int | Sequence[int] | None = None,
                      scale_factor: float | Sequence[float] | None = None) -> Tensor:
    """Deprecated: ``interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)``."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
