"""PyTorch's cascade summation of nll_loss's reduction (aten's nll_loss and nll_loss2d CPU forward), for
float16, where its rounding shows: the per-target terms, in the targets' order, are summed in the tensor's
own dtype into 8 partial sums; term b (an ignored target is skipped altogether) is added into the first,
which then moves into the next one up for each of b's trailing groups of `level_power` zero bits (b = 0:
all of them); the result is the partial sums added in order. float16's sum of (0, 32768, -1.25, -32768)
is then 0, where a float32 accumulation gives 1.25.

The segments depend on which targets are ignored: read from the `kept` mask on the host (a
synchronisation on a device with a queue, for float16 losses only)."""
from __future__ import annotations

import numpy as np

import ember

from ..._tensor import Tensor

_LEVELS = 8  # PyTorch's cascade_sum_num_levels


def cascade_sum(terms: Tensor, kept: Tensor) -> Tensor:
    """The 0-d sum of `terms` where `kept` holds (both of the targets' shape), in `terms`' dtype, as
    PyTorch's nll_loss cascades it."""
    positions = np.flatnonzero(np.asarray(kept.reshape(-1).tolist(), dtype=bool))
    power = max(4, (terms.numel() - 1).bit_length() // _LEVELS)  # PyTorch's CeilLog2(count) / 8, at least 4
    # how many partial sums each term moves up: its trailing zero bits, in groups of `power` (term 0: all)
    trailing = np.log2(np.maximum(positions & -positions, 1)).astype(np.int64)
    depths = np.where(positions == 0, _LEVELS - 1, np.minimum(_LEVELS - 1, trailing // power))
    values = terms.reshape(-1)[ember.tensor(positions, device=terms.device)]
    total = ember.zeros((), dtype=terms.dtype, device=terms.device)
    for level in range(_LEVELS):
        closing = np.flatnonzero(depths > level)  # the terms after which this partial sum moves up
        stops = closing + 1
        if not len(stops) or stops[-1] < len(depths):
            stops = np.append(stops, len(depths))
        sums = _segment_sums(values, np.concatenate(([0], stops[:-1])), stops)
        if len(stops) > len(closing):  # what stays in this partial sum at the end
            total = total + sums[-1]
        values, depths = sums[:len(closing)], depths[closing]
    return total


def _segment_sums(values: Tensor, starts: np.ndarray, stops: np.ndarray) -> Tensor:
    """The sum of each segment ``values[start:stop]``, added in order from 0 in `values`' dtype: the
    segments as rows padded with +0 (adding it changes no partial sum, which is never -0)."""
    lengths = stops - starts
    width = int(lengths.max()) if len(lengths) else 0
    columns = np.arange(width)
    index = np.where(columns < lengths[:, None], starts[:, None] + columns, len(values))
    padded = ember.cat([values, ember.zeros(1, dtype=values.dtype, device=values.device)])
    rows = padded[ember.tensor(index, device=values.device)]
    sums = ember.zeros(len(starts), dtype=values.dtype, device=values.device)
    for column in range(width):
        sums = sums + rows[:, column]
    return sums
