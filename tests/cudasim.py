"""A numpy stand-in for cupy, so that CI without a GPU runs the CUDA backend's kernel code.

`StandIn` is ember_cuda's `ArrayAPI` over numpy: two simulated devices (`SimArray` buffers remember
theirs), the memory-pointer view as numpy's array interface, numpy's Philox generator, CUDA's refusal in a
forked child (numpy survives fork; CUDA does not). It is registered
as the device type "cudasim" (never "cuda": no GPU is pretended), by this module used as a pytest plugin:

    pytest --pyargs ember.testing --ember-device=cudasim -p tests.cudasim

Each kernel is wrapped here, not in ember_cuda, for what only numpy does: 0-d results come back as
numpy scalars (turned into arrays) and floating-point warnings (cupy's kernels emit none; silenced). cupy's
own host-side cast of a Python number (`full`, `copyto`) warns as numpy does: `xp` keeps that warning.
"""
from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from ember_cuda import device, forking, kernels
from ember_cuda.arrays import ATOMIC_ADD_DTYPES, ArrayAPI
from ember_cuda.elementwise import SPECIAL, SPECIAL_BINARY

from ember.plugins import CREATION_KERNELS, Registry, hookimpl, manager, register_plugin
from ember_cpu.kernels import KERNELS as CPU_KERNELS

NAME = "cudasim"
DEVICES = 2
_current = [0]


class SimArray(np.ndarray):
    """A numpy array on a simulated device: the one current when it was made."""

    device_id: int

    def __array_finalize__(self, obj: Any) -> None:
        self.device_id = _current[0]


@contextlib.contextmanager
def on_device(index: int) -> Iterator[None]:
    if not 0 <= index < DEVICES:
        raise RuntimeError(f"{NAME}:{index} does not exist")
    previous, _current[0] = _current[0], index
    try:
        yield
    finally:
        _current[0] = previous


def _allocation(x: np.ndarray) -> np.ndarray:
    """The array that owns x's memory (cupy gives one of no bytes a null pointer)."""
    while isinstance(x.base, (np.ndarray, _Memory)):
        x = x.base
    return x


class _Memory:
    """x's memory from a given address, as numpy's array interface (cupy's memory pointer plus offset)."""

    __slots__ = ("__array_interface__", "base")


class _CupyLikeNumpy:
    """numpy as ember_cuda's `xp`, but for cupy's `full` and `copyto` of a Python number: cupy first copies
    it into a host numpy scalar of the dtype (``numpy.copyto``), which warns "overflow encountered in cast"
    for a float beyond the dtype's range whatever silence the stand-in keeps around its kernels."""

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)

    @staticmethod
    def copyto(dst: np.ndarray, src: Any, casting: str = "same_kind", where: Any = None) -> None:
        if type(src) in (bool, int, float, complex):
            with np.errstate(over="warn"):
                np.copyto(np.empty((), dst.dtype), src, casting=casting)
        np.copyto(dst, src, casting=casting, where=True if where is None else where)

    def full(self, shape: Any, fill_value: Any, dtype: Any = None) -> np.ndarray:
        array = np.empty(shape, np.array(fill_value).dtype if dtype is None else dtype)
        self.copyto(array, fill_value, casting="unsafe")
        return array


