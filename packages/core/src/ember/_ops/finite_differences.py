"""``torch.gradient``: central differences of a tensor along its dims (one-sided at the edges, to first or
second order), for uniform spacings or coordinate tensors, composed of slices and elementwise ops as
PyTorch's ReduceOps.cpp computes them (so they are differentiable and round as PyTorch's)."""
from __future__ import annotations

import numbers

from .._tensor import Tensor, _wrap_dim
from .joining import cat


def _span(x: Tensor, dim: int, start: int, stop: int | None = None) -> Tensor:
    """``x[start:stop]`` along `dim`."""
    return x[(slice(None),) * dim + (slice(start, stop),)]


def _uniform(x: Tensor, dim: int, h, edge_order: int) -> Tensor:
    """The differences along `dim` for points `h` apart."""
    center = (_span(x, dim, 2) - _span(x, dim, 0, -2)) / h
    if edge_order == 1:
        first = (_span(x, dim, 1, 2) - _span(x, dim, 0, 1)) / h
        last = (_span(x, dim, -1) - _span(x, dim, -2, -1)) / h
    else:
        first = (_span(x, dim, 0, 1) * -1.5 + _span(x, dim, 1, 2) * 2 - _span(x, dim, 2, 3) * 0.5) / h
        last = (_span(x, dim, -3, -2) * 0.5 + _span(x, dim, -2, -1) * -2 + _span(x, dim, -1) * 1.5) / h
    return cat([first, center / 2, last], dim)


def _coordinates(x: Tensor, dim: int, points: Tensor, edge_order: int) -> Tensor:
    """The differences along `dim` for points at the coordinates `points` (second-order accurate inside)."""
    shape = [1] * x.ndim
    shape[dim] = -1
    dx = points.diff()
    dx1, dx2 = dx[:-1], dx[1:]
    a = (-dx2 / (dx1 * (dx1 + dx2))).reshape(shape)
    b = ((dx2 - dx1) / (dx1 * dx2)).reshape(shape)
    c = (dx1 / (dx2 * (dx1 + dx2))).reshape(shape)
    center = a * _span(x, dim, 0, -2) + b * _span(x, dim, 1, -1) + c * _span(x, dim, 2)
    if edge_order == 1:
        first = (_span(x, dim, 1, 2) - _span(x, dim, 0, 1)) / dx[0]
        last = (_span(x, dim, -1) - _span(x, dim, -2, -1)) / dx[-1]
    else:
        h0, h1 = dx[0], dx[1]
        first = (-(2.0 * h0 + h1) / (h0 * (h0 + h1)) * _span(x, dim, 0, 1) + (h0 + h1) / (h0 * h1)
                 * _span(x, dim, 1, 2) + -h0 / (h1 * (h0 + h1)) * _span(x, dim, 2, 3))
        h0, h1 = dx[-1], dx[-2]
        last = (h0 / (h1 * (h0 + h1)) * _span(x, dim, -3, -2) + -(h0 + h1) / (h0 * h1) * _span(x, dim, -2, -1)
                + (2 * h0 + h1) / (h0 * (h0 + h1)) * _span(x, dim, -1))
    return cat([first, center, last], dim)


def gradient(input, *, spacing=1, dim=None, edge_order=1) -> tuple:
    """The derivative estimates of `input` along each of `dim` (default: every dim), a tuple: central
    differences inside, one-sided ones of order `edge_order` (1 or 2) at the edges; `spacing` is the
    points' distance (a number for every dim, or one per dim) or their coordinates (one 1-d tensor per dim)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"gradient(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    given = dim is not None
    dims = list(range(input.ndim)) if dim is None else [dim] if isinstance(dim, int) else list(dim)
    scalar = isinstance(spacing, (numbers.Number, Tensor)) and not (isinstance(spacing, Tensor) and spacing.ndim)
    spacings = [spacing] * len(dims) if scalar else list(spacing)
    if not scalar and len(spacings) != len(dims):
        raise RuntimeError(
            "ember.gradient expected spacing to be unspecified, a scalar or it's spacing and dim arguments to have "
            f"the same length, but got a spacing argument of length {len(spacings)} and a dim argument of length "
            f"{len(dims)}." if given else
            "ember.gradient expected spacing to be unspecified, a scalar, or a list of length equal to 'self.dim() "
            f"= {input.ndim}', since dim argument was not given, but got a list of length {len(spacings)}")
    if edge_order not in (1, 2):
        raise RuntimeError("ember.gradient only supports edge_order=1 and edge_order=2.")
    if any(size < edge_order + 1 for size in input.shape):
        raise RuntimeError("ember.gradient expected each dimension size to be at least edge_order+1")
    wrapped = [_wrap_dim(d, input.ndim, "gradient") for d in dims]
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    for h in spacings:
        if isinstance(h, Tensor) and h.ndim != 1 and not scalar:
            raise RuntimeError("ember.gradient expected each element of spacing to have one dimension, but got an "
                               f"element with {h.ndim} dimensions!")
    return tuple(_coordinates(input, d, h, edge_order) if isinstance(h, Tensor) and not scalar
                 else _uniform(input, d, h.item() if isinstance(h, Tensor) else h, edge_order)
                 for d, h in zip(wrapped, spacings))
