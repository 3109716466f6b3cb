"""Signal windows, as PyTorch's (hann, hamming, blackman, bartlett, kaiser): composed of arange and
elementwise ops in the requested floating dtype, with PyTorch's formulas, ``periodic`` forms (the window of
length N + 1 without its last value) and refusals."""
from __future__ import annotations

import math

from .. import _dtype
from . import unary
from .creation import arange, empty, ones


def _start(name: str, window_length, dtype, device):
    """The dtype, and an empty or one-element window for the lengths 0 and 1, or None to compute one."""
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    dt = _dtype.parse(dtype, name) or _dtype.get_default_dtype()
    if not dt.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dt}")
    if window_length == 0:
        return dt, empty(0, dtype=dt, device=device)
    if window_length == 1:
        return dt, ones(1, dtype=dt, device=device)
    return dt, None


def _finish(window, window_length: int, periodic: bool, requires_grad: bool):
    if periodic:
        window = window[:window_length]
    return window.contiguous().requires_grad_(requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   pin_memory=False, requires_grad=False):
    """``alpha - beta * cos(2 pi n / (N - 1))``, N the window length (plus one when periodic)."""
    dt, small = _start("hamming_window", window_length, dtype, device)
    if small is not None:
        return small.requires_grad_(requires_grad)
    n = window_length + 1 if periodic else window_length
    window = (arange(n, dtype=dt, device=device) * (2 * math.pi / (n - 1))).cos() * -beta + alpha
    return _finish(window, window_length, periodic, requires_grad)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    """``0.5 - 0.5 * cos(2 pi n / (N - 1))``: the Hamming window with alpha = beta = 0.5."""
    _start("hann_window", window_length, dtype, device)
    return hamming_window(window_length, periodic, 0.5, 0.5, dtype=dtype, device=device,
                          requires_grad=requires_grad)


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    dt, small = _start("blackman_window", window_length, dtype, device)
    if small is not None:
        return small.requires_grad_(requires_grad)
    n = window_length + 1 if periodic else window_length
    phase = arange(n, dtype=dt, device=device) * (math.pi / (n - 1))
    window = (phase * 4).cos() * 0.08 - (phase * 2).cos() * 0.5 + 0.42
    return _finish(window, window_length, periodic, requires_grad)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """The triangle ``2n / (N - 1)`` rising to 1 at the middle, then ``2 - 2n / (N - 1)``."""
    dt, small = _start("bartlett_window", window_length, dtype, device)
    if small is not None:
        return small.requires_grad_(requires_grad)
    n = window_length + 1 if periodic else window_length
    window = arange(n, dtype=dt, device=device) * (2.0 / (n - 1))
    first_half = ((n - 1) >> 1) + 1
    window[first_half:] = 2 - window[first_half:]
    return _finish(window, window_length, periodic, requires_grad)


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  pin_memory=False, requires_grad=False):
    """``I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta)``, a = (N - 1) / 2, I0 the modified Bessel function."""
    dt, small = _start("kaiser_window", window_length, dtype, device)
    if small is not None:
        return small.requires_grad_(requires_grad)
    n = window_length + 1 if periodic else window_length
    middle = (n - 1) / 2
    offsets = (arange(n, dtype=dt, device=device) - middle) / middle
    i0 = unary.FUNCTIONS["i0"]
    window = i0((1 - offsets * offsets).sqrt() * beta) / i0(ones((), dtype=dt, device=device) * beta)
    return _finish(window, window_length, periodic, requires_grad)