class StandIn(ArrayAPI):
    """ember_cuda's ArrayAPI over numpy, with cupy's atomic dtypes so the same kernel paths run."""

    def __init__(self) -> None:
        self.xp = _CupyLikeNumpy()  # type: ignore[assignment]
        self.ndarray = np.ndarray
        self.atomic_add_dtypes = ATOMIC_ADD_DTYPES
        self.stable_sort = "stable"
        for name in SPECIAL + SPECIAL_BINARY + ("floor_divide", "remainder", "exp2"):
            setattr(self, name, CPU_KERNELS[name])
        self.maximum, self.minimum = _keeping_the_second(np.greater), _keeping_the_second(np.less)
        self.tf32_calls: list[bool] = []

    def device_count(self) -> int:
        return DEVICES

    def synchronize(self, index: int) -> None:
        """numpy finishes each call before returning."""
        forking.check()

    def set_device(self, index: int) -> None:
        forking.check()
        _current[0] = index

    def describe(self, index: int) -> str:
        return "numpy stand-in for a GPU"

    def device(self, index: int) -> contextlib.AbstractContextManager:
        forking.check()
        return on_device(index)

    def device_of(self, x: Any) -> contextlib.AbstractContextManager:
        forking.check()
        return on_device(self.device_index(x))

    def device_index(self, x: Any) -> int:
        return getattr(x, "device_id", _current[0])

    def view(self, x: Any, shape: tuple, byte_strides: tuple, byte_offset: int) -> Any:
        if byte_offset and _allocation(x).nbytes == 0:
            raise AssertionError("cupy refuses to move the null pointer of a size-0 allocation")
        memory = _Memory()
        memory.base = x
        address, readonly = x.__array_interface__["data"]
        memory.__array_interface__ = {"version": 3, "shape": shape, "typestr": x.dtype.str,
                                      "data": (address + byte_offset, readonly), "strides": byte_strides}
        return np.asarray(memory)

    def address(self, x: Any) -> int:
        return x.__array_interface__["data"][0] if _allocation(x).nbytes else 0  # cupy's null pointer

    def scatter_add(self, x: Any, key: tuple, value: Any) -> None:
        np.add.at(x, key, value)

    def to_device(self, array: np.ndarray) -> Any:
        return np.array(array, copy=True)

    def to_host(self, x: Any) -> np.ndarray:
        return np.array(x, copy=True, subok=False)

    def use_tf32(self, allowed: bool) -> None:
        self.tf32_calls.append(allowed)

    def new_generator(self, seed: int) -> Any:
        return np.random.Generator(np.random.Philox(seed % 2**64))

    def generator_state(self, gen: Any) -> bytes:
        state = gen.bit_generator.state
        return json.dumps(state, default=lambda array: array.tolist()).encode()

    def set_generator_state(self, gen: Any, state: bytes) -> Any:
        try:
            loaded = json.loads(state)
            inner = loaded["state"]
            loaded["state"] = {key: np.array(value, dtype=np.uint64) for key, value in inner.items()}
            loaded["buffer"] = np.array(loaded["buffer"], dtype=np.uint64)
            gen.bit_generator.state = loaded
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ValueError(f"not a Philox state: {error}") from None
        return gen


def _keeping_the_second(chooses_first: np.ufunc) -> Callable:
    """ember_cuda's float maximum or minimum (ufuncs.py) over numpy: NaN propagates, and of equal operands
    the second is kept (numpy's own choice depends on the dtype)."""
    def function(a, b, out=None):
        result = np.where(np.isnan(a) | chooses_first(a, b), a, b)
        if out is None:
            return result
        np.copyto(out, result)
        return out

    return function


def _on_sim_device(name: str, kernel: Callable) -> Callable:
    """`kernel` run on the simulated device of its buffers (or its `index`), its array results tagged with
    that device, numpy scalars made 0-d arrays and numpy's floating-point warnings off."""

    def run(*args, **kwargs):
        if name in CREATION_KERNELS or name == "from_dlpack":
            index = kwargs.get("index", 0)
        elif name == "copy_to":
            index = args[1]
        else:
            buffer = kernels._first_buffer(API, args)
            index = API.device_index(buffer) if buffer is not None else _current[0]
        with on_device(index), np.errstate(all="ignore"):
            result = kernel(*args, **kwargs)
        if isinstance(result, tuple):
            return tuple(_tagged(part, index) for part in result)
        return _tagged(result, index)

    run.__name__ = run.__qualname__ = name
    return run


def _tagged(result: Any, index: int) -> Any:
    if isinstance(result, np.generic):
        result = np.asarray(result)
    if isinstance(result, np.ndarray) and not isinstance(result, SimArray):
        with on_device(index):
            result = result.view(SimArray)
    return result


API = StandIn()


@hookimpl
def ember_register_devices(registry: Registry) -> None:
    forking.initialised()  # as cupy's device count initialises CUDA: a forked child cannot use the stand-in
    registry.add_device(device.available(NAME, API))


def sim_kernels() -> dict[str, Callable]:
    """ember_cuda's kernel table over the stand-in, each kernel run on its simulated device."""
    table = kernels.build(API, API.device_count())
    return {name: _on_sim_device(name, kernel) for name, kernel in table.items()}


@hookimpl
def ember_register_kernels(registry: Registry) -> None:
    registry.add_kernels(NAME, sim_kernels())


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register the cudasim device before the kit resolves --ember-device, and again after each test that
    makes ember forget its plugins (`_reset_for_tests`), so that the oracle tests run on it throughout."""
    module = __import__(__name__, fromlist=["API"])
    register_plugin(module, NAME)
    forget = manager._manager.reset

    def reset() -> None:
        forget()
        register_plugin(module, NAME)

    manager._manager.reset = reset  # type: ignore[method-assign]

