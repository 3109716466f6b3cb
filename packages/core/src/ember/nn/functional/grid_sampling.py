"""`affine_grid` and `grid_sample`: spatial transformers. affine_grid maps a base grid of normalised
coordinates through each batch's affine matrix (one bmm); grid_sample reads the input at each grid point,
bilinearly, at the nearest pixel or bicubically, its taps found with floor and read with one gather each,
so both are composed of differentiable ember ops (gradients w.r.t. input and grid, double backward) and run
on every backend without a kernel of their own, each recorded as PyTorch's one node (`_composite`)."""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Sequence
from functools import partial, reduce
from itertools import product

import ember
from ember._ops.dispatch import profiled
from ember._tensor import Tensor
from ember.nn.functional._composite import composite

_DEFAULT_CHANGED = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                    "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                    "grid_sample for details.")
_MODES = ("bilinear", "nearest", "bicubic")
_PADDINGS = ("zeros", "border", "reflection")
_CUBIC_A = -0.75  # the cubic convolution's parameter, as PyTorch's (and OpenCV's)


def _aligned(align_corners: bool | None) -> bool:
    """align_corners, False (with PyTorch's warning) when not given."""
    if align_corners is None:
        warnings.warn(_DEFAULT_CHANGED, stacklevel=3)
        return False
    return bool(align_corners)


def _base_coordinates(steps: int, align_corners: bool, like: Tensor) -> Tensor:
    """`steps` coordinates spread over [-1, 1] (0 alone for one step), pulled in to the pixel centres when
    not align_corners."""
    if steps <= 1:
        return ember.zeros(1, dtype=like.dtype, device=like.device)
    line = ember.linspace(-1, 1, steps, dtype=like.dtype, device=like.device)
    return line if align_corners else line * ((steps - 1) / steps)


@profiled("aten::affine_grid_generator")
def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """The (N, H, W, 2) (or (N, D, H, W, 3)) sampling grid of the affine matrices ``theta`` (N, 2, 3) (or
    (N, 3, 4)) for an output of ``size`` (N, C, H, W) (or (N, C, D, H, W))."""
    align_corners = _aligned(align_corners)
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    given, size = size, list(size)  # the messages print the size as given
    if len(size) not in (4, 5):
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {given}.")
    rows = len(size) - 2
    if theta.dim() != 3 or theta.shape[-2] != rows or theta.shape[-1] != rows + 1:
        kind, shape = ("2D", "Nx2x3") if rows == 2 else ("3D", "Nx3x4")
        raise ValueError(f"Expected a batch of {kind} affine matrices of shape {shape} for size {given}. Got "
                         f"{theta.shape}.")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {given}")
    generate = partial(_affine_grid, size=size, align_corners=align_corners)
    return composite("AffineGridGeneratorBackward0", generate, theta)


def _affine_grid(theta: Tensor, size: list[int], align_corners: bool) -> Tensor:
    """The base grid (columns x (the last dim), y, (z,) then 1) times each batch's transposed matrix."""
    rows, spatial = len(size) - 2, size[2:]
    axes = [_base_coordinates(steps, align_corners, theta) for steps in reversed(spatial)]
    mesh = ember.meshgrid(*reversed(axes), indexing="ij")  # each spatial-shaped, in (D,) H, W order
    columns = [*reversed(mesh), ember.ones_like(mesh[0])]
    base = ember.stack(columns, -1).reshape(1, -1, rows + 1).expand(size[0], -1, -1)
    return base.bmm(theta.transpose(1, 2)).reshape(size[0], *spatial, rows)


def _unnormalized(coordinate: Tensor, size: int, align_corners: bool) -> Tensor:
    """A grid coordinate in [-1, 1] as a pixel position along a dimension of `size` pixels."""
    if align_corners:
        return (coordinate + 1) * ((size - 1) / 2)
    return ((coordinate + 1) * size - 1) / 2


