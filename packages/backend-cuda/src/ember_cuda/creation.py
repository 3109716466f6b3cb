"""Kernels that make buffers: the creation kernels (on device `index`), host transfers, casts, copies
between devices and DLPack exchange."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ember import _backend_util
from ember._backend_util import draw_dtype, half_source

from .arrays import ArrayAPI


def _cast_source(x, dtype: np.dtype):
    """`x` ready to be cast to `dtype` as PyTorch casts: floats into uint8 through int64, wrapping (c10's
    static_cast_with_inter_type; CUDA's own float-to-uint8 conversion saturates, -1.0 becoming 0, not 255),
    and float64 into float16 through float32 (`half_source`)."""
    if dtype == np.uint8 and getattr(x, "dtype", None) is not None and x.dtype.kind == "f":
        return x.astype(np.int64)
    return half_source(x, dtype)


def host_number(value, dtype: np.dtype):
    """A Python float as a numpy scalar of float `dtype`, cast on the host as PyTorch casts it: silently, a
    number beyond the dtype's range becoming its infinity (cupy casts a Python number it is given through
    numpy, which warns "overflow encountered in cast"). Any other value is returned unchanged."""
    if type(value) is not float or dtype.kind != "f":
        return value
    with np.errstate(over="ignore"):
        return dtype.type(half_source(value, dtype))


def kernels(api: ArrayAPI) -> dict[str, Callable]:
    xp = api.xp

    def empty(shape, dtype, *, index=0):
        with api.device(index):
            return xp.empty(shape, dtype.numpy)

    def full(shape, value, dtype, *, index=0):
        with api.device(index):
            return xp.full(shape, host_number(value, dtype.numpy), dtype.numpy)

    def arange(start, stop, step, dtype, *, index=0):
        with api.device(index):
            return _backend_util.arange(xp, start, stop, step, dtype)

    def uniform(shape, low, high, dtype, gen, *, index=0):
        with api.device(index):
            values = _unit_draws(gen, shape, draw_dtype(dtype))
            values *= high - low
            values += low
            return values.astype(dtype.numpy, copy=False)

    def normal(shape, mean, std, dtype, gen, *, index=0):
        with api.device(index):
            values = gen.standard_normal(shape, draw_dtype(dtype))
            values *= std
            values += mean
            return values.astype(dtype.numpy, copy=False)

    def _unit_draws(gen, shape, dtype):
        """Uniform draws in [0, 1) with all of `dtype`'s precision: a float64 is a 53-bit integer over
        2**53, as numpy's (cupy's float64 `random` is cuRAND's curand_uniform_double, which on Philox keeps
        32 random bits)."""
        if dtype is not np.float64:
            return gen.random(shape, dtype)
        values = gen.integers(0, 2**53, size=shape, dtype=np.int64).astype(np.float64)
        values *= 2.0**-53
        return values

    def from_numpy(array, *, index=0):
        """A device copy of a host array (device memory cannot share the host's)."""
        with api.device(index):
            return api.to_device(array)

    def copy_(dst, src):
        xp.copyto(dst, host_number(_cast_source(src, dst.dtype), dst.dtype), casting="unsafe")
        return dst

    def astype(x, dtype):
        """x converted, keeping its layout unless it overlaps (a broadcast input gives a row-major result);
        float64 into float16 through float32, as PyTorch CUDA's c10::Half (CUDA's __double2half rounds once)."""
        return _cast_source(x, dtype.numpy).astype(dtype.numpy, order="C" if 0 in x.strides else "K")

    def copy_to(x, index):
        """A C-contiguous copy of x on device `index`, copied between the devices (peer to peer)."""
        with api.device(index):
            return x.copy(order="C")

    def from_dlpack(obj, *, index=0):
        """A buffer sharing the memory of a DLPack producer (a cupy or PyTorch CUDA tensor...)."""
        with api.device(index):
            return xp.from_dlpack(obj)

    def to_dlpack(x, stream=None, max_version=None) -> Any:
        return x.__dlpack__(stream=stream, max_version=max_version)

    def dlpack_device(x) -> tuple[int, int]:
        device_type, index = x.__dlpack_device__()
        return int(device_type), int(index)

    return {"empty": empty, "full": full, "arange": arange, "uniform": uniform, "normal": normal,
            "from_numpy": from_numpy, "to_numpy": api.to_host, "copy_": copy_, "astype": astype,
            "copy_to": copy_to, "from_dlpack": from_dlpack, "to_dlpack": to_dlpack,
            "dlpack_device": dlpack_device}
