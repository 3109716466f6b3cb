"""histc, histogram and histogramdd, as PyTorch's: counts (or summed weights) of the elements in equal-width bins over a
range, or between given bin edges; composed of comparisons, floor, searchsorted and a scatter-add of the
elements into their bins. Neither is differentiable (as in PyTorch)."""
from __future__ import annotations

import math

from .. import return_types
from .._tensor import Tensor
from ..autograd import grad_mode
from .creation import linspace, ones_like
from .dispatch import type_name
from .pointwise import where
from .scatter import scatter_add_along
from .searching import searchsorted


def _floating(input, op: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not input.dtype.is_floating_point:
        kernel = "histogram_cpu" if op == "histc" else "histogramdd"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{type_name(input.dtype)}\'')


def _check_bins(bins: int, d: int = 0) -> None:
    if bins <= 0:
        raise RuntimeError(f"ember.histogram(): bins must be > 0, but got {bins} for dimension {d}")


def _widened(low: float, high: float, spread: float) -> tuple[float, float]:
    """[low, high], widened by `spread` on each side where it is empty."""
    return (low - spread, high + spread) if low == high else (low, high)


def _counted(x, position, weight, bins: int):
    """The sum of `weight` (1 when None) per bin `position` of the elements of `x` (-1: outside every bin)."""
    slot = where(position < 0, bins, position)  # elements outside the range go to a bin dropped after
    mass = ones_like(x) if weight is None else weight.reshape(-1).to(x.dtype)
    return scatter_add_along(mass, 0, slot, (bins + 1,))[:bins]


def _uniform_positions(x, low: float, high: float, bins: int):
    """The bin of each element of `x` among `bins` equal bins over [low, high] (PyTorch's interpolation, the
    top edge in the last bin), -1 outside."""
    inside = (x >= low) & (x <= high)
    position = ((x - low) * bins / (high - low)).floor().clamp(0, bins - 1)
    return where(inside, position, -1.0).long()


def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002 - PyTorch's names
    """Counts of the elements of `input` in `bins` equal bins over [min, max] (the data's range when both are
    0); elements outside it, and NaN, are not counted."""
    _floating(input, "histc")
    _check_bins(bins)
    low, high = float(min), float(max)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"ember.histc: range of [{min:g}, {max:g}] is not finite")
    if low > high:
        raise RuntimeError("ember.histc: max must be larger than min")
    with grad_mode.no_grad():
        x = input.detach().reshape(-1)
        if low == high and x.numel():  # min == max: the data's extremes
            low, high = float(x.min()), float(x.max())
        low, high = _widened(low, high, 1.0)
        if not (math.isfinite(low) and math.isfinite(high)):
            raise RuntimeError(f"ember.histc: range of [{low:g}, {high:g}] is not finite")
        hist = _counted(x, _uniform_positions(x, low, high, bins), None, bins)
    if out is not None:
        from .linalg import write_out
        return write_out(out, "histc", hist._data, input.dtype, (input,))
    return hist


def _edges_given(edges, input, d: int = 0):
    if edges.dim() != 1 or edges.numel() < 1:
        raise RuntimeError("ember.histogramdd: bins tensor should have one dimension, but got "
                           f"{edges.dim()} dimensions in the bins tensor for dimension {d}")
    if edges.dtype is not input.dtype:
        raise RuntimeError(f"ember.histogramdd: input tensor and bins tensors should have the same dtype, but got "
                           f"input {type_name(input.dtype)} and bins {type_name(edges.dtype)}")
    return edges