def _reflected(position: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """`position` reflected about the bounds twice_low / 2 and twice_high / 2 until it lies between them."""
    if twice_low == twice_high:
        return position * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    distance = (position - low).abs()
    flips = (distance / span).floor()
    extra = distance - flips * span
    return ember.where(flips.remainder(2) == 0, extra + low, span - extra + low)


def _padded(position: Tensor, size: int, padding_mode: str, align_corners: bool) -> Tensor:
    """A pixel position brought inside the input as ``padding_mode`` says ('zeros' leaves it be)."""
    if padding_mode == "border":
        return position.clamp(0, size - 1)
    if padding_mode == "reflection":
        bounds = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        return _reflected(position, *bounds).clamp(0, size - 1)
    return position


class _Taps:
    """Reads a (N, C, *spatial) input at integer pixel positions (one tensor per grid coordinate, x first):
    one gather per tap over the flattened spatial dims, zero where a position falls outside."""

    def __init__(self, input: Tensor, out_shape: Sequence[int]) -> None:
        self.sizes = list(reversed(input.shape[2:]))  # x's (the last dim's) first
        self.strides = [math.prod(self.sizes[:k]) for k in range(len(self.sizes))]
        batch, channels = input.shape[:2]
        self.flat = input.reshape(batch, channels, -1)
        self.out_shape = (batch, channels, *out_shape)

    def read(self, positions: Sequence[Tensor], weight: Tensor) -> Tensor:
        """weight * input at `positions` (each (N, *out)), 0 outside the input."""
        inside = reduce(operator.and_, [(p >= 0) & (p <= size - 1) for p, size in zip(positions, self.sizes)])
        index = reduce(operator.add, [p.clamp(0, size - 1).long() * stride
                                      for p, size, stride in zip(positions, self.sizes, self.strides)])
        batch, channels = self.out_shape[:2]
        index = index.reshape(batch, 1, -1).expand(batch, channels, -1)
        values = self.flat.gather(2, index).reshape(self.out_shape)
        return values * (weight * inside).unsqueeze(1)


def _cubic_coefficients(t: Tensor) -> list[Tensor]:
    """The cubic convolution's weights of the four taps around a point `t` past the second one."""
    a = _CUBIC_A

    def near(x: Tensor) -> Tensor:
        return ((x * (a + 2) - (a + 3)) * x) * x + 1

    def far(x: Tensor) -> Tensor:
        return ((x * a - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _check_grid_sampler(input: Tensor, grid: Tensor, mode: str) -> None:
    """grid_sampler's refusals, in PyTorch's order."""
    sizes = f"input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
    if input.device != grid.device:
        raise RuntimeError(f"grid_sampler(): expected input and grid to be on same device, but input is on "
                           f"{input.device} and grid is on {grid.device}")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have the same dtype, but input has "
                           f"{input.dtype} and grid has {grid.dtype}")
    if input.dim() == 0 or grid.dim() == 0 or input.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got {sizes}")
    if grid.shape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, but "
                           f"got grid with sizes {list(grid.shape)}")
    for dim in range(2, input.dim()):
        if input.shape[dim] <= 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input "
                               f"has sizes {list(input.shape)} with dimension {dim} being empty")
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                           f"got {sizes}")
    if mode == "bicubic" and input.dim() != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")


@profiled("aten::grid_sampler")
def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners: bool | None = None) -> Tensor:
    """``input`` (N, C, H, W) (or (N, C, D, H, W)) read at ``grid`` (N, H_out, W_out, 2) (or (..., 3)):
    coordinates x, y(, z) in [-1, 1] across the input's width, height (and depth)."""
    if mode not in _MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in _PADDINGS:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    align_corners = _aligned(align_corners)
    _check_grid_sampler(input, grid, mode)
    sample = partial(_sampled, mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    return composite(f"GridSampler{input.dim() - 2}DBackward0", sample, input, grid)


def _sampled(input: Tensor, grid: Tensor, mode: str, padding_mode: str, align_corners: bool) -> Tensor:
    """grid_sample's values, in differentiable ember ops."""
    taps = _Taps(input, grid.shape[1:-1])
    coordinates = [_unnormalized(grid[..., k], size, align_corners) for k, size in enumerate(taps.sizes)]
    if mode == "bicubic":
        return _bicubic(taps, coordinates, padding_mode, align_corners)
    positions = [_padded(c, size, padding_mode, align_corners) for c, size in zip(coordinates, taps.sizes)]
    if mode == "nearest":
        nearest = [p.round() for p in positions]  # round's gradient is zero: PyTorch's for the grid here
        return taps.read(nearest, nearest[0] * 0 + 1)
    starts = [p.floor() for p in positions]
    fractions = [p - s for p, s in zip(positions, starts)]
    return reduce(operator.add, [
        taps.read([s + step for s, step in zip(starts, corner)],
                  math.prod(f if step else 1 - f for f, step in zip(fractions, corner)))
        for corner in product((0, 1), repeat=len(positions))])


def _bicubic(taps: _Taps, coordinates: list[Tensor], padding_mode: str, align_corners: bool) -> Tensor:
    """The 4 x 4 taps around each point, weighed by the cubic convolution's coefficients, each tap brought
    inside as ``padding_mode`` says."""
    (x, y), (width, height) = coordinates, taps.sizes
    x0, y0 = x.floor(), y.floor()
    wx, wy = _cubic_coefficients(x - x0), _cubic_coefficients(y - y0)
    return reduce(operator.add, [
        taps.read([_padded(x0 + (i - 1), width, padding_mode, align_corners),
                   _padded(y0 + (j - 1), height, padding_mode, align_corners)], wx[i] * wy[j])
        for i, j in product(range(4), repeat=2)])
