"""Signal windows, as PyTorch's (hann, hamming, blackman, bartlett, kaiser): composed of arange and
elementwise ops in the requested floating dtype, with PyTorch's formulas, ``periodic`` forms (the window of
length N + 1 without its last value) and refusals."""
from __future__ import annotations

import math

from .. import _dtype
from . import unary
from .creation import arange, ones


def _window(name: str, window_length, periodic: bool, dtype, device, requires_grad: bool, formula):
    """The window `formula(n, N)` over ``n = arange(N)``, N the length (plus one when periodic, the last
    value then dropped), after PyTorch's checks; lengths 0 and 1 give an empty window and [1]."""
    if not isinstance(window_length, int) or isinstance(window_length, bool):
        raise TypeError(f"{name}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={window_length}")
    dt = _dtype.parse(dtype, name) or _dtype.get_default_dtype()
    if not dt.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dt}")
    if window_length <= 1:
        return ones(window_length, dtype=dt, device=device).requires_grad_(requires_grad)
    n = window_length + 1 if periodic else window_length
    window = formula(arange(n, dtype=dt, device=device), n)
    return window[:window_length].contiguous().requires_grad_(requires_grad)


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None, device=None,
                   pin_memory=False, requires_grad=False):
    """``alpha - beta * cos(2 pi n / (N - 1))``, N the window length (plus one when periodic)."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, n: (k * (2 * math.pi / (n - 1))).cos() * -beta + alpha)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                requires_grad=False):
    """``0.5 - 0.5 * cos(2 pi n / (N - 1))``: the Hamming window with alpha = beta = 0.5."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   lambda k, n: (k * (2 * math.pi / (n - 1))).cos() * -0.5 + 0.5)


def _blackman(k, n):
    phase = k * (math.pi / (n - 1))
    return (phase * 4).cos() * 0.08 - (phase * 2).cos() * 0.5 + 0.42


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad, _blackman)


def _bartlett(k, n):
    window = k * (2.0 / (n - 1))
    first_half = ((n - 1) >> 1) + 1
    window[first_half:] = 2 - window[first_half:]
    return window


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None, pin_memory=False,
                    requires_grad=False):
    """The triangle ``2n / (N - 1)`` rising to 1 at the middle, then ``2 - 2n / (N - 1)``."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad, _bartlett)


def kaiser_window(window_length, periodic=None, beta=None, *, dtype=None, layout=None, device=None,
                  pin_memory=False, requires_grad=False):
    """``I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta)``, a = (N - 1) / 2, I0 the modified Bessel function;
    periodic defaults to True and beta to 12.0, and beta is refused without periodic, as PyTorch's
    overloads refuse it."""
    if beta is not None and periodic is None:
        raise TypeError(f"kaiser_window() received an invalid combination of arguments - got (int, "
                        f"beta={type(beta).__name__}), but expected one of: (int window_length), "
                        f"(int window_length, bool periodic), (int window_length, bool periodic, float beta)")
    periodic = True if periodic is None else periodic
    beta = 12.0 if beta is None else beta
    def kaiser(k, n):
        offsets = (k - (n - 1) / 2) / ((n - 1) / 2)
        i0 = unary.FUNCTIONS["i0"]
        return i0((1 - offsets * offsets).sqrt() * beta) / i0(ones((), dtype=k.dtype, device=k.device) * beta)
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, kaiser)
