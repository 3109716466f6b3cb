"""Tensor printing in PyTorch's format, e.g. ``tensor([1., 2.], grad_fn=<AddBackward0>)``.

It works on the tensor's host copy (a numpy array), so every backend prints the same way. The rules
(when to use scientific notation, widths, summarisation, line wrapping, suffixes) are PyTorch's.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTIONS = _PrintOptions()

_PROFILES: dict[str, dict[str, float]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print, as ``torch.set_printoptions`` does.

    Args:
        precision: digits after the decimal point for floating point values (default 4).
        threshold: element count above which a tensor is summarised with ``...`` (default 1000).
        edgeitems: items shown at the start and end of each summarised dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``'default'``, ``'short'`` or ``'full'`` preset; the other arguments override it.
        sci_mode: force scientific notation on (True) or off (False); None chooses it per tensor.
            Like PyTorch, every call sets it, so leaving it out turns it back to automatic.
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(_OPTIONS, name, value)
    if precision is not None:
        _OPTIONS.precision = precision
    if threshold is not None:
        _OPTIONS.threshold = threshold
    if edgeitems is not None:
        _OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTIONS.linewidth = linewidth
    _OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments that ``set_printoptions`` accepts."""
    return dataclasses.asdict(_OPTIONS)


class _Formatter:
    """One notation and width shared by every element of a tensor, so that columns line up.

    Floats print as integers with a trailing dot when all finite values are whole numbers, in scientific
    notation when the finite nonzero magnitudes span more than 1000x or leave [1e-4, 1e8], else fixed.
    """

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        flat = values.reshape(-1)
        if not self.floating:
            self.width = max([1, *(len(str(value)) for value in flat.tolist())])
            return
        nonzero_finite = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite.size == 0:
            return
        # Magnitudes in float64: float16 overflows at 65504 and the ratio below needs the range.
        magnitudes = np.abs(nonzero_finite).astype(np.float64)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(nonzero_finite == np.ceil(nonzero_finite)))
        if _OPTIONS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = _OPTIONS.sci_mode
        precision = _OPTIONS.precision
        numbers = nonzero_finite.tolist()
        if self.sci_mode:
            self.width = max(len(f"{value:.{precision}e}") for value in numbers)
        elif self.int_mode:
            # One more character for the dot that marks a whole number as floating point ("2.").
            self.width = max(len(f"{value:.0f}") + 1 for value in numbers)
        else:
            self.width = max(len(f"{value:.{precision}f}") for value in numbers)

    def format(self, value: float) -> str:
        """One element (a Python float, int or bool) as text, right-aligned to the shared width."""
        if not self.floating:
            text = f"{value}"
        elif self.sci_mode:
            text = f"{value:.{_OPTIONS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{_OPTIONS.precision}f}"
        return text.rjust(self.width)


def _summarized(values: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows (edge items of each dimension), for choosing the format."""
    edge = _OPTIONS.edgeitems
    if values.ndim == 0:
        return values
    if values.ndim == 1:
        if values.shape[0] > 2 * edge:
            return np.concatenate((values[:edge], values[-edge:]))
        return values
    if not edge:
        return np.empty((0,) * values.ndim, dtype=values.dtype)
    rows = list(values)
    if len(rows) > 2 * edge:
        rows = rows[:edge] + rows[-edge:]
    return np.stack([_summarized(row) for row in rows])


def _vector_str(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    edge = _OPTIONS.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and values.shape[0] > 2 * edge:
        items = (
            [formatter.format(value) for value in values[:edge].tolist()]
            + [" ..."]
            + [formatter.format(value) for value in values[-edge:].tolist()]
        )
    else:
        items = [formatter.format(value) for value in values.tolist()]
    # Each element takes its width plus ", ".
    per_line = max(1, math.floor((_OPTIONS.linewidth - indent) / (formatter.width + 2)))
    lines = [", ".join(items[start : start + per_line]) for start in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(values: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    """Brackets for each dimension; sub-tensors are separated by one blank line per dimension below."""
    if values.ndim == 0:
        return formatter.format(values.item())
    if values.ndim == 1:
        return _vector_str(values, indent, summarize, formatter)
    edge = _OPTIONS.edgeitems
    count = values.shape[0]
    if summarize and count > 2 * edge:
        parts = (
            [_nested_str(values[i], indent + 1, summarize, formatter) for i in range(edge)]
            + ["..."]
            + [_nested_str(values[i], indent + 1, summarize, formatter) for i in range(count - edge, count)]
        )
    else:
        parts = [_nested_str(row, indent + 1, summarize, formatter) for row in values]
    separator = "," + "\n" * (values.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` items, each on a new indented line when it would pass the line width."""
    pieces = [text]
    # PyTorch's measure of the last line (two more than its length on a single-line tensor).
    last_line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_length + len(suffix) + 2 > _OPTIONS.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            last_line_length = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line_length += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def format_tensor(
    values: np.ndarray,
    *,
    dtype_name: str,
    device: str,
    grad_fn_name: str | None,
    requires_grad: bool,
    default_float: str = "float32",
    tangent: str | None = None,
) -> str:
    """A tensor's ``repr`` as PyTorch writes it, from its host copy and its metadata.

    Args:
        values: the tensor's elements on the host, any shape (0-d and empty included).
        dtype_name: ember dtype name ("float32", "int64", ...), shown as ``dtype=ember.<name>`` when
            PyTorch would show its dtype.
        device: device string; shown as ``device='cuda:0'`` unless it is a cpu device.
        grad_fn_name: class name of the tensor's ``grad_fn`` (``"AddBackward0"``), or None.
        requires_grad: shown as ``requires_grad=True`` on tensors without a ``grad_fn``.
        default_float: the default floating dtype's name; tensors of that dtype do not show it.
        tangent: a dual tensor's tangent as printed, shown last as ``tangent=...``.
    """
    values = np.asarray(values)
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if device.split(":")[0] != "cpu":
        suffixes.append(f"device='{device}'")
    dtype_suffix = f"dtype=ember.{dtype_name}"
    if values.size == 0:
        # As in NumPy, an empty tensor shows its shape unless it is (0,), and its dtype unless it is
        # the default float one: there are no elements to tell ints from floats.
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        if dtype_name != default_float:
            suffixes.append(dtype_suffix)
        body = "[]"
    else:
        if not _OPTIONS.edgeitems:
            suffixes.append(f"size={tuple(values.shape)}")
        if dtype_name not in (default_float, "int64", "bool"):
            suffixes.append(dtype_suffix)
        summarize = values.size > _OPTIONS.threshold
        formatter = _Formatter(_summarized(values) if summarize else values)
        body = _nested_str(values, indent, summarize, formatter)
    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    if tangent is not None:
        suffixes.append(f"tangent={tangent}")
    return _add_suffixes(prefix + body, suffixes, indent)