def _binned(x, bins, bounds, input, d: int = 0) -> tuple:
    """(position, edges, count) of the values `x` along histogram dimension `d`: each value's bin (-1
    outside every bin), the bin edges and their number, for `bins` equal bins over `bounds` (a (low, high)
    pair; None: the data's extremes) or between the edges of the 1-d tensor `bins`."""
    if isinstance(bins, Tensor):
        edges = _edges_given(bins, input, d).detach()
        count = edges.numel() - 1
        low, high = float(edges[0]), float(edges[-1])
        position = searchsorted(edges, x, right=True) - 1
        return where((x >= low) & (x <= high), position.clamp(max=count - 1), -1), edges, count
    count = bins
    _check_bins(count, d)
    if bounds is not None:
        low, high = float(bounds[0]), float(bounds[1])
    elif x.numel():
        low, high = float(x.min()), float(x.max())
    else:
        low, high = 0.0, 1.0  # no data: NumPy's default range
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"ember.histogramdd: dimension {d}'s range [{low:g}, {high:g}] is not finite")
    if low > high:
        raise RuntimeError(f"ember.histogramdd: min should not exceed max, but got min {low:g} max {high:g} "
                           f"for dimension {d}")
    low, high = _widened(low, high, 0.5)
    edges = linspace(low, high, count + 1, dtype=input.dtype, device=input.device)
    position = _uniform_positions(x, low, high, count)
    # PyTorch's local search: an element on the wrong side of its bin's computed edge moves over
    position = where((position > 0) & (x < edges[position.clamp(min=0)]), position - 1, position)
    position = where((position >= 0) & (position < count - 1) & (x >= edges[(position + 1).clamp(max=count)]),
                     position + 1, position)
    return position, edges, count


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):  # noqa: A002
    """(hist, bin_edges): counts (summed `weight`) of the elements of `input` in `bins` equal bins over
    `range` (the data's extremes by default), or between the edges of the 1-d tensor `bins`; with `density`
    the hist is normalised to integrate to 1."""
    _floating(input, "histogram")
    if weight is not None and tuple(weight.shape) != tuple(input.reshape(-1).shape) and \
            tuple(weight.shape) != tuple(input.shape):
        raise RuntimeError("ember.histogramdd: if weight tensor is provided it should have the same shape as the "
                           f"input tensor excluding its innermost dimension, but got input with shape "
                           f"{list(input.reshape(-1, 1).shape)} and weight with shape {list(weight.shape)}")
    with grad_mode.no_grad():
        x = input.detach().reshape(-1)
        position, edges, count = _binned(x, bins, range, input)
        hist = _counted(x, position, weight, count)
        if density:
            widths = edges[1:] - edges[:-1]
            hist = hist / (hist.sum() * widths)
    if out is not None:
        from .linalg import write_out
        hist = write_out(out[0], "histogram", hist._data, input.dtype, (input,))
        edges = write_out(out[1], "histogram", edges._data, input.dtype, (input,))
    return return_types.histogram(hist, edges)


def histogramdd(input, bins, *, range=None, weight=None, density=False):  # noqa: A002
    """(hist, bin_edges): counts (summed `weight`) of the points, the rows of `input` (its last dim holding
    their D coordinates), in a D-dimensional grid of bins: per dimension `bins` equal bins (an int for every
    dimension, or one per dimension) over `range` ([min0, max0, min1, max1, ...]; the data's extremes by
    default), or between the edges of one 1-d tensor per dimension; with `density` the hist is normalised
    to integrate to 1."""
    _floating(input, "histogramdd")
    if input.dim() < 2:
        raise RuntimeError("ember.histogramdd: input tensor should have at least 2 dimensions")
    dims = input.shape[-1]
    per_dim = [bins] * dims if isinstance(bins, int) else list(bins)
    if len(per_dim) != dims:
        raise RuntimeError("histogramdd: The size of bins must be equal to the innermost dimension of the input.")
    if range is not None and len(range) != 2 * dims:
        raise RuntimeError(f"ember.histogramdd: for a {dims}-dimensional histogram range should have "
                           f"{2 * dims} elements, but got {len(range)}")
    points = input.reshape(-1, dims)
    if weight is not None and tuple(weight.shape) != tuple(input.shape[:-1]):
        raise RuntimeError("ember.histogramdd: if weight tensor is provided it should have the same shape as the "
                           f"input tensor excluding its innermost dimension, but got input with shape "
                           f"{list(input.shape)} and weight with shape {list(weight.shape)}")
    with grad_mode.no_grad():
        points = points.detach()
        slot, outside, edges, counts = None, None, [], []
        for d, dim_bins in enumerate(per_dim):
            bounds = None if range is None else (range[2 * d], range[2 * d + 1])
            position, dim_edges, count = _binned(points[:, d].contiguous(), dim_bins, bounds, input, d)
            edges.append(dim_edges)
            counts.append(count)
            slot = position if slot is None else slot * count + position
            outside = position < 0 if outside is None else outside | (position < 0)
        slot = where(outside, -1, slot)
        hist = _counted(points[:, 0], slot, weight, math.prod(counts)).reshape(counts)
        if density:
            volume = None
            for d, dim_edges in enumerate(edges):
                shape = [1] * dims
                shape[d] = -1
                widths = (dim_edges[1:] - dim_edges[:-1]).reshape(shape)
                volume = widths if volume is None else volume * widths
            hist = hist / (hist.sum() * volume)
    return return_types.histogramdd(hist, tuple(edges))
